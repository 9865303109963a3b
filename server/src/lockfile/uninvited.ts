/**
 * Gems the Gemfile does not name that crossed a major version since the base revision, shared by
 * dependencies/uninvited-major (which reports them) and dependencies/floating-runtime-gem (which leaves a
 * gem reported by uninvited-major to that one diagnostic, so a gem gets one finding with both facts).
 *
 * Pure module: reads the base lockfile through DependencyFacts.
 */
import * as path from 'node:path';
import type { RuleContext } from '../core/rule';
import { GemVersion } from './gemVersion';
import type { DependantEdge, GemNode } from './graph';
import { dependencyFacts, lockAnalysis, settingsOf, type BaseLockfile } from './facts';
import { knownBreakingCrossed, type KnownBreakingMatch } from './knownBreaking';

export interface UninvitedMajor {
  node: GemNode;
  from: string;
  fromV: GemVersion;
  toV: GemVersion;
  crossed: KnownBreakingMatch[];
  edges: DependantEdge[];
  base: BaseLockfile;
}

/** Set by dependencies/uninvited-major when it runs in this analysis (it is not off). */
export const UNINVITED_MAJOR_ACTIVE = 'dependencies/uninvited-major-active';

export function uninvitedMajors(ctx: RuleContext): Map<string, UninvitedMajor> {
  return ctx.derive('dependencies/uninvited-majors', () => {
    const out = new Map<string, UninvitedMajor>();
    const facts = dependencyFacts(ctx.app);
    const base = facts?.baseLockfile(path.basename(ctx.file));
    if (!facts || !base) return out;
    const settings = settingsOf(ctx.app);
    const { graph, locked } = lockAnalysis(ctx);
    const baseVersions = new Map<string, string>();
    for (const s of base.lock.specs) if (!baseVersions.has(s.name)) baseVersions.set(s.name, s.version);
    for (const node of graph.gems.values()) {
      if (settings.ignore.has(node.name) || node.direct || node.gemfile.length > 0) continue;
      const from = baseVersions.get(node.name);
      const fromV = from !== undefined ? GemVersion.parse(from) : undefined;
      const toV = GemVersion.parse(node.version);
      if (!from || !fromV || !toV || fromV.compare(toV) >= 0 || fromV.majorKey() === toV.majorKey()) continue;
      // A dependant that now excludes the old version asked for the new major (a coordinated
      // release, e.g. datadog ~> 36.0 with libdatadog): invited, not floated.
      if (node.dependants.some((d) => d.parsed && !d.parsed.isSatisfiedBy(fromV))) continue;
      const crossed = knownBreakingCrossed(node.name, from, node.version, locked);
      // Every dependant declares an upper bound that admits the new major: its authors say it works.
      const edges = node.dependants.filter((d) => d.origin === 'spec');
      if (crossed.length === 0 && edges.length > 0 && edges.every((d) => d.class === 'bounded')) continue;
      out.set(node.name, { node, from, fromV, toV, crossed, edges, base });
    }
    return out;
  });
}
