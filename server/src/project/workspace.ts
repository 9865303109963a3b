// The analysis service shared by the CLI and the language server: finds the app a file belongs to,
// classifies it, parses it once, runs the rules and frees trees it does not hand back.
import { takeIndexTree } from './treeShare';
import type * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, type AnalysisResult } from '../core/engine';
import { fileKindOf, hasRubyTree } from '../core/fileKind';
import type { FileKind, Rule } from '../core/rule';
import type { FileNotice, SeveritySetting } from '../core/types';
import { CONFIG_FILE_NAME, globToRegExp, parseConfig } from '../config/config';
import { parseRuby, ParseBudgetExceeded, type Tree } from '../parsing/treeSitter';
import { rubyOf, templateLanguage } from '../parsing/templates';
import { dropUnsureProjection } from '../parsing/projectionErrors';
import { AppProject } from './appProject';
import { dependencyConfigNotices, lockfileNotices } from './dependencies';
import { directoryId, diskFiles, readSourceFile, type FileSource } from './files';
import { isDirectory, readDirectory } from './inputs';
import { isAppRoot } from './roots';

export interface WorkspaceOptions {
  files?: FileSource;
  rules: readonly Rule[];
  log?: (message: string) => void;
  severityOverrides?: (file: string) => Record<string, SeveritySetting> | undefined;
  parseBudgetMs?: number;
  /** Use this file instead of each app's .rails-hazards.yml (the CLI's --config). */
  configFile?: string;
  /** Git revision to compare lockfiles with (the CLI's --base); git runs only when `trusted`. */
  baseRef?: string;
  trusted?: boolean;
  /** The CLI's --all-migrations: migrations that already ran are checked too. */
  allMigrations?: boolean;
}

export interface FileAnalysis extends AnalysisResult {
  kind: FileKind | undefined;
}

const SKIP_DIRS = new Set(['node_modules', '.git', 'tmp', 'log', 'vendor', 'public', 'storage', 'coverage', '.bundle', 'out', 'dist']);

/** How long the async listing runs between yields to the event loop. */
const LISTING_SLICE_MS = 8;

export class Workspace {
  private readonly apps = new Map<string, AppProject>();
  /** App root by directory: the scan asks for every file, the answer changes only with a Gemfile. */
  private readonly rootByDir = new Map<string, string>();
  /** The nearest app root at or above a directory (undefined: none), shared by its subdirectories. */
  private readonly foundRootByDir = new Map<string, string | undefined>();
  readonly files: FileSource;
  private readonly log: (message: string) => void;

  constructor(private readonly options: WorkspaceOptions) {
    this.files = options.files ?? diskFiles;
    this.log = options.log ?? (() => undefined);
  }

  get rules(): readonly Rule[] { return this.options.rules; }

  appFor(file: string): AppProject {
    const dir = path.dirname(path.resolve(file));
    let root = this.rootByDir.get(dir);
    if (root === undefined) {
      root = this.appRootAbove(dir) ?? dir;
      this.rootByDir.set(dir, root);
    }
    let app = this.apps.get(root);
    if (!app) {
      app = new AppProject(root, this.files, this.log, {
        configFile: this.options.configFile, baseRef: this.options.baseRef, trusted: this.options.trusted ?? false,
        allMigrations: this.options.allMigrations,
      });
      this.apps.set(root, app);
    }
    return app;
  }

  /** findAppRoot with a cache per directory: a directory that is no app root has its parent's answer. */
  private appRootAbove(dir: string): string | undefined {
    if (this.foundRootByDir.has(dir)) return this.foundRootByDir.get(dir);
    const parent = path.dirname(dir);
    const root = isAppRoot(dir, this.files) ? dir : parent === dir ? undefined : this.appRootAbove(parent);
    this.foundRootByDir.set(dir, root);
    return root;
  }

  knownApps(): AppProject[] { return [...this.apps.values()]; }

  kindOf(file: string): FileKind | undefined {
    const app = this.appFor(file);
    const rel = path.relative(app.root, file).replace(/\\/g, '/');
    if (app.getFacts().config.exclude.some((g) => globToRegExp(g).test(rel))) return undefined;
    return fileKindOf(rel);
  }

