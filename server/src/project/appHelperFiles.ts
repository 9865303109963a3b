// Reads the app's migration helpers (lib/**/*.rb, config/initializers/*.rb) into an AppHelperIndex,
// lazily on first use and again per file after it changes (issue 11 item 3).
import { summariseForIndex } from './treeShare';
import * as path from 'node:path';
import { buildHelperIndex, GLOBAL_TEXT, hasGlobalHelpers, summariseHelperFile, type AppHelperIndex, type AppHelperProvider, type FileHelperSummary } from '../migrations/appHelpers';
import type { FileSource } from './files';
import { filesUnder } from './appFolders';
import { FileSummaries } from './fileSummaries';

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
  private readonly helpers: FileSummaries<FileHelperSummary, AppHelperIndex>;
  /** The same summaries, of the files that can change every migration only (most apps: none or a few). */
  private readonly globals: FileSummaries<FileHelperSummary, AppHelperIndex>;

  constructor(private readonly root: string, private readonly files: FileSource, private readonly log: (m: string) => void) {
    this.helpers = new FileSummaries(() => this.helperFiles(), (file) => this.summarise(file), buildHelperIndex);
    this.globals = new FileSummaries(() => this.helperFiles(), (file) => {
      if (!GLOBAL_TEXT.test(this.files.read(file) ?? '')) return undefined;
      const summary = this.summarise(file);
      return summary && hasGlobalHelpers(summary) ? summary : undefined;
    }, buildHelperIndex);
  }

  get(): AppHelperIndex {
    return this.helpers.get();
  }

  globalIndex(): AppHelperIndex {
    return this.globals.get();
  }

  changed(file: string): void {
    if (!isHelperSourceFile(this.root, file)) return;
    this.helpers.changed(file);
    this.globals.changed(file);
  }

  private helperFiles(): Set<string> {
    const rb = (name: string) => name.endsWith('.rb');
    const files = new Set(HELPER_DIRS.filter((d) => d !== 'db').flatMap((d) => filesUnder(path.join(this.root, d), rb)));
    // db/: only the helper folders and files next to the migrations, never the migrations themselves.
    for (const f of filesUnder(path.join(this.root, 'db'), rb)) if (isHelperSourceFile(this.root, f)) files.add(f);
    return files;
  }

  private summarise(file: string): FileHelperSummary | undefined {
    const text = this.files.read(file);
    // Only files that define methods or include modules can contribute.
    if (text === undefined || text.length > MAX_BYTES || !/\b(def|include|prepend)\b/.test(text)) return undefined;
    try {
      return summariseForIndex('migrationHelpers', file, text, (tree) => summariseHelperFile(tree, file));
    } catch (error) {
      this.log(`migration helpers: skipped ${file}: ${String(error)}`);
      return undefined;
    }
  }
}
