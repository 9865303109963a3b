// Reads the app's migration helpers (lib/**/*.rb, config/initializers/*.rb) into an AppHelperIndex,
// lazily on first use and again per file after it changes (issue 11 item 3).
import * as path from 'node:path';
import { buildHelperIndex, summariseHelperFile, type AppHelperIndex, type AppHelperProvider, type FileHelperSummary } from '../migrations/appHelpers';
import { parseRuby } from '../parsing/treeSitter';
import type { FileSource } from './files';
import { filesUnder } from './appFolders';

/** Files larger than this are not helper modules worth parsing. */
const MAX_BYTES = 400_000;

/** Folders whose modules migrations include: lib/, initializers, app concerns/helpers/lib, and helper folders under db/. */
const HELPER_DIRS = ['lib', 'config/initializers', 'app/models/concerns', 'app/helpers', 'app/lib', 'db'];

export function isHelperSourceFile(root: string, file: string): boolean {
  const rel = path.relative(root, file).replace(/\\/g, '/');
  if (!rel.endsWith('.rb')) return false;
  if (rel.startsWith('db/')) return !/(^|\/)(migrate|post_migrate|schema|seeds?|structure)(\/|\.rb$|$)/.test(rel.slice(3)) || /helper/i.test(rel);
  return HELPER_DIRS.some((d) => rel.startsWith(`${d}/`));
}

export class AppHelperLoader implements AppHelperProvider {
  private summaries: Map<string, FileHelperSummary> | undefined;
  private index: AppHelperIndex | undefined;
  private readonly dirty = new Set<string>();

  constructor(private readonly root: string, private readonly files: FileSource, private readonly log: (m: string) => void) {}

  get(): AppHelperIndex {
    if (!this.summaries) {
      this.summaries = new Map();
      const rb = (name: string) => name.endsWith('.rb');
      const files = new Set(HELPER_DIRS.filter((d) => d !== 'db').flatMap((d) => filesUnder(path.join(this.root, d), rb)));
      // db/: only the helper folders and files next to the migrations, never the migrations themselves.
      for (const f of filesUnder(path.join(this.root, 'db'), rb)) if (isHelperSourceFile(this.root, f)) files.add(f);
      for (const file of files) this.load(file);
      this.dirty.clear();
      this.index = undefined;
    }
    if (this.dirty.size) {
      for (const file of this.dirty) this.load(file);
      this.dirty.clear();
      this.index = undefined;
    }
    this.index ??= buildHelperIndex(this.summaries.values());
    return this.index;
  }

  changed(file: string): void {
    if (this.summaries && isHelperSourceFile(this.root, file)) this.dirty.add(file);
  }

  private load(file: string): void {
    this.summaries!.delete(file);
    const text = this.files.read(file);
    // Only files that define methods or include modules can contribute.
    if (text === undefined || text.length > MAX_BYTES || !/\b(def|include|prepend)\b/.test(text)) return;
    let tree;
    try {
      tree = parseRuby(text);
      this.summaries!.set(file, summariseHelperFile(tree, file));
    } catch (error) {
      this.log(`migration helpers: skipped ${file}: ${String(error)}`);
    } finally {
      tree?.delete();
    }
  }
}
