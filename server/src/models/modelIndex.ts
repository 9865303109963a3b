// The app's models as data: associations, scopes, methods, concerns, table names. Extracted per file
// from syntax trees (no IO here) and aggregated app-wide; the project layer feeds it files and keeps
// it current file by file. One index serves the callback and query packs.
import type { Node, Tree } from '../parsing/treeSitter';
import { bodyStatements, constantText, definitionIn, literalName, literalNames, readCall } from '../parsing/ruby';
import { classify, singularize, tableize, underscore } from './inflector';

export type AssociationMacro = 'belongs_to' | 'has_one' | 'has_many' | 'has_and_belongs_to_many';
export const ASSOCIATION_MACROS = new Set<string>(['belongs_to', 'has_one', 'has_many', 'has_and_belongs_to_many']);
/** Gem macros that declare a `has_many` of the gem's own model: name and class. */
const GEM_ASSOCIATIONS = new Map<string, [string, string]>([['has_paper_trail', ['versions', 'PaperTrail::Version']], ['audited', ['audits', 'Audited::Audit']]]);
/** acts-as-taggable-on's macros; the bare forms tag the `tags` context. */
const TAGGABLE_MACROS = new Set(['acts_as_taggable', 'acts_as_ordered_taggable', 'acts_as_taggable_on', 'acts_as_ordered_taggable_on']);

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
  /** An `alias`/`alias_method` of this association's reader: the name read is `name`, the association is `aliasOf`. */
  aliasOf?: string;
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
  /** `alias new old` / `alias_method :new, :old`: new name → old name. */
  aliases?: Map<string, string>;
  /** acts-as-taggable-on's contexts (`acts_as_taggable_on :skills` → skills; `acts_as_taggable` → tags). */
  taggable?: string[];
  /** `delegate :x, to: :assoc` (with its prefix applied): method → the reader it delegates to. */
  delegates?: Map<string, string>;
  /** A reopening written as `Name.class_eval do … end` or `Name.prepend(Mod)`: the constant as written and the
   *  namespace it was written in, resolved to a class when the index links its files. */
  reopens?: { written: string; namespace: string };
}

/**
 * acts-as-taggable-on declares, per context, `has_many :<tag>_taggings` and `has_many :<context>, through:` it (and
 * `taggings`/`base_tags` for all of them), and a `<tag>_list` reader that queries the tags itself.
 */
function readTaggable(model: ModelInfo, call: NonNullable<ReturnType<typeof readCall>>, file: string): void {
  const named = call.args.map((a) => literalName(a)).filter((n): n is string => !!n);
  const contexts = call.name.endsWith('_on') ? named : ['tags'];
  const location = locationOf(call.nameNode, file);
  const add = (name: string, className: string, through?: string, source?: string): void => addGemAssociation(model, location, name, className, through, source);
  add('taggings', 'ActsAsTaggableOn::Tagging');
  add('base_tags', 'ActsAsTaggableOn::Tag', 'taggings', 'tag');
  for (const context of contexts) {
    add(`${singularize(context)}_taggings`, 'ActsAsTaggableOn::Tagging');
    add(context, 'ActsAsTaggableOn::Tag', `${singularize(context)}_taggings`, 'tag');
  }
  model.taggable = [...new Set([...(model.taggable ?? []), ...contexts])];
}

/** A `has_many` a gem's macro declares (unless the model declares one of that name itself). */
function addGemAssociation(model: ModelInfo, location: SourceLocation, name: string, className: string, through?: string, source?: string): void {
  if (model.associations.has(name)) return;
  model.associations.set(name, {
    name, macro: 'has_many', className, through, source, polymorphic: false, counterCache: false, touch: false, autosave: false, scoped: false, location,
  });
}

/** Hooks that let packs extract more per class or concern body in the same pass (e.g. callbacks). */
export type ModelExtractor = (model: ModelInfo, body: Node, file: string) => void;
const extractors: ModelExtractor[] = [];
export function registerModelExtractor(extractor: ModelExtractor): void { extractors.push(extractor); }
/** How many packs extract per model: part of the stored summaries' kind (project/summaryStore.ts). */
export function modelExtractorCount(): number { return extractors.length; }

