// Reads the schema-changing operations of one migration file (its `change`/`up` side) into the plain
// summaries the history model replays. Reuses the migration model's walk of the DSL calls.
import type { Node } from '../parsing/treeSitter';
import { isFalse, literalName, literalNames } from '../parsing/ruby';
import { pluralize, singularize } from '../models/inflector';
import type { SchemaColumn, SchemaIndex } from '../project/schema';
import { addedColumns, joinTableName, sqlOf, type MigrationModel, type MigrationOp } from './model';
import { compatVersion, isDslCall, truthy } from './ruleHelpers';
import { ANY_TABLE, defaultIndexName, type HistoryOp } from './history';

/** App helpers with well-known schema effects (GitLab/Mastodon style); only their schema effect is replayed. */
const HELPER_ALIASES: Record<string, string> = {
  add_concurrent_index: 'add_index', remove_concurrent_index: 'remove_index', add_concurrent_foreign_key: 'add_foreign_key',
};

/** Rails' schema statements the replay reads; any of them it cannot read makes its table unknown. */
const SCHEMA_METHODS = new Set([
  'create_table', 'drop_table', 'rename_table', 'add_column', 'add_timestamps', 'add_reference', 'add_belongs_to', 'remove_column',
  'remove_columns', 'remove_timestamps', 'remove_reference', 'remove_belongs_to', 'rename_column', 'change_column',
  'change_column_null', 'add_index', 'remove_index', 'rename_index', 'add_foreign_key', 'remove_foreign_key',
  'add_check_constraint', 'remove_check_constraint', 'create_join_table', 'drop_join_table',
]);
/** App helper names that change the schema: a verb and the object it changes (not `index(name)`, `update_timestamps(doc)`). */
const SCHEMA_HELPER = /^(?:(?:add|remove|drop|rename|change|create|replace|swap|cleanup|copy|convert|restore)_\w*(?:column|index|foreign_key|constraint|table|reference)|update_\w*(?:column|index|constraint))/;
/** Schema statements that change nothing the history keeps. */
const NEUTRAL_METHODS = new Set(['change_column_default', 'change_column_comment', 'change_table_comment', 'change_table', 'create_table']);

export function historyOpsOf(model: MigrationModel): HistoryOp[] {
  const out: HistoryOp[] = [];
  const compat = new Map<unknown, { legacyKeys: boolean; legacyReferences: boolean }>();
  const constants = new Map<unknown, Map<string, string>>();
  for (const original of model.ops) {
    if (original.phase !== 'up' || !isDslCall(original)) continue;
    let names = constants.get(original.klass);
    if (!names) constants.set(original.klass, names = classConstants(original.klass.node));
    const op = original.table ? original : { ...original, table: constantTable(original, names) };
    let c = compat.get(op.klass);
    if (!c) {
      const v = compatVersion(op.klass);
      const n = v ? Number(v) : Infinity;
      compat.set(op.klass, c = { legacyKeys: n < 5.1, legacyReferences: n < 5.0 });
    }
    let ops: HistoryOp[];
    try {
      ops = opsOf(op, c.legacyKeys, c.legacyReferences);
    } catch {
      ops = [];
    }
    if (ops.length === 0) ops = unreadable(op);
    out.push(...ops);
  }
  return out;
}

/** `TABLE = :accounts` in the migration class: names a computed-looking first argument. */
function classConstants(klass: Node): Map<string, string> {
  const out = new Map<string, string>();
  const body = klass.childForFieldName('body') ?? klass.namedChildren.find((c) => c?.type === 'body_statement');
  for (const stmt of body?.namedChildren ?? []) {
    if (stmt?.type !== 'assignment') continue;
    const left = stmt.childForFieldName('left');
    const value = literalName(stmt.childForFieldName('right'));
    if (left?.type === 'constant' && value) out.set(left.text, value);
  }
  return out;
}

function constantTable(op: MigrationOp, names: Map<string, string>): string | undefined {
  if (!names.size) return undefined;
  const first = (op.changeTable ?? op.createTable ?? op.call).args[0];
  return first?.type === 'constant' ? names.get(first.text) : undefined;
}

