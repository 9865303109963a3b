// Controllers and views as data, so a view knows what its `@posts` is: controller → actions →
// instance-variable assignments (as chains), which template each action renders (Rails conventions and
// explicit `render`), and which views render a partial per element of a collection. Extracted per file
// from syntax trees (no IO); the project layer feeds it files and keeps it current.
import type { Node, Tree } from '../parsing/treeSitter';
import type { Range } from '../core/types';
import { bodyStatements, constantText, definitionIn, literalName, literalNames, nodeRange, readCall } from '../parsing/ruby';
import { underscore } from '../models/inflector';
import { lexicalCandidates } from '../models/modelIndex';
import { chainOf, substitutePassed, substituteRoot, type Chain, type Link, type PassedArgs } from './chain';
import { componentFileFor, isComponentTemplate, type ComponentInfo } from './components';
import { readAuthorization, type Authorization, type PolicyInfo } from './policies';
import { lazyIvarCounts, parameterList, returnSummaryOf, type ReturnSummary } from './methodReturns';

/** `@x = chain`; with `element`, `@a, @x = chain`: the element-th of the `[a, b]` the call returns (methodReturns.ts). */
export interface IvarAssignment {
  ivar: string; chain: Chain; element?: number;
  /** Inside a branch of its method (`if`, a modifier, `case`, `rescue`, the second arm of `?:`): it may not run. */
  conditional?: boolean;
  /** In the same branch as the ivar's previous assignment in the method, after it: it replaces that value where it runs. */
  replacesPrevious?: boolean;
}

const BRANCHES = new Set(['if', 'unless', 'elsif', 'else', 'then', 'case', 'when', 'in_clause', 'if_modifier', 'unless_modifier', 'conditional',
  'rescue', 'rescue_modifier', 'while', 'until', 'while_modifier', 'until_modifier', 'ensure', 'block', 'do_block']);

/**
 * Whether `node` sits in a branch (or a block) between itself and `method`. `respond_to`'s `format.html { … }` is the
 * path that renders the HTML template (and `respond_to`'s own block always runs): not a branch for it.
 */
function inBranch(node: Node, method: Node): boolean {
  let from = node;
  for (let n = node.parent; n && n.id !== method.id; from = n, n = n.parent) {
    if ((n.type === 'block' || n.type === 'do_block') && /^(format\.html|respond_to)\b/.test(n.parent?.text ?? '')) continue;
    // `… if request.format.html?`: likewise the path that renders the HTML template.
    if (n.type === 'if_modifier' && htmlOnly(n) && from.id !== n.childForFieldName('condition')?.id) continue;
    if (n.type === 'then' && n.parent?.type === 'if' && htmlOnly(n.parent)) continue;
    if (n.type === 'if' && htmlOnly(n) && from.type === 'then') continue;
    if (BRANCHES.has(n.type)) return true;
  }
  return false;
}

/** The nearest node containing both `a` and `b` (bounded climb: methods are shallow). */
function commonAncestor(a: Node, b: Node): Node | undefined {
  const above = new Set<number>();
  let steps = 0;
  for (let n: Node | null = b.parent; n && steps < 64; n = n.parent, steps++) above.add(n.id);
  steps = 0;
  for (let n: Node | null = a.parent; n && steps < 64; n = n.parent, steps++) if (above.has(n.id)) return n;
  return undefined;
}

const htmlOnly = (n: Node): boolean => n.childForFieldName('condition')?.text === 'request.format.html?';

export interface ControllerMethod {
  name: string; assigns: IvarAssignment[]; renders: string[]; rendersJson: boolean;
  /** What a method without parameters returns, when it is a chain: its last expression, or the chain of `@x ||= chain`. */
  returns?: Chain;
  /** What the method returns (methods with parameters too), for calls written `name(args)` (methodReturns.ts). */
  returnSummary?: ReturnSummary;
  /** Below `private`/`protected` (or named by `private :x`): a helper the actions call, not an action. */
  hidden?: boolean;
  /** Pundit `authorize` calls in the method. */
  authorizes?: Authorization[];
  /** `render json: @posts` (with `each_serializer:` or an AMS collection serializer wrapping it). */
  jsonRenders?: JsonRender[];
  /** The serializer classes a method without parameters returns, on every branch (`if toggle? then ASerializer else BSerializer end`). */
  returnsSerializers?: string[];
  /** Positional parameter names, when the method has any. */
  params?: string[];
  /** Calls of the class's own methods that pass arguments (`serialized_orders(orders)`), with the chains passed. */
  selfCalls?: { name: string; passed: PassedArgs }[];
}

/** A collection handed to `render json:`: each element goes through a serializer (named, or the model's by default). */
export interface JsonRender {
  collection: Chain;
  /** The per-element serializer as written (`each_serializer: PostSerializer`); undefined: the model's default. */
  eachSerializer?: string;
  /** `each_serializer: index_serializer`: a method of the controller chooses it (see `ControllerMethod.returnsSerializers`). */
  eachSerializerMethod?: string;
  /** Where the render call is. */
  range: Range;
  /** `include:` given: it chooses which associations are serialized (the declarations' defaults do not apply). */
  include?: boolean;
  /** The method the collection and serializer are handed to, when it is not `render` (`inject_json_array`, `ArraySerializer.new`). */
  via?: string;
}

export interface ControllerInfo {
  name: string;
  file: string;
  /** `admin/posts` for Admin::PostsController. */
  viewPath: string;
  methods: Map<string, ControllerMethod>;
  beforeActions: { method: string; only?: string[]; except?: string[] }[];
  /** As written: `Admin::BaseController`. */
  superclass?: string;
  /** `helper_method :current_posts`: methods its views (and its subclasses' views) call as helpers. */
  helperMethods?: string[];
  /** Modules it includes, as written (`include SetEvent`): controller concerns add methods and before_actions. */
  includes?: string[];
  /** A module (a controller concern), not a controller: its methods and before_actions join the controllers including it. */
  concern?: boolean;
}

/** A partial rendered once per element of `collection` (or of a loop that passes the element as a local). */
export interface CollectionRender {
  file: string;
  /** Template key of the view that renders it (`posts/index`). */
  from: string;
  /** Template key of the partial (`posts/_post`); undefined for `render @posts` (decided by the model). */
  partial?: string;
  /** The local the element is bound to (`as:`, the locals key, or the partial's name). */
  local?: string;
  collection: Chain;
  /** The local is a chain from the element (`author: post.author`): the links read after the element. */
  through?: Chain;
}

/** `render "posts/list", posts: @posts` (not per element): the locals a partial is handed, as chains. */
export interface LocalPass { partial: string; locals: Map<string, Chain> }

/** `render PostComponent.new(post: p)` (inside a loop over a collection) or `render PostComponent.with_collection(@posts)`. */
export interface ComponentRender {
  file: string;
  /** Template key of the view that renders it. */
  from: string;
  /** The component class as written (`PostComponent`, `Blog::PostComponent`). */
  component: string;
  /** The collection each render gets one element of. */
  collection: Chain;
  /** The initializer parameter the element is passed as (`with_collection`: the component's collection parameter). */
  param?: string;
}

