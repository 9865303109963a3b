// Finds the model folders of an app (app/models, and those of engines, packs and components inside it)
// and keeps the ModelIndex current one file at a time.
import { summariseForIndex } from './treeShare';
import * as path from 'node:path';
import { extractModels, modelExtractorCount, ModelIndex } from '../models/modelIndex';
import type { Tree } from '../parsing/treeSitter';
import type { FileSource } from './files';
import { pathKind } from './inputs';
import { appFolders, filesUnder } from './appFolders';

export function modelDirectories(root: string, maxDepth = 5): string[] {
  return appFolders(root, ['models'], maxDepth);
}

export function isModelFile(file: string): boolean {
  return /(^|[\\/])app[\\/]models[\\/].*\.rb$/.test(file);
}

/** Folders outside app/models where apps reopen models (`Spree::Order.class_eval do`, `Order.prepend(Decorator)`). */
const DECORATOR_FOLDERS = ['lib', 'app/decorators', 'app/overrides'];

export function isDecoratorFile(file: string): boolean {
  return /(^|[\\/])(lib|app[\\/]decorators|app[\\/]overrides)[\\/].*\.rb$/.test(file);
}

/** Text that may reopen a class from outside its body; other files of the decorator folders are not parsed. */
export function mayReopenModels(text: string): boolean {
  return /\b(class_eval|class_exec|module_eval)\b|\.(prepend|include)[\s(]+(::)?[A-Z]|\bsend\(?\s*:(include|prepend)\b|def self\.(included|prepended)\b/.test(text);
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
      for (const folder of DECORATOR_FOLDERS) {
        const dir = path.join(this.root, folder);
        if (pathKind(dir) !== '-') for (const file of filesUnder(dir, (name) => name.endsWith('.rb'))) this.load(file);
      }
      this.dirty.clear();
    }
    for (const file of this.dirty) this.load(file);
    this.dirty.clear();
    return this.index;
  }

  /** Re-extracts an edited model from the tree the editor already has, instead of parsing it again. */
  updateFromTree(file: string, tree: Tree): void {
    if (!this.index || !(isModelFile(file) || isDecoratorFile(file))) return;
    if (!isModelFile(file) && !mayReopenModels(tree.rootNode.text)) this.index.remove(file);
    else this.index.update(file, extractModels(tree, file));
    this.dirty.delete(file);
  }

  changed(file: string): void {
    if (this.index && (isModelFile(file) || isDecoratorFile(file))) this.dirty.add(file);
  }

  private load(file: string): void {
    const text = this.files.read(file);
    if (text === undefined || (!isModelFile(file) && !mayReopenModels(text))) { this.index!.remove(file); return; }
    try {
      this.index!.update(file, summariseForIndex(`models/${modelExtractorCount()}`, file, text, (tree) => extractModels(tree, file)));
    } catch (error) {
      this.log(`model index: skipped ${file}: ${String(error)}`);
      this.index!.remove(file);
    }
  }
}
