#!/usr/bin/env node
// History benchmark: replays real fix commits of open-source Rails apps (scripts/eval/history-cases.json). For each
// case it checks the app at the fix's parent commit for a finding of the case's family at the hazard's lines, and the
// app at the fix commit for none at the same place. It prints recall per family, the misses and any fixed version
// still flagged. A measurement, not a test: it always exits 0.
//   npx tsc -p . && npm run eval:history -- [--apps DIR] [--cache DIR] [--only TEXT] [--window N] [--json]
// --apps: folder with one git clone per app, named as the case's "app" (default ../apps next to this repository);
// clone them from the cases' "github" names with full history. Trees are materialised per commit under --cache
// (default: <os tmp>/rails-hazards-history) with `git archive`, never inside this repository.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** Rule ids that count as a finding of each family. A prefix ending in "/" matches every rule under it. */
const FAMILY_RULES = {
  'n+1': ['queries/association-in-loop', 'queries/query-in-loop'],
  batching: ['queries/unbatched-each'],
  callbacks: ['callbacks/'],
};
/** Reported on the model's class line for the length of its chain, not for a callback's side effect. */
const EXCLUDED_RULES = new Set(['callbacks/long-callback-chain']);
/** A finding counts when its line is within this many lines of a hazard line (parent) or of the fix's changed lines. */
const DEFAULT_WINDOW = 3;
/** What the tool reads of an app: its code, configuration, schema and lockfile. */
const TREE_PATHS = ['app', 'lib', 'config', 'db/schema.rb', 'db/structure.sql', 'Gemfile', 'Gemfile.lock'];
const SEVERITY_RANK = { hint: 1, info: 2, warning: 3, error: 4 };

function parseArgs(argv) {
  const opt = {
    apps: process.env.RAILS_HAZARDS_APPS ?? path.resolve(root, '..', 'apps'),
    cache: path.join(os.tmpdir(), 'rails-hazards-history'),
    cases: path.join(root, 'scripts', 'eval', 'history-cases.json'),
    window: DEFAULT_WINDOW, json: false, only: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--apps') opt.apps = path.resolve(argv[++i]);
    else if (a === '--cache') opt.cache = path.resolve(argv[++i]);
    else if (a === '--cases') opt.cases = path.resolve(argv[++i]);
    else if (a === '--window') opt.window = Number(argv[++i]);
    else if (a === '--only') opt.only = argv[++i];
    else if (a === '--json') opt.json = true;
    else { process.stderr.write(`history: unknown argument ${a}\n`); process.exit(0); }
  }
  return opt;
}