export interface ViewInfo {
  file: string; key: string; collectionRenders: CollectionRender[]; partials: string[]; componentRenders?: ComponentRender[];
  /** Collections handed with a serializer to a method (`inject_json_array("orders", @orders, OrderSerializer)`). */
  serializerUses?: JsonRender[];
  /** Methods the template calls without a receiver (view helpers among them). */
  calls?: string[];
  /** Partials rendered once (not per element), with the locals each render hands them. */
  localPasses?: LocalPass[];
}

/** A view helper method that hands an instance variable's collection to a serializer (`inject_posts` → `@posts`). */
export interface HelperSerializerUse { module: string; method: string; file: string; use: JsonRender }

/** View helpers' serializer uses whose collection is an instance variable (the rendering action's). */
export function extractHelperSerializerUses(tree: Tree, file: string): HelperSerializerUse[] {
  const out: HelperSerializerUse[] = [];
  const visit = (node: Node, namespace: string[], depth: number): void => {
    if (depth > 10) return;
    for (const stmt of bodyStatements(node)) {
      if (stmt.type === 'module' || stmt.type === 'class') {
        const body = stmt.childForFieldName('body');
        if (body) visit(body, [...namespace, constantText(stmt.childForFieldName('name')) ?? ''], depth + 1);
        continue;
      }
      const name = stmt.type === 'method' ? stmt.childForFieldName('name')?.text : undefined;
      if (!name || !stmt.text.includes('Serializer')) continue;
      const stack: Node[] = [stmt];
      while (stack.length > 0) {
        const n = stack.pop()!;
        const call = n.type === 'call' ? readCall(n) : null;
        const use = call ? serializerUse(call, (x) => (x ? chainOf(x, file) : undefined)) : undefined;
        if (use && use.collection.root.kind === 'ivar') out.push({ module: namespace.join('::'), method: name, file, use });
        for (const c of n.namedChildren) if (c) stack.push(c);
      }
    }
  };
  visit(tree.rootNode, [], 0);
  return out;
}

/** `app/views/admin/posts/index.html.erb` → `admin/posts/index`; undefined outside app/views. */
export function templateKey(file: string): string | undefined {
  const p = file.replace(/\\/g, '/');
  const i = p.lastIndexOf('/app/views/');
  const rel = i >= 0 ? p.slice(i + '/app/views/'.length) : p.startsWith('app/views/') ? p.slice('app/views/'.length) : undefined;
  if (rel === undefined) return undefined;
  const slash = rel.lastIndexOf('/');
  const base = rel.slice(slash + 1);
  const dot = base.indexOf('.');
  return rel.slice(0, slash + 1) + (dot < 0 ? base : base.slice(0, dot));
}

