import { createHash } from 'node:crypto';
import { defineRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import { adapter, followUpMigrationEdit, mayBePostgres, migrationModel, onDatabase, opsFor, pgVersionAtLeast, preMigrationSchema, railsVersionAtLeast, runtimeSafetyNet, snakeName, sym } from '../../migrations/gating';
import { tableBefore } from '../../migrations/stateBefore';
import type { MigrationOp } from '../../migrations/model';
import { isFalseNode, isOwnStatement } from '../../migrations/ruleKit';
import { literalName } from '../../parsing/ruby';
import { replaceNode } from '../../parsing/rubyEdits';
import { callLabel } from '../../migrations/model';

const ID = 'migrations/change-column-null-not-null';

/** `<table>_<column>_null`, or a hashed name when that is longer than PostgreSQL's 63 bytes. */
export function notNullCheckName(table: string, column: string): string {
  const name = `${table}_${column}_null`;
  return Buffer.byteLength(name) <= 63 ? name : `chk_${createHash('sha256').update(name).digest('hex').slice(0, 10)}_null`;
}

/** The column an op sets NOT NULL on, or undefined. */
function notNullColumn(op: MigrationOp): string | undefined {
  const inTable = !!op.changeTable;
  const args = op.call.args;
  if (op.method === 'change_column_null') {
    const nullArg = inTable ? args[1] : args[2];
    return isFalseNode(nullArg) ? literalName(inTable ? args[0] : args[1]) ?? '?' : undefined;
  }
  if (op.method === 'change_column' && isFalseNode(op.call.keywords.get('null'))) return literalName(inTable ? args[0] : args[1]) ?? '?';
  return undefined;
}

/** The class's `down` changes the column back with `null: false` too: it was NOT NULL before (a type change only). */
function downKeepsNotNull(ops: MigrationOp[], op: MigrationOp, column: string): boolean {
  return ops.some((o) => o.klass === op.klass && o.phase === 'down' && o.method === 'change_column' && o.table === op.table
    && literalName(o.changeTable ? o.call.args[0] : o.call.args[1]) === column && isFalseNode(o.call.keywords.get('null')));
}

const NOT_NULL_CHECK = (column: string) => new RegExp(`^\\s*\\(?\\s*"?${column.replace(/[^\w]/g, '')}"?\\s+IS\\s+NOT\\s+NULL\\s*\\)?\\s*$`, 'i');

export default defineRule({
  meta: {
    id: ID,
    description: 'Setting NOT NULL on an existing column scans the whole table under an ACCESS EXCLUSIVE lock on PostgreSQL.',
    defaultSeverity: 'error',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        const a = adapter(ctx);
        const sm = ctx.app.strongMigrations;
        const mysqlNonStrict = a === 'mysql' && !!sm?.targetSqlMode && !/STRICT_(TRANS|ALL)_TABLES/i.test(sm.targetSqlMode);
        if (!mayBePostgres(ctx) && !mysqlNonStrict) return;
        const model = migrationModel(ctx);
        const pre = preMigrationSchema(ctx);
        let followUps = 0;
        for (const op of opsFor(ctx, ID)) {
          const column = notNullColumn(op);
          // A column added earlier in this migration is no exemption: its table has rows, so SET NOT NULL
          // still scans them all (and fails on the NULLs the new column holds).
          if (!column || op.createTable || model.createdBefore(op.table, op)) continue;
          // The table when this migration ran: its replayed history, else db/schema.rb while the migration is pending.
          const before = tableBefore(ctx, op.table);
          const schemaTable = before?.table;
          const preColumn = before?.source === 'history' ? before.table.columns.get(column)
            : op.table ? pre?.tables.get(op.table)?.columns.get(column) : undefined;
          if (preColumn && !preColumn.null) continue; // already NOT NULL: nothing to scan
          if (op.method === 'change_column' && downKeepsNotNull(model.ops, op, column)) continue;
          if (a !== 'mysql' && pgVersionAtLeast(ctx, 12)) {
            if (schemaTable?.checks.some((c) => c.validated && NOT_NULL_CHECK(column).test(c.expression))) continue;
            // SM's second migration: validate_check_constraint (or OM's validate_not_null_constraint) first.
            const validatedFirst = model.ops.some((o) => o.order < op.order && o.klass === op.klass && o.table === op.table
              && (o.method === 'validate_check_constraint' || o.method === 'validate_constraint'
                || (o.method === 'validate_not_null_constraint' && literalName(o.call.args[1]) === column)));
            if (validatedFirst) continue;
          }
          const table = op.table ?? 'the table';
          const fixes: Fix[] = [];
          const simple = op.method === 'change_column_null' && !op.changeTable && op.call.args.length === 3 && op.table && column !== '?';
          if (a !== 'mysql' && pgVersionAtLeast(ctx, 12) && simple && isOwnStatement(op)) {
            const name = notNullCheckName(op.table!, column);
            const t = sym(op.table!);
            const add = `add_check_constraint ${t}, ${JSON.stringify(`${column} IS NOT NULL`)}, name: ${JSON.stringify(name)}, validate: false`;
            const followName = snakeName('validate', op.table!, column, 'not_null');
            const file = followUpMigrationEdit(ctx, op.klass, followName, [], {
              seconds: ++followUps,
              classBody: [
                'def up',
                `  validate_check_constraint ${t}, name: ${JSON.stringify(name)}`,
                `  change_column_null ${t}, ${sym(column)}, false`,
                `  remove_check_constraint ${t}, name: ${JSON.stringify(name)}`,
                'end',
                '',
                'def down',
                `  ${add}`,
                `  change_column_null ${t}, ${sym(column)}, true`,
                'end',
              ],
            });
            if (file) {
              fixes.push({ title: `Add a NOT VALID check constraint instead and create the follow-up migration ${followName}`, safety: 'unsafe', edits: [replaceNode(ctx.file, op.call.node, add), file] });
            }
          }
          // safe-pg-migrations does the check-constraint dance only on PostgreSQL 12+ with Rails 6.1+.
          const spmApplies = !ctx.app.gems.has('safe-pg-migrations') || (pgVersionAtLeast(ctx, 12) && railsVersionAtLeast(ctx, '6.1'));
          const safetyNet = spmApplies ? runtimeSafetyNet(ctx, true)
            : ctx.app.strongMigrations?.safeByDefault ? 'StrongMigrations.safe_by_default rewrites this into its safe form at run time' : undefined;
          const call = callLabel(op);
          const how = a === 'mysql'
            ? `without a strict sql_mode MySQL rewrites ${table} and turns existing NULLs into implicit defaults. Enable STRICT_TRANS_TABLES, backfill, then add the constraint.`
            : pgVersionAtLeast(ctx, 12)
              ? `Add \`add_check_constraint ${op.table ? sym(op.table) : ':table'}, "${column} IS NOT NULL", name: "${op.table ? notNullCheckName(op.table, column) : 'table_column_null'}", validate: false\` instead; `
                + 'in a later migration `validate_check_constraint` (no blocking lock), then `change_column_null … false` (PostgreSQL 12+ skips the scan because of the validated check) and `remove_check_constraint`.'
              : 'Before PostgreSQL 12 there is no way around the scan: do it in a maintenance window, or keep the constraint as a validated CHECK constraint.';
          const fresh = model.columnAddedBefore(op.table, column, op)
            ? ` ${column} was added earlier in this migration, so unless it got a default every existing row holds NULL and the statement fails outright.` : '';
          ctx.report({
            node: op.call.nameNode,
            severity: safetyNet ? 'info' : undefined,
            message: `${call} sets NOT NULL on ${table}.${column}:${fresh} on ${onDatabase(ctx)} ` + (a === 'mysql' ? how
              : `SET NOT NULL holds an ACCESS EXCLUSIVE lock while it scans every row, so all reads and writes on ${table} wait for the scan. ${how}`)
              + (safetyNet ? ` (${safetyNet}.)` : ''),
            fixes,
          });
        }
      },
    };
  },
});
