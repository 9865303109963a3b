// `npm run bench`: measures Rails Hazards against the floor of a plain tree-sitter parse of the same files.
//
//   node out/bench/bench.js [--files N] [--app PATH]... [--no-synthetic] [--no-ablation]
//                           [--workers] [--per-file] [--no-lsp] [--edits 200] [--json FILE]
//
// For each app (a generated one under .bench/, plus any --app), every figure from fresh processes and as
// CPU time (user + sys of the child: robust when other processes share the cores), as a ratio to the
// floor measured in the same run:
//   - floor: `node floor.js`, node start included: read every file `check` analyses (the same listing)
//     and parse those it parses with a plain web-tree-sitter Parser (ERB/HAML through the same projection);
//     the least CPU time of three runs;
//   - cold check: `rails-hazards check APP --format json` on one thread (the CLI's default), and its peak RSS;
//   - pack ablation: the same check with no rules, then with each rule area alone (RAILS_HAZARDS_BENCH_AREAS);
//   - warm run: a second check, a fresh process reading the cache entry the cold check wrote (the cold check
//     starts from an empty cache directory; every other check runs with --no-cache);
//   - the file listing alone (in process, CPU time, best of 3);
// and optionally: the check on 2 workers (--workers), per-file analysis p50/p95/max in process (--per-file),
// and through the language server (unless --no-lsp) first diagnostics, incremental re-analysis after
// one-character edits in a model of about 2,000 lines (push and pull), the scan and the server's peak RSS.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { hasRubyTree } from '../server/src/core/fileKind';
import { initParsers } from '../server/src/parsing/treeSitter';
import { RULE_AREAS } from '../server/src/core/rule';
import { CHECK_HELP } from '../server/src/cli/usage';
import { Workspace } from '../server/src/project/workspace';
import { allRules } from '../server/src/rules';
import { BENCH_AREAS_ENV } from '../server/src/rules/selection';
import { generateApp } from './synth';

const REPO = path.resolve(__dirname, '..', '..');
const OUT_DIR = path.relative(REPO, path.resolve(__dirname, '..'));
/**
 * The language server runs as the extension ships it, from the esbuild bundle (dist/, rebuilt from this tree when
 * the LSP rows are measured); a bench compiled to another output directory runs that directory unbundled.
 */
