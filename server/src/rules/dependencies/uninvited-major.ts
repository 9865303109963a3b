import { defineRule } from '../../core/rule';
import { allowsNextMajor, isFloating } from '../../lockfile/graph';
import { dependencyFacts, isRuntimePrimitive, loadedOnlyByTests, lockAnalysis, settingsOf } from '../../lockfile/facts';
import { describeBreaking, dropPinNote } from '../../lockfile/knownBreaking';
import { formatDependants, planPin, recommendedPin } from '../../lockfile/pin';
import { UNINVITED_MAJOR_ACTIVE, uninvitedMajors } from '../../lockfile/uninvited';

export default defineRule({
  meta: {
    id: 'dependencies/uninvited-major',
    description: 'A gem the Gemfile does not name moved to a new major version since the base revision (a transitive update nobody asked for).',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['lockfile'],
  },
  create(ctx) {
    // Tells dependencies/floating-runtime-gem that this rule reports the gems it finds (one diagnostic per gem).
    ctx.derive(UNINVITED_MAJOR_ACTIVE, () => true);
    return {
      end() {
        const facts = dependencyFacts(ctx.app);
        if (!facts) return;
        const settings = settingsOf(ctx.app);
        const gemfile = facts.gemfile();
        for (const { node, from, fromV, crossed, edges, base } of uninvitedMajors(ctx).values()) {
          const pin = recommendedPin(from)!;
          const why = crossed.length > 0 && crossed[0].affected.length > 0
            ? `${crossed[0].entry.gem} ${crossed[0].entry.label} breaks ${crossed[0].affected.map((a) => `${a.gem} ${a.version}`).join(', ')}`
            : `${node.version} came in as an unrequested transitive update`;
          const drop = crossed.length > 0 ? dropPinNote(crossed[0]) : '';
          const plan = planPin(node, [pin], lockAnalysis(ctx).graph, gemfile, facts.gemfilePath, `Pin: keep ${node.name} on ${fromV.majorKey()}.x; ${why}.${drop}`);
          const floating = isFloating(node);
          const bound = floating ? 'nothing bounds it' : 'not every dependant bounds it';
          const parts = [`${node.name} ${from} → ${node.version} crossed a major version since ${base.label}; ${bound}: ${formatDependants(edges) || 'no dependant left'}.`];
          if (crossed.length > 0) parts.push(`Known break: ${describeBreaking(crossed[0])}`);
          // The fact dependencies/floating-runtime-gem would report on the same gem, in this one diagnostic.
          const next = allowsNextMajor(node);
          const runtime = node.runtime && !loadedOnlyByTests(node.name, settings, facts);
          if (runtime && floating && isRuntimePrimitive(node.name, settings, facts) && next.allowed && next.next) {
            parts.push(`It still floats (dependencies/floating-runtime-gem): the next major, ${next.next.toString()}.x, can arrive the same way.`);
          }
          parts.push(plan.conflict
            ? `A pin ${plan.line} would conflict with ${plan.conflict}; check the dependants' changelogs instead.`
            : `Pin it: ${plan.line}, then run \`bundle lock --update ${node.name}\`.`);
          const spec = node.specs[0];
          ctx.report({
            range: { start: { line: spec.line, character: spec.nameRange.startCol }, end: { line: spec.line, character: spec.nameRange.endCol } },
            message: parts.join(' '),
            severity: runtime ? undefined : 'info',
            fixes: plan.fix ? [plan.fix] : [],
          });
        }
      },
    };
  },
});
