// Hover on a gem name anywhere in Gemfile.lock (spec, dependency, DEPENDENCIES, CHECKSUMS line) and on
// `gem "x"` lines in the Gemfile: locked version and source, the Gemfile requirement, every dependant
// with its constraint, the effective range, runtime or development/test, the base version and known
// breaking changes.
import * as path from 'node:path';
import { nodeAt, type HoverInput, type HoverProvider, type HoverResult } from '../core/hover';
import type { Range } from '../core/types';
import { GemVersion } from '../lockfile/gemVersion';
import { readGemfile, type Gemfile } from '../lockfile/gemfile';
import { allowsNextMajor, effectiveRange, requirementText, type GemNode } from '../lockfile/graph';
import { analyzeLock, dependencyFacts, lockAnalysis, type BaseLockfile, type LockAnalysis } from '../lockfile/facts';
import { knownBreakingAhead, knownBreakingCrossed, type KnownBreakingMatch } from '../lockfile/knownBreaking';
import { dependantsOf, type LockRange, type LockSource } from '../lockfile/lockfileParser';

export const lockfileHover: HoverProvider = {
  id: 'lockfile',
  fileKinds: ['lockfile', 'gemfile'],
  hover(input) {
    return input.kind === 'lockfile' ? hoverInLockfile(input) : hoverInGemfile(input);
  },
};

function hoverInLockfile(input: HoverInput): HoverResult | undefined {
  const analysis = lockAnalysis(input);
  const hit = nameAt(analysis, input.position.line, input.position.character);
  if (!hit) return undefined;
  const base = dependencyFacts(input.app)?.baseLockfile(path.basename(input.file));
  return { markdown: gemHoverMarkdown(hit.name, analysis, base), range: toRange(hit.range) };
}

function hoverInGemfile(input: HoverInput): HoverResult | undefined {
  if (!input.tree) return undefined;
  const node = nodeAt(input.tree, input.position);
  if (!node) return undefined;
  const gemfile = input.derive<Gemfile>('dependencies/gemfile', () => readGemfile(input.tree!, input.text));
  const line = input.position.line;
  const gem = gemfile.gems.find((g) => g.range.start.line <= line && line <= g.range.end.line);
  if (!gem) return undefined;
  const facts = dependencyFacts(input.app);
  const current = facts?.currentLockfile();
  if (!current) {
    return { markdown: `**${gem.name}**\n\nNot locked: no Gemfile.lock next to this Gemfile.`, range: gem.nameRange };
  }
  const analysis = input.derive<LockAnalysis>('dependencies/gemfile-lock-analysis', () => analyzeLock(current.text, gemfile));
  const base = facts?.baseLockfile(path.basename(current.file));
  return { markdown: gemHoverMarkdown(gem.name, analysis, base), range: gem.nameRange };
}

function toRange(r: LockRange): Range {
  return { start: { line: r.line, character: r.startCol }, end: { line: r.line, character: r.endCol } };
}

function inRange(r: LockRange, line: number, character: number): boolean {
  return r.line === line && r.startCol <= character && character <= r.endCol;
}

/** The gem name under the cursor in a lockfile, if any. */
export function nameAt(analysis: LockAnalysis, line: number, character: number): { name: string; range: LockRange } | undefined {
  const { lock } = analysis;
  for (const s of lock.specs) {
    if (s.line === line && inRange(s.nameRange, line, character)) return { name: s.name, range: s.nameRange };
    for (const d of s.dependencies) if (inRange(d.nameRange, line, character)) return { name: d.name, range: d.nameRange };
  }
  for (const d of lock.dependencies) if (inRange(d.nameRange, line, character)) return { name: d.name, range: d.nameRange };
  for (const c of lock.checksums) if (inRange(c.nameRange, line, character)) return { name: c.name, range: c.nameRange };
  return undefined;
}

