// Controllers and views as data, so a view knows what its `@posts` is: controller → actions →
// instance-variable assignments (as chains), which template each action renders (Rails conventions and
// explicit `render`), and which views render a partial per element of a collection. Extracted per file
// from syntax trees (no IO); the project layer feeds it files and keeps it current.
import type { Node, Tree } from '../parsing/treeSitter';
import type { Range } from '../core/types';
import { bodyStatements, constantText, literalName, literalNames, nodeRange, readCall } from '../parsing/ruby';
import { underscore } from '../models/inflector';
import { lexicalCandidates } from '../models/modelIndex';
import { chainOf, substituteRoot, type Chain, type Link } from './chain';
import { componentFileFor, type ComponentInfo } from './components';
import { readAuthorization, type Authorization, type PolicyInfo } from './policies';
import { returnSummaryOf, type ReturnSummary } from './methodReturns';

/** `@x = chain`; with `element`, `@a, @x = chain`: the element-th of the `[a, b]` the call returns (methodReturns.ts). */
export interface IvarAssignment { ivar: string; chain: Chain; element?: number }

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
}

/** A collection handed to `render json:`: each element goes through a serializer (named, or the model's by default). */
export interface JsonRender {
  collection: Chain;
  /** The per-element serializer as written (`each_serializer: PostSerializer`); undefined: the model's default. */
  eachSerializer?: string;
  /** Where the render call is. */
  range: Range;
  /** `include:` given: it chooses which associations are serialized (the declarations' defaults do not apply). */
  include?: boolean;
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
}

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

export interface ViewInfo { file: string; key: string; collectionRenders: CollectionRender[]; partials: string[]; componentRenders?: ComponentRender[] }

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
        if (stmt.type === 'class' && name.endsWith('Controller') && body) {
          const info = readController(full.join('::'), body, file);
          const superclass = constantText(stmt.childForFieldName('superclass')?.namedChildren[0]);
          if (superclass) info.superclass = superclass;
          out.push(info);
        }
        if (body) visit(body, full);
      }
    }
  };
  visit(tree.rootNode, []);
  return out;
}