let lspFromBundle: boolean | undefined;
function lspEnv(): NodeJS.ProcessEnv {
  if (lspFromBundle === undefined) {
    lspFromBundle = OUT_DIR === 'out' && spawnSync(process.execPath, ['build.mjs'], { cwd: REPO, stdio: 'ignore' }).status === 0;
    if (!lspFromBundle) process.stderr.write(`bench: the language server runs from ${OUT_DIR}/ (not bundled)\n`);
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (lspFromBundle) delete env.RAILS_HAZARDS_OUT; else env.RAILS_HAZARDS_OUT = OUT_DIR;
  return env;
}
const BIN = path.join(REPO, 'bin', 'rails-hazards');
const PROBE = path.join(__dirname, 'rssProbe.js');
const FLOOR = path.join(__dirname, 'floor.js');
/** The check's help mentions its cache once the CLI has one; until then the warm row says so. */
const CLI_HAS_CACHE = /\bcache\b/i.test(CHECK_HELP);

interface Args {
  files: number; apps: string[]; synthetic: boolean; edits: number; lsp: boolean; json?: string;
  ablation: boolean; workers: boolean; perFile: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { files: 3000, apps: [], synthetic: true, edits: 200, lsp: true, ablation: true, workers: false, perFile: false };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    switch (argv[i]) {
      case '--files': a.files = Number(v()); break;
      case '--app': a.apps.push(path.resolve(v())); break;
      case '--no-synthetic': a.synthetic = false; break;
      case '--edits': a.edits = Number(v()); break;
      case '--no-lsp': a.lsp = false; break;
      case '--no-ablation': a.ablation = false; break;
      case '--workers': a.workers = true; break;
      case '--per-file': a.perFile = true; break;
      case '--json': a.json = v(); break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return a;
}

interface Run { cpuMs: number; wallMs: number; rssMb: number }

export interface AppResult {
  app: string;
  files: number;
  parsedFiles: number;
  mb: number;
  /** Workspace.listAnalyzableFiles alone, in process, CPU time, best of 3. */
  listingMs: number;
  floor: Run;
  check: Run & { cpuRatio: number };
  /** Ablation: CPU ratio to the floor of the check with no rules ("none") and with each area alone. */
  ablation?: Record<string, number>;
  /** A second check with the cache filled; undefined (printed "no cache yet") while the CLI has none. */
  warm?: Run & { cpuRatio: number };
  workers?: Run & { cpuRatio: number };
  findings: number;
  findingsByRule: Record<string, number>;
  errors: number;
  perFile?: { p50: number; p95: number; max: number; maxFile: string };
  /** The same language-server measurements in a second session, with the summaries the first one stored. */
  lspStored?: AppResult['lsp'];
  lsp?: {
    firstDiagnosticsMs: number;
    incremental: { file: string; lines: number; edits: number; p50: number; p95: number; max: number };
    /** The same edits answered by a pull (textDocument/diagnostic): the analysis without the debounce. */
    incrementalPull?: { p50: number; p95: number; max: number };
    scanMs: number;
    serverPeakRssMb: number;
    /** textDocument/hover on the largest model: opened and hovered while the scan runs, then hovered again after it. */
    hover?: { file: string; lines: number; duringScanMs: number; scanStillRunning: boolean; afterScanMs: number; answered: boolean };
  };
}

const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** Runs `node -r rssProbe.js ARGS` and returns its stdout with its CPU time, wall time and peak RSS. */
function probed(args: string[], env: NodeJS.ProcessEnv): Run & { stdout: string } {
  const rssFile = path.join(os.tmpdir(), `rh-bench-rss-${process.pid}-${Date.now()}.json`);
  const t = performance.now();
  const r = spawnSync(process.execPath, ['-r', PROBE, ...args], { env: { ...env, RH_RSS_FILE: rssFile }, maxBuffer: 1 << 30, encoding: 'utf8' });
  const wallMs = performance.now() - t;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const probe = JSON.parse(fs.readFileSync(rssFile, 'utf8'));
  fs.rmSync(rssFile, { force: true });
  return { stdout: r.stdout, cpuMs: round(probe.cpuMs), wallMs: round(wallMs), rssMb: round(probe.maxRssBytes / 1048576) };
}

function runFloor(read: string[], parse: string[]): Run & { bytes: number } {
  const listFile = path.join(os.tmpdir(), `rh-bench-floor-${process.pid}.json`);
  fs.writeFileSync(listFile, JSON.stringify({ read, parse }));
  try {
    const r = probed([FLOOR, listFile], process.env);
    return { ...r, bytes: JSON.parse(r.stdout).bytes };
  } finally {
    fs.rmSync(listFile, { force: true });
  }
}

/**
 * `rails-hazards check APP` in a fresh process: one thread unless `workers`; `areas` keeps only those rule areas;
 * with `cacheDir` the result cache lives there, else the check runs with --no-cache.
 */
function runCheck(app: string, options: { workers?: number; areas?: string; cacheDir?: string } = {}): Run & { stdout: string; report: { findings: { rule: string }[]; errors: unknown[] } } {
  const env: NodeJS.ProcessEnv = { ...process.env, RAILS_HAZARDS_OUT: OUT_DIR, RAILS_HAZARDS_WORKERS: String(options.workers ?? 0) };
  if (options.areas !== undefined) env[BENCH_AREAS_ENV] = options.areas; else delete env[BENCH_AREAS_ENV];
  if (options.cacheDir !== undefined) env.RAILS_HAZARDS_CACHE_DIR = options.cacheDir;
  const r = probed([BIN, 'check', app, '--format', 'json', '--fail-on', 'never', ...(options.cacheDir === undefined && CLI_HAS_CACHE ? ['--no-cache'] : [])], env);
  return { cpuMs: r.cpuMs, wallMs: r.wallMs, rssMb: r.rssMb, stdout: r.stdout, report: JSON.parse(r.stdout) };
}

function measurePerFile(files: string[]): { p50: number; p95: number; max: number; maxFile: string } {
  const ws = new Workspace({ rules: allRules, trusted: false });
  const times: number[] = [];
  let max = 0;
  let maxFile = '';
  for (const file of files) {
    const t = performance.now();
    ws.analyzeFile(file);
    const d = performance.now() - t;
    times.push(d);
    if (d > max) { max = d; maxFile = file; }
  }
  return { p50: round(percentile(times, 50), 2), p95: round(percentile(times, 95), 2), max: round(max, 1), maxFile };
}

/** A bare-bones LSP client over stdio with Content-Length framing (like test/helpers/lspClient.ts). */
class Client {
  private buffer = Buffer.alloc(0);
  private id = 1;
  private pending = new Map<number, (v: unknown) => void>();
  private listeners: ((m: { method: string; params: any }) => void)[] = [];
  readonly proc;
  readonly started: number;
  /** `cacheDir`: the server's cache folder (its per-file summary store). */
  constructor(rssFile: string, cacheDir: string) {
    const env = { ...lspEnv(), RH_RSS_FILE: rssFile, RAILS_HAZARDS_CACHE_DIR: cacheDir };
    // From the spawn on: building the bundle (the first time) is not the server's start.
    this.started = performance.now();
    this.proc = spawn(process.execPath, ['-r', PROBE, BIN, 'lsp', '--stdio'], { env, stdio: 'pipe' });
    this.proc.stdout.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const len = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString())![1]);
        if (this.buffer.length < end + 4 + len) return;
        const msg = JSON.parse(this.buffer.subarray(end + 4, end + 4 + len).toString('utf8'));
        this.buffer = this.buffer.subarray(end + 4 + len);
        if (msg.id !== undefined && msg.method) this.send({ jsonrpc: '2.0', id: msg.id, result: msg.method === 'workspace/configuration' ? [{}] : null });
        else if (msg.id !== undefined) this.pending.get(msg.id)?.(msg.result);
        else for (const l of [...this.listeners]) l(msg);
      }
    });
    this.proc.stderr.on('data', () => undefined);
  }
  send(msg: unknown): void {
    const body = Buffer.from(JSON.stringify(msg));
    this.proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
  }
  request(method: string, params: unknown): Promise<any> {
    const id = this.id++;
    return new Promise((resolve) => { this.pending.set(id, resolve); this.send({ jsonrpc: '2.0', id, method, params }); });
  }
  notify(method: string, params: unknown): void { this.send({ jsonrpc: '2.0', method, params }); }
  waitFor(pred: (m: { method: string; params: any }) => boolean, timeoutMs = 600_000): Promise<any> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for the server')), timeoutMs);
      const l = (m: { method: string; params: any }) => {
        if (!pred(m)) return;
        clearTimeout(timer);
        this.listeners.splice(this.listeners.indexOf(l), 1);
        resolve(m.params);
      };
      this.listeners.push(l);
    });
  }
  async close(): Promise<void> {
    await this.request('shutdown', null);
    this.notify('exit', null);
    await new Promise((resolve) => this.proc.once('exit', resolve));
  }
}

