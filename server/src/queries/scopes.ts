// What scopes and default_scope preload: `scope :inbox, -> { where(...).preload(:author) }` makes
// `Message.inbox(user)` carry `author`. Read per model body through the model index's extractor hook.
import type { Node } from '../parsing/treeSitter';
import { bodyStatements, constantText, literalName, literalNames, readCall, type CallInfo } from '../parsing/ruby';
import { registerModelExtractor, type ModelIndex, type ModelInfo } from '../models/modelIndex';
import { emptyPreloads, mergePreloads, readPreloads, type Preloads } from './chain';
import { whereShape } from './conditions';
import { RELATION_METHODS } from './vocabulary';

export interface ScopeInfo {
  preloads: Preloads;
  /** Methods called on self in the body (other scopes). */
  calls: string[];
  /** `limit(10)`, `page(1)`, `first(5)` in the body: the scope returns a bounded number of rows. */
  bounded?: string;
  /** `order(created_at: :desc)` in the body: find_each would ignore it. */
  ordered?: string;
  /** `where(id: ids)` in the body (usually on a lambda parameter): as many rows as the list has. */
  unsure?: string;
  /** `where(owner_id: id)` / `where("owner_id = ?", …)` in the body: one owner's rows. */
  ownerScoped?: string;
  /** The argument texts of the body's `where` calls, read again with the model's associations (`where(recipient: user)`). */
  wheres?: string[];
  /** `where(created_at: ...3.days.ago)` in the body: rows older than a time. */
  aged?: string;
  /** The scope is an object the analysis does not read (`scope :surveyable, SurveyQuery.new`): `unsure` says so. */
  opaque?: boolean;
  /** A class method that loads its relation into an Array (`paginate(…).to_a`): the model's records, not a relation. */
  array?: boolean;
  /** An aasm state that events move rows out of: rows waiting in a workflow, as many as wait. */
  queue?: boolean;
}
export interface ScopeFacts { scopes: Map<string, ScopeInfo>; defaultScope?: Preloads }

const KEY = 'queries';
const PRELOADERS = new Set(['includes', 'preload', 'eager_load']);
const BOUNDS = new Set(['limit', 'page', 'per', 'paginate', 'per_page', 'first', 'last', 'take']);
const ORDERS = new Set(['order', 'reorder', 'in_order_of', 'reverse_order']);

/** The first limit-like and order-like call in a scope body. */
type Shape = Pick<ScopeInfo, 'bounded' | 'ordered' | 'unsure' | 'ownerScoped' | 'aged' | 'opaque' | 'wheres' | 'queue'>;

function shapeIn(node: Node): Shape {
  const out: Shape = {};
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'call') {
      const name = n.childForFieldName('method')?.text;
      const args = n.childForFieldName('arguments');
      const text = `${name}${args ? (args.text.startsWith('(') ? args.text : ` ${args.text}`) : ''}`;
      if (name && BOUNDS.has(name) && (args || !['first', 'last', 'take'].includes(name)) && !out.bounded) out.bounded = text;
      if (name && ORDERS.has(name) && !out.ordered) out.ordered = text;
      if (name === 'where' && args?.text.startsWith('(')) {
        const where = whereShape(args.text);
        if (where.bounded && !out.bounded) out.bounded = where.bounded;
        out.unsure ??= where.unsure;
        out.ownerScoped ??= where.ownerScoped;
        out.aged ??= where.aged;
        (out.wheres ??= []).push(args.text);
      }
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out;
}

function preloadsIn(node: Node, calls: string[] = []): Preloads {
  let out = emptyPreloads();
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'identifier' && n.parent?.type !== 'block_parameters' && n.parent?.type !== 'lambda_parameters') calls.push(n.text);
    if (n.type === 'call') {
      const name = n.childForFieldName('method')?.text;
      if (name && !n.childForFieldName('receiver')) calls.push(name);
      if (name && PRELOADERS.has(name)) {
        const one = emptyPreloads();
        const args = n.childForFieldName('arguments');
        for (const a of args?.namedChildren ?? []) if (a && a.type !== 'comment' && a.type !== 'block_argument') readPreloads(a, one);
        out = mergePreloads(out, one);
      }
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out;
}

