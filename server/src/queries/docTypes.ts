// Parameter types the code states in YARD tags above a `def` (`# @param [Status] status`): the author's own
// declaration, read as a record of that model when the name is the app's model. Nothing else is inferred from names.
import type { Node } from '../parsing/treeSitter';

const TAG = /^#\s*@param\s+(?:\[([A-Z][\w:]*)(?:\s*,\s*nil)?\]\s+([a-z_]\w*)|([a-z_]\w*)\s+\[([A-Z][\w:]*)(?:\s*,\s*nil)?\])/;

/** Parameter name → the one class its `@param` tag names (a tag naming several types, or an Array, is left out). */
export function documentedParamTypes(method: Node): Map<string, string> {
  const out = new Map<string, string>();
  let below: Node = method;
  // Only the comment block right above the def: a blank line ends it.
  for (let c = commentAbove(method); c && c.type === 'comment' && below.startPosition.row - c.endPosition.row <= 1; c = c.previousNamedSibling) {
    const m = TAG.exec(c.text.trim());
    if (m && !out.has(m[2] ?? m[3])) out.set(m[2] ?? m[3], m[1] ?? m[4]);
    below = c;
  }
  return out;
}

/** The node before `node`; the parser puts a comment above a class body's first statement before the body. */
export function commentAbove(node: Node): Node | null {
  const before = node.previousNamedSibling;
  if (before) return before.type === 'comment' ? before : null;
  const parent = node.parent;
  const outer = parent?.type === 'body_statement' ? parent.previousNamedSibling : null;
  return outer?.type === 'comment' ? outer : null;
}
