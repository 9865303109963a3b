// What a method returns, as plain data read once per method: the chains of its last expression (each branch's
// when it ends in an `if`/`case`), of its explicit `return`s and of a memoised `@x ||= chain`, with the method's
// locals replaced by the chains assigned to them. Evaluated where the method is called (`Filter.new(p).results`,
// `popular_posts(min, max)`, `account.followers_for_local_distribution`), so the value a loop iterates or a view
// renders keeps its model, preloads and conditions across the call. Parameters are unknown: a return built from
// one is unknown too.
import type { Node } from '../parsing/treeSitter';
import { attrReaderNames, bodyStatements, definitionIn, ivarAssignmentCounts, methodDefinitions } from '../parsing/ruby';
import { registerModelExtractor, type ModelIndex, type ModelInfo } from '../models/modelIndex';
import { chainOf, emptyPreloads, readPreloads, substitutePassed, substituteRoot, type Chain, type Link, type Preloads } from './chain';
import { RELATION_METHODS, UNKNOWN, evaluate, modelOf, type EvalHooks, type PassedArgsOf, type PassedValues, type ReturnResolver, type Value } from './values';
import type { AppClassSource } from '../callbacks/appClasses';
import { memoByDefinition } from '../core/definitionMemo';

export interface ReturnSummary {
  /** Parameter names: chains rooted at them are what the caller passes, unknown when it passes nothing readable. */
  params: string[];
  /** Which of `params` are keywords (`includes: []`); the others are positional, in order. */
  keywords?: string[];
  /** A `*rest` parameter: positions after it are not known. */
  splat?: boolean;
  /** Keyword defaults that are a literal list of associations (`includes: []`). */
  defaults?: Record<string, Preloads>;
  /** The chains the method may return, one per path that returns something other than nil or an empty literal. */
  chains: Chain[];
  /** When the method returns one array literal (`[items, newer_id]`): per element, its chains (undefined: not a chain). */
  tuple?: (Chain[] | undefined)[];
}

const CHAIN_NODES = new Set(['call', 'identifier', 'constant', 'scope_resolution', 'instance_variable', 'parenthesized_statements']);
const BRANCHY = new Set(['if', 'unless', 'case', 'conditional', 'if_modifier', 'unless_modifier', 'elsif', 'else', 'when', 'in_clause', 'then',
  'rescue', 'rescue_modifier', 'while', 'until', 'while_modifier', 'until_modifier', 'block', 'do_block', 'begin', 'ensure', 'binary']);
