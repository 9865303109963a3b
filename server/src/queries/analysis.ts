// One pass over a file (Ruby or an ERB view's Ruby projection) that types every method chain
// (values.ts), binds loop block parameters to the elements of what they loop over, follows locals and
// instance variables (into the controller for views, into the rendering view for partials) and
// records the sites the query rules report. Shared by all query rules through ctx.derive.
import type { Node, Tree } from '../parsing/treeSitter';
import type { RuleContext } from '../core/rule';
import type { Range } from '../core/types';
import { constantText, definitionIn, nodeRange } from '../parsing/ruby';
import { declaredClasses, extractModels, ModelIndex, type AssociationInfo, type ModelInfo } from '../models/modelIndex';
import { tableize, underscore, singularize } from '../models/inflector';
import { chainOf, emptyPreloads, dynamicPreloads, type Chain, type Link } from './chain';
import { BATCH_LOOPS, LOOP_METHODS, UNKNOWN, elementOf, evaluate, modelOf, passedValues, step, type EvalHooks, type Value } from './values';
import { templateKey, type ControllerIndex, type ControllerInfo, type ControllerMethod, type CollectionRender } from './controllerIndex';
import { chainText } from './fixes';
import { BOUNDED_READERS, cardinalityOf, larger, type Cardinality } from './cardinality';
import { impactOf, seedsStopInProduction, STAFF_GATE, withStaffPath, type ImpactInfo } from './impact';
import { drainedCardinality, loopBodyFacts, methodRoundTrip } from './loopBody';
import { offlinePatterns, queriesConfig } from './settings';
import { tableSizes, type TableSizes } from './tableSize';
import { templateLanguage } from '../parsing/templates';
import { ComponentValues, isComponentFile, isComponentTemplate, type ComponentElement, type ComponentInfo } from './components';
import { modelParamSummary, paramSummaryOf, type ParamSummary } from './paramReads';
import { appClassesOf, type AppClassSource } from '../callbacks/appClasses';
import { fileOwner, returnResolver } from './methodReturns';
import type { ReturnResolver } from './values';
import { camelize } from '../models/inflector';
import { commentAbove, documentedParamTypes } from './docTypes';

/**
 * The staff check every controller serving this file runs first (`before_action :redirect_unless_moderator`,
 * a parent's `require_admin`): a back-office page. For a view, every action rendering it (or a template that
 * renders the partial) must be gated.
 */
export function staffGate(controllers: ControllerIndex, file: string, viewKey: string | undefined): string | undefined {
  const gateOf = (c: ControllerInfo): string | undefined => {
    for (const k of controllers.ancestry(c)) {
      const gate = k.beforeActions.find((b) => STAFF_GATE.test(b.method) && !b.only);
      if (gate) return `a page behind \`before_action :${gate.method}\``;
    }
    return undefined;
  };
  const all = (gates: (string | undefined)[]): string | undefined => (gates.length > 0 && gates.every(Boolean) ? gates[0] : undefined);
  if (!viewKey) return all(controllers.controllers().filter((c) => c.file === file).map(gateOf));
  let keys = [viewKey];
  if (/(^|\/)_[^/]+$/.test(viewKey)) keys = controllers.renderersOf(viewKey);
  // Each action rendering the view: a staff before_action, or a Pundit policy only staff pass.
  return all(keys.flatMap((k) => controllers.actionsRendering(k).map((a) => gateOf(a.controller) ?? controllers.policyGate(a.controller, a.action))));
}

/** The identifiers a parameter list or `for` pattern binds (`|user, index|`, `|(a, b)|`, `for a, b in …`). */
function boundNames(node: Node | null | undefined): string[] {
  const names: string[] = [];
  const collect = (n: Node): void => { if (n.type === 'identifier') names.push(n.text); else for (const c of n.namedChildren) if (c) collect(c); };
  if (node) collect(node);
  return names;
}

/** The names a block binds. */
function blockParamNames(block: Node): string[] {
  return boundNames(block.childForFieldName('parameters') ?? block.namedChildren.find((c) => c?.type === 'block_parameters'));
}

export interface LoopInfo {
  id: number;
  /** Names whose value changes per iteration: block parameters and locals assigned in the loop. */
  vars: Set<string>;
  /** Loops over literal arrays, ranges and constants are not per-row work. */
  literal: boolean;
  /** How many times it runs, as far as the code says (literal loops: bounded). */
  cardinality: Cardinality;
  /** A loop over batches (`each_slice`, `find_in_batches`, `in_batches`): a query per batch is the point. */
  batch?: boolean;
  parent?: LoopInfo;
  /** Implicit loop: a partial rendered once per element of a collection. */
  partial?: boolean;
  /** The implicit loop is a ViewComponent rendered per element (`with_collection`, or `.new` in a loop). */
  component?: boolean;
  /** A write or I/O call every iteration makes (`user.save`, `deliver_later`): the loop costs a round trip per row anyway. */
  perRowWork?: string;
  /** The cardinality when the body drains an aged relation (a pruner's backlog), replacing the collection's. */
  drained?: Cardinality;
}

/** A link of a chain with the values around it. */
export interface LinkSite {
  chain: Chain;
  index: number;
  link: Link;
  next?: Link;
  receiver: Value;
  result: Value;
  loop?: LoopInfo;
  /**
   * In a loop, the statement holding the call is followed on its path by an unconditional `return` (or a `break`
   * out of the only loop around it): it runs at most once, when the iteration that reaches it ends the loop.
   */
  once?: boolean;
  /** The chain's root is a variable (local or ivar) and nothing but this link follows it. */
  rootVariable?: string;
  /** Range from the chain's root to this link's name. */
  range: Range;
  /** The value of the whole chain is used (assigned, passed, returned), not a statement on its own. */
  valueUsed: boolean;
  /** The chain starts at a local variable or instance variable (the query may be built elsewhere). */
  rootIsVariable: boolean;
  /** Inside the arguments of a select-box helper (`options_for_select(@users.map { … })`). */
  inOptionList: boolean;
  /** The chain's root variable is read again after this statement in the same method (the loaded records are reused). */
  reusedAfter?: boolean;
  /** Where this code runs: the file's impact, or its method's (a method that prints to stdout is a console command). */
  impact: ImpactInfo;
  /** Inside a job's `perform` that takes arguments (a job run per event): their names. */
  eventParams?: string[];
}

const OPTION_HELPERS = /^(options_for_select|options_from_collection_for_select|grouped_options_for_select|select|select_tag|collection_select|collection_check_boxes|collection_radio_buttons)$/;

function inOptionList(node: Node): boolean {
  let n: Node | null = node.parent;
  for (let i = 0; n && i < 8; i++, n = n.parent) {
    if (n.type === 'call') {
      const name = n.childForFieldName('method')?.text;
      if (name && OPTION_HELPERS.test(name)) return true;
    }
  }
  return false;
}

export interface QueryModel {
  links: LinkSite[];
  /** Values of instance variables and chains that views iterate, for unbounded-render. */
  loops: { site: LinkSite; collection: Value; loop?: LoopInfo }[];
  /** Collection renders in this view (`render @posts`) with the collection's value. */
  renders: { range: Range; value: Value }[];
  /** Values of expressions by node id (top-level chains, ivars). */
  values: Map<number, Value>;
  /** Loop-carried association values of a partial's locals: true when this file is a partial rendered per element. */
  partialRendered: boolean;
  /** The app's model index, plus models this file defines that it does not know yet (a snippet, an unsaved model). */
  models: ModelIndex | undefined;
  /** Where this file's code runs. */
  impact: ImpactInfo;
  /** What the code says about each model's table size (for "every row" loops). */
  sizes: TableSizes | undefined;
  /** Every loop by id (per-row values name their loop by `perRow.loopId`). */
  loopsById: Map<number, LoopInfo>;
  /** Calls in a loop that pass the loop's element to a method whose summary the analysis found. */
  perRowCalls: PerRowCall[];
}

/** `notify(item)` / `Notifier.new.call(item)` / `post.summary_for(item)` in a loop over items. */
export interface PerRowCall {
  site: LinkSite;
  /** Per positional argument: the loop element (a per-row record) it passes, if it passes one. */
  args: (Value | undefined)[];
  summary: ParamSummary;
  /** How messages name the method: `notify`, `Notifier#call`, `Post#summary_for`. */
  label: string;
  /** The summary of another method of the same owner (a parameter passed on: `other(item)`). */
  lookup: (method: string) => ParamSummary | undefined;
  /** Not in a loop here: the called method loops over the collection passed (`each` where it is written). */
  calleeLoop?: { method: string; file: string; line: number; character: number };
}

/** How many rows the loop `loopId` over `collection` sees: the collection's size, unless the loop drains it. */
export function rowCardinality(model: QueryModel, loopId: number, collection: Value): Cardinality {
  return model.loopsById.get(loopId)?.drained ?? cardinalityOf(collection, model.sizes);
}

/** The write or I/O call made per row by a loop binding one of `deps` (or the loop `loopId`). */
export function perRowWorkOf(model: QueryModel, loop: LoopInfo | number | undefined, deps?: Iterable<string>): string | undefined {
  const start = typeof loop === 'number' ? model.loopsById.get(loop) : loop;
  const wanted = deps ? new Set(deps) : undefined;
  for (let l = start; l; l = l.parent) {
    const binds = !wanted || [...wanted].some((d) => l!.vars.has(d) && !l!.parent?.vars.has(d));
    if (binds && l.perRowWork) return l.perRowWork;
    if (typeof loop === 'number') break;
  }
  return undefined;
}

/**
 * How often code depending on `deps` runs: the size of each loop that binds one of them (its block
 * parameters or locals assigned in its body), the largest when several do. Without deps: every enclosing loop.
 */
export function loopCardinality(loop: LoopInfo, deps?: Iterable<string>): Cardinality {
  const wanted = deps ? new Set(deps) : undefined;
  let card: Cardinality | undefined;
  for (let l: LoopInfo | undefined = loop; l; l = l.parent) {
    const binds = !wanted || [...wanted].some((d) => l!.vars.has(d) && !l!.parent?.vars.has(d));
    if (binds) card = card ? larger(card, l.cardinality) : l.cardinality;
  }
  return card ?? loop.cardinality;
}