export function locationOf(node: Node, file: string): SourceLocation {
  return {
    file, line: node.startPosition.row, character: node.startPosition.column,
    endLine: node.endPosition.row, endCharacter: node.endPosition.column,
  };
}

/** Classes and concerns defined in one file, and the reopenings (`X.class_eval do`, `X.prepend(M)`) it makes. */
export function extractModels(tree: Tree, file: string): ModelInfo[] {
  const out: ModelInfo[] = [];
  /** `includedHere`: the modules the class around `node` includes or prepends, as written (`include ApprovalMethods`). */
  const visit = (node: Node, namespace: string[], includedHere?: ReadonlySet<string>): void => {
    for (const stmt of bodyStatements(node)) {
      if (stmt.type === 'module') {
        const name = constantText(stmt.childForFieldName('name')) ?? '';
        const full = [...namespace, name].join('::');
        const body = stmt.childForFieldName('body');
        // A module written inside the class that includes it (danbooru's `module ApprovalMethods … end;
        // include ApprovalMethods`) is part of that class, like a concern.
        if (body && (isConcern(body) || includedHere?.has(name))) {
          out.push(readBody('concern', full, undefined, stmt, body, file));
          // `def self.included(base) base.class_eval do … end end`: the block is more of the concern.
          for (const block of hookBlocks(body)) out.push(readBody('concern', full, undefined, stmt, block, file));
        }
        if (body) visit(body, [...namespace, name]);
      } else if (stmt.type === 'class') {
        const name = constantText(stmt.childForFieldName('name')) ?? '';
        const full = [...namespace, name].join('::');
        const superclass = constantText(stmt.childForFieldName('superclass')?.namedChildren[0]);
        const body = stmt.childForFieldName('body');
        const model = readBody('class', full, superclass, stmt, body, file);
        out.push(model);
        // `concerning :Approval do … end` (ActiveSupport): a concern named Class::Approval that the class includes.
        for (const block of concerningBlocks(body)) out.push(readBody('concern', `${full}::${block.name}`, undefined, block.call, block.body, file));
        if (body) visit(body, [...namespace, name], new Set(model.includes));
      } else {
        const reopening = readReopening(stmt, namespace, file);
        if (reopening) out.push(reopening);
      }
    }
  };
  visit(tree.rootNode, []);
  return out;
}

/** `concerning :Name do … end` blocks of a class body. */
function concerningBlocks(body: Node | null): { name: string; call: Node; body: Node }[] {
  const out: { name: string; call: Node; body: Node }[] = [];
  for (const stmt of bodyStatements(body)) {
    const call = readCall(stmt);
    const name = call && !call.receiver && call.name === 'concerning' && call.block ? literalName(call.args[0]) : undefined;
    if (name && /^[A-Z]\w*$/.test(name)) out.push({ name, call: stmt, body: call!.block! });
  }
  return out;
}

/** The classes a file declares (`class A::B < C`), nested ones included, without reading their bodies. */
export function declaredClasses(tree: Tree): { name: string; superclass?: string; namespace: string }[] {
  const out: { name: string; superclass?: string; namespace: string }[] = [];
  const visit = (node: Node, namespace: string[]): void => {
    for (const stmt of bodyStatements(node)) {
      if (stmt.type !== 'module' && stmt.type !== 'class') continue;
      const name = constantText(stmt.childForFieldName('name')) ?? '';
      if (stmt.type === 'class') {
        const superclass = constantText(stmt.childForFieldName('superclass')?.namedChildren[0]);
        out.push({ name: [...namespace, name].join('::'), superclass, namespace: namespace.join('::') });
      }
      const body = stmt.childForFieldName('body');
      if (body) visit(body, [...namespace, name]);
    }
  };
  visit(tree.rootNode, []);
  return out;
}

const EVAL_METHODS = new Set(['class_eval', 'class_exec', 'module_eval']);
const MIXIN_METHODS = new Set(['prepend', 'include']);