const NESTED = new Set(['method', 'singleton_method', 'class', 'module', 'lambda', 'singleton_class']);
/** Returns that add no rows: `nil`, `[]`, `{}`, `false`, `Model.none`, `Model.where('1=0')`. */
const EMPTY = /^(nil|\[\s*\]|\{\s*\}|false|Array\.new|[\w:]+\.none|[\w:]+\.where\(\s*(['"])1\s*=\s*0\2\s*\))$/;

type ParamList = Pick<ReturnSummary, 'params' | 'keywords' | 'splat' | 'defaults'>;

/** A def's parameters: names in order, which are keywords, a `*rest`, literal association-list defaults. */
export function parameterList(method: Node): ParamList {
  const out: ParamList = { params: [] };
  const list = method.childForFieldName('parameters') ?? method.namedChildren.find((c) => c?.type === 'block_parameters');
  for (const p of list?.namedChildren ?? []) {
    if (!p) continue;
    const name = p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier');
    if (p.type === 'splat_parameter') out.splat = true;
    if (!name) continue;
    out.params.push(name.text);
    if (p.type !== 'keyword_parameter') continue;
    (out.keywords ??= []).push(name.text);
    const value = p.childForFieldName('value');
    if (value && (value.type === 'array' || value.type === 'simple_symbol' || value.type === 'hash')) {
      const preloads = emptyPreloads();
      readPreloads(value, preloads);
      if (!preloads.dynamic) (out.defaults ??= {})[name.text] = preloads;
    }
  }
  return out;
}

/**
 * `elsif role.resource.is_a?(Organization)` whose branch yields `role.resource`: that value is an Organization on
 * this path. Keyed by the yielded node's id, the class as written.
 */
type Narrowed = Map<number, Node>;

/** The constant `x.is_a?(C)` (`kind_of?`, `instance_of?`) names when the branch's last statement is `x` itself. */
function narrowedClass(condition: Node | null, yielded: Node): Node | undefined {
  if (condition?.type !== 'call') return undefined;
  const name = condition.childForFieldName('method')?.text;
  if (name !== 'is_a?' && name !== 'kind_of?' && name !== 'instance_of?') return undefined;
  const receiver = condition.childForFieldName('receiver');
  const klass = condition.childForFieldName('arguments')?.namedChildren.filter((c) => !!c);
  if (!receiver || klass?.length !== 1 || !['constant', 'scope_resolution'].includes(klass[0]!.type)) return undefined;
  return receiver.text === yielded.text ? klass[0]! : undefined;
}

/** The expressions a statement in tail position yields: each branch's last statement for `if`/`case`/ternaries. */
function tailNodes(node: Node, out: Node[], depth = 0, narrowed?: Narrowed): boolean {
  if (depth > 8) return false;
  const last = (n: Node | null | undefined, condition?: Node | null): boolean => {
    const statements = bodyStatements(n);
    const end = statements[statements.length - 1];
    if (end && condition && narrowed) {
      const klass = narrowedClass(condition, end);
      if (klass) { narrowed.set(end.id, klass); out.push(end); return true; }
    }
    return end ? tailNodes(end, out, depth + 1, narrowed) : true; // an empty branch returns nil
  };
  switch (node.type) {
    case 'if': case 'unless': case 'elsif': {
      const alternative = node.childForFieldName('alternative');
      if (!last(node.childForFieldName('consequence'), node.type === 'unless' ? null : node.childForFieldName('condition'))) return false;
      return alternative ? tailNodes(alternative, out, depth + 1, narrowed) : true;
    }
    // `@org = if … end` as the last statement: the method returns what it assigns.
    case 'assignment': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (!right || (left?.type !== 'instance_variable' && left?.type !== 'identifier')) { out.push(node); return true; }
      return tailNodes(right, out, depth + 1, narrowed);
    }
    case 'else': return last(node);
    case 'conditional': {
      const a = node.childForFieldName('consequence');
      const b = node.childForFieldName('alternative');
      return (!a || tailNodes(a, out, depth + 1, narrowed)) && (!b || tailNodes(b, out, depth + 1, narrowed));
    }
    case 'case': {
      for (const c of node.namedChildren) if (c && (c.type === 'when' || c.type === 'else') && !last(c.type === 'when' ? c.childForFieldName('body') : c)) return false;
      return true;
    }
    case 'begin': case 'parenthesized_statements': return node.type === 'parenthesized_statements' && node.namedChildCount === 1 ? tailNodes(node.namedChildren[0]!, out, depth + 1, narrowed) : last(node);
    case 'return': {
      const value = node.namedChildren.find((c) => !!c);
      if (!value) return true;
      return tailNodes(value.type === 'argument_list' ? value.namedChildren.find((c) => !!c) ?? value : value, out, depth + 1, narrowed);
    }
    case 'if_modifier': case 'unless_modifier': {
      const body = node.childForFieldName('body');
      return body ? tailNodes(body, out, depth + 1, narrowed) : true;
    }
    default:
      out.push(node);
      return true;
  }
}

/**
 * The summary of a `def`, or undefined when some path returns something the analysis cannot read as a chain
 * (a literal, an interpolated string, a local assigned differently on different paths).
 */
export function returnSummaryOf(method: Node, file: string, classCounts?: () => Map<string, number>): ReturnSummary | undefined {
  return memoByDefinition('returns', method, file, ivarContext(method, classCounts), () => readReturnSummary(method, file, classCounts));
}

/**
 * What a method's summary depends on outside its own text: for each ivar it assigns, how often the class assigns it
 * (see `assignedOnlyIn`).
 */
function ivarContext(method: Node, classCounts?: () => Map<string, number>): string {
  const own = ivarAssignmentCounts(method.text);
  if (own.size === 0) return '';
  const counts = classCounts?.() ?? ownerIvarCounts(method);
  return [...own.keys()].sort().map((ivar) => `${ivar}=${counts.get(ivar) ?? 0}`).join(',');
}

function readReturnSummary(method: Node, file: string, classCounts?: () => Map<string, number>): ReturnSummary | undefined {
  const block = method.type === 'do_block' || method.type === 'block';
  const body = method.childForFieldName('body') ?? (block ? method.namedChildren.find((c) => c?.type === 'body_statement' || c?.type === 'block_body') ?? null : null);
  if (!body) return undefined;
  const params = parameterList(method);
  /** Local → the chains it may hold where it was last assigned (one per branch of an `if`); null once paths disagree. */
  const locals = new Map<string, Chain[] | null>();
  const expr = (node: Node): Chain[] | null => {
    if (node.type === 'operator_assignment' && node.childForFieldName('left')?.type === 'instance_variable') {
      const right = node.childForFieldName('right');
      return right ? expr(right) : null;
    }
    // `page = if params[:before] then items.where(…) else items.order(…) end`: each branch's chain.
    if (node.type === 'if' || node.type === 'unless' || node.type === 'case' || node.type === 'conditional') {
      const tails: Node[] = [];
      if (!tailNodes(node, tails, 0) || tails.length === 0 || tails.length > MAX_ALTERNATIVES) return null;
      const each = tails.map((t) => (CHAIN_NODES.has(t.type) ? expr(t) : null));
      if (each.some((c) => c === null)) return null;
      const all = (each as Chain[][]).flat();
      return all.length <= MAX_ALTERNATIVES ? all : null;
    }
    if (!CHAIN_NODES.has(node.type)) return null;
    // Locals handed to calls (`filtered_orders(orders)`) are replaced too, when they hold one chain.
    const chain = substitutePassed(chainOf(node, file), (name) => { const held = locals.get(name); return held?.length === 1 ? held[0] : undefined; });
    if (chain.root.kind === 'other') return null;
    if ((chain.root.kind === 'name' || chain.root.kind === 'ivar') && locals.has(chain.root.name)) {
      const prefixes = locals.get(chain.root.name);
      return prefixes ? prefixes.map((prefix) => substituteRoot(chain, prefix)) : null;
    }
    return [chain];
  };
  const returned: (Chain[] | null)[] = [];
  let tuple: (Chain[] | undefined)[] | undefined;
  let tuples = 0;
  const narrowed: Narrowed = new Map();
  const addReturn = (node: Node): boolean => {
    const nodes: Node[] = [];
    if (!tailNodes(node, nodes, 0, narrowed)) return false;
    for (const n of nodes) {
      if (EMPTY.test(n.text.trim())) continue;
      const klass = narrowed.get(n.id);
      if (klass) { returned.push([recordOf(klass, file)]); continue; }
      if (n.type === 'array') {
        tuples++;
        tuple = n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => expr(c) ?? undefined);
        continue;
      }
      returned.push(expr(n));
    }
    return true;
  };
  let readable = true;
  const walk = (node: Node, conditional: boolean, depth: number): void => {
    if (depth > 200 || !readable || NESTED.has(node.type)) return;
    if (node.type === 'return') {
      if (memoGuard(node, body)) return;
      if (!addReturn(node)) readable = false;
      return;
    }
    if (node.type === 'assignment' || node.type === 'operator_assignment') {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (right) walk(right, conditional, depth + 1);
      // An ivar the method assigns reads, later in the method, like a local (`@search = …; @search.result`), when the
      // class assigns it in no other method: those it calls may refine it (`@variants = @variants.where(…)`).
      if ((left?.type === 'identifier' || (left?.type === 'instance_variable' && assignedOnlyIn(method, left.text, classCounts))) && right) {
        const chain = expr(right);
        const prior = locals.get(left.text);
        const raw = CHAIN_NODES.has(right.type) ? chainOf(right, file).root : undefined;
        const derived = !!chain && !!prior && (raw?.kind === 'name' || raw?.kind === 'ivar') && raw.name === left.text;
        if (node.type === 'operator_assignment' && prior !== undefined) return; // `x ||= y` keeps x
        if (!conditional) locals.set(left.text, chain);
        // In a branch: `scope = scope.where(…) if x` may not run (the prior value holds on the other path);
        // another value on one path only leaves the local unknown.
        else if (!derived) locals.set(left.text, locals.has(left.text) || chain === null ? null : chain);
      }
      return;
    }
    for (const c of node.namedChildren) if (c) walk(c, conditional || BRANCHY.has(node.type), depth + 1);
  };
  // An endless def (`def posts = Post.where(…)`) has its one expression as the body.
  const endless = method.type !== 'do_block' && method.type !== 'block' && body.type !== 'body_statement';
  const statements = (endless ? [body] : bodyStatements(body)).filter((s) => s.type !== 'rescue' && s.type !== 'ensure' && s.type !== 'else');
  for (const s of statements) walk(s, false, 0);
  const last = statements[statements.length - 1];
  if (!readable || !last || (last.type !== 'return' && !addReturn(last))) return undefined;
  if (tuples > 1 || (tuple && returned.length > 0)) return undefined;
  if (returned.some((c) => c === null)) return undefined;
  const chains = (returned as Chain[][]).flat();
  if (chains.length === 0 && !tuple) return undefined;
  return { ...params, chains, ...(tuple ? { tuple } : {}) };
}

/**
 * Whether every assignment of `ivar` in the class (or module) around `method` is in `method`. `classCounts`: the
 * class's counts, read once for all its methods by the caller; else the class text is read for this method.
 */
function assignedOnlyIn(method: Node, ivar: string, classCounts?: () => Map<string, number>): boolean {
  const counts = classCounts?.() ?? ownerIvarCounts(method);
  return (counts.get(ivar) ?? 0) === (ivarAssignmentCounts(method.text).get(ivar) ?? 0);
}

/** The ivar assignment counts of the class (or module) around `method`, or of the method alone outside one. */
function ownerIvarCounts(method: Node): Map<string, number> {
  let owner: Node | null = method.parent;
  for (let steps = 0; owner && owner.type !== 'class' && owner.type !== 'module' && steps < 16; steps++) owner = owner.parent;
  return ivarAssignmentCounts((owner && (owner.type === 'class' || owner.type === 'module') ? owner : method).text);
}

/** `ivarAssignmentCounts` of `node`'s text, read the first time it is asked for. */
export function lazyIvarCounts(node: Node): () => Map<string, number> {
  return evaluatedOnce(() => ivarAssignmentCounts(node.text));
}

/** `compute`'s answer, computed on the first call and kept (undefined included). */
function evaluatedOnce<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) { done = true; value = compute(); }
    return value;
  };
}