type HoverMeasure = NonNullable<NonNullable<AppResult['lsp']>['hover']>;
const hoverCell = (h: HoverMeasure) => `${h.duringScanMs}${h.scanStillRunning ? '' : ' (scan had ended)'} / ${h.afterScanMs} ms (${h.lines} lines${h.answered ? '' : ', no hover text'})`;

/** Where a hover explains the most in a model: the class name (its callback chains), then its last callback macro. */
function hoverTargets(lines: string[]): { line: number; character: number }[] {
  let className: { line: number; character: number } | undefined;
  let callback: { line: number; character: number } | undefined;
  lines.forEach((text, line) => {
    const declared = /^\s*class\s+(?:\w+::)*(\w+)/.exec(text);
    if (declared && !className) className = { line, character: declared.index + declared[0].length - declared[1].length + 1 };
    const macro = /^\s*((?:after|before|around)_(?:save|commit|create|update|destroy|validation))\b/.exec(text);
    if (macro) callback = { line, character: text.indexOf(macro[1]) + 1 };
  });
  const first = className ?? { line: 0, character: 0 };
  return [first, callback ?? first];
}

async function measureLsp(root: string, migration: string, model: string, edits: number, largest: string | undefined, cacheDir: string): Promise<AppResult['lsp']> {
  const rssFile = path.join(os.tmpdir(), `rh-bench-lsp-${process.pid}-${Date.now()}.json`);
  const client = new Client(rssFile, cacheDir);
  const rootUri = pathToFileURL(root).toString();
  const migUri = pathToFileURL(migration).toString();
  const scanDone = client.waitFor((m) => m.method === 'railsHazards/status' && m.params.scanning === false && m.params.total > 0);
  const firstDiag = client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === migUri);
  await client.request('initialize', {
    processId: process.pid, rootUri, capabilities: { window: { workDoneProgress: false } },
    workspaceFolders: [{ uri: rootUri, name: path.basename(root) }],
  });
  client.notify('initialized', {});
  client.notify('textDocument/didOpen', { textDocument: { uri: migUri, languageId: 'ruby', version: 1, text: fs.readFileSync(migration, 'utf8') } });
  await firstDiag;
  const firstDiagnosticsMs = performance.now() - client.started;
  const scanStarted = performance.now();
  let scanning = true;
  void scanDone.then(() => { scanning = false; }, () => undefined);
  let hover: NonNullable<AppResult['lsp']>['hover'];
  let hoverUri = '';
  let targets: { line: number; character: number }[] = [];
  if (largest) {
    const text = fs.readFileSync(largest, 'utf8');
    hoverUri = pathToFileURL(largest).toString();
    targets = hoverTargets(text.split('\n'));
    client.notify('textDocument/didOpen', { textDocument: { uri: hoverUri, languageId: 'ruby', version: 1, text } });
    const t = performance.now();
    const answer = await client.request('textDocument/hover', { textDocument: { uri: hoverUri }, position: targets[0] });
    hover = { file: largest, lines: text.split('\n').length, duringScanMs: round(performance.now() - t), scanStillRunning: scanning, afterScanMs: NaN, answered: !!answer };
  }
  await scanDone.catch(() => undefined);
  const scanMs = performance.now() - scanStarted;
  if (hover) {
    const t = performance.now();
    const answer = await client.request('textDocument/hover', { textDocument: { uri: hoverUri }, position: targets[1] });
    hover.afterScanMs = round(performance.now() - t);
    hover.answered &&= !!answer;
  }

  // Incremental: one-character edits at varied places of the model, alternately typed and deleted.
  const uri = pathToFileURL(model).toString();
  const lines = fs.readFileSync(model, 'utf8').split('\n');
  const opened = client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === 1);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ruby', version: 1, text: lines.join('\n') } });
  await opened;
  const times: number[] = [];
  let version = 1;
  for (let i = 0; i < edits; i++) {
    const line = Math.floor(((i >> 1) * 7919) % Math.max(1, lines.length - 1));
    const character = lines[line].length;
    const insert = i % 2 === 0;
    version++;
    const range = insert ? { start: { line, character }, end: { line, character } } : { start: { line: lastLine, character }, end: { line: lastLine, character: character + 1 } };
    const v = version;
    const published = client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === v);
    const t = performance.now();
    client.notify('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ range, text: insert ? 'x' : '' }] });
    await published;
    times.push(performance.now() - t);
    lastLine = line;
  }
  await client.close();
  const serverPeakRssMb = fs.existsSync(rssFile) ? JSON.parse(fs.readFileSync(rssFile, 'utf8')).maxRssBytes / 1048576 : NaN;
  fs.rmSync(rssFile, { force: true });
  return {
    firstDiagnosticsMs: round(firstDiagnosticsMs), scanMs: round(scanMs),
    incremental: { file: model, lines: lines.length - (lines[lines.length - 1] === '' ? 1 : 0), edits, p50: round(percentile(times, 50), 2), p95: round(percentile(times, 95), 2), max: round(Math.max(...times), 1) },
    serverPeakRssMb: round(serverPeakRssMb),
    hover,
  };
}
let lastLine = 0;

