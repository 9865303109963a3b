// ViewComponent: `app/components/**/*_component.rb` and its template (next to it, or in the sidecar
// folder of the same name). The template is a view whose instance variables are the ones the
// component sets (in `initialize` from its parameters: whatever the caller passes, unknown here) and
// whose bare method calls are the component's methods (a method returning `Post.where(…)` is a relation).
// Unknown stays unknown: a value is known only when the component's own code says what it is.
import * as path from 'node:path';
import type { Node, Tree } from '../parsing/treeSitter';
import { bodyStatements, constantText, literalName, nodeRange, readCall } from '../parsing/ruby';
import { underscore } from '../models/inflector';
import { chainOf, type Chain } from './chain';
import { readMethod, type IvarAssignment } from './controllerIndex';
import { evaluate, type EvalHooks, type Value } from './values';
import type { ModelIndex } from '../models/modelIndex';

export interface ComponentMethod {
  name: string;
  /** Parameter names: inside the method these are the caller's values (unknown). */
  params: string[];
  assigns: IvarAssignment[];
  /** The method's value when its last statement is a chain (`Post.where(…)`, `@posts ||= …`). */
  returns?: Chain;
}

export interface ComponentInfo {
  name: string; file: string; methods: Map<string, ComponentMethod>;
  /** The initializer parameter `with_collection` passes each element as (`with_collection_parameter`, else from the name). */
  collectionParam: string;
}

/** One element per render: the initializer parameter it is passed as, and its value. */
export interface ComponentElement { param: string; value: Value }

export function isComponentTemplate(file: string): boolean {
  return /(^|[\\/])app[\\/]components[\\/]/.test(file) && /\.(erb|haml)$/.test(file);
}

/** A Ruby file under app/components (a component class). */
export function isComponentFile(file: string): boolean {
  return /(^|[\\/])app[\\/]components[\\/].*\.rb$/.test(file);
}

/** The component's Ruby file for a template: `x_component.html.erb` → `x_component.rb`, also from a sidecar folder. */
export function componentFileFor(template: string): string {
  const dir = path.dirname(template);
  const base = path.basename(template).replace(/\..*$/, '');
  return path.basename(dir) === base ? path.join(path.dirname(dir), `${base}.rb`) : path.join(dir, `${base}.rb`);
}

export function extractComponents(tree: Tree, file: string): ComponentInfo[] {
  const out: ComponentInfo[] = [];
  const visit = (node: Node, namespace: string[]): void => {
    for (const stmt of bodyStatements(node)) {
      if (stmt.type !== 'module' && stmt.type !== 'class') continue;
      const name = constantText(stmt.childForFieldName('name')) ?? '';
      const body = stmt.childForFieldName('body');
      if (stmt.type === 'class' && body) out.push(readComponent([...namespace, name].join('::'), body, file));
      if (body) visit(body, [...namespace, name]);
    }
  };
  visit(tree.rootNode, []);
  return out;
}

function readComponent(name: string, body: Node, file: string): ComponentInfo {
  const methods = new Map<string, ComponentMethod>();
  const short = name.split('::').pop()!;
  let collectionParam = underscore(short).replace(/_component$/, '');
  for (const stmt of bodyStatements(body)) {
    const call = stmt.type === 'call' || stmt.type === 'identifier' ? readCall(stmt) : null;
    if (call && !call.receiver && call.name === 'with_collection_parameter') collectionParam = literalName(call.args[0]) ?? collectionParam;
    if (call && !call.receiver && (call.name === 'attr_reader' || call.name === 'attr_accessor')) {
      // `attr_reader :posts`: the template's `posts` is `@posts`.
      for (const a of call.args) {
        const reader = literalName(a);
        if (reader) methods.set(reader, { name: reader, params: [], assigns: [], returns: { file, root: { kind: 'ivar', name: `@${reader}` }, rootRange: nodeRange(a), links: [] } });
      }
    }
    if (stmt.type !== 'method') continue;
    const m = stmt.childForFieldName('name')?.text;
    if (!m) continue;
    const params: string[] = [];
    for (const p of stmt.childForFieldName('parameters')?.namedChildren ?? []) {
      const n = p?.type === 'identifier' ? p : p?.childForFieldName('name') ?? p?.namedChildren.find((c) => c?.type === 'identifier');
      if (n) params.push(n.text);
    }
    const statements = bodyStatements(stmt.childForFieldName('body'));
    let last: Node | undefined = statements[statements.length - 1];
    if (last && (last.type === 'operator_assignment' || last.type === 'assignment') && last.childForFieldName('left')?.type === 'instance_variable') {
      last = last.childForFieldName('right') ?? undefined;
    }
    const returns = last && ['call', 'constant', 'scope_resolution', 'instance_variable'].includes(last.type) ? chainOf(last, file) : undefined;
    methods.set(m, { name: m, params, assigns: readMethod(m, stmt, file).assigns, returns });
  }
  return { name, file, methods, collectionParam };
}

/** Values of a component's instance variables and methods, as its template sees them. */
export class ComponentValues {
  private readonly cache = new Map<string, Value | undefined>();

  constructor(private readonly component: ComponentInfo, private readonly models: ModelIndex | undefined,
    private readonly element?: ComponentElement) {}

  ivar(name: string, depth = 0): Value | undefined {
    return this.memo(`ivar:${name}`, () => {
      const assigns = [...this.component.methods.values()].flatMap((m) => m.assigns.filter((a) => a.ivar === name).map((a) => ({ a, m })));
      // Several assignments (or none): the value is known only when there is exactly one.
      if (assigns.length !== 1) return undefined;
      const { a, m } = assigns[0];
      // `@post = post` in `initialize`, rendered once per element of a collection: the element.
      const root = a.chain.root;
      if (this.element && m.name === 'initialize' && root.kind === 'name' && root.name === this.element.param && a.chain.links.length === 0) return this.element.value;
      return this.known(evaluate(a.chain, this.hooks(m.params, depth + 1)));
    });
  }

  method(name: string, depth = 0): Value | undefined {
    return this.memo(name, () => {
      const m = this.component.methods.get(name);
      if (!m?.returns || m.params.length > 0) return undefined;
      return this.known(evaluate(m.returns, this.hooks(m.params, depth + 1)));
    });
  }

  private known(v: Value): Value | undefined {
    return v.kind === 'unknown' ? undefined : { ...v, external: true };
  }

  private memo(key: string, compute: () => Value | undefined): Value | undefined {
    if (this.cache.has(key)) return this.cache.get(key);
    this.cache.set(key, undefined); // a cycle reads unknown
    const v = compute();
    this.cache.set(key, v);
    return v;
  }

  private hooks(params: string[], depth: number): EvalHooks {
    return {
      models: this.models,
      resolveRoot: (chain) => {
        if (depth > 4) return undefined;
        const r = chain.root;
        if (r.kind === 'ivar') return this.ivar(r.name, depth);
        // A parameter is the caller's value: unknown.
        if (r.kind === 'name' && !params.includes(r.name)) return this.method(r.name, depth);
        return undefined;
      },
    };
  }
}
