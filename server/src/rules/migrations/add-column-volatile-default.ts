import { defineRule } from '../../core/rule';
import type { Node } from '../../parsing/treeSitter';
import { adapter, dbVersionBelow, isMariaDb, isNewTable, onDatabase, opsFor, runtimeSafetyNet } from '../../migrations/gating';
import { addedColumns, type MigrationOp, addedColumnType, callLabel } from '../../migrations/model';
import { splitDefaultFix } from '../../migrations/ruleKit';
import { readCall, stringValue } from '../../parsing/ruby';

const ID = 'migrations/add-column-volatile-default';
const VOLATILE = /\b(clock_timestamp|random|gen_random_uuid|uuid_generate_v1mc|uuid_generate_v1|uuid_generate_v4|timeofday|nextval|gen_random_bytes|setseed|txid_current)\s*\(/i;
const STABLE = /^\s*(now\(\)|current_timestamp(\(\d*\))?|current_date|current_time(\(\d*\))?|localtime(stamp)?(\(\d*\))?|transaction_timestamp\(\)|statement_timestamp\(\)|true|false|null|'[^']*'(::\w+(\s\w+)*)?|-?\d+(\.\d+)?)\s*$/i;

/** The SQL a callable default evaluates to (`-> { "now()" }`), or null when it is no callable; '' when not literal. */
export function callableDefaultSql(node: Node): string | null {
  let body: Node | null | undefined;
  if (node.type === 'lambda') body = node.childForFieldName('body');
  else if (node.type === 'call') {
    const call = readCall(node);
    if (!call || call.receiver || !['proc', 'lambda'].includes(call.name) || !call.block) return null;
    body = call.block;
  } else return null;
  const strings = body?.descendantsOfType('string') ?? [];
  if (strings.length !== 1 || !strings[0]) return '';
  return stringValue(strings[0]) ?? '';
}

/** The column type an add_column-like op declares. */
function columnType(op: MigrationOp): string | undefined {
  if (op.method === 'add_timestamps') return 'datetime';
  return addedColumnType(op);
}

export default defineRule({
  meta: {
    id: ID,
    description: 'A column default computed per row (volatile function, MySQL expression default) rewrites the whole table.',
    defaultSeverity: 'error',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        const a = adapter(ctx);
        if (a === 'sqlite') return;
        // Before PostgreSQL 11 / MySQL 8.0.12 every default rewrites: migrations/add-column-default-table-rewrite-legacy reports those.
        if (a !== 'mysql' && dbVersionBelow(ctx, 11)) return;
        for (const op of opsFor(ctx, ID)) {
          if (op.method !== 'add_column' && op.method !== 'add_timestamps') continue;
          const def = op.call.keywords.get('default');
          if (!def || isNewTable(ctx, op)) continue;
          const sql = callableDefaultSql(def);
          let verdict: 'volatile' | 'unknown' | undefined;
          let shown = def.text;
          if (a === 'mysql') {
            if (sql !== null) verdict = 'volatile';
          } else if (sql !== null) {
            if (sql === '') verdict = 'unknown';
            else if (VOLATILE.test(sql)) verdict = 'volatile';
            else if (!STABLE.test(sql)) verdict = 'unknown';
            shown = sql || def.text;
          } else if (columnType(op) === 'uuid' && def.type === 'string') {
            const value = stringValue(def) ?? '';
            if (value.includes('()')) { verdict = VOLATILE.test(value) ? 'volatile' : 'unknown'; shown = value; }
          }
          if (!verdict) continue;
          const table = op.table ?? 'the table';
          const cols = addedColumns(op).join(', ') || 'the column';
          const fix = splitDefaultFix(ctx, op);
          const call = callLabel(op);
          const db = onDatabase(ctx);
          const why = a === 'mysql'
            ? `on ${db}${isMariaDb(ctx) ? '' : ' (8.0.13+)'} an expression default cannot be added instantly, so ${table} is copied while writes are blocked`
            : verdict === 'volatile'
              ? `${shown} is volatile, so on ${db} the value is computed for every existing row: the whole table is rewritten under an ACCESS EXCLUSIVE lock that blocks all reads and writes on ${table}`
              : `on ${db} a default whose expression (${shown}) is volatile is computed for every existing row, rewriting ${table} under an ACCESS EXCLUSIVE lock; verify that it is stable or immutable (then wrap the call in safety_assured)`;
          // safe-pg-migrations splits a column default into add + default + batched backfill at run time.
          const net = a !== 'mysql' ? runtimeSafetyNet(ctx, false) : undefined;
          ctx.report({
            node: op.call.nameNode,
            severity: verdict === 'unknown' || net ? 'info' : undefined,
            message: `${call} adds ${cols} to ${table} with a default computed per row: ${why}. `
              + 'Add the column without the default, set it for new rows with `change_column_default`, and backfill existing rows in batches.'
              + (net ? ` (${net}.)` : ''),
            fixes: fix ? [fix] : [],
          });
        }
      },
    };
  },
});
