// Edits on Ruby source built from tree nodes: the mechanics of shared research §2.2, so every quick
// fix inserts keyword arguments, nested options and class-level statements the same correct way.
import type { Node } from './treeSitter';
import type { FileEdit, Position, Range } from '../core/types';
import { nodeRange, type CallInfo } from './ruby';

function at(file: string, pos: Position, newText: string): FileEdit {
  return { file, range: { start: pos, end: pos }, newText };
}

function startOf(node: Node): Position { return { line: node.startPosition.row, character: node.startPosition.column }; }
function endOf(node: Node): Position { return { line: node.endPosition.row, character: node.endPosition.column }; }

/**
 * Appends `key: value` to a call's arguments: inside a trailing braced hash, after trailing bare pairs,
 * before a closing paren, or after the last argument of a paren-less call.
 */
export function addKeywordArgument(file: string, call: CallInfo, pair: string): FileEdit | undefined {
  const list = call.argumentList;
  if (hasSplat(call)) return undefined;
  if (!list) {
    return at(file, endOf(call.nameNode), ` ${pair}`);
  }
  const named = list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment' && c.type !== 'block_argument');
  const last = named[named.length - 1];
  if (!last) {
    // `foo()`: insert between the parens.
    return list.text.startsWith('(') ? at(file, { line: list.endPosition.row, character: list.endPosition.column - 1 }, pair) : undefined;
  }
  if (last.type === 'hash' && last.text.startsWith('{')) {
    const inner = last.namedChildren.filter((c) => c?.type === 'pair');
    if (inner.length === 0) return at(file, { line: last.endPosition.row, character: last.endPosition.column - 1 }, ` ${pair} `);
    return at(file, endOf(inner[inner.length - 1]!), `, ${pair}`);
  }
  if (last.type === 'heredoc_beginning' || last.type === 'string' && last.text.startsWith('<<')) {
    return at(file, endOf(last), `, ${pair}`);
  }
  return at(file, endOf(last), `, ${pair}`);
}

/**
 * `f(*args)`, `f(:t, *cols)`, `f(:t, **opts)`: the splat may carry the options hash itself, and a keyword
 * added after it turns that hash into a positional argument at run time (ArgumentError in Ruby 3), so
 * no keyword is added to such a call.
 */
export function hasSplat(call: CallInfo): boolean {
  return !!call.argumentList?.namedChildren.some((c) => c?.type === 'splat_argument' || c?.type === 'hash_splat_argument');
}

/**
 * Sets a nested option: `index: true` → `index: { algorithm: :concurrently }`, an existing
 * `index: { unique: true }` gains the pair, a missing key is appended as `key: { pair }`.
 */
export function mergeNestedOption(file: string, call: CallInfo, key: string, pair: string): FileEdit | undefined {
  if (hasSplat(call)) return undefined;
  const value = call.keywords.get(key);
  if (!value) return addKeywordArgument(file, call, `${key}: { ${pair} }`);
  if (value.type === 'hash') {
    const inner = value.namedChildren.filter((c) => c?.type === 'pair');
    if (inner.length === 0) return { file, range: nodeRange(value), newText: `{ ${pair} }` };
    return at(file, endOf(inner[inner.length - 1]!), `, ${pair}`);
  }
  if (value.type === 'true') return { file, range: nodeRange(value), newText: `{ ${pair} }` };
  return undefined;
}

/** Removes `key: value` with its preceding comma and whitespace (or the following one when it is first). */
export function removeKeywordArgument(file: string, text: string, call: CallInfo, key: string): FileEdit | undefined {
  const pair = call.pairs.get(key);
  if (!pair) return undefined;
  void text;
  return removePair(file, pair);
}

/** Removes one `pair` node (also inside a nested hash) with its separating comma and whitespace. */
export function removePair(file: string, pair: Node): FileEdit {
  const prev = pair.previousSibling;
  if (prev && prev.type === ',') {
    const before = pair.previousNamedSibling;
    const start = before ? endOf(before) : startOf(prev);
    return { file, range: { start, end: endOf(pair) }, newText: '' };
  }
  const next = pair.nextSibling;
  if (next && next.type === ',') {
    const after = pair.nextNamedSibling;
    return { file, range: { start: startOf(pair), end: after ? startOf(after) : endOf(next) }, newText: '' };
  }
  return { file, range: nodeRange(pair), newText: '' };
}

/** Inserts `statement` as the first line of a class body (after the `class … <` line). */
export function insertAfterClassLine(file: string, text: string, classNode: Node, statement: string): FileEdit {
  const classLine = classNode.startPosition.row;
  const lines = text.split('\n');
  const classIndent = /^[ \t]*/.exec(lines[classLine] ?? '')![0];
  const superclass = classNode.childForFieldName('superclass');
  const headerEnd = superclass ? superclass.endPosition.row : classLine;
  const lineEnd = (lines[headerEnd] ?? '').replace(/\r$/, '').length;
  return at(file, { line: headerEnd, character: lineEnd }, `\n${classIndent}  ${statement}\n`);
}

export function replaceNode(file: string, node: Node, newText: string): FileEdit {
  return { file, range: nodeRange(node), newText };
}

/** Applies edits of one file to its text (edits must not overlap). Used for previews and tests. */
export function applyEdits(text: string, edits: readonly { range: Range; newText: string }[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: Position): number => Math.min((lineStarts[p.line] ?? text.length) + p.character, text.length);
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start) || offset(b.range.end) - offset(a.range.end));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
