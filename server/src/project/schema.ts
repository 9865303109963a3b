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
  const visit = (node: Node): void => {
    for (const stmt of bodyStatements(node)) {
      const call = readCall(stmt);
      if (!call) continue;
      if (call.name === 'define' && call.block) {
        schema.version = literalName(call.keywords.get('version')) ?? call.keywords.get('version')?.text.replace(/_/g, '');
        visit(call.block);
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
        const t = schema.tables.get(literalName(call.args[0]) ?? '');
        const columns = literalNames(call.args[1]);
        if (t && columns) {
          const where = literalName(call.keywords.get('where'));
          t.indexes.push(withExpressionFlag({
            columns, unique: call.keywords.get('unique')?.type === 'true', name: literalName(call.keywords.get('name')),
            ...(where !== undefined ? { where } : {}),
          }));
        }
      }
    }
  };
  visit(tree.rootNode);
  return schema;
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
