// How many threads each production process of an app runs, from the files that say so (Puma's
// config, Sidekiq's YAML, Procfiles, GoodJob's and Solid Queue's settings), without executing them.
import { isMap, isSeq, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { Range } from '../core/types';
import { countOfNode, type ThreadCount, type ThreadSource } from '../capacity/threadCount';
import { parseRuby, type Node } from '../parsing/treeSitter';
import { nodeRange, readCall } from '../parsing/ruby';
import { countOfScalar, lookup, mapAt, parseErbYaml, scalarRange, type ErbYaml } from './erbYaml';

const PUMA_FILES = ['config/puma/production.rb', 'config/puma.rb'];
const SIDEKIQ_FILE = 'config/sidekiq.yml';
const GOOD_JOB_FILES = ['config/environments/production.rb', 'config/initializers/good_job.rb', 'config/application.rb'];
const SOLID_QUEUE_FILES = ['config/queue.yml', 'config/solid_queue.yml'];

/** Files whose change alters the threads (database.yml's findings are recomputed). */
export function isProcessThreadsFile(rel: string): boolean {
  return PUMA_FILES.includes(rel) || rel === SIDEKIQ_FILE || SOLID_QUEUE_FILES.includes(rel) || GOOD_JOB_FILES.includes(rel)
    || isProductionProcfile(rel);
}

/** Procfile, Procfile.production, …; not the development ones. */
export function isProductionProcfile(rel: string): boolean {
  return /^Procfile(\.[\w-]+)?$/.test(rel) && !/^Procfile\.(dev[\w-]*|development|test|local|spec|hot|client-[\w-]+)$/i.test(rel);
}

export interface ThreadFileAccess {
  read(rel: string): string | undefined;
  /** File names at the app root. */
  rootFiles(): string[];
}

export function readProcessThreads(files: ThreadFileAccess, gems: ReadonlyMap<string, string>): ThreadSource[] {
  const out: ThreadSource[] = [];
  const procfiles = files.rootFiles().filter(isProductionProcfile).sort();
  const procLines = procfiles.flatMap((rel) => procfileLines(files.read(rel), rel));
  if (gems.has('puma')) {
    const fromProcfile = procLines.flatMap((l) => pumaFromCommand(l));
    const file = PUMA_FILES.find((rel) => files.read(rel) !== undefined);
    const fromConfig = file ? pumaThreads(files.read(file)!, file) : [];
    out.push(...(fromProcfile.length ? fromProcfile : fromConfig));
  }
  if (gems.has('sidekiq')) {
    const sidekiqLines = procLines.filter((l) => /(^|[\s/])sidekiq(\s|$)/.test(l.command));
    const explicit = sidekiqLines.flatMap((l) => sidekiqFromCommand(l));
    // A process started without -c reads its -C file (config/sidekiq.yml unless named).
    const configFiles = new Set<string>();
    if (sidekiqLines.length === 0) configFiles.add(SIDEKIQ_FILE);
    for (const l of sidekiqLines) {
      if (sidekiqFromCommand(l).length) continue;
      configFiles.add(/\s(?:-C|--config)[\s=]+(\S+)/.exec(l.command)?.[1]?.replace(/^\.\//, '') ?? SIDEKIQ_FILE);
    }
    out.push(...explicit);
    for (const rel of configFiles) {
      const text = files.read(rel);
      if (text === undefined) continue;
      const starters = sidekiqLines.filter((l) => !sidekiqFromCommand(l).length);
      const env = starters.length === 1 ? procEnv(starters[0]) : undefined;
      out.push(...sidekiqConcurrency(text, rel).map((s) => (env ? { ...s, env } : s)));
    }
  }
  if (gems.has('good_job')) {
    const fromProcfile = procLines.flatMap((l) => goodJobFromCommand(l));
    out.push(...fromProcfile);
    if (!fromProcfile.length) {
      for (const rel of GOOD_JOB_FILES) {
        const text = files.read(rel);
        const found = text !== undefined ? goodJobThreads(text, rel) : [];
        if (found.length) { out.push(...found); break; }
      }
    }
  }
  if (gems.has('solid_queue')) {
    const rel = SOLID_QUEUE_FILES.find((r) => files.read(r) !== undefined);
    if (rel) out.push(...solidQueueThreads(files.read(rel)!, rel));
  }
  return out;
}

// --- Puma -----------------------------------------------------------------------------------------

/** `threads min, max` in config/puma.rb, with top-level locals (`max_threads_count = ENV.fetch(…) { 5 }`). */
export function pumaThreads(text: string, rel: string): ThreadSource[] {
  const tree = parseRuby(text);
  try {
    const locals = new Map<string, ThreadCount>();
    const out: ThreadSource[] = [];
    const visit = (node: Node): void => {
      for (const child of node.namedChildren) {
        if (!child) continue;
        if (child.type === 'assignment') {
          const left = child.childForFieldName('left');
          if (left?.type === 'identifier') locals.set(left.text, countOfNode(child.childForFieldName('right'), locals));
          continue;
        }
        const call = readCall(child);
        if (call && call.name === 'threads' && !call.receiver && call.args.length >= 1) {
          const max = call.args[call.args.length >= 2 ? 1 : 0];
          out.push({ process: 'Puma', count: countOfNode(max, locals), file: rel, range: nodeRange(child), what: `\`${oneLine(child.text)}\`` });
          continue;
        }
        // `if ENV["RACK_ENV"] == "production"` and friends: statements inside still run.
        if (child.type === 'if' || child.type === 'unless' || child.type === 'then' || child.type === 'else') visit(child);
      }
    };
    visit(tree.rootNode);
    return out;
  } finally {
    tree.delete();
  }
}

// --- Sidekiq --------------------------------------------------------------------------------------

/** `:concurrency:` of config/sidekiq.yml; `production:` overrides the top level. */
export function sidekiqConcurrency(text: string, rel: string): ThreadSource[] {
  const y = parseErbYaml(text);
  const root = y?.doc.contents;
  if (!y || !isMap(root)) return [];
  const production = mapAt(y, root, ':production') ?? mapAt(y, root, 'production');
  const found = (production && concurrencyIn(y, production)) ?? concurrencyIn(y, root);
  if (!found) return [];
  return [{ process: 'Sidekiq', count: countOfScalar(y, found.value), file: rel, range: lineOf(y, found), what: '`concurrency`' }];
}

function concurrencyIn(y: ErbYaml, map: YAMLMap) {
  return lookup(y, map, ':concurrency') ?? lookup(y, map, 'concurrency');
}

// --- GoodJob --------------------------------------------------------------------------------------

/** `config.good_job.max_threads = N` or `config.good_job = { max_threads: N }`. */
export function goodJobThreads(text: string, rel: string): ThreadSource[] {
  if (!text.includes('good_job')) return [];
  const tree = parseRuby(text);
  try {
    const out: ThreadSource[] = [];
    const stack: Node[] = [tree.rootNode];
    while (stack.length) {
      const node = stack.pop()!;
      if (node.type === 'assignment') {
        const left = node.childForFieldName('left')?.text ?? '';
        const right = node.childForFieldName('right');
        if (/(^|\.)good_job\.max_threads$/.test(left)) {
          out.push({ process: 'GoodJob', count: countOfNode(right), file: rel, range: nodeRange(node), what: '`good_job.max_threads`' });
        } else if (/(^|\.)good_job$/.test(left) && right?.type === 'hash') {
          for (const pair of right.namedChildren) {
            const key = pair?.childForFieldName('key')?.text.replace(/^:|:$/g, '');
            if (pair && key === 'max_threads') {
              out.push({ process: 'GoodJob', count: countOfNode(pair.childForFieldName('value')), file: rel, range: nodeRange(pair), what: '`good_job.max_threads`' });
            }
          }
        }
        continue;
      }
      for (const child of node.namedChildren) if (child) stack.push(child);
    }
    return out;
  } finally {
    tree.delete();
  }
}

// --- Solid Queue ----------------------------------------------------------------------------------

/** `threads:` of each worker in config/queue.yml (`production:` or the top level). */
export function solidQueueThreads(text: string, rel: string): ThreadSource[] {
  const y = parseErbYaml(text);
  const root = y?.doc.contents;
  if (!y || !isMap(root)) return [];
  const section = mapAt(y, root, 'production') ?? root;
  const workers = lookup(y, section, 'workers')?.value;
  if (!isSeq(workers)) return [];
  const out: ThreadSource[] = [];
  for (const item of workers.items) {
    if (!isMap(item)) continue;
    const threads = lookup(y, item, 'threads');
    if (threads) out.push({ process: 'Solid Queue', count: countOfScalar(y, threads.value), file: rel, range: lineOf(y, threads), what: 'a worker\'s `threads`' });
  }
  return out;
}

// --- Procfile -------------------------------------------------------------------------------------

interface ProcLine { rel: string; line: number; command: string; text: string }

function procfileLines(text: string | undefined, rel: string): ProcLine[] {
  if (text === undefined) return [];
  return text.split(/\r?\n/).flatMap((t, line) => {
    const m = /^\s*([\w-]+)\s*:\s*(.+)$/.exec(t);
    return m && !t.trimStart().startsWith('#') ? [{ rel, line, command: m[2], text: t }] : [];
  });
}

/** `DB_POOL=10 SKIP=1 bundle exec sidekiq`: the variables set before the command. */
function procEnv(l: ProcLine): Record<string, string> | undefined {
  const env: Record<string, string> = {};
  for (const m of l.command.matchAll(/(?:^|\s)(\w+)=(\S*)(?=\s)/g)) env[m[1]] = m[2].replace(/^["']|["']$/g, '');
  return Object.keys(env).length ? env : undefined;
}

function procRange(l: ProcLine): Range {
  return { start: { line: l.line, character: 0 }, end: { line: l.line, character: l.text.length } };
}

function commandCount(l: ProcLine, re: RegExp): ThreadCount | undefined {
  const m = re.exec(l.command);
  if (!m) return undefined;
  const raw = m[1];
  if (/^\d+$/.test(raw)) return { value: Number(raw), vars: [], expr: raw };
  // `-c $SIDEKIQ_CONCURRENCY`, `${X:-10}`: the variable, with its shell default.
  const v = /^\$\{?(\w+)(?::?-(\d+))?\}?$/.exec(raw);
  return v ? { value: v[2] !== undefined ? Number(v[2]) : undefined, vars: [v[1]], expr: raw } : { vars: [], expr: raw };
}

function pumaFromCommand(l: ProcLine): ThreadSource[] {
  if (!/(^|[\s/])puma(\s|$)/.test(l.command)) return [];
  const count = commandCount(l, /\s(?:-t|--threads)[\s=]+(?:[^:\s]+:)?(\S+)/);
  return count ? [{ process: 'Puma', count, file: l.rel, range: procRange(l), what: `\`${l.command.trim()}\``, env: procEnv(l) }] : [];
}

function sidekiqFromCommand(l: ProcLine): ThreadSource[] {
  const count = commandCount(l, /\s(?:-c|--concurrency)[\s=]+(\S+)/);
  return count ? [{ process: 'Sidekiq', count, file: l.rel, range: procRange(l), what: `\`${l.command.trim()}\``, env: procEnv(l) }] : [];
}

function goodJobFromCommand(l: ProcLine): ThreadSource[] {
  if (!/(^|[\s/])good_job(\s|$)/.test(l.command)) return [];
  const count = commandCount(l, /\s--max-threads[\s=]+(\S+)/);
  return count ? [{ process: 'GoodJob', count, file: l.rel, range: procRange(l), what: `\`${l.command.trim()}\``, env: procEnv(l) }] : [];
}

// --- helpers --------------------------------------------------------------------------------------

function lineOf(y: ErbYaml, pair: { key: YamlNode; value: YamlNode }): Range {
  return { start: scalarRange(y, pair.key).start, end: scalarRange(y, pair.value).end };
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