/** didChange then textDocument/diagnostic: the re-analysis itself, without the push debounce. */
async function measurePull(root: string, model: string, edits: number, cacheDir: string): Promise<{ p50: number; p95: number; max: number }> {
  const client = new Client(path.join(os.tmpdir(), `rh-bench-pull-${process.pid}.json`), cacheDir);
  const rootUri = pathToFileURL(root).toString();
  const scanDone = client.waitFor((m) => m.method === 'railsHazards/status' && m.params.scanning === false && m.params.total > 0);
  await client.request('initialize', { processId: process.pid, rootUri, capabilities: { textDocument: { diagnostic: {} } }, workspaceFolders: [{ uri: rootUri, name: 'app' }] });
  client.notify('initialized', {});
  await scanDone.catch(() => undefined);
  const uri = pathToFileURL(model).toString();
  const lines = fs.readFileSync(model, 'utf8').split('\n');
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ruby', version: 1, text: lines.join('\n') } });
  await client.request('textDocument/diagnostic', { textDocument: { uri } });
  const times: number[] = [];
  let prev = 0;
  for (let i = 0; i < edits; i++) {
    const line = Math.floor(((i >> 1) * 7919) % Math.max(1, lines.length - 1));
    const character = lines[line].length;
    const insert = i % 2 === 0;
    const range = insert ? { start: { line, character }, end: { line, character } } : { start: { line: prev, character }, end: { line: prev, character: character + 1 } };
    const t = performance.now();
    client.notify('textDocument/didChange', { textDocument: { uri, version: i + 2 }, contentChanges: [{ range, text: insert ? 'x' : '' }] });
    await client.request('textDocument/diagnostic', { textDocument: { uri } });
    times.push(performance.now() - t);
    prev = line;
  }
  await client.close();
  return { p50: round(percentile(times, 50), 2), p95: round(percentile(times, 95), 2), max: round(Math.max(...times), 1) };
}

