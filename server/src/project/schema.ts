// db/schema.rb as data: tables, columns (type, null, default), indexes, foreign keys, check constraints.
// db/structure.sql is read into the same shape by structureSql.ts.
import type { Node, Tree } from '../parsing/treeSitter';
import { blockParam, bodyStatements, isFalse, literalName, literalNames, readCall } from '../parsing/ruby';

export interface SchemaColumn {
  name: string; type: string; null: boolean; hasDefault: boolean;
  /** `limit:`, `precision:`, `scale:` when schema.rb gives them (numbers only). */
  limit?: number; precision?: number; scale?: number;
}
export interface SchemaIndex {
  name?: string;
  /** Column names; an expression (`lower((email)::text)`) is kept as written and sets `expression`. */
  columns: string[];
  unique: boolean;
  /** A partial index's condition, as written. */
  where?: string;
  expression?: boolean;
}
export interface SchemaCheck { name?: string; expression: string; validated: boolean }
export interface SchemaTable {
  name: string;
  /** `id:` of create_table: "bigint" unless the schema says otherwise, "none" for `id: false`. */
  primaryKeyType: string;
  columns: Map<string, SchemaColumn>;
  indexes: SchemaIndex[];
  checks: SchemaCheck[];
}
export interface SchemaForeignKey { from: string; to: string; column?: string; name?: string; validated: boolean }
export interface Schema {
  version?: string; tables: Map<string, SchemaTable>; foreignKeys: SchemaForeignKey[];
  /** The file it was read from, relative to the app root (db/schema.rb, db/structure.sql, db/cache_schema.rb). */
  source?: string;
}

export function readSchema(tree: Tree): Schema {
  const schema: Schema = { tables: new Map(), foreignKeys: [], source: 'db/schema.rb' };
  readStatements(tree.rootNode, schema, (name, index) => schema.tables.get(name)?.indexes.push(index));
  return schema;
}

/** The top-level statements of schema.rb (and those of its `define` block); `addIndex` places a top-level add_index. */
function readStatements(node: Node, schema: Schema, addIndex: (table: string, index: SchemaIndex) => void): void {
  for (const stmt of bodyStatements(node)) {
    const call = readCall(stmt);
    if (!call) continue;
    if (call.name === 'define' && call.block) {
      schema.version = literalName(call.keywords.get('version')) ?? call.keywords.get('version')?.text.replace(/_/g, '');
      readStatements(call.block, schema, addIndex);
    } else if (call.name === 'create_table') {
      const table = readTable(call.args[0], call.keywords, call.block);
      if (table) schema.tables.set(table.name, table);
    } else if (call.name === 'add_foreign_key') {
      const from = literalName(call.args[0]);
      const to = literalName(call.args[1]);
      if (from && to) {
        schema.foreignKeys.push({
          from, to, column: literalName(call.keywords.get('column')), name: literalName(call.keywords.get('name')),
          validated: !isFalse(call.keywords.get('validate')),
        });
      }
    } else if (call.name === 'add_index') {
      const table = literalName(call.args[0]);
      const columns = literalNames(call.args[1]);
      if (table && columns) {
        const where = literalName(call.keywords.get('where'));
        addIndex(table, withExpressionFlag({
          columns, unique: call.keywords.get('unique')?.type === 'true', name: literalName(call.keywords.get('name')),
          ...(where !== undefined ? { where } : {}),
        }));
      }
    }
  }
}

const CREATE_TABLE = /^ {2}create_table\s+(?:"([^"\\]+)"|'([^'\\]+)'|:([A-Za-z_]\w*))(?![\w"']).*\bdo\s*\|\s*\w+\s*\|\s*$/;
const BLOCK_END = /^ {2}end\s*$/;
/** A line inside a generated create_table block: blank, or indented deeper than the block. */
const INSIDE_BLOCK = /^(\s*$| {4})/;

/**
 * db/schema.rb as Rails generates it, read table by table: each two-space `create_table "x" … do |t|` … `end` block
 * is parsed when its table is first asked for, the rest (version, foreign keys, top-level add_index) at once. A
 * migration's first analysis needs a table or two, not a 600 KB parse. `whenComplete` gets the plain schema once
 * every table has been read. Undefined when the file is not in the generated layout (read it whole instead).
 */
export function readSchemaByTable(text: string, parse: (ruby: string) => Tree, whenComplete?: (schema: Schema) => void): Schema | undefined {
  const lines = text.split('\n');
  const blocks = new Map<string, string>();
  for (let i = 0; i < lines.length; i++) {
    const start = CREATE_TABLE.exec(lines[i]);
    if (!start) {
      if (/^\s*create_table\b/.test(lines[i])) return undefined;
      continue;
    }
    const name = start[1] ?? start[2] ?? start[3];
    let end = i + 1;
    while (end < lines.length && !BLOCK_END.test(lines[end])) {
      if (!INSIDE_BLOCK.test(lines[end])) return undefined;
      end++;
    }
    if (end >= lines.length || blocks.has(name)) return undefined;
    blocks.set(name, lines.slice(i, end + 1).join('\n'));
    for (let k = i; k <= end; k++) lines[k] = '';
    i = end;
  }
  const schema: Schema = { tables: new Map(), foreignKeys: [], source: 'db/schema.rb' };
  const pending = new Map<string, SchemaIndex[]>();
  const rest = parse(lines.join('\n'));
  try {
    readStatements(rest.rootNode, schema, (table, index) => {
      const known = schema.tables.get(table);
      if (known) known.indexes.push(index);
      else if (blocks.has(table)) pending.set(table, [...(pending.get(table) ?? []), index]);
    });
  } finally { rest.delete(); }
  const readBlock = (name: string): SchemaTable | undefined => {
    let tree: Tree;
    try { tree = parse(blocks.get(name)!); } catch { return undefined; }
    try {
      const call = readCall(bodyStatements(tree.rootNode)[0]);
      const table = call && call.name === 'create_table' ? readTable(call.args[0], call.keywords, call.block) : undefined;
      if (table) table.indexes.push(...(pending.get(name) ?? []));
      return table;
    } finally { tree.delete(); }
  };
  const eager = schema.tables;
  schema.tables = new TablesReadOnDemand([...blocks.keys()], readBlock, eager, whenComplete && ((tables) => whenComplete({ ...schema, tables })));
  return schema;
}

