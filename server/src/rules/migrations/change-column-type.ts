import { defineRule } from '../../core/rule';
import type { SchemaColumn, SchemaTable } from '../../project/schema';
import { adapter, isNewTable, migrationModel, onDatabase, opsFor, preMigrationSchema } from '../../migrations/gating';
import { tableBefore } from '../../migrations/stateBefore';
import type { MigrationOp } from '../../migrations/model';
import type { Node } from '../../parsing/treeSitter';
import { literalName } from '../../parsing/ruby';

const ID = 'migrations/change-column-type';

const ALIASES: Record<string, string> = {
  varchar: 'string', character_varying: 'string', numeric: 'decimal', timestamp: 'datetime', int: 'integer',
  'timestamp without time zone': 'datetime', 'timestamp with time zone': 'timestamptz',
};
const norm = (t: string) => ALIASES[t] ?? t;
const num = (n: Node | undefined): number | null | undefined =>
  n === undefined ? undefined : n.type === 'nil' ? null : n.type === 'integer' ? Number(n.text.replace(/_/g, '')) : NaN;

interface Wanted { type: string; limit?: number | null; precision?: number | null; scale?: number | null; using: boolean }

/** Why a type change is safe without a rewrite on this adapter, or undefined when it rewrites (research #20). */
export function safeTypeChange(db: 'postgresql' | 'mysql', old: SchemaColumn, next: Wanted, table?: SchemaTable): string | undefined {
  if (next.using) return undefined;
  const from = norm(old.type);
  const to = norm(next.type);
  const grows = (o: number | undefined, n: number | null | undefined) => n === undefined || n === null || (o !== undefined && !Number.isNaN(n) && n >= o);
  if (db === 'mysql') {
    if (from !== 'string' || to !== 'string') return from === to && next.limit === undefined && next.precision === undefined ? 'same type' : undefined;
    const o = old.limit ?? 255;
    const n = next.limit === undefined || next.limit === null ? 255 : next.limit;
    if (Number.isNaN(n) || n < o) return undefined;
    // utf8mb4: up to 63 characters fit a 1-byte length prefix; crossing it forces a copy.
    return (o <= 63 && n <= 63) || o > 63 ? 'a VARCHAR limit increase that keeps the length-prefix size' : undefined;
  }
  const indexed = !!table?.indexes.some((i) => i.columns.includes(old.name));
  if (from === 'string' && to === 'text') return 'varchar to text';
  if (from === 'string' && to === 'string') {
    if (next.limit === undefined || next.limit === null) return 'removing the varchar limit';
    return old.limit !== undefined && grows(old.limit, next.limit) ? 'a varchar limit increase' : undefined;
  }
  if (from === 'text' && to === 'string' && (next.limit === undefined || next.limit === null)) return 'text to varchar without a limit';
  if (((from === 'string' || from === 'text') && to === 'citext') || (from === 'citext' && (to === 'string' || to === 'text'))) return indexed ? undefined : 'citext on an unindexed column';
  if (from === 'cidr' && to === 'inet') return 'cidr to inet';
  if (from === 'decimal' && to === 'decimal') {
    if ((next.precision === undefined || next.precision === null) && (next.scale === undefined || next.scale === null)) return 'removing precision and scale';
    if ((next.scale ?? undefined) === old.scale && grows(old.precision, next.precision) && old.precision !== undefined) return 'a precision increase at the same scale';
    return undefined;
  }
  if (['datetime', 'timestamptz', 'time', 'interval'].includes(from) && from === to) {
    if (next.precision === undefined || next.precision === null) return 'removing the precision';
    return grows(old.precision ?? 6, next.precision) ? 'a precision increase' : undefined;
  }
  if (from === to && next.limit === undefined && next.precision === undefined && next.scale === undefined) return 'the same type';
  if (from === to && (next.limit ?? undefined) === old.limit && (next.precision ?? undefined) === old.precision && (next.scale ?? undefined) === old.scale) return 'the same type';
  return undefined;
}

const POSSIBLY_SAFE_TARGETS = new Set(['text', 'string', 'citext', 'decimal', 'datetime', 'timestamptz', 'time', 'interval', 'inet']);

/** The column as the class's `down` restores it (`change_column :t, :c, :string, limit: 50` in down). */
function typeRestoredByDown(ops: MigrationOp[], op: MigrationOp, column: string | undefined): SchemaColumn | undefined {
  if (!column || op.phase !== 'up') return undefined;
  for (const o of ops) {
    if (o.klass !== op.klass || o.phase !== 'down' || o.method !== 'change_column' || o.table !== op.table) continue;
    const w = wanted(o);
    if (w.column !== column || !w.next) continue;
    const n = (v: number | null | undefined) => (typeof v === 'number' && !Number.isNaN(v) ? v : undefined);
    return { name: column, type: w.next.type, null: true, hasDefault: false, limit: n(w.next.limit), precision: n(w.next.precision), scale: n(w.next.scale) };
  }
  return undefined;
}

