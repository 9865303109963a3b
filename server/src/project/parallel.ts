// Analyses many files on worker threads. The analysis is pure and per file, so each worker owns a
// Workspace (its own parsers, app facts and rules) and the main thread only hands out batches and
// collects plain-data results. Small inputs stay on the calling thread: starting a worker and loading
// its grammars costs more than analysing a few hundred files.
import { nextFileWithIndexTree, shareIndexTrees, stopSharingTrees } from './treeShare';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SeveritySetting } from '../core/types';
import type { SummaryStoreLocation } from './summaryStore';
import { diskFiles, type FileSource } from './files';
import type { FileAnalysis, Workspace } from './workspace';

/**
 * A worker's young generation: Node 20's (three times its 16 MB semi-space). Newer V8s (Node 24) size it from the
 * machine's memory, which only raises the peak RSS (docs/performance.md, "Young generation"); unlike the main
 * thread's, a worker's can be set after node started.
 */
const WORKER_YOUNG_GENERATION_MB = 48;

/** Everything a worker needs to build the same Workspace as its caller; plain data only. */
export interface ScanOptions {
  configFile?: string;
  baseRef?: string;
  trusted?: boolean;
  /** The CLI's --all-migrations (audit mode). */
  allMigrations?: boolean;
  parseBudgetMs?: number;
  /** Per-file byte limit (the editor's railsHazards.maxFileSizeKb). */
  maxBytes?: number;
  /** Severity overrides by folder: the longest matching prefix wins (the editor's railsHazards.rules). */
  overrides?: { folder: string; rules: Record<string, SeveritySetting>; maxBytes?: number }[];
  /** Unsaved editor buffers that win over disk when app facts are read. */
  overlay?: Record<string, string>;
  /** The per-file summary store the worker reads and writes (project/summaryStore.ts); none when unset. */
  summaries?: SummaryStoreLocation;
}

export interface ParallelOptions extends ScanOptions {
  /** Number of workers; 0 analyses on the calling thread. Default: see workerCountFor. */
  workers?: number;
  purpose?: 'throughput' | 'background';
  /** A file whose analysis runs longer than this is reported and skipped (its worker is replaced). */
  fileBudgetMs?: number;
  log?: (message: string) => void;
  /** Called as results arrive (in completion order). */
  onResult?: (file: string, result: FileAnalysis, index: number) => void;
  isCancelled?: () => boolean;
  /** Builds the single-threaded Workspace (inline path); the caller's own by default. */
  inline?: () => Workspace;
  /** Inline path: keep up to this many characters of the trees the app indexes parse, for the files' own analysis. */
  shareIndexTreesChars?: number;
}

/** Below this many files the work stays on the calling thread. */
export const PARALLEL_THRESHOLD = 300;
const BATCH = 24;
export const DEFAULT_FILE_BUDGET_MS = 120_000;

/** How many workers to use for `fileCount` files: `throughput` for the CLI, `background` for the server's scan. */
export function workerCountFor(fileCount: number, purpose: 'throughput' | 'background' = 'throughput'): number {
  const env = process.env.RAILS_HAZARDS_WORKERS;
  if (env !== undefined && env !== '' && Number.isFinite(Number(env))) return Math.max(0, Math.floor(Number(env)));
  if (fileCount < PARALLEL_THRESHOLD) return 0;
  // Background (the server's scan): one worker keeps the main thread free for the open files; more
  // would not finish sooner (see below) and each holds its own copy of the indexes.
  if (purpose === 'background') return 1;
  // Throughput (the CLI): measured in docs/performance.md, two workers give the same wall time as one
  // thread on an idle 2-core machine while costing 1.4-1.5x the CPU and 1.3-1.7x the memory, because
  // each worker builds the app-wide model and controller indexes again. So the CLI stays on one thread
  // unless RAILS_HAZARDS_WORKERS asks for workers; revisit when the indexes can be shared.
  return 0;
}

type FolderOverrides = NonNullable<ScanOptions['overrides']>[number];

function folderOf(file: string, overrides: ScanOptions['overrides']): FolderOverrides | undefined {
  let best: FolderOverrides | undefined;
  for (const o of overrides ?? []) {
    if ((file === o.folder || file.startsWith(o.folder + path.sep)) && (!best || o.folder.length > best.folder.length)) best = o;
  }
  return best;
}

