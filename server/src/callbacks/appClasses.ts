// The app's own plain Ruby classes (services, notifiers, clients under app/* and lib/), found by
// Zeitwerk's file naming and read on demand, so a callback's `Slack::Notifier.ping(...)` is judged by
// what the app's method does (an HTTP call, a job enqueue, nothing) instead of by its namespace.
import * as path from 'node:path';
import type { AppFacts } from '../core/appFacts';
import { underscore } from '../models/inflector';
import { constantText, definitionIn } from '../parsing/ruby';
import { parseRuby, type Node } from '../parsing/treeSitter';
import { extractBody, type BodyFacts } from './facts';
import { paramSummariesOf, type ParamSummary } from '../queries/paramReads';
import { extractSerializers, type SerializerClass } from '../queries/serializerClasses';
import { initializerOf, returnSummariesOf, type Initializer, type ReturnSummary } from '../queries/methodReturns';

export const APP_CLASSES_KEY = 'callbacks/appClasses';

export interface AppClass {
  /** Fully qualified: `Slack::Notifier`. */
  name: string;
  kind: 'class' | 'module';
  superclass?: string;
  file: string;
  /** `def self.x`, `class << self` methods (and module_function / extend self methods of modules). */
  singleton: Map<string, BodyFacts>;
  instance: Map<string, BodyFacts>;
  /** Modules named by `include` / `extend` (`HTTParty`). */
  includes: string[];
  /** What methods with positional parameters read from them (`#name`, `.name`), for the query rules' per-row calls. */
  params?: Map<string, ParamSummary>;
  /** An ActiveModel::Serializer class: what it reads of the record it serializes. */
  serializer?: SerializerClass;
  /** What methods return, as chains (`#results`, `.call`), for the query rules' values across calls. */
  returns?: Map<string, ReturnSummary>;
  /** The ivars `initialize` stores from its parameters, for `X.new(posts).results`. */
  initializer?: Initializer;
}

export interface AppClassSource {
  /** The app's class or module of that exact name, or undefined when the app has no file for it. */
  find(name: string): AppClass | undefined;
  /** Whether the app itself defines the top-level namespace of `name` (`Slack` for `Slack::Notifier`). */
  ownsNamespace(name: string): boolean;
}

export function appClassesOf(app: AppFacts): AppClassSource | undefined {
  return app.shared.get(APP_CLASSES_KEY) as AppClassSource | undefined;
}

/** Classes and modules of one file with the facts of their methods. */
export function extractAppClasses(root: Node, file: string): AppClass[] {
  const out: AppClass[] = [];
  const visit = (node: Node, namespace: string[]): void => {
    for (const stmt of node.namedChildren) {
      if (!stmt || (stmt.type !== 'class' && stmt.type !== 'module')) continue;
      const name = [...namespace, constantText(stmt.childForFieldName('name')) ?? ''].join('::');
      const body = stmt.childForFieldName('body');
      const klass: AppClass = {
        name, kind: stmt.type, file, singleton: new Map(), instance: new Map(), includes: [],
        superclass: stmt.type === 'class' ? constantText(stmt.childForFieldName('superclass')?.namedChildren[0]) : undefined,
      };
      out.push(klass);
      if (body) {
        readMethods(klass, body, file);
        const params = paramSummariesOf(body, file);
        if (params.size > 0) klass.params = params;
        const returns = returnSummariesOf(body, file);
        if (returns.size > 0) {
          klass.returns = returns;
          const initializer = initializerOf(body, file);
          if (initializer) klass.initializer = initializer;
        }
        visit(body, name.split('::'));
      }
    }
  };
  visit(root, []);
  if (/Serializer\b/.test(root.text)) {
    for (const s of extractSerializers(root, file)) {
      const klass = out.find((c) => c.name === s.name);
      if (klass) klass.serializer = s;
    }
  }
  return out;
}

