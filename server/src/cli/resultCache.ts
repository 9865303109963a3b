// The result cache of `rails-hazards check`, kept like a build system keeps its outputs: with the report it
// stores every input the analysis read (project/inputs.ts: file contents by hash, directory listings,
// what paths are, git answers), the tool that produced it (version and a hash of its code) and the options
// that shape it. A later run with the same options re-reads those inputs and, when every one is unchanged,
// prints the stored report without parsing anything. Entries live in the user's cache directory, one file
// per set of options; a corrupt, truncated or foreign entry is ignored and replaced, never trusted.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckReport } from './format';
import { currentDigest, type Input, type InputOp } from '../project/inputs';
import { cacheDirectory, toolIdentity, CACHE_DIR_ENV } from '../project/cacheFolder';
import { gitDigest, isImmutableGitAnswer, missingObjectOf, missingObjects, runGit } from '../project/git';

export { cacheDirectory, toolIdentity, CACHE_DIR_ENV };

/** Bumped when the entry layout or what a report holds changes. */
const ENTRY_FORMAT = 1;
const HEADER = `rails-hazards-cache ${ENTRY_FORMAT}`;
/** Entries kept; the least recently used beyond this are removed when a new one is written. */
const MAX_ENTRIES = 20;

/** Everything besides the inputs that shapes a report: absolute paths, so the working directory does not matter. */
export interface CacheKey {
  paths: string[];
  config?: string;
  base?: string;
  allMigrations: boolean;
  /** The bench-only rule selection (rules/selection.ts). */
  areas?: string;
}

interface Entry { tool: string; key: CacheKey; inputs: Input[]; report: CheckReport }

/** Cheap checks first: a listing or a path that changed ends the check before any file is hashed. */
const OP_ORDER: Record<InputOp, number> = { kind: 0, dirId: 0, list: 1, head: 2, read: 2, git: 3 };

export class ResultCache {
  constructor(readonly dir: string, private readonly log: (message: string) => void) {}

  entryFile(key: CacheKey): string {
    return path.join(this.dir, 'check', `${createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32)}.json`);
  }

  /** The stored report when the entry is intact, from this tool, for these options, and no input changed. */
  load(key: CacheKey, tool: string): CheckReport | undefined {
    const file = this.entryFile(key);
    let raw: Buffer;
    try { raw = fs.readFileSync(file); } catch { this.log('cache: no entry'); return undefined; }
    const entry = parseEntry(raw);
    if (!entry) { this.log(`cache: ${file} is corrupt; ignored`); return undefined; }
    if (entry.tool !== tool) { this.log('cache: written by another build; ignored'); return undefined; }
    if (JSON.stringify(entry.key) !== JSON.stringify(key)) { this.log('cache: written for other options; ignored'); return undefined; }
    const changed = firstChangedInput(entry.inputs);
    if (changed) { this.log(`cache: ${changed[0]} ${changed[1]}${changed[0] === 'git' ? ` ${changed[2]}` : ''} changed`); return undefined; }
    try { const now = new Date(); fs.utimesSync(file, now, now); } catch { /* read-only cache: still a hit */ }
    this.log(`cache: reused (${entry.inputs.length} inputs unchanged)`);
    return entry.report;
  }

