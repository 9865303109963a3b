// Per-file summaries kept on disk, keyed by what produced them: the kind of summary, the file's path, its
// exact text and the tool build. The app indexes (models, controllers and views, app classes, helpers,
// migrations, the schema) extract plain data from each file's syntax tree; with a store in use, a file
// whose text was summarised before (by an earlier check, the server's scan worker or its main thread) is
// read back instead of parsed. Entries are written atomically and carry a checksum: a damaged entry, or
// one that does not deserialise, is discarded and the summary computed again, never trusted.
//
// The language server defers its writes (`deferWrites`): an entry is serialised when it is computed and written
// after the message being handled has been answered, with asynchronous file operations that run off the main
// thread, so the first diagnostics and hovers of a session do not wait for hundreds of cache files. Until it is
// written, the entry is read from memory.
//
// Only plain data may be stored (objects, arrays, Map, Set, strings, numbers): v8's structured clone keeps
// those exactly. Reads of the store are not app inputs: they do not go through inputs.ts.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deserialize, serialize } from 'node:v8';

const MAGIC = Buffer.from('RHS1');
const CHECKSUM_BYTES = 20;
/** Another build's folder untouched for this long is removed when a store opens. */
const STALE_BUILD_MS = 24 * 60 * 60 * 1000;

export interface SummaryStoreLocation {
  /** The cache folder (cli/resultCache.ts `cacheDirectory`). */
  dir: string;
  /** The tool build (`toolIdentity`): summaries of another build are never read. */
  tool: string;
}

export interface SummaryStoreStats { hits: number; misses: number; written: number; discarded: number }

export interface SummaryStoreOptions {
  /** Remove other builds' folders untouched for a day. */
  prune?: boolean;
  /** Write entries after the current task, asynchronously (the language server's main thread). */
  deferWrites?: boolean;
}

/** Writes in flight at once when deferred (the libuv thread pool has four threads). */
const DEFERRED_WRITES_IN_FLIGHT = 4;

class DiskSummaryStore {
  readonly stats: SummaryStoreStats = { hits: 0, misses: 0, written: 0, discarded: 0 };
  private readonly folder: string;
  private writable = true;
  /** Entry folders known to exist (one mkdir per folder, not per entry). */
  private readonly folders = new Set<string>();
  /** Deferred entries not yet on disk, read from here meanwhile: entry path → its bytes (header, checksum, body). */
  private readonly pending = new Map<string, Buffer>();
  /** The deferred entries whose write has not started. */
  private readonly queued = new Map<string, Buffer>();
  private draining: Promise<void> | undefined;

  constructor(readonly location: SummaryStoreLocation, private readonly deferWrites = false) {
    const build = createHash('sha256').update(location.tool).digest('hex').slice(0, 16);
    this.folder = path.join(location.dir, 'summaries', build);
  }

  get<T>(kind: string, file: string, text: string, compute: () => T): T {
    const stored = this.peek<T>(kind, file, text);
    if (stored) return stored.value;
    const value = compute();
    this.put(kind, file, text, value);
    return value;
  }

  peek<T>(kind: string, file: string, text: string): { value: T } | undefined {
    const stored = this.read(this.entryOf(kind, file, text));
    if (stored) this.stats.hits++; else this.stats.misses++;
    return stored as { value: T } | undefined;
  }

  put(kind: string, file: string, text: string, value: unknown): void {
    this.write(this.entryOf(kind, file, text), value);
  }

  private entryOf(kind: string, file: string, text: string): string {
    const key = createHash('sha256').update(kind).update('\0').update(file).update('\0').update(text).digest('hex');
    return path.join(this.folder, key.slice(0, 2), key.slice(2));
  }

