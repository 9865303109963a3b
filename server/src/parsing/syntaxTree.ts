// Syntax trees as plain JavaScript objects. web-tree-sitter answers every node property by a call
// into WASM (marshal the node, call C, unmarshal a new Node object); the rules read the same nodes
// many times, so a full check spent about 30% of its CPU in those crossings. Here a tree is copied
// once, right after parsing, with one cursor walk; every later read is a property read. The API is
// the subset of web-tree-sitter's `Node` the analysis uses, with the same semantics (indexes and
// columns in UTF-16 code units, `descendantsOfType` including the node itself, anonymous children in
// `children`), so rules do not know the difference.
import type { Edit, Language, Point, Tree as WasmTree } from 'web-tree-sitter';

const NO_CHILDREN: Node[] = Object.freeze([]) as unknown as Node[];
const NAMED = 1;
const MISSING = 2;
const FIELD_SHIFT = 2;

export class Node {
  /** Unique among all nodes of this process (web-tree-sitter's ids are unique within a tree). */
  readonly id: number;
  /** Set once by the tree copy, to an array of exactly the children's length (most nodes have none). */
  children: Node[] = NO_CHILDREN;
  private named?: Node[];
  /** isNamed, isMissing and the field id in one small integer: a file has hundreds of thousands of nodes. */
  private readonly bits: number;

  constructor(
    readonly tree: Tree,
    readonly type: string,
    isNamed: boolean,
    isMissing: boolean,
    fieldId: number,
    readonly startIndex: number,
    readonly endIndex: number,
    readonly parent: Node | null,
  ) {
    this.id = ++lastId;
    this.bits = (isNamed ? NAMED : 0) | (isMissing ? MISSING : 0) | (fieldId << FIELD_SHIFT);
  }

  get isNamed(): boolean { return (this.bits & NAMED) !== 0; }
  get isMissing(): boolean { return (this.bits & MISSING) !== 0; }
  /** The field this node fills in its parent (grammar field id, 0 for none). */
  get fieldId(): number { return this.bits >> FIELD_SHIFT; }

  get text(): string { return this.tree.text.slice(this.startIndex, this.endIndex); }
  get startPosition(): Point { return this.tree.positionOf(this.startIndex); }
  get endPosition(): Point { return this.tree.positionOf(this.endIndex); }

  get namedChildren(): Node[] {
    return (this.named ??= this.children.filter((c) => c.isNamed));
  }
  get childCount(): number { return this.children.length; }
  get namedChildCount(): number { return this.namedChildren.length; }
  child(index: number): Node | null { return this.children[index] ?? null; }
  namedChild(index: number): Node | null { return this.namedChildren[index] ?? null; }
  get firstChild(): Node | null { return this.children[0] ?? null; }
  get lastChild(): Node | null { return this.children[this.children.length - 1] ?? null; }
  get firstNamedChild(): Node | null { return this.namedChildren[0] ?? null; }
  get lastNamedChild(): Node | null { const named = this.namedChildren; return named[named.length - 1] ?? null; }

  private get indexInParent(): number { return this.parent ? this.parent.children.indexOf(this) : -1; }
  get nextSibling(): Node | null { return this.parent?.children[this.indexInParent + 1] ?? null; }
  get previousSibling(): Node | null { return this.parent?.children[this.indexInParent - 1] ?? null; }
  get nextNamedSibling(): Node | null {
    const siblings = this.parent?.children ?? [];
    for (let i = this.indexInParent + 1; i < siblings.length; i++) if (siblings[i].isNamed) return siblings[i];
    return null;
  }
  get previousNamedSibling(): Node | null {
    const siblings = this.parent?.children ?? [];
    for (let i = this.indexInParent - 1; i >= 0; i--) if (siblings[i].isNamed) return siblings[i];
    return null;
  }

  childForFieldName(fieldName: string): Node | null {
    const fieldId = this.tree.fieldIdOf(fieldName);
    if (fieldId === 0) return null;
    // Indexed: a for-of allocates an iterator result per step until the optimising compiler takes the function.
    const children = this.children;
    for (let i = 0; i < children.length; i++) if (children[i].fieldId === fieldId) return children[i];
    return null;
  }
  childrenForFieldName(fieldName: string): Node[] {
    const fieldId = this.tree.fieldIdOf(fieldName);
    return fieldId === 0 ? [] : this.children.filter((c) => c.fieldId === fieldId);
  }

