// A method chain (`Post.where(x).includes(:a).each`) as plain data: its root and one link per call,
// with the positions quick fixes need. Plain data so the controller index can keep chains of files
// whose trees are long freed.
import type { Node } from '../parsing/treeSitter';
import type { Position, Range } from '../core/types';
import { literalName, nodeRange } from '../parsing/ruby';

/** Preloaded associations as a tree: `includes(:a, b: [:c, { d: :e }])`. `dynamic` covers everything. */
export interface Preloads { names: Map<string, Preloads>; dynamic: boolean }

export function emptyPreloads(): Preloads { return { names: new Map(), dynamic: false }; }
export function dynamicPreloads(): Preloads { return { names: new Map(), dynamic: true }; }

export function mergePreloads(into: Preloads, from: Preloads): Preloads {
  const out: Preloads = { names: new Map(into.names), dynamic: into.dynamic || from.dynamic };
  for (const [k, v] of from.names) out.names.set(k, out.names.has(k) ? mergePreloads(out.names.get(k)!, v) : v);
  return out;
}

/** A top-level argument of an includes-family call, for extending it in a quick fix. */
export interface PreloadArg { kind: 'symbol' | 'pair' | 'other'; name?: string; range: Range; valueKind?: 'symbol' | 'array' | 'other'; valueRange?: Range; valueText?: string }

export interface LinkArgs {
  count: number;
  text: string;
  range?: Range;
  /** For includes/preload/eager_load: the associations named (dynamic when not literal). */
  preloads?: Preloads;
  preloadArgs?: PreloadArg[];
  /** `limit(10)`, `first(3)`. */
  int?: number;
  /** `&:name` block argument. */
  symbolBlock?: string;
  /** Where `&:name` is written. */
  symbolBlockRange?: Range;
  /** Identifiers, instance variables and method names read by the arguments (loop-variable dependency; inside loops only). */
  deps: string[];
  /** What the arguments hand a method whose return is read with them (`page_items(posts, includes: [:author])`). */
  passed?: PassedArgs;
}

/**
 * Per positional argument its chain (undefined: not a chain); per keyword (`key: v`, `:key => v`) its chain, or the
 * associations a literal list names (`includes: [:author]`, for `relation.includes(includes)` in the callee).
 */
export interface PassedArgs {
  positional: (Chain | undefined)[];
  keywords?: Record<string, { chain?: Chain; preloads?: Preloads }>;
}

export interface Link {
  name: string;
  nameRange: Range;
  /** End of the call without its block: where `.includes(…)` is appended. */
  end: Position;
  args: LinkArgs;
  hasBlock: boolean;
}

export type Root =
  | { kind: 'const'; name: string }
  | { kind: 'name'; name: string }      // identifier: a local variable or a method of self
  | { kind: 'ivar'; name: string }
  | { kind: 'self' }                    // receiverless call: the first link is on self
  | { kind: 'other'; text: string; /** `(Group.all - user.groups)`: the chain left of `-` or `&` (the result holds its rows). */ operand?: Chain };

export interface Chain {
  file: string; root: Root; rootRange: Range; links: Link[];
  /** The method the chain is written in, for fix titles: `PostsController#index`. */
  context?: string;
}

const PRELOADERS = new Set(['includes', 'preload', 'eager_load']);

function endOf(node: Node): Position { return { line: node.endPosition.row, character: node.endPosition.column }; }

/** The chain ending at `node` (a call, identifier, constant or ivar). */
export function chainOf(node: Node, file: string, withDeps = false): Chain {
  const chain = bareChainOf(node, file, withDeps);
  const context = contextOf(node);
  return context ? { ...chain, context } : chain;
}

const MAX_CONTEXT_DEPTH = 64;

/** `PostsController#index`, `Post.recent`, or the class alone outside methods. */
export function contextOf(node: Node): string | undefined {
  let method: string | undefined;
  const names: string[] = [];
  // Bounded: each `.parent` searches down from the root, so an unbounded walk per chain is quadratic on deeply
  // nested code; real class/method nesting is shallow, and past the bound the title names the line instead.
  let steps = 0;
  for (let n: Node | null = node.parent; n; n = n.parent) {
    if (++steps > MAX_CONTEXT_DEPTH) return undefined;
    if (!method && (n.type === 'method' || n.type === 'singleton_method')) {
      const name = n.childForFieldName('name')?.text;
      if (name) method = `${n.type === 'singleton_method' ? '.' : '#'}${name}`;
    } else if (n.type === 'class' || n.type === 'module') {
      const name = n.childForFieldName('name')?.text;
      if (name) names.unshift(name);
    }
  }
  if (names.length === 0) return method ? method.slice(1) : undefined;
  return `${names.join('::')}${method ?? ''}`;
}