/** The longest folder prefix's severity overrides for `file`. */
export function overridesFor(file: string, overrides: ScanOptions['overrides']): Record<string, SeveritySetting> | undefined {
  return folderOf(file, overrides)?.rules;
}

/** The byte limit for `file`: its folder's, else the scan's. */
export function maxBytesFor(file: string, options: ScanOptions): number | undefined {
  return folderOf(file, options.overrides)?.maxBytes ?? options.maxBytes;
}

export function overlaySource(overlay: Record<string, string> | undefined): FileSource {
  if (!overlay || Object.keys(overlay).length === 0) return diskFiles;
  return {
    read: (file) => overlay[file] ?? diskFiles.read(file),
    exists: (file) => file in overlay || diskFiles.exists(file),
  };
}

/** The script a worker runs: the compiled scanWorker.js next to this module, or the bundle itself. */
function workerEntry(): string {
  const compiled = path.join(__dirname, 'scanWorker.js');
  return path.basename(__filename) === 'parallel.js' ? compiled : __filename;
}

type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; index: number; result: FileAnalysis }
  | { type: 'log'; message: string }
  | { type: 'failed'; message: string };

/**
 * Analyses `files` and returns their results in input order. With workers, results of files whose
 * analysis crashed a worker or ran over the budget become notices; nothing throws for one bad file.
 */
export async function analyzeFiles(files: readonly string[], options: ParallelOptions): Promise<(FileAnalysis | undefined)[]> {
  const results: (FileAnalysis | undefined)[] = new Array(files.length);
  const workers = options.workers ?? workerCountFor(files.length, options.purpose);
  const log = options.log ?? (() => undefined);
  if (workers === 0 || files.length === 0) {
    if (!options.inline) throw new Error('analyzeFiles: the single-threaded path needs options.inline');
    const ws = options.inline();
    let slice = performance.now();
    const order = new AnalysisOrder(files);
    if (options.shareIndexTreesChars) shareIndexTrees(options.shareIndexTreesChars);
    try {
      for (let i = order.next(); i !== undefined; i = order.next()) {
        if (options.isCancelled?.()) break;
        results[i] = ws.analyzeFile(files[i], maxBytesFor(files[i], options));
        options.onResult?.(files[i], results[i]!, i);
        // Yield to the event loop every ~10 ms, so a server answers requests between files.
        if (performance.now() - slice > 10) {
          await new Promise((resolve) => setImmediate(resolve));
          slice = performance.now();
        }
      }
    } finally {
      stopSharingTrees();
    }
    return results;
  }
  return runPool(files, results, Math.min(workers, Math.ceil(files.length / BATCH)), options, log);
}

/** Input order, except that a file whose tree an index has just parsed goes first (its tree is waiting). */
class AnalysisOrder {
  private readonly position: Map<string, number>;
  private readonly done: Uint8Array;
  private sequential = 0;

  constructor(private readonly files: readonly string[]) {
    this.position = new Map(files.map((f, i) => [f, i]));
    this.done = new Uint8Array(files.length);
  }

  next(): number | undefined {
    const waiting = nextFileWithIndexTree((f) => {
      const i = this.position.get(f);
      return i !== undefined && !this.done[i];
    });
    let i = waiting !== undefined ? this.position.get(waiting)! : undefined;
    if (i === undefined) {
      while (this.sequential < this.files.length && this.done[this.sequential]) this.sequential++;
      if (this.sequential === this.files.length) return undefined;
      i = this.sequential;
    }
    this.done[i] = 1;
    return i;
  }
}

