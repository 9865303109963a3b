// Results of pure per-definition reads (a method's callback facts, the chains it returns), kept so that the same
// definition is not read twice.
//
// - Within one tree: the model index and the query pass both summarise an open model's methods on every keystroke;
//   the second read of the same node answers from a WeakMap that dies with the tree.
// - Across trees (the language server only, `useDefinitionMemo`): a keystroke re-parses the file and re-extracts
//   every method, though the edit changed one. A definition whose text, start and enclosing class and method names
//   are the same as at the last read answers from there. Its results carry positions as line and column, which an edit on another
//   line or further along the same line leaves alone; an inserted line moves the start and misses.
//
// A memoised result is shared: callers must not mutate it. The check reads each definition once and does not keep
// the across-trees memo (it would only cost memory on a monorepo).
import type { Node } from '../parsing/treeSitter';

interface AcrossTrees {
  maxChars: number;
  usedChars: number;
  entries: Map<string, { value: unknown; chars: number }>;
}

/** The language server's bound: a few large open models' worth of method text. */
export const DEFINITION_MEMO_CHARS = 2_000_000;

let acrossTrees: AcrossTrees | undefined;
const sameTree = new Map<string, WeakMap<Node, Map<string, unknown>>>();

/** Keeps results across trees, at most about `maxChars` characters of definitions (least recently used go first). */
export function useDefinitionMemo(maxChars: number | undefined): void {
  acrossTrees = maxChars && maxChars > 0 ? { maxChars, usedChars: 0, entries: new Map() } : undefined;
}

/** How many definitions the across-trees memo holds (for tests and the debug log). */
export function definitionMemoSize(): number {
  return acrossTrees?.entries.size ?? 0;
}

/**
 * `compute()` for `definition` (a `def`, a block, a method body), read as `kind` with the caller's `context` (anything
 * else the result depends on besides the definition's own text, such as parameter names passed in).
 */
export function memoByDefinition<T>(kind: string, definition: Node, file: string, context: string, compute: () => T): T {
  let byNode = sameTree.get(kind);
  if (!byNode) sameTree.set(kind, byNode = new WeakMap());
  let ofNode = byNode.get(definition);
  if (ofNode?.has(context)) return ofNode.get(context) as T;
  const value = acrossTrees ? acrossTreesValue(acrossTrees, kind, definition, file, context, compute) : compute();
  if (!ofNode) byNode.set(definition, ofNode = new Map());
  ofNode.set(context, value);
  return value;
}

function acrossTreesValue<T>(memo: AcrossTrees, kind: string, definition: Node, file: string, context: string, compute: () => T): T {
  const text = definition.text;
  const start = definition.startPosition;
  const key = `${kind}\0${file}\0${start.row}:${start.column}\0${enclosingNames(definition)}\0${context}\0${text}`;
  const hit = memo.entries.get(key);
  if (hit) {
    memo.entries.delete(key);
    memo.entries.set(key, hit);
    return hit.value as T;
  }
  const value = compute();
  memo.entries.set(key, { value, chars: key.length });
  memo.usedChars += key.length;
  for (const [oldest, entry] of memo.entries) {
    if (memo.usedChars <= memo.maxChars) break;
    memo.entries.delete(oldest);
    memo.usedChars -= entry.chars;
  }
  return value;
}

/**
 * `Admin/Invoice/#finalize`: the classes, modules and methods around a definition (a block's method is outside its
 * text), which chains name as their context.
 */
function enclosingNames(node: Node): string {
  const names: string[] = [];
  for (let n = node.parent, steps = 0; n && steps < 64; n = n.parent, steps++) {
    if (n.type === 'class' || n.type === 'module') names.push(n.childForFieldName('name')?.text ?? '?');
    else if (n.type === 'method' || n.type === 'singleton_method') names.push(`#${n.childForFieldName('name')?.text ?? '?'}`);
  }
  return names.reverse().join('/');
}
