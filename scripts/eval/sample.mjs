#!/usr/bin/env node
// Seeded random sample of findings from `rails-hazards check --format json` reports, printed with the code around
// each finding so that a person can judge it (true and worth acting on / true but low value / false).
//   node scripts/eval/sample.mjs --seed 11 --n 60 [--rule-prefix migrations/] [--min-severity warning] [--context 6] report.json...
import * as fs from 'node:fs';

const args = process.argv.slice(2);
const opt = { seed: 1, n: 60, rulePrefix: '', minSeverity: 'hint', context: 6, fixes: false };
const reports = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--seed') opt.seed = Number(args[++i]);
  else if (a === '--n') opt.n = Number(args[++i]);
  else if (a === '--rule-prefix') opt.rulePrefix = args[++i];
  else if (a === '--min-severity') opt.minSeverity = args[++i];
  else if (a === '--context') opt.context = Number(args[++i]);
  else if (a === '--with-fixes') opt.fixes = true;
  else reports.push(a);
}
const RANK = { hint: 0, info: 1, warning: 2, error: 3 };

// mulberry32: small, seedable, the same sequence on every machine.
function rng(seed) {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

const pool = [];
for (const file of reports) {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const f of report.findings) {
    if (!f.rule.startsWith(opt.rulePrefix)) continue;
    if (RANK[f.severity] < RANK[opt.minSeverity]) continue;
    if (opt.fixes && !(f.fixes ?? []).some((x) => !/^(Disable|Show documentation)/.test(x.title))) continue;
    pool.push(f);
  }
}
pool.sort((a, b) => (a.file + a.line + a.rule).localeCompare(b.file + b.line + b.rule));
const random = rng(opt.seed);
for (let i = pool.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [pool[i], pool[j]] = [pool[j], pool[i]];
}
const sample = pool.slice(0, opt.n);
console.log(`# ${sample.length} of ${pool.length} findings, seed ${opt.seed}`);
sample.forEach((f, k) => {
  console.log(`\n## ${k + 1}. ${f.rule} (${f.severity}) ${f.file}:${f.line}:${f.column}\n${f.message}`);
  const lines = fs.existsSync(f.file) ? fs.readFileSync(f.file, 'utf8').split('\n') : [];
  const from = Math.max(0, f.line - 1 - opt.context), to = Math.min(lines.length, f.line + opt.context);
  for (let l = from; l < to; l++) console.log(`${String(l + 1).padStart(5)}${l + 1 === f.line ? '>' : ' '} ${lines[l]}`);
  if (opt.fixes) for (const x of f.fixes ?? []) if (!/^(Disable|Show documentation)/.test(x.title)) console.log(`  fix: ${x.title} [${x.safety}]`);
});