  /** Writes the entry atomically (a temporary file renamed over it); a cache that cannot be written is skipped. */
  save(key: CacheKey, tool: string, inputs: Input[], report: CheckReport): void {
    const file = this.entryFile(key);
    const body = JSON.stringify({ tool, key, inputs, report } satisfies Entry);
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(temp, `${HEADER} ${sha256(body)}\n${body}`);
      fs.renameSync(temp, file);
      this.log(`cache: stored ${inputs.length} inputs in ${file}`);
    } catch (error) {
      try { fs.rmSync(temp, { force: true }); } catch { /* nothing to clean */ }
      this.log(`cache: not written (${String(error)})`);
      return;
    }
    this.prune();
  }

  private prune(): void {
    try {
      const dir = path.join(this.dir, 'check');
      const files = fs.readdirSync(dir).map((n) => {
        const full = path.join(dir, n);
        return { full, temp: n.endsWith('.tmp'), used: fs.statSync(full).mtimeMs };
      });
      // A temporary file is left only by a run killed between writing and renaming.
      for (const t of files) if (t.temp && Date.now() - t.used > 3_600_000) fs.rmSync(t.full, { force: true });
      const entries = files.filter((f) => !f.temp).sort((a, b) => b.used - a.used);
      for (const old of entries.slice(MAX_ENTRIES)) fs.rmSync(old.full, { recursive: true, force: true });
    } catch { /* pruning is best effort */ }
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The entry, or undefined when the header, the checksum, the JSON or its shape is not what this build writes. */
function parseEntry(raw: Buffer): Entry | undefined {
  const newline = raw.indexOf(10);
  if (newline < 0) return undefined;
  const header = raw.subarray(0, newline).toString('utf8');
  const body = raw.subarray(newline + 1).toString('utf8');
  if (header !== `${HEADER} ${sha256(body)}`) return undefined;
  let entry: unknown;
  try { entry = JSON.parse(body); } catch { return undefined; }
  if (!isEntry(entry)) return undefined;
  return entry;
}

function isEntry(x: unknown): x is Entry {
  const e = x as Partial<Entry> | null;
  return typeof e === 'object' && e !== null && typeof e.tool === 'string' && typeof e.key === 'object' && e.key !== null
    && Array.isArray(e.inputs) && e.inputs.every((i) => Array.isArray(i) && i.length === 4 && i.every((s) => typeof s === 'string') && i[0] in OP_ORDER)
    && typeof e.report === 'object' && e.report !== null && Array.isArray(e.report.findings) && Array.isArray(e.report.errors);
}

/** Flags of the git commands project/ reads with: an entry naming anything else was not written by us and is not run. */
const GIT_FLAGS = new Set(['--is-inside-work-tree', '--verify', '--quiet', '--end-of-options', '--short', '-r', '-z', '--name-only', '--',
  '-1', '--first-parent', '--format=%H', '--diff-filter=A', '--symbolic-full-name', '-e']);
const GIT_COMMANDS = new Set(['rev-parse', 'merge-base', 'symbolic-ref', 'cat-file', 'ls-tree', 'log']);

function isOurGitCommand(args: unknown): args is string[] {
  return Array.isArray(args) && args.every((a) => typeof a === 'string') && GIT_COMMANDS.has(args[0])
    && args.slice(1).every((a: string) => !a.startsWith('-') || GIT_FLAGS.has(a));
}

/** The first recorded input whose answer is different now, or undefined when all are the same. */
function firstChangedInput(inputs: readonly Input[]): Input | undefined {
  const ordered = [...inputs].sort((a, b) => OP_ORDER[a[0]] - OP_ORDER[b[0]]);
  /** Failed reads of `<commit>:<path>` by repository: still missing means the same answer (checked in one git run each). */
  const stillMissing = new Map<string, { input: Input; name: string }[]>();
  for (const input of ordered) {
    const [op, where, arg, digest] = input;
    if (op === 'git') {
      let args: string[];
      try { args = JSON.parse(arg); } catch { return input; }
      if (!isOurGitCommand(args)) return input;
      if (isImmutableGitAnswer(args, digest)) continue;
      const missing = missingObjectOf(args, digest);
      if (missing) {
        stillMissing.set(where, [...(stillMissing.get(where) ?? []), { input, name: missing }]);
        continue;
      }
      if (gitDigest(runGit(where, args)) !== digest) return input;
    } else if (currentDigest(op, where, arg) !== digest) return input;
  }
  for (const [where, asked] of stillMissing) {
    const missing = missingObjects(where, asked.map((a) => a.name));
    if (!missing) return asked[0].input;
    const found = missing.indexOf(false);
    if (found >= 0) return asked[found].input;
  }
  return undefined;
}