/** Branches a local or a return may take before the analysis stops following them. */
const MAX_ALTERNATIVES = 8;

/**
 * `return @org if instance_variable_defined?(:@org)` (or `if @org`, `if defined?(@org)`) in a method that assigns
 * `@org`: the value of an earlier call, which is what the method's other paths return.
 */
function memoGuard(ret: Node, body: Node): boolean {
  const value = ret.namedChildren.find((c) => !!c);
  const ivar = value?.type === 'argument_list' ? value.namedChildren.find((c) => !!c) : value;
  if (ivar?.type !== 'instance_variable' || ret.parent?.type !== 'if_modifier') return false;
  const condition = ret.parent.childForFieldName('condition')?.text ?? '';
  const name = ivar.text.slice(1);
  const guards = [`@${name}`, `instance_variable_defined?(:@${name})`, `instance_variable_defined? :@${name}`, `defined?(@${name})`, `@${name}.present?`];
  if (!guards.includes(condition.trim())) return false;
  return new RegExp(`(^|[^\\w@])@${name}\\s*(\\|\\|)?=(?!=)`).test(body.text);
}

/** A record of `klass` (a narrowed `x.is_a?(Klass)`), written as the chain `Klass.find(…)`. */
function recordOf(klass: Node, file: string): Chain {
  const chain = chainOf(klass, file);
  const range = chain.rootRange;
  return { ...chain, links: [{ name: 'find', nameRange: range, end: range.end, args: { count: 1, text: '(id)', deps: [] }, hasBlock: false }] };
}