/** A schema change the replay could not read: its table (or every table) becomes unknown. */
function unreadable(op: MigrationOp): HistoryOp[] {
  const method = HELPER_ALIASES[op.method] ?? op.method;
  const first = op.changeTable || op.createTable ? undefined : op.call.args[0];
  if (SCHEMA_METHODS.has(method)) {
    // Adding columns to some table changes nothing already known; indexes and constraints only those.
    if (!op.table && (method === 'add_column' || method === 'add_timestamps')) return [];
    const part = /index/.test(method) ? 'indexes' : /foreign_key|check_constraint/.test(method) ? 'constraints' : undefined;
    return [{ kind: 'unknown_change', table: op.table ?? ANY_TABLE, ...(part ? { part } : {}) }];
  }
  if (method === 'execute') {
    const sql = sqlOf(op.call) ?? '';
    const altered = /(?:ALTER|DROP|TRUNCATE)\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?("?[\w.]+"?|#\{)/i.exec(sql)?.[1]
      ?? /INDEX[^;]*?ON\s+(?:ONLY\s+)?("?[\w.]+"?|#\{)/i.exec(sql)?.[1];
    if (!altered) return [];
    return [{ kind: 'unknown_change', table: altered === '#{' ? ANY_TABLE : altered.replace(/"/g, '').replace(/^\w+\./, '') }];
  }
  // An app helper that takes a table first and names a schema object (change_column_type_concurrently,
  // add_column_with_default, rename_column_concurrently...): what it did is not replayed.
  if (op.changeTable || op.createTable || op.call.receiver || NEUTRAL_METHODS.has(method) || /[?]$|^validate_/.test(method)) return [];
  if (!SCHEMA_HELPER.test(method)) return [];
  const table = literalName(first);
  // A helper called with a computed table name (`tables.each { |t| change_column_type_concurrently t, ... }`).
  if (!table) return first && first.type !== 'hash' ? [{ kind: 'unknown_change', table: ANY_TABLE }] : [];
  const column = literalName(op.call.args[1]);
  if (/column/.test(method) && column && !/columns|table/.test(method)) return [{ kind: 'unknown_change', table, part: 'column', column }];
  if (/index/.test(method) && !/column|table|reference/.test(method)) return [{ kind: 'unknown_change', table, part: 'indexes' }];
  if (/foreign_key|constraint/.test(method) && !/column|table|reference/.test(method)) return [{ kind: 'unknown_change', table, part: 'constraints' }];
  return [{ kind: 'unknown_change', table }];
}

function opsOf(op: MigrationOp, legacyKeys: boolean, legacyReferences: boolean): HistoryOp[] {
  const call = op.call;
  const inTable = !!(op.changeTable || op.createTable);
  const rest = inTable ? call.args : call.args.slice(1);
  const table = op.table;
  const method = HELPER_ALIASES[op.method] ?? op.method;
  if (method === 'execute') return sqlOps(sqlOf(call));
  if (method === 'create_join_table') {
    const name = joinTableName(call);
    const a = literalName(call.args[0]);
    const b = literalName(call.args[1]);
    if (!name || !a || !b) return [];
    const type = legacyKeys ? 'integer' : 'bigint';
    return [
      { kind: 'create_table', table: name, primaryKeyType: 'none' },
      ...[a, b].map((x): HistoryOp => ({ kind: 'add_column', table: name, column: { name: `${singularize(x)}_id`, type, null: false, hasDefault: false } })),
    ];
  }
  if (method === 'drop_join_table') {
    const name = joinTableName(call);
    return name ? [{ kind: 'drop_table', table: name }] : [];
  }
  if (!table) return [];
  switch (method) {
    case 'create_table': {
      const id = call.keywords.get('id');
      const primaryKeyType = !id ? (legacyKeys ? 'integer' : 'bigint') : isFalse(id) ? 'none' : literalName(id) ?? 'unknown';
      return [{ kind: 'create_table', table, primaryKey: literalName(call.keywords.get('primary_key')), primaryKeyType }];
    }
    case 'drop_table':
      return names(call.args).map((t): HistoryOp => ({ kind: 'drop_table', table: t }));
    case 'rename_table': {
      const to = literalName(call.args[1]);
      return to ? [{ kind: 'rename_table', table, to }] : [];
    }
    case 'add_column':
    case 'add_timestamps':
      return addedColumns(op).map((name): HistoryOp => ({ kind: 'add_column', table, column: columnOf(op, name, legacyReferences) }));
    case 'add_reference':
    case 'add_belongs_to':
      return referenceOps(op, table, rest, legacyKeys, legacyReferences);
    case 'remove_column':
    case 'remove_columns':
      return names(method === 'remove_column' ? rest.slice(0, 1) : rest).map((c): HistoryOp => ({ kind: 'remove_column', table, column: c }));
    case 'remove_timestamps':
      return ['created_at', 'updated_at'].map((c): HistoryOp => ({ kind: 'remove_column', table, column: c }));
    case 'remove_reference':
    case 'remove_belongs_to':
      return names(rest).flatMap((r): HistoryOp[] => [
        { kind: 'remove_column', table, column: `${r}_id` },
        ...(truthy(call.keywords.get('polymorphic')) ? [{ kind: 'remove_column', table, column: `${r}_type` } as HistoryOp] : []),
      ]);
    case 'rename_column': {
      const [from, to] = [literalName(rest[0]), literalName(rest[1])];
      return from && to ? [{ kind: 'rename_column', table, column: from, to }] : [];
    }
    case 'change_column': {
      const [column, type] = [literalName(rest[0]), literalName(rest[1])];
      const nullable = call.keywords.get('null');
      return column && type ? [{ kind: 'change_column', table, column, type, null: nullable ? !isFalse(nullable) : undefined, ...sizeOptions(call.keywords) }] : [];
    }
    case 'change_column_null': {
      const column = literalName(rest[0]);
      const value = rest[1];
      return column && value && (value.type === 'true' || value.type === 'false') ? [{ kind: 'change_column_null', table, column, null: value.type === 'true' }] : [];
    }
    case 'add_index': {
      const columns = literalNames(rest[0]);
      return columns ? [{ kind: 'add_index', table, index: indexOf(table, columns, call.keywords) }] : [];
    }
    case 'remove_index': {
      const name = literalName(call.keywords.get('name'));
      const columns = literalNames(call.keywords.get('column')) ?? (rest[0] && rest[0].type !== 'hash' ? literalNames(rest[0]) : undefined);
      return name || columns ? [{ kind: 'remove_index', table, name, columns }] : [];
    }
    case 'rename_index': {
      const [from, to] = [literalName(rest[0]), literalName(rest[1])];
      return from && to ? [{ kind: 'rename_index', table, name: from, to }] : [];
    }
    case 'add_foreign_key': {
      const to = literalName(rest[0]);
      if (!to) return [];
      const column = literalName(call.keywords.get('column')) ?? `${singularize(to)}_id`;
      return [{ kind: 'add_foreign_key', table, foreignKey: { to, column, name: literalName(call.keywords.get('name')) } }];
    }
    case 'remove_foreign_key': {
      const to = literalName(rest[0]) ?? literalName(call.keywords.get('to_table'));
      const column = literalName(call.keywords.get('column'));
      const name = literalName(call.keywords.get('name'));
      return to || column || name ? [{ kind: 'remove_foreign_key', table, to, column, name }] : [];
    }
    case 'add_check_constraint': {
      const expression = literalName(rest[0]);
      if (expression === undefined) return [];
      return [{ kind: 'add_check', table, check: { expression, name: literalName(call.keywords.get('name')), validated: !isFalse(call.keywords.get('validate')) } }];
    }
    case 'validate_check_constraint': {
      const name = literalName(call.keywords.get('name'));
      return name ? [{ kind: 'validate_check', table, name }] : [];
    }
    case 'remove_check_constraint': {
      const name = literalName(call.keywords.get('name'));
      const expression = literalName(rest[0]);
      return name || expression ? [{ kind: 'remove_check', table, name, expression }] : [];
    }
    default:
      return [];
  }
}

function names(nodes: Node[]): string[] {
  return nodes.map((n) => literalName(n)).filter((n): n is string => !!n);
}

function columnOf(op: MigrationOp, name: string, legacy: boolean): SchemaColumn {
  const call = op.call;
  if (op.method === 'add_timestamps') {
    // Rails 5.0 made timestamps NOT NULL by default; older compat classes left them nullable.
    const given = call.keywords.get('null');
    return { name, type: 'datetime', null: given ? !isFalse(given) : legacy, hasDefault: false };
  }
  const inTable = !!(op.changeTable || op.createTable);
  const type = op.columnType ?? literalName(inTable ? call.args[1] : call.args[2]) ?? 'unknown';
  return { name, type, null: !isFalse(call.keywords.get('null')), hasDefault: call.keywords.has('default'), ...sizeOptions(call.keywords) };
}

function sizeOptions(keywords: Map<string, Node>): { limit?: number; precision?: number; scale?: number } {
  const out: { limit?: number; precision?: number; scale?: number } = {};
  for (const key of ['limit', 'precision', 'scale'] as const) {
    const node = keywords.get(key);
    if (node?.type === 'integer') out[key] = Number(node.text.replace(/_/g, ''));
  }
  return out;
}

function referenceOps(op: MigrationOp, table: string, refs: Node[], legacyKeys: boolean, legacyReferences: boolean): HistoryOp[] {
  const call = op.call;
  const out: HistoryOp[] = [];
  const type = literalName(call.keywords.get('type')) ?? (legacyKeys ? 'integer' : 'bigint');
  const polymorphic = truthy(call.keywords.get('polymorphic'));
  const indexOption = call.keywords.get('index');
  // Rails 5.0 made `index: true` the default of references; a bare ActiveRecord::Migration is older.
  const indexed = indexOption ? truthy(indexOption) : !legacyReferences;
  const fk = call.keywords.get('foreign_key');
  const nullable = !isFalse(call.keywords.get('null'));
  for (const ref of names(refs)) {
    const column = `${ref}_id`;
    out.push({ kind: 'add_column', table, column: { name: column, type, null: nullable, hasDefault: false } });
    if (polymorphic) out.push({ kind: 'add_column', table, column: { name: `${ref}_type`, type: 'string', null: nullable, hasDefault: false } });
    if (indexed) {
      const columns = polymorphic ? [`${ref}_type`, column] : [column];
      out.push({ kind: 'add_index', table, index: indexOf(table, columns, indexOption?.type === 'hash' ? hashKeywords(indexOption) : new Map()) });
    }
    if (truthy(fk) && !polymorphic) {
      const explicit = fk?.type === 'hash' ? /to_table:\s*[:"']?(\w+)/.exec(fk.text)?.[1] : undefined;
      out.push({ kind: 'add_foreign_key', table, foreignKey: { to: explicit ?? pluralize(ref), column } });
    }
  }
  return out;
}

function indexOf(table: string, columns: string[], keywords: Map<string, Node>): SchemaIndex {
  return {
    columns, unique: truthy(keywords.get('unique')), name: literalName(keywords.get('name')) ?? defaultIndexName(table, columns),
    where: literalName(keywords.get('where')),
  };
}

function hashKeywords(hash: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const pair of hash.namedChildren) {
    if (pair?.type !== 'pair') continue;
    const key = pair.childForFieldName('key');
    const value = pair.childForFieldName('value');
    const name = key?.type === 'hash_key_symbol' ? key.text : literalName(key);
    if (name && value) out.set(name, value);
  }
  return out;
}

const IDENT = String.raw`"?(\w+)"?`;
const QUALIFIED = String.raw`(?:"?\w+"?\.)?${IDENT}`;

/** The few raw SQL statements whose schema effect is plain: column type changes, indexes, foreign keys, drops, renames. */
export function sqlOps(sql: string | undefined): HistoryOp[] {
  if (!sql || sql.includes('#{')) return [];
  const out: HistoryOp[] = [];
  for (const statement of sql.replace(/--[^\n]*/g, '').split(';')) {
    const s = statement.trim();
    let m = new RegExp(String.raw`^ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?${QUALIFIED}\s+([\s\S]*)$`, 'i').exec(s);
    if (m) {
      const table = m[1];
      const body = m[2];
      const rename = new RegExp(String.raw`^RENAME\s+TO\s+${IDENT}`, 'i').exec(body);
      if (rename) { out.push({ kind: 'rename_table', table, to: rename[1] }); continue; }
      const renameColumn = new RegExp(String.raw`^RENAME\s+(?:COLUMN\s+)?${IDENT}\s+TO\s+${IDENT}`, 'i').exec(body);
      if (renameColumn) { out.push({ kind: 'rename_column', table, column: renameColumn[1], to: renameColumn[2] }); continue; }
      const before = out.length;
      for (const c of body.matchAll(new RegExp(String.raw`ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?!(?:CONSTRAINT|PRIMARY|UNIQUE|FOREIGN|CHECK|EXCLUDE)\b)${IDENT}\s+(\w+)`, 'gi'))) {
        out.push({ kind: 'add_column', table, column: { name: c[1], type: sqlType(c[2]), null: !/NOT\s+NULL/i.test(body), hasDefault: /DEFAULT/i.test(body) } });
      }
      for (const c of body.matchAll(new RegExp(String.raw`DROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?(?!(?:CONSTRAINT|NOT|DEFAULT|EXPRESSION|IDENTITY)\b)${IDENT}`, 'gi'))) {
        out.push({ kind: 'remove_column', table, column: c[1] });
      }
      for (const c of body.matchAll(new RegExp(String.raw`ALTER\s+(?:COLUMN\s+)?${IDENT}\s+(SET|DROP)\s+NOT\s+NULL`, 'gi'))) {
        out.push({ kind: 'change_column_null', table, column: c[1], null: c[2].toUpperCase() === 'DROP' });
      }
      for (const c of body.matchAll(new RegExp(String.raw`ALTER\s+(?:COLUMN\s+)?${IDENT}\s+(?:SET\s+DATA\s+)?TYPE\s+(\w+)`, 'gi'))) {
        out.push({ kind: 'change_column', table, column: c[1], type: sqlType(c[2]) });
      }
      for (const c of body.matchAll(new RegExp(String.raw`ADD\s+CONSTRAINT\s+${IDENT}\s+FOREIGN\s+KEY\s*\(\s*${IDENT}\s*\)\s*REFERENCES\s+${QUALIFIED}`, 'gi'))) {
        out.push({ kind: 'add_foreign_key', table, foreignKey: { name: c[1], column: c[2], to: c[3] } });
      }
      for (const c of body.matchAll(new RegExp(String.raw`DROP\s+CONSTRAINT\s+(?:IF\s+EXISTS\s+)?${IDENT}`, 'gi'))) {
        out.push({ kind: 'remove_foreign_key', table, name: c[1] }, { kind: 'remove_check', table, name: c[1] });
      }
      for (const c of body.matchAll(new RegExp(String.raw`ADD\s+CONSTRAINT\s+${IDENT}\s+CHECK\s*\(([\s\S]*)\)`, 'gi'))) {
        out.push({ kind: 'add_check', table, check: { name: c[1], expression: c[2].replace(/\)\s*NOT\s+VALID\s*$/i, ''), validated: !/NOT\s+VALID/i.test(c[0]) } });
      }
      const neutral = /^(VALIDATE\s+CONSTRAINT|ALTER\s+(COLUMN\s+)?"?\w+"?\s+(SET|DROP)\s+(DEFAULT|STATISTICS)|SET\s*\(|RESET\s*\(|OWNER\s+TO|REPLICA\s+IDENTITY|(ENABLE|DISABLE)\s+TRIGGER)/i.test(body);
      if (out.length === before && !neutral) out.push({ kind: 'unknown_change', table });
      continue;
    }
    m = new RegExp(String.raw`^CREATE\s+(UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?${IDENT}\s+ON\s+(?:ONLY\s+)?${QUALIFIED}\s*(?:USING\s+\w+\s*)?\(([^)]*)\)`, 'i').exec(s);
    if (m) {
      const columns = m[4].split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
      out.push({ kind: 'add_index', table: m[3], index: { name: m[2], columns, unique: !!m[1] } });
      continue;
    }
    m = new RegExp(String.raw`^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?${QUALIFIED}`, 'i').exec(s);
    if (m) out.push({ kind: 'drop_table', table: m[1] });
  }
  return out;
}

function sqlType(t: string): string {
  const x = t.toLowerCase();
  return x === 'int8' ? 'bigint' : x === 'int' || x === 'int4' ? 'integer' : x === 'int2' ? 'smallint' : x;
}