function bareChainOf(node: Node, file: string, withDeps: boolean, nesting = 0): Chain {
  const links: Link[] = [];
  let current: Node | null = node;
  for (let guard = 0; current && guard < 200; guard++) {
    if (current.type === 'parenthesized_statements' && current.namedChildCount === 1) { current = current.namedChildren[0]; continue; }
    if (current.type !== 'call') break;
    const nameNode = current.childForFieldName('method');
    if (!nameNode) break;
    links.unshift(readLink(current, nameNode, withDeps, file, nesting));
    const receiver: Node | null = current.childForFieldName('receiver');
    if (!receiver) {
      return { file, root: { kind: 'self' }, rootRange: nodeRange(nameNode), links };
    }
    current = receiver;
  }
  if (!current) return { file, root: { kind: 'other', text: '' }, rootRange: nodeRange(node), links };
  const rootRange = nodeRange(current);
  switch (current.type) {
    case 'constant': case 'scope_resolution':
      return { file, root: { kind: 'const', name: current.text.replace(/^::/, '') }, rootRange, links };
    case 'identifier': return { file, root: { kind: 'name', name: current.text }, rootRange, links };
    case 'instance_variable': return { file, root: { kind: 'ivar', name: current.text }, rootRange, links };
    case 'self': return { file, root: { kind: 'self' }, rootRange, links };
    case 'binary': {
      // `(Group.all - user.groups).each`: the rows of the left side, fewer.
      const operator = current.childForFieldName('operator')?.text;
      const left = current.childForFieldName('left');
      if ((operator === '-' || operator === '&') && left) return { file, root: { kind: 'other', text: current.type, operand: bareChainOf(left, file, withDeps) }, rootRange, links };
      return { file, root: { kind: 'other', text: current.type }, rootRange, links };
    }
    default: return { file, root: { kind: 'other', text: current.type }, rootRange, links };
  }
}

function readLink(call: Node, nameNode: Node, withDeps: boolean, file: string, nesting: number): Link {
  const argList = call.childForFieldName('arguments');
  const block = call.childForFieldName('block');
  const name = nameNode.text;
  const args: LinkArgs = { count: 0, text: argList?.text ?? '', range: argList ? nodeRange(argList) : undefined, deps: [] };
  const positional: Node[] = [];
  if (argList) {
    for (const child of argList.namedChildren) {
      if (!child || child.type === 'comment') continue;
      if (child.type === 'block_argument') {
        const sym = child.namedChildren[0];
        if (sym?.type === 'simple_symbol') { args.symbolBlock = sym.text.slice(1); args.symbolBlockRange = nodeRange(child); }
        continue;
      }
      positional.push(child);
    }
    args.count = positional.length;
    if (withDeps) collectDeps(argList, args.deps);
  }
  if (positional.length === 1 && positional[0].type === 'integer') args.int = Number(positional[0].text.replace(/_/g, ''));
  // `host.try(:hostgroup)` reads what `host&.hostgroup` reads: the link is the method it calls.
  if ((name === 'try' || name === 'try!') && positional.length === 1 && positional[0].type === 'simple_symbol' && !block && !args.symbolBlock) {
    const tried = positional[0].text.slice(1);
    const range = nodeRange(call);
    return { name: tried, nameRange: { start: nodeRange(nameNode).start, end: range.end }, end: endOf(call), args: { count: 0, text: '', deps: [] }, hasBlock: false };
  }
  if (PRELOADERS.has(name)) {
    args.preloads = emptyPreloads();
    args.preloadArgs = [];
    for (const a of positional) {
      readPreloads(a, args.preloads);
      args.preloadArgs.push(preloadArg(a));
    }
  } else if (positional.length > 0 && nesting < MAX_PASSED_NESTING && !NOT_APP_METHODS.has(name)) {
    const passed = passedArgs(positional, file, nesting + 1);
    if (passed) args.passed = passed;
  }
  const end = block ? endOf(argList ?? nameNode) : endOf(call);
  return { name, nameRange: nodeRange(nameNode), end, args, hasBlock: !!block };
}

/** Calls whose arguments are never handed to a method of the app (query building, loops, checks). */
const NOT_APP_METHODS = new Set(['where', 'not', 'order', 'reorder', 'limit', 'offset', 'select', 'group', 'having', 'joins', 'left_joins',
  'left_outer_joins', 'pluck', 'find', 'find_by', 'find_by!', 'exists?', 'each', 'map', 'puts', 'raise', 'render', 'redirect_to', 't',
  'include?', 'is_a?', 'respond_to?', 'send', 'public_send', 'try', 'merge', 'or', 'and', 'rewhere', 'update', 'update!', 'update_all',
  'create', 'create!', 'build', 'find_or_create_by', 'find_or_initialize_by', 'assign_attributes', 'permit', 'require', 'fetch', 'dig']);
/** Chains inside arguments inside arguments are read this deep (`a(b(c))`). */
const MAX_PASSED_NESTING = 2;
const PASSABLE = new Set(['identifier', 'instance_variable', 'call', 'constant', 'scope_resolution']);

