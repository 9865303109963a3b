import { defineRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import { addKeywordArgument } from '../../parsing/rubyEdits';
import { isNewTable, mayBePostgres, onDatabase, opsFor, runtimeSafetyNet } from '../../migrations/gating';
import { concurrentFix, isConcurrently, previewCall } from '../../migrations/ruleKit';

const ID = 'migrations/remove-index-non-concurrent';

export default defineRule({
  meta: {
    id: ID,
    description: 'remove_index on PostgreSQL without algorithm: :concurrently takes an ACCESS EXCLUSIVE lock that queues every query on the table.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        if (!mayBePostgres(ctx)) return;
        for (const op of opsFor(ctx, ID)) {
          if (op.method !== 'remove_index' || isConcurrently(op.call.keywords.get('algorithm')) || isNewTable(ctx, op)) continue;
          const table = op.table ?? 'the table';
          const fix = concurrentFix(ctx, op, addKeywordArgument(ctx.file, op.call, 'algorithm: :concurrently'));
          const fixes: Fix[] = fix ? [fix] : [];
          const safe = fix ? previewCall(op, fix.edits) : '';
          const safetyNet = runtimeSafetyNet(ctx, true);
          const call = op.changeTable ? 't.remove_index inside change_table' : 'remove_index';
          ctx.report({
            node: op.call.nameNode,
            severity: safetyNet ? 'info' : undefined,
            message: `${call} runs DROP INDEX on ${table} with an ACCESS EXCLUSIVE lock on ${onDatabase(ctx)}: it waits behind every running `
              + `query on ${table}, and every read and write queues behind it until it finishes. Drop it concurrently outside the DDL transaction`
              + (safe ? `: \`${safe}\` with \`disable_ddl_transaction!\` in the class.` : '.')
              + (safetyNet ? ` (${safetyNet}.)` : ''),
            fixes,
          });
        }
      },
    };
  },
});
