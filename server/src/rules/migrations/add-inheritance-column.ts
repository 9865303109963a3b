import { defineRule } from '../../core/rule';
import { literalName } from '../../parsing/ruby';
import { checkedOps, migrationModel } from '../../migrations/gating';
import { inheritanceColumn } from '../../migrations/modelFacts';
import { isDslCall } from '../../migrations/ruleHelpers';

export default defineRule({
  meta: {
    id: 'migrations/add-inheritance-column',
    description: 'Adding the STI column with a default makes old processes load rows as subclasses they do not know.',
    defaultSeverity: 'warning',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        const model = migrationModel(ctx);
        for (const op of checkedOps(ctx, { strongMigrationsKeys: ['add_column_inheritance'] })) {
          if (op.method !== 'add_column' || !isDslCall(op) || op.createTable || !op.table) continue;
          if (model.createdBefore(op.table, op)) continue;
          const def = op.call.keywords.get('default');
          if (!def || def.type === 'nil') continue;
          const inTable = !!op.changeTable;
          const columns = inTable ? (op.call.name === 'column' ? op.call.args.slice(0, 1) : op.call.args) : op.call.args.slice(1, 2);
          // Only a `type` column is looked up in the models (whose index is costly to build for every add_column):
          // the model may have turned STI off (`self.inheritance_column = nil`) or moved it to another column.
          const col = columns.find((n) => literalName(n) === 'type');
          if (!col) continue;
          const sti = inheritanceColumn(ctx.app, op.table);
          if (sti !== 'type') continue;
          ctx.report({
            node: col,
            message: `Adding ${op.table}.${sti} with default ${def.text} turns on single-table inheritance for every existing row: processes `
              + `booted before the migration load those rows as class ${def.text} and raise ActiveRecord::SubclassNotFound until they restart. `
              + `First add \`self.ignored_columns += ["${sti}"]\` to the model and deploy, then add the column, then drop the ignore.`,
          });
        }
      },
    };
  },
});
