import { defineRule } from '../../core/rule';
import { isNewTable, mayBePostgres, migrationCompat, migrationCompatAtLeast, onDatabase, opsFor, runtimeSafetyNet } from '../../migrations/gating';
import { concurrentFix, hashValue, isConcurrently, previewCall, truthy } from '../../migrations/ruleKit';
import { literalName } from '../../parsing/ruby';
import { mergeNestedOption } from '../../parsing/rubyEdits';
import { callLabel } from '../../migrations/model';

const ID = 'migrations/add-reference-index-non-concurrent';

export default defineRule({
  meta: {
    id: ID,
    description: 'add_reference on an existing PostgreSQL table builds its index (on by default since Rails 5.0) without algorithm: :concurrently, blocking writes.',
    defaultSeverity: 'error',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        if (!mayBePostgres(ctx)) return;
        for (const op of opsFor(ctx, ID)) {
          if (op.method !== 'add_reference' && op.method !== 'add_belongs_to') continue;
          if (isNewTable(ctx, op)) continue;
          const index = op.call.keywords.get('index');
          if (index) {
            if (!truthy(index)) continue;
            if (index.type === 'hash' && isConcurrently(hashValue(index, 'algorithm'))) continue;
          } else if (!migrationCompatAtLeast(ctx, op.klass, '5.0')) {
            continue; // Migration[4.2] and bare ActiveRecord::Migration: no index unless asked for.
          }
          const table = op.table ?? 'the table';
          const fix = concurrentFix(ctx, op, mergeNestedOption(ctx.file, op.call, 'index', 'algorithm: :concurrently'), '`index: { algorithm: :concurrently }`');
          const safe = fix ? previewCall(op, fix.edits) : '';
          const refArg = op.changeTable ? op.call.args[0] : op.call.args[1];
          const ref = literalName(refArg) ?? 'the reference';
          const poly = truthy(op.call.keywords.get('polymorphic'));
          const why = index ? '' : ` (an index is the default since Rails 5.0; compatibility ${migrationCompat(ctx, op.klass).source})`;
          const safetyNet = runtimeSafetyNet(ctx, true);
          const call = callLabel(op);
          ctx.report({
            node: op.call.nameNode,
            severity: safetyNet ? 'info' : undefined,
            message: `${call} :${ref} builds ${poly ? `a two-column index on ${ref}_type and ${ref}_id` : `an index on ${ref}_id`} of existing table ${table}${why} `
              + `with a SHARE lock on ${onDatabase(ctx)}: every INSERT, UPDATE and DELETE on ${table} waits for the whole build. `
              + `Build the index concurrently` + (safe ? `: \`${safe}\` with \`disable_ddl_transaction!\` in the class` : '')
              + ', or pass `index: false` and add the index concurrently in its own migration.'
              + (safetyNet ? ` (${safetyNet}.)` : ''),
            fixes: fix ? [fix] : [],
          });
        }
      },
    };
  },
});