  fileChanged(file: string): void {
    if (/^(Gemfile|gems\.rb|application\.rb)$/.test(path.basename(file))) {
      this.rootByDir.clear();
      this.foundRootByDir.clear();
    }
    for (const app of this.apps.values()) {
      if (file === app.root || file.startsWith(app.root + path.sep)) app.fileChanged(file);
    }
  }

  /**
   * Analyses one file's text. With `tree` the caller's (possibly incrementally reparsed) tree is used
   * and kept; otherwise the file is parsed here and its tree freed before returning.
   */
  analyzeText(file: string, text: string, tree?: Tree): FileAnalysis {
    return clampToDocument(file, text, this.analyzeUnclamped(file, text, tree));
  }

  private analyzeUnclamped(file: string, text: string, tree?: Tree): FileAnalysis {
    if (path.basename(file) === CONFIG_FILE_NAME) return configFileResult(file, text);
    const kind = this.kindOf(file);
    if (!kind) return { kind, findings: [], notices: [] };
    const app = this.appFor(file);
    let ownTree: Tree | undefined;
    try {
      if (!tree && needsTree(kind)) {
        const ruby = kind === 'view' ? rubyOf(file, text) : text;
        ownTree = takeIndexTree(file, ruby) ?? parseRuby(ruby, null, this.options.parseBudgetMs);
      }
      if (tree && kind === 'model') app.modelTreeUpdated(file, tree);
      const result = analyze({ file, text, kind, tree: tree ?? ownTree }, app.getFacts(), this.options.rules, {
        severityOverrides: this.options.severityOverrides?.(file),
        log: this.log,
      });
      if (kind === 'lockfile') result.notices.push(...lockfileNotices(file, text, app.getFacts()));
      if (kind === 'view' && templateLanguage(file) === 'haml' && (tree ?? ownTree)) {
        result.findings = dropUnsureProjection(result.findings, (tree ?? ownTree)!);
      }
      return { kind, ...result };
    } catch (error) {
      if (error instanceof ParseBudgetExceeded) return { kind, findings: [], notices: [{ file, message: error.message }] };
      this.log(`analysis of ${file} failed: ${error instanceof Error ? error.stack : String(error)}`);
      return { kind, findings: [], notices: [{ file, message: `analysis failed: ${String(error)}` }] };
    } finally {
      ownTree?.delete();
    }
  }

  /**
   * Problems in the configuration of every app seen so far (its .rails-hazards.yml, or the --config
   * file), so a report shows them even when the file itself was not among the checked paths.
   */
  configNotices(): FileNotice[] {
    const out: FileNotice[] = [];
    const seen = new Set<string>();
    for (const app of this.apps.values()) {
      const file = this.options.configFile ? path.resolve(this.options.configFile) : path.join(app.root, CONFIG_FILE_NAME);
      if (seen.has(file)) continue;
      seen.add(file);
      const text = this.files.read(file);
      if (text !== undefined) out.push(...clampToDocument(file, text, configFileResult(file, text)).notices);
    }
    return out;
  }

  analyzeFile(file: string, maxBytes?: number): FileAnalysis {
    const read = readSourceFile(file, maxBytes);
    const notices: FileNotice[] = read.notice ? [{ file, message: read.notice }] : [];
    if (read.text === undefined) return { kind: this.kindOf(file), findings: [], notices };
    const result = this.analyzeText(file, read.text);
    return { ...result, notices: [...notices, ...result.notices] };
  }

  /** Files under `dir` that some rule could look at, skipping vendored and generated folders and symlink loops. */
  listAnalyzableFiles(dir: string): string[] {
    const walk = this.walker(dir);
    for (let step = walk.next(); !step.done; step = walk.next()) { /* synchronous: run to the end */ }
    return walk.out.sort();
  }

  /**
   * The same listing, yielding to the event loop before its first directory and then every few milliseconds, so a
   * server stays responsive on a monorepo: the editor's didOpen that arrives with the scan's start is analysed
   * before the walk, not 300 ms into it (measured at 17,000 files when it yielded every 50 directories). Stops
   * early (with what it has) when `isCancelled` says so.
   */
  async listAnalyzableFilesAsync(dir: string, isCancelled: () => boolean = () => false): Promise<string[]> {
    const walk = this.walker(dir);
    let yielded = -Infinity;
    for (;;) {
      if (performance.now() - yielded > LISTING_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        yielded = performance.now();
        if (isCancelled()) break;
      }
      if (walk.next().done) break;
    }
    return walk.out.sort();
  }

