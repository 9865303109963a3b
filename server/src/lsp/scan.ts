// The server's workspace scan: lists the analysable files of the workspace folders without blocking
// (open documents were already analysed on open and are skipped), analyses them on worker threads
// when there are many, publishes their diagnostics as results arrive, and can be cancelled or
// restarted at any time. Also re-analyses just the files a change affects (see `dependentsOf`).
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver';
import type { SeveritySetting } from '../core/types';
import { FACT_FILES } from '../project/appProject';
import { isProcessThreadsFile } from '../project/processThreads';
import { analyzeFiles } from '../project/parallel';
import { summaryStoreLocation } from '../project/summaryStore';
import { readSourceFile } from '../project/files';
import type { FileAnalysis, Workspace } from '../project/workspace';

export interface ScanHost {
  workspace(): Workspace;
  /** Workspace folder paths. */
  folders(): string[];
  isOpen(file: string): boolean;
  /** Publishes a closed file's diagnostics (the host tracks which files it pushed to). */
  publish(file: string, result: FileAnalysis): void;
  maxBytes(file: string): number;
  rulesFor(folder: string): Record<string, SeveritySetting> | undefined;
  /** Texts of open documents (unsaved buffers win over disk when app facts are read). */
  overlay(): Record<string, string>;
  trusted(): boolean;
  log(message: string): void;
  /** Progress: called with done/total; return true when the user cancelled. */
  progress(done: number, total: number): boolean;
  state(state: { scanning: boolean; scanned: number; total: number; skipped: number }): void;
}

export class WorkspaceScanner {
  private generation = 0;
  scanning = false;
  skipped = 0;
  /** The last listing per folder, for finding the files a change affects. */
  private readonly listed = new Map<string, string[]>();

  constructor(private readonly host: ScanHost) {}

  cancel(): void { this.generation++; }

  /** Scans `roots` (default: every workspace folder); a newer scan cancels an older one. */
  async scan(roots?: string[]): Promise<void> {
    const generation = ++this.generation;
    const cancelled = () => generation !== this.generation;
    this.scanning = true;
    this.skipped = 0;
    this.host.state({ scanning: true, scanned: 0, total: 0, skipped: 0 });
    const targets = roots ?? this.host.folders();
    const files: string[] = [];
    for (const root of targets) {
      const listed = await this.host.workspace().listAnalyzableFilesAsync(root, cancelled);
      if (cancelled()) return;
      if (this.host.folders().includes(root)) this.listed.set(root, listed);
      files.push(...listed);
    }
    const done = await this.analyze(files, cancelled);
    if (cancelled()) return;
    this.scanning = false;
    this.host.state({ scanning: false, scanned: done, total: files.length, skipped: this.skipped });
    this.host.log(`scan finished: ${done} of ${files.length} files, ${this.skipped} skipped`);
  }

  /** Re-analyses the given closed files in the background (not cancelled by a new scan). */
  async reanalyze(files: string[]): Promise<void> {
    await this.analyze(files.filter((f) => !this.host.isOpen(f)), () => false);
  }

  private async analyze(all: string[], cancelled: () => boolean): Promise<number> {
    const files = all.filter((f) => !this.host.isOpen(f));
    let done = 0;
    const workspace = this.host.workspace();
    const folders = this.host.folders();
    await analyzeFiles(files, {
      trusted: this.host.trusted(),
      purpose: 'background',
      overrides: folders.map((folder) => ({ folder, rules: this.host.rulesFor(folder) ?? {}, maxBytes: this.host.maxBytes(folder) })),
      overlay: this.host.overlay(),
      summaries: summaryStoreLocation(),
      log: (m) => this.host.log(m),
      inline: () => workspace,
      isCancelled: () => cancelled(),
      onResult: (file, result) => {
        if (cancelled()) return;
        done++;
        if (result.notices.some((n) => n.message.startsWith('skipped'))) this.skipped++;
        if (!this.host.isOpen(file)) this.host.publish(file, result);
        if (done % 25 === 0 && this.host.progress(done, files.length)) this.cancel();
      },
    });
    return done;
  }

  /**
   * The closed files a change to `file` may affect, beyond `file` itself:
   * - a fact file (database.yml, schema.rb, .rails-hazards.yml, …): every file of its app;
   * - Gemfile.lock: the Gemfile (gem facts are read by the lockfile and Gemfile rules), or the whole
   *   app when the Rails version changed (migration rules read it);
   * - Puma, Sidekiq, Solid Queue config and Procfiles: config/database.yml (its pool is judged against their threads);
   * - a model: the files of its app that mention one of its class or association names.
   * Returns undefined when the whole app must be rescanned.
   */
  async dependentsOf(file: string, before: { rails?: string; names: string[] }, after: { rails?: string; names: string[] }): Promise<string[] | undefined> {
    const app = this.host.workspace().appFor(file);
    const rel = path.relative(app.root, file).replace(/\\/g, '/');
    if (rel === 'Gemfile.lock' || rel === 'gems.locked') {
      if (before.rails !== after.rails) return undefined;
      return [path.join(app.root, rel === 'gems.locked' ? 'gems.rb' : 'Gemfile')];
    }
    // The threads of Puma, Sidekiq, GoodJob and Solid Queue are judged against database.yml's pool.
    if (isProcessThreadsFile(rel) && !FACT_FILES.includes(rel)) return [path.join(app.root, 'config/database.yml')];
    if (FACT_FILES.includes(rel)) return undefined;
    const names = [...new Set([...before.names, ...after.names])].filter((n) => n.length > 2);
    if (names.length === 0) return [];
    const pattern = new RegExp(`\\b(${names.map(escape).join('|')})\\b`);
    const candidates = this.filesOfApp(app.root).filter((f) => f !== file);
    const out: string[] = [];
    for (let i = 0; i < candidates.length; i++) {
      const text = readSourceFile(candidates[i]).text;
      if (text !== undefined && pattern.test(text)) out.push(candidates[i]);
      if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
    }
    return out;
  }

  /** Files of the last listing that belong to the app at `root`. */
  filesOfApp(root: string): string[] {
    const out: string[] = [];
    for (const files of this.listed.values()) {
      for (const f of files) if (f.startsWith(root + path.sep) && this.host.workspace().appFor(f).root === root) out.push(f);
    }
    return out;
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export type { Diagnostic };
