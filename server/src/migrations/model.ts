// The migration model of shared research §1: which statements run on migrate, in which order, under
// which escape hatches, against tables created earlier in the same migration. Built once per parse
// and shared by every migration rule (ctx.derive).
import * as path from 'node:path';
import type { Node, Tree } from '../parsing/treeSitter';
import { blockParam, bodyStatements, constantText, literalName, readCall, type CallInfo } from '../parsing/ruby';
import type { HelperResolution, HelperScope } from './appHelpers';

export interface MigrationClass {
  node: Node;
  name: string;
  superclass: string;
  /** `[7.1]` of `ActiveRecord::Migration[7.1]`; undefined for a bare `ActiveRecord::Migration` or a project base class. */
  compatVersion?: string;
  disableDdlTransaction: boolean;
  /** Modules the class body includes or prepends (`include Mastodon::MigrationHelpers`). */
  includes: string[];
}

export type Phase = 'up' | 'down';

export interface MigrationOp {
  call: CallInfo;
  /** DSL method after mapping `t.<x>` in change_table/create_table to its top-level form (`t.index` → add_index). */
  method: string;
  /** The column type when `t.string :x` was mapped to add_column. */
  columnType?: string;
  /** Normalized table name: the first argument, or the change_table/create_table table. */
  table?: string;
  /** Set when the call is `t.<x>` inside `change_table`. */
  changeTable?: CallInfo;
  /** Set when the call is `t.<x>` inside `create_table` (part of a new table). */
  createTable?: CallInfo;
  /** The call goes through `connection.` / `ActiveRecord::Base.connection.` (bypasses strong_migrations). */
  viaConnection: boolean;
  phase: Phase;
  safetyAssured: boolean;
  klass: MigrationClass;
  order: number;
  /**
   * The call resolves to a method the app defines (judged by its body, never by Rails' semantics), or
   * the class includes a module the app does not define (a gem) that may define it: rules stay silent.
   */
  helper?: HelperResolution;
}

export interface MigrationModel {
  /** 14-digit version from the file name, if any. */
  version?: string;
  classes: MigrationClass[];
  ops: MigrationOp[];
  /** Table created by create_table/create_join_table earlier than `op` in the same class. */
  createdBefore(table: string | undefined, op: MigrationOp): boolean;
  /**
   * Column added earlier in the same class (add_column, t.<type> in change_table, add_timestamps,
   * add_reference's `<name>_id`), or part of a table created earlier (research §1 item 4).
   */
  columnAddedBefore(table: string | undefined, column: string | undefined, op: MigrationOp): boolean;
  /**
   * The earlier statement of the same DDL transaction whose SHARE / SHARE ROW EXCLUSIVE / ACCESS
   * EXCLUSIVE lock on an existing table is still held when `op` runs (undefined when none, or when the
   * class has `disable_ddl_transaction!`). Used by validate_in_locking_transaction.
   */
  lockHeldBefore(op: MigrationOp): MigrationOp | undefined;
}

/** Statements that lock an existing table until COMMIT when they run inside the DDL transaction. */
const LOCKING_METHODS = new Set([
  'add_index', 'remove_index', 'add_column', 'add_columns', 'remove_column', 'remove_columns', 'rename_column', 'rename_table',
  'change_column', 'change_column_null', 'change_column_default', 'add_reference', 'add_belongs_to', 'remove_reference',
  'remove_belongs_to', 'add_timestamps', 'remove_timestamps', 'add_foreign_key', 'remove_foreign_key', 'add_check_constraint',
  'remove_check_constraint', 'add_unique_constraint', 'add_exclusion_constraint', 'drop_table', 'drop_join_table',
]);

const LOCKING_SQL = /\b(ALTER\s+TABLE|CREATE\s+(UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY)|DROP\s+INDEX\s+(?!CONCURRENTLY)|LOCK\s+(TABLE\s+)?\w|DROP\s+TABLE|TRUNCATE)/i;

/**
 * The SQL text of `execute "…"` / `execute <<~SQL … SQL` (heredoc bodies are siblings of the statement
 * in tree-sitter-ruby, so they are found by walking up), or undefined when there is no first argument.
 */
export function sqlOf(call: CallInfo): string | undefined {
  const first = call.args[0];
  if (!first) return undefined;
  const hasHeredoc = first.type === 'heredoc_beginning' || first.descendantsOfType('heredoc_beginning').length > 0;
  if (!hasHeredoc) return first.text;
  for (let a: Node | null = call.node; a; a = a.parent) {
    for (let sib = a.nextNamedSibling; sib; sib = sib.nextNamedSibling) {
      if (sib.type === 'heredoc_body') return sib.text;
      if (sib.type !== 'comment') break;
    }
    if (a.type === 'body_statement' || a.type === 'program' || a.type === 'method') break;
  }
  return first.text;
}