  /** Walks `dir` one directory per step; unreadable directories and symlink loops are logged and skipped. */
  private walker(dir: string): Generator<void, void, void> & { out: string[] } {
    const out: string[] = [];
    const seen = new Set<string>(); // directoryId of every directory walked
    const log = this.log;
    const self = this;
    function* walk(d: string): Generator<void, void, void> {
      let id: string;
      try { id = directoryId(d); } catch (error) { log(`skipped ${d}: ${String(error)}`); return; }
      if (seen.has(id)) { log(`skipped ${d}: symlink loop or directory already listed`); return; }
      seen.add(id);
      let entries: fs.Dirent[];
      try { entries = readDirectory(d); } catch (error) { log(`skipped ${d}: ${String(error)}`); return; }
      yield;
      for (const e of entries) {
        const full = path.join(d, e.name);
        if (e.isDirectory() || (e.isSymbolicLink() && isDir(full))) {
          if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) yield* walk(full);
        } else if (e.name === CONFIG_FILE_NAME || (mayBeAnalyzable(e.name) && self.kindOf(full) && interesting(full))) {
          out.push(full);
        }
      }
    }
    const gen = (function* () {
      if (isDir(dir)) yield* walk(dir); else out.push(path.resolve(dir));
    })();
    return Object.assign(gen, { out });
  }
}

function configFileResult(file: string, text: string): FileAnalysis {
  const parsed = parseConfig(text, file);
  return { kind: undefined, findings: [], notices: [...parsed.notices, ...dependencyConfigNotices(parsed.config.sections.dependencies, text, file)] };
}

/** Cheap name test before the app-root lookup: only these names can have a file kind. */
function mayBeAnalyzable(name: string): boolean {
  return name.endsWith('.rb') || name.endsWith('.erb') || name.endsWith('.haml') || name.endsWith('.jbuilder') || name.endsWith('.builder') || name.endsWith('.rake') || name === 'Gemfile' || name === 'Gemfile.lock'
    || name === 'gems.rb' || name === 'gems.locked' || name === 'database.yml';
}

type Range = { start: { line: number; character: number }; end: { line: number; character: number } };

/**
 * Keeps every range of this file's findings, notices and fix edits inside the document as an editor
 * counts lines (\n, \r\n and a lone \r). Tree-sitter and the YAML parser count only \n, so a lone \r
 * could otherwise put a range past the end of a line. A no-op for ordinary files.
 */
function clampToDocument(file: string, text: string, result: FileAnalysis): FileAnalysis {
  let lengths: number[] | undefined;
  const lineLengths = () => (lengths ??= text.split(/\r\n|\r|\n/).map((l) => l.length));
  const fits = (r: Range) => {
    const ls = lineLengths();
    const ok = (p: Range['start']) => p.line >= 0 && p.line < ls.length && p.character >= 0 && p.character <= ls[p.line];
    return ok(r.start) && ok(r.end);
  };
  const clamp = (r: Range): Range => {
    if (fits(r)) return r;
    const ls = lineLengths();
    const pos = (p: Range['start']) => {
      const line = Math.min(Math.max(0, p.line), ls.length - 1);
      return { line, character: Math.min(Math.max(0, p.character), ls[line]) };
    };
    const start = pos(r.start);
    let end = pos(r.end);
    if (end.line < start.line || (end.line === start.line && end.character < start.character)) end = start;
    return { start, end };
  };
  for (const f of result.findings) {
    f.range = clamp(f.range);
    for (const fix of f.fixes) for (const e of fix.edits) if (e.file === file && !e.createFile) e.range = clamp(e.range);
  }
  for (const n of result.notices) if (n.range) n.range = clamp(n.range);
  return result;
}

function needsTree(kind: FileKind): boolean {
  return hasRubyTree(kind);
}

/** Plain Ruby files outside the Rails folders are scanned only where rules look (lib/tasks, app/). */
function interesting(file: string): boolean {
  return !/\/(spec|test)\//.test(file);
}

const isDir = isDirectory;