function largestModel(files: string[]): string | undefined {
  let largest: string | undefined;
  let size = -1;
  for (const f of files.filter((x) => /\/app\/models\/.*\.rb$/.test(x))) {
    const n = fs.statSync(f).size;
    if (n > size) { size = n; largest = f; }
  }
  return largest;
}

/** The largest model (by lines) and a migration of a real app, for the LSP measurements. */
function pickFiles(files: string[]): { migration?: string; model?: string } {
  const migration = files.find((f) => /\/db\/migrate\/\d+_.*\.rb$/.test(f));
  let model: string | undefined;
  let best = 0;
  for (const f of files.filter((x) => /\/app\/models\/.*\.rb$/.test(x))) {
    const n = fs.readFileSync(f, 'utf8').split('\n').length;
    if (Math.abs(n - 2000) < Math.abs(best - 2000)) { best = n; model = f; }
  }
  return { migration, model };
}

/** The check's listing (a fresh Workspace whose app facts are already read), CPU time, best of `times`. */
function timeListing(app: string, times = 3): { files: string[]; ms: number } {
  let best = Infinity;
  let files: string[] = [];
  for (let i = 0; i < times; i++) {
    const ws = new Workspace({ rules: allRules });
    ws.kindOf(path.join(app, 'Gemfile')); // reads the app's config: not the listing's cost
    const t = process.cpuUsage();
    files = ws.listAnalyzableFiles(app);
    const d = process.cpuUsage(t);
    best = Math.min(best, (d.user + d.system) / 1000);
  }
  return { files, ms: round(best) };
}