const git = (appDir, args) => {
  const r = spawnSync('git', ['-C', appDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
};

/** The app's tree at `sha` (only TREE_PATHS), extracted once and reused. */
function materialise(appDir, cacheDir, app, sha) {
  const dest = path.join(cacheDir, app, sha);
  if (fs.existsSync(path.join(dest, '.complete'))) return dest;
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  const present = git(appDir, ['ls-tree', '--name-only', sha, '--', ...TREE_PATHS]).split('\n').filter(Boolean);
  const r = spawnSync('bash', ['-c', 'set -o pipefail; git -C "$1" archive "$2" -- "${@:4}" | tar -x -C "$3"', 'archive', appDir, sha, dest, ...present],
    { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git archive ${app} ${sha}: ${r.stderr.trim()}`);
  fs.writeFileSync(path.join(dest, '.complete'), '');
  return dest;
}

/** Runs the CLI in JSON mode on the given files of a materialised tree (the whole app is indexed for context). */
function check(tree, files) {
  const env = { ...process.env };
  if (!env.RAILS_HAZARDS_OUT && fs.existsSync(path.join(root, 'out', 'server', 'src', 'cli', 'main.js'))) env.RAILS_HAZARDS_OUT = 'out';
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'rails-hazards'), 'check', ...files.map((f) => path.join(tree, f)),
    '--format', 'json', '--fail-on', 'never'], { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`check exited ${r.status}: ${(r.stderr || '').trim().split('\n').slice(-3).join(' ')}`);
  const rel = (file) => path.relative(tree, file);
  return JSON.parse(r.stdout).findings.map((f) => ({
    ...f, file: rel(f.file),
    related: (f.related ?? []).map((x) => ({ ...x, file: rel(x.file) })),
    fixes: (f.fixes ?? []).map((x) => ({ ...x, edits: (x.edits ?? []).map((e) => ({ ...e, file: rel(e.file) })) })),
  }));
}

function inFamily(rule, family) {
  if (EXCLUDED_RULES.has(rule)) return false;
  return (FAMILY_RULES[family] ?? []).some((r) => (r.endsWith('/') ? rule.startsWith(r) : rule === r));
}

/**
 * Where parent line `line` of `file` went in the fix commit: a [from, to] range of new lines (the whole new side of
 * a hunk that changed it), from `git diff -U0`. A line the fix deleted without replacement maps to the lines around it.
 */
function mapLine(diffText, line) {
  let shift = 0;
  for (const m of diffText.matchAll(/^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/gm)) {
    const oldCount = m[2] === undefined ? 1 : Number(m[2]);
    const newCount = m[4] === undefined ? 1 : Number(m[4]);
    // With a count of 0, git gives the line before the insertion (old side) or the deletion (new side).
    const oldStart = Number(m[1]) + (oldCount === 0 ? 1 : 0);
    const newStart = Number(m[3]) + (newCount === 0 ? 1 : 0);
    if (line < oldStart) break;
    if (line < oldStart + oldCount) return newCount === 0 ? [newStart - 1, newStart] : [newStart, newStart + newCount - 1];
    shift = newStart + newCount - (oldStart + oldCount);
  }
  return [line + shift, line + shift];
}

/**
 * Findings of the family at one of the locations: the finding's own line or a `related` hop's (an N+1 read in a method
 * the loop calls). With `added` (the parent commit only: the text each file's fix added, by file), also a finding whose
 * quick fix edits one of the locations with what the team then wrote there (an N+1 read in a view whose fix adds
 * `.includes(:work)` in the controller, where the fix commit added `:work`): the tool proposed that very change.
 */
function nearby(findings, family, locations, window, added) {
  const near = (file, line) => locations.some((l) => l.file === file && line >= l.from - window && line <= l.to + window);
  const proposed = (e) => {
    const names = [...(e.text ?? '').matchAll(/:([a-z_][a-z0-9_]*)/g)].map((m) => m[1]);
    return near(e.file, e.line) && names.length > 0 && names.every((n) => new RegExp(`\\b${n}\\b`).test(added?.get(e.file) ?? ''));
  };
  return findings.filter((f) => inFamily(f.rule, family) && (near(f.file, f.line)
    || (f.related ?? []).some((r) => near(r.file, r.line))
    || (!!added && (f.fixes ?? []).some((x) => (x.edits ?? []).some(proposed)))));
}

/** What the fix added to each of the case's files (the `+` lines of the diff), to recognise a proposed fix. */
function addedText(appDir, c) {
  const out = new Map();
  for (const file of new Set(c.locations.map((l) => l.file))) {
    const diff = git(appDir, ['diff', '-U0', c.parent, c.fix, '--', file]);
    out.set(file, diff.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++')).join('\n'));
  }
  return out;
}

/**
 * The files checked for a case: its own, and for an N+1 in a controller the templates of that controller's views
 * folder and the app's serializers, where the per-row reads of what the action loads are reported.
 */
function checkedFiles(tree, c) {
  const files = new Set(c.locations.map((l) => l.file));
  if (c.family !== 'n+1') return [...files];
  for (const l of c.locations) {
    const m = /^(.*)app\/controllers\/(.+)_controller\.rb$/.exec(l.file);
    const views = m && path.join(tree, `${m[1]}app/views/${m[2]}`);
    if (views && fs.existsSync(views)) files.add(path.relative(tree, views));
    // The serializers its JSON renders apply per element report their reads in their own files.
    const serializers = m && path.join(tree, `${m[1]}app/serializers`);
    if (serializers && fs.existsSync(serializers)) files.add(path.relative(tree, serializers));
  }
  return [...files];
}

/** The files a finding's quick fixes edit (where it says the rows are loaded without the preload). */
const fixedFiles = (f) => new Set((f.fixes ?? []).flatMap((x) => (x.edits ?? []).map((e) => e.file)));

/**
 * A finding in the fixed version at the hazard's lines that is about another path to them: the same partial rendered
 * by a second action that the team did not change (human-essentials 0d68ddc6f preloads `item` in KitsController, and
 * the tool still reports `kit.item` for ItemsController, which renders the same partial without it). It counts when
 * its quick fix edits only files the fix commit left alone; it is listed, not counted as the fixed hazard.
 */
function otherPath(f, touched) {
  const files = fixedFiles(f);
  return files.size > 0 && [...files].every((file) => !touched.has(file) && file !== f.file);
}

function runCase(c, opt) {
  const appDir = path.join(opt.apps, c.app);
  if (!fs.existsSync(path.join(appDir, '.git')) && !fs.existsSync(path.join(appDir, 'HEAD'))) throw new Error(`no clone of ${c.github} at ${appDir}`);
  const parentTree = materialise(appDir, opt.cache, c.app, c.parent);
  const before = nearby(check(parentTree, checkedFiles(parentTree, c)), c.family, c.locations.map((l) => ({ file: l.file, from: l.line, to: l.line })), opt.window, addedText(appDir, c));

  const fixTree = materialise(appDir, opt.cache, c.app, c.fix);
  const fixLocations = [];
  for (const l of c.locations) {
    if (!fs.existsSync(path.join(fixTree, l.file))) continue; // the fix deleted the file: nothing can be flagged there
    const [from, to] = mapLine(git(appDir, ['diff', '-U0', c.parent, c.fix, '--', l.file]), l.line);
    fixLocations.push({ file: l.file, from, to });
  }
  const fixFiles = checkedFiles(fixTree, { ...c, locations: fixLocations });
  const nearFix = fixLocations.length ? nearby(check(fixTree, fixFiles), c.family, fixLocations, opt.window) : [];
  const touched = new Set(git(appDir, ['diff', '--name-only', c.parent, c.fix]).split('\n').filter(Boolean));
  const after = nearFix.filter((f) => !otherPath(f, touched));
  const brief = (f) => ({ rule: f.rule, severity: f.severity, file: f.file, line: f.line, message: f.message });
  return {
    found: before.length > 0,
    foundAtWarning: before.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK.warning),
    fixedClean: after.length === 0,
    parentFindings: before.map(brief),
    fixFindings: after.map(brief),
    otherPathFindings: nearFix.filter((f) => otherPath(f, touched)).map((f) => ({ ...brief(f), fixEdits: [...fixedFiles(f)] })),
  };
}

function main() {
  const opt = parseArgs(process.argv.slice(2));
  let cases = JSON.parse(fs.readFileSync(opt.cases, 'utf8'));
  if (opt.only) cases = cases.filter((c) => c.id.includes(opt.only) || c.app === opt.only || c.family === opt.only);
  fs.mkdirSync(opt.cache, { recursive: true });
  const results = [];
  const started = Date.now();
  cases.forEach((c, i) => {
    const t0 = Date.now();
    let result;
    try {
      result = runCase(c, opt);
    } catch (error) {
      result = { found: false, foundAtWarning: false, fixedClean: true, parentFindings: [], fixFindings: [], error: String(error.message ?? error) };
    }
    results.push({ id: c.id, app: c.app, family: c.family, locations: c.locations, description: c.description, ...result });
    const status = result.error ? `error: ${result.error}` : `${result.found ? 'found' : 'missed'}${result.fixedClean ? '' : ', fixed still flagged'}`;
    process.stderr.write(`[${i + 1}/${cases.length}] ${c.id} (${c.family}): ${status} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  });

  const families = Object.keys(FAMILY_RULES).map((family) => {
    const of = results.filter((r) => r.family === family);
    return {
      family, cases: of.length, found: of.filter((r) => r.found).length, foundAtWarning: of.filter((r) => r.foundAtWarning).length,
      fixedStillFlagged: of.filter((r) => !r.fixedClean).length, otherPath: of.filter((r) => (r.otherPathFindings ?? []).length > 0).length, errors: of.filter((r) => r.error).length,
    };
  });
  const summary = { window: opt.window, seconds: Math.round((Date.now() - started) / 1000), families, results };
  if (opt.json) {
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    return;
  }
  const pct = (n, d) => (d ? `${Math.round((100 * n) / d)}%` : '-');
  const out = [`History benchmark: ${results.length} fix commits, finding of the family within ±${opt.window} lines of the hazard (${summary.seconds} s)`, ''];
  out.push('family     cases  found (recall)   at warning+  fixed still flagged  errors');
  for (const f of families) {
    out.push(`${f.family.padEnd(10)} ${String(f.cases).padStart(5)}  ${String(f.found).padStart(5)} (${pct(f.found, f.cases).padStart(4)})    ${String(f.foundAtWarning).padStart(11)}  ${String(f.fixedStillFlagged).padStart(19)}  ${String(f.errors).padStart(6)}`);
  }
  const where = (r) => r.locations.map((l) => `${l.file}:${l.line}${l.type && l.type !== 'ruby' ? ` (${l.type})` : ''}`).join(', ');
  const misses = results.filter((r) => !r.found);
  out.push('', `Misses (${misses.length}):`);
  for (const r of misses) out.push(`  ${r.id} [${r.family}] ${where(r)}${r.error ? ` ERROR ${r.error}` : ''}\n      ${r.description}`);
  const flagged = results.filter((r) => !r.fixedClean);
  out.push('', `Fixed commits still flagged (${flagged.length}):`);
  for (const r of flagged) for (const f of r.fixFindings) out.push(`  ${r.id} ${f.file}:${f.line} ${f.rule} (${f.severity}): ${f.message}`);
  const other = results.filter((r) => (r.otherPathFindings ?? []).length > 0);
  out.push('', `Fixed commits with a finding at the same lines about another path, which the fix did not touch (${other.length}):`);
  for (const r of other) for (const f of r.otherPathFindings) out.push(`  ${r.id} ${f.file}:${f.line} ${f.rule} (${f.severity}), fix edits ${f.fixEdits.join(', ')}: ${f.message}`);
  process.stdout.write(out.join('\n') + '\n');
}

try { main(); } catch (error) { process.stderr.write(`history: ${error.stack ?? error}\n`); }
process.exitCode = 0;
