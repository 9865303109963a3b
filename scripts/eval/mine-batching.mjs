#!/usr/bin/env node
// Batching cases mined from git history, for a recall figure nobody chose by hand: every commit since 2019 (in app/
// and lib/) whose diff replaces an `each`/`map`/`each_with_index` line with `find_each`/`in_batches`/
// `find_in_batches` on the same receiver. One case per commit and file; its locations are the replaced lines in the
// parent. The output has the history benchmark's case format (no code of the apps: the description names the file).
//   node scripts/eval/mine-batching.mjs [--apps DIR] [--since 2019-01-01] > batching-mined.json
//   npm run eval:history -- --cases batching-mined.json
// The apps are the history benchmark's (their "github" names come from scripts/eval/history-cases.json).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const BATCHED = /\.(find_each|in_batches|find_in_batches)\b/;
const ITERATED = /\.(each|map|each_with_index)\b/;

function parseArgs(argv) {
  const opt = { apps: process.env.RAILS_HAZARDS_APPS ?? path.resolve(root, '..', 'apps'), since: '2019-01-01' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--apps') opt.apps = path.resolve(argv[++i]);
    else if (argv[i] === '--since') opt.since = argv[++i];
    else { process.stderr.write(`mine-batching: unknown argument ${argv[i]}\n`); process.exit(2); }
  }
  return opt;
}

const git = (dir, args) => {
  const r = spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
};

/** The parent-side lines of `diff` (unified, no context) that a batched line replaces on the same receiver. */
function replacedLines(diff) {
  const out = [];
  let file;
  let line = 0;
  let removed = [];
  for (const l of diff.split('\n')) {
    if (l.startsWith('+++ ')) { file = l.slice(6); continue; }
    if (l.startsWith('--- ')) continue;
    if (l.startsWith('@@')) { line = Number(/-(\d+)/.exec(l)[1]); removed = []; continue; }
    if (l.startsWith('-')) { removed.push({ text: l.slice(1).trim(), line }); line++; continue; }
    if (!l.startsWith('+') || !BATCHED.test(l)) continue;
    const receiver = l.slice(1).trim().split(BATCHED)[0];
    const prefix = receiver.slice(0, Math.min(receiver.length, 25));
    const old = removed.find((r) => ITERATED.test(r.text) && !BATCHED.test(r.text) && r.text.startsWith(prefix));
    if (old && file && !out.some((o) => o.file === file && o.line === old.line)) out.push({ file, line: old.line });
  }
  return out;
}

function main() {
  const opt = parseArgs(process.argv.slice(2));
  const known = JSON.parse(fs.readFileSync(path.join(root, 'scripts', 'eval', 'history-cases.json'), 'utf8'));
  const github = new Map(known.map((c) => [c.app, c.github]));
  const cases = [];
  for (const app of [...github.keys()].sort()) {
    const dir = path.join(opt.apps, app);
    if (!fs.existsSync(dir)) { process.stderr.write(`mine-batching: no clone of ${app} at ${dir}, skipped\n`); continue; }
    const shas = git(dir, ['log', `--since=${opt.since}`, '--format=%H', '-G', 'find_each|in_batches|find_in_batches', '--', 'app', 'lib']).split('\n').filter(Boolean);
    for (const fix of shas) {
      const parents = git(dir, ['rev-list', '--parents', '-n', '1', fix]).trim().split(' ').slice(1);
      if (parents.length !== 1) continue; // merges repeat their branches' commits
      const byFile = new Map();
      for (const { file, line } of replacedLines(git(dir, ['show', '--format=', '-U0', fix, '--', 'app', 'lib']))) {
        if (!byFile.has(file)) byFile.set(file, []);
        byFile.get(file).push(line);
      }
      let n = 0;
      for (const [file, lines] of byFile) {
        cases.push({
          id: `${app}-${fix.slice(0, 10)}-m${++n}`,
          app, github: github.get(app), fix, parent: parents[0], family: 'batching',
          locations: lines.map((line) => ({ file, line, type: file.endsWith('.rake') ? 'rake' : 'ruby' })),
          description: `each → batches in ${file} (mined)`,
        });
      }
    }
  }
  process.stdout.write(`${JSON.stringify(cases, null, 1)}\n`);
}

main();
