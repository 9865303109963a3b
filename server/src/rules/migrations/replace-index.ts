import { defineRule, type RuleContext } from '../../core/rule';
import type { Fix } from '../../core/types';
import { literalName, literalNames, nodeRange } from '../../parsing/ruby';
import { checkedOps, migrationModel } from '../../migrations/gating';
import type { MigrationOp } from '../../migrations/model';
import { isDslCall } from '../../migrations/ruleHelpers';
import type { SchemaIndex } from '../../project/schema';
import { tableBefore } from '../../migrations/stateBefore';

interface IndexRef { columns?: string[]; name?: string }

export default defineRule({
  meta: {
    id: 'migrations/replace-index',
    description: 'Removing an index before its replacement is built leaves queries without an index during the build.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        const model = migrationModel(ctx);
        const ops = checkedOps(ctx, { strongMigrationsKeys: ['replace_index'] }).filter((o) => isDslCall(o) && !o.createTable);
        // Pair each removal with the addition that replaces it: the same name, else the same leading column
        // (a pass over all removals first), and only then any overlapping column.
        const candidates: { removal: MigrationOp; removed: IndexRef }[] = [];
        for (const removal of ops) {
          if (removal.method !== 'remove_index' || !removal.table || model.createdBefore(removal.table, removal)) continue;
          const removed = removedIndex(ctx, removal);
          if (!removed.columns && !removed.name) continue;
          if (removed.columns && coveredByAnother(ctx, removal.table, removed)) continue;
          candidates.push({ removal, removed });
        }
        const reported = new Set<MigrationOp>();
        const pairs = new Map<MigrationOp, MigrationOp>();
        for (const strength of [2, 1]) {
          for (const { removal, removed } of candidates) {
            if (pairs.has(removal)) continue;
            const addition = ops.find((o) => o.order > removal.order && o.klass === removal.klass && o.phase === removal.phase
              && o.method === 'add_index' && o.table === removal.table && !reported.has(o) && replaceStrength(addedIndex(o), removed) >= strength);
            if (!addition) continue;
            pairs.set(removal, addition);
            reported.add(addition);
          }
        }
        for (const { removal, removed } of candidates) {
          const addition = pairs.get(removal);
          if (!addition) continue;
          const added = addedIndex(addition);
          const fixes: Fix[] = [];
          const table = removal.table!;
          // The removed index's real name (a removal by columns may drop an index created with a custom name).
          const oldName = knownOldName(ctx, removal, removed);
          const sameName = (oldName ?? indexName(table, removed)) === indexName(table, added);
          const movedRemoval = sameName ? undefined : removalAfterSwap(removal, removed, added, oldName);
          if (movedRemoval && sameParent(removal, addition)) {
            fixes.push({
              title: 'Build the new index first, then remove the old one', safety: 'unsafe',
              edits: [
                { file: ctx.file, range: nodeRange(removal.call.node), newText: addition.call.node.text },
                { file: ctx.file, range: nodeRange(addition.call.node), newText: movedRemoval },
              ],
            });
          }
          const what = removed.name ?? `on ${removed.columns!.join(', ')}`;
          ctx.report({
            node: removal.call.nameNode,
            message: `The index ${what} on ${removal.table} is removed before its replacement (line ${addition.call.node.startPosition.row + 1}) `
              + `is built: queries that used it scan the table for the whole build. Add the new index first (concurrently), `
              + `then remove the old one` + (sameName ? ' (give the new index another name, since both exist for a moment).' : '.'),
            fixes,
          });
        }
      },
    };
  },
});

function removedIndex(ctx: RuleContext, op: MigrationOp): IndexRef {
  const inTable = !!op.changeTable;
  const call = op.call;
  const name = literalName(call.keywords.get('name'));
  const columns = literalNames(call.keywords.get('column')) ?? literalNames(inTable ? call.args[0] : call.args[1]);
  if (columns) return { columns, name };
  if (name) {
    const known = tableBefore(ctx, op.table)?.table.indexes.find((i) => i.name === name);
    return { columns: known?.columns, name };
  }
  return {};
}

function addedIndex(op: MigrationOp): IndexRef {
  const inTable = !!op.changeTable;
  return { columns: literalNames(inTable ? op.call.args[0] : op.call.args[1]), name: literalName(op.call.keywords.get('name')) };
}

/** 2: the same name or the same leading column; 1: some column in common; 0: unrelated. */
function replaceStrength(added: IndexRef, removed: IndexRef): number {
  if (added.name && removed.name && added.name === removed.name) return 2;
  if (!added.columns || !removed.columns) return 0;
  if (added.columns[0] === removed.columns[0]) return 2;
  return added.columns.some((c) => removed.columns!.includes(c)) ? 1 : 0;
}

/** Another existing index starts with the removed index's columns, so queries keep an index. */
function coveredByAnother(ctx: RuleContext, table: string, removed: IndexRef): boolean {
  // The indexes the table had when this migration ran (db/schema.rb may show ones built later).
  const before = tableBefore(ctx, table)?.table;
  if (before?.unknown?.indexes) return true; // an app helper changed them: unknown is not a finding
  const indexes: SchemaIndex[] = before?.indexes ?? [];
  return indexes.some((i) => !(removed.name && i.name === removed.name)
    && !(i.columns.length === removed.columns!.length && i.columns.every((c, k) => c === removed.columns![k]))
    && !i.where && removed.columns!.every((c, k) => i.columns[k] === c));
}

/**
 * The removal's text once it runs after the new index is built, or undefined when it could not run there: a removal
 * by columns alone finds two indexes on those columns and Rails raises "Multiple indexes found", so it must name the
 * old index (from the state before this migration); a splat or an unknown name gets no fix.
 */
function removalAfterSwap(removal: MigrationOp, removed: IndexRef, added: IndexRef, oldName: string | undefined): string | undefined {
  const text = removal.call.node.text;
  if (removed.name || !removed.columns || !added.columns) return text;
  const sameColumns = added.columns.length === removed.columns.length && added.columns.every((c, k) => c === removed.columns![k]);
  if (!sameColumns) return text;
  if (removal.call.node.descendantsOfType(['splat_argument', 'hash_splat_argument']).length) return undefined;
  if (!oldName) return undefined;
  const keyword = `name: ${JSON.stringify(oldName)}`;
  return text.endsWith(')') ? `${text.slice(0, -1).replace(/\s*$/, '')}, ${keyword})` : `${text}, ${keyword}`;
}

/** The name of the index a removal by columns drops, from the state before this migration (one index on exactly those columns). */
function knownOldName(ctx: RuleContext, removal: MigrationOp, removed: IndexRef): string | undefined {
  if (removed.name) return removed.name;
  if (!removed.columns) return undefined;
  const old = tableBefore(ctx, removal.table)?.table.indexes.filter((i) => i.columns.length === removed.columns!.length
    && i.columns.every((c, k) => c === removed.columns![k]));
  return old?.length === 1 ? old[0].name ?? indexName(removal.table!, { columns: removed.columns }) : undefined;
}

function sameParent(a: MigrationOp, b: MigrationOp): boolean {
  const pa = a.call.node.parent;
  const pb = b.call.node.parent;
  return !!pa && !!pb && pa.id === pb.id && ['body_statement', 'block_body', 'do_block', 'block'].includes(pa.type);
}

/** The index name Rails uses: `name:`, else `index_<table>_on_<c1>_and_<c2>`. */
function indexName(table: string, ref: IndexRef): string | undefined {
  return ref.name ?? (ref.columns ? `index_${table}_on_${ref.columns.join('_and_')}` : undefined);
}
