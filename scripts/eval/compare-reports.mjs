#!/usr/bin/env node
// Per app and rule, query and callback findings at warning or error and in all, between two folders of
// `rails-hazards check --format json` reports named <app>.json (before and after a change):
//   node scripts/eval/compare-reports.mjs BEFORE_DIR AFTER_DIR: per app, per rule (queries/callbacks), count at warning+ and total, before → after.
import fs from 'node:fs';
const [base, after] = process.argv.slice(2);
const apps = fs.readdirSync(after).filter((f) => f.endsWith('.json')).map((f) => f.replace('.json', ''));
const count = (file) => {
  const out = {};
  if (!fs.existsSync(file)) return out;
  for (const f of JSON.parse(fs.readFileSync(file, 'utf8')).findings) {
    if (!/^(queries|callbacks)\//.test(f.rule)) continue;
    const c = (out[f.rule] ??= { w: 0, all: 0 });
    c.all++; if (f.severity === 'warning' || f.severity === 'error') c.w++;
  }
  return out;
};
const totals = {};
for (const app of apps) {
  const b = count(`${base}/${app}.json`), a = count(`${after}/${app}.json`);
  const rules = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  const cells = rules.map((r) => {
    const x = b[r] ?? { w: 0, all: 0 }, y = a[r] ?? { w: 0, all: 0 };
    const t = (totals[r] ??= { bw: 0, ball: 0, aw: 0, aall: 0 });
    t.bw += x.w; t.ball += x.all; t.aw += y.w; t.aall += y.all;
    return `${r.replace(/^(queries|callbacks)\//, '')} ${x.w}/${x.all}→${y.w}/${y.all}`;
  });
  console.log(`| ${app} | ${cells.join('; ')} |`);
}
console.log('\n| rule | warning+ before → after | all before → after |\n|---|---|---|');
for (const [r, t] of Object.entries(totals).sort()) console.log(`| ${r} | ${t.bw} → ${t.aw} | ${t.ball} → ${t.aall} |`);
