import { defineRule } from '../../core/rule';
import { pluralize } from '../../models/inflector';
import { blockParam, bodyStatements, literalName, readCall } from '../../parsing/ruby';
import { checkedOps, mayBePostgres, migrationModel } from '../../migrations/gating';
import { joinTableName, type MigrationOp } from '../../migrations/model';
import { isDslCall, truthy } from '../../migrations/ruleHelpers';
import { tableBefore } from '../../migrations/stateBefore';

export default defineRule({
  meta: {
    id: 'migrations/drop-table-multiple-foreign-keys',
    description: 'Dropping a table with foreign keys to several tables locks all of them at once.',
    defaultSeverity: 'warning',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        if (!mayBePostgres(ctx)) return;
        const model = migrationModel(ctx);
        for (const op of checkedOps(ctx, { strongMigrationsKeys: ['drop_table'] })) {
          if ((op.method !== 'drop_table' && op.method !== 'drop_join_table') || !isDslCall(op) || op.changeTable) continue;
          const table = op.method === 'drop_join_table' ? joinTableName(op.call) : op.table;
          if (!table || model.createdBefore(table, op)) continue;
          // The foreign keys the table had when this migration ran, not those of a later table of the same name.
          const targets = referencedTables(tableBefore(ctx, table)?.table.foreignKeys ?? [], table, op);
          if (targets.length < 2) continue;
          const list = `${targets.slice(0, -1).join(', ')} and ${targets[targets.length - 1]}`;
          ctx.report({
            node: op.call.nameNode,
            message: `Dropping ${table} takes an ACCESS EXCLUSIVE lock on every table it references (${list}) at once, to remove the `
              + `foreign-key triggers: reads and writes on all of them wait, and queue behind any long query on any of them. `
              + `Remove the foreign keys first, one per migration (\`remove_foreign_key :${table}, :${targets[0]}\`), then drop the table.`,
          });
        }
      },
    };
  },
});

/** Distinct tables `table` references, from its state before this migration and from the drop_table block, self references excluded. */
function referencedTables(foreignKeys: { to: string }[], table: string, op: MigrationOp): string[] {
  const out = new Set<string>();
  for (const fk of foreignKeys) if (fk.to !== table) out.add(fk.to);
  const t = blockParam(op.call.block);
  for (const stmt of bodyStatements(op.call.block)) {
    const call = readCall(stmt);
    if (!call || !t || call.receiver?.text !== t) continue;
    if (call.name === 'foreign_key') {
      const to = literalName(call.args[0]);
      if (to && to !== table) out.add(to);
    } else if ((call.name === 'references' || call.name === 'belongs_to') && truthy(call.keywords.get('foreign_key'))) {
      const fk = call.keywords.get('foreign_key');
      const explicit = fk?.type === 'hash' ? /to_table:\s*[:"']?(\w+)/.exec(fk.text)?.[1] : undefined;
      for (const ref of call.args) {
        const name = literalName(ref);
        const to = explicit ?? (name ? pluralize(name) : undefined);
        if (to && to !== table) out.add(to);
      }
    }
  }
  return [...out];
}
