// The app's models as data: associations, scopes, methods, concerns, table names. Extracted per file
// from syntax trees (no IO here) and aggregated app-wide; the project layer feeds it files and keeps
// it current file by file. One index serves the callback and query packs.
import type { Node, Tree } from '../parsing/treeSitter';
import { bodyStatements, constantText, literalName, literalNames, readCall } from '../parsing/ruby';
import { classify, tableize } from './inflector';

export type AssociationMacro = 'belongs_to' | 'has_one' | 'has_many' | 'has_and_belongs_to_many';
export const ASSOCIATION_MACROS = new Set<string>(['belongs_to', 'has_one', 'has_many', 'has_and_belongs_to_many']);

export interface SourceLocation { file: string; line: number; character: number; endLine: number; endCharacter: number }

export interface AssociationInfo {
  name: string;
  macro: AssociationMacro;
  /** `class_name:` or inflected from the name (`comments` → `Comment`); namespaces are resolved by ModelIndex. */
  className: string;
  through?: string;
  /** `source:` of a has_many/has_one :through. */
  source?: string;
  polymorphic: boolean;
  /** `optional: true` (or `required: false`) on a belongs_to: a reference the row may lack, not an owner. */
  optional?: boolean;
  /** `counter_cache: true` or the column name. */
  counterCache: boolean | string;
  touch: boolean;
  dependent?: string;
  autosave: boolean;
  inverseOf?: string;
  foreignKey?: string;
  /** Has a scope lambda: `has_many :recent, -> { order(:x) }`. */
  scoped: boolean;
  location: SourceLocation;
}

export interface MethodInfo { name: string; location: SourceLocation }

export interface ModelInfo {
  kind: 'class' | 'concern';
  /** Fully qualified: `Admin::User`. */
  name: string;
  superclass?: string;
  file: string;
  location: SourceLocation;
  explicitTableName?: string;
  abstract: boolean;
  associations: Map<string, AssociationInfo>;
  nestedAttributes: string[];
  scopes: Set<string>;
  methods: Map<string, MethodInfo>;
  /** Modules named by `include`, as written. */
  includes: string[];
  ignoredColumns: string[];
  /** Extension point for packs (e.g. the callback pack's callbacks and effects), keyed by pack. */
  extra: Map<string, unknown>;
}

/** Hooks that let packs extract more per class or concern body in the same pass (e.g. callbacks). */
export type ModelExtractor = (model: ModelInfo, body: Node, file: string) => void;
const extractors: ModelExtractor[] = [];
export function registerModelExtractor(extractor: ModelExtractor): void { extractors.push(extractor); }

export function locationOf(node: Node, file: string): SourceLocation {
  return {
    file, line: node.startPosition.row, character: node.startPosition.column,
    endLine: node.endPosition.row, endCharacter: node.endPosition.column,
  };
}

/** Classes and concerns defined in one file. */
export function extractModels(tree: Tree, file: string): ModelInfo[] {
  const out: ModelInfo[] = [];
  const visit = (node: Node, namespace: string[]): void => {
    for (const stmt of bodyStatements(node)) {
      if (stmt.type === 'module') {
        const name = constantText(stmt.childForFieldName('name')) ?? '';
        const body = stmt.childForFieldName('body');
        if (body && isConcern(body)) out.push(readBody('concern', [...namespace, name].join('::'), undefined, stmt, body, file));
        if (body) visit(body, [...namespace, name]);
      } else if (stmt.type === 'class') {
        const name = constantText(stmt.childForFieldName('name')) ?? '';
        const superclass = constantText(stmt.childForFieldName('superclass')?.namedChildren[0]);
        const body = stmt.childForFieldName('body');
        out.push(readBody('class', [...namespace, name].join('::'), superclass, stmt, body, file));
        if (body) visit(body, [...namespace, name]);
      }
    }
  };
  visit(tree.rootNode, []);
  return out;
}