function wanted(op: MigrationOp): { column?: string; next?: Wanted } {
  const args = op.call.args;
  const inTable = !!op.changeTable;
  const column = literalName(inTable ? args[0] : args[1]);
  const type = literalName(inTable ? args[1] : args[2]);
  if (!type) return { column };
  const kw = op.call.keywords;
  return { column, next: { type, limit: num(kw.get('limit')), precision: num(kw.get('precision')), scale: num(kw.get('scale')), using: kw.has('using') } };
}

/** The column as an earlier `add_column` of the same class created it (`add_column :t, :c, :integer` then `change_column :t, :c, :integer, default: 1`). */
function addedEarlierInClass(ops: MigrationOp[], op: MigrationOp, column: string | undefined): SchemaColumn | undefined {
  if (!column) return undefined;
  for (const o of ops) {
    if (o.klass !== op.klass || o.phase !== op.phase || o.order >= op.order || o.method !== 'add_column' || o.table !== op.table) continue;
    const args = o.call.args;
    const name = literalName(o.changeTable ? args[0] : args[1]);
    const type = o.columnType ?? literalName(o.changeTable ? args[1] : args[2]);
    if (name !== column || !type) continue;
    const kw = o.call.keywords;
    const n = (v: number | null | undefined) => (typeof v === 'number' && !Number.isNaN(v) ? v : undefined);
    return { name: column, type, null: true, hasDefault: false, limit: n(num(kw.get('limit'))), precision: n(num(kw.get('precision'))), scale: n(num(kw.get('scale'))) };
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: ID,
    description: 'Changing a column\'s type rewrites the table and its indexes under a lock, unless it is one of the few safe changes.',
    defaultSeverity: 'error',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        const a = adapter(ctx);
        if (a === 'sqlite') return;
        const db = a === 'mysql' ? 'mysql' : 'postgresql';
        const model = migrationModel(ctx);
        const pre = preMigrationSchema(ctx);
        for (const op of opsFor(ctx, ID)) {
          if (op.method !== 'change_column' || isNewTable(ctx, op)) continue;
          const { column, next } = wanted(op);
          const table = op.table ?? 'the table';
          // The table when this migration ran: its replayed history, else db/schema.rb while the migration is pending.
          const before = tableBefore(ctx, op.table);
          const schemaTable = before?.source === 'history' ? before.table : op.table ? pre?.tables.get(op.table) : undefined;
          // The type before the migration: db/schema.rb while the migration is pending, else the type the
          // class's own `down` changes the column back to.
          const old = (column ? schemaTable?.columns.get(column) : undefined) ?? typeRestoredByDown(model.ops, op, column)
            ?? addedEarlierInClass(model.ops, op, column);
          if (old && next && safeTypeChange(db, old, next, schemaTable ?? ctx.app.schema?.tables.get(op.table ?? ''))) continue;
          // Without the old type, changes that may be rewrite-free are only "verify" findings.
          // `default:`/`null:` on the call usually mean the type stays and only those change.
          const severity = old || next?.using ? undefined
            : next && (POSSIBLY_SAFE_TARGETS.has(norm(next.type)) || op.call.keywords.has('default') || op.call.keywords.has('null')) ? 'info' : 'warning';
          const target = next ? next.type : 'the new type';
          const oldText = old ? `from ${old.type}${old.limit !== undefined ? `(${old.limit})` : ''} ` : '';
          const blocks = db === 'mysql' ? 'writes are blocked' : 'all reads and writes are blocked';
          const call = op.changeTable ? 't.change inside change_table' : 'change_column';
          ctx.report({
            node: op.call.nameNode,
            severity,
            message: `${call} changes ${table}.${column ?? 'column'} ${oldText}to ${target}: on ${onDatabase(ctx)} this rewrites ${table} and rebuilds its indexes while ${blocks}`
              + (old ? '' : ` unless this is one of the few rewrite-free changes (such as varchar → text): verify, the current type could not be read (${ctx.app.schema ? 'db/schema.rb already includes this migration or lacks the column' : 'no db/schema.rb'}) and the class has no \`down\` changing it back`)
              + `. Add a new column, write to both, backfill in batches, switch reads, then stop writing and drop the old column.`,
          });
        }
      },
    };
  },
});