/** Summaries of the instance (`#name`) and class (`.name`) methods of a class body. */
export function returnSummariesOf(body: Node, file: string): Map<string, ReturnSummary> {
  const out = new Map<string, ReturnSummary>();
  const counts = lazyIvarCounts(body);
  const add = (key: string, def: Node): void => {
    if (out.has(key)) { out.delete(key); return; }
    const s = returnSummaryOf(def, file, counts);
    if (s) out.set(key, s);
  };
  defineMethods(body, file, out);
  for (const [key, def] of methodDefinitions(body)) add(key, def);
  return out;
}

/**
 * `define_method(:local_code) do … end`, also inside a macro a concern defines (`def has_code(…)` in `class_methods`):
 * an instance method of the classes using it. Defined on several paths: the summaries' chains are alternatives.
 */
function defineMethods(body: Node, file: string, out: Map<string, ReturnSummary>): void {
  // Most bodies define none: a text search spares the walk (and the node arrays it would build) per keystroke.
  if (!body.text.includes('define_method')) return;
  const found = new Map<string, ReturnSummary | null>();
  const stack: Node[] = [body];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'class' || n.type === 'module') continue;
    if (n.type === 'call' && !n.childForFieldName('receiver') && n.childForFieldName('method')?.text === 'define_method') {
      const arg = n.childForFieldName('arguments')?.namedChildren.find((c) => !!c);
      const block = n.childForFieldName('block');
      const name = arg?.type === 'simple_symbol' ? arg.text.slice(1) : undefined;
      if (name && block) {
        const summary = returnSummaryOf(block, file) ?? null;
        const prior = found.get(`#${name}`);
        found.set(`#${name}`, prior === undefined ? summary : prior && summary && !prior.tuple && !summary.tuple
          ? { params: [...prior.params, ...summary.params], chains: [...prior.chains, ...summary.chains] } : null);
      }
      continue;
    }
    const children = n.children;
    for (let i = 0; i < children.length; i++) if (children[i].isNamed) stack.push(children[i]);
  }
  for (const [key, summary] of found) if (summary) out.set(key, summary);
}

