#!/usr/bin/env node
// strong_migrations recall: which `safety_assured { }` / `safety_assured do ... end` blocks in an app's migrations get at
// least one finding when checked with `respectSafetyAssured: false` (blocks in `down` are skipped). Prints every block
// without a finding so a person can judge whether it wraps a real hazard.
//   npm run build && node scripts/eval/safety-assured-recall.mjs APP_ROOT report.json
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const { initParsers, parseRuby } = require(path.join(root, 'out/server/src/parsing/treeSitter.js'));
const [app, reportFile] = process.argv.slice(2);
const findings = JSON.parse(fs.readFileSync(reportFile, 'utf8')).findings;

await initParsers();
const blocks = [];
for (const dir of ['db/migrate', 'db/post_migrate']) {
  const abs = path.join(app, dir);
  if (!fs.existsSync(abs)) continue;
  for (const name of fs.readdirSync(abs).filter((f) => f.endsWith('.rb')).sort()) {
    const file = path.join(abs, name);
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes('safety_assured')) continue;
    const tree = parseRuby(text);
    const stack = [tree.rootNode];
    while (stack.length) {
      const node = stack.pop();
      if (node.type === 'call' && node.childForFieldName('method')?.text === 'safety_assured' && node.childForFieldName('block')) {
        let inDown = false;
        for (let p = node.parent; p; p = p.parent) if (p.type === 'method' && /^(self\.)?down$/.test(p.childForFieldName('name')?.text ?? '')) inDown = true;
        if (!inDown) blocks.push({ file, start: node.startPosition.row + 1, end: node.endPosition.row + 1, text: node.text });
      }
      for (let i = node.namedChildCount - 1; i >= 0; i--) stack.push(node.namedChild(i));
    }
    tree.delete();
  }
}
let hit = 0;
const missed = [];
for (const b of blocks) {
  const inside = findings.filter((f) => f.file === b.file && f.line >= b.start && f.line <= b.end);
  if (inside.length) hit++; else missed.push(b);
}
console.log(`${blocks.length} safety_assured blocks (up/change), ${hit} with a finding, ${missed.length} without`);
for (const b of missed) console.log(`\n--- ${path.relative(app, b.file)}:${b.start}\n${b.text.split('\n').slice(0, 12).join('\n')}`);