registerModelExtractor((model: ModelInfo, body: Node) => {
  const facts: ScopeFacts = { scopes: new Map() };
  const statements = [...bodyStatements(body)];
  for (const stmt of bodyStatements(body)) {
    const call = readCall(stmt);
    if (call && call.name === 'included' && call.block) statements.push(...bodyStatements(call.block));
  }
  const classMethods: Node[] = [];
  for (const stmt of statements) {
    if (stmt.type === 'singleton_method' && stmt.childForFieldName('object')?.type === 'self') { classMethods.push(stmt); continue; }
    if (stmt.type === 'singleton_class') {
      for (const m of bodyStatements(stmt.childForFieldName('body') ?? stmt)) if (m.type === 'method') classMethods.push(m);
      continue;
    }
    if (stmt.type === 'module' && constantText(stmt.childForFieldName('name')) === 'ClassMethods') {
      // A concern's `module ClassMethods` (the form before `class_methods do`): its methods are class methods.
      for (const m of bodyStatements(stmt.childForFieldName('body') ?? stmt)) if (m.type === 'method') classMethods.push(m);
      continue;
    }
    const call = readCall(stmt);
    if (!call || call.receiver) continue;
    if ((call.name === 'has_one_attached' || call.name === 'has_many_attached') && literalName(call.args[0])) {
      // Active Storage generates `with_attached_<name>`, a scope that preloads the attachments and keeps the relation.
      const scope = `with_attached_${literalName(call.args[0])}`;
      if (!facts.scopes.has(scope)) { facts.scopes.set(scope, { preloads: emptyPreloads(), calls: [] }); model.scopes.add(scope); }
      continue;
    }
    if (call.name === 'friendly_id' && !facts.scopes.has('friendly')) {
      // friendly_id's `Model.friendly` is the relation with slug-aware finders (`friendly.find(params[:id])`).
      facts.scopes.set('friendly', { preloads: emptyPreloads(), calls: [] });
      model.scopes.add('friendly');
      continue;
    }
    if (call.name === 'enum' || (call.name === 'aasm' && call.block)) {
      // Rails enums and aasm states generate one scope per value (`Order.pending` is `where(status: "pending")`).
      for (const [scope, info] of call.name === 'enum' ? enumScopes(call) : aasmScopes(call)) {
        if (facts.scopes.has(scope)) continue;
        facts.scopes.set(scope, info);
        model.scopes.add(scope);
      }
      continue;
    }
    if (call.name === 'scope') {
      const name = literalName(call.args[0]);
      const lambda = call.args[1] ?? call.block;
      if (name && lambda && call.args[1] && /^[A-Z]\w*(::[A-Z]\w*)*(\.new\b|$)/.test(lambda.text)) {
        // `scope :surveyable, Survey::InfoRequestQuery.new`: a query object whose rows the analysis does not know.
        facts.scopes.set(name, { preloads: emptyPreloads(), calls: [], unsure: `\`${lambda.text.slice(0, 60)}\`, a query object`, opaque: true });
      } else if (name && lambda) {
        const calls: string[] = [];
        const p = preloadsIn(lambda, calls);
        facts.scopes.set(name, { preloads: p, calls, ...shapeIn(lambda) });
      }
    } else if (call.name === 'class_methods' && call.block) {
      for (const m of bodyStatements(call.block)) if (m.type === 'method') classMethods.push(m);
    } else if (call.name === 'default_scope') {
      const target = call.block ?? call.args[0];
      if (target) {
        const p = preloadsIn(target);
        if (p.dynamic || p.names.size > 0) facts.defaultScope = p;
      }
    }
  }
  // A class method may return another one's relation (`to_a_paginated(…)` calling `paginate_by_max_id(…)` defined below it).
  for (let pass = 0, before = -1; pass < 3 && facts.scopes.size !== before; pass++) {
    before = facts.scopes.size;
    for (const m of classMethods) addRelationMethod(m, model, facts);
  }
  if (facts.scopes.size > 0 || facts.defaultScope) model.extra.set(KEY, facts);
});