const KEY = 'queries.methodReturns';
registerModelExtractor((model: ModelInfo, body: Node, file: string) => {
  const found = returnSummariesOf(body, file);
  if (found.size > 0) model.extra.set(KEY, found);
});

function modelReturnSummary(models: ModelIndex, model: ModelInfo, key: string): ReturnSummary | undefined {
  for (const m of models.ancestry(model)) {
    const summary = (m.extra.get(KEY) as Map<string, ReturnSummary> | undefined)?.get(key);
    if (summary) return summary;
  }
  return undefined;
}

const MAX_DEPTH = 5;

/** Where a summary is evaluated: self (a model, or none for a plain class) and the owner's other methods. */
interface Owner {
  self?: { model: ModelInfo; on: 'class' | 'instance' };
  /** Another method of the same owner (`#name` / `.name`). */
  sibling(key: string): ReturnSummary | undefined;
  /** An instance variable's value, when the instance was built here with known arguments (`X.new(posts).m`). */
  ivar?(name: string): Value | undefined;
  /** `attr_reader :relation`: the bare name reads `@relation`. */
  readers?: string[];
}

/** What `initialize` stores: `@relation = relation` (one plain assignment from a parameter), and the attr readers. */
export interface Initializer extends ParamList {
  /** Instance variable → the parameter it holds. */
  stores: Record<string, string>;
  /**
   * Instance variable → the chain a method assigns it at its top level (`@orders = fetch_orders` in initialize, read with
   * initialize's arguments; `@search = Order.ransack(q)` in another method, its parameters unknown).
   */
  computed?: Record<string, { chain: Chain; params?: ParamList }>;
  readers?: string[];
}

/**
 * The ivars `def initialize(relation = nil) @relation = relation end` fills from its parameters (assigned once in the
 * class, at the top level of initialize), and the class's `attr_reader`/`attr_accessor` names.
 */
