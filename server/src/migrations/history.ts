// The history model: the app's migrations replayed in version order, so a rule can ask what a table
// looked like before a given migration ran (db/schema.rb only shows the state after the last one).
// Pure: it works on per-file summaries of schema-changing operations (historyOps.ts builds them).
import type { SchemaCheck, SchemaColumn, SchemaForeignKey, SchemaIndex, SchemaTable } from '../project/schema';
import { compareMigrationVersions } from './model';

export interface HistoryForeignKey { to: string; column?: string; name?: string }

export type HistoryOp =
  | { kind: 'create_table'; table: string; primaryKey?: string; primaryKeyType: string }
  | { kind: 'drop_table'; table: string }
  | { kind: 'rename_table'; table: string; to: string }
  | { kind: 'add_column'; table: string; column: SchemaColumn }
  | { kind: 'remove_column'; table: string; column: string }
  | { kind: 'rename_column'; table: string; column: string; to: string }
  | { kind: 'change_column'; table: string; column: string; type: string; null?: boolean; limit?: number; precision?: number; scale?: number }
  | { kind: 'change_column_null'; table: string; column: string; null: boolean }
  | { kind: 'add_index'; table: string; index: SchemaIndex }
  | { kind: 'remove_index'; table: string; columns?: string[]; name?: string }
  | { kind: 'rename_index'; table: string; name: string; to: string }
  | { kind: 'add_foreign_key'; table: string; foreignKey: HistoryForeignKey }
  | { kind: 'remove_foreign_key'; table: string; to?: string; column?: string; name?: string }
  | { kind: 'add_check'; table: string; check: SchemaCheck }
  | { kind: 'remove_check'; table: string; name?: string; expression?: string }
  | { kind: 'validate_check'; table: string; name: string }
  /** A change the replay cannot read (a non-literal name, an app helper, raw SQL): the table, or every table for `*`, is unknown from here on. */
  | { kind: 'unknown_change'; table: string; part?: UnknownPart; column?: string };

/** What an unreadable change may have touched: only the indexes, only foreign keys and checks, one column (`column`), or everything. */
export type UnknownPart = 'indexes' | 'constraints' | 'column';

export const ANY_TABLE = '*';

export interface MigrationSummary { version: string; file: string; ops: HistoryOp[] }

/** A table as it stood at some point of the history, with the foreign keys it owned then. */
export interface HistoryTable extends SchemaTable {
  foreignKeys: HistoryForeignKey[];
  /** Set when an unreadable change (an app helper, raw SQL) may have changed the indexes or the constraints. */
  unknown?: { indexes?: boolean; constraints?: boolean };
}

/** What a rule gets: the table before the migration, and where that knowledge came from. */
export interface TableBefore { table: HistoryTable; source: 'history' | 'schema' }

/** A table's state: the table, undefined when known not to exist, null when unknown again. */
type State = HistoryTable | undefined | null;
interface Entry { ordinal: number; table: State }
interface Event { ordinal: number; op: HistoryOp }

/** Rails' default index name: `index_<table>_on_<col>_and_<col>`. */
export function defaultIndexName(table: string, columns: string[]): string {
  return `index_${table}_on_${columns.join('_and_')}`;
}

export class MigrationHistory {
  /** Versions in replay order; a migration's ordinal is its index here. */
  readonly versions: string[];
  /** Migration files in replay order. */
  private readonly files: string[];
  /** Per table name: its known states, in ordinal order (undefined = known not to exist). */
  private readonly entries = new Map<string, Entry[]>();
  /** Per table name: every operation naming it, in ordinal order (for the schema.rb fallback). */
  private readonly events = new Map<string, Event[]>();
  /** Ordinals of migrations with a change to an unreadable table name (what it may have touched). */
  private readonly unreadable: { ordinal: number; part?: UnknownPart }[] = [];

