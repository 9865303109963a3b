// Finds `app/<kind>` folders of an app and of the engines, packs and components inside it, and the
// files under them. Shared by the model and controller/view indexes.
import type * as fs from 'node:fs';
import * as path from 'node:path';
import { directoryId, readDirectory } from './inputs';

const SKIP = new Set(['node_modules', '.git', 'tmp', 'log', 'vendor', 'public', 'storage', 'coverage', 'spec', 'test', 'db', 'config', 'assets', 'javascript']);

/** Folders named one of `names` whose parent is `app`, down to `maxDepth` levels (symlink loops skipped). */
export function appFolders(root: string, names: readonly string[], maxDepth = 5): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (dir: string, depth: number): void => {
    let id: string;
    try { id = directoryId(dir); } catch { return; }
    if (seen.has(id)) return;
    seen.add(id);
    let entries: fs.Dirent[];
    try { entries = readDirectory(dir); } catch { return; }
    const inApp = path.basename(dir) === 'app';
    for (const e of entries) {
      if (!e.isDirectory() || SKIP.has(e.name) || e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (inApp && names.includes(e.name)) out.push(full);
      else if (depth < maxDepth && !(inApp && ['models', 'controllers', 'views'].includes(e.name))) walk(full, depth + 1);
    }
  };
  walk(root, 0);
  return out.sort();
}

export function filesUnder(dir: string, accept: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try { entries = readDirectory(d); } catch { return; }
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (accept(e.name)) out.push(full);
    }
  };
  walk(dir);
  return out;
}
