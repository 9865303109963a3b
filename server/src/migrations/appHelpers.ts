// App-defined migration helpers (issue 11 item 3): methods an app defines in modules its migrations
// include, in its own base migration classes, or patched into ActiveRecord::Migration / the connection
// adapters. A call to such a method is judged by the method's body, never by Rails' semantics for the
// same name. This module is pure: it summarises syntax trees; project/appHelperFiles.ts reads the files.
import type { Node, Tree } from '../parsing/treeSitter';
import { bodyStatements, constantText, readCall } from '../parsing/ruby';
import type { RuleContext } from '../core/rule';
import type { MigrationClass } from './model';

/** What a helper's body does, as far as its syntax shows. */
export type HelperTrait = 'concurrent' | 'not-valid-then-validate' | 'batched' | 'lock-retries' | 'column-copy' | 'raises-in-transaction';

export interface AppHelper {
  name: string;
  /** Absolute path of the file that defines it, and its 0-based line. */
  file: string;
  line: number;
  /** The module or class it is defined in ("Mastodon::MigrationHelpers"). */
  owner: string;
  traits: HelperTrait[];
}

export interface HelperOwner {
  name: string;
  kind: 'module' | 'class';
  superclass?: string;
  includes: string[];
  methods: Map<string, AppHelper>;
}

export interface FileHelperSummary {
  owners: HelperOwner[];
  /** Modules included or prepended into ActiveRecord::Migration or a connection adapter: every migration sees them. */
  globalModules: string[];
  /** Methods defined by reopening ActiveRecord::Migration or a connection adapter class/module. */
  globalMethods: AppHelper[];
}

export interface AppHelperIndex {
  owners: Map<string, HelperOwner>;
  globalModules: string[];
  globalMethods: Map<string, AppHelper>;
}

/** How a migration class sees app helpers: methods by name, and included modules whose body could not be read. */
export interface HelperScope {
  methods: Map<string, AppHelper>;
  /** Included modules not found in the app (a gem): any call may be theirs. */
  unreadable: string[];
}

/** The state of a call in a migration: an app helper, or a call that an unreadable module may define. */
export type HelperResolution = { kind: 'app'; helper: AppHelper } | { kind: 'unreadable'; module: string };

/** Rails classes/modules whose reopening or include/prepend changes every migration's methods. */
const GLOBAL_TARGET = /^(::)?ActiveRecord::(Migration(\[[\d.]+\])?(::Current|::Compatibility::V\d+_\d+)?|ConnectionAdapters(::\w+)*|SchemaStatements)$/;
/** Framework modules (view helpers, concerns) that define no migration methods. */
const FRAMEWORK_MODULE = /^(::)?(ActionView|ActionDispatch|ActiveSupport|ActiveModel|ActionController|Rails|Kernel|Comparable|Enumerable)(::|$)/;
const BATCH_CALLS = new Set(['each_batch', 'in_batches', 'find_in_batches', 'find_each', 'each_slice', 'loop', 'update_column_in_batches']);
const VALIDATE_CALLS = new Set(['validate_check_constraint', 'validate_foreign_key', 'validate_constraint', 'validate_not_null_constraint']);
const COPY_CALLS = /^(install_rename_triggers|copy_indexes|copy_foreign_keys|rename_column_concurrently|change_column_type_concurrently|copy_column|backfill_column)/;

export function emptyHelperIndex(): AppHelperIndex {
  return { owners: new Map(), globalModules: [], globalMethods: new Map() };
}

