import { defineRule } from '../../core/rule';
import { checkedOps } from '../../migrations/gating';
import { isDslCall } from '../../migrations/ruleHelpers';

export default defineRule({
  meta: {
    id: 'migrations/change-table-uninspectable',
    description: 'Parity with strong_migrations: every change_table outside safety_assured is rejected (opt-in).',
    defaultSeverity: 'warning',
    fix: 'none',
    fileKinds: ['migration'],
    enabledByDefault: false,
  },
  create(ctx) {
    return {
      end() {
        for (const op of checkedOps(ctx, { strongMigrationsKeys: ['change_table'] })) {
          if (op.method !== 'change_table' || !isDslCall(op) || op.changeTable || op.createTable) continue;
          ctx.report({
            node: op.call.nameNode,
            message: `strong_migrations and online_migrations cannot look inside change_table and reject it at run time. Rails Hazards `
              + `checks each \`t.\` call on its own (see the other migration rules); to pass strong_migrations too, write the calls `
              + `as separate statements (\`add_column :${op.table ?? 'table'}, …\`) or wrap the block in \`safety_assured { }\`.`,
          });
        }
      },
    };
  },
});
