/**
 * Runs the dependency rules over every corpus lockfile (no Gemfile: every DEPENDENCIES entry counts as
 * runtime; no base: uninvited-major is silent) and prints the floating gems per lockfile.
 *
 * Usage (after `npx tsc -p .`):  node out/test/corpus/lockfileRulesCorpus.js /work/shared/corpora/lockfiles
 */
import * as fs from 'fs';
import * as path from 'path';
import { analyze } from '../../server/src/core/engine';
import { emptyAppFacts } from '../../server/src/core/appFacts';
import { defaultConfig } from '../../server/src/config/config';
import { dependencyRules } from '../../server/src/rules/dependencies';

const dir = process.argv[2];
if (!dir) { console.error('usage: node out/test/corpus/lockfileRulesCorpus.js <dir>'); process.exit(2); }
const byGem: Record<string, number> = {};
let total = 0; let warnings = 0;
for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.Gemfile.lock')).sort()) {
  const text = fs.readFileSync(path.join(dir, f), 'utf8');
  const t0 = performance.now();
  const r = analyze({ file: '/app/Gemfile.lock', text, kind: 'lockfile' }, emptyAppFacts('/app', defaultConfig()), dependencyRules);
  const ms = performance.now() - t0;
  for (const x of r.findings) {
    const g = x.message.split(' ')[0];
    byGem[g] = (byGem[g] ?? 0) + 1;
    total++;
    if (x.severity === 'warning') warnings++;
  }
  console.log(`${f}: ${r.findings.length} (${ms.toFixed(1)} ms): ${r.findings.map((x) => `${x.message.split(' ')[0]}${x.severity === 'warning' ? ' (warning)' : ''}`).join(', ')}`);
}
console.log(`total ${total} (${warnings} warnings); by gem ${JSON.stringify(byGem)}`);