/** Modules, classes and global patches of one Ruby file. */
export function summariseHelperFile(tree: Tree, file: string): FileHelperSummary {
  const out: FileHelperSummary = { owners: [], globalModules: [], globalMethods: [] };
  const visit = (node: Node, namespace: string[]): void => {
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'module' || child.type === 'class') {
        const own = constantText(child.childForFieldName('name')) ?? '';
        const full = own.startsWith('::') ? own.slice(2) : [...namespace, own].join('::');
        const superclass = child.type === 'class' ? constantText(child.childForFieldName('superclass')?.namedChildren[0]) : undefined;
        const body = child.childForFieldName('body') ?? child.namedChildren.find((c) => c?.type === 'body_statement') ?? null;
        const owner: HelperOwner = { name: full, kind: child.type, superclass, includes: [], methods: new Map() };
        const callees = new Map<string, string[]>();
        for (const stmt of bodyStatements(body)) {
          if (stmt.type === 'method') {
            const name = stmt.childForFieldName('name')?.text;
            if (!name) continue;
            const { traits, calls } = methodFacts(stmt);
            owner.methods.set(name, { name, file, line: stmt.startPosition.row, owner: full, traits });
            callees.set(name, calls);
          } else if (stmt.type === 'call' || stmt.type === 'identifier') {
            const call = readCall(stmt);
            if (call && !call.receiver && (call.name === 'include' || call.name === 'prepend')) {
              for (const a of call.args) if (a.type === 'constant' || a.type === 'scope_resolution') owner.includes.push(constantText(a)!);
            }
          }
        }
        composeTraits(owner, callees);
        out.owners.push(owner);
        if (GLOBAL_TARGET.test(full)) {
          out.globalModules.push(...owner.includes);
          out.globalMethods.push(...owner.methods.values());
        }
        visit(body ?? child, full.split('::'));
      } else if (child.type !== 'method') {
        visit(child, namespace);
      }
    }
  };
  visit(tree.rootNode, []);
  // `ActiveRecord::Migration.include(X)`, `.prepend(X)`, `.send(:include, X)`, anywhere (on_load blocks too).
  for (const node of tree.rootNode.descendantsOfType('call')) {
    const call = node && readCall(node);
    if (!call?.receiver || !GLOBAL_TARGET.test(constantText(call.receiver) ?? '')) continue;
    const args = call.name === 'send' || call.name === 'public_send' ? call.args.slice(1) : call.args;
    const verb = call.name === 'send' || call.name === 'public_send' ? call.args[0]?.text.replace(/^:/, '') : call.name;
    if (verb !== 'include' && verb !== 'prepend') continue;
    for (const a of args) if (a.type === 'constant' || a.type === 'scope_resolution') out.globalModules.push(constantText(a)!);
  }
  return out;
}

/** Merges per-file summaries into one index (later files win on a clash, as Ruby's last definition does). */
export function buildHelperIndex(summaries: Iterable<FileHelperSummary>): AppHelperIndex {
  const index = emptyHelperIndex();
  for (const s of summaries) {
    for (const owner of s.owners) {
      const known = index.owners.get(owner.name);
      if (!known) { index.owners.set(owner.name, { ...owner, includes: [...owner.includes], methods: new Map(owner.methods) }); continue; }
      // A reopened module: methods and includes add up.
      for (const [k, v] of owner.methods) known.methods.set(k, v);
      known.includes.push(...owner.includes);
      known.superclass ??= owner.superclass;
    }
    index.globalModules.push(...s.globalModules);
    for (const m of s.globalMethods) index.globalMethods.set(m.name, m);
  }
  return index;
}

/**
 * The helpers a migration class sees: its own methods are not counted (the model walks them), its
 * included modules, its base class (when the app defines it) with that class's modules, and the
 * modules/methods patched into every migration. `local` is the migration file's own summary.
 */
