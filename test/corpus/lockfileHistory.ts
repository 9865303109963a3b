/**
 * Replays a repository's lockfile history: for the last N first-parent commits that changed
 * Gemfile.lock, runs the dependency rules on the commit's lockfile with the parent's lockfile as the
 * base and the commit's Gemfile. Reads the repository with `git cat-file` only; runs nothing from it.
 *
 * Usage (after `npx tsc -p .`):  node out/test/corpus/lockfileHistory.js <git dir> [N=300]
 */
import * as path from 'path';
import { execFileSync } from 'child_process';
import { initParsers, parseRuby } from '../../server/src/parsing/treeSitter';
import { analyze } from '../../server/src/core/engine';
import { emptyAppFacts } from '../../server/src/core/appFacts';
import { defaultConfig } from '../../server/src/config/config';
import { readGemfile } from '../../server/src/lockfile/gemfile';
import { parseLockfile } from '../../server/src/lockfile/lockfileParser';
import { DEPENDENCY_FACTS_KEY, readDependencySettings, type DependencyFacts } from '../../server/src/lockfile/facts';
import { dependencyRules } from '../../server/src/rules/dependencies';

const [gitDir, nArg] = [process.argv[2], process.argv[3]];
if (!gitDir) { console.error('usage: node out/test/corpus/lockfileHistory.js <git dir> [N]'); process.exit(2); }
const git = (...args: string[]): string => execFileSync('git', ['-c', 'core.fsmonitor=false', '--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const show = (rev: string, file: string): string | undefined => { try { return git('cat-file', 'blob', `${rev}:${file}`); } catch { return undefined; } };

async function main(): Promise<void> {
  await initParsers();
  const commits = git('log', '--first-parent', '--format=%H %cs', `-n${Number(nArg ?? 300)}`, 'HEAD', '--', 'Gemfile.lock').trim().split('\n').map((l) => l.split(' '));
  let fired = 0; let ms = 0;
  const counts: Record<string, number> = {};
  const samples: string[] = [];
  for (const [commit, date] of commits) {
    const lock = show(commit, 'Gemfile.lock');
    const base = show(`${commit}^`, 'Gemfile.lock');
    const gemfileText = show(commit, 'Gemfile');
    if (!lock || !base) continue;
    const tree = gemfileText !== undefined ? parseRuby(gemfileText) : undefined;
    const gemfile = tree ? readGemfile(tree, gemfileText!) : undefined;
    tree?.delete();
    const app = emptyAppFacts('/app', defaultConfig());
    const deps: DependencyFacts = {
      settings: readDependencySettings(undefined), gemfilePath: '/app/Gemfile', gemfile: () => gemfile,
      baseLockfile: () => ({ label: 'parent', commit, lock: parseLockfile(base) }),
      currentLockfile: () => undefined, configFile: () => ({ path: '/app/.rails-hazards.yml', text: undefined }),
    };
    app.shared.set(DEPENDENCY_FACTS_KEY, deps);
    const t0 = performance.now();
    const r = analyze({ file: '/app/Gemfile.lock', text: lock, kind: 'lockfile' }, app, dependencyRules);
    ms += performance.now() - t0;
    const uninvited = r.findings.filter((f) => f.ruleId === 'dependencies/uninvited-major');
    if (uninvited.length > 0) fired++;
    for (const f of uninvited) samples.push(`${commit.slice(0, 10)} ${date} ${f.severity} ${f.message}`);
    for (const f of r.findings) counts[f.ruleId] = (counts[f.ruleId] ?? 0) + 1;
  }
  console.log(`${path.basename(path.dirname(gitDir))}: ${commits.length} lockfile commits, uninvited-major on ${fired}; findings ${JSON.stringify(counts)}; ${(ms / Math.max(1, commits.length)).toFixed(1)} ms/commit`);
  for (const s of samples) console.log(`  ${s}`);
}

void main();