function runPool(files: readonly string[], results: (FileAnalysis | undefined)[], size: number, options: ParallelOptions,
  log: (m: string) => void): Promise<(FileAnalysis | undefined)[]> {
  const budget = options.fileBudgetMs ?? DEFAULT_FILE_BUDGET_MS;
  const scan: ScanOptions = {
    configFile: options.configFile, baseRef: options.baseRef, trusted: options.trusted, parseBudgetMs: options.parseBudgetMs,
    maxBytes: options.maxBytes, overrides: options.overrides, overlay: options.overlay, summaries: options.summaries,
  };
  let next = 0;
  let remaining = files.length;
  const live = new Set<Slot>();
  interface Slot { worker: Worker; batch: number[]; lastProgress: number; dead: boolean; ready: boolean }

  return new Promise((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(watchdog);
      for (const slot of live) { slot.dead = true; void slot.worker.terminate(); }
      live.clear();
      resolve(results);
    };
    const record = (index: number, result: FileAnalysis) => {
      if (results[index] !== undefined) return;
      results[index] = result;
      remaining--;
      options.onResult?.(files[index], result, index);
      if (remaining === 0) finish();
    };
    const dispatch = (slot: Slot) => {
      if (options.isCancelled?.()) { finish(); return; }
      if (next >= files.length) {
        if (slot.batch.length === 0) { slot.dead = true; live.delete(slot); void slot.worker.terminate(); }
        return;
      }
      const batch: number[] = [];
      while (batch.length < BATCH && next < files.length) batch.push(next++);
      slot.batch = batch;
      slot.lastProgress = Date.now();
      slot.worker.postMessage({ type: 'analyze', files: batch.map((i) => ({ index: i, file: files[i] })) });
    };
    /** A worker died or hung: the file it was on is reported, the rest of its batch goes to a new worker. */
    const replace = (slot: Slot, reason: string) => {
      if (slot.dead) return;
      slot.dead = true;
      live.delete(slot);
      void slot.worker.terminate();
      const [culprit, ...rest] = slot.batch.filter((i) => results[i] === undefined);
      if (culprit !== undefined) {
        log(`skipped ${files[culprit]}: ${reason}`);
        record(culprit, { kind: undefined, findings: [], notices: [{ file: files[culprit], message: `skipped: ${reason}` }] });
      }
      if (finished) return;
      requeue.push(...rest);
      if (!slot.ready && ++startupFailures >= 2) { inlineRest(reason); return; }
      spawn();
    };
    /** Workers cannot start here (no entry script, no threads): the rest runs on this thread. */
    const inlineRest = (reason: string) => {
      log(`analysis workers unavailable (${reason}); continuing on the main thread`);
      if (!options.inline) {
        for (let i = 0; i < files.length; i++) if (results[i] === undefined) record(i, { kind: undefined, findings: [], notices: [{ file: files[i], message: `skipped: ${reason}` }] });
        return;
      }
      const ws = options.inline();
      for (let i = 0; i < files.length && !finished; i++) if (results[i] === undefined) record(i, ws.analyzeFile(files[i], maxBytesFor(files[i], options)));
      finish();
    };
    let startupFailures = 0;
    const requeue: number[] = [];
    const spawn = () => {
      const worker = new Worker(workerEntry(), { workerData: { railsHazardsScanWorker: true, options: scan }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
      const slot: Slot = { worker, batch: [], lastProgress: Date.now(), dead: false, ready: false };
      live.add(slot);
      worker.on('message', (msg: FromWorker) => {
        if (slot.dead) return;
        slot.lastProgress = Date.now();
        if (msg.type === 'ready') {
          slot.ready = true;
          if (requeue.length) {
            slot.batch = requeue.splice(0, BATCH);
            worker.postMessage({ type: 'analyze', files: slot.batch.map((i) => ({ index: i, file: files[i] })) });
          } else dispatch(slot);
        } else if (msg.type === 'log') log(msg.message);
        else if (msg.type === 'failed') replace(slot, msg.message);
        else if (msg.type === 'result') {
          record(msg.index, msg.result);
          slot.batch = slot.batch.filter((i) => i !== msg.index);
          if (slot.batch.length === 0 && !finished) {
            if (requeue.length) {
              slot.batch = requeue.splice(0, BATCH);
              worker.postMessage({ type: 'analyze', files: slot.batch.map((i) => ({ index: i, file: files[i] })) });
            } else dispatch(slot);
          }
        }
      });
      worker.on('error', (error) => replace(slot, `the analysis crashed (${error instanceof Error ? error.message : String(error)})`));
      worker.on('exit', (code) => { if (!slot.dead && !finished) replace(slot, `the analysis worker exited with code ${code}`); });
    };
    const watchdog = setInterval(() => {
      if (options.isCancelled?.()) { finish(); return; }
      const now = Date.now();
      for (const slot of [...live]) {
        if (slot.batch.length > 0 && now - slot.lastProgress > budget) {
          replace(slot, `analysis took longer than the per-file budget of ${Math.round(budget / 1000)} s`);
        }
      }
    }, Math.min(1000, Math.max(50, budget / 4)));
    watchdog.unref?.();
    for (let i = 0; i < size; i++) spawn();
  });
}
