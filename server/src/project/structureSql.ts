// db/structure.sql as data, in db/schema.rb's shape (schema.ts): PostgreSQL pg_dump and MySQL mysqldump output.
// Only the statements Rails dumps are read: CREATE TABLE, CREATE INDEX, ALTER TABLE ... ADD CONSTRAINT / SET DEFAULT
// and the schema_migrations insert. Anything else (functions, triggers, views) is skipped.
import { structureSqlVersion } from './deployedMigrations';
import type { Schema, SchemaColumn, SchemaIndex, SchemaTable } from './schema';

export function readStructureSql(text: string): Schema {
  const schema: Schema = { tables: new Map(), foreignKeys: [], source: 'db/structure.sql' };
  for (const statement of splitStatements(text)) {
    const s = statement.replace(/\s+/g, ' ').trim();
    if (/^CREATE (?:UNLOGGED |TEMPORARY |TEMP )?TABLE /i.test(s)) readCreateTable(schema, s);
    else if (/^CREATE (?:UNIQUE )?INDEX /i.test(s)) readCreateIndex(schema, s);
    else if (/^ALTER TABLE /i.test(s)) readAlterTable(schema, s);
  }
  schema.version = structureSqlVersion(text);
  return schema;
}

/** Statements split on `;`, skipping comments, string literals, quoted names and dollar-quoted function bodies. */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      current += ' ';
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === '\\' && c === "'") { j += 2; continue; }
        if (text[j] === c) { if (text[j + 1] === c) { j += 2; continue; } break; }
        j++;
      }
      current += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i, i + 64));
      if (!tag) { current += c; i++; continue; }
      const end = text.indexOf(tag[0], i + tag[0].length);
      const stop = end < 0 ? text.length : end + tag[0].length;
      current += text.slice(i, stop);
      i = stop;
    } else if (c === ';') {
      if (current.trim()) out.push(current);
      current = '';
      i++;
    } else {
      current += c;
      i++;
    }
  }
  if (current.trim()) out.push(current);
  return out;
}

/** `public.users`, `"users"`, `` `users` `` → users (the schema prefix is dropped). */
function unquoteName(raw: string): string {
  const parts = raw.trim().split('.');
  return parts[parts.length - 1].replace(/^["`]|["`]$/g, '');
}

const NAME = String.raw`(?:(?:"[^"]+"|\`[^\`]+\`|[\w$]+)\.)?(?:"[^"]+"|\`[^\`]+\`|[\w$]+)`;

/** The text inside the parentheses that open at `open`, and the index after the closing one. */
function balanced(s: string, open: number): { inner: string; end: number } | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (quote) { if (c === quote) quote = undefined; continue; }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return { inner: s.slice(open + 1, i), end: i + 1 };
  }
  return undefined;
}

/** Splits on commas outside parentheses and quotes. */
function topLevelItems(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) { if (c === quote) quote = undefined; continue; }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) { out.push(s.slice(start, i).trim()); start = i + 1; }
  }
  const last = s.slice(start).trim();
  if (last) out.push(last);
  return out;
}

function tableOf(schema: Schema, name: string): SchemaTable {
  let t = schema.tables.get(name);
  if (!t) {
    t = { name, primaryKeyType: 'none', columns: new Map(), indexes: [], checks: [] };
    schema.tables.set(name, t);
  }
  return t;
}