function sourceText(source: LockSource | undefined): string {
  if (!source) return 'unknown';
  const opt = (k: string): string | undefined => {
    const v = source.options[k];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  switch (source.type) {
    case 'GEM': return `rubygems ${opt('remote') ?? ''}`.trim();
    case 'GIT': {
      const extra = ['branch', 'tag', 'ref'].map((k) => (opt(k) ? `${k} ${opt(k)}` : undefined)).filter(Boolean);
      const rev = opt('revision');
      return `git ${opt('remote') ?? ''}${rev ? ` at ${rev.slice(0, 12)}` : ''}${extra.length ? ` (${extra.join(', ')})` : ''}`;
    }
    case 'PATH': return `path ${opt('remote') ?? ''}`.trim();
    default: return `plugin source ${opt('type') ?? ''}`.trim();
  }
}

function classNote(c: GemNode['dependants'][number]['class']): string {
  if (c === 'floor_only' || c === 'unconstrained') return ' (floor only)';
  if (c === 'malformed') return ' (malformed)';
  return '';
}

function linkLabel(url: string): string {
  const m = /github\.com\/[^/]+\/([^/]+)\/(?:issues|pull)\/(\d+)/.exec(url);
  return m ? `${m[1]}#${m[2]}` : url;
}

function breakingLine(m: KnownBreakingMatch): string {
  const affected = m.affected.length > 0
    ? ` With your ${m.affected.map((a) => `${a.gem} ${a.version}`).join(', ')}: ${m.affected[0].effect}.${m.affected[0].fixedIn ? ` Fixed in ${m.affected[0].gem} ${m.affected[0].fixedIn}.` : ''}`
    : m.entry.affects.length > 0 ? ` Affects ${m.entry.affects.map((a) => `${a.gem} ${a.requirement}`).join('; ')}; not your locked versions.` : '';
  const links = m.entry.links.map((u) => `[${linkLabel(u)}](${u})`).join(', ');
  return `- **${m.entry.gem} ${m.entry.label}** changed ${m.entry.change}.${affected}${links ? ` ${links}` : ''}`;
}

/** The hover text for one gem. Exported for the corpus check (test/corpus/lockfileHoverCorpus.ts). */
export function gemHoverMarkdown(name: string, analysis: LockAnalysis, base: BaseLockfile | undefined): string {
  const node = analysis.graph.gems.get(name);
  if (!node) {
    // e.g. `bundler`, or a gem locked only for another platform: still say who asks for it.
    const direct = analysis.lock.dependencies.find((d) => d.name === name);
    const out = [`**${name}**`, '', `Not locked in this Gemfile.lock${direct ? ` (the Gemfile asks for ${requirementText(direct.requirement)}; run \`bundle lock\`)` : ''}.`];
    const deps = dependantsOf(analysis.lock, name);
    if (deps.length > 0 || direct) {
      out.push('', `**Depended on by** (${deps.length} gem${deps.length === 1 ? '' : 's'}${direct ? ' and the Gemfile' : ''})`);
      for (const d of deps) out.push(`- ${d.dependant.name} ${d.dependant.version}: \`${requirementText(d.requirement)}\``);
      if (direct) out.push(`- Gemfile: \`${requirementText(direct.requirement)}\``);
    }
    return out.join('\n');
  }
  const lines: string[] = [];
  const platforms = node.specs.map((s) => s.platform).filter((p): p is string => !!p);
  const versions = Array.from(new Set(node.specs.map((s) => s.version)));
  const usage = !analysis.graph.hasGemfile && node.runtime ? 'runtime (no Gemfile read)' : node.runtime ? 'runtime' : 'development/test only';
  lines.push(`**${name} ${versions.join(', ')}** · ${usage}`);
  lines.push('');
  lines.push(`- Source: ${sourceText(node.source)}${platforms.length > 0 ? `; platforms: ${platforms.join(', ')}` : ''}`);
  const gemfileEdge = node.dependants.find((d) => d.origin === 'gemfile');
  if (node.gemfile.length > 0 || node.direct) {
    const entry = node.gemfile[0];
    const req = entry ? (entry.requirements.length > 0 ? entry.requirements.map((r) => `\`${r}\``).join(', ') : 'any version')
      : requirementText(node.direct!.requirement);
    const where = entry ? ` (line ${entry.range.start.line + 1}, groups: ${entry.groups.join(', ')})` : '';
    const pinned = node.direct?.pinnedSource ? ', explicit source (`!`)' : '';
    const since = !node.direct ? ' — added since the last `bundle lock`' : gemfileEdge ? ' — changed since the last `bundle lock`' : '';
    lines.push(`- Gemfile: ${req}${where}${pinned}${since}`);
  } else {
    lines.push('- Gemfile: not named (transitive)');
  }
  const next = allowsNextMajor(node);
  const range = effectiveRange(node);
  const open = range.endsWith(' (no upper bound)');
  lines.push(`- Allowed range: \`${open ? range.slice(0, -' (no upper bound)'.length) : range}\`${open ? ', no upper bound' : ''}`
    + `${next.next ? `; next major (${next.next.toString()}) allowed: ${next.allowed ? '**yes**' : 'no'}` : ''}`);
  const baseSpec = base?.lock.specs.find((s) => s.name === name);
  if (base) {
    const at = `- At base (${base.label}, ${base.commit.slice(0, 8)})`;
    if (!baseSpec) lines.push(`${at}: not locked (new since then)`);
    else {
      const from = GemVersion.parse(baseSpec.version);
      const to = GemVersion.parse(node.version);
      const crossed = from && to && from.compare(to) < 0 && from.majorKey() !== to.majorKey();
      const same = from && to && from.compare(to) === 0;
      lines.push(`${at}: ${baseSpec.version}${same ? ' (unchanged)' : ` → ${node.version}${crossed ? ', **crossed a major version**' : ''}`}`);
    }
  }
  lines.push('');
  const edges = node.dependants.filter((d) => d.origin === 'spec');
  const others = node.dependants.filter((e) => e.origin !== 'spec');
  lines.push(`**Depended on by** (${edges.length} gem${edges.length === 1 ? '' : 's'}${others.length > 0 ? ' and the Gemfile' : ''})`);
  for (const d of edges) lines.push(`- ${d.from} ${d.fromVersion}: \`${requirementText(d.requirement)}\`${classNote(d.class)}`);
  for (const d of others) {
    lines.push(`- Gemfile${d.origin === 'gemfile' ? ' (not yet locked)' : ''}: \`${requirementText(d.requirement)}\`${classNote(d.class)}`);
  }
  const crossed = knownBreakingCrossed(name, baseSpec?.version, node.version, analysis.locked);
  const ahead = next.allowed ? knownBreakingAhead(name, node.version, analysis.locked) : [];
  if (crossed.length + ahead.length > 0) {
    lines.push('');
    lines.push('**Known breaking changes**');
    for (const m of crossed) lines.push(breakingLine(m));
    for (const m of ahead) lines.push(breakingLine(m).replace(/^- /, '- Ahead (allowed): '));
  }
  return lines.join('\n');
}