/**
 * The tables of a schema read one at a time: `get`/`has` read only the table asked for; anything that walks every
 * table (iteration, size) or changes the map reads them all first. Iteration keeps the schema's order.
 */
class TablesReadOnDemand extends Map<string, SchemaTable> {
  private readonly order: string[];
  private readonly inOrder: Set<string>;
  private readonly unread: Set<string>;

  constructor(names: string[], private readonly read: (name: string) => SchemaTable | undefined, eager: Map<string, SchemaTable>,
    private readonly whenComplete?: (tables: Map<string, SchemaTable>) => void) {
    super();
    this.unread = new Set(names);
    this.order = [...names, ...[...eager.keys()].filter((n) => !this.unread.has(n))];
    this.inOrder = new Set(this.order);
    for (const [name, table] of eager) super.set(name, table);
    if (this.unread.size === 0) this.complete();
  }

  private readOne(name: string): void {
    if (!this.unread.delete(name)) return;
    const table = this.read(name);
    if (table) super.set(name, table);
    if (this.unread.size === 0) this.complete();
  }

  private readAll(): void {
    for (const name of [...this.unread]) this.readOne(name);
  }

  private complete(): void {
    this.whenComplete?.(new Map(this.ordered()));
  }

  private *ordered(): IterableIterator<[string, SchemaTable]> {
    for (const name of this.order) {
      const table = super.get(name);
      if (table) yield [name, table];
    }
    for (const [name, table] of super.entries()) if (!this.inOrder.has(name)) yield [name, table];
  }

  override get(name: string): SchemaTable | undefined { this.readOne(name); return super.get(name); }
  override has(name: string): boolean { this.readOne(name); return super.has(name); }
  override get size(): number { this.readAll(); return super.size; }
  override set(name: string, table: SchemaTable): this { this.readAll(); return super.set(name, table); }
  override delete(name: string): boolean { this.readAll(); return super.delete(name); }
  override clear(): void { this.readAll(); super.clear(); }
  override forEach(fn: (value: SchemaTable, key: string, map: Map<string, SchemaTable>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
  override entries(): IterableIterator<[string, SchemaTable]> { this.readAll(); return this.ordered(); }
  override keys(): IterableIterator<string> { return [...this.entries()].map(([k]) => k)[Symbol.iterator](); }
  override values(): IterableIterator<SchemaTable> { return [...this.entries()].map(([, v]) => v)[Symbol.iterator](); }
  override [Symbol.iterator](): IterableIterator<[string, SchemaTable]> { return this.entries(); }
}

function readTable(nameNode: Node | undefined, options: Map<string, Node>, block: Node | null): SchemaTable | undefined {
  const name = literalName(nameNode);
  if (!name) return undefined;
  const id = options.get('id');
  const table: SchemaTable = {
    name,
    primaryKeyType: !id ? 'bigint' : isFalse(id) ? 'none' : literalName(id) ?? id.text,
    columns: new Map(), indexes: [], checks: [],
  };
  if (id === undefined || !isFalse(id)) {
    table.columns.set('id', { name: 'id', type: table.primaryKeyType, null: false, hasDefault: true });
  }
  const t = blockParam(block);
  for (const stmt of bodyStatements(block)) {
    const call = readCall(stmt);
    if (!call || call.receiver?.text !== t) continue;
    if (call.name === 'index') {
      const columns = literalNames(call.args[0]) ?? [];
      table.indexes.push(withExpressionFlag({
        columns, unique: call.keywords.get('unique')?.type === 'true', name: literalName(call.keywords.get('name')),
        where: literalName(call.keywords.get('where')),
      }));
    } else if (call.name === 'check_constraint') {
      table.checks.push({
        expression: literalName(call.args[0]) ?? '', name: literalName(call.keywords.get('name')),
        validated: !isFalse(call.keywords.get('validate')),
      });
    } else if (call.name === 'timestamps') {
      for (const c of ['created_at', 'updated_at']) table.columns.set(c, { name: c, type: 'datetime', null: false, hasDefault: false });
    } else {
      const type = call.name === 'column' ? literalName(call.args[1]) ?? 'unknown' : call.name;
      for (const colNode of call.name === 'column' ? call.args.slice(0, 1) : call.args) {
        const col = literalName(colNode);
        if (!col) continue;
        table.columns.set(col, {
          name: col, type, null: !isFalse(call.keywords.get('null')), hasDefault: call.keywords.has('default'),
          limit: numberOption(call.keywords.get('limit')), precision: numberOption(call.keywords.get('precision')),
          scale: numberOption(call.keywords.get('scale')),
        });
      }
    }
  }
  return table;
}

function numberOption(node: Node | undefined): number | undefined {
  return node?.type === 'integer' ? Number(node.text.replace(/_/g, '')) : undefined;
}

/** `t.index "lower((email)::text)"`: schema.rb writes an expression index as one string "column". */
function withExpressionFlag(index: SchemaIndex): SchemaIndex {
  if (index.columns.some((c) => !/^[\w$]+$/.test(c))) index.expression = true;
  return index;
}
