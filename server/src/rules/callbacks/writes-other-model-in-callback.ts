import { defineRule } from '../../core/rule';
import type { Severity } from '../../core/types';
import { callbackText, fileCallbacks, reportRange, viaText, whereText, type DeclaredCallback } from '../../callbacks/analysis';
import { buildChain, ioText, orderedEntries, type InTransactionIO } from '../../callbacks/chain';
import { createdAttributes, quietOnCreate } from '../../callbacks/conditions';
import { associationOf, type Effect } from '../../callbacks/effects';
import type { ModelIndex } from '../../models/modelIndex';

export default defineRule({
  meta: {
    id: 'callbacks/writes-other-model-in-callback',
    description: 'A callback that writes another model inside the save transaction runs that model\'s callbacks and holds its row locks until COMMIT.',
    defaultSeverity: 'warning',
    fix: 'none',
    fileKinds: ['model'],
  },
  create(ctx) {
    return {
      end() {
        const fc = fileCallbacks(ctx);
        const seen = new Set<string>();
        for (const d of fc.declared) {
          if (!d.inTransaction) continue;
          for (const effect of d.resolved.effects) {
            if (effect.kind !== 'write' || !effect.write || effect.deferred) continue;
            // SQL-only cleanup in a destroy callback is the hand-written form of `dependent: :nullify/:delete_all`: it must be atomic.
            if (effect.write.kind === 'sql' && d.decl.event === 'destroy') continue;
            const range = reportRange(ctx.file, d, effect);
            const key = `${range.start.line}:${range.start.character}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const target = effect.write.model;
            const table = fc.index.tableName(target);
            const owner = d.model.name;
            const transaction = d.model.kind === 'concern' ? `inside the save transaction of every model that includes ${owner}` : `inside ${owner}'s save transaction`;
            let consequence: string;
            let io: InTransactionIO[] = [];
            if (effect.write.kind === 'sql') {
              consequence = `it skips ${target.name}'s callbacks but locks the rows it changes in ${table} until the transaction commits`;
            } else {
              const chain = buildChain(fc.index, ctx.app, target, effect.write.kind, { maxDepth: 2, config: fc.config, ownAttributesOnly: effect.write.kind === 'update', fromWrite: true });
              io = chain.io;
              // `invitations.create` without an email cannot run Invitation's `after_save …, if: :saved_change_to_email?`.
              const assigns = effect.write.kind === 'create' ? createdAttributes(fc.index, d.model, effect.fact) : undefined;
              if (assigns) {
                const entries = orderedEntries(fc.index, target);
                io = io.filter((x) => x.model !== target || !quietOnCreate(fc.index, target, entries, x.entry, assigns));
              }
              consequence = `it runs ${target.name}'s ${effect.write.kind} callbacks (${chain.total} in the transaction) and holds row locks on ${table} until it commits`;
            }
            const loop = effect.inLoop ? ' once per element of a loop' : '';
            const bookkeeping = io.length === 0 ? bookkeepingWrite(fc.index, d, effect) : undefined;
            const severity: Severity | undefined = io.length > 0 ? undefined : bookkeeping ? 'hint' : 'info';
            const why = io.length > 0
              ? ` The cascade reaches outside the database before COMMIT: ${io.slice(0, 3).map(cascadeText).join('; ')}${io.length > 3 ? `; and ${io.length - 3} more` : ''}: if the transaction rolls back, that already happened.`
              : bookkeeping ? ` This is ${bookkeeping}, the kind of write Rails' own counter_cache, touch: and autosave make.` : '';
            ctx.report({
              range,
              severity,
              message: `\`${effect.label}\` writes ${target.name === owner ? `another ${target.name} record` : target.name}${loop} from ${callbackText(d.decl)}${viaText(d, effect)}${whereText(ctx.app.root, ctx.file, effect)}, ${transaction}: ${consequence}.${why} `
                + (io.length > 0 ? 'Move the write, or the side effects of its callbacks, to after_commit callbacks or a job.' : 'Keep the write if it must be atomic with the save; otherwise move it to an after_commit callback or a job.'),
            });
          }
        }
      },
    };
  },
});

function cascadeText(x: InTransactionIO): string {
  const t = x.entry.decl?.target;
  const callback = t?.type === 'method' ? `${x.entry.macro} :${t.name}` : `${x.entry.macro} block`;
  return `${x.model.name}'s \`${callback}\` ${ioText(x.effect)}`;
}

const COUNTER_METHODS = new Set(['increment!', 'decrement!', 'update_counters', 'increment_counter', 'decrement_counter', 'touch', 'touch_all']);
/** Columns that hold derived data: counters, totals, timestamps. */
const DERIVED_COLUMN = /(^|_)(count|counter|counts|total|totals|sum|at|cache|cached)$/;

/** Why a write is bookkeeping (a counter, a touch, a denormalised column, an autosave-like save), or undefined. */
function bookkeepingWrite(index: ModelIndex, d: DeclaredCallback, effect: Effect): string | undefined {
  const method = effect.fact.method;
  if (method === 'touch' || method === 'touch_all') return 'a touch';
  if (COUNTER_METHODS.has(method)) return 'a counter update';
  const columns = effect.fact.columns ?? [];
  if (/^(update_columns?|update_attribute|update!?|update_all)$/.test(method) && columns.length > 0 && columns.every((c) => DERIVED_COLUMN.test(c))) {
    return `a denormalised ${columns.length === 1 ? 'column' : 'columns'} (${columns.map((c) => `\`${c}\``).join(', ')})`;
  }
  // `profile.save` on an association of self: what `autosave: true` would do.
  const r = effect.fact.receiver;
  if ((method === 'save' || method === 'save!') && r.root === 'call' && r.path.length === 0 && r.name && associationOf(index, d.model, r.name)) return 'a save of an associated record';
  return undefined;
}