/** The app's index, or a copy that also has the models defined in this file when the index lacks them. */
function withOwnModels(models: ModelIndex | undefined, tree: Tree, file: string): ModelIndex | undefined {
  if (models && (models.hasFile(file) || !declaresUnknownModel(models, tree))) return models;
  const own = extractModels(tree, file).filter((m) => m.kind === 'class');
  if (own.length === 0 || (models && own.every((m) => models.resolve(m.name)))) return models;
  const copy = models ? models.copy() : new ModelIndex();
  copy.update(file, own);
  return copy;
}

const RECORD_BASES = /^(::)?(ActiveRecord::Base|(\w+::)*ApplicationRecord)$/;

/**
 * Whether the file declares a class the index lacks whose superclass is a model (or ActiveRecord):
 * the only classes worth a private copy of the index. Controllers, jobs and services are not
 * extracted at all (most files of an app, and a copy re-links every model).
 */
function declaresUnknownModel(models: ModelIndex, tree: Tree): boolean {
  const recordClasses = new Set<string>();
  for (const { name, superclass, namespace } of declaredClasses(tree)) {
    if (!superclass) continue;
    const isRecord = RECORD_BASES.test(superclass) || recordClasses.has(superclass) || !!models.resolve(superclass, namespace);
    if (!isRecord) continue;
    if (!models.resolve(name)) return true;
    recordClasses.add(name);
  }
  return false;
}

interface Scope {
  locals: Map<string, Value>;
  loaded: Set<string>;
  parent?: Scope;
  /** Method scopes stop local lookups (blocks do not). */
  method: boolean;
  self?: { model: ModelInfo; on: 'class' | 'instance' };
  loop?: LoopInfo;
  preloader: boolean;
  /** Variables last assigned inside a branch (`if`, `case`, a modifier): the value before, for uses outside it. */
  branches?: Map<string, Branch>;
  /** A method's own impact when it differs from the file's. */
  impact?: ImpactInfo;
  /** A job's `perform` with arguments: their names. */
  eventParams?: string[];
  /** For an instance method (a controller action): its name. */
  methodName?: string;
  /** The enclosing method's (or the file's) text and start offset, read once for "is it read again after?". */
  source?: Source;
  /** The body of the class the code is in (a class scope, and the methods in it), for ivars other methods assign. */
  classBody?: Node;
  /** The `def` of a method scope. */
  def?: Node;
}

/** Output to a terminal (`$stdout`, `STDOUT`, a `stdout` parameter, Thor's `say`): code run by hand. A bare `puts` is
 *  not enough: it is also a leftover debug line in request code. */