function readMethods(klass: AppClass, body: Node, file: string): void {
  let moduleFunction = false;
  for (const statement of body.namedChildren) {
    if (!statement) continue;
    const stmt = definitionIn(statement) ?? statement;
    if (stmt.type === 'method') {
      const name = stmt.childForFieldName('name')?.text;
      if (!name) continue;
      const facts = methodFacts(stmt, file);
      klass.instance.set(name, facts);
      if (moduleFunction) klass.singleton.set(name, facts);
    } else if (stmt.type === 'singleton_method') {
      const name = stmt.childForFieldName('name')?.text;
      if (name) klass.singleton.set(name, methodFacts(stmt, file));
    } else if (stmt.type === 'singleton_class') {
      const inner = stmt.childForFieldName('body');
      for (const m of inner?.namedChildren ?? []) {
        const name = m?.type === 'method' ? m.childForFieldName('name')?.text : undefined;
        if (m && name) klass.singleton.set(name, methodFacts(m, file));
      }
    } else if (stmt.type === 'call' && /^(include|extend)\s+[A-Z]/.test(stmt.text) && !/^extend\s+self$/.test(stmt.text)) {
      klass.includes.push(...stmt.text.replace(/^(include|extend)\s+/, '').split(/\s*,\s*/));
    } else if ((stmt.type === 'identifier' && stmt.text === 'module_function')
      || (stmt.type === 'call' && /^extend\s+self$/.test(stmt.text))) {
      moduleFunction = true;
      if (stmt.type === 'call') for (const [n, f] of klass.instance) klass.singleton.set(n, f);
    }
  }
}

/** extractBody reads a `def`'s body itself, but stops at any other definition node: give it the body. */
function methodFacts(def: Node, file: string): BodyFacts {
  if (def.type === 'method') return extractBody(def, file, paramNames(def));
  const body = def.childForFieldName('body');
  return body ? extractBody(body, file, paramNames(def)) : { calls: [] };
}

function paramNames(method: Node): string[] {
  const out: string[] = [];
  const visit = (n: Node | null): void => {
    if (!n) return;
    if (n.type === 'identifier') out.push(n.text);
    for (const c of n.namedChildren) if (c && c.type !== 'pair') visit(c);
  };
  visit(method.childForFieldName('parameters'));
  return out;
}

/** Zeitwerk's file for a constant: `ActivityPub::Notifier` → `activity_pub/notifier.rb`. */
export function constantPath(name: string): string {
  return `${name.replace(/^::/, '').split('::').map(underscore).join('/')}.rb`;
}

/**
 * Finds app classes under autoload roots (absolute folders: app/services, app/lib, lib …) through
 * a reader; each file is read once and kept until `forget(file)`.
 */
export class AppClassResolver implements AppClassSource {
  private readonly files = new Map<string, AppClass[] | undefined>();
  /** `find` by name (hot: every constant a query chain or a callback names), emptied with `files`. */
  private readonly byName = new Map<string, AppClass | undefined>();

  private rootList: string[] | undefined;

  /** `roots` is called once, on the first lookup (listing folders is IO the project layer does lazily). */
  constructor(
    private readonly roots: () => string[],
    private readonly read: (file: string) => string | undefined,
    /** How a file's classes are read (the project layer: from its stored summary, or a parse it shares). */
    private readonly readClasses: (file: string, text: string) => AppClass[] = (file, text) => {
      const tree = parseRuby(text);
      try { return extractAppClasses(tree.rootNode, file); } finally { tree.delete(); }
    },
  ) {}

  private get autoloadRoots(): string[] { return (this.rootList ??= this.roots()); }

  /** One file changed, appeared or went: it is read again when asked for; the other files' classes stay. */
  forget(file: string): void {
    this.files.delete(file);
    // Answers from other files stay; a name found nowhere may now be defined here.
    for (const [name, found] of this.byName) if (!found || found.file === file) this.byName.delete(name);
    this.namespaces.clear();
  }
  /** `ownsNamespace` answers by top-level constant (a directory lookup each, asked for every constant of a file). */
  private readonly namespaces = new Map<string, boolean>();

  find(name: string): AppClass | undefined {
    const clean = name.replace(/^::/, '');
    if (this.byName.has(clean)) return this.byName.get(clean);
    let found: AppClass | undefined;
    for (const root of this.autoloadRoots) {
      found = this.load(path.join(root, constantPath(clean)))?.find((c) => c.name === clean);
      if (found) break;
    }
    this.byName.set(clean, found);
    return found;
  }

  ownsNamespace(name: string): boolean {
    const top = name.replace(/^::/, '').split('::')[0];
    if (!top) return false;
    let owns = this.namespaces.get(top);
    if (owns === undefined) {
      owns = this.find(top) !== undefined || this.autoloadRoots.some((root) => this.hasDirectory(path.join(root, underscore(top))));
      this.namespaces.set(top, owns);
    }
    return owns;
  }

  /** Set by the project layer; tests may leave it out. */
  hasDirectory: (dir: string) => boolean = () => false;

  private load(file: string): AppClass[] | undefined {
    if (this.files.has(file)) return this.files.get(file);
    const text = this.read(file);
    let classes: AppClass[] | undefined;
    if (text !== undefined) {
      try { classes = this.readClasses(file, text); } catch { classes = undefined; }
    }
    this.files.set(file, classes);
    return classes;
  }
}