export function helperScope(index: AppHelperIndex, local: FileHelperSummary | undefined, klass: { name: string; superclass: string; includes: string[] }): HelperScope {
  const owners = new Map(index.owners);
  for (const o of local?.owners ?? []) if (o.name !== klass.name) owners.set(o.name, o);
  const methods = new Map<string, AppHelper>();
  const unreadable: string[] = [];
  const seen = new Set<string>();
  const addModule = (name: string, context: string[], depth: number): void => {
    const owner = resolveOwner(owners, name, context);
    if (!owner) {
      if (!FRAMEWORK_MODULE.test(name) && !unreadable.includes(name)) unreadable.push(name);
      return;
    }
    if (seen.has(owner.name) || depth > 8) return;
    seen.add(owner.name);
    const ctx = owner.name.split('::');
    for (const inc of owner.includes) addModule(inc, ctx, depth + 1);
    for (const [k, v] of owner.methods) methods.set(k, v);
  };
  const addClass = (superclass: string, depth: number): void => {
    const base = superclass.replace(/\[[^\]]*\]$/, '').replace(/^::/, '');
    if (/^ActiveRecord::Migration$/.test(base) || depth > 8) return;
    const owner = resolveOwner(owners, base, []);
    // A base class the app does not define keeps Rails' semantics (a gem's base class is not guessed at).
    if (!owner || owner.kind !== 'class' || seen.has(owner.name)) return;
    seen.add(owner.name);
    if (owner.superclass) addClass(owner.superclass, depth + 1);
    for (const inc of owner.includes) addModule(inc, owner.name.split('::'), depth + 1);
    for (const [k, v] of owner.methods) methods.set(k, v);
  };
  for (const g of index.globalModules) {
    const owner = resolveOwner(owners, g, []);
    if (owner) addModule(owner.name, [], 0);
  }
  for (const [k, v] of index.globalMethods) methods.set(k, v);
  addClass(klass.superclass, 0);
  for (const inc of klass.includes) addModule(inc, [], 0);
  return { methods, unreadable };
}

/** Ruby's constant lookup, approximated: the name inside the including namespace, as written, or a unique suffix match. */
function resolveOwner(owners: Map<string, HelperOwner>, name: string, context: string[]): HelperOwner | undefined {
  const bare = name.replace(/^::/, '');
  for (let i = context.length; i > 0; i--) {
    const hit = owners.get([...context.slice(0, i), bare].join('::'));
    if (hit) return hit;
  }
  const exact = owners.get(bare);
  if (exact) return exact;
  const suffix = [...owners.values()].filter((o) => o.name.endsWith(`::${bare}`));
  return suffix.length === 1 ? suffix[0] : undefined;
}