export function initializerOf(body: Node, file: string): Initializer | undefined {
  const defs = methodDefinitions(body).filter(([key]) => key === '#initialize');
  if (defs.length !== 1) return undefined;
  const init = defs[0][1];
  const params = parameterList(init);
  const stores: Record<string, string> = {};
  const computed: Record<string, { chain: Chain; params?: ParamList }> = {};
  for (const [key, def] of methodDefinitions(body)) {
    if (!key.startsWith('#')) continue;
    const own = key === '#initialize' ? undefined : parameterList(def);
    for (const stmt of bodyStatements(def.childForFieldName('body'))) {
      const left = stmt.type === 'assignment' ? stmt.childForFieldName('left') : undefined;
      const right = stmt.childForFieldName('right');
      if (left?.type !== 'instance_variable' || !right) continue;
      if (!own && right.type === 'identifier' && params.params.includes(right.text)) stores[left.text] = right.text;
      else if (right.type === 'call' || right.type === 'identifier') computed[left.text] = { chain: chainOf(right, file), ...(own ? { params: own } : {}) };
    }
  }
  // Written again anywhere in the class (`@relation = relation.where(…)` in a method): not the constructor's value.
  const counts = ivarAssignmentCounts(body.text);
  const once = (ivar: string): boolean => counts.get(ivar) === 1;
  for (const ivar of Object.keys(stores)) if (!once(ivar)) delete stores[ivar];
  for (const ivar of Object.keys(computed)) if (!once(ivar)) delete computed[ivar];
  if (Object.keys(stores).length === 0 && Object.keys(computed).length === 0) return undefined;
  const readers = attrReaderNames(body);
  return { ...params, stores, ...(Object.keys(computed).length > 0 ? { computed } : {}), ...(readers.length > 0 ? { readers } : {}) };
}

/**
 * Resolves calls to the methods whose returns the analysis reads: self's (`own`, for the file being analysed),
 * models' (through the model index) and the app's plain classes' (`X.new(…).m`, `X.instance.m`, `X.m`).
 */
