import { defineRule } from '../../core/rule';
import { loopCardinality, perRowWorkOf, queryModel, rowCardinality, type LinkSite } from '../../queries/analysis';
import { nPlusOneSeverity, whyClause } from '../../queries/cardinality';
import { hasScope } from '../../queries/values';
import { hasCounterCache, noun } from '../../queries/fixes';
import { ASSOCIATION_QUERY_METHODS, EXECUTING_METHODS } from '../../queries/vocabulary';

const UPSERTS = new Set(['find_or_create_by', 'find_or_create_by!', 'find_or_initialize_by', 'create_or_find_by', 'create_or_find_by!',
  'first_or_create', 'first_or_create!', 'first_or_initialize']);

export default defineRule({
  meta: {
    id: 'queries/query-in-loop',
    description: 'A query (where, find_by, count, exists?, pluck…) run once per element inside a loop: includes cannot preload it.',
    defaultSeverity: 'warning',
    fix: 'none',
    fileKinds: ['job', 'model', 'controller', 'view', 'ruby'],
  },
  create(ctx) {
    return {
      end() {
        const models = queryModel(ctx).models;
        if (!models) return;
        const reported = new Set<string>();
        const text = (site: LinkSite): string => slice(ctx.text, site);
        for (const site of queryModel(ctx).links) {
          const chainKey = `${site.chain.rootRange.start.line}:${site.chain.rootRange.start.character}`;
          if (reported.has(chainKey)) continue;
          const r = site.receiver;
          const name = site.link.name;
          // N2: a query on an association of the loop element.
          if (r.kind === 'collection' && r.perRow && r.model && r.association) {
            const isQuery = ASSOCIATION_QUERY_METHODS.has(name) || name === 'count' || (hasScope(models, r.model, name) && !site.link.hasBlock);
            if (!isQuery || site.link.hasBlock && name !== 'count') continue;
            if (name === 'count' && (site.link.args.count > 0 || site.link.hasBlock)) continue;
            if (name === 'count' && r.loaded) continue; // count-on-loaded-relation
            reported.add(chainKey);
            const card = rowCardinality(queryModel(ctx), r.perRow.loopId, r.perRow.collection);
            const work = perRowWorkOf(queryModel(ctx), r.perRow.loopId);
            const severity = nPlusOneSeverity(site.impact, card, work);
            if (!severity) continue;
            const pathKey = `${r.perRow.loopId}:${r.perRow.path.join('.')}:${name}`;
            if (reported.has(pathKey)) continue;
            reported.add(pathKey);
            const owner = r.association.owner;
            const assoc = r.association.info.name;
            const per = noun(r.perRow.collection.model ?? owner);
            let advice: string;
            if (name === 'count') {
              advice = hasCounterCache(models, ctx.app.schema, owner, r.association.info)
                ? `\`${assoc}.size\` reads the counter cache instead.`
                : `Use \`${assoc}.size\` with \`includes(:${assoc})\` when the records are shown anyway, or add a counter cache (\`belongs_to :${singular(owner)}, counter_cache: true\`).`;
            } else {
              advice = `includes cannot preload a filtered query: define a scoped association (\`has_many :${name === 'where' ? 'matching_' + assoc : assoc + '_' + name.replace(/[!?]/g, '')}, -> { … }\`) and preload it, or load them for all ${per}s at once (\`${r.model.name}.where(${singular(owner)}_id: ids)\`) and group in memory.`;
            }
            ctx.report({
              range: site.range,
              severity,
              message: `\`${text(site)}\` runs a query per ${per} in the loop (N+1; ${whyClause(site.impact, card, work)}). ${advice}`,
            });
            continue;
          }
          // N4: a model finder whose arguments depend on the loop element.
          const loop = site.loop;
          // A query per batch of each_slice/in_batches is what batching is for.
          if (!loop || loop.literal || loop.batch || r.perRow || !r.model || (r.kind !== 'class' && r.kind !== 'relation')) continue;
          // A relation held in a variable was built elsewhere: report where it is built, not every use.
          if (site.rootIsVariable) continue;
          if (!EXECUTING_METHODS.has(name) || (r.kind === 'class' && name === 'find_each')) continue;
          const deps = new Set<string>();
          if (site.chain.root.kind === 'name' || site.chain.root.kind === 'ivar') deps.add(site.chain.root.name);
          for (const l of site.chain.links.slice(0, site.index + 1)) for (const d of l.args.deps) deps.add(d);
          if (![...deps].some((d) => loop.vars.has(d))) continue;
          reported.add(chainKey);
          const card = loopCardinality(loop, deps);
          const work = perRowWorkOf(queryModel(ctx), loop, deps);
          let severity = nPlusOneSeverity(site.impact, card, work);
          if (!severity) continue;
          // An upsert per element (`find_or_create_by`) comes with a write per element anyway: the lookup
          // doubles the work of the loop rather than multiplying it.
          if (UPSERTS.has(name)) severity = 'hint';
          ctx.report({
            range: site.range,
            severity,
            message: `\`${text(site)}\` runs a query per iteration (N+1; ${whyClause(site.impact, card, work)}). Load the ${noun(r.model)} rows for all elements before the loop `
              + `(e.g. \`${r.model.name}.where(id: ids).index_by(&:id)\`) and look them up in memory.`,
          });
        }
      },
    };
  },
});

function singular(model: { name: string }): string {
  return model.name.split('::').pop()!.replace(/([a-z\d])([A-Z])/g, '$1_$2').toLowerCase();
}

function slice(text: string, site: LinkSite): string {
  const lines = text.split('\n');
  const { start, end } = site.range;
  if (start.line === end.line) return lines[start.line]?.slice(start.character, end.character) ?? '';
  return (lines[start.line]?.slice(start.character) ?? '') + '…';
}
