import { defineRule } from '../../core/rule';
import { commitAlias, commitFix, callbackText, fileCallbacks, innerText, reportRange, viaText, whereText } from '../../callbacks/analysis';

export default defineRule({
  meta: {
    id: 'callbacks/external-call-in-callback',
    description: 'An HTTP call or broadcast in a callback that runs inside the save transaction.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['model'],
  },
  create(ctx) {
    return {
      end() {
        const fc = fileCallbacks(ctx);
        const seen = new Set<string>();
        for (const d of fc.declared) {
          if (!d.inTransaction) continue;
          const fix = commitFix(ctx, fc, d);
          for (const effect of d.resolved.effects) {
            if ((effect.kind !== 'http' && effect.kind !== 'broadcast') || effect.deferred) continue;
            const range = reportRange(ctx.file, d, effect);
            const key = `${range.start.line}:${range.start.character}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const callback = callbackText(d.decl);
            const alias = commitAlias(d.decl.macro);
            const where = whereText(ctx.app.root, ctx.file, effect) + innerText(ctx.app.root, effect);
            const what = effect.kind === 'http'
              ? `\`${effect.label}\` calls an external service inside the database transaction of ${callback}${viaText(d, effect)}${where}: `
                + 'the row locks stay held while the remote service answers, a slow or failing service fails the save, and if the transaction rolls back the call has already happened.'
              : `\`${effect.label}\` broadcasts inside the database transaction of ${callback}${viaText(d, effect)}${where}: `
                + 'subscribers are told about data that is not committed yet and may never be.';
            const instead = alias
              ? ` Run it after commit: \`${alias} :${d.decl.target.type === 'method' ? d.decl.target.name : 'method_name'}\`${effect.kind === 'http' ? ', or enqueue a job from there' : ''}.`
              : ' Move it to an after_commit callback or a job enqueued from one.';
            // Subscribers told early is a hint-level race; an HTTP call holding the transaction is worth acting on.
            ctx.report({ range, severity: effect.kind === 'broadcast' ? 'info' : undefined, message: what + instead, fixes: fix ? [fix] : [] });
          }
        }
      },
    };
  },
});