function isConcern(body: Node): boolean {
  return bodyStatements(body).some((s) => {
    const call = readCall(s);
    return !!call && ((call.name === 'extend' && call.args.some((a) => a.text === 'ActiveSupport::Concern'))
      || ((call.name === 'included' || call.name === 'class_methods') && !!call.block));
  });
}

function readBody(kind: ModelInfo['kind'], name: string, superclass: string | undefined, node: Node, body: Node | null, file: string): ModelInfo {
  const model: ModelInfo = {
    kind, name, superclass, file, location: locationOf(node.childForFieldName('name') ?? node, file), abstract: false,
    associations: new Map(), nestedAttributes: [], scopes: new Set(), methods: new Map(), includes: [], ignoredColumns: [],
    extra: new Map(),
  };
  if (!body) return model;
  const statements = [...bodyStatements(body)];
  // A concern's `included do … end` body is part of every including class.
  for (const stmt of bodyStatements(body)) {
    const call = readCall(stmt);
    if (call && call.name === 'included' && call.block) statements.push(...bodyStatements(call.block));
  }
  for (const stmt of statements) readStatement(model, stmt, file);
  for (const extractor of extractors) extractor(model, body, file);
  return model;
}

function readStatement(model: ModelInfo, stmt: Node, file: string): void {
  if (stmt.type === 'method') {
    const name = stmt.childForFieldName('name')?.text;
    if (name) model.methods.set(name, { name, location: locationOf(stmt, file) });
    return;
  }
  if (stmt.type === 'assignment' || stmt.type === 'operator_assignment') {
    const left = stmt.childForFieldName('left')?.text;
    const right = stmt.childForFieldName('right');
    if (left === 'self.table_name') model.explicitTableName = literalName(right);
    if (left === 'self.abstract_class' && right?.type === 'true') model.abstract = true;
    if (left === 'self.ignored_columns') model.ignoredColumns.push(...(literalNames(right) ?? []));
    return;
  }
  const call = readCall(stmt);
  if (!call || call.receiver) return;
  if (call.name === 'primary_abstract_class') model.abstract = true;
  else if (call.name === 'include') model.includes.push(...call.args.map((a) => a.text));
  else if (call.name === 'scope') { const n = literalName(call.args[0]); if (n) model.scopes.add(n); }
  else if (call.name === 'accepts_nested_attributes_for') model.nestedAttributes.push(...call.args.map((a) => literalName(a)).filter((n): n is string => !!n));
  else if (ASSOCIATION_MACROS.has(call.name)) {
    const macro = call.name as AssociationMacro;
    for (const arg of call.args) {
      const assoc = literalName(arg);
      if (!assoc || arg.type === 'lambda') continue;
      const k = call.keywords;
      const counter = k.get('counter_cache');
      model.associations.set(assoc, {
        name: assoc, macro,
        className: literalName(k.get('class_name')) ?? k.get('class_name')?.text.replace(/\.name$/, '') ?? classify(assoc),
        through: literalName(k.get('through')),
        source: literalName(k.get('source')),
        polymorphic: k.get('polymorphic')?.type === 'true',
        optional: k.get('optional')?.type === 'true' || k.get('required')?.type === 'false',
        counterCache: !counter || counter.type === 'false' ? false : counter.type === 'true' ? true : literalName(counter) ?? true,
        touch: !!k.get('touch') && k.get('touch')!.type !== 'false',
        dependent: literalName(k.get('dependent')),
        autosave: k.get('autosave')?.type === 'true',
        inverseOf: literalName(k.get('inverse_of')),
        foreignKey: literalName(k.get('foreign_key')),
        scoped: call.args.some((a) => a.type === 'lambda'),
        location: locationOf(call.nameNode, file),
      });
      break;
    }
  }
}

const ROOT_CLASSES = new Set(['ApplicationRecord', 'ActiveRecord::Base', '::ApplicationRecord', '::ActiveRecord::Base']);

