import * as path from 'node:path';
import { defineRule } from '../../core/rule';
import { GemVersion } from '../../lockfile/gemVersion';
import { isFloating } from '../../lockfile/graph';
import { dependencyFacts, lockAnalysis, settingsOf } from '../../lockfile/facts';
import { describeBreaking, dropPinNote, knownBreakingCrossed } from '../../lockfile/knownBreaking';
import { formatDependants, planPin, recommendedPin } from '../../lockfile/pin';

export default defineRule({
  meta: {
    id: 'dependencies/uninvited-major',
    description: 'A gem the Gemfile does not name moved to a new major version since the base revision (a transitive update nobody asked for).',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['lockfile'],
  },
  create(ctx) {
    return {
      end() {
        const facts = dependencyFacts(ctx.app);
        const base = facts?.baseLockfile(path.basename(ctx.file));
        if (!facts || !base) return;
        const settings = settingsOf(ctx.app);
        const gemfile = facts.gemfile();
        const { graph, locked } = lockAnalysis(ctx);
        const baseVersions = new Map<string, string>();
        for (const s of base.lock.specs) if (!baseVersions.has(s.name)) baseVersions.set(s.name, s.version);
        for (const node of graph.gems.values()) {
          if (settings.ignore.has(node.name) || node.direct || node.gemfile.length > 0) continue;
          const from = baseVersions.get(node.name);
          const fromV = from !== undefined ? GemVersion.parse(from) : undefined;
          const toV = GemVersion.parse(node.version);
          if (!fromV || !toV || fromV.compare(toV) >= 0 || fromV.majorKey() === toV.majorKey()) continue;
          // A dependant that now excludes the old version asked for the new major (a coordinated
          // release, e.g. datadog ~> 36.0 with libdatadog): invited, not floated.
          if (node.dependants.some((d) => d.parsed && !d.parsed.isSatisfiedBy(fromV))) continue;

          const crossed = knownBreakingCrossed(node.name, from, node.version, locked);
          // Every dependant declares an upper bound that admits the new major: its authors say it works.
          const edges = node.dependants.filter((d) => d.origin === 'spec');
          if (crossed.length === 0 && edges.length > 0 && edges.every((d) => d.class === 'bounded')) continue;
          const pin = recommendedPin(from!)!;
          const why = crossed.length > 0 && crossed[0].affected.length > 0
            ? `${crossed[0].entry.gem} ${crossed[0].entry.label} breaks ${crossed[0].affected.map((a) => `${a.gem} ${a.version}`).join(', ')}`
            : `${node.version} came in as an unrequested transitive update`;
          const drop = crossed.length > 0 ? dropPinNote(crossed[0]) : '';
          const plan = planPin(node, [pin], graph, gemfile, facts.gemfilePath, `Pin: keep ${node.name} on ${fromV.majorKey()}.x; ${why}.${drop}`);
          const bound = isFloating(node) ? 'nothing bounds it' : 'not every dependant bounds it';
          const parts = [`${node.name} ${from} → ${node.version} crossed a major version since ${base.label}; ${bound}: ${formatDependants(edges) || 'no dependant left'}.`];
          if (crossed.length > 0) parts.push(`Known break: ${describeBreaking(crossed[0])}`);
          parts.push(plan.conflict
            ? `A pin ${plan.line} would conflict with ${plan.conflict}; check the dependants' changelogs instead.`
            : `Pin it: ${plan.line}, then run \`bundle lock --update ${node.name}\`.`);
          const spec = node.specs[0];
          ctx.report({
            range: { start: { line: spec.line, character: spec.nameRange.startCol }, end: { line: spec.line, character: spec.nameRange.endCol } },
            message: parts.join(' '),
            severity: node.runtime ? undefined : 'info',
            fixes: plan.fix ? [plan.fix] : [],
          });
        }
      },
    };
  },
});
