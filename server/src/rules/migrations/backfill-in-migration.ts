import { defineRule } from '../../core/rule';
import type { Node } from '../../parsing/treeSitter';
import { blockParam, readCall } from '../../parsing/ruby';
import { checkedOps, migrationModel } from '../../migrations/gating';
import { enclosingBatch } from '../../migrations/batches';

/** Relation-wide writes: one statement for every matched row. */
const BULK_WRITES = new Set(['update_all', 'delete_all', 'destroy_all', 'insert_all', 'insert_all!', 'upsert_all', 'update_counters']);
/** Writes on one record, dangerous when done per row of an iteration over a table. */
const RECORD_WRITES = new Set(['update', 'update!', 'update_column', 'update_columns', 'update_attribute', 'update_attributes', 'update_attributes!',
  'save', 'save!', 'touch', 'destroy', 'destroy!', 'delete', 'increment!', 'decrement!', 'toggle!']);
const ITERATORS = new Set(['find_each', 'find_in_batches', 'in_batches', 'each_batch', 'each', 'each_with_index', 'map', 'each_slice', 'in_groups_of']);
const BATCHING = new Set(['find_each', 'find_in_batches', 'in_batches', 'each_batch', 'each_slice', 'in_groups_of']);
/** Constants whose methods are not model writes. */
const NOT_MODELS = new Set(['Rails', 'Redis', 'Sidekiq', 'Kernel', 'File', 'Dir', 'ENV', 'Time', 'Date', 'DateTime', 'Thread', 'Process', 'IO', 'Logger']);

interface Chain { model?: string; batched: boolean }

export default defineRule({
  meta: {
    id: 'migrations/backfill-in-migration',
    description: 'Data writes through models inside a migration lock every touched row, and any earlier DDL lock, until the migration commits.',
    defaultSeverity: 'warning',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        for (const op of checkedOps(ctx, { strongMigrationsKeys: ['backfill'] })) {
          const name = op.call.name;
          const bulk = BULK_WRITES.has(name);
          if (!bulk && !RECORD_WRITES.has(name)) continue;
          const receiver = op.call.receiver;
          if (!receiver) continue;
          const chain = chainOf(receiver);
          if (!chain.model) continue;
          // Inside a batch (`Other.in_batches do |b| … Model.upsert_all(rows) end`, `ids.each_slice(1000) { … }`,
          // a loop with a LIMIT/cursor) the write is per batch, not over the whole table.
          if (enclosingBatch(op.call.node)) chain.batched = true;
          // A record write counts only when the record comes from an iteration (per-row writes).
          if (!bulk && receiver.type !== 'identifier') continue;
          if (chain.batched && op.klass.disableDdlTransaction) continue;
          // `where(id: some_ids)` touches the listed rows only; without the DDL transaction each statement commits alone.
          if (op.klass.disableDdlTransaction && filtersByIds(receiver)) continue;
          const model = chain.model;
          // Name the receiver as written (`order.adjustments.update_all`), not the model a block parameter came from.
          const direct = rootConstant(receiver) === model;
          const subject = direct ? model : oneLine(receiver.text);
          let why: string;
          if (!chain.batched) {
            why = !bulk ? `${name} per row of an unbatched iteration over ${model} loads every row at once`
              : name === 'destroy_all' ? `${subject}.destroy_all loads every matched record and deletes them one by one${op.klass.disableDdlTransaction ? '' : ', all inside one transaction'}`
              : name.startsWith('insert_all') || name === 'upsert_all' ? `${subject}.${name} writes every row in one statement`
              : `${subject}.${name} runs as one statement over every matched row: those rows stay locked until it finishes, with bloat and replica lag`;
          } else {
            why = `${subject}.${name} is batched, but the batches run inside the migration's transaction, so every updated row (and any lock taken by earlier DDL) stays locked until the whole backfill commits`;
          }
          // The earlier DDL statement whose table lock this transaction still holds while the backfill runs.
          const held = op.klass.disableDdlTransaction ? undefined : migrationModel(ctx).lockHeldBefore(op);
          if (held) {
            why += `; and ${held.call.name}${held.table ? ` on ${held.table}` : ''} (line ${held.call.node.startPosition.row + 1}) keeps its lock until the backfill commits, so that table stays blocked meanwhile`;
          }
          // A per-record write is suggested as a batched update of the model it iterates over.
          const example = direct || !bulk
            ? `\`disable_ddl_transaction!\` and \`${model}.unscoped.in_batches(of: 10_000) do |relation| relation.${bulk ? name : 'update_all'}(…); sleep(0.01) end\``
            : '`disable_ddl_transaction!` and the writes in batches (`in_batches(of: 10_000)`), each committing on its own';
          ctx.report({
            node: op.call.nameNode,
            message: `Backfill in a migration: ${why}. ${chain.batched ? 'Run it' : 'Batch it and run it'} outside the DDL transaction, ideally in its own migration: ${example}.`,
          });
        }
      },
    };
  },
});

