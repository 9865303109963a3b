/**
 * Compares parseLockfile against Bundler's own parse of real lockfiles.
 *
 * Usage (after `npx tsc -p .`):  node out/test/corpus/lockfileCorpus.js /work/shared/corpora/lockfiles
 *
 * The directory holds `<app>.Gemfile.lock` with `<app>.json` beside it (Bundler's LockfileParser dump).
 * For every gem, the dependants (dependant name + version, platform variants collapsed) and their
 * requirement strings (raw as written, and normalised the way Gem::Requirement#to_s prints them) are
 * compared, plus the Gemfile (DEPENDENCIES) edges, specs, sources, platforms, checksums, RUBY VERSION
 * and BUNDLED WITH. Prints every mismatch and totals; exits 1 when there is any mismatch.
 * Nothing from the corpus is copied anywhere.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GemRequirement } from '../../server/src/lockfile/gemRequirement';
import { dependantsOf, parseLockfile, specsByName, type Lockfile } from '../../server/src/lockfile/lockfileParser';

interface BDep {
  name: string;
  requirement: string;
  requirement_raw: string | null;
  class: string;
}
interface BSpec {
  name: string;
  version: string;
  platform: string;
  platform_raw: string | null;
  full_name: string;
  source_index: number | null;
  source_type: string;
  dependencies: BDep[];
}
interface BTop {
  name: string;
  requirement: string;
  requirement_raw: string | null;
  pinned: boolean;
  class: string;
}
interface BSource {
  type: string;
  index: number;
  remotes?: string[];
  remote?: string;
  revision?: string;
  ref?: string;
  branch?: string;
  tag?: string;
  glob?: string;
  path?: string;
}
interface BChecksum {
  name: string;
  version: string;
  platform: string;
  checksums: string[];
}
interface BundlerDump {
  specs: BSpec[];
  dependencies: BTop[];
  sources: BSource[];
  platforms_raw: string[];
  ruby_version: string | null;
  bundled_with: string | null;
  reverse_dependencies: Record<string, Array<{ from: string; requirement: string; class: string }>>;
  checksums_raw_scan: BChecksum[];
}

interface Totals {
  files: number;
  gems: number;
  edges: number;
  gemfileEdges: number;
  specs: number;
  mismatches: number;
  printOrderDiffs: number;
}

function normalised(raw: string): string {
  const r = GemRequirement.parse(raw);
  return r ? r.asList().join(', ') : `<unparseable ${raw}>`;
}

function classOf(raw: string): string {
  const r = GemRequirement.parse(raw);
  return r ? r.classify() : '<unparseable>';
}

function sortedDiff(label: string, mine: string[], theirs: string[], out: string[]): void {
  const a = [...mine].sort();
  const b = [...theirs].sort();
  const onlyMine = a.filter((x) => !b.includes(x));
  const onlyTheirs = b.filter((x) => !a.includes(x));
  if (a.length !== b.length || onlyMine.length > 0 || onlyTheirs.length > 0) {
    out.push(`${label}: parser-only [${onlyMine.join(' | ')}] bundler-only [${onlyTheirs.join(' | ')}] (counts ${a.length} vs ${b.length})`);
  }
}

function compareFile(lockPath: string, jsonPath: string, totals: Totals): void {
  const text = fs.readFileSync(lockPath, 'utf8');
  const bundler = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as BundlerDump;
  const lock: Lockfile = parseLockfile(text);
  const out: string[] = [];

  for (const p of lock.problems) out.push(`problem at ${p.line + 1}:${p.startCol + 1}: ${p.message}`);

  // ---- specs ------------------------------------------------------------------------------------
  const bySpecKey = new Map<string, BSpec>();
  for (const s of bundler.specs) bySpecKey.set(`${s.full_name}`, s);
  const mySpecKeys = new Set<string>();
  for (const s of lock.specs) {
    mySpecKeys.add(`${s.name} ${s.version} ${s.platform ?? 'ruby'} src${s.sourceIndex}`);
  }
  const theirSpecKeys = new Set<string>();
  for (const s of bundler.specs) theirSpecKeys.add(`${s.name} ${s.version} ${s.platform_raw ?? s.platform} src${s.source_index}`);
  sortedDiff('specs', [...mySpecKeys], [...theirSpecKeys], out);
  totals.specs += bundler.specs.length;

  // Each Bundler spec's own dependency list (raw text and normalised), matched to my spec.
  for (const b of bundler.specs) {
    const mine = lock.specs.find(
      (s) => s.name === b.name && s.version === b.version && (s.platform ?? 'ruby') === (b.platform_raw ?? b.platform),
    );
    if (!mine) continue; // reported above
    const m = mine.dependencies.map((d) => `${d.name} (${d.requirement}) ${normalised(d.requirement)} ${classOf(d.requirement)}`);
    const t = b.dependencies.map((d) => `${d.name} (${d.requirement_raw ?? ''}) ${d.requirement} ${d.class}`);
    if (m.join('\n') !== t.join('\n')) sortedDiff(`dependencies of ${b.full_name}`, m, t, out);
    for (const d of mine.dependencies) {
      const r = GemRequirement.parse(d.requirement);
      if (r && r.toLockString() !== d.requirement) totals.printOrderDiffs++;
    }
  }

  // ---- reverse dependencies, per gem -------------------------------------------------------------
  const fullNameToNameVersion = new Map<string, string>();
  for (const s of bundler.specs) fullNameToNameVersion.set(s.full_name, `${s.name} ${s.version}`);
  const names = new Set<string>([...Object.keys(bundler.reverse_dependencies), ...specsByName(lock).keys()]);
  for (const d of lock.dependencies) names.add(d.name);
  for (const s of lock.specs) for (const d of s.dependencies) names.add(d.name);
  for (const name of names) {
    const mine = new Set<string>();
    for (const d of dependantsOf(lock, name)) {
      mine.add(`${d.dependant.name} ${d.dependant.version} -> ${normalised(d.requirement)}`);
      totals.edges++;
    }
    for (const d of lock.dependencies) {
      if (d.name === name) {
        mine.add(`(Gemfile) -> ${normalised(d.requirement)}`);
        totals.gemfileEdges++;
      }
    }
    const theirs = new Set<string>();
    for (const e of bundler.reverse_dependencies[name] ?? []) {
      const from = e.from === '(Gemfile)' ? '(Gemfile)' : fullNameToNameVersion.get(e.from) ?? `?${e.from}`;
      theirs.add(`${from} -> ${e.requirement}`);
    }
    sortedDiff(`dependants of ${name}`, [...mine], [...theirs], out);
    totals.gems++;
  }

  // ---- DEPENDENCIES ------------------------------------------------------------------------------
  sortedDiff(
    'DEPENDENCIES',
    dedupe(lock.dependencies.map((d) => `${d.name} (${d.requirement}) ${normalised(d.requirement)}${d.pinnedSource ? ' !' : ''}`)),
    bundler.dependencies.map((d) => `${d.name} (${d.requirement_raw ?? ''}) ${d.requirement}${d.pinned ? ' !' : ''}`),
    out,
  );

  // ---- sources ---------------------------------------------------------------------------------
  const typeMap: Record<string, string> = { GEM: 'rubygems', GIT: 'git', PATH: 'path', 'PLUGIN SOURCE': 'plugin' };
  const mySources = lock.sources.map((s) => {
    const o = s.options;
    const one = (k: string): string => {
      const v = o[k];
      return v === undefined ? '' : Array.isArray(v) ? v.join(',') : v;
    };
    const type = typeMap[s.type];
    if (type === 'rubygems') {
      const remotes = o.remote === undefined ? [] : Array.isArray(o.remote) ? [...o.remote] : [o.remote];
      return `${s.index} rubygems ${remotes.reverse().join(',')}`;
    }
    if (type === 'git') return `${s.index} git ${one('remote')} ${one('revision')} ${one('ref')} ${one('branch')} ${one('tag')} ${one('glob')}`;
    if (type === 'path') return `${s.index} path ${one('remote')}`;
    return `${s.index} ${type}`;
  });
  const theirSources = bundler.sources.map((s) => {
    if (s.type === 'rubygems') return `${s.index} rubygems ${(s.remotes ?? []).join(',')}`;
    if (s.type === 'git')
      return `${s.index} git ${s.remote ?? ''} ${s.revision ?? ''} ${s.ref ?? ''} ${s.branch ?? ''} ${s.tag ?? ''} ${s.glob ?? ''}`;
    if (s.type === 'path') return `${s.index} path ${s.path ?? ''}`;
    return `${s.index} ${s.type}`;
  });
  if (mySources.join('\n') !== theirSources.join('\n')) sortedDiff('sources', mySources, theirSources, out);

  // ---- PLATFORMS, CHECKSUMS, RUBY VERSION, BUNDLED WITH ------------------------------------------
  if (lock.platforms.map((p) => p.platform).join(' ') !== bundler.platforms_raw.join(' ')) {
    out.push(`PLATFORMS: parser [${lock.platforms.map((p) => p.platform).join(' ')}] bundler [${bundler.platforms_raw.join(' ')}]`);
  }
  sortedDiff(
    'CHECKSUMS',
    lock.checksums.map((c) => `${c.name} ${c.version} ${c.platform ?? 'ruby'} ${(c.checksum ?? '').split(',').map((x) => x.trim()).filter((x) => x).join(',')}`),
    bundler.checksums_raw_scan.map((c) => `${c.name} ${c.version} ${c.platform} ${c.checksums.join(',')}`),
    out,
  );
  if ((lock.rubyVersion?.value ?? null) !== bundler.ruby_version) {
    out.push(`RUBY VERSION: parser ${lock.rubyVersion?.value} bundler ${bundler.ruby_version}`);
  }
  if ((lock.bundledWith?.value ?? null) !== bundler.bundled_with) {
    out.push(`BUNDLED WITH: parser ${lock.bundledWith?.value} bundler ${bundler.bundled_with}`);
  }

  totals.files++;
  totals.mismatches += out.length;
  const label = path.basename(lockPath);
  console.log(`${out.length === 0 ? 'ok  ' : 'FAIL'} ${label}: ${lock.specs.length} specs, ${out.length} mismatch(es)`);
  for (const line of out) console.log(`     ${line}`);
}

function dedupe(xs: string[]): string[] {
  return Array.from(new Set(xs));
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node out/test/corpus/lockfileCorpus.js <dir with NAME.Gemfile.lock + NAME.json>');
    process.exit(2);
  }
  const totals: Totals = { files: 0, gems: 0, edges: 0, gemfileEdges: 0, specs: 0, mismatches: 0, printOrderDiffs: 0 };
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.Gemfile.lock')).sort();
  for (const f of files) {
    const json = path.join(dir, f.replace(/\.Gemfile\.lock$/, '.json'));
    if (!fs.existsSync(json)) {
      console.log(`skip ${f}: no ${path.basename(json)}`);
      continue;
    }
    compareFile(path.join(dir, f), json, totals);
  }
  console.log(
    `\n${totals.files} lockfiles, ${totals.specs} specs, ${totals.gems} gems compared, ` +
      `${totals.edges} spec edges + ${totals.gemfileEdges} Gemfile edges, ${totals.mismatches} mismatch(es); ` +
      `${totals.printOrderDiffs} requirement(s) not in Bundler's print order`,
  );
  process.exit(totals.mismatches === 0 ? 0 : 1);
}

main();
