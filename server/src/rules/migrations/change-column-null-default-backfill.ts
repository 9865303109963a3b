import { defineRule } from '../../core/rule';
import { isNewTable, opsFor, sym } from '../../migrations/gating';
import { isFalseNode } from '../../migrations/ruleKit';
import { literalName } from '../../parsing/ruby';

const ID = 'migrations/change-column-null-default-backfill';

export default defineRule({
  meta: {
    id: ID,
    description: 'change_column_null with a default value backfills every NULL row in one UPDATE inside the migration transaction.',
    defaultSeverity: 'warning',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        for (const op of opsFor(ctx, ID)) {
          if (op.method !== 'change_column_null') continue;
          const inTable = !!op.changeTable;
          const args = op.call.args;
          const nullArg = inTable ? args[1] : args[2];
          const value = inTable ? args[2] : args[3];
          if (!value || value.type === 'nil' || !isFalseNode(nullArg) || isNewTable(ctx, op)) continue;
          const table = op.table ?? 'the table';
          const column = literalName(inTable ? args[0] : args[1]) ?? 'column';
          const model = op.table ? op.table.replace(/s$/, '').split('_').map((w) => w ? w[0].toUpperCase() + w.slice(1) : w).join('') : 'Model';
          ctx.report({
            node: value,
            message: `The 4th argument of ${inTable ? 't.change_null' : 'change_column_null'} makes Rails run \`UPDATE ${table} SET ${column} = ${value.text} WHERE ${column} IS NULL\` `
              + 'as one statement inside the migration transaction before SET NOT NULL: every matching row stays locked until COMMIT, with bloat and replica lag on a large table. '
              + `Backfill in batches in a separate \`disable_ddl_transaction!\` migration (\`${model}.unscoped.where(${sym(column).replace(/^:/, '')}: nil).in_batches(of: 10_000) { |batch| batch.update_all(${sym(column).replace(/^:/, '')}: ${value.text}); sleep(0.01) }\`), `
              + 'then add the NOT NULL constraint (see migrations/change-column-null-not-null).',
          });
        }
      },
    };
  },
});