/** The model constant a receiver chain starts from, following block parameters of iterations, and whether it is batched. */
function chainOf(receiver: Node, depth = 0): Chain {
  let batched = false;
  let node: Node | null = receiver;
  while (node && node.type === 'call') {
    const name = node.childForFieldName('method')?.text ?? '';
    if (BATCHING.has(name)) batched = true;
    node = node.childForFieldName('receiver');
  }
  if (!node) return { batched };
  if (node.type === 'constant' || node.type === 'scope_resolution') {
    const root = node.text.split('::')[0];
    // SCREAMING_CASE constants are collections (`COLUMNS.each do |klass, cols|`), not models.
    const last = node.text.split('::').pop() ?? '';
    if (NOT_MODELS.has(root) || node.text === 'ActiveRecord::Base' || /^[A-Z][A-Z0-9_]*$/.test(last)) return { batched };
    return { model: node.text, batched };
  }
  if (node.type === 'identifier' && depth < 3) {
    // `relation` in `Model.in_batches do |relation| … end`, `user` in `User.find_each { |user| … }`.
    const iteration = enclosingIteration(node, node.text);
    if (!iteration) return { batched };
    const call = readCall(iteration)!;
    const inner = chainOf(iteration, depth + 1);
    return { model: inner.model, batched: batched || inner.batched || BATCHING.has(call.name) };
  }
  return { batched };
}

/** A relation narrowed to listed primary keys: `Model.where(id: ids)…`. */
function filtersByIds(receiver: Node): boolean {
  for (let node: Node | null = receiver; node && node.type === 'call'; node = node.childForFieldName('receiver')) {
    if (node.childForFieldName('method')?.text !== 'where') continue;
    const args = node.childForFieldName('arguments')?.text ?? '';
    if (/^\(?\s*(id:|:id\s*=>|["']id["']\s*=>)/.test(args)) return true;
  }
  return false;
}

/** The iterating call (`X.find_each do |x|`) whose block declares `param`, around `node`. */
function enclosingIteration(node: Node, param: string): Node | undefined {
  for (let p: Node | null = node.parent; p; p = p.parent) {
    if (p.type === 'method' || p.type === 'class') return undefined;
    if ((p.type === 'block' || p.type === 'do_block') && p.parent?.type === 'call') {
      const call = readCall(p.parent);
      if (call && ITERATORS.has(call.name) && blockParam(p) === param) return p.parent;
    }
  }
  return undefined;
}

/** The constant a receiver chain starts from (`Order` of `Order.where(…)`), or undefined. */
function rootConstant(receiver: Node): string | undefined {
  let node: Node | null = receiver;
  while (node && node.type === 'call') node = node.childForFieldName('receiver');
  return node && (node.type === 'constant' || node.type === 'scope_resolution') ? node.text : undefined;
}

function oneLine(text: string): string {
  const first = text.split('\n')[0].trim();
  return first.length > 60 ? `${first.slice(0, 57)}…` : first;
}