/** Options of `enum` that are not values (Rails 7 names and the older underscored ones). */
const ENUM_OPTIONS = new Set(['prefix', 'suffix', 'scopes', 'default', 'instance_methods', 'validate', '_prefix', '_suffix', '_scopes', '_default', '_instance_methods']);

/**
 * The scopes an `enum` generates, each with the condition it stands for: `enum :status, { pending: 0 }` and
 * `enum status: [:pending]` give `pending` and `not_pending`; `prefix:`/`suffix:` rename them; `scopes: false`,
 * values the syntax does not spell out (a constant) or several attributes in one call give none.
 */
function enumScopes(call: CallInfo): [string, ScopeInfo][] {
  let attribute: string | undefined;
  let values: string[] | undefined;
  const first = literalName(call.args[0]);
  if (first !== undefined) {
    attribute = first;
    const list = call.args[1];
    if (list && list.type === 'hash') values = hashKeys(list);
    else if (list) values = literalNames(list);
    else values = [...call.keywords.keys()].filter((k) => !ENUM_OPTIONS.has(k));
  } else {
    const attributes = [...call.keywords.keys()].filter((k) => !ENUM_OPTIONS.has(k));
    if (attributes.length !== 1) return [];
    attribute = attributes[0];
    const list = call.keywords.get(attribute)!;
    values = list.type === 'hash' ? hashKeys(list) : literalNames(list);
  }
  if (!attribute || !values?.length) return [];
  const option = (name: string) => call.keywords.get(name) ?? call.keywords.get(`_${name}`);
  if (option('scopes')?.type === 'false') return [];
  const affix = (node: Node | undefined): string | undefined | null =>
    !node || node.type === 'false' || node.type === 'nil' ? '' : node.type === 'true' ? attribute : literalName(node) ?? null;
  const prefix = affix(option('prefix'));
  const suffix = affix(option('suffix'));
  if (prefix === null || suffix === null) return [];
  return values.flatMap((value) => {
    const name = `${prefix ? `${prefix}_` : ''}${value}${suffix ? `_${suffix}` : ''}`;
    const where = `(${attribute}: ${JSON.stringify(value)})`;
    return [[name, filterScope(where)], [`not_${name}`, filterScope(where)]] as [string, ScopeInfo][];
  });
}

/** A generated scope that stands for one `where` (`where(status: "pending")`). */
const filterScope = (where: string): ScopeInfo => ({ preloads: emptyPreloads(), calls: [], wheres: [where] });

/** Keys of a literal hash, or undefined when one is not a literal. */
function hashKeys(hash: Node): string[] | undefined {
  const keys: string[] = [];
  for (const pair of hash.namedChildren) {
    if (!pair || pair.type === 'comment') continue;
    const key = pair.type === 'pair' ? pair.childForFieldName('key') : null;
    const name = key?.type === 'hash_key_symbol' ? key.text : literalName(key);
    if (name === undefined) return undefined;
    keys.push(name);
  }
  return keys;
}

/**
 * aasm's state scopes: `aasm do state :pending, :sent end` gives `pending` and `sent` on the column aasm
 * uses (`aasm_state`, or `column:`), unless `create_scopes: false`; a `namespace:` renames them, so none.
 * A state some event moves rows out of (`transitions from: :pending`) holds a workflow's queue, whose size
 * the analysis cannot know; only a state no event leaves accumulates rows like a status filter.
 */