  constructor(summaries: MigrationSummary[]) {
    const sorted = [...summaries].sort((a, b) => compareMigrationVersions(a.version, b.version) || a.file.localeCompare(b.file));
    this.versions = sorted.map((s) => s.version);
    this.files = sorted.map((s) => s.file);
    const current = new Map<string, State>();
    sorted.forEach((summary, ordinal) => {
      const touched = new Set<string>();
      /** The table to change in this migration: copied once per migration so earlier states stay intact. */
      const own = (name: string): HistoryTable | undefined => {
        const t = current.get(name);
        if (!t) return undefined;
        if (touched.has(name)) return t;
        const copy = cloneTable(t);
        current.set(name, copy);
        touched.add(name);
        return copy;
      };
      const set = (name: string, table: State): void => {
        current.set(name, table);
        touched.add(name);
      };
      for (const op of summary.ops) {
        if (op.kind === 'unknown_change' && op.table === ANY_TABLE) {
          this.unreadable.push({ ordinal, part: op.part });
          for (const [name, t] of current) {
            if (!t) continue;
            if (op.part) markUnknown(own(name)!, op); else set(name, null);
          }
          continue;
        }
        this.event(op.table, ordinal, op);
        if (op.kind === 'rename_table') this.event(op.to, ordinal, op);
        applyOp(op, own, set, current);
      }
      for (const name of touched) this.entry(name, ordinal, current.get(name));
    });
  }

  /**
   * The table `name` before migration `version` ran. The replay wins when it saw the table created (or
   * dropped); otherwise db/schema.rb's table, minus what later migrations added, when it is the same
   * table (not dropped, re-created or renamed since). Undefined when unknown or known not to exist.
   */
  tableBefore(name: string, version: string, schema?: ReadonlyMap<string, SchemaTable>, schemaForeignKeys: SchemaForeignKey[] = []): TableBefore | undefined {
    const ordinal = this.ordinalOf(version);
    const entries = this.entries.get(name);
    if (entries) {
      const known = lastBefore(entries, ordinal);
      if (known && known.table !== null) return known.table ? { table: known.table, source: 'history' } : undefined;
    }
    // schema.rb shows the table after every migration: it stands for this one's "before" only when no
    // later migration replaced, renamed or changed it in a way the replay cannot take back.
    const unreadableLater = this.unreadable.filter((u) => u.ordinal >= ordinal);
    if (unreadableLater.some((u) => !u.part)) return undefined;
    const later = (this.events.get(name) ?? []).filter((e) => e.ordinal >= ordinal);
    if (later.some((e) => ['create_table', 'drop_table', 'rename_table'].includes(e.op.kind) || (e.op.kind === 'unknown_change' && !e.op.part))) return undefined;
    const table = schemaTableOf(name, schema, schemaForeignKeys);
    if (!table) return undefined;
    for (const { op } of later) withoutLaterChange(table, op);
    for (const u of unreadableLater) markUnknown(table, u);
    return { table, source: 'schema' };
  }

  /**
   * The migration file that created the table existing under `name` before `version` (create_table, or a
   * rename to that name), with its version; undefined when the replay did not see it created or saw it dropped since.
   */
  creatorBefore(name: string, version: string): { file: string; version: string } | undefined {
    const ordinal = this.ordinalOf(version);
    const events = (this.events.get(name) ?? []).filter((e) => e.ordinal < ordinal);
    for (let i = events.length - 1; i >= 0; i--) {
      const { op, ordinal: at } = events[i];
      if (op.kind === 'drop_table' || (op.kind === 'rename_table' && op.table === name)) return undefined;
      if (op.kind === 'create_table' || (op.kind === 'rename_table' && op.to === name)) return { file: this.files[at], version: this.versions[at] };
    }
    return undefined;
  }

