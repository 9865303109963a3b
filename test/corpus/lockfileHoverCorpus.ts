/**
 * Done-when check of the lockfile hover: for every gem of every lockfile in the corpus, the dependants
 * and requirements the hover shows (parsed back out of its markdown) equal Bundler's reverse
 * dependencies in the JSON beside the lockfile (Bundler::LockfileParser, see the corpus README).
 *
 * Usage (after `npx tsc -p .`):  node out/test/corpus/lockfileHoverCorpus.js /work/shared/corpora/lockfiles
 * Prints mismatches and totals; exits 1 on any mismatch. Nothing from the corpus is copied anywhere.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GemRequirement } from '../../server/src/lockfile/gemRequirement';
import { analyzeLock } from '../../server/src/lockfile/facts';
import { gemHoverMarkdown } from '../../server/src/hovers/lockfile';

interface BundlerDump {
  specs: { name: string; version: string; full_name: string }[];
  reverse_dependencies: Record<string, Array<{ from: string; requirement: string }>>;
}

const norm = (raw: string): string => GemRequirement.parse(raw)?.asList().join(', ') ?? `<unparseable ${raw}>`;

/** `name version -> requirement` and `(Gemfile) -> requirement` lines read back from the hover. */
function shownEdges(markdown: string): string[] {
  const start = markdown.indexOf('**Depended on by**');
  if (start < 0) return [];
  const out: string[] = [];
  for (const line of markdown.slice(start).split('\n').slice(1)) {
    if (!line.startsWith('- ')) break;
    const gemfile = /^- Gemfile: `([^`]*)`/.exec(line);
    if (gemfile) { out.push(`(Gemfile) -> ${norm(gemfile[1])}`); continue; }
    const m = /^- (\S+) (\S+): `([^`]*)`/.exec(line);
    if (m) out.push(`${m[1]} ${m[2]} -> ${norm(m[3])}`);
    else out.push(`<unreadable line ${line}>`);
  }
  return out;
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) { console.error('usage: node out/test/corpus/lockfileHoverCorpus.js <dir>'); process.exit(2); }
  let files = 0; let gems = 0; let edges = 0; let mismatches = 0; let ms = 0;
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.Gemfile.lock')).sort()) {
    const jsonPath = path.join(dir, f.replace(/\.Gemfile\.lock$/, '.json'));
    if (!fs.existsSync(jsonPath)) continue;
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const bundler = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as BundlerDump;
    const t0 = performance.now();
    const analysis = analyzeLock(text, undefined);
    const names = new Set<string>([...Object.keys(bundler.reverse_dependencies), ...bundler.specs.map((s) => s.name)]);
    const fullToNameVersion = new Map(bundler.specs.map((s) => [s.full_name, `${s.name} ${s.version}`]));
    let fileMismatches = 0;
    for (const name of names) {
      const mine = shownEdges(gemHoverMarkdown(name, analysis, undefined)).sort();
      const theirs = Array.from(new Set((bundler.reverse_dependencies[name] ?? []).map((e) =>
        `${e.from === '(Gemfile)' ? '(Gemfile)' : fullToNameVersion.get(e.from) ?? `?${e.from}`} -> ${e.requirement}`))).sort();
      gems++;
      edges += theirs.length;
      if (mine.join('\n') !== theirs.join('\n')) {
        fileMismatches++;
        console.log(`  ${f} ${name}: hover [${mine.join(' | ')}] bundler [${theirs.join(' | ')}]`);
      }
    }
    ms += performance.now() - t0;
    files++;
    mismatches += fileMismatches;
    console.log(`${fileMismatches === 0 ? 'ok  ' : 'FAIL'} ${f}: ${names.size} gems, ${fileMismatches} mismatch(es)`);
  }
  console.log(`\n${files} lockfiles, ${gems} gems, ${edges} dependant edges (incl. Gemfile) compared, ${mismatches} mismatch(es); ${ms.toFixed(0)} ms for parse + graph + every hover`);
  process.exit(mismatches === 0 ? 0 : 1);
}

main();
