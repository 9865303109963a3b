import { defineRule } from '../../core/rule';
import * as path from 'node:path';
import { GemVersion } from '../../lockfile/gemVersion';
import { allowsNextMajor, isFloating } from '../../lockfile/graph';
import { dependencyFacts, isRuntimePrimitive, lockAnalysis, settingsOf } from '../../lockfile/facts';
import { UNINVITED_MAJOR_ACTIVE, uninvitedMajors } from '../../lockfile/uninvited';
import { describeBreaking, dropPinNote, knownBreakingAhead, knownBreakingCrossed } from '../../lockfile/knownBreaking';
import { formatDependants, planPin, recommendedPin } from '../../lockfile/pin';

export default defineRule({
  meta: {
    id: 'dependencies/floating-runtime-gem',
    description: 'A low-level runtime gem (connection_pool, rack, pg, …) that nothing bounds above: `bundle update` of any dependant can move it to a new major.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['lockfile'],
  },
  create(ctx) {
    return {
      end() {
        const facts = dependencyFacts(ctx.app);
        const settings = settingsOf(ctx.app);
        const gemfile = facts?.gemfile();
        const { graph, locked } = lockAnalysis(ctx);
        const base = facts?.baseLockfile(path.basename(ctx.file));
        const baseVersions = new Map<string, string>();
        for (const s of base?.lock.specs ?? []) if (!baseVersions.has(s.name)) baseVersions.set(s.name, s.version);
        // A gem dependencies/uninvited-major reports gets one diagnostic there, with this rule's fact in it.
        const reportedThere = ctx.derive(UNINVITED_MAJOR_ACTIVE, () => false) ? uninvitedMajors(ctx) : new Map();
        for (const node of graph.gems.values()) {
          if (!isRuntimePrimitive(node.name, settings, facts) || settings.ignore.has(node.name)) continue;
          if (reportedThere.has(node.name)) continue;
          if (!node.runtime || node.dependants.length === 0 || !isFloating(node)) continue;
          const lockedV = GemVersion.parse(node.version);
          const next = allowsNextMajor(node);
          if (!lockedV || !next.allowed || !next.next) continue;

          const crossed = knownBreakingCrossed(node.name, undefined, node.version, locked).filter((m) => m.affected.length > 0);
          const ahead = knownBreakingAhead(node.name, node.version, locked).filter((m) => m.affected.length > 0);
          const baseVersion = baseVersions.get(node.name);
          const baseV = baseVersion !== undefined ? GemVersion.parse(baseVersion) : undefined;
          // Pin below a break the lock already crossed, else keep the base major, else the locked one.
          let pin: string[] | undefined;
          if (baseV && baseV.majorKey() !== lockedV.majorKey() && baseV.compare(lockedV) < 0) pin = [recommendedPin(baseVersion!)!];
          else if (crossed.length > 0) pin = [`< ${GemVersion.of(crossed[0].entry.version).majorKey()}`];
          else pin = [recommendedPin(node.version)!];

          const breaks = crossed.length > 0 ? crossed : ahead;
          const names = node.dependants.filter((d) => d.origin === 'spec').map((d) => d.from).join(', ');
          const comment = breaks.length > 0
            ? `Pin: ${breaks[0].entry.gem} ${breaks[0].entry.label} breaks ${breaks[0].affected.map((a) => `${a.gem} ${a.version}`).join(', ')}; nothing else bounds it.${dropPinNote(breaks[0])}`
            : `Pin: nothing bounds ${node.name} above${names ? ` (${names} accept any newer version)` : ''}.`;
          const plan = planPin(node, pin, graph, gemfile, facts?.gemfilePath ?? path.join(ctx.app.root, 'Gemfile'), comment);
          const spec = node.specs[0];
          const parts = [
            `${node.name} ${node.version} floats: nothing bounds it above, so \`bundle update\` of any dependant can move it to ${next.next.toString()}.x unnoticed: ${formatDependants(node.dependants)}.`,
          ];
          if (crossed.length > 0) parts.push(`Known break already locked: ${describeBreaking(crossed[0])}`);
          else if (ahead.length > 0) parts.push(`Known break ahead: ${describeBreaking(ahead[0])}`);
          parts.push(plan.conflict
            ? `A pin ${plan.requirements.join(', ')} would conflict with ${plan.conflict}; bound it where it is used instead.`
            : `Pin it: ${plan.line}, then run \`bundle lock --update ${node.name}\`.`);
          ctx.report({
            range: { start: { line: spec.line, character: spec.nameRange.startCol }, end: { line: spec.line, character: spec.nameRange.endCol } },
            message: parts.join(' '),
            severity: breaks.length > 0 ? undefined : 'info',
            fixes: plan.fix ? [plan.fix] : [],
          });
        }
      },
    };
  },
});
