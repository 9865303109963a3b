// Finds the model folders of an app (app/models, and those of engines, packs and components inside it)
// and keeps the ModelIndex current one file at a time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extractModels, ModelIndex } from '../models/modelIndex';
import { parseRuby, type Tree } from '../parsing/treeSitter';
import type { FileSource } from './files';

const SKIP = new Set(['node_modules', '.git', 'tmp', 'log', 'vendor', 'public', 'storage', 'coverage', 'spec', 'test', 'db', 'config']);

export function modelDirectories(root: string, maxDepth = 5): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (dir: string, depth: number): void => {
    let real: string;
    try { real = fs.realpathSync(dir); } catch { return; }
    if (seen.has(real)) return;
    seen.add(real);
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (!e.isDirectory() || SKIP.has(e.name) || e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.name === 'models' && path.basename(dir) === 'app') out.push(full);
      else if (depth < maxDepth && e.name !== 'models') walk(full, depth + 1);
    }
  };
  walk(root, 0);
  return out.sort();
}

function rubyFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.rb')) out.push(full);
    }
  };
  walk(dir);
  return out;
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
      for (const dir of modelDirectories(this.root)) for (const file of rubyFilesUnder(dir)) this.load(file);
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