function readCreateTable(schema: Schema, s: string): void {
  const m = new RegExp(String.raw`^CREATE (?:UNLOGGED |TEMPORARY |TEMP )?TABLE (?:IF NOT EXISTS )?(${NAME}) ?\(`, 'i').exec(s);
  if (!m) return;
  const body = balanced(s, m[0].length - 1);
  if (!body) return;
  const table = tableOf(schema, unquoteName(m[1]));
  for (const item of topLevelItems(body.inner)) {
    const constraint = /^(?:CONSTRAINT ("[^"]+"|`[^`]+`|\S+) )?(.*)$/i.exec(item)!;
    const rest = constraint[2];
    const key = /^(PRIMARY KEY|UNIQUE(?: KEY| INDEX)?|KEY|INDEX|FULLTEXT(?: KEY| INDEX)?|SPATIAL(?: KEY| INDEX)?)(?: ("[^"]+"|`[^`]+`|[^\s(]+))? ?\(/i.exec(rest);
    if (key) {
      const kind = key[1].toUpperCase();
      if (kind.startsWith('FULLTEXT') || kind.startsWith('SPATIAL')) continue;
      const cols = balanced(rest, key[0].length - 1);
      if (!cols) continue;
      const name = key[2] && !/^USING$/i.test(key[2]) ? unquoteName(key[2]) : constraint[1] ? unquoteName(constraint[1]) : undefined;
      addKey(table, kind === 'PRIMARY KEY' ? 'primary' : kind.startsWith('UNIQUE') ? 'unique' : 'index', name, cols.inner);
    } else if (/^FOREIGN KEY/i.test(rest)) {
      addForeignKey(schema, table.name, constraint[1], rest);
    } else if (/^CHECK ?\(/i.test(rest)) {
      const check = balanced(rest, rest.indexOf('('));
      if (check) table.checks.push({ name: constraint[1] && unquoteName(constraint[1]), expression: check.inner.trim(), validated: true });
    } else if (!constraint[1] && !/^(?:EXCLUDE|LIKE)\b/i.test(rest)) {
      const column = readColumn(rest);
      if (column) table.columns.set(column.name, column);
    }
  }
  const id = table.columns.get('id');
  if (id) table.primaryKeyType = id.type;
}

/** Words after a column's type that end it. */
const COLUMN_OPTION = /^(?:NOT|NULL|DEFAULT|COLLATE|GENERATED|CONSTRAINT|PRIMARY|UNIQUE|REFERENCES|CHECK|AUTO_INCREMENT|COMMENT|CHARACTER SET|ON UPDATE|UNSIGNED|ZEROFILL)\b/i;

function readColumn(item: string): SchemaColumn | undefined {
  const m = /^("[^"]+"|`[^`]+`|[\w$]+) (.*)$/.exec(item);
  if (!m) return undefined;
  const name = unquoteName(m[1]);
  let rest = m[2];
  let rawType = '';
  while (rest && !COLUMN_OPTION.test(rest)) {
    const word = /^(\S+?\(.*?\)(?:\[\])?|\S+) ?/.exec(rest)!;
    rawType += (rawType ? ' ' : '') + word[1];
    rest = rest.slice(word[0].length);
  }
  const options = rest;
  const column: SchemaColumn = {
    name, type: railsType(rawType), null: !/\bNOT NULL\b/i.test(options),
    hasDefault: /\bDEFAULT (?!NULL\b)|\bAUTO_INCREMENT\b|\bGENERATED\b/i.test(options),
  };
  const size = /\((\d+)(?:,\s*(\d+))?\)/.exec(rawType);
  if (size) {
    if (column.type === 'decimal') { column.precision = Number(size[1]); if (size[2]) column.scale = Number(size[2]); }
    else if (column.type === 'string' || column.type === 'binary') column.limit = Number(size[1]);
  }
  return column;
}

/** The schema.rb name of an SQL type (`character varying(255)` → string, `timestamp(6) without time zone` → datetime). */
export function railsType(raw: string): string {
  const t = raw.toLowerCase().replace(/\(.*?\)/g, '').replace(/\s+/g, ' ').trim();
  const base = t.replace(/\[\]$/, '');
  if (/^(character varying|varchar|char|character)$/.test(base)) return 'string';
  if (/^(text|tinytext|mediumtext|longtext|citext)$/.test(base)) return base === 'citext' ? 'citext' : 'text';
  if (base === 'tinyint' && /\(1\)/.test(raw)) return 'boolean';
  if (/^(integer|int|int4|smallint|mediumint|tinyint|serial)$/.test(base)) return 'integer';
  if (/^(bigint|int8|bigserial)$/.test(base)) return 'bigint';
  if (/^(timestamp|timestamp without time zone|datetime)$/.test(base)) return 'datetime';
  if (base === 'timestamp with time zone') return 'timestamptz';
  if (/^(numeric|decimal)$/.test(base)) return 'decimal';
  if (/^(double precision|double|float|real)$/.test(base)) return 'float';
  if (/^(boolean|bool)$/.test(base)) return 'boolean';
  if (/^(bytea|blob|tinyblob|mediumblob|longblob|varbinary|binary)$/.test(base)) return 'binary';
  if (/^(time|time without time zone)$/.test(base)) return 'time';
  return base || 'unknown';
}

/** One index column as written: a plain (possibly quoted) column with an optional opclass/order, or an expression. */
function indexColumn(raw: string): { name: string; expression: boolean } {
  const item = raw.trim();
  const plain = /^("[^"]+"|`[^`]+`|[\w$]+)(?:\(\d+\))?(?: [\w.]+_ops)?(?: (?:ASC|DESC))?(?: NULLS (?:FIRST|LAST))?$/i.exec(item);
  if (plain) return { name: unquoteName(plain[1]), expression: false };
  return { name: item, expression: true };
}

function addKey(table: SchemaTable, kind: 'primary' | 'unique' | 'index', name: string | undefined, inner: string, where?: string): void {
  const cols = topLevelItems(inner).map(indexColumn);
  const columns = cols.map((c) => c.name);
  // schema.rb lists no index for the ordinary `id` primary key; structure.sql reads the same.
  if (kind === 'primary' && columns.length === 1 && columns[0] === 'id') return;
  const index: SchemaIndex = { name, columns, unique: kind !== 'index' };
  if (where) index.where = where;
  if (cols.some((c) => c.expression)) index.expression = true;
  table.indexes.push(index);
}

function readCreateIndex(schema: Schema, s: string): void {
  const m = new RegExp(String.raw`^CREATE (UNIQUE )?INDEX (?:CONCURRENTLY )?(?:IF NOT EXISTS )?(?:(${NAME}) )?ON (?:ONLY )?(${NAME}) (?:USING (\w+) ?)?\(`, 'i').exec(s);
  if (!m) return;
  const cols = balanced(s, m[0].length - 1);
  if (!cols) return;
  const after = s.slice(cols.end);
  const where = /\bWHERE (.*)$/i.exec(after)?.[1].trim();
  const table = schema.tables.get(unquoteName(m[3]));
  if (!table) return;
  addKey(table, m[1] ? 'unique' : 'index', m[2] && unquoteName(m[2]), cols.inner, where && stripOuterParens(where));
}

function stripOuterParens(s: string): string {
  const b = s.startsWith('(') ? balanced(s, 0) : undefined;
  return b && b.end === s.length ? b.inner.trim() : s;
}

function readAlterTable(schema: Schema, s: string): void {
  const m = new RegExp(String.raw`^ALTER TABLE (?:ONLY )?(?:IF EXISTS )?(?:ONLY )?(${NAME}) (.*)$`, 'i').exec(s);
  if (!m) return;
  const tableName = unquoteName(m[1]);
  const table = schema.tables.get(tableName);
  if (!table) return;
  for (const action of topLevelItems(m[2])) {
    const constraint = /^ADD CONSTRAINT (\S+) (PRIMARY KEY|UNIQUE|FOREIGN KEY|CHECK)\b ?(.*)$/i.exec(action);
    if (constraint) {
      const kind = constraint[2].toUpperCase();
      const rest = `${constraint[2]} ${constraint[3]}`;
      if (kind === 'FOREIGN KEY') addForeignKey(schema, tableName, constraint[1], rest);
      else if (kind === 'CHECK') {
        const check = balanced(rest, rest.indexOf('('));
        if (check) table.checks.push({ name: unquoteName(constraint[1]), expression: check.inner.trim(), validated: !/\bNOT VALID\b/i.test(rest.slice(check.end)) });
      } else {
        const open = rest.indexOf('(');
        const cols = open >= 0 ? balanced(rest, open) : undefined;
        if (cols) addKey(table, kind === 'UNIQUE' ? 'unique' : 'primary', unquoteName(constraint[1]), cols.inner);
      }
      continue;
    }
    const setDefault = /^ALTER (?:COLUMN )?(\S+) SET DEFAULT\b/i.exec(action);
    const column = setDefault && table.columns.get(unquoteName(setDefault[1]));
    if (column) column.hasDefault = true;
  }
}

function addForeignKey(schema: Schema, from: string, name: string | undefined, rest: string): void {
  const m = new RegExp(String.raw`^FOREIGN KEY ?\(([^)]*)\) REFERENCES (${NAME}) ?\(`, 'i').exec(rest);
  if (!m) return;
  const columns = topLevelItems(m[1]).map((c) => unquoteName(c));
  schema.foreignKeys.push({
    from, to: unquoteName(m[2]), column: columns.length === 1 ? columns[0] : undefined,
    name: name && unquoteName(name), validated: !/\bNOT VALID\b/i.test(rest),
  });
}
