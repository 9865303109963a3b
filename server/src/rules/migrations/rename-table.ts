import { defineRule } from '../../core/rule';
import { literalName } from '../../parsing/ruby';
import { checkedOps, migrationModel } from '../../migrations/gating';
import { isDslCall } from '../../migrations/ruleHelpers';

export default defineRule({
  meta: {
    id: 'migrations/rename-table',
    description: 'rename_table breaks every query of running processes on the old table name until they restart.',
    defaultSeverity: 'error',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        const model = migrationModel(ctx);
        for (const op of checkedOps(ctx, { strongMigrationsKeys: ['rename_table'] })) {
          if (op.method !== 'rename_table' || !isDslCall(op) || op.changeTable || op.createTable) continue;
          if (model.createdBefore(op.table, op)) continue;
          // Swapping in a fresh table under the old name (rename, then create_table with that name) keeps every query
          // of running processes working: they find a table called `from`.
          if (model.ops.some((o) => o.method === 'create_table' && o.table === op.table && o.klass === op.klass
            && o.phase === op.phase && o.order > op.order)) continue;
          const from = op.table ?? 'old_table';
          const to = literalName(op.call.args[1]) ?? 'new_table';
          ctx.report({
            node: op.call.nameNode,
            message: `Renaming table ${from} to ${to} breaks the app during the deploy: processes started before the migration `
              + `still query \`${from}\` and every such query fails until they restart. Instead: create \`${to}\`, write to both `
              + `tables, backfill \`${to}\`, switch reads to it, then drop \`${from}\` in a later deploy `
              + `(or point the model at the new name with a view, as online_migrations' initialize_table_rename does).`,
          });
        }
      },
    };
  },
});
