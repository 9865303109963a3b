// A template whose Ruby projection does not parse cleanly (HAML the projector misread, Ruby the
// template gets wrong) must not yield findings built on a misread tree: findings inside a top-level
// statement that holds a parse error are dropped, the rest of the file still reports.
import type { Finding } from '../core/types';
import type { Tree } from './treeSitter';

/** Line spans (0-based, inclusive) of the top-level statements that contain a parse error. */
export function unsureLineSpans(tree: Tree): [number, number][] {
  const root = tree.rootNode;
  if (!root.hasError) return [];
  if (root.type === 'ERROR' || root.isMissing) return [[0, Number.MAX_SAFE_INTEGER]];
  const spans: [number, number][] = [];
  for (const child of root.children) {
    if (!child) continue;
    if (child.hasError || child.type === 'ERROR' || child.isMissing) spans.push([child.startPosition.row, child.endPosition.row]);
  }
  // An error the statements do not show (at the root itself): trust nothing.
  return spans.length > 0 ? spans : [[0, Number.MAX_SAFE_INTEGER]];
}

export function dropUnsureProjection(findings: Finding[], tree: Tree): Finding[] {
  const spans = unsureLineSpans(tree);
  if (spans.length === 0) return findings;
  return findings.filter((f) => !spans.some(([a, b]) => f.range.start.line >= a && f.range.start.line <= b));
}