/** The app-wide index, updated one file at a time. */
export class ModelIndex {
  private readonly byFile = new Map<string, ModelInfo[]>();
  private byName: Map<string, ModelInfo> | undefined;

  update(file: string, models: ModelInfo[]): void { this.byFile.set(file, models); this.byName = undefined; }
  remove(file: string): void { if (this.byFile.delete(file)) this.byName = undefined; }
  files(): string[] { return [...this.byFile.keys()]; }

  private names(): Map<string, ModelInfo> {
    if (!this.byName) {
      this.byName = new Map();
      for (const models of this.byFile.values()) for (const m of models) if (!this.byName.has(m.name)) this.byName.set(m.name, m);
    }
    return this.byName;
  }

  /** Every class and concern. */
  all(): ModelInfo[] { return [...this.names().values()]; }

  /** Active Record models (classes whose ancestry reaches ApplicationRecord / ActiveRecord::Base). */
  models(): ModelInfo[] { return this.all().filter((m) => this.isModel(m)); }

  /** Looks a constant up the way Ruby would from inside `namespace` (innermost first). */
  resolve(name: string, namespace = ''): ModelInfo | undefined {
    const names = this.names();
    const clean = name.replace(/^::/, '');
    const parts = namespace ? namespace.split('::') : [];
    for (let i = parts.length; i >= 0; i--) {
      const candidate = [...parts.slice(0, i), clean].join('::');
      const found = names.get(candidate);
      if (found) return found;
    }
    return undefined;
  }

  model(className: string): ModelInfo | undefined {
    const m = this.resolve(className);
    return m && m.kind === 'class' ? m : undefined;
  }

  isModel(model: ModelInfo): boolean {
    let current: ModelInfo | undefined = model;
    for (let depth = 0; current && depth < 20; depth++) {
      if (current.kind !== 'class' || !current.superclass) return false;
      if (ROOT_CLASSES.has(current.superclass)) return true;
      current = this.resolve(current.superclass, namespaceOf(current.name));
    }
    return false;
  }

  /** The class itself, its included concerns (recursively), then its superclasses and theirs. */
  ancestry(model: ModelInfo): ModelInfo[] {
    const out: ModelInfo[] = [];
    const seen = new Set<string>();
    const add = (m: ModelInfo | undefined): void => {
      if (!m || seen.has(m.name)) return;
      seen.add(m.name);
      out.push(m);
      for (const inc of m.includes) add(this.resolve(inc, namespaceOf(m.name)));
      if (m.superclass && !ROOT_CLASSES.has(m.superclass)) add(this.resolve(m.superclass, namespaceOf(m.name)));
    };
    add(model);
    return out;
  }

  association(className: string, name: string): AssociationInfo | undefined {
    const model = this.model(className);
    if (!model) return undefined;
    for (const m of this.ancestry(model)) {
      const a = m.associations.get(name);
      if (a) return a;
    }
    return undefined;
  }

  /** The model an association points at, resolved from the owner's namespace. */
  target(owner: ModelInfo, association: AssociationInfo): ModelInfo | undefined {
    return this.resolve(association.className, namespaceOf(owner.name));
  }

  tableName(model: ModelInfo): string {
    for (const m of this.ancestry(model)) if (m.explicitTableName) return m.explicitTableName;
    // STI: a subclass of a concrete model shares its table.
    const parent = model.superclass && !ROOT_CLASSES.has(model.superclass) ? this.resolve(model.superclass, namespaceOf(model.name)) : undefined;
    if (parent && parent.kind === 'class' && !parent.abstract && this.isModel(parent)) return this.tableName(parent);
    return tableize(model.name);
  }

  modelForTable(table: string): ModelInfo | undefined {
    return this.models().find((m) => !m.abstract && this.tableName(m) === table);
  }
}

export function namespaceOf(name: string): string {
  const i = name.lastIndexOf('::');
  return i < 0 ? '' : name.slice(0, i);
}