function aasmScopes(call: CallInfo): [string, ScopeInfo][] {
  if (call.keywords.get('create_scopes')?.type === 'false' || call.keywords.has('namespace')) return [];
  const column = literalName(call.keywords.get('column')) ?? 'aasm_state';
  const states: string[] = [];
  const left = new Set<string>();
  let leavesAny = false;
  let events = 0;
  for (const stmt of bodyStatements(call.block!)) {
    const inner = readCall(stmt);
    if (!inner || inner.receiver) continue;
    if (inner.name === 'state') {
      for (const arg of inner.args) {
        const name = literalName(arg);
        if (name !== undefined) states.push(name);
      }
    } else if (inner.name === 'event' && inner.block) {
      events++;
      for (const t of bodyStatements(inner.block)) {
        const transition = readCall(t);
        if (!transition || transition.name !== 'transitions' || transition.receiver) continue;
        const from = transition.keywords.get('from');
        const names = from ? literalNames(from) : undefined;
        if (!names) leavesAny = true; else for (const n of names) left.add(n);
      }
    }
  }
  return states.map((name) => {
    const where = `(${column}: ${JSON.stringify(name)})`;
    // States declared in one `aasm` block and events in another (a concern and its class): which states are
    // left is not known here, so none is taken for a state that only accumulates.
    // Only a state named in a `from:` is a queue; a transition without one makes every state unsure, not a queue.
    const queue = events > 0 && left.has(name);
    const unsure = events === 0 ? 'an aasm state whose events are declared elsewhere'
      : leavesAny || queue ? 'an aasm state that events move rows out of, a queue' : undefined;
    return [name, unsure ? { ...filterScope(where), unsure, opaque: true, ...(queue ? { queue } : {}) } : filterScope(where)];
  });
}

/** Calls that keep a relation a relation (`public_send(key, value)` is a filter scope chosen at run time). */
const RELATION_RETURNING = new Set([...RELATION_METHODS, 'public_send', 'send']);

/**
 * A class method that returns a relation of the model works like a scope (`Post.filter_by(params).each`):
 * `def self.x` / `class << self` / a concern's `class_methods`, whose last expression is a chain of relation
 * calls on self (or a local holding one: `results = where(nil); …; results`).
 */
function addRelationMethod(method: Node, model: ModelInfo, facts: ScopeFacts): void {
  const name = method.childForFieldName('name')?.text;
  const body = method.childForFieldName('body');
  if (!name || !body || facts.scopes.has(name)) return;
  const returned = returnedChains(body, 0);
  if (!returned || returned.length === 0) return;
  const shapes = returned.map((r) => relationChain(r, facts));
  if (shapes.some((r) => r === undefined)) return;
  const calls: string[] = [];
  facts.scopes.set(name, { preloads: preloadsIn(body, calls), calls, ...shapeIn(body), ...(shapes.includes('array') ? { array: true } : {}) });
  model.scopes.add(name);
}

/**
 * The expressions a method body returns: its last statement (a local's first assignment for `results = …; results`),
 * or the last statement of each branch when it ends in an `if`/`unless`/`case` with an else.
 */
function returnedChains(body: Node, depth: number): Node[] | undefined {
  const statements = [...bodyStatements(body)];
  let last: Node | undefined = statements[statements.length - 1];
  if (last?.type === 'identifier') {
    const local = last.text;
    last = statements.find((st) => st.type === 'assignment' && st.childForFieldName('left')?.text === local)?.childForFieldName('right') ?? undefined;
  }
  if (!last) return undefined;
  if (depth < 3 && (last.type === 'if' || last.type === 'unless')) {
    const consequence = last.childForFieldName('consequence');
    const alternative = last.childForFieldName('alternative');
    if (!consequence || alternative?.type !== 'else') return undefined;
    const a = returnedChains(consequence, depth + 1);
    const b = returnedChains(alternative, depth + 1);
    return a && b ? [...a, ...b] : undefined;
  }
  return [last];
}

/** Array conversions at the end of a returned chain (`paginate_by_max_id(…).to_a`, `.reverse`). */
const LOADS_ARRAY = new Set(['to_a', 'load', 'records', 'reverse', 'entries']);

/**
 * Whether `node` is a chain of relation calls on self (or on another relation class method of the model), and
 * whether it ends by loading the records into an Array.
 */