function passedArgs(positional: Node[], file: string, nesting: number): PassedArgs | undefined {
  const out: PassedArgs = { positional: [] };
  let any = false;
  const keyword = (pair: Node): void => {
    const key = pair.type === 'pair' ? literalName(pair.childForFieldName('key')) : undefined;
    const value = pair.childForFieldName('value');
    if (!key || !value) return;
    if (PASSABLE.has(value.type)) (out.keywords ??= {})[key] = { chain: bareChainOf(value, file, false, nesting) };
    else if (value.type === 'array' || value.type === 'simple_symbol' || value.type === 'hash') {
      const preloads = emptyPreloads();
      readPreloads(value, preloads);
      if (!preloads.dynamic) (out.keywords ??= {})[key] = { preloads };
    }
    any = true;
  };
  for (const a of positional) {
    // `m(*args)`, `m(**options)`: positions and keywords are not known.
    if (a.type === 'splat_argument' || a.type === 'hash_splat_argument') return undefined;
    if (a.type === 'pair') { keyword(a); continue; }
    if (a.type === 'hash') { for (const p of a.namedChildren) if (p?.type === 'pair') keyword(p); continue; }
    if (PASSABLE.has(a.type)) { out.positional.push(bareChainOf(a, file, false, nesting)); any = true; } else out.positional.push(undefined);
  }
  return any ? out : undefined;
}

function preloadArg(node: Node): PreloadArg {
  const name = literalName(node);
  if (name !== undefined && node.type !== 'string') return { kind: 'symbol', name, range: nodeRange(node) };
  if (node.type === 'pair') {
    const key = literalName(node.childForFieldName('key'));
    const value = node.childForFieldName('value');
    const valueKind = !value ? 'other' : value.type === 'simple_symbol' ? 'symbol' : value.type === 'array' ? 'array' : 'other';
    return { kind: 'pair', name: key, range: nodeRange(node), valueKind, valueRange: value ? nodeRange(value) : undefined, valueText: value?.text };
  }
  return { kind: 'other', range: nodeRange(node) };
}

/** Reads `:a`, `"a"`, `[:a, :b]`, `{ a: :b }`, `a: [:b]` into the tree; anything else makes it dynamic. */
export function readPreloads(node: Node, into: Preloads): void {
  const name = literalName(node);
  if (name !== undefined) { if (!into.names.has(name)) into.names.set(name, emptyPreloads()); return; }
  switch (node.type) {
    case 'array':
      for (const c of node.namedChildren) {
        if (!c) continue;
        if (c.type === 'bare_symbol' || c.type === 'bare_string') { if (!into.names.has(c.text)) into.names.set(c.text, emptyPreloads()); } else readPreloads(c, into);
      }
      return;
    case 'hash':
      for (const c of node.namedChildren) if (c && c.type !== 'comment') readPreloads(c, into);
      return;
    case 'pair': {
      const key = literalName(node.childForFieldName('key'));
      const value = node.childForFieldName('value');
      if (!key) { into.dynamic = true; return; }
      const sub = into.names.get(key) ?? emptyPreloads();
      into.names.set(key, sub);
      if (value) readPreloads(value, sub);
      return;
    }
    case 'comment': return;
    default: into.dynamic = true;
  }
}

function collectDeps(node: Node, out: string[]): void {
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'identifier' || n.type === 'instance_variable') out.push(n.text);
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
}

/** The end of the chain expression after `count` links (0 = the root alone). */
export function chainEndAfter(chain: Chain, count: number): Position {
  return count === 0 ? chain.rootRange.end : chain.links[count - 1].end;
}

/**
 * `chain` with the locals its links pass as arguments replaced by what they hold (`page_items(comments)` after
 * `comments = Comment.where(…)`), for chains kept after the method's locals are gone (the controller index).
 */
export function substitutePassed(chain: Chain, local: (name: string) => Chain | undefined): Chain {
  if (!chain.links.some((l) => l.args.passed)) return chain;
  const sub = (c: Chain | undefined): Chain | undefined => {
    if (!c) return c;
    const prefix = c.root.kind === 'name' ? local(c.root.name) : undefined;
    return prefix ? substituteRoot(c, prefix) : c;
  };
  const links = chain.links.map((l) => {
    const passed = l.args.passed;
    if (!passed) return l;
    const keywords = passed.keywords && Object.fromEntries(Object.entries(passed.keywords).map(([k, v]) => [k, v.chain ? { chain: sub(v.chain) } : v]));
    return { ...l, args: { ...l.args, passed: { positional: passed.positional.map(sub), ...(keywords ? { keywords } : {}) } } };
  });
  return { ...chain, links };
}

/** Prefixes `prefix` (a chain a local variable was assigned) to `chain` whose root is that variable. */
export function substituteRoot(chain: Chain, prefix: Chain): Chain {
  return { file: chain.file, root: prefix.root, rootRange: prefix.rootRange, links: [...prefix.links, ...chain.links], context: prefix.context };
}
