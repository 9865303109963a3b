import type { Effect } from '../../callbacks/effects';
import { defineRule } from '../../core/rule';
import { commitAlias, commitFix, callbackText, fileCallbacks, innerText, reportRange, viaText, whereText } from '../../callbacks/analysis';
import { activeJobDeferral } from '../../callbacks/settings';
import { jobIsDetached } from '../../callbacks/jobArguments';
import { appClassesOf } from '../../callbacks/appClasses';
import { exclusiveBranches } from '../../callbacks/facts';

export default defineRule({
  meta: {
    id: 'callbacks/job-enqueued-before-commit',
    description: 'A job enqueued from a callback that runs before COMMIT can run before the row is visible, or for a row that is rolled back.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['model'],
  },
  create(ctx) {
    return {
      end() {
        const fc = fileCallbacks(ctx);
        const deferral = activeJobDeferral(ctx.app);
        const seen = new Set<string>();
        for (const d of fc.declared) {
          if (!d.inTransaction) continue;
          const fix = commitFix(ctx, fc, d);
          for (const effect of d.resolved.effects) {
            if ((effect.kind !== 'job' && effect.kind !== 'mail-later') || effect.deferred) continue;
            const activeJob = effect.jobSystem === 'activejob';
            if (activeJob && deferral.deferred === true) continue;
            if (effect.jobSystem === 'sidekiq' && ctx.app.sidekiqTransactionalPush) continue;
            const range = reportRange(ctx.file, d, effect);
            const key = `${range.start.line}:${range.start.character}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const callback = callbackText(d.decl);
            const alias = commitAlias(d.decl.macro);
            const what = effect.kind === 'mail-later' ? 'enqueues a mail job' : 'enqueues a job';
            const row = d.decl.event === 'destroy' ? 'a row that is then not deleted (rollback)'
              : d.decl.event === 'update' ? 'the row before its change is committed (it reads the old values) or for a change that is rolled back'
                : 'the row before it is committed (ActiveRecord::RecordNotFound, stale data) or for a row that is rolled back';
            const system = effect.jobSystem === 'sidekiq' ? ' Sidekiq pushes it to Redis at once (perform_async is not deferred without `Sidekiq.transactional_push!`).'
              : effect.jobSystem === 'activejob' ? ` (${deferral.why}.)` : '';
            const instead = alias
              ? ` Enqueue it from \`${alias} :${d.decl.target.type === 'method' ? d.decl.target.name : 'method_name'}\`.`
              : d.decl.origin?.startsWith('aasm event')
                ? ' Enqueue it from the event\'s `after_commit` hook (it runs after COMMIT when the event is fired with a bang).'
                : ' Enqueue it from an after_commit callback.';
            // A job that runs later, or that gets no handle on the row, cannot read it before COMMIT: only a
            // rollback leaves it behind, which is worth a hint, not a warning.
            const detached = effect.fact.scheduled ? 'it waits at least a minute, so it runs after COMMIT'
              : jobIsDetached(effect.fact, d.model, fc.index, ctx.app.schema, appClassesOf(ctx.app))
                ? `its arguments${effect.fact.jobArgs?.length ? '' : ' (none)'} do not identify this row and the job does not look up ${d.model.name.split('::').pop()}, so it cannot read the uncommitted row`
                : undefined;
            // A mail about a row that exists already renders data committed before: it goes wrong only when the
            // save rolls back after it, for a change that did not happen. Work after it in the hook (a write, a
            // transition, an external call) makes that rollback possible, not likely: judged on real apps (failure
            // notices before a payout's transition), such mails were worth a hint, not a warning.
            if (!detached && effect.kind === 'mail-later' && (d.decl.event === 'update' || d.decl.event === 'destroy')) {
              const later = laterWork(effect, d.resolved.effects);
              const rollback = d.decl.event === 'destroy' ? 'destroy' : 'save';
              ctx.report({
                range,
                severity: 'hint',
                message: `\`${effect.label}\` ${what} in ${callback}${viaText(d, effect)}${whereText(ctx.app.root, ctx.file, effect)}${innerText(ctx.app.root, effect)}, before the transaction commits; the mail is about a row that already exists`
                  + (later ? `, so it goes wrong only when \`${later.label}\` after it fails and the ${rollback} rolls back.` : ` and is the hook's last step, so it goes wrong only when the ${rollback} rolls back after it.`) + instead,
                fixes: fix ? [fix] : [],
              });
              continue;
            }
            if (detached) {
              ctx.report({
                range,
                severity: 'hint',
                message: `\`${effect.label}\` ${what} in ${callback}${viaText(d, effect)}${whereText(ctx.app.root, ctx.file, effect)}, before the transaction commits; ${detached}, but a rolled-back ${d.decl.event === 'destroy' ? 'destroy' : 'save'} still leaves the job behind.${instead}`,
                fixes: fix ? [fix] : [],
              });
              continue;
            }
            ctx.report({
              range,
              severity: activeJob && deferral.deferred === 'by-default' ? 'info' : undefined,
              message: `\`${effect.label}\` ${what} in ${callback}${viaText(d, effect)}${whereText(ctx.app.root, ctx.file, effect)}${innerText(ctx.app.root, effect)}, before the transaction commits: a worker can run it against ${row}.${system}${instead}`,
              fixes: fix ? [fix] : [],
            });
          }
        }
      },
    };
  },
});

/** Work that can fail after a mail is enqueued, rolling back the change the mail announces. */
const LATER_WORK = new Set(['write', 'self-write', 'maybe-write', 'http', 'mail-now']);

/**
 * A write or call that can fail after the mail in its hook: in the same method, later in the text; one reached
 * through other methods (whose order the text does not give) counts wherever it is.
 */
function laterWork(mail: Effect, effects: Effect[]): Effect | undefined {
  const sameMethod = (e: Effect): boolean => e.via.length === mail.via.length && e.via.every((m, i) => m === mail.via[i]);
  // Work on another branch of a conditional in the mail's method never runs after it.
  return effects.find((e) => e !== mail && LATER_WORK.has(e.kind)
    && (!sameMethod(e) || (after(e.fact.location, mail.fact.location) && !exclusiveBranches(e.fact, mail.fact))));
}

function after(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line > b.line || (a.line === b.line && a.character > b.character);
}