/** The traits a method's own body shows, and the bare calls it makes (to compose with sibling helpers). */
function methodFacts(method: Node): { traits: HelperTrait[]; calls: string[] } {
  const traits = new Set<HelperTrait>();
  const calls: string[] = [];
  const text = method.text;
  let addsColumn = false;
  let notValid = /NOT\s+VALID/i.test(text);
  let validates = /VALIDATE\s+CONSTRAINT/i.test(text);
  if (/CONCURRENTLY/i.test(text)) traits.add('concurrent');
  if (/lock_timeout/i.test(text)) traits.add('lock-retries');
  if (/transaction_open\?/.test(text) && /\braise\b/.test(text)) traits.add('raises-in-transaction');
  for (const node of method.descendantsOfType(['call', 'identifier', 'pair', 'while', 'until'])) {
    if (!node) continue;
    if (node.type === 'while' || node.type === 'until') {
      // `sleep 1 until index_ready?` waits; only a loop that limits each round or walks a cursor is a batch.
      if (/\.limit\s*\(|\bLIMIT\s|\bbatch|\bcursor\b|\blast_id\b|\bid\s*>/i.test(node.text)) traits.add('batched');
      continue;
    }
    if (node.type === 'pair') {
      const key = node.childForFieldName('key')?.text.replace(/^:|:$/g, '');
      const value = node.childForFieldName('value')?.text;
      if (key === 'algorithm' && /concurrently/.test(value ?? '')) traits.add('concurrent');
      if (key === 'validate' && value === 'false') notValid = true;
      continue;
    }
    if (node.type === 'identifier' && node.parent?.type === 'call' && node.parent.childForFieldName('method') !== node) continue;
    const call = readCall(node);
    if (!call) continue;
    if (call.name === 'with_lock_retries') traits.add('lock-retries');
    if (BATCH_CALLS.has(call.name)) traits.add('batched');
    if (VALIDATE_CALLS.has(call.name)) validates = true;
    if (call.name === 'add_column') addsColumn = true;
    if (COPY_CALLS.test(call.name)) traits.add('column-copy');
    if (!call.receiver) calls.push(call.name);
  }
  if (notValid && validates) traits.add('not-valid-then-validate');
  if (addsColumn && traits.has('batched') && /\btrigger/i.test(text)) traits.add('column-copy');
  return { traits: [...traits], calls };
}

/** A helper that calls a sibling helper does what that one does: traits flow through calls in the same owner. */
function composeTraits(owner: HelperOwner, callees: Map<string, string[]>): void {
  const own = new Map([...owner.methods].map(([k, v]) => [k, new Set(v.traits)]));
  for (const [name, helper] of owner.methods) {
    const traits = new Set(own.get(name));
    const seen = new Set([name]);
    const queue = [...(callees.get(name) ?? [])];
    while (queue.length) {
      const next = queue.shift()!;
      if (seen.has(next) || !own.has(next)) continue;
      seen.add(next);
      for (const t of own.get(next)!) traits.add(t);
      queue.push(...(callees.get(next) ?? []));
    }
    helper.traits = [...traits];
  }
}

const TRAIT_TEXT: Record<HelperTrait, string> = {
  'concurrent': 'builds or drops indexes concurrently',
  'not-valid-then-validate': 'adds the constraint NOT VALID, then validates it',
  'batched': 'works in batches',
  'lock-retries': 'uses lock timeouts/retries',
  'column-copy': 'copies the column (new column, triggers or batched copy) for the change',
  'raises-in-transaction': 'refuses to run inside a transaction',
};

export function describeHelper(helper: AppHelper): string {
  return helper.traits.length ? helper.traits.map((t) => TRAIT_TEXT[t]).join('; ') : 'what it does could not be summarised (unknown)';
}

/** AppFacts.shared key of the app's helper index provider (project/appHelperFiles.ts; tests set a fixed one). */
export const APP_HELPERS_KEY = 'migrations/appHelpers';

export interface AppHelperProvider {
  get(): AppHelperIndex;
  /**
   * The index of the files that change every migration (its globalModules/globalMethods are `get()`'s), read from
   * the few files that can (GLOBAL_TEXT) without summarising the rest: enough for a plain migration whose global
   * helpers are methods only.
   */
  globalIndex?(): AppHelperIndex;
}

/**
 * Text every file that reopens or includes into GLOBAL_TARGET contains (an owner's name is built from its `class` and
 * `module` lines; a call's receiver is written out): never a migration class itself (`< ActiveRecord::Migration[7.1]`).
 */
export const GLOBAL_TEXT = /\b(class|module)\s+(::)?(ActiveRecord::)?Migration\b|Migration(\[[\d.]+\])?(::\w+)*\s*\.\s*(include|prepend|send|public_send)\b|ConnectionAdapters|SchemaStatements/;

export function hasGlobalHelpers(summary: FileHelperSummary): boolean {
  return summary.globalModules.length > 0 || summary.globalMethods.length > 0;
}

/** The resolver the migration model uses for one file: the app's index plus the migration file's own modules. */
export function helperScopeResolver(ctx: RuleContext): ((klass: MigrationClass) => HelperScope) | undefined {
  const provider = ctx.app.shared.get(APP_HELPERS_KEY) as AppHelperProvider | undefined;
  if (!ctx.tree) return undefined;
  let local: FileHelperSummary | undefined;
  return (klass) => {
    const plain = /^(::)?ActiveRecord::Migration(\[[\d.]+\])?$/.test(klass.superclass) && klass.includes.length === 0;
    // A plain migration sees only the global methods, unless a global module must be found among all the app's.
    const globals = plain ? provider?.globalIndex?.() : undefined;
    if (globals && globals.globalModules.length === 0) return { methods: new Map(globals.globalMethods), unreadable: [] };
    const index = provider?.get() ?? emptyHelperIndex();
    if (plain && index.globalModules.length === 0 && index.globalMethods.size === 0) return { methods: new Map(), unreadable: [] };
    local ??= summariseHelperFile(ctx.tree!, ctx.file);
    return helperScope(index, local, klass);
  };
}
