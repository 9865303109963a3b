#!/usr/bin/env node
// Applies a seeded random sample of quick fixes from `rails-hazards check --format json` reports to copies of the
// files, then checks that each result parses (tree-sitter, and `ruby -c` when Ruby is installed) and prints the
// diff for a person to judge whether the fixed migration is correct for its app.
//   npm run build && node scripts/eval/apply-fixes.mjs --seed 11 --n 15 report.json...
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const { initParsers, parseRuby } = require(path.join(root, 'out/server/src/parsing/treeSitter.js'));

const args = process.argv.slice(2);
let seed = 1, n = 15, prefix = '';
const reports = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--seed') seed = Number(args[++i]);
  else if (args[i] === '--n') n = Number(args[++i]);
  else if (args[i] === '--rule-prefix') prefix = args[++i];
  else reports.push(args[i]);
}
function rng(s) {
  let t = s >>> 0;
  return () => { t = (t + 0x6d2b79f5) >>> 0; let r = Math.imul(t ^ (t >>> 15), 1 | t); r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r; return ((r ^ (r >>> 14)) >>> 0) / 4294967296; };
}
const isQuickFix = (x) => !/^(Disable|Show documentation|Ignore )/.test(x.title);
const pool = [];
for (const file of reports) {
  for (const f of JSON.parse(fs.readFileSync(file, 'utf8')).findings) {
    if (!f.rule.startsWith(prefix)) continue;
    for (const fix of f.fixes ?? []) if (isQuickFix(fix)) pool.push({ finding: f, fix });
  }
}
pool.sort((a, b) => (a.finding.file + a.finding.line + a.fix.title).localeCompare(b.finding.file + b.finding.line + b.fix.title));
const random = rng(seed);
for (let i = pool.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [pool[i], pool[j]] = [pool[j], pool[i]]; }

function offsetOf(text, line, column) {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1;
  return offset + column - 1;
}
function apply(text, edits) {
  const sorted = [...edits].sort((a, b) => offsetOf(text, b.line, b.column) - offsetOf(text, a.line, a.column));
  for (const e of sorted) text = text.slice(0, offsetOf(text, e.line, e.column)) + e.text + text.slice(offsetOf(text, e.endLine, e.endColumn));
  return text;
}
const hasRuby = (() => { try { execFileSync('ruby', ['-v'], { stdio: 'ignore' }); return true; } catch { return false; } })();

await initParsers();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-fixes-'));
const sample = pool.slice(0, n);
console.log(`# ${sample.length} of ${pool.length} quick fixes, seed ${seed}${hasRuby ? '' : ' (ruby not installed: tree-sitter check only)'}`);
let k = 0;
for (const { finding, fix } of sample) {
  k++;
  const byFile = new Map();
  for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  console.log(`\n## ${k}. ${finding.rule} ${finding.file}:${finding.line}\nfix: ${fix.title} [${fix.safety}]`);
  for (const [file, edits] of byFile) {
    const before = edits.some((e) => e.createFile) || !fs.existsSync(file) ? '' : fs.readFileSync(file, 'utf8');
    const after = apply(before, edits);
    const out = path.join(tmp, `${k}-${path.basename(file)}`);
    fs.writeFileSync(out, after);
    const tree = parseRuby(after);
    const treeOk = !tree.rootNode.hasError;
    tree.delete();
    let rubyOk = 'n/a';
    if (hasRuby) { try { execFileSync('ruby', ['-c', out], { stdio: 'pipe' }); rubyOk = 'ok'; } catch (e) { rubyOk = String(e.stderr).trim(); } }
    console.log(`- ${file}: tree-sitter ${treeOk ? 'ok' : 'ERROR'}; ruby -c ${rubyOk}`);
    if (before) {
      fs.writeFileSync(out + '.orig', before);
      try { execFileSync('diff', ['-u', out + '.orig', out], { encoding: 'utf8' }); } catch (e) { console.log(String(e.stdout).split('\n').slice(2).join('\n')); }
    } else console.log(after);
  }
}