  private read(entry: string): { value: unknown } | undefined {
    const waiting = this.pending.get(entry);
    if (waiting) return { value: deserialize(waiting.subarray(MAGIC.length + CHECKSUM_BYTES)) };
    // A check on a cold store misses every entry: a failed stat is cheaper than a failed read's exception.
    if (!fs.existsSync(entry)) return undefined;
    let raw: Buffer;
    try { raw = fs.readFileSync(entry); } catch { return undefined; }
    try {
      if (raw.length < MAGIC.length + CHECKSUM_BYTES || !raw.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('header');
      const body = raw.subarray(MAGIC.length + CHECKSUM_BYTES);
      const sum = createHash('sha1').update(body).digest();
      if (!sum.equals(raw.subarray(MAGIC.length, MAGIC.length + CHECKSUM_BYTES))) throw new Error('checksum');
      return { value: deserialize(body) };
    } catch {
      this.stats.discarded++;
      try { fs.rmSync(entry, { force: true }); } catch { /* read-only cache */ }
      return undefined;
    }
  }

  private write(entry: string, value: unknown): void {
    if (!this.writable || !isPlainData(value)) return;
    let body: Buffer;
    try { body = serialize(value); } catch { return; }
    const bytes = Buffer.concat([MAGIC, createHash('sha1').update(body).digest(), body]);
    if (this.deferWrites) {
      this.pending.set(entry, bytes);
      this.queued.set(entry, bytes);
      this.scheduleDrain();
    } else {
      this.writeNow(entry, bytes);
    }
  }

  private writeNow(entry: string, bytes: Buffer): void {
    const temp = this.tempOf(entry);
    try {
      const folder = path.dirname(entry);
      if (!this.folders.has(folder)) { fs.mkdirSync(folder, { recursive: true }); this.folders.add(folder); }
      fs.writeFileSync(temp, bytes);
      fs.renameSync(temp, entry);
      this.stats.written++;
    } catch {
      this.failed(temp);
    }
  }

  /** `writeNow` with asynchronous file operations (libuv's thread pool): the deferred writes. */
  private async writeAsync(entry: string, bytes: Buffer): Promise<void> {
    const temp = this.tempOf(entry);
    try {
      const folder = path.dirname(entry);
      if (!this.folders.has(folder)) { await fs.promises.mkdir(folder, { recursive: true }); this.folders.add(folder); }
      await fs.promises.writeFile(temp, bytes);
      await fs.promises.rename(temp, entry);
      this.stats.written++;
    } catch {
      this.failed(temp);
    }
  }

  /** Writes every deferred entry, including those deferred meanwhile. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Writes what is still deferred at once (the store is being replaced). */
  flushSync(): void {
    for (const [entry, bytes] of [...this.queued]) {
      this.queued.delete(entry);
      if (this.writable) this.writeNow(entry, bytes);
      if (this.pending.get(entry) === bytes) this.pending.delete(entry);
    }
  }

  private scheduleDrain(): void {
    this.draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  private async drain(): Promise<void> {
    const writer = async (): Promise<void> => {
      for (let next = this.queued.entries().next(); !next.done; next = this.queued.entries().next()) {
        const [entry, bytes] = next.value;
        this.queued.delete(entry);
        if (this.writable) await this.writeAsync(entry, bytes);
        // A newer value for the same entry, deferred meanwhile, stays readable until it is written in turn.
        if (this.pending.get(entry) === bytes) this.pending.delete(entry);
      }
    };
    await Promise.all(Array.from({ length: DEFERRED_WRITES_IN_FLIGHT }, writer));
    this.draining = undefined;
    if (this.queued.size) this.scheduleDrain();
  }

  private tempOf(entry: string): string {
    return `${entry}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  }

  /** A cache folder that cannot be written (read-only, full) costs the summaries, not the analysis. */
  private failed(temp: string): void {
    try { fs.rmSync(temp, { force: true }); } catch { /* nothing to clean */ }
    this.writable = false;
  }

  /** Removes the folders of other builds that nothing has used for a day (a rebuild leaves its old one behind). */
  pruneOtherBuilds(now = Date.now()): void {
    const parent = path.dirname(this.folder);
    let names: string[];
    try { names = fs.readdirSync(parent); } catch { return; }
    for (const name of names) {
      const folder = path.join(parent, name);
      if (folder === this.folder) continue;
      try {
        if (now - fs.statSync(folder).mtimeMs > STALE_BUILD_MS) fs.rmSync(folder, { recursive: true, force: true });
      } catch { /* another process removed it */ }
    }
    try { fs.mkdirSync(this.folder, { recursive: true }); fs.utimesSync(this.folder, new Date(now), new Date(now)); } catch { /* read-only */ }
  }
}

const PLAIN_PROTOTYPES = new Set<unknown>([Object.prototype, Array.prototype, Map.prototype, Set.prototype, null]);

/**
 * Whether structured clone gives `value` back exactly: objects, arrays, Maps and Sets of primitives. A class
 * instance would come back as a plain object without its methods, so a summary holding one is never stored.
 */
export function isPlainData(value: unknown): boolean {
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'function' || typeof v === 'symbol') return false;
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (!PLAIN_PROTOTYPES.has(Object.getPrototypeOf(v))) return false;
    if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
    else if (v instanceof Set) for (const x of v) stack.push(x);
    else for (const k in v) stack.push((v as Record<string, unknown>)[k]);
  }
  return true;
}

let store: DiskSummaryStore | undefined;

/**
 * Turns the store on for this thread (the CLI unless --no-cache, the server and its scan worker); undefined turns
 * it off. The previous store's deferred entries are written first.
 */
export function useSummaryStore(location: SummaryStoreLocation | undefined, options: SummaryStoreOptions = {}): void {
  store?.flushSync();
  store = location ? new DiskSummaryStore(location, options.deferWrites) : undefined;
  if (store && options.prune) store.pruneOtherBuilds();
}

/** Resolves once every deferred entry of the current store is on disk (the server, before it exits). */
export function flushSummaryStore(): Promise<void> {
  return store?.flush() ?? Promise.resolve();
}

export function summaryStoreLocation(): SummaryStoreLocation | undefined {
  return store?.location;
}

export function summaryStoreStats(): SummaryStoreStats | undefined {
  return store && { ...store.stats };
}

/**
 * The summary of `file` with exactly `text`: from the store when one is in use and holds it, else `compute()`
 * (stored for next time). `kind` names the summary and its format; bump its suffix when the shape changes.
 */
export function cachedSummary<T>(kind: string, file: string, text: string, compute: () => T): T {
  return store ? store.get(kind, file, text, compute) : compute();
}

/** The stored summary of `file` with exactly `text`, without computing it on a miss. */
export function storedSummary<T>(kind: string, file: string, text: string): T | undefined {
  return store?.peek<T>(kind, file, text)?.value;
}

/** Stores a summary computed later than it was asked for (a schema read table by table, once complete). */
export function storeSummary(kind: string, file: string, text: string, value: unknown): void {
  store?.put(kind, file, text, value);
}