  /** A syntax error or a missing token in this subtree. */
  get hasError(): boolean {
    const stack: Node[] = [this];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.type === 'ERROR' || node.isMissing) return true;
      for (const child of node.children) stack.push(child);
    }
    return false;
  }

  equals(other: Node): boolean { return other === this; }

  /** This node and its descendants of the given types, in document order. */
  descendantsOfType(types: string | string[]): Node[] {
    const wanted = typeof types === 'string' ? [types] : types;
    const out: Node[] = [];
    const stack: Node[] = [this];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (wanted.includes(node.type)) out.push(node);
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
    }
    return out;
  }

  /** The smallest named node spanning `start`…`end` (tree-sitter's rule: a node ending at `start` does not span it). */
  namedDescendantForPosition(start: Point, end: Point = start): Node {
    let node: Node = this;
    let lastNamed: Node = this;
    for (let descended = true; descended;) {
      descended = false;
      for (const child of node.children) {
        const childEnd = child.endPosition;
        if (pointLess(childEnd, end) || !pointLess(start, childEnd)) continue;
        if (pointLess(start, child.startPosition)) break;
        node = child;
        if (node.isNamed) lastNamed = node;
        descended = true;
        break;
      }
    }
    return lastNamed;
  }
}

function pointLess(a: Point, b: Point): boolean {
  return a.row < b.row || (a.row === b.row && a.column < b.column);
}

let lastId = 0;

/** A parsed file: its nodes as objects, and the WASM tree kept only for an incremental re-parse. */
export class Tree {
  readonly rootNode: Node;
  private readonly language: Language;
  private lineStarts?: number[];
  private wasm: WasmTree | null;

  constructor(wasm: WasmTree, readonly text: string, keepWasm: boolean) {
    this.wasm = wasm;
    this.language = wasm.language;
    this.rootNode = copyNodes(this, wasm);
    if (!keepWasm) this.delete();
  }

  /** The WASM tree for `Parser.parse(text, oldTree)`, when kept. */
  get wasmTree(): WasmTree | null { return this.wasm; }

  /** Tells the kept WASM tree about an edit before it is passed as `oldTree`; the node objects are not moved. */
  edit(edit: Edit): void { this.wasm?.edit(edit); }

  /** Frees the WASM tree (the node objects stay readable). */
  delete(): void {
    this.wasm?.delete();
    this.wasm = null;
  }

  fieldIdOf(name: string): number { return fieldIds(this.language).get(name) ?? 0; }

  positionOf(index: number): Point {
    const starts = (this.lineStarts ??= lineStartsOf(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: index - starts[lo] };
  }
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

const fieldIdsByLanguage = new WeakMap<Language, Map<string, number>>();
function fieldIds(language: Language): Map<string, number> {
  let ids = fieldIdsByLanguage.get(language);
  if (!ids) {
    ids = new Map();
    language.fields.forEach((name, id) => { if (name) ids!.set(name, id); });
    fieldIdsByLanguage.set(language, ids);
  }
  return ids;
}

const namedByLanguage = new WeakMap<Language, boolean[]>();
function namedTypes(language: Language): boolean[] {
  let named = namedByLanguage.get(language);
  if (!named) {
    named = [];
    for (let id = 0; id < language.nodeTypeCount; id++) named[id] = language.nodeTypeIsNamed(id);
    namedByLanguage.set(language, named);
  }
  return named;
}

/** One pre-order cursor walk; iterative, as deeply nested input would overflow a recursion. */
function copyNodes(tree: Tree, wasm: WasmTree): Node {
  const language = wasm.language;
  const types = language.types;
  const named = namedTypes(language);
  const cursor = wasm.walk();
  try {
    const read = (parent: Node | null): Node => {
      const typeId = cursor.nodeTypeId;
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      // Only a zero-width node can be a missing token; ERROR nodes are named.
      const missing = start === end && cursor.nodeIsMissing;
      const type = types[typeId] ?? 'ERROR';
      return new Node(tree, type, type === 'ERROR' || named[typeId] === true, missing, cursor.currentFieldId, start, end, parent);
    };
    const root = read(null);
    // The children read so far at each open level; copied to exact-size arrays when the level closes.
    const pending: Node[][] = [];
    let current = root;
    for (;;) {
      if (cursor.gotoFirstChild()) {
        const child = read(current);
        pending.push([child]);
        current = child;
        continue;
      }
      for (;;) {
        if (cursor.gotoNextSibling()) {
          const sibling = read(current.parent);
          pending[pending.length - 1].push(sibling);
          current = sibling;
          break;
        }
        if (!cursor.gotoParent()) return root;
        current = current.parent!;
        current.children = pending.pop()!.slice();
      }
    }
  } finally {
    cursor.delete();
  }
}