/** Column names an add_column-like op adds: `add_column :t, :c`, `t.string :a, :b`, `t.column :c`, timestamps, references. */
/** The type an add_column operation declares: `t.string :x` → string, `add_column :t, :x, :json` → json. */
export function addedColumnType(op: MigrationOp): string | undefined {
  if (op.columnType) return op.columnType;
  if (op.method !== 'add_column') return undefined;
  return literalName(op.changeTable || op.createTable ? op.call.args[1] : op.call.args[2]);
}

/** How messages name the call: `add_index`, or `t.index inside change_table`. */
export function callLabel(op: MigrationOp): string {
  return op.changeTable ? `t.${op.call.name} inside change_table` : op.call.name;
}

export function addedColumns(op: MigrationOp): string[] {
  const call = op.call;
  const inTable = !!(op.changeTable || op.createTable);
  const names = (nodes: typeof call.args) => nodes.map((n) => literalName(n)).filter((n): n is string => !!n);
  switch (op.method) {
    case 'add_column':
      if (!inTable) return names(call.args.slice(1, 2));
      return call.name === 'column' ? names(call.args.slice(0, 1)) : names(call.args);
    case 'add_timestamps':
      return ['created_at', 'updated_at'];
    case 'add_reference':
    case 'add_belongs_to': {
      const refs = inTable ? names(call.args) : names(call.args.slice(1, 2));
      const poly = call.keywords.get('polymorphic');
      const out: string[] = [];
      for (const r of refs) {
        out.push(`${r}_id`);
        if (poly && poly.type !== 'false' && poly.type !== 'nil') out.push(`${r}_type`);
      }
      return out;
    }
    default:
      return [];
  }
}

const CHANGE_TABLE_METHODS: Record<string, string> = {
  index: 'add_index', remove_index: 'remove_index', references: 'add_reference', belongs_to: 'add_reference',
  remove_references: 'remove_reference', remove_belongs_to: 'remove_reference', foreign_key: 'add_foreign_key',
  check_constraint: 'add_check_constraint', column: 'add_column', timestamps: 'add_timestamps',
  remove: 'remove_columns', rename: 'rename_column', change: 'change_column', change_default: 'change_column_default',
  change_null: 'change_column_null', remove_timestamps: 'remove_timestamps', remove_foreign_key: 'remove_foreign_key',
  remove_check_constraint: 'remove_check_constraint', exclusion_constraint: 'add_exclusion_constraint',
  unique_constraint: 'add_unique_constraint',
};

export const COLUMN_TYPES = new Set([
  'string', 'text', 'integer', 'bigint', 'float', 'decimal', 'numeric', 'datetime', 'timestamp', 'timestamptz', 'time',
  'date', 'binary', 'blob', 'boolean', 'json', 'jsonb', 'uuid', 'citext', 'hstore', 'inet', 'cidr', 'macaddr',
  'interval', 'money', 'point', 'line', 'ltree', 'tsvector', 'xml', 'bit', 'bit_varying', 'serial', 'bigserial',
  'smallint', 'primary_key', 'virtual', 'enum', 'daterange', 'tsrange', 'tstzrange', 'numrange', 'int4range',
  'int8range', 'oid', 'geometry', 'geography', 'st_point', 'mediumtext', 'longtext', 'tinytext', 'mediumblob',
  'longblob', 'tinyblob', 'unsigned_integer', 'unsigned_bigint', 'year', 'set',
]);

/** The version prefix of a migration file: 14-digit timestamps, and old numbered migrations (`002_x.rb`). */
export function migrationVersionOf(file: string): string | undefined {
  return /^(\d+)_/.exec(path.basename(file))?.[1];
}

/** Numeric comparison of migration versions ("002" < "20190518115041"), as Rails and strong_migrations compare them. */
export function compareMigrationVersions(a: string, b: string): number {
  const x = BigInt(a.replace(/\D/g, '') || '0');
  const y = BigInt(b.replace(/\D/g, '') || '0');
  return x < y ? -1 : x > y ? 1 : 0;
}

interface Scope {
  klass: MigrationClass;
  phase: Phase;
  safetyAssured: boolean;
  tableVar?: { name: string; table?: string; call: CallInfo; kind: 'change' | 'create' };
  dirVar?: string;
}

