// `rails-hazards check …` and `rails-hazards lsp --stdio`.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { SEVERITY_RANK, type FileNotice, type Severity } from '../core/types';
import { isMainThread } from 'node:worker_threads';
import { formatGithub, formatJson, formatSarif, formatText, type CheckReport } from './format';
import { CHECK_HELP, CHECK_HINT, LSP_NEEDS_TRANSPORT, MAIN_HINT, USAGE } from './usage';
import { COLORS, PLAIN, Progress, WarningCollector, wantsColor } from './terminal';
import { findAppRoot } from '../project/roots';
import { diskFiles } from '../project/files';
import { tuneHeapGrowth } from '../project/heapTuning';
import { startRecording, startSnapshot, stopRecording, stopSnapshot } from '../project/inputs';
import { summaryStoreStats, useSummaryStore, type SummaryStoreLocation } from '../project/summaryStore';
import { TOOL_VERSION } from '../project/cacheFolder';
import { cacheDirectory, ResultCache, toolIdentity, type CacheKey } from './resultCache';

// The analysis modules (parsers, rules, project model) are loaded only when a check analyses: a run
// answered from the result cache never loads them. The bundle doubles as the worker script.
/* eslint-disable @typescript-eslint/no-require-imports */
const analysis = () => ({
  ...(require('../parsing/treeSitter') as typeof import('../parsing/treeSitter')),
  ...(require('../project/workspace') as typeof import('../project/workspace')),
  ...(require('../project/parallel') as typeof import('../project/parallel')),
  ...(require('../rules/selection') as typeof import('../rules/selection')),
});
if (!isMainThread) require('../project/scanWorker');
/* eslint-enable @typescript-eslint/no-require-imports */

export const VERSION = TOOL_VERSION;

class UsageError extends Error {
  constructor(message: string, readonly hint = CHECK_HINT) { super(message); }
}

/** A PATH with no Rails app at, under or above it: a mistyped path must not pass CI. */
class NoRailsAppError extends Error {}

type Format = 'text' | 'json' | 'sarif' | 'github';
const FORMATS: Format[] = ['text', 'json', 'sarif', 'github'];
/**
 * Source characters of index-parsed trees kept for the files' own analysis (about 23 bytes of tree
 * objects per character: ~35 MB). docs/performance.md has the measurement behind it.
 */
const INDEX_TREE_SHARE_CHARS = 1_500_000;

interface CheckOptions {
  paths: string[]; format: Format; failOn: Severity | 'never'; config?: string; base?: string; allMigrations?: boolean; noColor?: boolean; help?: boolean;
  /** --no-cache: neither read nor write the result cache. */
  noCache?: boolean;
}

function parseCheckArgs(args: string[]): CheckOptions {
  const options: CheckOptions = { paths: [], format: 'text', failOn: 'warning' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--format': {
        const v = value();
        if (!FORMATS.includes(v as Format)) throw new UsageError(`--format must be text, json, sarif or github, not "${v}"`);
        options.format = v as Format;
        break;
      }
      case '--fail-on': {
        const v = value();
        if (v !== 'never' && !(v in SEVERITY_RANK)) throw new UsageError(`--fail-on must be error, warning, info, hint or never, not "${v}"`);
        options.failOn = v as Severity | 'never';
        break;
      }
      case '--config': options.config = value(); break;
      case '--base': options.base = value(); break;
      case '--all-migrations':
        if (inline !== undefined) throw new UsageError('--all-migrations takes no value');
        options.allMigrations = true;
        break;
      case '--no-color': options.noColor = true; break;
      case '--no-cache':
        if (inline !== undefined) throw new UsageError('--no-cache takes no value');
        options.noCache = true;
        break;
      case '--help': case '-h': options.help = true; return options;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        options.paths.push(arg);
    }
  }
  if (options.paths.length === 0) options.paths.push('.');
  for (const p of options.paths) if (!fs.existsSync(p)) throw new UsageError(`no such file or directory: ${p}`);
  if (options.config && !fs.existsSync(options.config)) throw new UsageError(`no such config file: ${options.config}`);
  return options;
}

