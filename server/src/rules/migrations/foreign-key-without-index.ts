import { defineRule, type RuleContext } from '../../core/rule';
import { literalName, literalNames } from '../../parsing/ruby';
import { checkedOps, migrationModel } from '../../migrations/gating';
import { createdForeignKeys } from '../../migrations/foreignKeys';
import type { MigrationOp } from '../../migrations/model';
import { compatBelow, isDslCall, truthy } from '../../migrations/ruleHelpers';

export default defineRule({
  meta: {
    id: 'migrations/foreign-key-without-index',
    description: 'A foreign key column without an index makes deletes on the referenced table scan the referencing table (opt-in).',
    defaultSeverity: 'warning',
    fix: 'none',
    fileKinds: ['migration'],
    enabledByDefault: false,
  },
  create(ctx) {
    return {
      end() {
        const ops = checkedOps(ctx).filter(isDslCall);
        for (const op of ops) {
          for (const fk of createdForeignKeys(op)) {
            if (!fk.from || !fk.column) continue;
            if (indexed(ctx, op, fk.from, fk.column)) continue;
            ctx.report({
              node: fk.node,
              message: `${fk.from}.${fk.column} references ${fk.to ?? 'another table'} but has no index leading with it: every DELETE or key `
                + `UPDATE on ${fk.to ?? 'the referenced table'} scans ${fk.from} to check the constraint, holding its locks meanwhile. `
                + `Index the column (\`add_index :${fk.from}, :${fk.column}, algorithm: :concurrently\`).`,
            });
          }
        }
      },
    };
  },
});

/** Some index leads with `column`: in db/schema.rb, or built by this migration (add_index, t.index, references, index: true). */
function indexed(ctx: RuleContext, fkOp: MigrationOp, table: string, column: string): boolean {
  const schemaTable = ctx.app.schema?.tables.get(table);
  const created = migrationModel(ctx).createdBefore(table, fkOp) || !!fkOp.createTable;
  if (!schemaTable && !created && fkOp.method !== 'add_reference' && fkOp.method !== 'add_belongs_to') return true; // unknown table: stay quiet
  if (schemaTable?.indexes.some((i) => i.columns[0] === column)) return true;
  for (const op of migrationModel(ctx).ops) {
    if (op.klass !== fkOp.klass || op.phase !== 'up' || op.table !== table) continue;
    const inTable = !!(op.changeTable || op.createTable);
    if (op.method === 'add_index') {
      const cols = literalNames(inTable ? op.call.args[0] : op.call.args[1]);
      if (cols?.[0] === column) return true;
    } else if (op.method === 'add_reference' || op.method === 'add_belongs_to') {
      const index = op.call.keywords.get('index');
      const defaultOn = !index && !compatBelow(op.klass, '5.0');
      if (!(defaultOn || truthy(index)) || truthy(op.call.keywords.get('polymorphic'))) continue;
      const refs = inTable ? op.call.args : op.call.args.slice(1, 2);
      if (refs.some((r) => `${literalName(r)}_id` === column)) return true;
    } else if (op.method === 'add_column' && truthy(op.call.keywords.get('index'))) {
      const cols = inTable ? (op.call.name === 'column' ? op.call.args.slice(0, 1) : op.call.args) : op.call.args.slice(1, 2);
      if (cols.some((c) => literalName(c) === column)) return true;
    }
  }
  return false;
}
