// Hover providers: pure functions from a position in a parsed file to markdown. Packs register theirs
// in server/src/hovers/index.ts; the LSP layer only asks them in order.
import type { Tree } from '../parsing/treeSitter';
import type { AppFacts } from './appFacts';
import type { FileKind } from './rule';
import type { Position, Range } from './types';

export interface HoverInput {
  file: string;
  text: string;
  kind: FileKind;
  tree: Tree | undefined;
  app: AppFacts;
  position: Position;
  /** Memoized per document version, shared with the rules' derive(). */
  derive<T>(key: string, compute: () => T): T;
}

export interface HoverResult { markdown: string; range?: Range }

export interface HoverProvider {
  id: string;
  fileKinds: FileKind[];
  hover(input: HoverInput): HoverResult | undefined;
}

/** The smallest named node at a position. */
export function nodeAt(tree: Tree, position: Position) {
  const point = { row: position.line, column: position.character };
  return tree.rootNode.namedDescendantForPosition(point);
}
