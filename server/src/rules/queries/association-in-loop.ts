import { defineRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import { perRowWorkOf, queryModel, rowCardinality } from '../../queries/analysis';
import { hasScope, targetOf } from '../../queries/values';
import { chainText, hasCounterCache, includeEdits, includeFixTitle, noun, originsOf, preloadSpec, uncoveredOrigin, uncoveredOrigins, where, withIncludesText } from '../../queries/fixes';
import { nPlusOneSeverity, whyClause } from '../../queries/cardinality';
import { ASSOCIATION_QUERY_METHODS } from '../../queries/vocabulary';
import { underscore } from '../../models/inflector';
import type { AssociationInfo, ModelInfo } from '../../models/modelIndex';
import type { LinkSite } from '../../queries/analysis';
import { associationReadsOf } from '../../queries/methodReads';
import { methodRoundTrip } from '../../queries/loopBody';
import { paramAssociationReads } from '../../queries/paramReads';
import type { PerRowCall } from '../../queries/analysis';
import * as path from 'node:path';
import { extractSerializers, serializedReads, type SerializedRead } from '../../queries/serializers';

const relativeTo = (root: string, file: string): string => path.relative(root, file).replace(/\\/g, '/');

const SIZE_METHODS = new Set(['size', 'empty?', 'any?', 'none?', 'blank?', 'present?']);
/** Methods on an association that use its loaded records (after includes, no query). */
const LOADS_RECORDS = new Set(['each', 'map', 'collect', 'flat_map', 'to_a', 'to_ary', 'records', 'load', 'first', 'last', 'take', 'second',
  'length', 'include?', 'select', 'filter', 'reject', 'find', 'detect', 'sort_by', 'group_by', 'index_by', 'each_with_index', 'each_with_object',
  'filter_map', 'partition', 'min_by', 'max_by', 'sum', 'uniq', 'compact', 'reverse', 'sort', 'all?', 'one?', 'inject', 'reduce', 'zip',
  'each_slice', 'in_groups_of', 'to_set', 'index_with', 'find_all', 'count_by', 'tally', 'pluck_loaded', 'map!', 'entries', 'ids', 'empty?',
  'any?', 'none?', 'blank?', 'present?', 'size', 'presence', 'to_h', 'sample', 'shuffle', 'take_while', 'drop', 'flatten', '&', '|', '+', '-']);
/** Methods that load every record of an association and use them in memory (what a preload serves whole). */
const WHOLE_LOADS = new Set(['each', 'map', 'collect', 'flat_map', 'to_h', 'to_a', 'each_with_object', 'index_by', 'group_by', 'sort_by',
  'reject', 'filter_map', 'each_with_index', 'inject', 'reduce', 'min_by', 'max_by']);
/** Association methods that write without loading the association's records. */
/** Reads one row (or one fact) per element: includes would load every record of each element's association to serve it. */
const TARGETED_READS = new Set(['first', 'last', 'take', 'second', 'third', 'include?', 'member?', 'exists?', 'count', 'find', 'detect', 'sample']);
const WRITES = new Set(['create', 'create!', 'build', 'new', '<<', 'push', 'concat', 'delete_all', 'destroy_all', 'update_all', 'insert_all',
  'upsert_all', 'delete', 'destroy', 'clear', 'insert_all!', 'find_or_create_by', 'find_or_create_by!', 'create_or_find_by', 'reset', 'reload',
  'attach', 'detach', 'touch_all']);

export default defineRule({
  meta: {
    id: 'queries/association-in-loop',
    description: 'An association of each element read inside a loop over records that did not preload it: one query per element (N+1).',
    defaultSeverity: 'warning',
    fix: 'safe',
    fileKinds: ['job', 'model', 'controller', 'view', 'ruby'],
  },
  create(ctx) {
    const seen = new Set<string>();
    const loopKey = (collection: NonNullable<LinkSite['receiver']['perRow']>['collection'], loopId: number, path: string[]): string => {
      const origin = collection.origin;
      const site0 = origin ? `${origin.chain.file}:${origin.chain.rootRange.start.line}:${origin.chain.rootRange.start.character}:${origin.count}` : `loop${loopId}`;
      return `${site0}:${path.join('.')}`;
    };
    /** `post.byline` in a loop, where `Post#byline` reads `author`: the read happens per row, one call away. */
    const reportMethodReads = (site: LinkSite, model: ModelInfo): void => {
      const models = queryModel(ctx).models!;
      const r = site.receiver;
      const perRow = r.perRow!;
      // One record per row (belongs_to, has_one), or a has_many the method loads whole at every use
      // (`element_tags.to_h { … }`): the preload loads the rows the method loads anyway. A has_many it only
      // queries or samples would be loaded whole for every row, which can be worse than the queries it saves.
      // Not when the call or the loop writes per row anyway (`work.expire_caches`, `work.touch`), nor for a method
      // calling itself on each child (a tree walk: a preload serves one level).
      const wholeLoads = !perRowWorkOf(queryModel(ctx), perRow.loopId) && !/!$/.test(site.link.name)
        && !methodRoundTrip(models, model)(site.link.name) && !(site.chain.context ?? '').endsWith(`#${site.link.name}`);
      const served = (a: AssociationInfo, _next: string | undefined, uses: (string | undefined)[]): boolean =>
        a.macro === 'belongs_to' || a.macro === 'has_one'
        || (wholeLoads && (a.macro === 'has_many' || a.macro === 'has_and_belongs_to_many') && uses.length > 0 && uses.every((u) => !!u && WHOLE_LOADS.has(u)));
      const inverse = (a: AssociationInfo): boolean => a.macro === 'belongs_to' && perRow.path.length === 0 && !!perRow.collection.association && isInverse(a.name, perRow.collection.association);
      // `attachment.main_body_part?` reading `incoming_message` over `message.attachments`: the inverse is set on load.
      const reads = associationReadsOf(models, model, site.link.name, served).filter((x) => !r.preloads.names.has(x.association.name) && !inverse(x.association));
      // One finding per call: the first association it reads (preloading it may reveal the next).
      for (const read of reads.slice(0, 1)) {
        const assocName = read.association.name;
        const others = reads.slice(1).map((x) => `\`${x.association.name}\``);
        const collection = perRow.collection;
        const card = rowCardinality(queryModel(ctx), perRow.loopId, collection);
        const work = perRowWorkOf(queryModel(ctx), perRow.loopId);
        const severity = nPlusOneSeverity(site.impact, card, work);
        if (!severity) continue;
        const key = loopKey(collection, perRow.loopId, [...perRow.path, assocName]);
        if (seen.has(key)) continue;
        seen.add(key);
        const readText = ctx.text.slice(offset(ctx.text, site.range.start), offset(ctx.text, site.range.end)) || `${noun(model)}.${site.link.name}`;
        const hops = read.via.map((v) => `\`${v.owner.split('::').pop()}#${v.method}\` (${relativeTo(ctx.app.root, v.file)}:${v.line + 1})`).join(' → ');
        const spec = preloadSpec(perRow.path, assocName);
        const edits = includeEdits(collection, perRow.path, assocName);
        const origins = originsOf(collection);
        const built = uncoveredOrigin(collection, perRow.path, assocName) ?? origins[0];
        const fixes: Fix[] = edits ? [{ title: includeFixTitle(edits, spec, uncoveredOrigins(collection, perRow.path, assocName), ctx.file, site.range.start.line, ctx.app.root), safety: 'safe', edits }] : [];
        const perWhat = site.loop?.partial ? `each time this partial is rendered for a ${noun(collection.model)}` : `per ${noun(collection.model)} in the loop`;
        ctx.report({
          range: site.range,
          severity: collection.strict ? 'hint' : severity,
          message: `\`${readText}\` reads \`${assocName}\`${others.length ? ` (and ${others.join(', ')})` : ''} in ${hops}: one query ${perWhat} (N+1; ${whyClause(site.impact, card, work)})`
            + (built ? `. Preload it where the ${noun(collection.model)}s are loaded: \`${withIncludesText(built, spec)}\`.` : `. Preload it with \`.includes(${spec})\` where the collection is built.`),
          related: read.via.map((v) => ({ file: v.file, range: { start: { line: v.line, character: v.character }, end: { line: v.line, character: v.character } }, message: `\`${v.owner.split('::').pop()}#${v.method}\` ${v === read.via[read.via.length - 1] ? `reads \`${assocName}\`` : 'calls the next'} (${relativeTo(ctx.app.root, v.file)}:${v.line + 1})` })),
          fixes,
        });
      }
    };
    /** `notify(item)` in a loop over items, where `notify` reads `item.user`: the read happens per row, one call away. */
    const reportParamReads = (call: PerRowCall): void => {
      const qm = queryModel(ctx);
      const models = qm.models!;
      const { site } = call;
      call.args.forEach((element, index) => {
        if (!element?.model || !element.perRow) return;
        const perRow = element.perRow;
        const reads = paramAssociationReads(models, element.model, call.summary, index, call.label, call.lookup)
          .filter((x) => !element.preloads.dynamic && !element.preloads.names.has(x.association.aliasOf ?? x.association.name));
        // One finding per call and element: the first association it reads (preloading it may reveal the next).
        const read = reads[0];
        if (!read) return;
        const assocName = read.association.aliasOf ?? read.association.name;
        const collection = perRow.collection;
        const card = rowCardinality(qm, perRow.loopId, collection);
        const work = perRowWorkOf(qm, perRow.loopId);
        const severity = nPlusOneSeverity(site.impact, card, work);
        if (!severity) return;
        const key = loopKey(collection, perRow.loopId, [...perRow.path, assocName]);
        if (seen.has(key)) return;
        seen.add(key);
        const others = reads.slice(1).map((x) => `\`${x.association.name}\``);
        const callText = ctx.text.slice(offset(ctx.text, site.range.start), offset(ctx.text, site.range.end)) || call.label;
        const at = `${relativeTo(ctx.app.root, read.at.file)}:${read.at.line + 1}`;
        const chainVia = read.via.length > 1 ? ` (through ${read.via.slice(1).map((v) => `\`${v.label}\``).join(' → ')})` : '';
        const spec = preloadSpec(perRow.path, assocName);
        const edits = includeEdits(collection, perRow.path, assocName);
        const origins = originsOf(collection);
        const built = uncoveredOrigin(collection, perRow.path, assocName) ?? origins[0];
        const fixes: Fix[] = edits ? [{ title: includeFixTitle(edits, spec, uncoveredOrigins(collection, perRow.path, assocName), ctx.file, site.range.start.line, ctx.app.root), safety: 'safe', edits }] : [];
        const perWhat = site.loop?.partial ? `each time this ${site.loop.component ? 'component' : 'partial'} is rendered for a ${noun(collection.model)}` : `per ${noun(collection.model)} in the loop`;
        const loop = call.calleeLoop;
        const headline = loop
          ? `\`${callText}\` loops over the ${noun(collection.model)}s it is passed (\`${loop.method}\` at ${relativeTo(ctx.app.root, loop.file)}:${loop.line + 1}) and reads \`${assocName}\`${others.length ? ` (and ${others.join(', ')})` : ''} of each at ${at}: one query per ${noun(collection.model)} (N+1; ${whyClause(site.impact, card, work)})`
          : undefined;
        ctx.report({
          range: site.range,
          severity: collection.strict ? 'hint' : severity,
          message: headline ? headline + (built ? `. Preload it where the ${noun(collection.model)}s are loaded: \`${withIncludesText(built, spec)}\`.` : `. Preload it with \`.includes(${spec})\` where the collection is built.`) : `\`${callText}\` reads \`${assocName}\`${others.length ? ` (and ${others.join(', ')})` : ''} of the ${noun(element.model)} it is passed: read in \`${call.label}\`${chainVia} at ${at}, called per row here; one query ${perWhat} (N+1; ${whyClause(site.impact, card, work)})`
            + (built ? `. Preload it where the ${noun(collection.model)}s are loaded: \`${withIncludesText(built, spec)}\`.` : `. Preload it with \`.includes(${spec})\` where the collection is built.`),
          related: [
            ...read.via.map((v, k) => ({
              file: v.file, range: { start: { line: v.line, character: v.character }, end: { line: v.line, character: v.character } },
              message: `\`${v.label}\` ${k === 0 && loop ? `loops over them (\`${loop.method}\`)` : k === read.via.length - 1 ? `reads \`${assocName}\`` : 'passes it on'} (${relativeTo(ctx.app.root, v.file)}:${v.line + 1})`,
            })),
            { file: read.at.file, range: { start: { line: read.at.line, character: read.at.character }, end: { line: read.at.line, character: read.at.character } }, message: `\`${assocName}\` read here (${at})` },
          ],
          fixes,
        });
      });
    };
    /** `has_many :comments` in PostSerializer, applied per post by `render json: @posts`: one query per post. */
    const reportSerializedRead = (s: SerializedRead): void => {
      const key = `serializer:${s.read.range.start.line}:${s.read.range.start.character}`;
      if (seen.has(key)) return;
      seen.add(key);
      const { collection, read, site } = s;
      const short = (name: string): string => name.split('::').pop()!;
      const name = s.association.aliasOf ?? s.association.name;
      const siteLabel = site.label;
      const rendered = chainText(site.use.collection, site.use.collection.links.length).replace(/\s*\n\s*/g, ' ');
      const how = read.macro === 'method' ? `\`object.${read.name}\`${read.in ? ` in \`${read.in}\`` : ''}` : `\`${read.macro} :${read.name}\``;
      const siteAt = `${relativeTo(ctx.app.root, site.file)}:${site.range.start.line + 1}`;
      const spec = preloadSpec(s.path, name);
      const edits = includeEdits(collection, s.path, name);
      const origins = originsOf(collection);
      const built = uncoveredOrigin(collection, s.path, name) ?? origins[0];
      const fixes: Fix[] = edits ? [{ title: includeFixTitle(edits, spec, uncoveredOrigins(collection, s.path, name), ctx.file, read.range.start.line, ctx.app.root), safety: 'safe', edits }] : [];
      const applied = short(s.applied.name);
      const through = s.hops.length > 0
        ? ` through ${s.hops.map((h) => `\`${h.read.macro} :${h.read.name}\` (${short(h.serializer.name)})`).join(', ')}`
        : s.serializer !== s.applied ? ` (a subclass of ${short(s.serializer.name)})` : '';
      const verb = site.use.via ? `passes \`${rendered}\` to \`${site.use.via}\`` : `renders \`${rendered}\``;
      const of = s.path.length > 0 ? ` of each \`${s.path.join('.')}\`` : '';
      ctx.report({
        range: read.range,
        severity: s.severity,
        message: `${how} reads \`${name}\`${of} per element when ${siteLabel} ${verb} with ${applied}${through}: `
          + `one query per ${noun(collection.model)} (N+1; ${whyClause(s.impact, s.card)}; ${site.use.via ? 'serialized' : 'rendered'} at ${siteAt})`
          + (built ? `. Preload it where the ${noun(collection.model)}s are loaded (${where(ctx.app.root, built)}): \`${withIncludesText(built, spec)}\`.` : `. Preload it with \`.includes(${spec})\` where the collection is built.`)
          + (collection.strict ? ' The relation is strict_loading, so this raises at run time.' : '')
          + (read.condition ? ` The serializer reads it only when \`${read.condition}\` lets the element through.` : '')
          + (s.serializer.cached ? ` ${short(s.serializer.name)} is cached: the reads run only for elements whose cache entry is missing.` : ''),
        related: [
          { file: site.file, range: site.range, message: `${siteLabel} ${verb} with ${applied} (${siteAt})` },
          ...s.hops.map((h) => ({
            file: h.serializer.file, range: h.read.range,
            message: `\`${h.read.macro} :${h.read.name}\` in ${short(h.serializer.name)} nests ${h.read.nested} (${relativeTo(ctx.app.root, h.serializer.file)}:${h.read.range.start.line + 1})`,
          })),
        ],
        fixes,
      });
    };
    return {
      end() {
        const models = queryModel(ctx).models;
        if (!models) return;
        const model = queryModel(ctx);
        for (const site of model.links) {
          const r = site.receiver;
          if (r.kind !== 'record' || !r.model || !r.perRow || r.perRow.missed || site.once) continue;
          // An alias of the reader reads the association under its own name; `delegate :x, to: :customer` reads `customer`.
          const read = models.association(r.model.name, site.link.name);
          const delegated = read ? undefined : models.delegation(r.model.name, site.link.name);
          const assoc = read ?? (delegated && (delegated.macro === 'belongs_to' || delegated.macro === 'has_one') ? delegated : undefined);
          // A bang or setter method acts on the row (it writes per row anyway): its reads are not the cost.
          if (!assoc && !delegated && site.link.args.count === 0 && !site.link.hasBlock && !r.preloads.dynamic && !/[!=]$/.test(site.link.name)) {
            // `post.byline`, where `Post#byline` reads `author`: the read happens per row, one call away.
            reportMethodReads(site, r.model);
            continue;
          }
          if (!assoc || site.link.args.count > 0 || site.link.hasBlock) continue;
          const name = assoc.aliasOf ?? assoc.name;
          if (r.preloads.dynamic || r.preloads.names.has(name)) continue;
          const next = delegated ? undefined : site.next;
          const many = assoc.macro === 'has_many' || assoc.macro === 'has_and_belongs_to_many';
          // Only reads that load the association's records are fixed by includes; anything else after it
          // (a scope, a class method, a query) builds a new query per element.
          if (many && next && !LOADS_RECORDS.has(next.name) && !SIZE_METHODS.has(next.name)) continue;
          if (many && next) {
            const target = targetOf(models, r.model, assoc);
            if (ASSOCIATION_QUERY_METHODS.has(next.name) || (target && hasScope(models, target, next.name))) continue; // query-in-loop
            if (next.name === 'count' || WRITES.has(next.name)) continue;
            if (SIZE_METHODS.has(next.name) && !next.hasBlock && hasCounterCache(models, ctx.app.schema, r.model, assoc)) continue;
          }
          const collection = r.perRow.collection;
          const card = rowCardinality(model, r.perRow.loopId, collection);
          const work = perRowWorkOf(model, r.perRow.loopId);
          const severity = nPlusOneSeverity(site.impact, card, work);
          if (!severity) continue;
          // Rails sets the inverse of `post.comments.each { |c| c.post }` without a query.
          if (!many && next && (next.name.startsWith('build_') || next.name.startsWith('create_'))) continue;
          if (assoc.macro === 'belongs_to' && r.perRow.path.length === 0 && collection.association && isInverse(assoc.name, collection.association)) continue;
          // Once per loop and association; loops over the same collection share the loaded records.
          const key = loopKey(collection, r.perRow.loopId, [...r.perRow.path, name]);
          if (seen.has(key)) continue;
          seen.add(key);

          const readText = ctx.text.slice(offset(ctx.text, site.range.start), offset(ctx.text, site.range.end)) || `${noun(r.model)}.${name}`;
          const spec = preloadSpec(r.perRow.path, name);
          const origins = originsOf(collection);
          // A targeted read per element (`comments.first`, `members.include?(me)`): includes would load whole collections.
          const targeted = many && next && TARGETED_READS.has(next.name) ? next.name : undefined;
          const edits = targeted ? undefined : includeEdits(collection, r.perRow.path, name);
          const fixes: Fix[] = [];
          const built = uncoveredOrigin(collection, r.perRow.path, name) ?? origins[0];
          const builtText = built ? chainText(built.chain, built.count) : undefined;
          const whereText = built && built.chain.file !== ctx.file ? ` (${where(ctx.app.root, built)})` : '';
          if (edits) fixes.push({ title: includeFixTitle(edits, spec, uncoveredOrigins(collection, r.perRow.path, name), ctx.file, site.range.start.line, ctx.app.root), safety: 'safe', edits });
          const perWhat = site.loop?.partial ? `each time this ${site.loop.component ? 'component' : 'partial'} is rendered for a ${noun(collection.model)}` : `per ${noun(collection.model)} in the loop`;
          const advice = targeted
            ? `. Preloading would load every ${name.replace(/s$/, '')} of each ${noun(collection.model)} to serve one \`${targeted}\`: keep the query, or add a column or counter for what it reads.`
            : builtText ? ` where the ${noun(collection.model)}s are loaded${whereText}. Preload it there: \`${withIncludesText(built!, spec)}\`.` : `. Preload it with \`.includes(${spec})\` where the collection is built.`;
          ctx.report({
            range: site.range,
            severity: collection.strict ? 'hint' : severity,
            message: `\`${readText}\` runs one query ${perWhat} (N+1; ${whyClause(site.impact, card, work)}): nothing preloads \`${name}\``
              + (delegated ? ` (\`${site.link.name}\` is delegated to it)` : '')
              + advice
              + (collection.strict ? ' The relation is strict_loading, so this raises at run time.' : ''),
            fixes,
          });
        }
        // After the direct reads: a loop that reads the association itself is reported there.
        for (const call of model.perRowCalls) if (!call.site.once) reportParamReads(call);
        if (ctx.kind === 'ruby' && ctx.tree && ctx.app.gems.has('active_model_serializers') && ctx.text.includes('Serializer')) {
          const serializers = extractSerializers(ctx.tree.rootNode, ctx.file);
          let controllers;
          try { controllers = ctx.app.controllers; } catch { controllers = undefined; }
          for (const s of serializedReads(ctx.app, ctx.file, serializers, controllers, models, model.sizes)) reportSerializedRead(s);
        }
      },
    };
  },
});

/** Rails sets `post.user` from `user.posts` when the names match (automatic inverse_of) or inverse_of says so. */
function isInverse(name: string, parent: { owner: { name: string }; info: { inverseOf?: string; foreignKey?: string; scoped: boolean } }): boolean {
  if (parent.info.inverseOf) return parent.info.inverseOf === name;
  if (parent.info.foreignKey || parent.info.scoped) return false;
  return name === underscore(parent.owner.name.split('::').pop()!);
}

function offset(text: string, pos: { line: number; character: number }): number {
  let o = 0;
  for (let i = 0; i < pos.line; i++) { o = text.indexOf('\n', o) + 1; if (o === 0) return text.length; }
  return o + pos.character;
}