export function returnResolver(models: ModelIndex, classes: AppClassSource | undefined, own?: Owner, depth = 0, local = depth === 0 ? own : undefined): ReturnResolver {
  const valueOf = (summary: ReturnSummary, owner: Owner, element: number | undefined, label: string, argsOf?: PassedArgsOf): Value => {
    const value = valueOfSummary(summary, owner, element, argsOf);
    // A reader without parameters defined in the file being analysed (`def checks = @checks ||= Check.where(…)`)
    // is read like the code it names: the rows do not depend on a caller the analysis cannot see.
    return owner === local && summary.params.length === 0 ? value : returned(value, label);
  };
  const valueOfSummary = (summary: ReturnSummary, owner: Owner, element?: number, argsOf?: PassedArgsOf): Value => {
    if (depth >= MAX_DEPTH) return UNKNOWN;
    /** The call's arguments, evaluated the first time a parameter is read. */
    const args = evaluatedOnce((): PassedValues | undefined => argsOf?.());
    const inner = returnResolver(models, classes, owner, depth + 1, local);
    let usedArguments = false;
    const hooks: EvalHooks = {
      models, self: owner.self, returns: inner,
      resolveRoot(chain) {
        if (chain.root.kind === 'name' && summary.params.includes(chain.root.name)) {
          const value = parameterValue(summary, chain.root.name, args());
          if (value.kind !== 'unknown') usedArguments = true;
          return value;
        }
        const ivar = chain.root.kind === 'ivar' ? chain.root.name : chain.root.kind === 'name' && owner.readers?.includes(chain.root.name) ? `@${chain.root.name}` : undefined;
        if (ivar) {
          const value = owner.ivar?.(ivar) ?? UNKNOWN;
          if (value.kind !== 'unknown') usedArguments = true;
          return value;
        }
        return undefined;
      },
      preloadsOf(name) {
        if (!summary.keywords?.includes(name)) return undefined;
        const given = args();
        if (!given) return undefined;
        const preloads = given.preloads.get(name) ?? (given.keywords.has(name) ? undefined : summary.defaults?.[name]);
        if (preloads) usedArguments = true;
        return preloads;
      },
    };
    const chains = element === undefined ? summary.chains : summary.tuple?.[element] ?? [];
    let values = chains.map((c) => pickedByArguments(evaluate(c, hooks), c, summary.params));
    if (values.length === 0 || values.some((v) => v.kind === 'unknown' || !v.model)) return UNKNOWN;
    if (values.some((v) => v.kind !== values[0].kind || v.model?.name !== values[0].model?.name)) return UNKNOWN;
    // Rows built from what the caller passed (`get_page_items(comments, includes: [:author])`): what to preload is the
    // caller's to say, so the value names no place in the method's body to add it (a fix there would reach every caller).
    if (usedArguments) values = values.map((v) => ({ ...v, origin: undefined }));
    return values.length === 1 ? values[0] : { ...values[0], alternatives: values.flatMap((v) => v.alternatives ?? [v]), bounded: values.every((v) => v.bounded) ? values[0].bounded : undefined };
  };
  /** An app class's methods; built with `new(args)`, its ivars hold what initialize stored from them. */
  const appOwner = (name: string, built: boolean, newArgsOf?: PassedArgsOf): Owner | undefined => {
    const klass = classes?.find(name);
    if (!klass) return undefined;
    const init = klass.initializer;
    if (!init || !built) return { sibling: (key) => klass.returns?.get(key) };
    const newArgs = evaluatedOnce((): PassedValues | undefined => newArgsOf?.());
    /** Ivars being computed: `@a = a` where `a` reads `@a` is unknown, not a loop. */
    const computing = new Set<string>();
    const owner: Owner = {
      sibling: (key) => klass.returns?.get(key),
      readers: init.readers,
      ivar: (ivar) => {
        if (init.stores[ivar]) return parameterValue({ ...init, chains: [] }, init.stores[ivar], newArgs());
        const assigned = init.computed?.[ivar];
        if (!assigned || computing.has(ivar)) return undefined;
        computing.add(ivar);
        try {
          // Assigned in initialize: its arguments are new's; in another method: its parameters are unknown.
          const summary: ReturnSummary = { ...(assigned.params ?? init), chains: [assigned.chain] };
          return valueOfSummary(summary, owner, undefined, assigned.params ? undefined : newArgs);
        } finally { computing.delete(ivar); }
      },
    };
    return owner;
  };
  return {
    self(name, element, args) {
      const first = own?.self?.on === 'class' ? '.' : '#';
      const summary = own?.sibling(`${first}${name}`) ?? (own?.self ? undefined : own?.sibling(`.${name}`));
      return summary && own ? valueOf(summary, own, element, name, args) : undefined;
    },
    method(model, on, name, args) {
      const summary = modelReturnSummary(models, model, `${on === 'class' ? '.' : '#'}${name}`);
      if (!summary) return undefined;
      const value = valueOf(summary, { self: { model, on }, sibling: (key) => modelReturnSummary(models, model, key) }, undefined, `${model.name}${on === 'class' ? '.' : '#'}${name}`, args);
      // `def transactions = Transaction.where(hcb_code:)`: rows picked by one record's values, as many as that record has.
      if (on !== 'instance' || value.kind !== 'relation') return value;
      const short = model.name.split('::').pop();
      const mark = (v: Value): Value => (v.filtered && !v.association && !v.bounded && !v.ownerScoped && !v.unsure
        ? { ...v, ownerScoped: `\`${short}#${name}\` (rows picked by one ${short}'s values)` } : v);
      return value.alternatives ? { ...mark(value), alternatives: value.alternatives.map(mark) } : mark(value);
    },
    constant(chain, element, argsOf) {
      if (chain.root.kind !== 'const' || modelOf(models, chain.root.name) || !classes) return undefined;
      const links = chain.links;
      // `X.new(…).m`, `X.instance.m`: an instance method; `X.m`: a class method.
      const instance = links.length >= 2 && (links[0].name === 'new' || links[0].name === 'instance');
      const method: Link | undefined = instance ? links[1] : links[0];
      if (!method) return undefined;
      const built = instance && links[0].name === 'new';
      const owner = appOwner(chain.root.name, built, built && argsOf ? () => argsOf(links[0]) : undefined);
      const summary = owner?.sibling(`${instance ? '#' : '.'}${method.name}`);
      // `SearchOrders.new(params, user).orders` where `attr_reader :orders` reads what initialize assigned.
      if (owner && !summary && instance && owner.readers?.includes(method.name)) {
        const value = owner.ivar?.(`@${method.name}`);
        return value && value.kind !== 'unknown' ? { value: returned(value, `${chain.root.name}#${method.name}`), count: 2 } : undefined;
      }
      if (!owner || !summary) return undefined;
      const value = valueOf(summary, owner, element, `${chain.root.name}${instance ? '#' : '.'}${method.name}`, argsOf ? () => argsOf(method) : undefined);
      return value.kind === 'unknown' ? undefined : { value, count: instance ? 2 : 1 };
    },
  };
}

