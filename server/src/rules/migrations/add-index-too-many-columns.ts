import { defineRule } from '../../core/rule';
import { literalNames } from '../../parsing/ruby';
import { checkedOps } from '../../migrations/gating';
import { isDslCall, truthy } from '../../migrations/ruleHelpers';

export default defineRule({
  meta: {
    id: 'migrations/add-index-too-many-columns',
    description: 'A non-unique index on more than three columns is large and rarely helps more than its first columns.',
    defaultSeverity: 'info',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        for (const op of checkedOps(ctx, { strongMigrationsKeys: ['add_index_columns'] })) {
          if (op.method !== 'add_index' || !isDslCall(op)) continue;
          const columnsNode = op.changeTable || op.createTable ? op.call.args[0] : op.call.args[1];
          const columns = literalNames(columnsNode);
          if (!columns || columns.length <= 3) continue;
          if (truthy(op.call.keywords.get('unique'))) continue;
          ctx.report({
            node: op.call.nameNode,
            message: `This index on ${op.table ?? 'the table'} has ${columns.length} columns (${columns.join(', ')}): it is large, slows `
              + `every write, and queries rarely use more than its first columns. Keep at most 3, leading with the most selective.`,
          });
        }
      },
    };
  },
});
