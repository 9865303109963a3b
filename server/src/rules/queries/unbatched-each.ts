import { defineRule } from '../../core/rule';
import { queryModel } from '../../queries/analysis';
import { chainText } from '../../queries/fixes';
import { cardinalityOf, perEventCardinality, whyClause } from '../../queries/cardinality';

/** `order(:id)` is the order find_each iterates in anyway. */
const BY_PRIMARY_KEY = /^order\(\s*(:id|"id"|'id'|id: :asc|id: "asc"|:id => :asc)\s*\)$/;

export default defineRule({
  meta: {
    id: 'queries/unbatched-each',
    description: '`.each` over an unbounded relation in a job, rake task, model or script loads every row into memory at once; find_each loads batches of 1000.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['job', 'model', 'ruby'],
  },
  create(ctx) {
    return {
      end() {
        if (ctx.kind === 'ruby' && /(^|\/)(app\/views|app\/helpers|app\/controllers)\//.test(ctx.file.replace(/\\/g, '/'))) return;
        const model = queryModel(ctx);
        if (model.impact.impact === 'test') return;
        for (const site of model.links) {
          const r = site.receiver;
          if (site.link.name !== 'each' || !site.link.hasBlock || site.link.args.count > 0) continue;
          if (r.kind !== 'relation' || !r.model || r.perRow || r.loaded) continue;
          // Reused after the loop (`items.each { … }; items`): the loaded records are the point, find_each would drop them.
          if (r.bounded || (r.unsure && !r.queue) || r.ownerScoped || r.selected || r.locked || site.valueUsed || site.reusedAfter) continue;
          const drained = model.loops.find((l) => l.site === site)?.loop?.drained;
          const card = drained ?? perEventCardinality(cardinalityOf(r, model.sizes), r, site.eventParams);
          // A queue or a backlog the loop works off is as large as it has grown: small on a good day, every waiting
          // row after the consumer stalls. Teams batch these after the incident; a hint, since the size is unknown.
          const waiting = card.kind === 'unknown' && (!!drained
            || (!!r.queue && cardinalityOf({ ...r, unsure: undefined, queue: undefined }, model.sizes).kind === 'unbounded'));
          if (card.kind !== 'unbounded' && !waiting) continue;
          const relation = chainText(site.chain, site.index);
          const loads = waiting
            ? `\`${relation}.each\` loads every waiting ${r.model.name} into memory at once (${whyClause(site.impact, card)}); after a stall the backlog is as large as the table lets it grow, and one run loads all of it.`
            : site.impact.seeds
              ? `\`${relation}.each\` loads every matching ${r.model.name} into memory at once (${whyClause(site.impact, card)}); seed data runs against the database it fills, so these are mostly rows it created, but seeding a large database runs out of memory.`
              : `\`${relation}.each\` loads every matching ${r.model.name} into memory at once (${whyClause(site.impact, card)}); on a large table the process runs out of memory or time.`;
          // Seed data fills a fresh database: the rows it loops over are the ones it just created.
          const severity = waiting || site.impact.seeds ? 'hint' as const : undefined;
          if (r.ordered && !BY_PRIMARY_KEY.test(r.ordered)) {
            // find_each and in_batches iterate by primary key and ignore (or reject) an order: no one-word fix.
            ctx.report({
              range: site.link.nameRange,
              message: `${loads} \`find_each\` would ignore \`${r.ordered}\` (it batches by primary key), so batching needs an explicit cursor: `
                + '`in_batches(order: :desc)` (Rails 7.1+, primary key only), or load the ids in order (`pluck(:id)`) and `find_each`/`where(id: slice)` over them in slices; or drop the order if it does not matter.',
              severity,
            });
            continue;
          }
          ctx.report({
            range: site.link.nameRange,
            message: `${loads} Use \`${relation}.find_each\`, which loads batches of 1000 ordered by primary key.`,
            severity,
            fixes: [{
              title: 'Use `find_each` (batches of 1000, ordered by id)', safety: 'unsafe',
              changes: 'find_each iterates in primary-key order and returns nil instead of the records',
              edits: [{ file: ctx.file, range: site.link.nameRange, newText: 'find_each' }],
            }],
          });
        }
      },
    };
  },
});