const CONSOLE_OUTPUT = /\$stdout\b|\bSTDOUT\b|\bstdout\.(puts|print|write)\b|(^|[^\w.:@$])say[ (]["':]/m;
/** `puts`/`print` in a file that turns off rubocop's Rails/Output: output the team meant, not a leftover debug line. */
const BARE_OUTPUT = /(^|[^\w.:@$])(puts|print)[ (]/m;
const OUTPUT_COP_OFF = /#\s*rubocop:disable\b[^\n]*\bRails\/Output\b/;

interface Branch { range: Range; prior?: Value; /** `posts = posts.where(…)`: the new value refines the prior one. */ derived: boolean }

const BRANCH_TYPES = new Set(['if', 'unless', 'elsif', 'else', 'case', 'when', 'in_clause', 'if_modifier', 'unless_modifier', 'conditional',
  'rescue', 'rescue_modifier', 'while', 'until', 'while_modifier', 'until_modifier', 'ensure']);
const SCOPE_BOUNDARIES = new Set(['method', 'singleton_method', 'block', 'do_block', 'lambda', 'class', 'module', 'program']);

/** The innermost conditional construct around `node` within its method or block. */
function enclosingBranch(node: Node): Node | undefined {
  for (let n = node.parent; n && !SCOPE_BOUNDARIES.has(n.type); n = n.parent) if (BRANCH_TYPES.has(n.type)) return n;
  return undefined;
}

function inside(range: Range, at: Range['start']): boolean {
  const after = at.line > range.start.line || (at.line === range.start.line && at.character >= range.start.character);
  const before = at.line < range.end.line || (at.line === range.end.line && at.character <= range.end.character);
  return after && before;
}

/** The value of a variable assigned in a branch, seen from a use outside that branch: either path may have run. */
function afterBranch(value: Value, branch: Branch): Value {
  const prior = branch.prior;
  if (!prior) return value;
  if (branch.derived) {
    // Only the prior value's origin runs on every path: a fix must edit there.
    return { ...value, origin: prior.origin, alternatives: prior.alternatives, bounded: prior.bounded, unsure: prior.unsure, ownerScoped: prior.ownerScoped, preloads: prior.preloads, literal: prior.literal };
  }
  return combine([prior, value]) ?? UNKNOWN;
}

const EXPRESSION_PARENTS = new Set(['assignment', 'operator_assignment', 'argument_list', 'pair', 'return', 'array', 'binary', 'conditional',
  'element_reference', 'interpolation', 'parenthesized_statements', 'unary', 'if_modifier', 'unless_modifier']);

export function queryModel(ctx: RuleContext): QueryModel {
  return ctx.derive('queries/model', () => buildModel(ctx));
}

function buildModel(ctx: RuleContext): QueryModel {
  const models = ctx.tree ? withOwnModels(ctx.app.models, ctx.tree, ctx.file) : undefined;
  const relative = ctx.file.slice(ctx.app.root.length).replace(/\\/g, '/').replace(/^\//, '');
  let impact = withStaffPath(impactOf(relative, ctx.kind, offlinePatterns(ctx.app)), relative);
  if (ctx.tree) impact = seedsStopInProduction(relative, ctx.tree.rootNode) ?? impact;
  const config = queriesConfig(ctx.app);
  const sizes = models ? tableSizes(models, config.largeTables, config.smallTables) : undefined;
  const out: QueryModel = { links: [], loops: [], renders: [], values: new Map(), partialRendered: false, models, impact, sizes, loopsById: new Map(), perRowCalls: [] };
  if (!ctx.tree || !models) return out;
  // Test code (specs, cucumber steps) runs against tiny databases: no query findings there.
  if (impact.impact === 'test') return out;
  const componentFile = ctx.kind === 'ruby' && isComponentFile(ctx.file);
  const controllers = ctx.kind === 'view' || ctx.kind === 'controller' || componentFile ? safeControllers(ctx) : undefined;
  const viewKey = ctx.kind === 'view' ? templateKey(ctx.file) : undefined;
  if (impact.impact === 'request' && !impact.staff && controllers) {
    const gate = staffGate(controllers, ctx.file, viewKey);
    if (gate) impact = { ...impact, staff: gate };
    out.impact = impact;
  }
  let loopIds = 0;
  const outputIntended = OUTPUT_COP_OFF.test(ctx.text);
  const classes = appClassesOf(ctx.app);
  /** Calls into the file's own methods, models' methods and the app's classes, by what they return. */
  const returns = returnResolver(models, classes, fileOwner(ctx.tree.rootNode, ctx.file));
  const partialLocals = new Map<string, Value>();
  if (viewKey && controllers && /(^|\/)_[^/]+$/.test(viewKey)) {
    for (const [local, value] of partialLocalValues(viewKey, controllers, models, () => -1 - loopIds++, classes)) partialLocals.set(local, value);
    out.partialRendered = partialLocals.size > 0;
  }
  const partialCollection = [...partialLocals.values()][0]?.perRow?.collection;
  const partialLoop: LoopInfo = {
    id: -1, vars: new Set(partialLocals.keys()), literal: false, partial: true,
    cardinality: partialCollection ? cardinalityOf(partialCollection, sizes) : { kind: 'unknown', why: 'a collection rendered elsewhere' },
  };
  const ivarCache = new Map<string, Value | undefined>();
  // A ViewComponent's template: its ivars and bare method calls are the component's.
  // Its Ruby file too: the methods read the same ivars, and run once per render.
  const componentInfo = ctx.kind === 'view' && controllers && isComponentTemplate(ctx.file) ? controllers.componentForTemplate(ctx.file)
    : componentFile && controllers ? controllers.componentInFile(ctx.file) : undefined;
  const componentElement = componentInfo && controllers ? componentElementOf(componentInfo, controllers, models, () => -1 - loopIds++, classes) : undefined;
  const component = componentInfo ? new ComponentValues(componentInfo, models, componentElement) : undefined;
  const componentLoop: LoopInfo | undefined = componentElement?.value.perRow ? {
    id: componentElement.value.perRow.loopId, vars: new Set([`@${componentElement.param}`, componentElement.param]), literal: false, partial: true, component: true,
    cardinality: cardinalityOf(componentElement.value.perRow.collection, sizes),
  } : undefined;
  const viewIvar = (name: string): Value | undefined => {
    if (component) return component.ivar(name);
    if (!viewKey || !controllers) return undefined;
    if (!ivarCache.has(name)) ivarCache.set(name, ivarValueForTemplate(viewKey, name, controllers, models, 0, classes));
    return ivarCache.get(name);
  };
  /** A bare name in a template that the rendering controllers declare with `helper_method`. */
  const viewHelper = (name: string): Value | undefined => {
    if (component || !viewKey || !controllers) return undefined;
    const key = `helper:${name}`;
    // In a partial, a local every render hands it (`render "posts/list", posts: @posts`) reads like a helper's value.
    if (!ivarCache.has(key)) {
      ivarCache.set(key, helperValueForTemplate(viewKey, name, controllers, models, 0)
        ?? (partialLocals.has(name) ? undefined : passedLocalValue(viewKey, name, controllers, models, 0, classes)));
    }
    return ivarCache.get(key);
  };
  /** In a controller action, an ivar it reads before assigning: what its before_actions (a parent's too) assign. */
  const controllerIvar = (action: string, name: string): Value | undefined => {
    const controller = controllers?.controllers().find((c) => c.file === ctx.file && c.methods.has(action));
    const method = controller?.methods.get(action);
    // Only actions start from the before_actions: a private helper runs after its caller changed the ivars.
    if (!controller || !method || method.hidden || method.assigns.some((a) => a.ivar === name)) return undefined;
    const key = `${action}:${name}`;
    if (!ivarCache.has(key)) ivarCache.set(key, actionIvarValue(controller, method, name, controllers!, models, 1, classes));
    return ivarCache.get(key);
  };
  const root: Scope = {
    locals: new Map(), loaded: new Set(), method: true, preloader: false, loop: partialLocals.size > 0 ? partialLoop : componentLoop,
    source: { text: ctx.tree.rootNode.text, start: ctx.tree.rootNode.startIndex },
  };
  const sourceOf = (scope: Scope): Source => {
    for (let s: Scope | undefined = scope; s; s = s.parent) if (s.source) return s.source;
    return root.source!;
  };

  const lookup = (scope: Scope, name: string, at?: Range['start']): { scope: Scope; value: Value } | undefined => {
    for (let s: Scope | undefined = scope; s; s = s.method ? undefined : s.parent) {
      let v = s.locals.get(name);
      if (!v) continue;
      const branch = s.branches?.get(name);
      if (branch && at && !inside(branch.range, at)) v = afterBranch(v, branch);
      return { scope: s, value: s.loaded.has(name) ? { ...v, loaded: true } : v };
    }
    return undefined;
  };
  const ivarScope = (scope: Scope): Scope => {
    let s = scope;
    while (!s.method && s.parent) s = s.parent;
    return s;
  };
  const lookupIvar = (scope: Scope, name: string, at?: Range['start']): Value | undefined => {
    const s = ivarScope(scope);
    let v = s.locals.get(name);
    const branch = s.branches?.get(name);
    if (v && branch && at && !inside(branch.range, at)) v = afterBranch(v, branch);
    if (v) return s.loaded.has(name) ? { ...v, loaded: true } : v;
    if (ctx.kind === 'controller' && controllers && s.methodName) return controllerIvar(s.methodName, name);
    // A ViewComponent's ivars are its initializer's (viewIvar); other classes' come from their own methods.
    if (ctx.kind !== 'view' && ctx.kind !== 'controller' && !component && s.classBody) return classIvar(s, name);
    const external = viewIvar(name);
    if (external && root.loaded.has(name)) return { ...external, loaded: true };
    return external;
  };
  /**
   * In a job, service or model, an ivar this method reads but does not assign: what the class's other methods assign
   * it (`@items = Item.all` in `perform`, looped over in a helper method). Known only when every assignment is.
   */
  const classIvarCache = new Map<string, Value | undefined>();
  /** One walk per class body for what classIvar and callerArgument look up by name (a walk per name grew with both). */
  const bodyIndexes = new Map<number, ClassBodyIndex>();
  const bodyIndexOf = (body: Node): ClassBodyIndex => {
    let index = bodyIndexes.get(body.id);
    if (!index) bodyIndexes.set(body.id, index = indexClassBody(body));
    return index;
  };
  const classIvar = (method: Scope, name: string): Value | undefined => {
    const body = method.classBody!;
    const key = `${body.id}:${name}`;
    if (classIvarCache.has(key)) return classIvarCache.get(key);
    classIvarCache.set(key, undefined); // cycle guard: `@a = @b.x` / `@b = @a.y`
    const rights = bodyIndexOf(body).ivarAssignments.get(name) ?? [];
    if (rights.length === 0 || rights.some((r) => r.def === method.def || r.right.type === 'assignment' || r.right.type === 'operator_assignment')) return undefined;
    const values = rights.map(({ right, def }) => {
      const fresh: Scope = { locals: new Map(), loaded: new Set(), method: true, self: method.self, preloader: false, classBody: body, def, source: method.source };
      for (const p of boundNames(def.childForFieldName('parameters'))) fresh.locals.set(p, documentedParam(def, p, namespaceStack) ?? UNKNOWN);
      const v = expressionValue(right, fresh);
      return v.kind === 'unknown' ? undefined : v;
    });
    const value = combine(values);
    classIvarCache.set(key, value);
    return value;
  };
  /** `# @param [Status] status` above the def: a record of that model (the author's declaration, not a guess from the name). */
  const documentedParam = (def: Node, name: string, namespace: string[]): Value | undefined => {
    if (!commentAbove(def)) return undefined;
    const type = documentedParamTypes(def).get(name);
    const model = type ? modelOf(models, type, namespace.join('::')) : undefined;
    return model ? { kind: 'record', model, preloads: emptyPreloads() } : undefined;
  };
  /** Values of locals passed as arguments outside views and controllers (their values map holds only rendered ones). */
  const argumentValues = new Map<number, Value>();
  /**
   * The value every call in the class passes as positional argument `index` of the private method `def` (calls
   * written before the method, so already read); undefined when one passes something unknown or the method is public.
   */
  const callerArgument = (def: Node, index: number): Value | undefined => {
    const name = def.childForFieldName('name')?.text;
    const body = def.parent;
    if (!name || body?.type !== 'body_statement' || !isPrivateDef(def)) return undefined;
    const values: (Value | undefined)[] = [];
    for (const { call: n, under } of bodyIndexOf(body).selfCalls.get(name) ?? []) {
      if (values.length >= 20) break;
      if (under === def.id) continue;
      const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && a.type !== 'comment');
      const arg = args[index];
      if (!arg || args.slice(0, index + 1).some((a) => a.type === 'splat_argument' || a.type === 'pair' || a.type === 'hash')) return undefined;
      const v = out.values.get(arg.id) ?? argumentValues.get(arg.id);
      values.push(v && v.kind !== 'unknown' && v.model && !v.perRow ? v : undefined);
    }
    return combine(values);
  };
  const eventParamsOf = (scope: Scope): string[] | undefined => {
    for (let s: Scope | undefined = scope; s; s = s.parent) if (s.eventParams) return s.eventParams;
    return undefined;
  };
  const impactOfScope = (scope: Scope): ImpactInfo => {
    for (let s: Scope | undefined = scope; s; s = s.parent) if (s.impact) return s.impact;
    return impact;
  };
  const isLocal = (scope: Scope, name: string): boolean => !!lookup(scope, name) || (scope === root && partialLocals.has(name));

  const hooksFor = (scope: Scope, onLink?: EvalHooks['onLink']): EvalHooks => ({
    models, self: scope.self, onLink, returns,
    sqlOf: (name) => lookup(scope, name)?.value.sql,
    isParameter: (name) => {
      const def = ivarScope(scope).def;
      return !!def && boundNames(def.childForFieldName('parameters')).includes(name);
    },
    resolveRoot(chain) {
      const r = chain.root;
      if (r.kind === 'name') {
        const found = lookup(scope, r.name, chain.rootRange.start);
        if (found) return found.value;
        if (partialLocals.has(r.name) && !hasSelfMethod(scope, r.name, models)) return partialLocals.get(r.name);
        if (component) return component.method(r.name);
        return viewHelper(r.name);
      }
      if (r.kind === 'ivar') return lookupIvar(scope, r.name, chain.rootRange.start);
      return undefined;
    },
  });

  const valueOf = (node: Node, scope: Scope): Value => {
    const cached = out.values.get(node.id);
    if (cached) return cached;
    if (!['call', 'identifier', 'instance_variable', 'constant', 'scope_resolution', 'parenthesized_statements'].includes(node.type)) return UNKNOWN;
    if (node.type === 'identifier' && !isLocal(scope, node.text) && !partialLocals.has(node.text) && !scope.self && !viewHelper(node.text)) return UNKNOWN;
    return evaluate(chainOf(node, ctx.file), hooksFor(scope));
  };

  /**
   * The value of an assigned expression: a chain, `a || b` (either: the larger when both are known, size unknown
   * when only one is), or a ternary with a `nil` side (the other side).
   */
  const expressionValue = (node: Node, scope: Scope, depth = 0): Value => {
    if (depth > 4) return UNKNOWN;
    if (node.type === 'binary' && ['||', 'or'].includes(node.childForFieldName('operator')?.text ?? '')) {
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      if (!l || !r) return UNKNOWN;
      return eitherValue(expressionValue(l, scope, depth + 1), expressionValue(r, scope, depth + 1), node.text);
    }
    if (node.type === 'conditional') {
      const sides = [node.childForFieldName('consequence'), node.childForFieldName('alternative')];
      const kept = sides.filter((n): n is Node => !!n && n.type !== 'nil');
      if (kept.length === 1 && sides.length === 2 && sides.every(Boolean)) return expressionValue(kept[0], scope, depth + 1);
      return UNKNOWN;
    }
    return out.values.get(node.id) ?? valueOf(node, scope);
  };

  const noteBranch = (target: Scope, name: string, prior: Value | undefined, assignment: Node | undefined): void => {
    const branch = assignment ? enclosingBranch(assignment) : undefined;
    if (!branch) { target.branches?.delete(name); return; }
    const right = assignment!.childForFieldName('right');
    const rootName = right ? chainOf(right, ctx.file).root : undefined;
    const derived = !!rootName && (rootName.kind === 'name' || rootName.kind === 'ivar') && rootName.name === name;
    (target.branches ??= new Map()).set(name, { range: nodeRange(branch), prior, derived });
  };

  const assign = (scope: Scope, left: Node, value: Value, assignment?: Node): void => {
    if (left.type === 'identifier') {
      const found = lookup(scope, left.text, assignment ? nodeRange(assignment).start : undefined);
      const target = found?.scope ?? scope;
      noteBranch(target, left.text, found?.value, assignment);
      target.locals.set(left.text, value);
      target.loaded.delete(left.text);
      if (scope.loop && !found) scope.loop.vars.add(left.text);
      else if (scope.loop && found && found.scope !== scope) { /* assigned in a loop: per-iteration */ scope.loop.vars.add(left.text); }
    } else if (left.type === 'instance_variable') {
      const s = ivarScope(scope);
      noteBranch(s, left.text, s.locals.get(left.text), assignment);
      s.locals.set(left.text, value);
      s.loaded.delete(left.text);
    }
  };

  /** `items, newer_id = page_items(scope)`: each target gets the element of the `[a, b]` the method returns. */
  const assignElements = (scope: Scope, left: Node, right: Node, node: Node): void => {
    const targets = left.namedChildren.filter((c): c is Node => !!c);
    const chain = CHAIN_TYPES.has(right.type) ? chainOf(right, ctx.file) : undefined;
    targets.forEach((target, i) => {
      if (target.type !== 'identifier' && target.type !== 'instance_variable') return;
      let value: Value | undefined;
      if (chain && targets.slice(0, i + 1).every((t) => t.type === 'identifier' || t.type === 'instance_variable')
        && !(chain.root.kind === 'name' && isLocal(scope, chain.root.name))) value = elementValue(chain, i, returns, hooksFor(scope));
      assign(scope, target, value ?? UNKNOWN, node);
    });
  };

  const bindParams = (block: Node, scope: Scope, element: Value, loopMethod: string | undefined): void => {
    const params = block.childForFieldName('parameters') ?? block.namedChildren.find((c) => c?.type === 'block_parameters') ?? null;
    if (!params) return;
    const names: string[] = [];
    const collect = (n: Node): void => {
      if (n.type === 'identifier') names.push(n.text);
      else for (const c of n.namedChildren) if (c) collect(c);
    };
    const direct = params.namedChildren.filter((c): c is Node => !!c);
    direct.forEach((p, i) => {
      const before = names.length;
      collect(p);
      const elementIndex = loopMethod === 'inject' || loopMethod === 'reduce' ? 1 : 0;
      for (let k = before; k < names.length; k++) {
        scope.locals.set(names[k], i === elementIndex && p.type === 'identifier' ? element : UNKNOWN);
      }
    });
    if (scope.loop) for (const n of names) scope.loop.vars.add(n);
  };

  const visitChildren = (node: Node, scope: Scope, depth: number): void => {
    for (const c of node.namedChildren) if (c) visit(c, scope, depth + 1);
  };

  /** Why the collection a loop at link `i` iterates is small by nature (a literal, a constant, `previous_changes`), if it is. */
  const literalCollection = (chain: Chain, i: number, scope: Scope): string | undefined => {
    const before = i > 0 ? chain.links[i - 1] : undefined;
    if (before && BOUNDED_READERS.has(before.name) && before.args.count === 0) return `\`${before.name}\` (one entry per changed attribute)`;
    if (i > 0) return undefined;
    const r = chain.root;
    if (r.kind === 'other' && ['array', 'hash', 'range', 'string_array', 'symbol_array', 'integer', 'string', 'parenthesized_statements'].includes(r.text)) return `a literal ${r.text === 'hash' ? 'Hash' : 'list'}`;
    if (r.kind === 'const' && !modelOf(models, r.name) && /^[A-Z0-9_:]+$/.test(r.name)) return `the constant \`${r.name}\``;
    if (r.kind === 'name' && BOUNDED_READERS.has(r.name) && !lookup(scope, r.name)) return `\`${r.name}\` (one entry per changed attribute)`;
    if (r.kind === 'name' || r.kind === 'ivar') {
      const v = r.kind === 'name' ? lookup(scope, r.name)?.value : lookupIvar(scope, r.name);
      if (v?.literal) return v.literal;
    }
    return undefined;
  };

  const jbuilder = templateLanguage(ctx.file) === 'jbuilder';
  /** In a jbuilder view, the collection a `json.<key>` / `json.array!` call with a block iterates. */
  const jbuilderCollection = (call: Node, i: number, chain: Chain, scope: Scope): Node | undefined => {
    if (!jbuilder || i !== 0 || chain.root.kind !== 'name' || chain.root.name !== 'json' || isLocal(scope, 'json')) return undefined;
    const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'pair' && c.type !== 'hash' && c.type !== 'block_argument');
    const candidate = call.childForFieldName('method')?.text === 'set!' ? args[1] : args[0];
    return candidate && ['identifier', 'instance_variable', 'call'].includes(candidate.type) ? candidate : undefined;
  };

  /** Same-file methods by name (a name defined twice in the file is ambiguous: left out), read on first use. */
  let fileSummaries: Map<string, ParamSummary | null> | undefined;
  const fileSummary = (name: string): ParamSummary | undefined => {
    if (!fileSummaries) {
      fileSummaries = new Map();
      const stack: Node[] = [ctx.tree!.rootNode];
      while (stack.length > 0) {
        const n = stack.pop()!;
        const def = n.type === 'call' ? definitionIn(n) : undefined;
        if (def) { stack.push(def); continue; }
        if (n.type === 'method' || n.type === 'singleton_method') {
          const m = n.childForFieldName('name')?.text;
          if (m) fileSummaries.set(m, fileSummaries.has(m) ? null : paramSummaryOf(n, ctx.file) ?? null);
          continue;
        }
        if (['program', 'class', 'module', 'body_statement', 'singleton_class'].includes(n.type)) for (const c of n.namedChildren) if (c) stack.push(c);
      }
    }
    return fileSummaries.get(name) ?? undefined;
  };
  /** The method a call in a loop reaches, when the analysis has its summary. */
  const callTarget = (chain: Chain, index: number, site: LinkSite, scope: Scope, passed: ModelInfo[]): Omit<PerRowCall, 'site' | 'args'> | undefined => {
    const name = site.link.name;
    const receiver = site.receiver;
    const selfCall = index === 0 && chain.root.kind === 'self';
    if (!selfCall && receiver.model && (receiver.kind === 'record' || receiver.kind === 'class')) {
      const sep = receiver.kind === 'class' ? '.' : '#';
      const found = modelParamSummary(models!, receiver.model, `${sep}${name}`);
      if (!found) return undefined;
      const model = receiver.model;
      return { summary: found.summary, label: `${found.owner.name.split('::').pop()}${sep}${name}`, lookup: (m) => modelParamSummary(models!, model, `${sep}${m}`)?.summary };
    }
    const classes = appClassesOf(ctx.app);
    if (selfCall) {
      const own = fileSummary(name);
      if (own) return { summary: own, label: name, lookup: fileSummary };
      if (scope.self) {
        const found = modelParamSummary(models!, scope.self.model, `${scope.self.on === 'class' ? '.' : '#'}${name}`);
        if (found) return { summary: found.summary, label: name, lookup: (m) => modelParamSummary(models!, scope.self!.model, `#${m}`)?.summary };
      }
      // A view sees every helper module (Rails' include_all_helpers): look where its folder's, the passed model's
      // (`WorksHelper` for a Work) and ApplicationHelper would define it.
      if (ctx.kind === 'view' && viewKey && classes) {
        const dir = viewKey.includes('/') ? viewKey.slice(0, viewKey.lastIndexOf('/')) : '';
        const byModel = passed.map((m) => `${camelize(tableize(m.name.split('::').pop()!))}Helper`);
        for (const helper of new Set([...(dir ? [`${camelize(dir)}Helper`] : []), ...byModel, 'ApplicationHelper'])) {
          const klass = classes.find(helper);
          const summary = klass?.params?.get(`#${name}`);
          if (summary) return { summary, label: `${helper}#${name}`, lookup: (m) => klass!.params?.get(`#${m}`) };
        }
      }
      return undefined;
    }
    // `Notifier.call(item)`, `Notifier.new(…).call(item)`, `FeedManager.instance.push(item)`: an app class, not a model.
    if (chain.root.kind !== 'const' || modelOf(models, chain.root.name) || !classes) return undefined;
    const before = chain.links.slice(0, index).map((l) => l.name);
    const sep = before.length === 0 ? '.' : before.length === 1 && (before[0] === 'new' || before[0] === 'instance') ? '#' : undefined;
    if (!sep) return undefined;
    const klass = classes.find(chain.root.name);
    const summary = klass?.params?.get(`${sep}${name}`);
    if (!klass || !summary) return undefined;
    return { summary, label: `${klass.name}${sep}${name}`, lookup: (m) => klass.params?.get(`${sep}${m}`) };
  };
  const notePerRowCall = (call: Node, args: Node, site: LinkSite, chain: Chain, index: number, scope: Scope): void => {
    const positional = args.namedChildren.filter((a): a is Node => !!a && a.type !== 'pair' && a.type !== 'hash' && a.type !== 'block_argument');
    const values = positional.map((a): Value | undefined => {
      if (a.type !== 'identifier') return undefined;
      const v = lookup(scope, a.text)?.value ?? (partialLocals.has(a.text) && !hasSelfMethod(scope, a.text, models!) ? partialLocals.get(a.text) : undefined);
      return v && v.kind === 'record' && v.model && v.perRow && !v.perRow.missed ? v : undefined;
    });
    if (!values.some(Boolean)) return;
    const target = callTarget(chain, index, site, scope, values.filter((v): v is Value => !!v).map((v) => v.model!));
    if (target) out.perRowCalls.push({ site, args: values, ...target });
    void call;
  };

  /** `Digest.new(posts)`: the app class's initialize, whose summary holds the loops over what it stores. */
  const constructorTarget = (chain: Chain, index: number): Omit<PerRowCall, 'site' | 'args'> | undefined => {
    if (index !== 0 || chain.links[0]?.name !== 'new' || chain.root.kind !== 'const' || modelOf(models, chain.root.name)) return undefined;
    const klass = appClassesOf(ctx.app)?.find(chain.root.name);
    const summary = klass?.params?.get('#initialize');
    return klass && summary ? { summary, label: `${klass.name}.new`, lookup: (m) => klass.params?.get(`#${m}`) } : undefined;
  };
  /**
   * `FandomCrossover.check(fandoms)`: a known collection passed to a method that loops over that parameter and reads
   * an association of each element. The element is a row of the collection, as if the loop were written here.
   */
  const noteCollectionPass = (args: Node, site: LinkSite, chain: Chain, index: number, scope: Scope): void => {
    // Another class's method (`X.m`, `X.new`, `X.instance.m`); a method of self is analysed in this file, its
    // parameter bound to what the calls pass (callerArgument).
    if (chain.root.kind !== 'const' || index > 1) return;
    const positional = args.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment');
    if (!positional.some((a) => a.type === 'identifier' || a.type === 'instance_variable' || a.type === 'call')) return;
    // The target first: few methods loop over a parameter, and only then are the arguments evaluated.
    const target = constructorTarget(chain, index) ?? callTarget(chain, index, site, scope, []);
    if (!target?.summary.loops) return;
    positional.forEach((a, k) => {
      if (positional.slice(0, k + 1).some((x) => x.type === 'splat_argument' || x.type === 'pair' || x.type === 'hash' || x.type === 'block_argument')) return;
      const loop = target.summary.loops?.[k]?.[0];
      if (!loop || !['identifier', 'instance_variable', 'call'].includes(a.type)) return;
      const value = out.values.get(a.id) ?? (a.type === 'identifier' && !isLocal(scope, a.text) && !scope.self ? undefined : valueOf(a, scope));
      if (!value?.model || value.perRow || !['relation', 'collection', 'array'].includes(value.kind)) return;
      const element = elementOf(value, -1 - loopIds++);
      const reads = target.summary.reads.map((_, i) => (i === k ? loop.reads : []));
      const passes = target.summary.reads.map((_, i) => (i === k ? loop.passes : []));
      out.perRowCalls.push({
        site, args: positional.map((_, i) => (i === k ? element : undefined)), label: target.label, lookup: target.lookup,
        summary: { file: target.summary.file, line: loop.line, character: loop.character, reads, passes },
        calleeLoop: { method: loop.method, file: target.summary.file, line: loop.line, character: loop.character },
      });
    });
  };

  const handleChain = (node: Node, scope: Scope, depth: number): void => {
    const chain = chainOf(node, ctx.file, !!scope.loop);
    const sites: LinkSite[] = [];
    const rootVariable = (chain.root.kind === 'name' && isLocal(scope, chain.root.name)) || chain.root.kind === 'ivar' ? chain.root.name : undefined;
    const valueUsed = !!node.parent && EXPRESSION_PARENTS.has(node.parent.type);
    const last = node.type === 'call' ? node.childForFieldName('method')?.text : undefined;
    const optionList = ctx.kind === 'view' && !!last && LOOP_METHODS.has(last) && inOptionList(node);
    const once = !!scope.loop && endsLoopAfter(node, !scope.loop.parent);
    const hooks = hooksFor(scope, (link, index, receiver, result, evaluated) => {
      const start = chain.rootRange.start;
      sites.push({
        chain: evaluated, index, link, receiver, result, loop: scope.loop, ...(once ? { once } : {}),
        rootVariable: index === 0 ? rootVariable : undefined,
        range: { start, end: link.nameRange.end }, valueUsed, rootIsVariable: !!rootVariable, inOptionList: optionList, impact: impactOfScope(scope), eventParams: eventParamsOf(scope),
      });
    });
    const value = evaluate(chain, hooks);
    out.values.set(node.id, value);
    for (let i = 0; i < sites.length; i++) sites[i].next = sites[i + 1]?.link;
    // `post.tags << tag` appends without loading: the operator is the next "method" of the chain.
    const parent = node.parent;
    if (sites.length > 0 && parent?.type === 'binary' && parent.childForFieldName('left')?.id === node.id) {
      const operator = parent.childForFieldName('operator')?.text;
      if (operator === '<<') sites[sites.length - 1].next = { name: '<<', nameRange: sites[sites.length - 1].link.nameRange, end: sites[sites.length - 1].link.end, args: { count: 1, text: '', deps: [] }, hasBlock: false };
    }
    if (rootVariable && sites.length > 0) {
      const reused = readAgainIn(sourceOf(scope), node.endIndex, rootVariable);
      for (const s of sites) s.reusedAfter = reused;
    }
    out.links.push(...sites, ...symbolBlockReads(sites, scope));
    if (scope.preloader) for (const s of sites) s.receiver = { ...s.receiver, preloads: dynamicPreloads() };

    // Visit the pieces of the chain: root, arguments, blocks (binding loop variables).
    // Same walk and bound as chainOf(): a longer chain's remainder is visited as a chain of its own.
    const calls: Node[] = [];
    let current: Node | null = node;
    for (let guard = 0; current && guard < 200; guard++) {
      if (current.type === 'parenthesized_statements' && current.namedChildCount === 1) { current = current.namedChildren[0]; continue; }
      if (current.type !== 'call' || !current.childForFieldName('method')) break;
      calls.push(current);
      current = current.childForFieldName('receiver');
    }
    calls.reverse();
    if (current && !['identifier', 'instance_variable', 'constant', 'scope_resolution', 'self'].includes(current.type)) visit(current, scope, depth + 1);
    const offset = sites.length - calls.length; // an implicit self-call link may come first
    calls.forEach((call, i) => {
      const args = call.childForFieldName('arguments');
      if (args) visitChildren(args, scope, depth);
      const block = call.childForFieldName('block');
      const site = sites[i + offset];
      if (args && site && scope.loop) notePerRowCall(call, args, site, chain, i + offset, scope);
      else if (args && site) noteCollectionPass(args, site, chain, i + offset, scope);
      if (site && rootVariable && i === 0 && isLoading(site.link)) markLoaded(scope, rootVariable, chain.root.kind === 'ivar');
      if (!block) return;
      const loopMethod = site?.link.name;
      const isLoop = !!loopMethod && LOOP_METHODS.has(loopMethod) && !!call.childForFieldName('receiver');
      const receiver = site?.receiver ?? UNKNOWN;
      let loop = scope.loop;
      let element: Value = UNKNOWN;
      const iterated = isLoop ? undefined : jbuilderCollection(call, i, chain, scope);
      if (iterated) {
        // `json.array! @posts do |post|`, `json.comments post.comments do |comment|`: a loop over the argument.
        const collection = out.values.get(iterated.id) ?? valueOf(iterated, scope);
        loop = {
          id: loopIds++, vars: new Set(scope.loop?.vars ?? []), literal: false, parent: scope.loop,
          cardinality: collection.model ? cardinalityOf(collection, sizes) : { kind: 'unknown', why: `how many \`${iterated.text}\` holds` },
        };
        element = elementOf(collection, loop.id);
      }
      const body = block.childForFieldName('body') ?? block.namedChildren.find((c) => c?.type === 'body_statement' || c?.type === 'block_body');
      if (isLoop) {
        const literal = literalCollection(chain, i, scope);
        loop = newLoop(scope, receiver, literal, body, blockParamNames(block), `how many \`${chainText(chain, i)}\` holds`, BATCH_LOOPS.has(loopMethod!));
        if (!BATCH_LOOPS.has(loopMethod!) && !(loopMethod === 'times')) {
          element = elementOf(receiver, loop.id);
          if (scope.preloader && element.kind === 'record') element = { ...element, preloads: dynamicPreloads() };
        }
        out.loops.push({ site: site!, collection: receiver, loop });
      }
      // `after_update do … end` in a model's body runs on the record, not the class.
      const callback = scope.self?.on === 'class' && chain.root.kind === 'self' && i === 0 && /^(before|after|around)_[a-z_]+$/.test(call.childForFieldName('method')?.text ?? '');
      const self = callback ? { model: scope.self!.model, on: 'instance' as const } : scope.self;
      const inner: Scope = { locals: new Map(), loaded: new Set(), parent: scope, method: false, self, loop, preloader: scope.preloader };
      bindParams(block, inner, element, loopMethod);
      if (body) visitChildren(body, inner, depth);
    });
  };

  /** `members.collect(&:zoneable)`: the loop's block calls `zoneable` on each element, as `{ |m| m.zoneable }` would. */
  const symbolBlockReads = (sites: LinkSite[], scope: Scope): LinkSite[] => {
    const reads: LinkSite[] = [];
    for (const site of sites) {
      const { link, receiver } = site;
      const sym = link.args.symbolBlock;
      const range = link.args.symbolBlockRange;
      if (!sym || !range || !LOOP_METHODS.has(link.name) || BATCH_LOOPS.has(link.name) || link.name === 'times') continue;
      if (!receiver.model || !['relation', 'collection', 'array'].includes(receiver.kind)) continue;
      const literal = literalCollection(site.chain, site.index, scope);
      const loop: LoopInfo = {
        id: loopIds++, vars: new Set(scope.loop?.vars ?? []), literal: !!literal, parent: scope.loop,
        cardinality: literal ? { kind: 'bounded', why: literal } : cardinalityOf(receiver, sizes),
      };
      let element = elementOf(receiver, loop.id);
      if (scope.preloader && element.kind === 'record') element = { ...element, preloads: dynamicPreloads() };
      const read: Link = { name: sym, nameRange: range, end: range.end, args: { count: 0, text: '', deps: [] }, hasBlock: false };
      const result = step(element, read, site.chain, site.index + 1, hooksFor(scope));
      reads.push({ ...site, index: site.index, link: read, next: undefined, receiver: element, result, loop, range, rootVariable: undefined, valueUsed: true });
    }
    return reads;
  };

  /**
   * A loop over `collection` (block or `for`): its size from the collection, unless it is a literal or the body drains
   * an aged relation, and the write or I/O its body does per row.
   */
  const newLoop = (scope: Scope, collection: Value, literal: string | undefined, body: Node | null | undefined, params: string[], unknownWhy: string, batch?: boolean): LoopInfo => {
    const facts = body && !literal ? loopBodyFacts(body, params, collection.model && models ? writerOf(collection.model) : undefined) : {};
    const card: Cardinality = literal ? { kind: 'bounded', why: literal }
      : collection.model ? cardinalityOf(collection, sizes) : { kind: 'unknown', why: unknownWhy };
    const drained = drainedCardinality(card, collection, facts);
    const loop: LoopInfo = {
      id: loopIds++, vars: new Set(scope.loop?.vars ?? []), literal: !!literal, parent: scope.loop, batch,
      cardinality: drained, perRowWork: facts.perRowWork, drained: drained !== card ? drained : undefined,
    };
    out.loopsById.set(loop.id, loop);
    return loop;
  };
  const writers = new Map<string, (method: string) => string | undefined>();
  const writerOf = (model: ModelInfo) => {
    let w = writers.get(model.name);
    if (!w) writers.set(model.name, (w = methodRoundTrip(models!, model)));
    return w;
  };

  /** `for user in @users … end`: a loop whose variable is each element (Ruby's `for` opens no scope of its own). */
  const forLoop = (node: Node, scope: Scope, depth: number): void => {
    const pattern = node.childForFieldName('pattern');
    const collectionNode = node.childForFieldName('value')?.namedChildren.find((c) => !!c) ?? undefined;
    const body = node.childForFieldName('body');
    if (collectionNode) visit(collectionNode, scope, depth + 1);
    const collection = collectionNode ? out.values.get(collectionNode.id) ?? valueOf(collectionNode, scope) : UNKNOWN;
    const chain = collectionNode ? chainOf(collectionNode, ctx.file) : undefined;
    const literal = collectionNode ? literalValue(collectionNode) ?? (chain ? literalCollection(chain, chain.links.length, scope) : undefined) : undefined;
    const names = boundNames(pattern);
    const loop = newLoop(scope, collection, literal, body, names, `how many \`${collectionNode?.text ?? ''}\` holds`);
    const element = literal ? UNKNOWN : elementOf(collection, loop.id);
    const inner: Scope = { locals: new Map(), loaded: new Set(), parent: scope, method: false, self: scope.self, loop, preloader: scope.preloader };
    for (const name of names) { inner.locals.set(name, pattern?.type === 'identifier' ? element : UNKNOWN); loop.vars.add(name); }
    if (body) visitChildren(body, inner, depth);
  };

  const markLoaded = (scope: Scope, name: string, ivar: boolean): void => {
    if (ivar) { ivarScope(scope).loaded.add(name); root.loaded.add(name); return; }
    const found = lookup(scope, name);
    if (found) found.scope.loaded.add(name);
  };

  const classScope = (node: Node, scope: Scope, namespace: string[], depth: number): void => {
    const name = constantText(node.childForFieldName('name')) ?? '';
    const full = [...namespace, name].join('::');
    const model = modelOf(models, full);
    // A class body's code is read again in the rest of the file (a class cannot sit inside a method).
    const inner: Scope = { locals: new Map(), loaded: new Set(), method: true, self: model ? { model, on: 'class' } : undefined, preloader: false, source: root.source, classBody: node.childForFieldName('body') ?? undefined };
    const body = node.childForFieldName('body');
    if (body) for (const c of body.namedChildren) if (c) visitIn(c, inner, [...namespace, name], depth + 1);
    void scope;
  };

  let namespaceStack: string[] = [];
  const visitIn = (node: Node, scope: Scope, namespace: string[], depth: number): void => {
    const saved = namespaceStack;
    namespaceStack = namespace;
    visit(node, scope, depth);
    namespaceStack = saved;
  };

  const visit = (node: Node, scope: Scope, depth: number): void => {
    if (depth > 400) return;
    switch (node.type) {
      case 'class':
        classScope(node, scope, namespaceStack, depth);
        return;
      case 'module': {
        const name = constantText(node.childForFieldName('name')) ?? '';
        const body = node.childForFieldName('body');
        if (body) for (const c of body.namedChildren) if (c) visitIn(c, scope, [...namespaceStack, name], depth + 1);
        return;
      }
      case 'singleton_class': {
        const inner: Scope = { ...scope, locals: new Map(), loaded: new Set(), method: true, self: scope.self ? { model: scope.self.model, on: 'class' } : undefined };
        visitChildren(node, inner, depth);
        return;
      }
      case 'method':
      case 'singleton_method': {
        const on = node.type === 'singleton_method' ? 'class' : 'instance';
        const inner: Scope = {
          locals: new Map(), loaded: new Set(), method: true, self: scope.self ? { model: scope.self.model, on } : undefined,
          preloader: node.text.includes('Preloader'), methodName: on === 'instance' ? node.childForFieldName('name')?.text : undefined,
          source: { text: node.text, start: node.startIndex }, classBody: scope.classBody, def: node,
          // A component's instance method runs once per render: per element when it is rendered per element.
          loop: componentFile && on === 'instance' ? componentLoop : undefined,
        };
        // A controller action whose Pundit `authorize` lets only staff in serves a back-office page.
        if (ctx.kind === 'controller' && impact.impact === 'request' && !impact.staff && controllers && on === 'instance') {
          const action = node.childForFieldName('name')?.text;
          const controller = action ? controllers.controllers().find((c) => c.file === ctx.file && c.methods.has(action)) : undefined;
          const gate = controller ? controllers.policyGate(controller, controller.methods.get(action!)!) : undefined;
          if (gate) inner.impact = { ...impact, staff: gate };
        }
        const methodBody = node.childForFieldName('body')?.text ?? '';
        if ((impact.impact === 'request' || impact.impact === 'background') && ctx.kind !== 'view' && ctx.kind !== 'controller'
          && (CONSOLE_OUTPUT.test(methodBody) || (outputIntended && BARE_OUTPUT.test(methodBody)))) {
          inner.impact = { impact: 'offline', why: 'a console command (the method prints to stdout)' };
        }
        const params = node.childForFieldName('parameters');
        const paramNames: string[] = [];
        if (params) for (const p of params.namedChildren) { const n = p?.type === 'identifier' ? p : p?.namedChildren.find((c) => c?.type === 'identifier'); if (n) { inner.locals.set(n.text, documentedParam(node, n.text, namespaceStack) ?? UNKNOWN); paramNames.push(n.text); } }
        if (impact.impact === 'background' && node.type === 'method' && node.childForFieldName('name')?.text === 'perform' && paramNames.length > 0) inner.eventParams = paramNames;
        if (node.type === 'method' && params) {
          // A private method's parameter that every call in the class passes a known value (`render_rubygems(versions)`).
          params.namedChildren.every((p, i) => {
            if (p?.type !== 'identifier') return false;
            const passed = callerArgument(node, i);
            if (passed) inner.locals.set(p.text, passed);
            return true;
          });
        }
        const body = node.childForFieldName('body');
        if (body) visitChildren(body, inner, depth);
        return;
      }
      case 'for':
        forLoop(node, scope, depth);
        return;
      case 'assignment':
      case 'operator_assignment': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right) { visitChildren(node, scope, depth); return; }
        visit(right, scope, depth + 1);
        if (left.type === 'call') {
          // `issue.project = x` writes the association: only its receiver is read.
          const receiver = left.childForFieldName('receiver');
          if (receiver) visit(receiver, scope, depth + 1);
        } else if (left.type !== 'identifier' && left.type !== 'instance_variable') visit(left, scope, depth + 1);
        const literal = literalValue(right);
        const sql = left.type === 'identifier' ? sqlText(right) : undefined;
        const value = sql !== undefined ? { ...UNKNOWN, sql } : literal ? { ...UNKNOWN, literal } : expressionValue(right, scope);
        if (node.type === 'operator_assignment' && left.type === 'instance_variable' && lookupIvar(scope, left.text)) return;
        if (left.type === 'left_assignment_list') { assignElements(scope, left, right, node); return; }
        assign(scope, left, value, node);
        return;
      }
      case 'call': {
        const parent = node.parent;
        if (parent?.type === 'call' && parent.childForFieldName('receiver')?.id === node.id) { visitChildren(node, scope, depth); return; }
        handleChain(node, scope, depth);
        return;
      }
      case 'identifier':
      case 'instance_variable': {
        // A bare variable only matters where its value is rendered (`render @posts`, `json: @posts`).
        const parent = node.parent;
        if (ctx.kind !== 'view' && ctx.kind !== 'controller') {
          if (parent?.type === 'argument_list' && node.type === 'identifier' && isLocal(scope, node.text)) argumentValues.set(node.id, valueOf(node, scope));
          return;
        }
        if (parent?.type !== 'argument_list' && parent?.type !== 'pair') return;
        if (node.type === 'identifier' && !isLocal(scope, node.text) && !partialLocals.has(node.text)) return;
        out.values.set(node.id, valueOf(node, scope));
        return;
      }
      default:
        visitChildren(node, scope, depth);
    }
  };

  for (const c of ctx.tree.rootNode.namedChildren) if (c) visitIn(c, root, [], 0);

  return out;
}

