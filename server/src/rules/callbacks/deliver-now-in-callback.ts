import { defineRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import { commitAlias, callbackText, fileCallbacks, innerText, reportRange, viaText, whereText } from '../../callbacks/analysis';

export default defineRule({
  meta: {
    id: 'callbacks/deliver-now-in-callback',
    description: 'deliver_now in a model callback sends mail over SMTP while the request (and often the transaction) waits.',
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
          for (const effect of d.resolved.effects) {
            if (effect.kind !== 'mail-now') continue;
            const range = reportRange(ctx.file, d, effect);
            const key = `${range.start.line}:${range.start.character}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const callback = callbackText(d.decl);
            const alias = commitAlias(d.decl.macro);
            const inTx = d.inTransaction && !effect.deferred;
            // `.deliver` (Rails before 4.2, or a mailer gem that kept the name and enqueues): sent or queued right there.
            const legacy = effect.fact.method === 'deliver';
            const head = `\`${effect.label}\` ${legacy ? 'sends mail (or, with a mailer gem such as resque_mailer, queues it) at once' : 'sends mail over SMTP synchronously'} in ${callback}${viaText(d, effect)}${whereText(ctx.app.root, ctx.file, effect)}${innerText(ctx.app.root, effect)}`;
            // The record a destroy removes cannot be loaded by a mail job: sending now is the deliberate choice, and deliver_later would break it.
            if (d.decl.event === 'destroy' && effect.fact.passesSelf) {
              ctx.report({
                range,
                severity: 'hint',
                message: `${head}: the mail is passed the record this destroy removes, so \`deliver_later\` would fail to load it. `
                  + (inTx ? 'It still goes out if the destroy rolls back; to avoid that, pass the mail the values it needs and deliver it from `after_destroy_commit`.' : 'The request waits on the mail server.'),
                fixes: [],
              });
              continue;
            }
            // A rescue around the delivery keeps an SMTP error from failing the save: what is left is the wait.
            if (effect.rescued) {
              ctx.report({
                range,
                severity: 'hint',
                message: `${head}, inside a \`rescue\`, so an SMTP error does not fail the ${d.decl.event === 'destroy' ? 'destroy' : 'save'}; `
                  + (inTx ? 'the transaction waits on the mail server, and the mail goes out even if it rolls back. ' : 'the request waits on the mail server. ')
                  + `Use \`deliver_later\`${inTx ? ` from \`${alias ?? 'an after_commit callback'}\`` : ''} unless the caller needs to know the mail was sent.`,
                fixes: [],
              });
              continue;
            }
            const message = `${head}: `
              + (inTx
                ? 'the save waits on the mail server inside its transaction, an SMTP error fails the save, and the mail goes out even if the transaction rolls back. '
                : 'the request waits on the mail server, and an SMTP error raises from the callback and skips the callbacks after it. ')
              + `Use \`deliver_later\`${inTx ? ` from \`${alias ?? 'an after_commit callback'}\`` : ''}.`;
            const fixes: Fix[] = [];
            // No rewrite for `.deliver`: `deliver_later` does not exist before Rails 4.2.
            if (effect.fact.location.file === ctx.file && !effect.inner && !legacy) {
              const loc = effect.fact.location;
              const name = effect.fact.method;
              fixes.push({
                title: `Use \`${name.replace('now', 'later')}\``,
                safety: 'unsafe',
                edits: [{ file: ctx.file, range: { start: { line: loc.endLine, character: loc.endCharacter - name.length }, end: { line: loc.endLine, character: loc.endCharacter } }, newText: name.replace('now', 'later') }],
              });
            }
            ctx.report({ range, message, fixes });
          }
        }
      },
    };
  },
});
