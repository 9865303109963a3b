// Small readers over tree-sitter-ruby nodes, shared by every rule and fact extractor.
import type { Node } from './treeSitter';
import type { Range } from '../core/types';

export function nodeRange(node: Node): Range {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}

/** A method call as Ruby sees it: `foo`, `foo!`, `foo(1)`, `x.foo 1 do end`, `Foo::Bar.baz`. */
export interface CallInfo {
  node: Node;
  name: string;
  nameNode: Node;
  receiver: Node | null;
  args: Node[];               // positional arguments (no pairs, no block argument)
  keywords: Map<string, Node>; // `key: value` / `:key => value` pairs, value nodes
  pairs: Map<string, Node>;    // the pair nodes themselves
  argumentList: Node | null;
  block: Node | null;          // `block` or `do_block`
}

export function readCall(node: Node): CallInfo | null {
  if (node.type === 'identifier') {
    // A bare identifier statement may be a method call without arguments (`disable_ddl_transaction!`).
    return { node, name: node.text, nameNode: node, receiver: null, args: [], keywords: new Map(), pairs: new Map(), argumentList: null, block: null };
  }
  if (node.type !== 'call') return null;
  const nameNode = node.childForFieldName('method');
  if (!nameNode) return null;
  return lazyCall(node, nameNode);
}

/**
 * Most callers look at the name and stop, so the other fields are read from the tree on first use (each
 * costs node objects built by web-tree-sitter; the arguments the most). A class, so the getters live on
 * the prototype: one small object per call, no closures.
 */
class LazyCall implements CallInfo {
  private receiverNode: Node | null | undefined;
  private blockNode: Node | null | undefined;
  private argumentListNode: Node | null | undefined;
  private read: ReadArguments | undefined;
  constructor(readonly node: Node, readonly name: string, readonly nameNode: Node) {}
  get receiver(): Node | null { return this.receiverNode === undefined ? (this.receiverNode = this.node.childForFieldName('receiver')) : this.receiverNode; }
  get argumentList(): Node | null { return this.argumentListNode === undefined ? (this.argumentListNode = this.node.childForFieldName('arguments')) : this.argumentListNode; }
  get block(): Node | null { return this.blockNode === undefined ? (this.blockNode = this.node.childForFieldName('block')) : this.blockNode; }
  get args(): Node[] { return (this.read ??= readArguments(this.argumentList)).args; }
  get keywords(): Map<string, Node> { return (this.read ??= readArguments(this.argumentList)).keywords; }
  get pairs(): Map<string, Node> { return (this.read ??= readArguments(this.argumentList)).pairs; }
}

function lazyCall(node: Node, nameNode: Node): CallInfo {
  return new LazyCall(node, nameNode.text, nameNode);
}

type ReadArguments = { args: Node[]; keywords: Map<string, Node>; pairs: Map<string, Node> };

function readArguments(argumentList: Node | null): ReadArguments {
  const args: Node[] = [];
  const keywords = new Map<string, Node>();
  const pairs = new Map<string, Node>();
  if (argumentList) {
    const children = argumentList.namedChildren;
    // Node objects are built per access: the last argument is found by position, not by identity.
    let last = children.length - 1;
    while (last >= 0 && (children[last]?.type === 'comment' || children[last]?.type === 'block_argument')) last--;
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (!child) continue;
      if (child.type === 'pair') addPair(child, keywords, pairs);
      else if (child.type === 'hash' && i === last && isBarewordHash(child)) {
        for (const p of child.namedChildren) if (p?.type === 'pair') addPair(p, keywords, pairs);
        args.push(child);
      } else if (child.type !== 'block_argument' && child.type !== 'comment') args.push(child);
    }
  }
  return { args, keywords, pairs };
}

// A trailing `{ a: 1 }` literal passed as the last argument is also keyword options in Rails DSLs.
function isBarewordHash(hash: Node): boolean {
  return hash.namedChildren.every((c) => c?.type === 'pair');
}

function addPair(pair: Node, keywords: Map<string, Node>, pairs: Map<string, Node>): void {
  const key = pair.childForFieldName('key');
  const value = pair.childForFieldName('value');
  if (!key || !value) return;
  const name = keyName(key);
  if (name === undefined) return;
  keywords.set(name, value);
  pairs.set(name, pair);
}

function keyName(key: Node): string | undefined {
  switch (key.type) {
    case 'hash_key_symbol': return key.text;
    case 'simple_symbol': return key.text.slice(1);
    case 'string': return stringValue(key);
    default: return undefined;
  }
}

/** `:users` → users, `"users"` → users, `'users'` → users; undefined when interpolated or not literal. */
export function literalName(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'simple_symbol': return node.text.slice(1);
    case 'delimited_symbol': return node.namedChildren.some((c) => c?.type === 'interpolation') ? undefined : node.text.slice(2, -1);
    case 'string': return stringValue(node);
    case 'hash_key_symbol': return node.text;
    default: return undefined;
  }
}

export function stringValue(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  let value = '';
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === 'string_content') value += child.text;
    else if (child.type === 'escape_sequence') value += child.text;
    else return undefined;
  }
  return value;
}