/** `Order.class_eval do … end`, `Order.prepend(OrderDecorator)`, `Order.send(:include, Mod)` outside the class body. */
function readReopening(stmt: Node, namespace: string[], file: string): ModelInfo | undefined {
  const call = readCall(stmt);
  if (!call || !call.receiver || (call.receiver.type !== 'constant' && call.receiver.type !== 'scope_resolution')) return undefined;
  const written = constantText(call.receiver)!;
  const reopens = { written, namespace: namespace.join('::') };
  const name = written.replace(/^::/, '');
  if (EVAL_METHODS.has(call.name) && call.block) {
    return { ...readBody('class', name, undefined, stmt, call.block, file), reopens };
  }
  let mixin = MIXIN_METHODS.has(call.name) ? call.name : undefined;
  let args = call.args;
  if (!mixin && (call.name === 'send' || call.name === '__send__') && MIXIN_METHODS.has(literalName(call.args[0]) ?? '')) { mixin = literalName(call.args[0]); args = call.args.slice(1); }
  if (!mixin || args.length === 0) return undefined;
  const modules = args.map((a) => (a.type === 'self' ? namespace.join('::') : constantText(a) ?? '')).filter((m) => /^(::)?[A-Z]/.test(m));
  if (modules.length === 0) return undefined;
  const model = readBody('class', name, undefined, stmt, null, file);
  model.includes.push(...modules);
  return { ...model, reopens };
}

/** The `base.class_eval do … end` blocks of a module's `self.included(base)` / `self.prepended(base)` hook. */
function hookBlocks(body: Node): Node[] {
  const out: Node[] = [];
  for (const hook of bodyStatements(body)) {
    const param = hookParam(hook);
    if (!param) continue;
    for (const stmt of bodyStatements(hook.childForFieldName('body'))) {
      const call = readCall(stmt);
      if (call?.block && EVAL_METHODS.has(call.name) && call.receiver?.text === param) out.push(call.block);
    }
  }
  return out;
}

/** `def self.included(base)` / `def self.prepended(base)`: the parameter naming the class. */
function hookParam(stmt: Node): string | undefined {
  if (stmt.type !== 'singleton_method' || stmt.childForFieldName('object')?.type !== 'self') return undefined;
  const name = stmt.childForFieldName('name')?.text;
  if (name !== 'included' && name !== 'prepended') return undefined;
  return stmt.childForFieldName('parameters')?.namedChildren.find((c) => c?.type === 'identifier')?.text;
}