function readController(name: string, body: Node, file: string): ControllerInfo {
  const info: ControllerInfo = {
    name, file, viewPath: underscore(name.replace(/Controller$/, '')), methods: new Map(), beforeActions: [],
  };
  let hidden = false;
  for (const stmt of bodyStatements(body)) {
    if (stmt.type === 'method') {
      const m = stmt.childForFieldName('name')?.text;
      if (m) info.methods.set(m, { ...readMethod(m, stmt, file), ...(hidden ? { hidden: true } : {}) });
      continue;
    }
    if (stmt.type === 'identifier' && (stmt.text === 'private' || stmt.text === 'protected')) { hidden = true; continue; }
    if (stmt.type === 'identifier' && stmt.text === 'public') { hidden = false; continue; }
    const call = readCall(stmt);
    if (!call || call.receiver) continue;
    if ((call.name === 'private' || call.name === 'protected') && call.args.length > 0) {
      for (const a of call.args) {
        const named = a.type === 'method' ? a.childForFieldName('name')?.text : literalName(a);
        const m = named ? info.methods.get(named) : undefined;
        if (m) m.hidden = true;
        else if (a.type === 'method' && named) info.methods.set(named, { ...readMethod(named, a, file), hidden: true });
      }
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
  return info;
}

export function readMethod(name: string, method: Node, file: string): ControllerMethod {
  const out: ControllerMethod = { name, assigns: [], renders: [], rendersJson: false };
  const locals = new Map<string, Chain>();
  const expr = (node: Node | null): Chain | undefined => {
    if (!node) return undefined;
    const chain = chainOf(node, file);
    if (chain.root.kind === 'name' && locals.has(chain.root.name)) return substituteRoot(chain, locals.get(chain.root.name)!);
    return chain;
  };
  const stack: Node[] = [method.childForFieldName('body') ?? method];
  // Pre-order, in source order, so locals are known before they are used.
  const walk = (node: Node, depth: number): void => {
    if (depth > 200) return;
    if (node.type === 'assignment' || node.type === 'operator_assignment') {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (right) walk(right, depth + 1);
      const chain = expr(right);
      if (left?.type === 'identifier' && chain) locals.set(left.text, chain);
      if (left?.type === 'instance_variable' && chain) out.assigns.push({ ivar: left.text, chain });
      if (left?.type === 'left_assignment_list' && right) {
        // `@pagy, @posts = pagy(Post.where(…))`: the records are one page of the relation.
        const paged = pagyChain(right, expr);
        const ivars = left.namedChildren.filter((c) => c?.type === 'instance_variable');
        if (paged && ivars.length === 2) out.assigns.push({ ivar: ivars[1]!.text, chain: paged });
        else if (!paged && right.type === 'call') {
          // `@posts, @newer_id = page_items(posts)`: each ivar is one element of what the method returns.
          const targets = left.namedChildren.filter((c): c is Node => !!c);
          const call = chainOf(right, file);
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
      if (call && !call.receiver && call.name === 'render') { readRender(call, out); readJsonRender(call, out, expr); }
      const authorization = call ? readAuthorization(call) : undefined;
      if (authorization) (out.authorizes ??= []).push(authorization);
    }
    for (const c of node.namedChildren) if (c) walk(c, depth + 1);
  };
  for (const n of stack) walk(n, 0);
  const summary = returnSummaryOf(method, file);
  if (summary) out.returnSummary = summary;
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
  }
  return out;
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
  let each = constantText(call.keywords.get('each_serializer') ?? null) ?? undefined;
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
  (out.jsonRenders ??= []).push({ collection: chain, eachSerializer: each, range: nodeRange(call.node), include: include || undefined });
}

// ---- views ----------------------------------------------------------------------------------

const LOOPS = new Set(['each', 'each_with_index', 'map', 'collect', 'find_each', 'each_with_object', 'flat_map']);

export function extractView(tree: Tree, file: string): ViewInfo | undefined {
  const key = templateKey(file);
  if (!key) return undefined;
  const info: ViewInfo = { file, key, collectionRenders: [], partials: [] };
  const dir = dirOf(key);
  // Block parameters of enclosing loops, mapped to the chain looped over.
  const loopVars = new Map<string, Chain>();
  const walk = (node: Node, depth: number): void => {
    if (depth > 300) return;
    if (node.type === 'call') {
      const call = readCall(node);
      if (call?.name === 'render' && !call.receiver) {
        readViewRender(call, file, key, dir, info, loopVars);
        readComponentRender(call, file, key, info, loopVars);
      }
      if (call && isJsonCall(call) && (call.name === 'partial!' || (call.name === 'array!' && call.keywords.has('partial')))) readJbuilderPartial(call, file, key, dir, info, loopVars);
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
  for (const [key, value] of pairs) {
    if (value.type === 'identifier' && loopVars.has(value.text)) {
      info.collectionRenders.push({ file, from, partial, local: key, collection: loopVars.get(value.text)! });
    }
  }
}

// ---- the index ------------------------------------------------------------------------------

export class ControllerIndex {
  private readonly controllersByFile = new Map<string, ControllerInfo[]>();
  /** ViewComponent classes by their Ruby file (app/components). */
  private readonly componentsByFile = new Map<string, ComponentInfo[]>();
  private readonly viewsByFile = new Map<string, ViewInfo>();
  private byViewPath: Map<string, ControllerInfo[]> | undefined;

  updateController(file: string, controllers: ControllerInfo[]): void { this.controllersByFile.set(file, controllers); this.byViewPath = undefined; this.all = undefined; }
  updateView(file: string, view: ViewInfo | undefined): void {
    if (view) this.viewsByFile.set(file, view); else this.viewsByFile.delete(file);
  }
  remove(file: string): void {
    if (this.controllersByFile.delete(file)) { this.byViewPath = undefined; this.all = undefined; }
    if (this.policiesByFile.delete(file)) this.policyByName = undefined;
    this.viewsByFile.delete(file);
    this.componentsByFile.delete(file);
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

  /** The component a template belongs to (`x_component.rb` next to it or above its sidecar folder). */
  componentForTemplate(template: string): ComponentInfo | undefined {
    const list = this.componentsByFile.get(componentFileFor(template)) ?? [];
    return list.find((c) => c.name.endsWith('Component')) ?? list[0];
  }

  private all: ControllerInfo[] | undefined;
  controllers(): ControllerInfo[] {
    this.all ??= [...this.controllersByFile.values()].flat();
    return this.all;
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
      for (const controller of this.controllers()) {
        if (controller.viewPath === dir) continue;
        for (const action of controller.methods.values()) {
          if (action.renders.some((r) => r.replace(/^\//, '') === key)) out.push({ controller, action });
        }
      }
    }
    return out;
  }

  /** The controller and its app superclasses, nearest first (`PostsController`, `Admin::BaseController`, …). */
  ancestry(controller: ControllerInfo): ControllerInfo[] {
    const out: ControllerInfo[] = [];
    for (let c: ControllerInfo | undefined = controller; c && out.length < 10 && !out.includes(c);) {
      out.push(c);
      const parent: string | undefined = c.superclass;
      if (!parent) break;
      const namespace = c.name.includes('::') ? c.name.slice(0, c.name.lastIndexOf('::')) : '';
      c = this.controllerNamed(parent, namespace);
    }
    return out;
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
    for (const candidate of lexicalCandidates(name, namespace)) {
      const found = this.controllers().find((c) => c.name === candidate);
      if (found) return found;
    }
    return undefined;
  }

  /** The assignments of `ivar` that reach an action's template: before_action methods first (a parent's first), then the action. */
  assignmentsFor(controller: ControllerInfo, action: ControllerMethod, ivar: string): IvarAssignment[] {
    const out: IvarAssignment[] = [];
    for (const c of this.ancestry(controller).reverse()) {
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
    const out: CollectionRender[] = [];
    for (const v of this.viewsByFile.values()) {
      for (const r of v.collectionRenders) {
        const key = r.partial ?? partialForModel(r);
        if (key === partial) out.push(r);
      }
    }
    return out;
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

  /** Templates that render the partial at all (for instance variables read inside partials). */
  renderersOf(partial: string): string[] {
    const out: string[] = [];
    for (const v of this.viewsByFile.values()) if (v.partials.includes(partial)) out.push(v.key);
    return out;
  }
}
