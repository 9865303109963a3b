// A thread or pool count as config files write it: a literal, or an environment variable with the
// default the app falls back to (`ENV.fetch("RAILS_MAX_THREADS") { 5 }`, `ENV["X"] || 5`).
import { parseRuby, type Node } from '../parsing/treeSitter';
import { stringValue } from '../parsing/ruby';
import type { Range } from '../core/types';

export interface ThreadCount {
  /** The literal, or the default when the variables are unset; undefined when it cannot be told. */
  value?: number;
  /** Environment variables that can set it, outermost first. */
  vars: string[];
  /** The Ruby expression (for a fix that makes the pool read the same variable). */
  expr: string;
}

/** One process's thread count and the line that sets it. */
export interface ThreadSource {
  process: 'Puma' | 'Sidekiq' | 'GoodJob' | 'Solid Queue';
  count: ThreadCount;
  /** Relative to the app root. */
  file: string;
  range: Range;
  /** What sets it, for messages: "`threads 5, 10`". */
  what: string;
  /** Variables the process's own command line sets (`DB_POOL=10 bundle exec sidekiq` in a Procfile). */
  env?: Record<string, string>;
}

export const UNKNOWN_COUNT: ThreadCount = { vars: [], expr: '' };

/** Resolves local variables assigned earlier in the same file (`max_threads_count = ENV.fetch(…)`). */
export type Locals = ReadonlyMap<string, ThreadCount>;

export function countOfNode(node: Node | null | undefined, locals: Locals = new Map()): ThreadCount {
  if (!node) return UNKNOWN_COUNT;
  const expr = node.text;
  switch (node.type) {
    case 'integer': {
      const n = Number(node.text.replace(/_/g, ''));
      return Number.isInteger(n) ? { value: n, vars: [], expr } : UNKNOWN_COUNT;
    }
    case 'string': {
      const s = stringValue(node);
      return s !== undefined && /^\d+$/.test(s.trim()) ? { value: Number(s.trim()), vars: [], expr } : UNKNOWN_COUNT;
    }
    case 'identifier':
      return locals.get(node.text) ?? UNKNOWN_COUNT;
    case 'parenthesized_statements': {
      const inner = node.namedChildren.filter((c) => c && c.type !== 'comment');
      return inner.length === 1 ? withExpr(countOfNode(inner[0], locals), expr) : UNKNOWN_COUNT;
    }
    case 'element_reference': {
      const name = envName(node);
      return name ? { vars: [name], expr } : UNKNOWN_COUNT;
    }
    case 'binary': {
      const op = (node.childForFieldName('operator') ?? node.child(1))?.type;
      if (op !== '||' && op !== 'or') return UNKNOWN_COUNT;
      const left = countOfNode(node.childForFieldName('left'), locals);
      const right = countOfNode(node.childForFieldName('right'), locals);
      // `ENV["X"] || 5`: the variable, else the default.
      if (left.vars.length > 0 && left.value === undefined) return { value: right.value, vars: [...left.vars, ...right.vars], expr };
      return UNKNOWN_COUNT;
    }
    case 'call':
      return countOfCall(node, locals, expr);
    default:
      return UNKNOWN_COUNT;
  }
}

function countOfCall(node: Node, locals: Locals, expr: string): ThreadCount {
  const method = node.childForFieldName('method')?.text;
  const receiver = node.childForFieldName('receiver');
  const args = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment');
  // `x.to_i`, `Integer(x)`: the same count.
  if (method === 'to_i' && receiver && args.length === 0) return withExpr(countOfNode(receiver, locals), expr);
  // `ENV["X"].presence || 5`: blank counts as unset.
  if (method === 'presence' && receiver?.type === 'element_reference' && args.length === 0) return withExpr(countOfNode(receiver, locals), expr);
  if (method === 'Integer' && !receiver && args.length >= 1) return withExpr(countOfNode(args[0], locals), expr);
  if (method === 'fetch' && receiver?.type === 'constant' && receiver.text === 'ENV' && args[0]?.type === 'string') {
    const name = stringValue(args[0]);
    if (!name) return UNKNOWN_COUNT;
    let fallback: ThreadCount = UNKNOWN_COUNT;
    if (args[1]) fallback = countOfNode(args[1], locals);
    else {
      const block = node.childForFieldName('block');
      const body = block?.namedChildren.find((c) => c?.type === 'block_body' || c?.type === 'body_statement');
      const statements = body?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
      if (statements.length === 1) fallback = countOfNode(statements[0], locals);
    }
    return { value: fallback.value, vars: [name, ...fallback.vars], expr };
  }
  return UNKNOWN_COUNT;
}

function withExpr(count: ThreadCount, expr: string): ThreadCount {
  return count === UNKNOWN_COUNT ? count : { ...count, expr };
}

/** `ENV["X"]` → X. */
function envName(node: Node): string | undefined {
  const object = node.childForFieldName('object') ?? node.namedChildren[0];
  if (object?.type !== 'constant' || object.text !== 'ENV') return undefined;
  const key = node.namedChildren.filter((c) => c && c.id !== object.id)[0];
  return key?.type === 'string' ? stringValue(key) : undefined;
}

/** The count an ERB tag's Ruby (`ENV.fetch("RAILS_MAX_THREADS") { 5 }`) evaluates to. */
export function countOfRuby(code: string): ThreadCount {
  const tree = parseRuby(code);
  try {
    if (tree.rootNode.hasError) return UNKNOWN_COUNT;
    const statements = tree.rootNode.namedChildren.filter((c) => c && c.type !== 'comment');
    return statements.length === 1 ? countOfNode(statements[0]) : UNKNOWN_COUNT;
  } finally {
    tree.delete();
  }
}

/** Two counts that read one variable move together: the pool follows the threads. */
export function shareVariable(a: ThreadCount, b: ThreadCount): boolean {
  return a.vars.some((v) => b.vars.includes(v));
}
