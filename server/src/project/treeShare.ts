// In one check the app indexes (models, controllers and views, app classes, helpers, migrations)
// parse their files before any file is analysed, and each of those files is parsed again for its own
// analysis: on real apps the parse work doubled. While sharing is on (the CLI's one-thread check), a
// tree an index parsed is kept, up to a budget of source characters, and handed to that file's
// analysis, which the check then runs next so the budget frees up. The language server keeps its own
// trees per open document and does not share.
import { parseRuby, type Tree } from '../parsing/treeSitter';
import { cachedSummary } from './summaryStore';

interface Share {
  budgetChars: number;
  usedChars: number;
  trees: Map<string, { ruby: string; tree: Tree }>;
}

let share: Share | undefined;

/** Keeps index trees for the files' own analysis, holding at most `budgetChars` of source at once. */
export function shareIndexTrees(budgetChars: number): void {
  share = { budgetChars, usedChars: 0, trees: new Map() };
}

export function stopSharingTrees(): void {
  share = undefined;
}

/** Parses `ruby` (the Ruby of `file`) for an index; the tree may be kept for the file's analysis. */
export function parseForIndex(file: string, ruby: string): Tree {
  // Another index may have kept this file's tree (a model is read by the model and the app-class indexes).
  const kept = share?.trees.get(file);
  if (kept?.ruby === ruby) return kept.tree;
  const tree = parseRuby(ruby);
  if (share && !share.trees.has(file) && share.usedChars + ruby.length <= share.budgetChars) {
    share.trees.set(file, { ruby, tree });
    share.usedChars += ruby.length;
  }
  return tree;
}

/**
 * What an index extracts from `file`: its stored summary when the text is unchanged, else parsed (`ruby`: the Ruby
 * of a template, computed only for a parse) and extracted, the tree freed or kept for the file's own analysis.
 */
export function summariseForIndex<T>(kind: string, file: string, text: string, extract: (tree: Tree) => T, ruby: () => string = () => text): T {
  return cachedSummary(kind, file, text, () => {
    const tree = parseForIndex(file, ruby());
    try { return extract(tree); } finally { tree.delete(); }
  });
}

/** The tree an index parsed from exactly this Ruby of `file`, handed over once. */
export function takeIndexTree(file: string, ruby: string): Tree | undefined {
  const kept = share?.trees.get(file);
  if (!kept) return undefined;
  dropIndexTree(file);
  return kept.ruby === ruby ? kept.tree : undefined;
}

/** The oldest file with a kept tree that `wanted` accepts; kept trees of files it rejects are dropped. */
export function nextFileWithIndexTree(wanted: (file: string) => boolean): string | undefined {
  for (const file of share?.trees.keys() ?? []) {
    if (wanted(file)) return file;
    dropIndexTree(file);
  }
  return undefined;
}

/** Forgets the kept tree of a file the check will not analyse. */
export function dropIndexTree(file: string): void {
  const kept = share?.trees.get(file);
  if (!kept || !share) return;
  share.trees.delete(file);
  share.usedChars -= kept.ruby.length;
}