function isConcern(body: Node): boolean {
  return bodyStatements(body).some((s) => {
    const call = readCall(s);
    return (!!call && ((call.name === 'extend' && call.args.some((a) => a.text === 'ActiveSupport::Concern'))
      || ((call.name === 'included' || call.name === 'class_methods') && !!call.block))) || !!hookParam(s);
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
  for (const stmt of statements) readStatement(model, stmt, file, NO_OPTIONS);
  // `def self.included(base) base.has_many :x end`: macros called on the hook's parameter.
  for (const stmt of bodyStatements(body)) {
    const param = hookParam(stmt);
    if (param) for (const inner of bodyStatements(stmt.childForFieldName('body'))) readStatement(model, inner, file, NO_OPTIONS, param);
  }
  for (const extractor of extractors) extractor(model, body, file);
  return model;
}

const NO_OPTIONS: ReadonlyMap<string, Node> = new Map();

/** One class-level statement. `options` are those of enclosing `with_options` blocks; `self` names a block parameter
 *  standing for the class (`with_options … do |o| o.has_many :x end`, `def self.included(base) base.has_many :x`). */
function readStatement(model: ModelInfo, stmt: Node, file: string, options: ReadonlyMap<string, Node>, self?: string): void {
  const def = definitionIn(stmt);
  if (def?.type === 'method') {
    const name = def.childForFieldName('name')?.text;
    if (name) model.methods.set(name, { name, location: locationOf(def, file) });
    return;
  }
  if (stmt.type === 'alias') {
    const [alias, original] = stmt.namedChildren;
    const a = alias && methodName(alias);
    const o = original && methodName(original);
    if (a && o) addAlias(model, a, o, stmt, file);
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
  if (!call) return;
  if (call.receiver && !(self && call.receiver.type === 'identifier' && call.receiver.text === self)) return;
  if (call.name === 'with_options' && call.block) {
    const merged = new Map([...options, ...call.keywords]);
    const param = call.block.childForFieldName('parameters')?.namedChildren.find((c) => c?.type === 'identifier')?.text
      ?? call.block.namedChildren.find((c) => c?.type === 'block_parameters')?.namedChildren.find((c) => c?.type === 'identifier')?.text;
    for (const inner of bodyStatements(call.block)) readStatement(model, inner, file, merged, param ?? self);
    return;
  }
  if (call.name === 'primary_abstract_class') model.abstract = true;
  else if (call.name === 'include' || call.name === 'prepend') model.includes.push(...call.args.map((a) => a.text));
  else if (call.name === 'concerning' && call.block) { const n = literalName(call.args[0]); if (n) model.includes.push(n); }
  else if (call.name === 'scope') { const n = literalName(call.args[0]); if (n) model.scopes.add(n); }
  else if (call.name === 'accepts_nested_attributes_for') model.nestedAttributes.push(...call.args.map((a) => literalName(a)).filter((n): n is string => !!n));
  else if (call.name === 'alias_method') {
    const a = literalName(call.args[0]);
    const o = literalName(call.args[1]);
    if (a && o) addAlias(model, a, o, stmt, file);
  } else if (call.name === 'delegate') readDelegate(model, call, stmt, file);
  else if (TAGGABLE_MACROS.has(call.name)) readTaggable(model, call, file);
  else if (GEM_ASSOCIATIONS.has(call.name)) {
    // `has_paper_trail` declares `has_many :versions`, `audited` `has_many :audits`: the gems' own associations.
    const [name, className] = GEM_ASSOCIATIONS.get(call.name)!;
    addGemAssociation(model, locationOf(call.nameNode, file), name, className);
  } else if (ASSOCIATION_MACROS.has(call.name)) {
    const macro = call.name as AssociationMacro;
    for (const arg of call.args) {
      const assoc = literalName(arg);
      if (!assoc || arg.type === 'lambda') continue;
      const k = options.size > 0 ? new Map([...options, ...call.keywords]) : call.keywords;
      const counter = k.get('counter_cache');
      model.associations.set(assoc, {
        name: assoc, macro,
        // `has_many :filtered_works, through: :filter_taggings, source: :filterable, source_type: "Work"` loads Works.
        className: literalName(k.get('class_name')) ?? k.get('class_name')?.text.replace(/\.name$/, '') ?? literalName(k.get('source_type')) ?? classify(assoc),
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

function methodName(node: Node): string | undefined {
  return node.type === 'identifier' || node.type === 'constant' ? node.text : literalName(node);
}

function addAlias(model: ModelInfo, alias: string, original: string, stmt: Node, file: string): void {
  (model.aliases ??= new Map()).set(alias, original);
  model.methods.set(alias, { name: alias, location: locationOf(stmt, file) });
}

/** `delegate :name, :email, to: :user, prefix: true` → `user_name`, `user_email` read `user`. */
function readDelegate(model: ModelInfo, call: NonNullable<ReturnType<typeof readCall>>, stmt: Node, file: string): void {
  const to = literalName(call.keywords.get('to'));
  if (!to || !/^[a-z_][a-zA-Z0-9_]*$/.test(to)) return;
  const prefixNode = call.keywords.get('prefix');
  const prefix = !prefixNode || prefixNode.type === 'false' ? '' : prefixNode.type === 'true' ? `${to}_` : literalName(prefixNode) ? `${literalName(prefixNode)}_` : undefined;
  if (prefix === undefined) return;
  for (const arg of call.args) {
    const name = literalName(arg);
    if (!name || arg.type === 'hash') continue;
    (model.delegates ??= new Map()).set(`${prefix}${name}`, to);
    model.methods.set(`${prefix}${name}`, { name: `${prefix}${name}`, location: locationOf(stmt, file) });
  }
}

const ROOT_CLASSES = new Set(['ApplicationRecord', 'ActiveRecord::Base', '::ApplicationRecord', '::ActiveRecord::Base']);

/** The app-wide index, updated one file at a time. A class or concern may be written in several files (a reopened
 *  `class Order` in order/checkout.rb, `Order.class_eval do` decorators): each file keeps its own part, and lookups
 *  see every part of a name (`parts`, `ancestry`), so re-extracting one file replaces only that file's part. */
export class ModelIndex {
  private readonly byFile = new Map<string, ModelInfo[]>();
  private byName: Map<string, ModelInfo[]> | undefined;

  update(file: string, models: ModelInfo[]): void { this.byFile.set(file, models); this.unlink(); }
  remove(file: string): void { if (this.byFile.delete(file)) this.unlink(); }
  private unlink(): void {
    this.byName = undefined;
    this.resolved.clear();
    this.ancestries.clear();
    this.byTable = undefined;
    this.memos.clear();
  }
  /** Facts other modules derive from the whole index, kept while the files stay the same (`memo`). */
  private readonly memos = new Map<string, unknown>();
  /** `compute()` once per state of the index: an edit to a model file forgets it. */
  memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }
  /** The first concrete model of each table, in `models()` order (migrations ask per table, on every file). */
  private byTable: Map<string, ModelInfo> | undefined;
  /** `resolve` and `ancestry` answers while the files stay the same (asked for every chain of every file). */
  private readonly resolved = new Map<string, ModelInfo | null>();
  private readonly ancestries = new Map<ModelInfo, readonly ModelInfo[]>();
  files(): string[] { return [...this.byFile.keys()]; }

  hasFile(file: string): boolean { return this.byFile.has(file); }

  /** The parts written in one file (classes, concerns and reopenings), as extracted. */
  definedIn(file: string): ModelInfo[] { this.linked(); return this.byFile.get(file) ?? []; }

  /** A new index with the same files, to add a file to without changing this one. */
  copy(): ModelIndex {
    const out = new ModelIndex();
    for (const [file, models] of this.byFile) out.update(file, models);
    return out;
  }

  private linked(): Map<string, ModelInfo[]> {
    if (this.byName) return this.byName;
    const byName = new Map<string, ModelInfo[]>();
    const reopenings: ModelInfo[] = [];
    for (const models of this.byFile.values()) {
      for (const m of models) {
        if (m.reopens) { reopenings.push(m); continue; }
        const list = byName.get(m.name);
        if (list) list.push(m); else byName.set(m.name, [m]);
      }
    }
    this.byName = byName;
    // `Order.class_eval` written inside `module Spree` reopens Spree::Order when there is one (Ruby's lexical lookup).
    for (const m of reopenings) {
      const target = this.lookup(byName, m.reopens!.written, m.reopens!.namespace);
      m.name = target ?? m.reopens!.written.replace(/^::/, '');
      const list = byName.get(m.name);
      if (list) list.push(m); else byName.set(m.name, [m]);
    }
    for (const [name, list] of byName) if (list.length > 1) list.sort((a, b) => primaryRank(b, name) - primaryRank(a, name));
    return byName;
  }

  private lookup(byName: Map<string, ModelInfo[]>, name: string, namespace: string): string | undefined {
    return lexicalCandidates(name, namespace).find((candidate) => byName.has(candidate));
  }

  /** Every part of the class or concern `model` belongs to, its main definition first. */
  parts(model: ModelInfo): ModelInfo[] {
    const list = this.linked().get(model.name);
    return list && list.includes(model) ? list : [model];
  }

  /** The main definition of `model`'s class (the part with the superclass, in the file named after it). */
  primary(model: ModelInfo): ModelInfo { return this.parts(model)[0]; }

  /** The superclass as written in whichever part names it. */
  superclassOf(model: ModelInfo): string | undefined {
    return this.parts(model).find((p) => p.superclass)?.superclass;
  }

  /** Every class and concern (one entry per name: its main definition). */
  all(): ModelInfo[] { return [...this.linked().values()].map((list) => list[0]); }

  /** Active Record models (classes whose ancestry reaches ApplicationRecord / ActiveRecord::Base). */
  models(): ModelInfo[] { return this.all().filter((m) => this.isModel(m)); }

  /** Looks a constant up the way Ruby would from inside `namespace` (innermost first). */
  resolve(name: string, namespace = ''): ModelInfo | undefined {
    const byName = this.linked();
    const key = `${namespace} ${name}`;
    let answer = this.resolved.get(key);
    if (answer === undefined) {
      const found = this.lookup(byName, name, namespace);
      this.resolved.set(key, (answer = found ? byName.get(found)![0] : null));
    }
    return answer ?? undefined;
  }

  model(className: string): ModelInfo | undefined {
    const m = this.resolve(className);
    return m && m.kind === 'class' ? m : undefined;
  }

  isModel(model: ModelInfo): boolean {
    let current: ModelInfo | undefined = this.primary(model);
    for (let depth = 0; current && depth < 20; depth++) {
      const superclass = this.superclassOf(current);
      if (current.kind !== 'class' || !superclass) return false;
      if (ROOT_CLASSES.has(superclass)) return true;
      current = this.resolve(superclass, namespaceOf(current.name));
    }
    return false;
  }

  /** The class itself (every part of it), its included concerns (recursively), then its superclasses and theirs. */
  ancestry(model: ModelInfo): readonly ModelInfo[] {
    this.linked();
    let found = this.ancestries.get(model);
    if (!found) this.ancestries.set(model, (found = Object.freeze(this.findAncestry(model))));
    return found;
  }

  private findAncestry(model: ModelInfo): ModelInfo[] {
    const out: ModelInfo[] = [];
    const seen = new Set<string>();
    const add = (m: ModelInfo | undefined): void => {
      if (!m || seen.has(m.name)) return;
      seen.add(m.name);
      const parts = this.parts(m);
      out.push(...parts);
      // Constants in a class body resolve from inside it: `include Checkout` in Spree::Order finds Spree::Order::Checkout.
      for (const p of parts) for (const inc of p.includes) add(this.resolve(inc, lexicalScope(p)));
      const superclass = this.superclassOf(m);
      if (superclass && !ROOT_CLASSES.has(superclass)) add(this.resolve(superclass, namespaceOf(m.name)));
    };
    add(model);
    return out;
  }

  association(className: string, name: string): AssociationInfo | undefined {
    const model = this.model(className);
    if (!model) return undefined;
    const chain = this.ancestry(model);
    for (const m of chain) {
      const a = m.associations.get(name);
      if (a) return a;
    }
    // `alias :members :zone_members`: the alias reads the association.
    for (const m of chain) {
      const original = m.aliases?.get(name);
      if (!original || original === name) continue;
      for (const n of chain) {
        const a = n.associations.get(original);
        if (a) return { ...a, name, aliasOf: a.aliasOf ?? original };
      }
    }
    return undefined;
  }

  /** `delegate :x, to: :assoc`: the association a delegated method reads, if it delegates to one. */
  delegation(className: string, method: string): AssociationInfo | undefined {
    const model = this.model(className);
    if (!model) return undefined;
    for (const m of this.ancestry(model)) {
      const to = m.delegates?.get(method);
      if (to) return this.association(className, to);
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
    const superclass = this.superclassOf(model);
    const parent = superclass && !ROOT_CLASSES.has(superclass) ? this.resolve(superclass, namespaceOf(model.name)) : undefined;
    if (parent && parent.kind === 'class' && !parent.abstract && this.isModel(parent)) return this.tableName(parent);
    return tableize(model.name);
  }

  modelForTable(table: string): ModelInfo | undefined {
    if (!this.byTable) {
      this.byTable = new Map();
      for (const m of this.models()) {
        if (this.parts(m).some((p) => p.abstract)) continue;
        const name = this.tableName(m);
        if (!this.byTable.has(name)) this.byTable.set(name, m);
      }
    }
    return this.byTable.get(table);
  }
}

/** Where constants written in a part resolve from: inside the class body, or where `Name.class_eval` was written. */
export function lexicalScope(m: ModelInfo): string {
  return m.reopens ? m.reopens.namespace : m.name;
}

/** The names Ruby tries for constant `name` written inside `namespace`, innermost first (`::X` is absolute). */
export function lexicalCandidates(name: string, namespace: string): string[] {
  const clean = name.replace(/^::/, '');
  const parts = namespace && !name.startsWith('::') ? namespace.split('::') : [];
  const out: string[] = [];
  for (let i = parts.length; i >= 0; i--) out.push([...parts.slice(0, i), clean].join('::'));
  return out;
}

export function namespaceOf(name: string): string {
  const i = name.lastIndexOf('::');
  return i < 0 ? '' : name.slice(0, i);
}

/** Which part of a class is its main definition: a class over a concern, the one with a superclass, the one in the
 *  file Zeitwerk names after it (order.rb for Order, not order/checkout.rb), then the earliest loaded. */
function primaryRank(m: ModelInfo, name: string): number {
  const file = m.file.replace(/\\/g, '/');
  const base = underscore(name.split('::').pop() ?? name);
  return (m.kind === 'class' ? 4 : 0) + (m.superclass ? 2 : 0) + (file.endsWith(`/${base}.rb`) && !m.reopens ? 1 : 0);
}