/** Resolves the app-defined helpers a migration class sees (see appHelpers.ts); absent in tests without an app. */
export type HelperScopeOf = (klass: MigrationClass) => HelperScope;

export function buildMigrationModel(tree: Tree, file: string, helperScopeOf?: HelperScopeOf): MigrationModel {
  const classes: MigrationClass[] = [];
  const ops: MigrationOp[] = [];
  const created: { table: string; order: number; klass: MigrationClass }[] = [];
  const scopes = new Map<MigrationClass, HelperScope>();
  const helperFor = (call: CallInfo, klass: MigrationClass): HelperResolution | undefined => {
    if (call.receiver && call.receiver.text !== 'self') return undefined;
    const scope = scopes.get(klass);
    if (!scope) return undefined;
    const helper = scope.methods.get(call.name);
    if (helper) return { kind: 'app', helper };
    return scope.unreadable.length ? { kind: 'unreadable', module: scope.unreadable[0] } : undefined;
  };

  const collectClasses = (node: Node): void => {
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'class') visitClass(child);
      else if (child.type === 'module' || child.type === 'body_statement') collectClasses(child);
    }
  };

  const visitClass = (node: Node): void => {
    const superclass = constantText(node.childForFieldName('superclass')?.namedChildren[0]) ?? '';
    if (!/Migration/.test(superclass)) return;
    const klass: MigrationClass = {
      node, name: constantText(node.childForFieldName('name')) ?? '', superclass,
      compatVersion: /Migration\[(\d+\.\d+)\]/.exec(superclass)?.[1],
      disableDdlTransaction: false, includes: [],
    };
    classes.push(klass);
    const body = node.childForFieldName('body') ?? node.namedChildren.find((c) => c?.type === 'body_statement');
    const statements = bodyStatements(body);
    for (const stmt of statements) {
      const inc = stmt.type === 'call' ? readCall(stmt) : null;
      if (inc && !inc.receiver && (inc.name === 'include' || inc.name === 'prepend')) {
        for (const a of inc.args) if (a.type === 'constant' || a.type === 'scope_resolution') klass.includes.push(constantText(a)!);
      }
      if (stmt.type === 'identifier' && stmt.text === 'disable_ddl_transaction!') klass.disableDdlTransaction = true;
      if (stmt.type === 'call' && stmt.childForFieldName('method')?.text === 'disable_ddl_transaction!') klass.disableDdlTransaction = true;
      if (stmt.type === 'assignment' && /self\.disable_ddl_transaction\s*=\s*true/.test(stmt.text)) klass.disableDdlTransaction = true;
    }
    if (helperScopeOf) scopes.set(klass, helperScopeOf(klass));
    for (const stmt of statements) {
      if (stmt.type === 'method' || stmt.type === 'singleton_method') {
        const name = stmt.childForFieldName('name')?.text;
        walk(stmt.childForFieldName('body') ?? stmt, { klass, phase: name === 'down' ? 'down' : 'up', safetyAssured: false });
      }
    }
  };

  // An explicit stack instead of recursion: migrations can nest deeply enough to overflow the JS stack.
  const stack: { node: Node; scope: Scope; isCall: boolean }[] = [];
  const walk = (node: Node | null | undefined, scope: Scope): void => {
    if (!node) return;
    const base = stack.length;
    pushChildren(node, scope);
    while (stack.length > base) {
      const item = stack.pop()!;
      if (item.isCall) visitCall(item.node, item.scope);
      else pushChildren(item.node, item.scope);
    }
  };

  /** Queues a node's children so they pop in document order. */
  const pushChildren = (node: Node | null | undefined, scope: Scope): void => {
    if (!node) return;
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (!child || child.type === 'method' || child.type === 'class' || child.type === 'module') continue;
      const isCall = child.type === 'call' || (child.type === 'identifier' && STATEMENT_PARENTS.has(node.type));
      stack.push({ node: child, scope, isCall });
    }
  };

  const visitCall = (node: Node, scope: Scope): void => {
    const call = readCall(node);
    if (!call) return pushChildren(node, scope);
    const receiverText = call.receiver?.text;
    const block = call.block;

    if (!call.receiver && call.name === 'safety_assured' && block) return pushChildren(block, { ...scope, safetyAssured: true });
    if (!call.receiver && call.name === 'reversible' && block) return pushChildren(block, { ...scope, dirVar: blockParam(block) });
    if (!call.receiver && call.name === 'up_only') return pushChildren(block ?? call.argumentList, { ...scope, phase: 'up' });
    if (!call.receiver && call.name === 'revert') return;
    if (scope.dirVar && receiverText === scope.dirVar && (call.name === 'up' || call.name === 'down')) {
      return pushChildren(block, { ...scope, phase: call.name });
    }

    const viaConnection = !!receiverText && /(^|\.)connection$/.test(receiverText);
    let method = call.name;
    let columnType: string | undefined;
    let table: string | undefined;
    let changeTable: CallInfo | undefined;
    let createTable: CallInfo | undefined;
    if (scope.tableVar && receiverText === scope.tableVar.name) {
      const mapped = CHANGE_TABLE_METHODS[call.name] ?? (COLUMN_TYPES.has(call.name) ? 'add_column' : undefined);
      if (mapped) {
        if (mapped === 'add_column' && call.name !== 'column') columnType = call.name;
        method = mapped;
        table = scope.tableVar.table;
        if (scope.tableVar.kind === 'change') changeTable = scope.tableVar.call; else createTable = scope.tableVar.call;
      }
    } else if (!call.receiver || receiverText === 'self' || viaConnection) {
      table = literalName(call.args[0]);
    }

    const op: MigrationOp = {
      call, method, columnType, table, changeTable, createTable, viaConnection,
      phase: scope.phase, safetyAssured: scope.safetyAssured, klass: scope.klass, order: ops.length,
      helper: helperFor(call, scope.klass),
    };
    ops.push(op);

    let blockScope = scope;
    if (!call.receiver && (call.name === 'create_table' || call.name === 'create_join_table')) {
      const name = call.name === 'create_table' ? table : joinTableName(call);
      if (name) created.push({ table: name, order: op.order, klass: scope.klass });
      blockScope = { ...scope, tableVar: { name: blockParam(block) ?? '', table: name, call, kind: 'create' } };
    } else if (!call.receiver && call.name === 'change_table') {
      blockScope = { ...scope, tableVar: { name: blockParam(block) ?? '', table, call, kind: 'change' } };
    }
    // Pushed in reverse so the receiver, then the arguments, then the block are visited in source order.
    if (block) pushChildren(block, blockScope);
    if (call.argumentList) pushChildren(call.argumentList, scope);
    if (call.receiver) stack.push({ node: call.receiver, scope, isCall: call.receiver.type === 'call' });
  };

  collectClasses(tree.rootNode);
  const createdBefore = (name: string | undefined, op: MigrationOp): boolean =>
    !!name && created.some((c) => c.table === name && c.order <= op.order && c.klass === op.klass);
  const isNew = (op: MigrationOp, table = op.table): boolean => !!op.createTable || createdBefore(table, op);
  const locksExisting = (op: MigrationOp): boolean => {
    if (op.method === 'add_foreign_key') {
      const to = literalName(op.changeTable || op.createTable ? op.call.args[0] : op.call.args[1]);
      return !isNew(op) || (!!to && !createdBefore(to, op));
    }
    if ((op.method === 'add_reference' || op.method === 'add_belongs_to') && op.call.keywords.has('foreign_key')) {
      const fk = op.call.keywords.get('foreign_key');
      if (fk && fk.type !== 'false' && fk.type !== 'nil') return true;
    }
    if (op.method === 'execute' && !op.call.receiver) return LOCKING_SQL.test(sqlOf(op.call) ?? '');
    if (!LOCKING_METHODS.has(op.method)) return false;
    return !isNew(op);
  };
  return {
    version: migrationVersionOf(file),
    classes,
    ops,
    createdBefore,
    columnAddedBefore: (table, column, op) => {
      if (!table || !column) return false;
      if (createdBefore(table, op)) return true;
      return ops.some((o) => o.order < op.order && o.klass === op.klass && o.table === table && addedColumns(o).includes(column));
    },
    lockHeldBefore: (op) => {
      if (op.klass.disableDdlTransaction) return undefined;
      return ops.find((o) => o.order < op.order && o.klass === op.klass && o.phase === op.phase && locksExisting(o));
    },
  };
}

/**
 * Parents under which a bare identifier is a statement (a call without arguments). The parent is known
 * while walking: `node.parent` would search from the root each time, quadratic on deep trees.
 */
const STATEMENT_PARENTS = new Set(['body_statement', 'block_body', 'then', 'else', 'do', 'begin', 'program']);

/** `create_join_table :users, :roles` → "roles_users" (Rails sorts the names), unless `table_name:` says otherwise. */
export function joinTableName(call: CallInfo): string | undefined {
  const explicit = literalName(call.keywords.get('table_name'));
  if (explicit) return explicit;
  const a = literalName(call.args[0]);
  const b = literalName(call.args[1]);
  if (!a || !b) return undefined;
  return [a, b].sort().join('_');
}