  /** Index of the first migration whose version is not older than `version`. */
  private ordinalOf(version: string): number {
    let lo = 0;
    let hi = this.versions.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareMigrationVersions(this.versions[mid], version) < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  private entry(name: string, ordinal: number, table: State): void {
    const list = this.entries.get(name);
    if (list) list.push({ ordinal, table }); else this.entries.set(name, [{ ordinal, table }]);
  }

  private event(name: string, ordinal: number, op: HistoryOp): void {
    const list = this.events.get(name);
    if (list) list.push({ ordinal, op }); else this.events.set(name, [{ ordinal, op }]);
  }
}

/** db/schema.rb's table with the foreign keys it owns, as a fresh copy. */
export function schemaTableOf(name: string, schema: ReadonlyMap<string, SchemaTable> | undefined, foreignKeys: SchemaForeignKey[] = []): HistoryTable | undefined {
  const own = foreignKeys.filter((fk) => fk.from === name).map((fk) => ({ to: fk.to, column: fk.column, name: fk.name }));
  const current = schema?.get(name);
  if (!current && !own.length) return undefined;
  return cloneTable({ ...(current ?? { name, primaryKeyType: 'unknown', columns: new Map(), indexes: [], checks: [] }), foreignKeys: own });
}

function lastBefore(entries: Entry[], ordinal: number): Entry | undefined {
  let found: Entry | undefined;
  for (const e of entries) {
    if (e.ordinal >= ordinal) break;
    found = e;
  }
  return found;
}

function cloneTable(t: HistoryTable): HistoryTable {
  return {
    name: t.name, primaryKeyType: t.primaryKeyType,
    columns: new Map([...t.columns].map(([k, c]) => [k, { ...c }])),
    indexes: t.indexes.map((i) => ({ ...i, columns: [...i.columns] })),
    checks: t.checks.map((c) => ({ ...c })),
    foreignKeys: t.foreignKeys.map((f) => ({ ...f })),
    ...(t.unknown ? { unknown: { ...t.unknown } } : {}),
  };
}

function applyOp(op: HistoryOp, own: (name: string) => HistoryTable | undefined,
  set: (name: string, table: State) => void, current: Map<string, State>): void {
  switch (op.kind) {
    case 'create_table': {
      const table: HistoryTable = { name: op.table, primaryKeyType: op.primaryKeyType, columns: new Map(), indexes: [], checks: [], foreignKeys: [] };
      if (op.primaryKeyType !== 'none') {
        const pk = op.primaryKey ?? 'id';
        table.columns.set(pk, { name: pk, type: op.primaryKeyType, null: false, hasDefault: true });
      }
      set(op.table, table);
      return;
    }
    case 'drop_table':
      set(op.table, undefined);
      return;
    case 'unknown_change': {
      const partly = op.part ? own(op.table) : undefined;
      if (partly) markUnknown(partly, op);
      else set(op.table, null);
      return;
    }
    case 'rename_table': {
      const t = own(op.table);
      set(op.table, undefined);
      if (!t) {
        // Renaming a table the replay never saw: the new name is no better known than the old one was.
        if (current.has(op.to)) set(op.to, null);
        return;
      }
      t.name = op.to;
      const oldPrefix = `index_${op.table}_on_`;
      for (const i of t.indexes) if (i.name?.startsWith(oldPrefix)) i.name = `index_${op.to}_on_${i.name.slice(oldPrefix.length)}`;
      set(op.to, t);
      for (const [name, other] of current) {
        if (!other || !other.foreignKeys.some((fk) => fk.to === op.table)) continue;
        const copy = own(name)!;
        for (const fk of copy.foreignKeys) if (fk.to === op.table) fk.to = op.to;
      }
      return;
    }
  }
  const t = own(op.table);
  if (!t) return;
  switch (op.kind) {
    case 'add_column':
      t.columns.set(op.column.name, { ...op.column });
      return;
    case 'remove_column':
      t.columns.delete(op.column);
      t.indexes = t.indexes.filter((i) => !i.columns.includes(op.column));
      t.foreignKeys = t.foreignKeys.filter((fk) => fk.column !== op.column);
      return;
    case 'rename_column': {
      const c = t.columns.get(op.column);
      if (!c) return;
      t.columns.delete(op.column);
      t.columns.set(op.to, { ...c, name: op.to });
      for (const i of t.indexes) i.columns = i.columns.map((x) => (x === op.column ? op.to : x));
      for (const fk of t.foreignKeys) if (fk.column === op.column) fk.column = op.to;
      return;
    }
    case 'change_column': {
      const c = t.columns.get(op.column);
      t.columns.set(op.column, {
        name: op.column, type: op.type, null: op.null ?? c?.null ?? true, hasDefault: c?.hasDefault ?? false,
        ...sizeOf(op),
      });
      if (op.column === 'id' && t.primaryKeyType !== 'none') t.primaryKeyType = op.type;
      return;
    }
    case 'change_column_null': {
      const c = t.columns.get(op.column);
      if (c) c.null = op.null;
      return;
    }
    case 'add_index':
      t.indexes = t.indexes.filter((i) => i.name !== op.index.name);
      t.indexes.push({ ...op.index });
      return;
    case 'remove_index':
      t.indexes = t.indexes.filter((i) => !matchesIndex(i, op.columns, op.name));
      return;
    case 'rename_index':
      for (const i of t.indexes) if (i.name === op.name) i.name = op.to;
      return;
    case 'add_foreign_key':
      t.foreignKeys.push({ ...op.foreignKey });
      return;
    case 'remove_foreign_key':
      t.foreignKeys = t.foreignKeys.filter((fk) => !matchesForeignKey(fk, op));
      return;
    case 'add_check':
      t.checks.push({ ...op.check });
      return;
    case 'remove_check':
      t.checks = t.checks.filter((c) => !(op.name ? c.name === op.name : c.expression === op.expression));
      return;
    case 'validate_check':
      t.checks = t.checks.map((c) => (c.name === op.name ? { ...c, validated: true } : c));
      return;
  }
}

function matchesIndex(i: SchemaIndex, columns: string[] | undefined, name: string | undefined): boolean {
  if (name) return i.name === name;
  return !!columns && i.columns.join(',') === columns.join(',');
}

function matchesForeignKey(fk: HistoryForeignKey, op: { to?: string; column?: string; name?: string }): boolean {
  if (op.name) return fk.name === op.name;
  if (op.column) return fk.column === op.column;
  return !!op.to && fk.to === op.to;
}

/** `limit:`/`precision:`/`scale:` when given (schema.rb's SchemaColumn fields). */
function sizeOf(o: { limit?: number; precision?: number; scale?: number }): Partial<SchemaColumn> {
  const out: Partial<SchemaColumn> = {};
  if (o.limit !== undefined) out.limit = o.limit;
  if (o.precision !== undefined) out.precision = o.precision;
  if (o.scale !== undefined) out.scale = o.scale;
  return out;
}

function markUnknown(table: HistoryTable, op: { part?: UnknownPart; column?: string }): void {
  if (op.part === 'column' && op.column) {
    table.columns.delete(op.column);
    if (op.column === 'id' && table.primaryKeyType !== 'none') table.primaryKeyType = 'unknown';
  }
  else if (op.part === 'indexes') table.unknown = { ...table.unknown, indexes: true };
  else if (op.part === 'constraints') table.unknown = { ...table.unknown, constraints: true };
}

/** Takes back from schema.rb's table what a migration at or after the asked one added. */
function withoutLaterChange(table: HistoryTable, op: HistoryOp): void {
  switch (op.kind) {
    case 'unknown_change':
      markUnknown(table, op);
      return;
    case 'change_column_null':
      table.columns.delete(op.column);
      return;
    case 'add_column':
      table.columns.delete(op.column.name);
      return;
    case 'change_column':
      // The type before the change is unknown: leave the column out rather than show a later type.
      table.columns.delete(op.column);
      if (op.column === 'id') table.primaryKeyType = 'unknown';
      return;
    case 'rename_column':
      table.columns.delete(op.to);
      return;
    case 'add_index':
      table.indexes = table.indexes.filter((i) => !matchesIndex(i, op.index.columns, op.index.name));
      return;
    case 'rename_index':
      table.indexes = table.indexes.filter((i) => i.name !== op.to);
      return;
    case 'add_foreign_key':
      table.foreignKeys = table.foreignKeys.filter((fk) => !(fk.to === op.foreignKey.to && (!op.foreignKey.column || !fk.column || fk.column === op.foreignKey.column)));
      return;
    case 'add_check':
      table.checks = table.checks.filter((c) => !(op.check.name ? c.name === op.check.name : c.expression === op.check.expression));
      return;
    case 'validate_check':
      // Validated by a later migration: not yet validated at this one.
      table.checks = table.checks.map((c) => (c.name === op.name ? { ...c, validated: false } : c));
      return;
    default:
      return;
  }
}