async function benchApp(app: string, args: Args, hint?: { migration: string; model: string }): Promise<AppResult> {
  process.stderr.write(`\n== ${app}\n`);
  const listing = timeListing(app);
  const files = listing.files;
  const ws = new Workspace({ rules: allRules });
  const parse = files.filter((f) => { const kind = ws.kindOf(f); return kind !== undefined && hasRubyTree(kind); });
  process.stderr.write(`files: ${files.length} (${parse.length} parsed), listing ${listing.ms} ms\nfloor (fresh process)…\n`);
  // The floor is cheap: the least of three runs, so a burst of load elsewhere does not shrink every ratio.
  const floors = [0, 1, 2].map(() => runFloor(files, parse));
  const floor = floors.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
  const ratio = (r: Run) => round(r.cpuMs / floor.cpuMs, 2);
  process.stderr.write(`floor ${floors.map((f) => f.cpuMs).join(' / ')} ms CPU (least: ${floor.cpuMs})\ncold check (one thread)…\n`);
  // The cold check starts from an empty cache directory (and fills it, as a user's first run does).
  const cacheDir = CLI_HAS_CACHE ? fs.mkdtempSync(path.join(os.tmpdir(), 'rh-bench-cache-')) : undefined;
  const check = runCheck(app, { cacheDir });
  process.stderr.write(`check ${check.cpuMs} ms CPU = ${ratio(check)}× floor\n`);
  const byRule: Record<string, number> = {};
  for (const f of check.report.findings) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  const result: AppResult = {
    app, files: files.length, parsedFiles: parse.length, mb: round(floor.bytes / 1048576, 2), listingMs: listing.ms,
    floor: { cpuMs: floor.cpuMs, wallMs: floor.wallMs, rssMb: floor.rssMb },
    check: { cpuMs: check.cpuMs, wallMs: check.wallMs, rssMb: check.rssMb, cpuRatio: ratio(check) },
    findings: check.report.findings.length, findingsByRule: Object.fromEntries(Object.entries(byRule).sort()), errors: check.report.errors.length,
  };
  if (args.ablation) {
    result.ablation = {};
    for (const areas of ['none', ...RULE_AREAS]) {
      const r = runCheck(app, { areas });
      result.ablation[areas] = ratio(r);
      process.stderr.write(`  only ${areas}: ${r.cpuMs} ms CPU = ${ratio(r)}×\n`);
    }
  }
  if (cacheDir) {
    process.stderr.write('warm check (the cache the cold check wrote)…\n');
    const warm = runCheck(app, { cacheDir });
    if (warm.stdout !== check.stdout) throw new Error(`the warm check's report differs from the cold check's on ${app}`);
    result.warm = { cpuMs: warm.cpuMs, wallMs: warm.wallMs, rssMb: warm.rssMb, cpuRatio: ratio(warm) };
    process.stderr.write(`warm ${warm.cpuMs} ms CPU = ${ratio(warm)}× floor\n`);
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  if (args.workers) {
    process.stderr.write('check (2 workers)…\n');
    const w = runCheck(app, { workers: Math.max(2, os.cpus().length) });
    result.workers = { cpuMs: w.cpuMs, wallMs: w.wallMs, rssMb: w.rssMb, cpuRatio: ratio(w) };
  }
  if (args.perFile) {
    process.stderr.write('per-file analysis…\n');
    await initParsers();
    result.perFile = measurePerFile(files);
  }
  if (args.lsp) {
    const picked = hint ?? pickFiles(files);
    if (picked.migration && picked.model) {
      // Two sessions sharing one cache folder: the first starts with no stored summaries (a project never
      // opened or checked), the second with those the first stored (every later session).
      const lspCache = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-bench-lsp-cache-'));
      process.stderr.write('language server (no stored summaries)…\n');
      result.lsp = await measureLsp(app, picked.migration, picked.model, args.edits, largestModel(files), lspCache);
      result.lsp!.incrementalPull = await measurePull(app, picked.model, args.edits, lspCache);
      process.stderr.write('language server (summaries stored)…\n');
      result.lspStored = await measureLsp(app, picked.migration, picked.model, args.edits, largestModel(files), lspCache);
      fs.rmSync(lspCache, { recursive: true, force: true });
    }
  }
  return result;
}

const ms = (x: number) => `${Math.round(x).toLocaleString('en-US')} ms`;

export function formatTable(results: AppResult[]): string {
  const rows: [string, (r: AppResult) => string][] = [
    ['files analysed (parsed) / MB', (r) => `${r.files} (${r.parsedFiles}) / ${r.mb.toFixed(2)}`],
    ['file listing (in process, CPU)', (r) => ms(r.listingMs)],
    ['floor: node + plain parse, CPU (least of 3)', (r) => ms(r.floor.cpuMs)],
    ['cold check, 1 thread, CPU', (r) => `${ms(r.check.cpuMs)} = **${r.check.cpuRatio}×**`],
  ];
  if (results.some((r) => r.ablation)) {
    for (const area of ['none', ...RULE_AREAS]) {
      rows.push([area === 'none' ? '  no rules' : `  ${area} only`, (r) => (r.ablation ? `${r.ablation[area]}×` : '-')]);
    }
  }
  rows.push(
    ['warm check (cache, nothing changed)', (r) => (r.warm ? `${ms(r.warm.cpuMs)} = ${r.warm.cpuRatio}×` : 'no cache yet')],
    ['peak RSS: check / floor', (r) => `${r.check.rssMb} / ${r.floor.rssMb} MB`],
    ['wall: check / floor', (r) => `${ms(r.check.wallMs)} / ${ms(r.floor.wallMs)}`],
    ['findings / errors', (r) => `${r.findings} / ${r.errors}`],
  );
  if (results.some((r) => r.workers)) rows.push(['check, 2 workers: CPU / wall / RSS', (r) => (r.workers ? `${r.workers.cpuRatio}× / ${ms(r.workers.wallMs)} / ${r.workers.rssMb} MB` : '-')]);
  if (results.some((r) => r.perFile)) rows.push(['per-file analysis p50 / p95 / max', (r) => (r.perFile ? `${r.perFile.p50} / ${r.perFile.p95} / ${r.perFile.max} ms` : '-')]);
  if (results.some((r) => r.lsp)) {
    rows.push(
      [`LSP (server from ${lspFromBundle ? 'the dist/ bundle' : `${OUT_DIR}/`}) first diagnostics after start: no stored summaries / stored`, (r) => (r.lsp ? `${r.lsp.firstDiagnosticsMs} / ${r.lspStored?.firstDiagnosticsMs ?? '-'} ms` : '-')],
      ['LSP incremental p50 / p95 / max', (r) => (r.lsp ? `${r.lsp.incremental.p50} / ${r.lsp.incremental.p95} / ${r.lsp.incremental.max} ms (${r.lsp.incremental.lines}-line model, ${r.lsp.incremental.edits} edits)` : '-')],
      ['LSP incremental, pull (no debounce) p50 / p95', (r) => (r.lsp?.incrementalPull ? `${r.lsp.incrementalPull.p50} / ${r.lsp.incrementalPull.p95} ms` : '-')],
      ['LSP background scan', (r) => (r.lsp ? `${r.lsp.scanMs} ms` : '-')],
      ['LSP first hover on the largest model: during scan / after', (r) => (r.lsp?.hover ? hoverCell(r.lsp.hover) : '-')],
      ['  the same, summaries stored', (r) => (r.lspStored?.hover ? hoverCell(r.lspStored.hover) : '-')],
      ['LSP incremental p50 / p95, summaries stored', (r) => (r.lspStored ? `${r.lspStored.incremental.p50} / ${r.lspStored.incremental.p95} ms` : '-')],
      ['LSP server peak RSS', (r) => (r.lsp ? `${r.lsp.serverPeakRssMb} MB` : '-')],
    );
  }
  const header = ['', ...results.map((r) => path.basename(r.app))];
  const body = rows.map(([label, f]) => [label, ...results.map(f)]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const results: AppResult[] = [];
  if (args.synthetic) {
    const root = path.join(REPO, '.bench', `synthetic-${args.files}`);
    process.stderr.write(`generating a synthetic app of about ${args.files} files in ${root}…\n`);
    const synth = generateApp(root, { files: args.files });
    results.push(await benchApp(root, args, { migration: synth.migration, model: synth.bigModel }));
  }
  for (const app of args.apps) results.push(await benchApp(app, args));
  const meta = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, commit: gitHead(), loadavg: os.loadavg().map((x) => round(x, 2)) };
  const json = JSON.stringify({ meta, results }, null, 2);
  if (args.json) fs.writeFileSync(args.json, json + '\n');
  process.stdout.write(`\n${formatTable(results)}\n\n${args.json ? `JSON written to ${args.json}` : json}\n`);
}

function gitHead(): string | undefined {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

if (require.main === module) {
  main().catch((error) => { process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`); process.exitCode = 1; });
}