function relationChain(node: Node, facts: ScopeFacts): 'relation' | 'array' | undefined {
  let n: Node | null = node;
  let array = false;
  let first = true;
  for (let depth = 0; n && depth < 30; depth++, first = false) {
    if (n.type !== 'call' && n.type !== 'identifier') return undefined;
    const method = n.type === 'identifier' ? n.text : n.childForFieldName('method')?.text;
    const receiver: Node | null = n.type === 'identifier' ? null : n.childForFieldName('receiver');
    if (method && first && receiver && LOADS_ARRAY.has(method)) { array = true; n = receiver; continue; }
    const known = !!method && (RELATION_RETURNING.has(method) || (!receiver || receiver.type === 'self') && facts.scopes.has(method) && !facts.scopes.get(method)!.array);
    if (!known) return undefined;
    if (!receiver || receiver.type === 'self') return array ? 'array' : 'relation';
    n = receiver;
  }
  return undefined;
}

function scopeInfo(models: ModelIndex, model: ModelInfo, scope: string): ScopeInfo | undefined {
  for (const m of models.ancestry(model)) {
    const info = (m.extra.get(KEY) as ScopeFacts | undefined)?.scopes.get(scope);
    if (info) return info;
  }
  return undefined;
}

/** Preloads of `Model.<scope>`, with those of the scopes it calls (through concerns and superclasses). */
export function scopePreloads(models: ModelIndex, model: ModelInfo, scope: string, depth = 0, seen = new Set<string>()): Preloads | undefined {
  const info = scopeInfo(models, model, scope);
  if (!info || seen.has(scope)) return undefined;
  seen.add(scope);
  let out = info.preloads;
  if (depth < 5) {
    for (const call of new Set(info.calls)) {
      if (call === scope) continue;
      const inner = scopePreloads(models, model, call, depth + 1, seen);
      if (inner) out = mergePreloads(out, inner);
    }
  }
  return out.dynamic || out.names.size > 0 ? out : undefined;
}

/** Preloads of the model's `default_scope`. */
export function defaultScopePreloads(models: ModelIndex, model: ModelInfo): Preloads | undefined {
  for (const m of models.ancestry(model)) {
    const p = (m.extra.get(KEY) as ScopeFacts | undefined)?.defaultScope;
    if (p) return p;
  }
  return undefined;
}

/** `Model.<name>` is a class method that returns the model's records as an Array (`to_a_paginated(…)`). */
export function scopeReturnsArray(models: ModelIndex, model: ModelInfo, scope: string): boolean {
  return scopeInfo(models, model, scope)?.array === true;
}

/** Whether `Model.<scope>` is bounded or ordered by its body or the scopes it calls. */
export function scopeShape(models: ModelIndex, model: ModelInfo, scope: string, depth = 0, seen = new Set<string>()): Shape {
  const info = scopeInfo(models, model, scope);
  if (!info || seen.has(scope)) return {};
  seen.add(scope);
  const out: Shape = { bounded: info.bounded, ordered: info.ordered, unsure: info.unsure, ownerScoped: info.ownerScoped, aged: info.aged, opaque: info.opaque, wheres: info.wheres, queue: info.queue };
  // A condition on a `belongs_to` (`where(recipient: user)`) is one owner's rows; the extractor ran without the associations.
  if (!out.ownerScoped && !out.bounded && !out.unsure) {
    const isBelongsTo = (key: string): boolean => models.association(model.name, key)?.macro === 'belongs_to';
    out.ownerScoped = info.wheres?.map((w) => whereShape(w, isBelongsTo).ownerScoped).find((o) => !!o);
  }
  if (depth < 5) {
    for (const call of new Set(info.calls)) {
      if (call === scope || (out.bounded && out.ordered)) continue;
      const inner = scopeShape(models, model, call, depth + 1, seen);
      out.bounded ??= inner.bounded;
      out.ordered ??= inner.ordered;
      out.unsure ??= inner.unsure;
      out.ownerScoped ??= inner.ownerScoped;
      out.aged ??= inner.aged;
      if (out.unsure === inner.unsure) { out.opaque ??= inner.opaque; out.queue ??= inner.queue; }
    }
  }
  return out;
}
