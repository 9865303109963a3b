// Finds the model folders of an app (app/models, and those of engines, packs and components inside it)
// and keeps the ModelIndex current one file at a time.
import { extractModels, ModelIndex } from '../models/modelIndex';
import { parseRuby, type Tree } from '../parsing/treeSitter';
import type { FileSource } from './files';
import { appFolders, filesUnder } from './appFolders';

export function modelDirectories(root: string, maxDepth = 5): string[] {
  return appFolders(root, ['models'], maxDepth);
}

export function isModelFile(file: string): boolean {
  return /(^|[\\/])app[\\/]models[\\/].*\.rb$/.test(file);
}

/** Builds the index lazily; `changed(file)` marks one file for re-extraction on next access. */
export class ModelIndexLoader {
  private index: ModelIndex | undefined;
  private readonly dirty = new Set<string>();

  constructor(private readonly root: string, private readonly files: FileSource, private readonly log: (m: string) => void) {}

  get(): ModelIndex {
    if (!this.index) {
      this.index = new ModelIndex();
      for (const dir of modelDirectories(this.root)) for (const file of filesUnder(dir, (name) => name.endsWith('.rb'))) this.load(file);
      this.dirty.clear();
    }
    for (const file of this.dirty) this.load(file);
    this.dirty.clear();
    return this.index;
  }

  /** Re-extracts an edited model from the tree the editor already has, instead of parsing it again. */
  updateFromTree(file: string, tree: Tree): void {
    if (!this.index || !isModelFile(file)) return;
    this.index.update(file, extractModels(tree, file));
    this.dirty.delete(file);
  }

  changed(file: string): void {
    if (this.index && isModelFile(file)) this.dirty.add(file);
  }

  private load(file: string): void {
    const text = this.files.read(file);
    if (text === undefined) { this.index!.remove(file); return; }
    let tree;
    try {
      tree = parseRuby(text);
      this.index!.update(file, extractModels(tree, file));
    } catch (error) {
      this.log(`model index: skipped ${file}: ${String(error)}`);
      this.index!.remove(file);
    } finally {
      tree?.delete();
    }
  }
}