/**
 * Runs a check, answered from the result cache when every input the last identical check read is unchanged
 * (resultCache.ts); otherwise analyses, recording those inputs, and stores the report for next time.
 */
export async function runCheck(options: CheckOptions, log: (m: string) => void,
  onProgress?: (done: number, total: number) => void): Promise<{ report: CheckReport; exitCode: number }> {
  // Absolute paths: the report and the recorded inputs must not depend on the working directory.
  options = { ...options, paths: options.paths.map((p) => path.resolve(p)), config: options.config && path.resolve(options.config) };
  const cache = options.noCache ? undefined : new ResultCache(cacheDirectory(), log);
  const key: CacheKey = { paths: options.paths, config: options.config, base: options.base, allMigrations: options.allMigrations === true, areas: process.env.RAILS_HAZARDS_BENCH_AREAS };
  const tool = cache && toolIdentity(VERSION);
  const stored = cache?.load(key, tool!);
  if (stored) {
    log('parsed 0 Ruby sources');
    return { report: stored, exitCode: exitCodeFor(stored, options.failOn) };
  }
  // Files unchanged since an earlier check (or the editor's server) are read from their stored summaries.
  const summaries = cache ? { dir: cache.dir, tool: tool! } : undefined;
  useSummaryStore(summaries, { prune: true });
  if (cache) startRecording();
  startSnapshot();
  let analysed: { report: CheckReport; threads: number };
  let recorded: ReturnType<typeof stopRecording> | undefined;
  try {
    analysed = await analyse(options, summaries, log, onProgress);
  } finally {
    stopSnapshot();
    if (cache) recorded = stopRecording();
  }
  const { parseStats } = analysis();
  log(`parsed ${parseStats.parsed} Ruby sources`);
  const summaryStats = summaryStoreStats();
  if (summaryStats) log(`summaries: ${summaryStats.hits} read, ${summaryStats.written} written, ${summaryStats.discarded} discarded`);
  if (cache && recorded) {
    const unsure = recorded.unstable ?? (parseStats.overBudget > 0 ? 'a parse ran out of time'
      : analysed.threads > 0 ? 'the files were analysed on worker threads, whose reads are not recorded' : undefined);
    if (unsure) log(`cache: not written (${unsure})`);
    else cache.save(key, tool!, recorded.inputs, analysed.report);
  }
  return { report: analysed.report, exitCode: exitCodeFor(analysed.report, options.failOn) };
}

function exitCodeFor(report: CheckReport, failOn: Severity | 'never'): number {
  return failOn !== 'never' && report.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]) ? 1 : 0;
}

async function analyse(options: CheckOptions, summaries: SummaryStoreLocation | undefined, log: (m: string) => void,
  onProgress?: (done: number, total: number) => void): Promise<{ report: CheckReport; threads: number }> {
  const { initParsers, Workspace, analyzeFiles, workerCountFor, checkRules } = analysis();
  let done = 0;
  await initParsers();
  const workspace = new Workspace({ rules: checkRules(), log, configFile: options.config, baseRef: options.base, trusted: true, allMigrations: options.allMigrations });
  const report: CheckReport = { findings: [], errors: [], deployedMigrations: [] };
  const files = new Set<string>();
  for (const p of options.paths) {
    const listed = workspace.listAnalyzableFiles(path.resolve(p));
    if (!hasRailsApp(path.resolve(p), listed)) throw new NoRailsAppError(`no Rails app at ${p} (no Gemfile or config/application.rb in it, under it or above it)`);
    for (const f of listed) files.add(f);
  }
  // Large inputs are analysed on worker threads; results come back in file order either way.
  const threads = workerCountFor(files.size);
  const results = await analyzeFiles([...files], {
    workers: threads,
    configFile: options.config, baseRef: options.base, trusted: true, allMigrations: options.allMigrations, log, inline: () => workspace,
    shareIndexTreesChars: INDEX_TREE_SHARE_CHARS, summaries,
    onResult: () => onProgress?.(++done, files.size),
  });
  const migrationApps = new Set<string>();
  [...files].forEach((file, i) => {
    const result = results[i];
    if (!result) return;
    report.findings.push(...result.findings);
    report.errors.push(...result.notices);
    if (result.kind === 'migration') migrationApps.add(workspace.appFor(file).root);
  });
  // Configuration problems are reported even when no .rails-hazards.yml was among the checked paths.
  for (const f of files) workspace.appFor(f);
  const reported = new Set(report.errors.map(noticeKey));
  for (const notice of workspace.configNotices()) if (!reported.has(noticeKey(notice))) report.errors.push(notice);
  for (const root of migrationApps) {
    const deployed = workspace.appFor(path.join(root, 'Gemfile')).getFacts().deployedMigrations;
    if (deployed) report.deployedMigrations!.push({ root, source: deployed.source, skipped: deployed.count, reason: deployed.reason });
  }
  return { report, threads };
}

