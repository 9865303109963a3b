// Finds the controller and view folders of an app (its own, engines', packs') and keeps the
// ControllerIndex current one file at a time, like modelFiles.ts does for models.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ControllerIndex, extractControllers, extractView } from '../queries/controllerIndex';
import { erbToRuby, parseRuby } from '../parsing/treeSitter';
import type { FileSource } from './files';

const SKIP = new Set(['node_modules', '.git', 'tmp', 'log', 'vendor', 'public', 'storage', 'coverage', 'spec', 'test', 'db', 'config', 'models', 'assets', 'javascript']);

/** `app/controllers` and `app/views` folders under the root (engines and packs included). */
export function controllerAndViewDirectories(root: string, maxDepth = 5): string[] {
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
      if ((e.name === 'controllers' || e.name === 'views') && path.basename(dir) === 'app') out.push(full);
      else if (depth < maxDepth) walk(full, depth + 1);
    }
  };
  walk(root, 0);
  return out.sort();
}

function filesUnder(dir: string, accept: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (accept(e.name)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

const isController = (file: string): boolean => /(^|[\\/])app[\\/]controllers[\\/].*\.rb$/.test(file);
const isView = (file: string): boolean => /(^|[\\/])app[\\/]views[\\/].*\.erb$/.test(file);

export class ControllerIndexLoader {
  private index: ControllerIndex | undefined;
  private readonly dirty = new Set<string>();

  constructor(private readonly root: string, private readonly files: FileSource, private readonly log: (m: string) => void) {}

  get(): ControllerIndex {
    if (!this.index) {
      this.index = new ControllerIndex();
      for (const dir of controllerAndViewDirectories(this.root)) {
        for (const file of filesUnder(dir, (n) => n.endsWith('.rb') || n.endsWith('.erb'))) this.load(file);
      }
      this.dirty.clear();
    }
    for (const file of this.dirty) this.load(file);
    this.dirty.clear();
    return this.index;
  }

  changed(file: string): void {
    if (this.index && (isController(file) || isView(file))) this.dirty.add(file);
  }

  private load(file: string): void {
    const text = this.files.read(file);
    if (text === undefined) { this.index!.remove(file); return; }
    const view = isView(file);
    if (!view && !isController(file)) return;
    let tree;
    try {
      tree = parseRuby(view ? erbToRuby(text) : text);
      if (view) this.index!.updateView(file, extractView(tree, file));
      else this.index!.updateController(file, extractControllers(tree, file));
    } catch (error) {
      this.log(`controller index: skipped ${file}: ${String(error)}`);
      this.index!.remove(file);
    } finally {
      tree?.delete();
    }
  }
}