/** Resolves a partial name as written in a view or controller (`post`, `posts/post`) to its template key. */
export function partialKey(name: string, fromDir: string): string {
  const clean = name.replace(/^\//, '');
  const slash = clean.lastIndexOf('/');
  if (slash < 0) return `${fromDir ? fromDir + '/' : ''}_${clean}`;
  return `${clean.slice(0, slash)}/_${clean.slice(slash + 1)}`;
}

function dirOf(key: string): string {
  const i = key.lastIndexOf('/');
  return i < 0 ? '' : key.slice(0, i);
}

// ---- controllers ----------------------------------------------------------------------------

export function extractControllers(tree: Tree, file: string): ControllerInfo[] {
  const out: ControllerInfo[] = [];
  const visit = (node: Node, namespace: string[]): void => {
    for (const stmt of bodyStatements(node)) {
      if (stmt.type === 'module' || stmt.type === 'class') {
        const name = constantText(stmt.childForFieldName('name')) ?? '';
        const body = stmt.childForFieldName('body');
        const full = [...namespace, name];
        if (stmt.type === 'class' && name.endsWith('Controller')) {
          // An empty class (`class Admin::BaseController < ApplicationController; end`) still links its subclasses to its parent.
          const info = body ? readController(full.join('::'), body, file) : emptyController(full.join('::'), file);
          const superclass = constantText(stmt.childForFieldName('superclass')?.namedChildren[0]);
          if (superclass) info.superclass = superclass;
          out.push(info);
        } else if (stmt.type === 'module' && body) {
          // A controller concern: methods (also inside `included do … end`) and before_actions for its includers.
          const info = readController(full.join('::'), body, file);
          if (info.methods.size > 0 || info.beforeActions.length > 0) out.push({ ...info, viewPath: '', concern: true });
        }
        if (body) visit(body, full);
      }
    }
  };
  visit(tree.rootNode, []);
  return out;
}

/**
 * `render json: { orders: serialized_orders(orders) }` where `serialized_orders(orders)` wraps its parameter in an
 * `ArraySerializer.new(orders, each_serializer: S)`: the caller hands its collection to that serializer.
 */
function handSerializerUsesToCallers(info: ControllerInfo): void {
  for (const method of info.methods.values()) {
    for (const call of method.selfCalls ?? []) {
      const callee = info.methods.get(call.name);
      if (!callee?.params || callee === method) continue;
      for (const use of callee.jsonRenders ?? []) {
        const root = use.collection.root;
        const at = root.kind === 'name' ? callee.params.indexOf(root.name) : -1;
        const passed = at >= 0 ? call.passed.positional[at] : undefined;
        if (!passed) continue;
        (method.jsonRenders ??= []).push({ ...use, collection: substituteRoot(use.collection, passed), via: call.name });
      }
    }
  }
}

function emptyController(name: string, file: string): ControllerInfo {
  return { name, file, viewPath: underscore(name.replace(/Controller$/, '')), methods: new Map(), beforeActions: [] };
}

function readController(name: string, body: Node, file: string): ControllerInfo {
  const info = emptyController(name, file);
  const counts = lazyIvarCounts(body);
  let hidden = false;
  const statements = bodyStatements(body);
  for (let i = 0; i < statements.length; i++) {
    const stmt = statements[i];
    if (stmt.type === 'method') {
      const m = stmt.childForFieldName('name')?.text;
      if (m) info.methods.set(m, { ...readMethod(m, stmt, file, counts), ...(hidden ? { hidden: true } : {}) });
      continue;
    }
    // `memoize def x`, `helper_method def x`: the def the macro wraps (`private def x` is read below, as hidden).
    const wrapped = stmt.type === 'call' && !/^(private|protected)$/.test(stmt.childForFieldName('method')?.text ?? '') ? definitionIn(stmt) : undefined;
    if (wrapped?.type === 'method') {
      const m = wrapped.childForFieldName('name')?.text;
      if (m) info.methods.set(m, { ...readMethod(m, wrapped, file, counts), ...(hidden ? { hidden: true } : {}) });
      if (m && stmt.childForFieldName('method')?.text === 'helper_method') info.helperMethods = [...(info.helperMethods ?? []), m];
      continue;
    }
    if (stmt.type === 'identifier' && (stmt.text === 'private' || stmt.text === 'protected')) { hidden = true; continue; }
    if (stmt.type === 'identifier' && stmt.text === 'public') { hidden = false; continue; }
    const call = readCall(stmt);
    if (!call || call.receiver) continue;
    // A concern's `included do … end`: its statements run in the including controller's body.
    if (call.name === 'included' && call.block && call.args.length === 0) { statements.splice(i + 1, 0, ...bodyStatements(call.block)); continue; }
    if (call.name === 'include') {
      for (const a of call.args) { const m = constantText(a); if (m) (info.includes ??= []).push(m); }
      continue;
    }
    if ((call.name === 'private' || call.name === 'protected') && call.args.length > 0) {
      for (const a of call.args) {
        const named = a.type === 'method' ? a.childForFieldName('name')?.text : literalName(a);
        const m = named ? info.methods.get(named) : undefined;
        if (m) m.hidden = true;
        else if (a.type === 'method' && named) info.methods.set(named, { ...readMethod(named, a, file, counts), hidden: true });
      }
      continue;
    }
    if (call.name === 'helper_method') {
      const names = call.args.map((a) => literalName(a)).filter((n): n is string => !!n);
      if (names.length > 0) info.helperMethods = [...(info.helperMethods ?? []), ...names];
      continue;
    }
    if (call.name === 'before_action' || call.name === 'prepend_before_action' || call.name === 'before_filter' || call.name === 'append_before_action') {
      const only = literalNames(call.keywords.get('only'));
      const except = literalNames(call.keywords.get('except'));
      for (const a of call.args) {
        const m = literalName(a);
        if (m && a.type !== 'hash') info.beforeActions.push({ method: m, only, except });
      }
    }
  }
  handSerializerUsesToCallers(info);
  return info;
}

export function readMethod(name: string, method: Node, file: string, classCounts?: () => Map<string, number>): ControllerMethod {
  const out: ControllerMethod = { name, assigns: [], renders: [], rendersJson: false };
  const locals = new Map<string, Chain>();
  const expr = (node: Node | null): Chain | undefined => {
    if (!node) return undefined;
    // Pundit's `authorize record` returns the record it authorized.
    const pundit = node.type === 'call' ? readCall(node) : null;
    if (pundit?.name === 'authorize' && !pundit.receiver && !pundit.block && pundit.args[0] && pundit.args[0].type !== 'hash') return expr(pundit.args[0]);
    const chain = substitutePassed(chainOf(node, file), (name) => locals.get(name));
    if (chain.root.kind === 'name' && locals.has(chain.root.name)) return substituteRoot(chain, locals.get(chain.root.name)!);
    return chain;
  };
  const stack: Node[] = [method.childForFieldName('body') ?? method];
  /** Each ivar's latest assignment so far, in source order. */
  const lastAssignment = new Map<string, Node>();
  /** Inside a `rescue` that ends by redirecting: the action (or its template) never sees what it assigns. */
  let halting = 0;
  // Pre-order, in source order, so locals are known before they are used.
  const walk = (node: Node, depth: number): void => {
    if (depth > 200) return;
    if (node.type === 'rescue' && haltsAtEnd(node)) {
      halting++;
      for (const c of node.namedChildren) if (c) walk(c, depth + 1);
      halting--;
      return;
    }
    if (node.type === 'assignment' || node.type === 'operator_assignment') {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (right) walk(right, depth + 1);
      const chain = expr(right);
      if (left?.type === 'identifier' && chain) locals.set(left.text, chain);
      if (left?.type === 'instance_variable' && right?.type === 'conditional' && !halting) {
        // `@event = admin? ? Event.find(id) : Event.visible.find(id)`: either branch's value.
        const arms = [right.childForFieldName('consequence'), right.childForFieldName('alternative')];
        arms.forEach((branch, i) => {
          const c = expr(branch);
          if (c) out.assigns.push({ ivar: left.text, chain: c, ...(i > 0 || inBranch(node, method) ? { conditional: true } : {}) });
        });
      } else if (left?.type === 'instance_variable' && chain && !halting) {
        // `@x ||= chain` may keep the value before; `@x += more` is neither value (an unknown, as its own chain).
        const operator = node.type === 'operator_assignment' ? node.childForFieldName('operator')?.text : undefined;
        const combined = operator && operator !== '||=' ? chainOf(node, file) : chain;
        // `@x = a` then `@x = limit(@x)` in the same branch: the second replaces the first on every path both are on.
        const previous = lastAssignment.get(left.text);
        const ancestor = previous && !operator ? commonAncestor(node, previous) : undefined;
        const replacesPrevious = !!ancestor && !inBranch(node, ancestor);
        out.assigns.push({ ivar: left.text, chain: combined, ...(inBranch(node, method) || operator === '||=' ? { conditional: true } : {}),
          ...(replacesPrevious ? { replacesPrevious } : {}) });
      }
      if (left?.type === 'instance_variable') lastAssignment.set(left.text, node);
      if (left?.type === 'left_assignment_list' && right) {
        // `@pagy, @posts = pagy(Post.where(…))`: the records are one page of the relation.
        const paged = pagyChain(right, expr);
        const ivars = left.namedChildren.filter((c) => c?.type === 'instance_variable');
        if (paged && ivars.length === 2) out.assigns.push({ ivar: ivars[1]!.text, chain: paged });
        else if (!paged && right.type === 'call') {
          // `@posts, @newer_id = page_items(posts)`: each ivar is one element of what the method returns.
          const targets = left.namedChildren.filter((c): c is Node => !!c);
          const call = expr(right)!;
          targets.forEach((t, element) => {
            if (t.type === 'instance_variable' && targets.slice(0, element).every((x) => x.type === 'instance_variable' || x.type === 'identifier')) {
              out.assigns.push({ ivar: t.text, chain: call, element });
            }
          });
        }
      }
      return;
    }
    if (node.type === 'call') {
      const call = readCall(node);
      if (call && !call.receiver && call.name !== 'render' && call.args.length > 0) {
        const passed = expr(node)?.links[0]?.args.passed;
        if (passed) (out.selfCalls ??= []).push({ name: call.name, passed });
      }
      if (call && !call.receiver && call.name === 'render') { readRender(call, out); readJsonRender(call, out, expr); }
      else if (call) {
        // Inside `render json:` too (`ArraySerializer.new(@posts, each_serializer: S).to_json`), unless the render's own reading has it.
        const use = serializerUse(call, expr);
        const start = use?.collection.rootRange.start;
        const same = (r: JsonRender): boolean => r.collection.rootRange.start.line === start?.line && r.collection.rootRange.start.character === start.character;
        if (use && !out.jsonRenders?.some(same)) (out.jsonRenders ??= []).push(use);
      }
      const authorization = call ? readAuthorization(call) : undefined;
      if (authorization) (out.authorizes ??= []).push(authorization);
    }
    for (const c of node.namedChildren) if (c) walk(c, depth + 1);
  };
  for (const n of stack) walk(n, 0);
  const summary = returnSummaryOf(method, file, classCounts);
  if (summary) out.returnSummary = summary;
  const params = parameterList(method);
  if (params.params.length > 0 && !params.splat) out.params = params.params.filter((p) => !params.keywords?.includes(p));
  if (!method.childForFieldName('parameters')?.namedChildren.length) {
    const body = method.childForFieldName('body');
    const statements = body ? [...bodyStatements(body)] : [];
    const last = statements[statements.length - 1];
    if (last && last.type !== 'assignment' && last.type !== 'if' && last.type !== 'unless' && last.type !== 'case') {
      // `@posts ||= Post.visible`: the memoised chain.
      const memo = last.type === 'operator_assignment' ? last.childForFieldName('right') : last;
      const chain = memo && (memo.type === 'call' || memo.type === 'constant' || memo.type === 'scope_resolution' || memo.type === 'identifier') ? expr(memo) : undefined;
      if (chain && (chain.root.kind === 'const' || chain.links.length > 0)) out.returns = chain;
    }
    const serializers = last ? serializersReturned(last, 0) : undefined;
    if (serializers && serializers.length > 0) out.returnsSerializers = serializers;
  }
  return out;
}

/** Ends the request without a template (a `render` in a rescue may render the same template with what it assigns). */
const HALTS = /^(redirect_to|redirect_back|redirect_back_or_to|head|raise)$/;

/** A `rescue` clause whose last statement redirects or raises. */
function haltsAtEnd(rescue: Node): boolean {
  const body = rescue.childForFieldName('body');
  const statements = body ? bodyStatements(body) : [];
  const last = statements[statements.length - 1];
  const call = last ? readCall(last.type === 'return' ? last.namedChildren[0] ?? last : last) : null;
  return !!call && !call.receiver && HALTS.test(call.name);
}

const PAGY = /^pagy(_countless|_array|_arel|_cursor|_elasticsearch_rails|_searchkick|_meilisearch)?$/;

/** `pagy(relation)`: the relation with a page link, so it is bounded and fixes still edit the relation. */
function pagyChain(call: Node, expr: (node: Node | null) => Chain | undefined): Chain | undefined {
  if (call.type !== 'call' || call.childForFieldName('receiver') || !PAGY.test(call.childForFieldName('method')?.text ?? '')) return undefined;
  const first = call.childForFieldName('arguments')?.namedChildren.find((a) => a && a.type !== 'pair' && a.type !== 'hash');
  const chain = first ? expr(first) : undefined;
  if (!chain) return undefined;
  const end = chain.links.length > 0 ? chain.links[chain.links.length - 1].end : chain.rootRange.end;
  const page: Link = { name: 'page', nameRange: { start: end, end }, end, args: { count: 0, text: '(pagy)', deps: [] }, hasBlock: false };
  return { ...chain, links: [...chain.links, page] };
}

function readRender(call: NonNullable<ReturnType<typeof readCall>>, out: ControllerMethod): void {
  if (call.keywords.has('json')) { out.rendersJson = true; return; }
  const first = call.args[0];
  const target = literalName(call.keywords.get('action')) ?? literalName(call.keywords.get('template')) ?? (first && first.type !== 'hash' ? literalName(first) : undefined);
  if (target) out.renders.push(target);
}

/** AMS wrappers that serialize each element of their first argument: `ArraySerializer.new(@posts, each_serializer: S)`. */
const AMS_COLLECTION = /^(::)?(ActiveModel::ArraySerializer|ActiveModel::Serializer::(Array|Collection)Serializer|ActiveModelSerializers::SerializableResource)$/;

/** `render json: @posts, each_serializer: PostSerializer`, `render json: ActiveModel::ArraySerializer.new(@posts, each_serializer: S)`. */
function readJsonRender(call: Call, out: ControllerMethod, expr: (node: Node | null) => Chain | undefined): void {
  let value = call.keywords.get('json');
  if (!value) return;
  const eachNode = call.keywords.get('each_serializer');
  let each = eachNode && (eachNode.type === 'constant' || eachNode.type === 'scope_resolution') ? constantText(eachNode) ?? undefined : undefined;
  // `each_serializer: chosen_serializer`: a method picks it; not the model's default.
  const eachMethod = !each && eachNode ? (eachNode.type === 'identifier' ? eachNode.text : '') : undefined;
  // `serializer:` on a collection is the collection's serializer: the elements' is not known.
  if (call.keywords.has('serializer') && !each) return;
  const wrapped = value.type === 'call' ? readCall(value) : null;
  if (wrapped && wrapped.name === 'new' && wrapped.receiver && AMS_COLLECTION.test(wrapped.receiver.text)) {
    // `serializer:` names the elements' serializer for the collection classes, the collection's for SerializableResource.
    const perElement = /(Array|Collection)Serializer$/.test(wrapped.receiver.text) ? wrapped.keywords.get('serializer') : undefined;
    const inner = constantText(wrapped.keywords.get('each_serializer') ?? perElement ?? null) ?? undefined;
    if (!inner && wrapped.keywords.has('serializer')) return;
    each = inner ?? each;
    value = wrapped.args[0];
  } else if (wrapped && (wrapped.name === 'new' || /^(as_json|to_json|serializable_hash|to_h|map|collect)$/.test(wrapped.name))) {
    // `PostSerializer.new(@posts)` (one object in AMS), `@posts.as_json` (no serializer): not a per-element serializer.
    return;
  }
  if (!value || !['instance_variable', 'identifier', 'call'].includes(value.type)) return;
  const chain = expr(value);
  if (!chain || (chain.root.kind !== 'ivar' && chain.root.kind !== 'const' && chain.root.kind !== 'name')) return;
  const include = call.keywords.has('include') || (wrapped?.name === 'new' && wrapped.keywords.has('include'));
  (out.jsonRenders ??= []).push({ collection: chain, eachSerializer: each, range: nodeRange(call.node), include: include || undefined, ...(eachMethod !== undefined ? { eachSerializerMethod: eachMethod } : {}) });
}

/** The serializer constants an expression evaluates to on every branch (`if a? then XSerializer else YSerializer end`). */
function serializersReturned(node: Node, depth: number): string[] | undefined {
  if (depth > 4) return undefined;
  if (node.type === 'constant' || node.type === 'scope_resolution') return SERIALIZER_CONSTANT.test(node.text) ? [node.text.replace(/^::/, '')] : undefined;
  if (node.type === 'parenthesized_statements' || node.type === 'then' || node.type === 'else' || node.type === 'when' || node.type === 'begin') {
    const statements = [...bodyStatements(node)].filter((c) => c.type !== 'pattern' && c.type !== 'comment');
    const last = statements[statements.length - 1];
    return last ? serializersReturned(last, depth + 1) : undefined;
  }
  const branches: Node[] = [];
  if (node.type === 'if' || node.type === 'unless' || node.type === 'elsif') {
    const consequence = node.childForFieldName('consequence');
    const alternative = node.childForFieldName('alternative');
    if (!consequence || !alternative) return undefined;
    branches.push(consequence, alternative);
  } else if (node.type === 'conditional') {
    const consequence = node.childForFieldName('consequence');
    const alternative = node.childForFieldName('alternative');
    if (!consequence || !alternative) return undefined;
    branches.push(consequence, alternative);
  } else if (node.type === 'case') {
    const arms = node.namedChildren.filter((c): c is Node => !!c && (c.type === 'when' || c.type === 'else'));
    if (!arms.some((a) => a.type === 'else')) return undefined;
    branches.push(...arms);
  } else return undefined;
  const out: string[] = [];
  for (const b of branches) {
    const found = serializersReturned(b, depth + 1);
    if (!found) return undefined;
    out.push(...found);
  }
  return [...new Set(out)];
}

const SERIALIZER_CONSTANT = /^(::)?([A-Z]\w*::)*[A-Z]\w*Serializer$/;
const LITERAL_ARGS = new Set(['string', 'symbol', 'simple_symbol', 'integer', 'hash', 'pair', 'true', 'false', 'nil', 'array', 'string_array', 'symbol_array']);

/**
 * A collection handed to a method together with the serializer of its elements, outside `render json:`:
 * `ActiveModel::ArraySerializer.new(@posts, each_serializer: S)`, `respond_with @posts, each_serializer: S`, and an
 * app helper given the serializer class next to the collection (`inject_json_array("posts", @posts, PostSerializer)`).
 * `PostSerializer.new(@post)` serializes one object: not a use.
 */
export function serializerUse(call: Call, expr: (node: Node | null) => Chain | undefined): JsonRender | undefined {
  if (call.receiver && SERIALIZER_CONSTANT.test(call.receiver.text) && !AMS_COLLECTION.test(call.receiver.text)) return undefined;
  const positional = call.args.filter((a) => a.type !== 'hash' && a.type !== 'pair' && a.type !== 'block_argument');
  let serializer: string | undefined;
  let collection: Node | undefined;
  const keyword = call.keywords.get('each_serializer')
    ?? (call.receiver && /(Array|Collection)Serializer$/.test(call.receiver.text) ? call.keywords.get('serializer') : undefined);
  if (keyword) {
    serializer = constantText(keyword) ?? undefined;
    collection = positional.find((a) => !LITERAL_ARGS.has(a.type));
  } else {
    const at = positional.findIndex((a) => (a.type === 'constant' || a.type === 'scope_resolution') && SERIALIZER_CONSTANT.test(a.text) && !AMS_COLLECTION.test(a.text));
    if (at <= 0 || positional.slice(at + 1).some((a) => SERIALIZER_CONSTANT.test(a.text))) return undefined;
    serializer = positional[at].text;
    collection = positional[at - 1];
  }
  if (!serializer || !collection || !['instance_variable', 'identifier', 'call'].includes(collection.type)) return undefined;
  const chain = expr(collection);
  if (!chain || (chain.root.kind !== 'ivar' && chain.root.kind !== 'const' && chain.root.kind !== 'name')) return undefined;
  const via = call.receiver ? `${call.receiver.text}.${call.name}` : call.name;
  return { collection: chain, eachSerializer: serializer.replace(/^::/, ''), range: nodeRange(call.node), include: call.keywords.has('include') || undefined, via };
}

// ---- views ----------------------------------------------------------------------------------

const LOOPS = new Set(['each', 'each_with_index', 'map', 'collect', 'find_each', 'each_with_object', 'flat_map']);

export function extractView(tree: Tree, file: string): ViewInfo | undefined {
  // A ViewComponent's template: only the components it renders are read (its partials resolve from no view folder).
  const component = isComponentTemplate(file);
  const key = component ? `component:${file.replace(/\\/g, '/')}` : templateKey(file);
  if (!key) return undefined;
  const info: ViewInfo = { file, key, collectionRenders: [], partials: [] };
  const dir = dirOf(key);
  // Block parameters of enclosing loops, mapped to the chain looped over.
  const loopVars = new Map<string, Chain>();
  const calls = new Set<string>();
  const walk = (node: Node, depth: number): void => {
    if (depth > 300) return;
    if (node.type === 'identifier') {
      // A bare name (`= inject_posts`) or a receiverless call's name: maybe a helper method.
      const parent = node.parent;
      if (!(parent?.type === 'call' && parent.childForFieldName('receiver') && parent.childForFieldName('method')?.id === node.id)) calls.add(node.text);
    }
    if (node.type === 'call') {
      const call = readCall(node);
      if (call?.name === 'render' && !call.receiver) {
        if (!component) readViewRender(call, file, key, dir, info, loopVars);
        readComponentRender(call, file, key, info, loopVars);
      }
      const use = call && !(call.name === 'render' && !call.receiver) ? serializerUse(call, (n) => (n ? chainOf(n, file) : undefined)) : undefined;
      if (use) (info.serializerUses ??= []).push(use);
      if (call && !component && isJsonCall(call) && (call.name === 'partial!' || (call.name === 'array!' && call.keywords.has('partial')))) readJbuilderPartial(call, file, key, dir, info, loopVars);
      const iterated = call?.block && call.receiver ? (LOOPS.has(call.name) ? call.receiver : jbuilderIterated(call)) : undefined;
      if (call?.block && iterated) {
        const params = call.block.childForFieldName('parameters') ?? call.block.namedChildren.find((c) => c?.type === 'block_parameters');
        const first = params?.namedChildren.find((c) => c?.type === 'identifier');
        if (first) {
          const previous = loopVars.get(first.text);
          loopVars.set(first.text, chainOf(iterated, file));
          for (const c of node.namedChildren) if (c) walk(c, depth + 1);
          if (previous) loopVars.set(first.text, previous); else loopVars.delete(first.text);
          return;
        }
      }
    }
    for (const c of node.namedChildren) if (c) walk(c, depth + 1);
  };
  walk(tree.rootNode, 0);
  if (calls.size > 0) info.calls = [...calls];
  return info;
}

type Call = NonNullable<ReturnType<typeof readCall>>;

/** `render(PostComponent.with_collection(@posts))`, and `render PostComponent.new(post: post)` in a loop. */
function readComponentRender(render: Call, file: string, from: string, info: ViewInfo, loopVars: Map<string, Chain>): void {
  const first = render.args[0];
  const call = first ? readCall(first) : null;
  const component = call?.receiver && (call.receiver.type === 'constant' || call.receiver.type === 'scope_resolution') ? call.receiver.text : undefined;
  if (!call || !component || !/Component$/.test(component)) return;
  const out = (info.componentRenders ??= []);
  if (call.name === 'with_collection' && call.args[0] && call.args[0].type !== 'hash') {
    out.push({ file, from, component, collection: chainOf(call.args[0], file) });
  } else if (call.name === 'new') {
    for (const [param, value] of call.keywords) {
      if (value.type === 'identifier' && loopVars.has(value.text)) out.push({ file, from, component, collection: loopVars.get(value.text)!, param });
    }
  }
}

const isJsonCall = (call: Call): boolean => call.receiver?.type === 'identifier' && call.receiver.text === 'json';

/** jbuilder: `json.array! @posts do |post|` and `json.<key> @post.comments do |comment|` iterate their argument. */
function jbuilderIterated(call: Call): Node | undefined {
  if (!isJsonCall(call)) return undefined;
  const candidate = call.name === 'set!' ? call.args[1] : call.args[0];
  return candidate && ['identifier', 'instance_variable', 'call'].includes(candidate.type) ? candidate : undefined;
}

/**
 * jbuilder partials: `json.partial! "posts/post", post: @post`, `json.partial! partial: "post", collection: @posts, as: :post`
 * and `json.array! @posts, partial: "posts/post", as: :post`, read as the equivalent `render`.
 */
function readJbuilderPartial(call: Call, file: string, from: string, dir: string, info: ViewInfo, loopVars: Map<string, Chain>): void {
  if (call.name === 'partial!') { readViewRender(call, file, from, dir, info, loopVars); return; }
  const partialName = literalName(call.keywords.get('partial'));
  const collection = call.args[0];
  if (!partialName || !collection || collection.type === 'hash') return;
  const partial = partialKey(partialName, dir);
  info.partials.push(partial);
  const local = literalName(call.keywords.get('as')) ?? partial.slice(partial.lastIndexOf('/_') + 2);
  info.collectionRenders.push({ file, from, partial, local, collection: chainOf(collection, file) });
}

function readViewRender(call: NonNullable<ReturnType<typeof readCall>>, file: string, from: string, dir: string, info: ViewInfo,
  loopVars: Map<string, Chain>): void {
  const k = call.keywords;
  const first = call.args[0];
  const firstName = first && first.type !== 'hash' ? literalName(first) : undefined;
  const partialName = literalName(k.get('partial')) ?? firstName;
  const partial = partialName ? partialKey(partialName, dir) : undefined;
  if (partial) info.partials.push(partial);
  const collection = k.get('collection');
  if (collection) {
    const local = literalName(k.get('as')) ?? (partial ? partial.slice(partial.lastIndexOf('/_') + 2) : undefined);
    info.collectionRenders.push({ file, from, partial, local, collection: chainOf(collection, file) });
    return;
  }
  if (first && !partialName && (first.type === 'instance_variable' || first.type === 'call' || first.type === 'identifier')) {
    // `render @posts`: the partial follows from the model (to_partial_path).
    const chain = chainOf(first, file);
    if (chain.root.kind === 'name' && loopVars.has(chain.root.name) && chain.links.length === 0) {
      info.collectionRenders.push({ file, from, collection: loopVars.get(chain.root.name)! });
    } else {
      info.collectionRenders.push({ file, from, collection: chain });
    }
    return;
  }
  // `render "post", post: p` / `render partial: "post", locals: { post: p }` inside a loop over a collection.
  if (!partial) return;
  const locals = k.get('locals');
  const pairs: [string, Node][] = [];
  if (locals?.type === 'hash') {
    for (const p of locals.namedChildren) {
      const key = literalName(p?.childForFieldName('key'));
      const value = p?.childForFieldName('value');
      if (p?.type === 'pair' && key && value) pairs.push([key, value]);
    }
  } else if (!k.has('partial')) {
    for (const [key, value] of k) pairs.push([key, value]);
  }
  let perElement = false;
  const passed = new Map<string, Chain>();
  for (const [key, value] of pairs) {
    if (value.type === 'identifier' && loopVars.has(value.text)) {
      info.collectionRenders.push({ file, from, partial, local: key, collection: loopVars.get(value.text)! });
      perElement = true;
    } else if (CHAIN_NODES.has(value.type)) {
      passed.set(key, chainOf(value, file));
    }
  }
  // `author: post.author` beside the element: the element's association, per element too.
  for (const [key, chain] of passed) {
    if (chain.root.kind === 'name' && loopVars.has(chain.root.name) && chain.links.length > 0) {
      info.collectionRenders.push({ file, from, partial, local: key, collection: loopVars.get(chain.root.name)!, through: chain });
      perElement = true;
    }
  }
  if (!perElement && !k.has('collection')) (info.localPasses ??= []).push({ partial, locals: passed });
}

const CHAIN_NODES = new Set(['identifier', 'instance_variable', 'call']);

// ---- the index ------------------------------------------------------------------------------

export class ControllerIndex {
  private readonly controllersByFile = new Map<string, ControllerInfo[]>();
  /** ViewComponent classes by their Ruby file (app/components). */
  private readonly componentsByFile = new Map<string, ComponentInfo[]>();
  private readonly viewsByFile = new Map<string, ViewInfo>();
  private byViewPath: Map<string, ControllerInfo[]> | undefined;

  /** Answers derived from the controllers and views, dropped whenever one of them changes. */
  private derived = new DerivedAnswers();

  updateController(file: string, controllers: ControllerInfo[]): void { this.controllersByFile.set(file, controllers); this.controllersChanged(); }
  updateView(file: string, view: ViewInfo | undefined): void {
    if (view) this.viewsByFile.set(file, view); else this.viewsByFile.delete(file);
    this.callers = undefined;
    this.derived = new DerivedAnswers();
  }
  remove(file: string): void {
    if (this.controllersByFile.delete(file)) this.controllersChanged();
    if (this.policiesByFile.delete(file)) this.policyByName = undefined;
    this.viewsByFile.delete(file);
    this.componentsByFile.delete(file);
    this.helpersByFile.delete(file);
    this.callers = undefined;
    this.derived = new DerivedAnswers();
  }
  private controllersChanged(): void {
    this.byViewPath = undefined;
    this.all = undefined;
    this.concerns = undefined;
    this.derived = new DerivedAnswers();
  }

  private readonly helpersByFile = new Map<string, HelperSerializerUse[]>();
  updateHelper(file: string, uses: HelperSerializerUse[]): void {
    if (uses.length > 0) this.helpersByFile.set(file, uses); else this.helpersByFile.delete(file);
    this.callers = undefined;
  }
  /** View helpers' serializer uses (their collections are the rendering action's instance variables). */
  helperSerializerUses(): HelperSerializerUse[] { return [...this.helpersByFile.values()].flat(); }
  private callers: Map<string, ViewInfo[]> | undefined;
  /** The views that call `method` without a receiver (helpers' names only: the index is built for them). */
  viewsCalling(method: string): ViewInfo[] {
    if (!this.callers) {
      const wanted = new Set(this.helperSerializerUses().map((h) => h.method));
      this.callers = new Map();
      for (const view of this.viewsByFile.values()) {
        for (const name of view.calls ?? []) if (wanted.has(name)) this.callers.set(name, [...(this.callers.get(name) ?? []), view]);
      }
    }
    return this.callers.get(method) ?? [];
  }

  /** Every view's collections handed to a method with their elements' serializer. */
  serializerUses(): { view: ViewInfo; use: JsonRender }[] {
    const out: { view: ViewInfo; use: JsonRender }[] = [];
    for (const view of this.viewsByFile.values()) for (const use of view.serializerUses ?? []) out.push({ view, use });
    return out;
  }

  updateComponent(file: string, components: ComponentInfo[]): void { this.componentsByFile.set(file, components); }

  private readonly policiesByFile = new Map<string, PolicyInfo[]>();
  private policyByName: Map<string, PolicyInfo> | undefined;
  updatePolicies(file: string, policies: PolicyInfo[]): void { this.policiesByFile.set(file, policies); this.policyByName = undefined; }

  /**
   * The staff check an action's Pundit `authorize` applies (`authorize @cards` in `index` → `StripeCardPolicy#index?`
   * is `user&.auditor?`), as message text; undefined when it authorizes nothing or lets other users in.
   */
  policyGate(controller: ControllerInfo, action: ControllerMethod): string | undefined {
    for (const auth of action.authorizes ?? []) {
      const policy = auth.policyClass ?? this.policyNameFor(auth.subject, controller, action);
      const query = auth.query ?? `${action.name}?`;
      const roles = policy ? this.staffRoles(policy, query) : undefined;
      if (roles) return `a page whose \`${policy}#${query}\` lets only ${roles} in`;
    }
    return undefined;
  }

  private policyNameFor(subject: string, controller: ControllerInfo, action: ControllerMethod): string | undefined {
    if (/^[A-Z][\w:]*$/.test(subject)) return `${subject}Policy`;
    if (/^:[a-z_]+$/.test(subject)) return `${subject.slice(1).split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('')}Policy`;
    if (!/^@\w+$/.test(subject)) return undefined;
    const roots = this.assignmentsFor(controller, action, subject).map((a) => a.chain.root);
    const models = [...new Set(roots.map((r) => (r.kind === 'const' ? r.name : undefined)))];
    return models.length === 1 && models[0] ? `${models[0]}Policy` : undefined;
  }

  private staffRoles(policy: string, query: string): string | undefined {
    this.policyByName ??= new Map([...this.policiesByFile.values()].flat().map((p) => [p.name, p]));
    let info = this.policyByName.get(policy.replace(/^::/, ''));
    for (let depth = 0; info && depth < 5; depth++) {
      const roles = info.staffMethods.get(query);
      if (roles) return roles;
      // A method the policy defines itself but not as a staff check lets others in.
      if (info.defines.has(query) || info.superclass === undefined) return undefined;
      info = this.policyByName.get(info.superclass.replace(/^::/, ''));
    }
    return undefined;
  }

  /** The component class a component's Ruby file defines (`app/components/post_component.rb`). */
  componentInFile(file: string): ComponentInfo | undefined {
    const list = this.componentsByFile.get(file) ?? [];
    return list.find((c) => c.name.endsWith('Component')) ?? (list.length === 1 ? list[0] : undefined);
  }

  /** The component a template belongs to (`x_component.rb` next to it or above its sidecar folder). */
  componentForTemplate(template: string): ComponentInfo | undefined {
    const list = this.componentsByFile.get(componentFileFor(template)) ?? [];
    return list.find((c) => c.name.endsWith('Component')) ?? list[0];
  }

  private all: ControllerInfo[] | undefined;
  controllers(): ControllerInfo[] {
    this.all ??= [...this.controllersByFile.values()].flat().filter((c) => !c.concern);
    return this.all;
  }
  private concerns: Map<string, ControllerInfo> | undefined;
  private concernNamed(name: string, namespace: string): ControllerInfo | undefined {
    this.concerns ??= new Map([...this.controllersByFile.values()].flat().filter((c) => c.concern).map((c) => [c.name, c]));
    for (const candidate of lexicalCandidates(name, namespace)) {
      const found = this.concerns.get(candidate);
      if (found) return found;
    }
    return undefined;
  }
  views(): ViewInfo[] { return [...this.viewsByFile.values()]; }

  private controllersFor(viewPath: string): ControllerInfo[] {
    if (!this.byViewPath) {
      this.byViewPath = new Map();
      for (const c of this.controllers()) {
        const list = this.byViewPath.get(c.viewPath) ?? [];
        list.push(c);
        this.byViewPath.set(c.viewPath, list);
      }
    }
    return this.byViewPath.get(viewPath) ?? [];
  }

  /**
   * The controller actions that render a template: the action of the same name in the controller of
   * the same path (unless it renders JSON only), and every action that renders it explicitly.
   */
  actionsRendering(key: string): { controller: ControllerInfo; action: ControllerMethod }[] {
    let found = this.derived.actionsRendering.get(key);
    if (!found) this.derived.actionsRendering.set(key, (found = this.findActionsRendering(key)));
    return [...found];
  }

  private findActionsRendering(key: string): { controller: ControllerInfo; action: ControllerMethod }[] {
    const out: { controller: ControllerInfo; action: ControllerMethod }[] = [];
    const dir = dirOf(key);
    const base = key.slice(dir.length + (dir ? 1 : 0));
    for (const controller of this.controllersFor(dir)) {
      for (const action of controller.methods.values()) {
        const explicit = action.renders.some((r) => (r.includes('/') ? r.replace(/^\//, '') === key : r === base));
        if (explicit || action.name === base) out.push({ controller, action });
      }
    }
    if (key.includes('/')) {
      for (const rendering of this.explicitRenders().get(key) ?? []) {
        if (rendering.controller.viewPath !== dir) out.push(rendering);
      }
    }
    return out;
  }

  /** Every action by each template path it renders explicitly (`render 'posts/show'`), in controller order. */
  private explicitRenders(): Map<string, { controller: ControllerInfo; action: ControllerMethod }[]> {
    if (!this.derived.explicitRenders) {
      const byKey = new Map<string, { controller: ControllerInfo; action: ControllerMethod }[]>();
      for (const controller of this.controllers()) {
        for (const action of controller.methods.values()) {
          for (const key of new Set(action.renders.map((r) => r.replace(/^\//, '')))) {
            const list = byKey.get(key) ?? [];
            list.push({ controller, action });
            byKey.set(key, list);
          }
        }
      }
      this.derived.explicitRenders = byKey;
    }
    return this.derived.explicitRenders;
  }

  /**
   * The controller, the concerns it includes (last included first, as Ruby looks methods up) and its app superclasses
   * with theirs, nearest first (`PostsController`, `SetEvent`, `Admin::BaseController`, …).
   */
  ancestry(controller: ControllerInfo): readonly ControllerInfo[] {
    let found = this.derived.ancestry.get(controller);
    if (!found) this.derived.ancestry.set(controller, (found = Object.freeze(this.findAncestry(controller))));
    return found;
  }

  private findAncestry(controller: ControllerInfo): ControllerInfo[] {
    const out: ControllerInfo[] = [];
    const withConcerns = (c: ControllerInfo, namespace: string): void => {
      out.push(c);
      for (const m of [...(c.includes ?? [])].reverse()) {
        const concern = this.concernNamed(m, namespace);
        if (concern && !out.includes(concern) && out.length < 20) withConcerns(concern, namespace);
      }
    };
    for (let c: ControllerInfo | undefined = controller; c && out.length < 20 && !out.includes(c);) {
      const namespace = c.name.includes('::') ? c.name.slice(0, c.name.lastIndexOf('::')) : '';
      withConcerns(c, namespace);
      const parent: string | undefined = c.superclass;
      if (!parent) break;
      c = this.controllerNamed(parent, namespace);
    }
    return out;
  }

  /** A method the controller or an app superclass declares with `helper_method`, as the controller resolves it. */
  helperMethodOf(controller: ControllerInfo, name: string): ControllerMethod | undefined {
    return this.ancestry(controller).some((c) => c.helperMethods?.includes(name)) ? this.methodOf(controller, name) : undefined;
  }

  /** A method of the controller or of its app superclasses. */
  methodOf(controller: ControllerInfo, name: string): ControllerMethod | undefined {
    for (const c of this.ancestry(controller)) {
      const m = c.methods.get(name);
      if (m) return m;
    }
    return undefined;
  }

  private controllerNamed(name: string, namespace: string): ControllerInfo | undefined {
    const byName = (this.derived.controllersByName ??= firstByName(this.controllers()));
    for (const candidate of lexicalCandidates(name, namespace)) {
      const found = byName.get(candidate);
      if (found) return found;
    }
    return undefined;
  }

  /** The assignments of `ivar` that reach an action's template: before_action methods first (a parent's first), then the action. */
  assignmentsFor(controller: ControllerInfo, action: ControllerMethod, ivar: string): IvarAssignment[] {
    const out: IvarAssignment[] = [];
    for (const c of [...this.ancestry(controller)].reverse()) {
      for (const b of c.beforeActions) {
        if (b.only && !b.only.includes(action.name)) continue;
        if (b.except && b.except.includes(action.name)) continue;
        const m = this.methodOf(controller, b.method);
        if (m) out.push(...m.assigns.filter((a) => a.ivar === ivar));
      }
    }
    const own = action.assigns.filter((a) => a.ivar === ivar);
    // An assignment in the action replaces the one of a before_action.
    return own.length > 0 ? own : out;
  }

  /** Views that render a partial (collection renders), by the partial's template key. */
  collectionRendersOf(partial: string, partialForModel: (render: CollectionRender) => string | undefined): CollectionRender[] {
    if (!this.derived.collectionRenders) {
      const named = new Map<string, CollectionRender[]>();
      const unnamed: CollectionRender[] = [];
      for (const v of this.viewsByFile.values()) {
        for (const r of v.collectionRenders) {
          if (r.partial === undefined) { unnamed.push(r); continue; }
          const list = named.get(r.partial);
          if (list) list.push(r); else named.set(r.partial, [r]);
        }
      }
      this.derived.collectionRenders = { named, unnamed };
    }
    const { named, unnamed } = this.derived.collectionRenders;
    const out = [...(named.get(partial) ?? []), ...unnamed.filter((r) => partialForModel(r) === partial)];
    // Views in index order, as the callers list what they find.
    const order = this.derived.renderOrder ??= new Map([...this.viewsByFile.values()].flatMap((v) => v.collectionRenders).map((r, i) => [r, i]));
    return out.sort((a, b) => order.get(a)! - order.get(b)!);
  }

  /** Views that render a component once per element of a collection, by the component's class name. */
  componentRendersOf(name: string): ComponentRender[] {
    const short = name.split('::').pop()!;
    const out: ComponentRender[] = [];
    for (const v of this.viewsByFile.values()) {
      for (const r of v.componentRenders ?? []) if (r.component.replace(/^::/, '') === name || r.component === short) out.push(r);
    }
    return out;
  }

  /**
   * What every single render of a partial hands it as `local`, one chain per render with the key of the view that
   * renders it; undefined when a render does not pass it (or the partial is also rendered per element).
   */
  localPassesOf(partial: string, local: string): { from: string; chain: Chain }[] | undefined {
    const views = this.viewsRendering(partial);
    // Most bare names in a partial are helpers, not locals: answered without reading the renders.
    if (!views.some((v) => v.localPasses?.some((p) => p.partial === partial && p.locals.has(local)))) return undefined;
    const out: { from: string; chain: Chain }[] = [];
    for (const v of views) {
      if (v.collectionRenders.some((r) => r.partial === partial)) return undefined;
      const passes = (v.localPasses ?? []).filter((p) => p.partial === partial);
      if (passes.length === 0) return undefined;
      for (const p of passes) {
        const chain = p.locals.get(local);
        if (!chain) return undefined;
        out.push({ from: v.key, chain });
      }
    }
    return out.length > 0 ? out : undefined;
  }

  /**
   * Actions that render a partial through a parent controller's template: `Users::ChangesetCommentsController#index`
   * has no `users/changeset_comments/index`, so Rails renders `users/comments/index` (its superclass's), whose
   * `render "page"` looks the partial up under the child's path first: `users/changeset_comments/_page`.
   */
  actionsRenderingInherited(partial: string): { controller: ControllerInfo; action: ControllerMethod }[] {
    const dir = dirOf(partial);
    const base = partial.slice(dir.length + (dir ? 1 : 0));
    if (!base.startsWith('_')) return [];
    const out: { controller: ControllerInfo; action: ControllerMethod }[] = [];
    const templates = (this.derived.templateKeys ??= new Set([...this.viewsByFile.values()].map((v) => v.key)));
    for (const controller of this.controllersFor(dir)) {
      if (controller.concern) continue;
      for (const parent of this.ancestry(controller)) {
        if (parent.concern || parent.viewPath === dir) continue;
        for (const view of this.viewsRendering(`${parent.viewPath}/${base}`)) {
          if (dirOf(view.key) !== parent.viewPath) continue;
          const name = view.key.slice(parent.viewPath.length + 1);
          if (name.startsWith('_') || templates.has(`${dir}/${name}`)) continue;
          const action = this.methodOf(controller, name);
          if (action && !out.some((o) => o.controller === controller && o.action === action)) out.push({ controller, action });
        }
      }
    }
    return out;
  }

  /** Templates that render the partial at all (for instance variables read inside partials). */
  renderersOf(partial: string): string[] {
    return this.viewsRendering(partial).map((v) => v.key);
  }

  /** The views that render a partial, in index order (built once per change of the views). */
  private viewsRendering(partial: string): ViewInfo[] {
    if (!this.derived.viewsByPartial) {
      const byPartial = new Map<string, ViewInfo[]>();
      for (const v of this.viewsByFile.values()) {
        for (const p of new Set(v.partials)) {
          const list = byPartial.get(p);
          if (list) list.push(v); else byPartial.set(p, [v]);
        }
      }
      this.derived.viewsByPartial = byPartial;
    }
    return this.derived.viewsByPartial.get(partial) ?? [];
  }
}

class DerivedAnswers {
  readonly actionsRendering = new Map<string, { controller: ControllerInfo; action: ControllerMethod }[]>();
  readonly ancestry = new Map<ControllerInfo, readonly ControllerInfo[]>();
  explicitRenders?: Map<string, { controller: ControllerInfo; action: ControllerMethod }[]>;
  controllersByName?: Map<string, ControllerInfo>;
  collectionRenders?: { named: Map<string, CollectionRender[]>; unnamed: CollectionRender[] };
  renderOrder?: Map<CollectionRender, number>;
  viewsByPartial?: Map<string, ViewInfo[]>;
  templateKeys?: Set<string>;
}

function firstByName(controllers: ControllerInfo[]): Map<string, ControllerInfo> {
  const out = new Map<string, ControllerInfo>();
  for (const c of controllers) if (!out.has(c.name)) out.set(c.name, c);
  return out;
}