const noticeKey = (n: FileNotice) => `${n.file}:${n.range?.start.line}:${n.range?.start.character}:${n.message}`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'check' || command === 'lsp') tuneHeapGrowth();
  try {
    switch (command) {
      case 'check': {
        const options = parseCheckArgs(rest);
        if (options.help) {
          process.stdout.write(CHECK_HELP + '\n');
          return 0;
        }
        return await check(options);
      }
      case 'lsp': {
        if (!rest.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'))) {
          process.stderr.write(`${LSP_NEEDS_TRANSPORT}\n`);
          return 2;
        }
        // Loaded lazily so `check` never pays for the LSP library.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { startServer } = require('../lsp/server') as typeof import('../lsp/server');
        startServer();
        return -1; // keeps running
      }
      case '--version': case '-v':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      case '--help': case '-h': case 'help':
        process.stdout.write(USAGE + '\n');
        return 0;
      default:
        if (!command) {
          process.stderr.write(USAGE + '\n');
          return 2;
        }
        throw new UsageError(`unknown command "${command}"`, MAIN_HINT);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`rails-hazards: ${error.message}\n${error.hint}\n`);
      return 2;
    }
    if (error instanceof NoRailsAppError) {
      process.stderr.write(`rails-hazards: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function check(options: CheckOptions): Promise<number> {
  const verbose = process.env.RAILS_HAZARDS_DEBUG === '1';
  // Library warnings (YAMLWarning for `!ruby/regexp` in .rubocop.yml) become one notice, not raw stderr.
  const warnings = verbose ? undefined : new WarningCollector();
  const progress = new Progress(process.stderr);
  try {
    const { report, exitCode } = await runCheck(options, (m) => { if (verbose) process.stderr.write(m + '\n'); },
      (done, total) => progress.update(done, total));
    progress.clear();
    const cwd = process.cwd();
    const paint = wantsColor(process.stdout.isTTY, process.env, options.noColor === true) ? COLORS : PLAIN;
    process.stdout.write(options.format === 'json' ? formatJson(report)
      : options.format === 'sarif' ? formatSarif(report, cwd, VERSION)
        : options.format === 'github' ? formatGithub(report, cwd) : formatText(report, cwd, paint));
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
    const notice = warnings?.notice();
    if (notice) process.stderr.write(`rails-hazards: ${notice}\n`);
    return exitCode;
  } finally {
    progress.clear();
    warnings?.restore();
  }
}

/** The path is inside an app (a Gemfile or config/application.rb at or above it), or one of its files is. */
function hasRailsApp(dir: string, files: readonly string[]): boolean {
  const probe = fs.statSync(dir).isDirectory() ? path.join(dir, '.probe') : dir;
  return findAppRoot(probe, diskFiles) !== undefined || files.some((f) => findAppRoot(f, diskFiles) !== undefined);
}

if (require.main === module && isMainThread) {
  main(process.argv.slice(2)).then((code) => { if (code >= 0) process.exitCode = code; }, (error) => {
    process.stderr.write(`rails-hazards: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 3;
  });
}