/** A method's (or the file's) text and where it starts in the file. */
interface Source { text: string; start: number }

/** Whether `name` appears again in its method (or file) after offset `end` (a file offset), as a whole word. */
function readAgainIn(source: Source, end: number, name: string): boolean {
  const text = source.text;
  const from = end - source.start;
  for (let i = text.indexOf(name, from); i >= 0; i = text.indexOf(name, i + 1)) {
    if (i > from && WORD_OR_IVAR.test(text[i - 1])) continue;
    const after = text[i + name.length];
    if (after === undefined || !NAME_CONTINUES.test(after)) return true;
  }
  return false;
}
const WORD_OR_IVAR = /[\w@]/;
const NAME_CONTINUES = /[\w?!:]/;

/**
 * The text of a string or heredoc assigned to a local (`conditions = <<-EOF.strip_heredoc … EOF`); a heredoc's
 * body is the statement's next sibling. Interpolated strings are not read (their text is not the SQL).
 */
function sqlText(right: Node): string | undefined {
  let n: Node | null = right;
  while (n?.type === 'call' && /^(strip_heredoc|squish|strip|freeze)$/.test(n.childForFieldName('method')?.text ?? '')) n = n.childForFieldName('receiver');
  if (n?.type === 'string' && !n.namedChildren.some((c) => c?.type === 'interpolation')) return n.namedChildren.map((c) => c?.text ?? '').join('');
  if (n?.type !== 'heredoc_beginning') return undefined;
  let statement: Node | null = right;
  while (statement?.parent && statement.parent.type !== 'body_statement' && statement.parent.type !== 'program' && statement.parent.type !== 'block_body') statement = statement.parent;
  const body = statement?.nextNamedSibling;
  if (body?.type !== 'heredoc_body' || body.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  return body.namedChildren.filter((c) => c?.type === 'heredoc_content').map((c) => c!.text).join('');
}

const LITERALS = new Set(['array', 'hash', 'range', 'string_array', 'symbol_array']);
/** `{ a: 1 }`, `%w[a b].freeze`: a literal collection (its size is in the code). */
function literalValue(node: Node): string | undefined {
  let n: Node | null = node;
  while (n && n.type === 'call' && n.childForFieldName('receiver')) n = n.childForFieldName('receiver');
  if (!n || !LITERALS.has(n.type)) return undefined;
  return n.type === 'hash' ? 'a literal Hash' : 'a literal list';
}

function hasSelfMethod(scope: Scope, name: string, models: ModelIndex): boolean {
  return !!scope.self && models.ancestry(scope.self.model).some((m) => m.methods.has(name) || m.associations.has(name));
}

const LOADING = new Set(['each', 'map', 'collect', 'flat_map', 'to_a', 'load', 'records', 'each_with_index', 'each_with_object', 'length', 'select', 'index_by', 'group_by', 'sort_by', 'filter_map']);
function isLoading(link: Link): boolean {
  return LOADING.has(link.name) && (link.hasBlock || !!link.args.symbolBlock || ['to_a', 'load', 'records', 'length'].includes(link.name));
}

function safeControllers(ctx: RuleContext): ControllerIndex | undefined {
  try { return ctx.app.controllers; } catch { return undefined; }
}

type RenderingAction = { controller: ControllerInfo; action: ControllerMethod };

/**
 * What every action rendering a template gives (`ofAction`), combined. A partial no action renders by its own path
 * takes what the templates rendering it give (`ofTemplate`, one level deeper) and what the actions rendering it
 * through a parent controller's template give.
 */
function valueOverRenderers(key: string, controllers: ControllerIndex, depth: number,
  ofAction: (rendering: RenderingAction) => Value | undefined, ofTemplate: (key: string, depth: number) => Value | undefined): Value | undefined {
  if (depth > 4) return undefined;
  const actions = controllers.actionsRendering(key);
  if (actions.length === 0 && /(^|\/)_[^/]+$/.test(key)) {
    return combine([...controllers.renderersOf(key).map((k) => ofTemplate(k, depth + 1)), ...controllers.actionsRenderingInherited(key).map(ofAction)]);
  }
  return combine(actions.map(ofAction));
}

/** The value an instance variable has in a template: what every action rendering it assigned. */
export function ivarValueForTemplate(key: string, ivar: string, controllers: ControllerIndex, models: ModelIndex, depth: number, classes?: AppClassSource): Value | undefined {
  return valueOverRenderers(key, controllers, depth,
    ({ controller, action }) => actionIvarValue(controller, action, ivar, controllers, models, depth, classes),
    (k, d) => ivarValueForTemplate(k, ivar, controllers, models, d, classes));
}

/** What a bare `name` in a template returns when every action rendering it has a `helper_method` of that name. */
export function helperValueForTemplate(key: string, name: string, controllers: ControllerIndex, models: ModelIndex, depth: number): Value | undefined {
  return valueOverRenderers(key, controllers, depth, ({ controller, action }) => {
    const returns = controllers.helperMethodOf(controller, name)?.returns;
    if (!returns) return undefined;
    const v = actionChainValue(controller, action, returns, controllers, models);
    return v.kind === 'unknown' ? undefined : { ...v, external: true };
  }, (k, d) => helperValueForTemplate(k, name, controllers, models, d));
}

/** The value of `ivar` as an action's before_actions and the action itself assign it, in order (a branch's assignment: either value). */
function actionIvarValue(controller: ControllerInfo, action: ControllerMethod, ivar: string, controllers: ControllerIndex, models: ModelIndex, depth: number, classes?: AppClassSource): Value | undefined {
  const assigns = controllers.assignmentsFor(controller, action, ivar);
  if (assigns.length === 0) return undefined;
  const returns = controllerReturns(controller, controllers, models, classes);
  /** The value so far: what `@posts = @posts.active` refines. */
  let prior: Value | undefined;
  /** The values the assignments so far may have left, one per path (`combine`d into `prior`). */
  let paths: (Value | undefined)[] = [];
  for (const [k, a] of assigns.entries()) {
    // `@posts = collection.page(params[:page])` where a private method (or a parent controller's) returns
    // the relation: followed two methods deep, each once.
    const methodHooks = (seen: Set<string>): EvalHooks => ({
      models, returns,
      resolveRoot(chain) {
        if (chain.root.kind !== 'name' || seen.has(chain.root.name) || seen.size >= 2) return undefined;
        const returns = controllers.methodOf(controller, chain.root.name)?.returns;
        return returns ? evaluate(returns, methodHooks(new Set([...seen, chain.root.name]))) : undefined;
      },
    });
    const hooks: EvalHooks = {
      models, returns,
      resolveRoot(chain) {
        if (chain.root.kind === 'name') return methodHooks(new Set()).resolveRoot(chain);
        if (chain.root.kind === 'ivar' && chain.root.name === ivar) return prior;
        if (chain.root.kind !== 'ivar' || depth > 3) return undefined;
        // Another ivar (`@works = @tag.works…`): what all its assignments agree on.
        return actionIvarValue(controller, action, chain.root.name, controllers, models, depth + 1, classes);
      },
    };
    const v = a.element === undefined ? evaluate(a.chain, hooks) : elementValue(a.chain, a.element, returns, hooks) ?? UNKNOWN;
    const value = v.kind === 'unknown' ? undefined : { ...v, external: true };
    // In order: an assignment that always runs replaces the value; one in a branch leaves either; one in the same
    // branch as the previous (`@c = q` then `@c = limit(@c)`) replaces that path's value only.
    if (k === 0 || !a.conditional) paths = [value];
    else if (a.replacesPrevious && paths.length > 0) paths = [...paths.slice(0, -1), value];
    else paths = [...paths, value];
    prior = paths.length === 1 ? paths[0] : combine(paths);
  }
  return prior;
}

/** A controller's methods (its parents' too) by what they return, for calls with arguments (`popular_posts(min, max)`). */
function controllerReturns(controller: ControllerInfo, controllers: ControllerIndex, models: ModelIndex, classes?: AppClassSource): ReturnResolver {
  return returnResolver(models, classes, { sibling: (key) => (key.startsWith('#') ? controllers.methodOf(controller, key.slice(1))?.returnSummary : undefined) });
}

/**
 * The value of a chain written in an action (`render json: @posts`): its instance variables as the action and its
 * before_actions assign them, a bare name as the controller's method of that name returns it.
 */
export function actionChainValue(controller: ControllerInfo, action: ControllerMethod, chain: Chain, controllers: ControllerIndex, models: ModelIndex, classes?: AppClassSource): Value {
  return evaluate(chain, {
    models, returns: controllerReturns(controller, controllers, models, classes),
    resolveRoot(c) {
      if (c.root.kind === 'ivar') return actionIvarValue(controller, action, c.root.name, controllers, models, 1, classes);
      if (c.root.kind !== 'name') return undefined;
      const returns = controllers.methodOf(controller, c.root.name)?.returns;
      return returns ? evaluate(returns, { models, resolveRoot: (r) => r.root.kind === 'ivar' ? actionIvarValue(controller, action, r.root.name, controllers, models, 2) : undefined }) : undefined;
    },
  });
}

/** The `element`-th of the `[a, b]` a call returns: `load_page` / `load_page(x)` of self, `X.new(…).m` of an app class. */
function elementValue(chain: Chain, element: number, returns: ReturnResolver, caller: EvalHooks): Value | undefined {
  if (chain.root.kind === 'self' && chain.links.length === 1) return returns.self(chain.links[0].name, element, () => passedValues(chain.links[0], caller));
  if (chain.root.kind === 'name' && chain.links.length === 0) return returns.self(chain.root.name, element);
  if (chain.root.kind !== 'const') return undefined;
  const call = returns.constant(chain, element, (link) => passedValues(link, caller));
  return call && call.count === chain.links.length ? call.value : undefined;
}

/** Whether a `def` sits below a bare `private`/`protected` in its class body (and no `public` in between), or is `private def`. */
function isPrivateDef(def: Node): boolean {
  if (def.parent?.type === 'argument_list') return /^(private|protected)$/.test(def.parent.parent?.childForFieldName('method')?.text ?? '');
  for (let n = def.previousNamedSibling; n; n = n.previousNamedSibling) {
    if (n.type === 'identifier' && (n.text === 'private' || n.text === 'protected')) return true;
    if (n.type === 'identifier' && n.text === 'public') return false;
  }
  return false;
}

const CHAIN_TYPES = new Set(['call', 'identifier', 'constant', 'scope_resolution']);

/**
 * `a || b`: when both are known records of one model, either (the larger's size counts); when only one is known,
 * its rows with the size unknown (the other path iterates something the analysis cannot see).
 */
function eitherValue(left: Value, right: Value, text: string): Value {
  const known = [left, right].filter((v) => v.kind !== 'unknown' && v.model);
  if (known.length === 0) return UNKNOWN;
  const collections = ['relation', 'collection', 'array', 'class'];
  if (known.length === 1) {
    const v = known[0];
    return collections.includes(v.kind) && !v.bounded ? { ...v, unsure: v.unsure ?? `\`${text}\`` } : UNKNOWN;
  }
  if (left.model!.name !== right.model!.name) return UNKNOWN;
  if (left.kind === right.kind) return combine([left, right]) ?? UNKNOWN;
  if (!collections.includes(left.kind) || !collections.includes(right.kind)) return UNKNOWN;
  return combine([{ ...left, kind: 'relation' }, { ...right, kind: 'relation' }]) ?? UNKNOWN;
}

/** What one walk of a class body finds, by name, in the order a depth-first walk meets it. */
interface ClassBodyIndex {
  /**
   * Each ivar's assignments with the method they are in. An assignment outside a method (or without a right side)
   * is the only entry, itself as both, which makes the ivar's value unknown.
   */
  ivarAssignments: Map<string, { right: Node; def: Node }[]>;
  /** Calls without a receiver, with the id of the body statement they are under (a call inside a def is under it). */
  selfCalls: Map<string, { call: Node; under: number }[]>;
}

const NESTED_SCOPES = new Set(['class', 'module', 'singleton_class', 'singleton_method']);

function indexClassBody(body: Node): ClassBodyIndex {
  const ivarAssignments = new Map<string, { right: Node; def: Node }[]>();
  const unknownIvars = new Set<string>();
  const selfCalls = new Map<string, { call: Node; under: number }[]>();
  const stack: { node: Node; under: number }[] = [{ node: body, under: -1 }];
  while (stack.length > 0) {
    const { node: n, under } = stack.pop()!;
    if (NESTED_SCOPES.has(n.type)) continue;
    if (n.type === 'assignment' || n.type === 'operator_assignment') {
      const left = n.childForFieldName('left');
      if (left?.type === 'instance_variable' && !unknownIvars.has(left.text)) {
        let def: Node | null = n.parent;
        while (def && def.type !== 'method') def = def.parent;
        const right = n.childForFieldName('right');
        if (!def || !right) {
          unknownIvars.add(left.text);
          ivarAssignments.set(left.text, [{ right: n, def: n }]);
        } else {
          let list = ivarAssignments.get(left.text);
          if (!list) ivarAssignments.set(left.text, list = []);
          list.push({ right, def });
        }
      }
    } else if (n.type === 'call' && !n.childForFieldName('receiver')) {
      const name = n.childForFieldName('method')?.text;
      if (name) {
        let list = selfCalls.get(name);
        if (!list) selfCalls.set(name, list = []);
        list.push({ call: n, under });
      }
    }
    for (const c of n.namedChildren) if (c) stack.push({ node: c, under: n === body ? c.id : under });
  }
  return { ivarAssignments, selfCalls };
}

/** One value for several assignments: known only when all are; preloads are what all share. */
function combine(values: (Value | undefined)[]): Value | undefined {
  if (values.length === 0 || values.some((v) => !v)) return undefined;
  const known = values as Value[];
  const first = known[0];
  if (known.some((v) => v.kind !== first.kind || v.model?.name !== first.model?.name)) return undefined;
  if (known.length === 1) return first;
  const intersect = (a: Value['preloads'], b: Value['preloads']): Value['preloads'] => {
    if (a.dynamic) return b;
    if (b.dynamic) return a;
    const names = new Map<string, Value['preloads']>();
    for (const [k, v] of a.names) { const w = b.names.get(k); if (w) names.set(k, intersect(v, w)); }
    return { names, dynamic: false };
  };
  let preloads = first.preloads;
  for (const v of known.slice(1)) preloads = intersect(preloads, v.preloads);
  return {
    ...first, preloads,
    bounded: known.every((v) => v.bounded) ? first.bounded : undefined,
    strict: known.every((v) => v.strict),
    alternatives: known.flatMap((v) => v.alternatives ?? [v]),
  };
}

/** `render @posts` renders `posts/_post` (the model's to_partial_path). */
/**
 * The partial `render @posts` renders: `posts/_post`, and inside a namespaced controller's view
 * (`admin/posts/index`) `admin/posts/_post` (Rails prefixes the controller's namespace by default).
 */
export function partialForModel(model: ModelInfo, from?: string): string {
  const ns = model.name.includes('::') ? underscore(model.name.slice(0, model.name.lastIndexOf('::'))) + '/' : '';
  const dir = from && from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '';
  const controllerNs = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/') + 1) : '';
  return `${controllerNs}${ns}${tableize(model.name)}/_${singularize(tableize(model.name))}`;
}

/** Values of a partial's locals where it is rendered once per element of a collection. */
function partialLocalValues(key: string, controllers: ControllerIndex, models: ModelIndex, nextLoopId: () => number, classes?: AppClassSource): Map<string, Value> {
  const out = new Map<string, Value>();
  const collectionValue = (r: CollectionRender): Value => {
    const hooks: EvalHooks = {
      models, returns: returnResolver(models, classes),
      resolveRoot(chain) {
        if (chain.root.kind === 'ivar') return ivarValueForTemplate(r.from, chain.root.name, controllers, models, 1, classes);
        // Rendered by a partial looping over one of its own locals (`posts.each` in `_list`, handed `posts: @posts`).
        if (chain.root.kind === 'name') return passedLocalValue(r.from, chain.root.name, controllers, models, 1, classes);
        return undefined;
      },
    };
    return evaluate(r.collection, hooks);
  };
  const cache = new Map<CollectionRender, Value>();
  const valueOfRender = (r: CollectionRender): Value => {
    if (!cache.has(r)) cache.set(r, collectionValue(r));
    return cache.get(r)!;
  };
  const renders = controllers.collectionRendersOf(key, (r) => {
    const v = valueOfRender(r);
    return v.model && v.kind !== 'record' ? partialForModel(v.model, r.from) : undefined;
  });
  const base = key.slice(key.lastIndexOf('/_') + 2);
  const byLocal = new Map<string, { value: Value; through?: Chain }[]>();
  for (const r of renders) {
    const v = valueOfRender(r);
    if (!v.model || v.kind === 'record' || v.kind === 'unknown') continue;
    const local = r.local ?? base;
    const list = byLocal.get(local) ?? [];
    list.push({ value: v, through: r.through });
    byLocal.set(local, list);
  }
  for (const [local, entries] of byLocal) {
    const combined = combine(entries.map((e) => e.value));
    if (!combined) continue;
    const element = elementOf(combined, nextLoopId());
    // `author: post.author`: the element's association, read the same way by every render.
    const throughs = new Set(entries.map((e) => (e.through ? e.through.links.map((l) => l.name).join('.') : '')));
    if (throughs.size !== 1) continue;
    const through = entries[0].through;
    if (!through) { out.set(local, element); continue; }
    const v = evaluate(through, { models, resolveRoot: () => element });
    if (v.kind === 'record' && v.perRow) out.set(local, v);
  }
  return out;
}

/**
 * The value a partial's local has where every render of the partial (rendered once, not per element) hands it a
 * chain the analysis knows, all agreeing (`render "posts/list", posts: @posts`); undefined otherwise.
 */
function passedLocalValue(key: string, local: string, controllers: ControllerIndex, models: ModelIndex, depth: number, classes?: AppClassSource): Value | undefined {
  if (depth > 3 || !/(^|\/)_[^/]+$/.test(key)) return undefined;
  const passes = controllers.localPassesOf(key, local);
  if (!passes) return undefined;
  return combine(passes.map(({ from, chain }) => {
    const v = evaluate(chain, {
      models, returns: returnResolver(models, classes),
      resolveRoot(c) {
        if (c.root.kind === 'ivar') return ivarValueForTemplate(from, c.root.name, controllers, models, 1, classes);
        if (c.root.kind === 'name') return passedLocalValue(from, c.root.name, controllers, models, depth + 1, classes);
        return undefined;
      },
    });
    return v.kind === 'unknown' ? undefined : v;
  }));
}

/**
 * The element a component's template gets when every view that renders it per element of a collection
 * passes a known relation, all as the same parameter; undefined otherwise (unknown stays silent).
 */
function componentElementOf(component: ComponentInfo, controllers: ControllerIndex, models: ModelIndex, nextLoopId: () => number, classes?: AppClassSource): ComponentElement | undefined {
  const renders = controllers.componentRendersOf(component.name);
  if (renders.length === 0) return undefined;
  const params = new Set(renders.map((r) => r.param ?? component.collectionParam));
  if (params.size !== 1) return undefined;
  const values = renders.map((r) => {
    // Rendered by another component's template: the collection is that component's (`with_collection(comments)`).
    const renderer = isComponentTemplate(r.file) ? controllers.componentForTemplate(r.file) : undefined;
    const rendererValues = renderer && renderer !== component ? new ComponentValues(renderer, models) : undefined;
    const v = evaluate(r.collection, {
      models,
      resolveRoot: (chain) => {
        if (rendererValues) return chain.root.kind === 'ivar' ? rendererValues.ivar(chain.root.name) : chain.root.kind === 'name' ? rendererValues.method(chain.root.name) : undefined;
        return chain.root.kind === 'ivar' ? ivarValueForTemplate(r.from, chain.root.name, controllers, models, 1, classes) : undefined;
      },
    });
    return v.model && v.kind !== 'record' && v.kind !== 'unknown' ? v : undefined;
  });
  const combined = combine(values);
  if (!combined) return undefined;
  const value = elementOf(combined, nextLoopId());
  return value.kind === 'record' ? { param: [...params][0], value } : undefined;
}

/** Association helpers for rules. */
export function associationOf(models: ModelIndex | undefined, receiver: Value, name: string): AssociationInfo | undefined {
  if (!models || receiver.kind !== 'record' || !receiver.model) return undefined;
  return models.association(receiver.model.name, name);
}

export { emptyPreloads, UNKNOWN };

/** Statement lists: a `return` among the statements after the one holding a call runs whenever the call does. */
const STATEMENT_LISTS = new Set(['body_statement', 'block_body', 'then', 'else', 'begin', 'do', 'parenthesized_statements']);
const LOOP_SCOPES = new Set(['method', 'singleton_method', 'lambda', 'for', 'while', 'until', 'program', 'class', 'module']);
/** How far up from a call the search goes (deeply nested code gives up: the call keeps its loop). */
const MAX_EXIT_DEPTH = 32;

/** Per statement of a list: whether a `return` (`ret`), or a `return` or `break` (`brk`), follows it with no `next` between. */
const exitsByList = new WeakMap<Node, Map<Node, { ret: boolean; brk: boolean }>>();

function exitsAfterEach(list: Node): Map<Node, { ret: boolean; brk: boolean }> {
  let out = exitsByList.get(list);
  if (out) return out;
  out = new Map();
  let ret = false;
  let brk = false;
  const children = list.namedChildren;
  for (let i = children.length - 1; i >= 0; i--) {
    const child = children[i];
    if (!child) continue;
    out.set(child, { ret, brk });
    if (child.type === 'return') { ret = true; brk = true; }
    else if (child.type === 'break') brk = true;
    // `next` (even a conditional one) may end the iteration before the exit is reached.
    else if (child.type === 'next' || child.descendantsOfType('next').length > 0) { ret = false; brk = false; }
  }
  exitsByList.set(list, out);
  return out;
}

/**
 * Whether the statement holding `node` is followed, before the loop around it starts its next iteration, by an
 * unconditional `return` (or `break` when `breakEnds`: no outer loop): `each { … x = Model.find(id); x.use!; return true }`.
 * Blocks that run once on the way (`transaction do`, `with_lock do`) are looked through; the loop's own block ends
 * the search.
 */
function endsLoopAfter(node: Node, breakEnds: boolean): boolean {
  let depth = 0;
  for (let n: Node = node; n.parent && depth < MAX_EXIT_DEPTH; n = n.parent, depth++) {
    const parent = n.parent;
    if (STATEMENT_LISTS.has(parent.type)) {
      const exits = exitsAfterEach(parent).get(n);
      if (exits && (breakEnds ? exits.brk : exits.ret)) return true;
    }
    if (parent.type === 'block' || parent.type === 'do_block') {
      const call = parent.parent;
      const name = call?.type === 'call' ? call.childForFieldName('method')?.text : undefined;
      if (!name || LOOP_METHODS.has(name) || BATCH_LOOPS.has(name)) return false;
    }
    if (LOOP_SCOPES.has(parent.type)) return false;
  }
  return false;
}