/** The names in `:a`, `[:a, :b]`, `%i[a b]`, `%w[a b]`, `"a"`. */
export function literalNames(node: Node | null | undefined): string[] | undefined {
  if (!node) return undefined;
  const single = literalName(node);
  if (single !== undefined) return [single];
  // `%i[a b]` / `%w[a b]` parse as symbol_array / string_array.
  if (node.type === 'array' || node.type === 'symbol_array' || node.type === 'string_array') {
    const names: string[] = [];
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'bare_symbol' || child.type === 'bare_string') names.push(child.text);
      else {
        const name = literalName(child);
        if (name === undefined) return undefined;
        names.push(name);
      }
    }
    return names;
  }
  return undefined;
}

export function isTrue(node: Node | undefined): boolean { return node?.type === 'true'; }
export function isFalse(node: Node | undefined): boolean { return node?.type === 'false'; }
export function isNil(node: Node | undefined): boolean { return node?.type === 'nil'; }
export function isSymbol(node: Node | undefined, name: string): boolean {
  return !!node && literalName(node) === name && (node.type === 'simple_symbol' || node.type === 'delimited_symbol');
}

/** Statements of a body (`body_statement`, `block_body`, `do_block` / `block` body). */
export function bodyStatements(node: Node | null | undefined): Node[] {
  if (!node) return [];
  if (node.type === 'do_block' || node.type === 'block') {
    const body = node.childForFieldName('body') ?? node.namedChildren.find((c) => c?.type === 'body_statement' || c?.type === 'block_body') ?? null;
    return bodyStatements(body);
  }
  return node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
}

/** The methods a class body defines, keyed `#name` (instance) and `.name` (`def self.name`, inside `class << self`). */
/**
 * The `def` a class-level statement makes: the statement itself, or the one a receiverless macro wraps and passes on
 * (`private def x`, `memoize def x`, `monetize def x = …`, `private_class_method def self.x`): Ruby defines it all the same.
 */
export function definitionIn(stmt: Node): Node | undefined {
  if (stmt.type === 'method' || stmt.type === 'singleton_method') return stmt;
  if (stmt.type !== 'call' || stmt.childForFieldName('receiver') || stmt.childForFieldName('block')) return undefined;
  const args = stmt.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  return args.length === 1 && (args[0].type === 'method' || args[0].type === 'singleton_method') ? args[0] : undefined;
}

export function methodDefinitions(body: Node): [string, Node][] {
  const out: [string, Node][] = [];
  for (const statement of bodyStatements(body)) {
    const stmt = definitionIn(statement) ?? statement;
    if (stmt.type === 'method') out.push([`#${stmt.childForFieldName('name')?.text}`, stmt]);
    else if (stmt.type === 'singleton_method' && stmt.childForFieldName('object')?.type === 'self') out.push([`.${stmt.childForFieldName('name')?.text}`, stmt]);
    else if (stmt.type === 'singleton_class') {
      for (const m of bodyStatements(stmt.childForFieldName('body') ?? stmt)) if (m.type === 'method') out.push([`.${m.childForFieldName('name')?.text}`, m]);
    }
  }
  return out;
}

/** The first parameter name of a block: `|t|` → "t". */
export function blockParam(block: Node | null): string | undefined {
  const params = block?.childForFieldName('parameters') ?? block?.namedChildren.find((c) => c?.type === 'block_parameters');
  const first = params?.namedChildren.find((c) => c?.type === 'identifier');
  return first?.text;
}

/** Leading whitespace of the line a node starts on. */
export function lineIndent(text: string, line: number): string {
  let offset = 0;
  for (let i = 0; i < line; i++) {
    offset = text.indexOf('\n', offset) + 1;
    if (offset === 0) return '';
  }
  const match = /^[ \t]*/.exec(text.slice(offset, offset + 200));
  return match ? match[0] : '';
}

/** Text of a constant path: `ActiveRecord::Migration[7.1]` → "ActiveRecord::Migration[7.1]". */
export function constantText(node: Node | null | undefined): string | undefined {
  return node ? node.text.replace(/\s+/g, '') : undefined;
}

/**
 * How many times each ivar is assigned in `text` (`@x =`, `@x ||=`, `@x +=`, `@x, @y =`), in one pass over the text
 * (not a walk of every node). A count of 1 means one write: the value it was given holds everywhere else.
 */
export function ivarAssignmentCounts(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/(@[A-Za-z_]\w*)\s*(?:[|&+*/-]{1,2}=|=(?![=~>])|,)/g)) out.set(m[1], (out.get(m[1]) ?? 0) + 1);
  return out;
}

/** The names a class body's `attr_reader :x` / `attr_accessor :x` define, in order. */
export function attrReaderNames(body: Node): string[] {
  const out: string[] = [];
  for (const stmt of bodyStatements(body)) {
    const name = stmt.type === 'call' && !stmt.childForFieldName('receiver') ? stmt.childForFieldName('method')?.text : undefined;
    if (name !== 'attr_reader' && name !== 'attr_accessor') continue;
    for (const a of stmt.childForFieldName('arguments')?.namedChildren ?? []) if (a?.type === 'simple_symbol') out.push(a.text.slice(1));
  }
  return out;
}
