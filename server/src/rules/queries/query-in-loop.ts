import { defineRule } from '../../core/rule';
import { loopCardinality, perRowWorkOf, queryModel, rowCardinality, type LinkSite } from '../../queries/analysis';
import { nPlusOneSeverity, whyClause, type Cardinality } from '../../queries/cardinality';
import { hasScope, type PerRow } from '../../queries/values';
import { chainText, hasCounterCache, noun } from '../../queries/fixes';
import { extractSerializers, serializedReads, type SerializedRead } from '../../queries/serializers';
import * as path from 'node:path';
import { ASSOCIATION_QUERY_METHODS, EXECUTING_METHODS } from '../../queries/vocabulary';
import type { ModelIndex, ModelInfo } from '../../models/modelIndex';
import { singularize } from '../../models/inflector';
import type { Schema } from '../../project/schema';

const FINDERS = new Set(['find_by', 'find_by!', 'find', 'first', 'last', 'take']);
const WRITES_FOUND = new Set(['update', 'update!', 'update_column', 'update_columns', 'update_attribute', 'destroy', 'destroy!', 'delete', 'touch', 'increment!', 'decrement!', 'toggle!']);
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
          if (site.once) continue;
          const chainKey = `${site.chain.rootRange.start.line}:${site.chain.rootRange.start.character}`;
          if (reported.has(chainKey)) continue;
          const r = site.receiver;
          const name = site.link.name;
          // acts-as-taggable-on's `tag_list` per element: the gem queries the tags itself, preloaded or not.
          if (r.kind === 'record' && r.perRow && !r.perRow.missed && r.model && site.link.args.count === 0 && !site.link.hasBlock) {
            const context = tagListContext(models, r.model, name, ctx.app.schema);
            if (context) {
              reported.add(chainKey);
              reportTagList(site, r.perRow, r.model, context);
              continue;
            }
          }
          // N2: a query on an association of the loop element.
          if (r.kind === 'collection' && r.perRow && r.model && r.association) {
            const isQuery = ASSOCIATION_QUERY_METHODS.has(name) || name === 'count' || (hasScope(models, r.model, name) && !site.link.hasBlock);
            if (!isQuery || site.link.hasBlock && name !== 'count') continue;
            if (name === 'count' && (site.link.args.count > 0 || site.link.hasBlock)) continue;
            if (name === 'count' && r.loaded) continue; // count-on-loaded-relation
            if (takesTopRows(site)) continue;
            reported.add(chainKey);
            const { card, work, severity } = rowCost(site, r.perRow);
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
          if (takesTopRows(site)) continue;
          reported.add(chainKey);
          const card = loopCardinality(loop, deps);
          const work = perRowWorkOf(queryModel(ctx), loop, deps);
          let severity = nPlusOneSeverity(site.impact, card, work);
          if (!severity) continue;
          // An upsert per element (`find_or_create_by`) comes with a write per element anyway: the lookup
          // doubles the work of the loop rather than multiplying it.
          // `UserReminderTime.find_by(user_id: v.id)&.update(…)`: the row found is written at once, the same pair of
          // round trips as an upsert.
          if (UPSERTS.has(name) || (FINDERS.has(name) && site.next && WRITES_FOUND.has(site.next.name))) severity = 'hint';
          ctx.report({
            range: site.range,
            severity,
            message: `\`${text(site)}\` runs a query per iteration (N+1; ${whyClause(site.impact, card, work)}). Load the ${noun(r.model)} rows for all elements before the loop `
              + `(e.g. \`${r.model.name}.where(id: ids).index_by(&:id)\`) and look them up in memory.`,
          });
        }
        if (ctx.kind === 'ruby' && ctx.tree && ctx.app.gems.has('active_model_serializers') && ctx.text.includes('Serializer')) {
          let controllers;
          try { controllers = ctx.app.controllers; } catch { controllers = undefined; }
          const serializers = extractSerializers(ctx.tree.rootNode, ctx.file);
          for (const s of serializedReads(ctx.app, ctx.file, serializers, controllers, models, queryModel(ctx).sizes, 'queries')) {
            const key = `serializer:${s.read.range.start.line}:${s.read.range.start.character}`;
            if (reported.has(key)) continue;
            reported.add(key);
            reportSerializedQuery(s);
          }
        }
      },
    };
    /** How many rows the loop has and what else each iteration does: what a query per row costs. */
    function rowCost(site: LinkSite, perRow: PerRow): { card: Cardinality; work: string | undefined; severity: ReturnType<typeof nPlusOneSeverity> } {
      const card = rowCardinality(queryModel(ctx), perRow.loopId, perRow.collection);
      const work = perRowWorkOf(queryModel(ctx), perRow.loopId);
      return { card, work, severity: nPlusOneSeverity(site.impact, card, work) };
    }
    /** `export.tag_list` per element: acts-as-taggable-on's reader queries `base_tags` each time. */
    function reportTagList(site: LinkSite, perRow: PerRow, model: ModelInfo, context: string): void {
      const { card, work, severity } = rowCost(site, perRow);
      if (!severity) return;
      const read = slice(ctx.text, site);
      const per = noun(perRow.collection.model ?? model);
      const reader = `${read.replace(/\.?[a-z_]+$/, '') || 'record'}.${context}`;
      ctx.report({
        range: site.range,
        severity,
        message: `\`${read}\` runs a query per ${per} in the loop (N+1; ${whyClause(site.impact, card, work)}). acts-as-taggable-on reads the ${context} with a query of its own each time, preloaded or not: `
          + `preload \`${context}\` where the ${per}s are loaded and read \`${reader}.map(&:name)\`${site.link.name.startsWith('all_') ? '' : `, or add a \`cached_${singularize(context)}_list\` column`}.`,
      });
    }
    /** `object.line_items.sum(:quantity)` in OrderSerializer, applied per order: one SQL query per order. */
    function reportSerializedQuery(s: SerializedRead): void {
      const { read, site, collection } = s;
      const short = (name: string): string => name.split('::').pop()!;
      const assoc = s.association.name;
      const rendered = chainText(site.use.collection, site.use.collection.links.length).replace(/\s*\n\s*/g, ' ');
      const verb = site.use.via ? `passes \`${rendered}\` to \`${site.use.via}\`` : `renders \`${rendered}\``;
      const siteAt = `${path.relative(ctx.app.root, site.file).replace(/\\/g, '/')}:${site.range.start.line + 1}`;
      const per = noun(s.owner);
      const perElement = s.path.length > 0 ? `${per} of each ${noun(collection.model)} (through \`${s.path.join('.')}\`)` : per;
      const advice = read.next === 'count'
        ? `Preload \`${assoc}\` and use \`${assoc}.size\`, or add a counter cache.`
        : `Preload \`${assoc}\` and compute it from the loaded records, or load the values for all ${per}s at once (grouped by \`${singular(s.owner)}_id\`).`;
      ctx.report({
        range: read.range,
        severity: s.severity,
        message: `\`object.${read.name}.${read.next}\`${read.in ? ` in \`${read.in}\`` : ''} runs a query per element when ${site.label} ${verb} with ${short(s.applied.name)}`
          + `${s.serializer !== s.applied && s.hops.length === 0 ? ` (a subclass of ${short(s.serializer.name)})` : ''}: one query per ${perElement} (N+1; ${whyClause(s.impact, s.card)}; serialized at ${siteAt}). ${advice}`,
        related: [{ file: site.file, range: site.range, message: `${site.label} ${verb} with ${short(s.applied.name)} (${siteAt})` }],
      });
    }
  },
});

/**
 * The chain takes the first N rows of its own per-row query (`account.statuses.where(…).limit(20)`, `first(3)`): a
 * top-N per element, which no preload can replace (a preloaded association's limit applies to all owners at once)
 * and loading every row for all elements would read more, not less. One row (`limit(1)`, `first`) stays a finding:
 * a scoped `has_one` preloads it.
 */
function takesTopRows(site: LinkSite): boolean {
  return site.chain.links.some((l) => (l.name === 'limit' || ((l.name === 'first' || l.name === 'last' || l.name === 'take') && l.args.count > 0))
    && l.args.int !== 1);
}

/**
 * The tag context `record.<tag>_list` (or `all_<context>_list`) reads on an acts-as-taggable-on model, unless a
 * `cached_<tag>_list` column keeps the list on the row (the gem reads that instead).
 */
function tagListContext(models: ModelIndex, model: ModelInfo, method: string, schema: Schema | undefined): string | undefined {
  const list = /^(all_)?([a-z_]+)_list$/.exec(method);
  if (!list) return undefined;
  for (const m of models.ancestry(model)) {
    for (const context of m.taggable ?? []) {
      const tag = singularize(context);
      if (list[1] ? list[2] !== context : list[2] !== tag) continue;
      if (!list[1] && schema?.tables.get(models.tableName(model))?.columns.has(`cached_${tag}_list`)) return undefined;
      return context;
    }
  }
  return undefined;
}

function singular(model: { name: string }): string {
  return model.name.split('::').pop()!.replace(/([a-z\d])([A-Z])/g, '$1_$2').toLowerCase();
}

function slice(text: string, site: LinkSite): string {
  const lines = text.split('\n');
  const { start, end } = site.range;
  if (start.line === end.line) return lines[start.line]?.slice(start.character, end.character) ?? '';
  return (lines[start.line]?.slice(start.character) ?? '') + '…';
}
