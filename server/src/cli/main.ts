// `rails-hazards check …` and `rails-hazards lsp --stdio`.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { SEVERITY_RANK, type FileNotice, type Severity } from '../core/types';
import { initParsers } from '../parsing/treeSitter';
import { Workspace } from '../project/workspace';
import { analyzeFiles } from '../project/parallel';
import '../project/scanWorker'; // the bundle doubles as the worker script
import { isMainThread } from 'node:worker_threads';
import { allRules } from '../rules';
import { formatJson, formatSarif, formatText, type CheckReport } from './format';

export const VERSION = '0.1.0';

const USAGE = `Usage:
  rails-hazards check [PATH...] [--format text|json|sarif] [--fail-on error|warning|info|hint|never]
                      [--config FILE] [--base GIT-REF] [--all-migrations]
  rails-hazards lsp --stdio        start the language server (also --node-ipc)
  rails-hazards --version

check reports only migrations not yet deployed: in a git work tree, those added since the merge-base
of HEAD with the base branch (--base, else migrations.baseRef or dependencies.baseRef in
.rails-hazards.yml, else origin/HEAD, main, master); without git, those newer than db/schema.rb's
version (or db/structure.sql's last schema_migrations insert). --all-migrations checks every
migration (the audit mode, also migrations: { audit: true }).

check exits 0 when no finding is at or above --fail-on (default warning), 1 otherwise, 2 on a usage error.`;

class UsageError extends Error {}

interface CheckOptions { paths: string[]; format: 'text' | 'json' | 'sarif'; failOn: Severity | 'never'; config?: string; base?: string; allMigrations?: boolean }

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
        if (v !== 'text' && v !== 'json' && v !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not "${v}"`);
        options.format = v;
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

export async function runCheck(options: CheckOptions, log: (m: string) => void): Promise<{ report: CheckReport; exitCode: number }> {
  await initParsers();
  const workspace = new Workspace({ rules: allRules, log, configFile: options.config, baseRef: options.base, trusted: true, allMigrations: options.allMigrations });
  const report: CheckReport = { findings: [], errors: [], deployedMigrations: [] };
  const files = new Set<string>();
  for (const p of options.paths) for (const f of workspace.listAnalyzableFiles(path.resolve(p))) files.add(f);
  // Large inputs are analysed on worker threads; results come back in file order either way.
  const results = await analyzeFiles([...files], {
    configFile: options.config, baseRef: options.base, trusted: true, allMigrations: options.allMigrations, log, inline: () => workspace,
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
  const failing = options.failOn !== 'never' && report.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[options.failOn as Severity]);
  return { report, exitCode: failing ? 1 : 0 };
}

const noticeKey = (n: FileNotice) => `${n.file}:${n.range?.start.line}:${n.range?.start.character}:${n.message}`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'check': {
        const options = parseCheckArgs(rest);
        const verbose = process.env.RAILS_HAZARDS_DEBUG === '1';
        const { report, exitCode } = await runCheck(options, (m) => { if (verbose) process.stderr.write(m + '\n'); });
        const cwd = process.cwd();
        process.stdout.write(options.format === 'json' ? formatJson(report)
          : options.format === 'sarif' ? formatSarif(report, cwd, VERSION) : formatText(report, cwd));
        return exitCode;
      }
      case 'lsp': {
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
        throw new UsageError(command ? `unknown command "${command}"` : 'missing command');
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`rails-hazards: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module && isMainThread) {
  main(process.argv.slice(2)).then((code) => { if (code >= 0) process.exitCode = code; }, (error) => {
    process.stderr.write(`rails-hazards: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 3;
  });
}
