import { defineRule } from '../../core/rule';
import { checkedOps, migrationModel } from '../../migrations/gating';
import { joinTableName } from '../../migrations/model';
import { isDslCall } from '../../migrations/ruleHelpers';

export default defineRule({
  meta: {
    id: 'migrations/drop-table-in-use',
    description: 'drop_table in a regular migration breaks processes that still query the table (opt-in).',
    defaultSeverity: 'warning',
    fix: 'none',
    fileKinds: ['migration'],
    enabledByDefault: false,
  },
  create(ctx) {
    return {
      end() {
        // Post-deployment migrations run after every process runs the new code.
        if (/[\\/]db[\\/]post_migrate[\\/]/.test(ctx.file)) return;
        const model = migrationModel(ctx);
        for (const op of checkedOps(ctx, { strongMigrationsKeys: ['drop_table'] })) {
          if ((op.method !== 'drop_table' && op.method !== 'drop_join_table') || !isDslCall(op) || op.changeTable || op.createTable) continue;
          const table = op.method === 'drop_join_table' ? joinTableName(op.call) : op.table;
          if (!table || model.createdBefore(table, op)) continue;
          ctx.report({
            node: op.call.nameNode,
            message: `Dropping ${table} while processes of the previous release still run breaks every request and job of theirs that `
              + `queries it. Remove all uses of ${table} (models, associations, raw SQL) and deploy first; drop the table in a later `
              + `release (or a post-deployment migration) inside \`safety_assured { }\`.`,
          });
        }
      },
    };
  },
});
