// The autoload roots of an app's plain Ruby classes (app/* folders, their concerns, lib) for the
// callback pack's AppClassResolver, which reads a class's file only when a callback calls it.
import { summariseForIndex } from './treeShare';
import type * as fs from 'node:fs';
import * as path from 'node:path';
import { AppClassResolver, extractAppClasses } from '../callbacks/appClasses';
import type { FileSource } from './files';
import { isDirectory, readDirectory } from './inputs';

const NOT_RUBY = new Set(['views', 'assets', 'javascript', 'javascripts', 'frontend', 'webpacker', 'packs', 'stylesheets', 'images']);

export function autoloadRoots(root: string): string[] {
  const out: string[] = [];
  const app = path.join(root, 'app');
  let entries: fs.Dirent[] = [];
  try { entries = readDirectory(app); } catch { /* no app folder */ }
  for (const e of entries) {
    if (!e.isDirectory() || NOT_RUBY.has(e.name) || e.name.startsWith('.')) continue;
    out.push(path.join(app, e.name));
    if (isDirectory(path.join(app, e.name, 'concerns'))) out.push(path.join(app, e.name, 'concerns'));
  }
  if (isDirectory(path.join(root, 'lib'))) out.push(path.join(root, 'lib'));
  return out.sort();
}

export function appClassResolver(root: string, files: FileSource): AppClassResolver {
  const resolver = new AppClassResolver(() => autoloadRoots(root), (file) => (files.exists(file) ? files.read(file) : undefined),
    (file, text) => summariseForIndex('appClasses', file, text, (tree) => extractAppClasses(tree.rootNode, file)));
  resolver.hasDirectory = isDirectory;
  return resolver;
}