/**
 * The value a parameter holds: what the caller passes in its place (a positional argument by position, a keyword by
 * name), unknown when the call passes nothing readable there or positions are lost to a `*rest`.
 */
function parameterValue(summary: ReturnSummary, name: string, args: PassedValues | undefined): Value {
  if (!args) return UNKNOWN;
  if (summary.keywords?.includes(name)) return args.keywords.get(name) ?? UNKNOWN;
  if (summary.splat) return UNKNOWN;
  const position = summary.params.filter((p) => !summary.keywords?.includes(p)).indexOf(name);
  return args.positional[position] ?? UNKNOWN;
}

/**
 * `def self.similar_to(url) = where(normalized_url: url)`: the rows depend on what the caller passes, which the
 * analysis does not know (one story's URL, or a state shared by half the table): size unknown, not a table scan.
 */
/**
 * Rows that reach a loop through another method's return. Measured on 22 apps, such loops were mostly worth little as
 * warnings (2 of 8: maintenance scripts, reference tables, daily backlogs, rows the caller picks): the value is
 * followed, so the N+1 is found, but its size is not judged across the method boundary (a hint that says so).
 */
function returned(value: Value, label: string): Value {
  const mark = (v: Value): Value => ((v.kind === 'relation' || v.kind === 'array') && !v.bounded && !v.literal && !v.returnedBy ? { ...v, returnedBy: label } : v);
  return value.alternatives ? { ...mark(value), alternatives: value.alternatives.map(mark) } : mark(value);
}

const PICKING_METHODS = new Set(['where', 'not', 'or', 'rewhere', 'having', 'find_by', 'find_by!', 'excluding', 'without']);

function pickedByArguments(value: Value, chain: Chain, params: string[]): Value {
  if (params.length === 0 || (value.kind !== 'relation' && value.kind !== 'array') || !value.filtered || value.bounded || value.ownerScoped || value.unsure) return value;
  const mentions = (text: string): boolean => params.some((p) => new RegExp(`(^|[^\\w@.:$])${p}\\b(?!\\s*[(?!])`).test(text));
  // Conditions (`where`, `not`, a scope called with it), not `order(id: direction)` or `limit(n)`.
  const selects = (l: Link): boolean => PICKING_METHODS.has(l.name) || !RELATION_METHODS.has(l.name);
  const argument = chain.links.find((l) => selects(l) && mentions(l.args.text));
  return argument ? { ...value, unsure: `\`${argument.name}${argument.args.text}\` with the caller's arguments` } : value;
}

/** An owner made of the methods a file defines (a name defined twice is left out). */
export function fileOwner(root: Node, file: string, self?: Owner['self']): Owner {
  let methods: Map<string, ReturnSummary | null> | undefined;
  return {
    self,
    sibling(key) {
      if (!methods) {
        methods = new Map();
        // Each method with the ivar assignment counts of its class, read once per class.
        const stack: [Node, (() => Map<string, number>) | undefined][] = [[root, undefined]];
        while (stack.length > 0) {
          const [n, counts] = stack.pop()!;
          const def = n.type === 'call' ? definitionIn(n) : undefined;
          if (def) { stack.push([def, counts]); continue; }
          if (n.type === 'method' || (n.type === 'singleton_method' && n.childForFieldName('object')?.type === 'self')) {
            const name = `${n.type === 'method' ? '#' : '.'}${n.childForFieldName('name')?.text}`;
            methods.set(name, methods.has(name) ? null : returnSummaryOf(n, file, counts) ?? null);
            continue;
          }
          const inner = n.type === 'class' || n.type === 'module' ? lazyIvarCounts(n) : counts;
          if (['program', 'class', 'module', 'body_statement'].includes(n.type)) for (const c of n.namedChildren) if (c) stack.push([c, inner]);
        }
      }
      return methods.get(key) ?? undefined;
    },
  };
}
