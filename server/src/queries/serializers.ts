// ActiveModel::Serializer classes as per-element readers. A serializer is applied once per element of a collection
// (`render json: @posts`, `ArraySerializer.new(@posts, each_serializer: S)`, a helper given the collection and the
// serializer class), so every association it reads (`has_many :comments`, `attributes :tags` naming an association,
// `object.author` in a method, the reads of a serializer it nests under `has_one :address, serializer: S`, its app
// superclass's reads) runs one query per element unless the relation preloads it. This module pairs the classes
// (serializerClasses.ts) with the controllers, views and helpers that apply them (controllerIndex.ts); the rules
// report at the serializer's read. A ViewComponent is the close analogue (components.ts): a class rendered per element.
import * as path from 'node:path';
import type { Range, Severity } from '../core/types';
import type { AppFacts } from '../core/appFacts';
import type { AssociationInfo, ModelIndex, ModelInfo } from '../models/modelIndex';
import { lexicalCandidates } from '../models/modelIndex';
import type { ControllerIndex, JsonRender, ViewInfo } from './controllerIndex';
import { evaluate, hasScope, targetOf, type Value } from './values';
import { ASSOCIATION_QUERY_METHODS } from './vocabulary';
import type { Preloads } from './chain';
import { actionChainValue, ivarValueForTemplate, staffGate } from './analysis';
import { cardinalityOf, nPlusOneSeverity, type Cardinality } from './cardinality';
import { impactOf, withStaffPath, type ImpactInfo } from './impact';
import { offlinePatterns } from './settings';
import { hasCounterCache } from './fixes';
import type { TableSizes } from './tableSize';
import { appClassesOf } from '../callbacks/appClasses';
import type { SerializerClass, SerializerRead } from './serializerClasses';

export { extractSerializers, type SerializerClass, type SerializerRead, type SerializerMacro } from './serializerClasses';

/** Methods on a has_many that use its loaded records: includes serves them. Anything else builds a query per element. */
const LOADS = new Set(['each', 'map', 'collect', 'flat_map', 'to_a', 'select', 'reject', 'find', 'detect', 'sort_by', 'group_by', 'index_by',
  'first', 'last', 'sum', 'uniq', 'compact', 'any?', 'empty?', 'none?', 'present?', 'blank?', 'size', 'length', 'include?', 'min_by', 'max_by',
  'filter_map', 'partition', 'each_with_object', 'inject', 'reduce', 'to_set', 'join']);
const SIZES = new Set(['size', 'any?', 'empty?', 'none?', 'present?', 'blank?']);

/** Where a serializer is applied per element: a controller action's `render json:` or a method call in an action or view. */
export interface SerializerSite {
  file: string;
  range: Range;
  /** As messages name it, code in backticks: `` `PostsController#index` ``, a view's template key, a helper and its view. */
  label: string;
  use: JsonRender;
}

/** A declaration that nests another serializer (`has_one :bill_address, serializer: AddressSerializer`): one hop. */
export interface SerializerHop { serializer: SerializerClass; read: SerializerRead }

/** A serializer's read of an association, applied per element by a controller's render or a call in a view. */
export interface SerializedRead {
  read: SerializerRead;
  /** The class whose file holds the read (the applied serializer, a parent class or a nested serializer). */
  serializer: SerializerClass;
  /** The serializer applied per element of the collection. */
  applied: SerializerClass;
  /** Associations from the element to the record whose association is read (`['bill_address']` through a nested serializer). */
  path: string[];
  hops: SerializerHop[];
  association: AssociationInfo;
  /** The model whose association is read (the element's, or the record the path reaches). */
  owner: ModelInfo;
  /** The serialized collection, as the action builds it. */
  collection: Value & { model: ModelInfo };
  site: SerializerSite;
  impact: ImpactInfo;
  card: Cardinality;
  severity: Severity;
}

/** `object.comments.where(…)`, `.count`, `.sum(:x)`, a scope of the target: a new query whatever is preloaded. */
function queryOnAssociation(read: SerializerRead, models: ModelIndex, owner: ModelInfo, association: AssociationInfo): boolean {
  const next = read.next!;
  if (next === 'count') return true;
  // `sum { … }` / `find { … }` walk loaded records; `sum(:column)` / `find(id)` are SQL.
  if (LOADS.has(next)) return !!read.nextArgs && (next === 'sum' || next === 'find');
  if (ASSOCIATION_QUERY_METHODS.has(next)) return next !== 'ids';
  const target = targetOf(models, owner, association);
  return !!target && hasScope(models, target, next);
}

const DECLARATION_MACROS = new Set(['has_many', 'has_one', 'belongs_to']);

/** A read of the serializer tree applied per element: the model it reads from and the hops to it. */
interface TreeRead { read: SerializerRead; owner: SerializerClass; model: ModelInfo; path: string[]; hops: SerializerHop[] }

/**
 * Every read a serializer makes per element: its own, its app superclasses' (unless it redefines the method they are
 * in), and those of the serializers its declarations nest (`serializer:`), read of the associated record. AMS 0.10
 * serializes one level of associations by default, so a nested serializer's own declarations are not followed there.
 */
function treeReads(root: SerializerClass, model: ModelInfo, find: SerializerFinder, models: ModelIndex, deepDeclarations: boolean): TreeRead[] {
  const out: TreeRead[] = [];
  const visit = (s: SerializerClass, m: ModelInfo, pathTo: string[], hops: SerializerHop[], depth: number, open: Set<string>): void => {
    const lineage = [s];
    for (let c = s; c.superclass && lineage.length < 6;) {
      const parent = find(c.superclass, namespaceOf(c.name));
      if (!parent || lineage.includes(parent)) break;
      lineage.push(parent);
      c = parent;
    }
    const redefined = new Set<string>();
    for (const c of lineage) {
      for (const read of c.reads) {
        if (read.in && redefined.has(read.in)) continue;
        const declaration = DECLARATION_MACROS.has(read.macro);
        if (depth > 0 && declaration && !deepDeclarations) continue;
        out.push({ read, owner: c, model: m, path: pathTo, hops });
        if (!declaration || !read.nested || depth >= 3) continue;
        const association = models.association(m.name, read.name);
        const target = association ? targetOf(models, m, association) : undefined;
        const nested = find(read.nested, namespaceOf(c.name));
        if (!association || !target || !nested || open.has(nested.name)) continue;
        visit(nested, target, [...pathTo, association.aliasOf ?? association.name], [...hops, { serializer: c, read }], depth + 1, new Set([...open, nested.name]));
      }
      for (const method of c.methods) redefined.add(method);
    }
  };
  visit(root, model, [], [], 0, new Set([root.name]));
  return out;
}

type SerializerFinder = (written: string, namespace: string) => SerializerClass | undefined;

function namespaceOf(name: string): string {
  return name.includes('::') ? name.slice(0, name.lastIndexOf('::')) : '';
}

/** Serializer classes by name: this file's, else the app's (app/serializers and the other autoload roots, read on demand). */
function serializerFinder(app: AppFacts, own: SerializerClass[]): SerializerFinder {
  const classes = appClassesOf(app);
  return (written, namespace) => {
    for (const name of lexicalCandidates(written, namespace)) {
      const found = own.find((s) => s.name === name) ?? classes?.find(name)?.serializer;
      if (found) return found;
    }
    return undefined;
  };
}

/** The preloads of the records `pathTo` reaches from the element, or undefined when a hop is not preloaded. */
function preloadsAt(preloads: Preloads, pathTo: string[]): Preloads | undefined {
  let p: Preloads | undefined = preloads;
  for (const step of pathTo) {
    if (!p || p.dynamic) return p;
    p = p.names.get(step);
  }
  return p;
}

/**
 * Where the app's controllers and views apply a serializer per element of a collection and the serializer (or one
 * it inherits from or nests) reads, in `file`, an association nothing preloads: one finding's worth per read, the
 * most severe site first. Silent unless the app locks active_model_serializers; unknown collections, models and
 * names stay silent.
 */
export function serializedReads(app: AppFacts, file: string, serializers: SerializerClass[], controllers: ControllerIndex | undefined, models: ModelIndex,
  sizes: TableSizes | undefined, want: 'loads' | 'queries' = 'loads'): SerializedRead[] {
  const version = app.gems.get('active_model_serializers');
  if (!version || !controllers || serializers.length === 0) return [];
  const legacy = /^0\.[0-9]\./.test(version);
  // 0.10 looks the default serializer up in the controller's namespace first: only 0.8/0.9 name it from the model alone.
  const namespacedLookup = !legacy;
  const find = serializerFinder(app, serializers);
  // 0.8/0.9 embed associations at every level; 0.10 one level unless `default_includes = '**'`.
  const deep = legacy || app.amsDefaultIncludes === '**';
  const out: SerializedRead[] = [];
  const offline = offlinePatterns(app);
  const inFile = (s: SerializerClass | undefined): boolean => !!s && s.file === file;
  /** Whether the serializer named at a site could have a read in this file (before evaluating the collection). */
  const touchesFile = (s: SerializerClass): boolean => {
    const stack = [s];
    const seen = new Set<string>();
    while (stack.length > 0 && seen.size < 30) {
      const c = stack.pop()!;
      if (seen.has(c.name)) continue;
      seen.add(c.name);
      if (inFile(c)) return true;
      if (c.superclass) { const p = find(c.superclass, namespaceOf(c.name)); if (p) stack.push(p); }
      for (const r of c.reads) if (r.nested) { const n = find(r.nested, namespaceOf(c.name)); if (n) stack.push(n); }
    }
    return false;
  };
  const consider = (site: SerializerSite, namespace: string, value: () => Value, impactOfSite: () => ImpactInfo, written: string | undefined): void => {
    const named = written?.replace(/^::/, '');
    const explicit = named ? find(named, namespace) : undefined;
    if (named && (!explicit || !touchesFile(explicit))) return;
    if (!named && !serializers.some(touchesFile)) return;
    const v = value();
    if (!v.model || !['relation', 'collection', 'array'].includes(v.kind) || v.perRow) return;
    const collection = v as Value & { model: ModelInfo };
    const applied = explicit ?? (namespacedLookup && namespace ? undefined : find(`${collection.model.name}Serializer`, ''));
    if (!applied || !touchesFile(applied)) return;
    const impact = impactOfSite();
    const card = cardinalityOf(collection, sizes);
    const severity = nPlusOneSeverity(impact, card);
    if (!severity) return;
    const seen = new Set<string>();
    for (const t of treeReads(applied, collection.model, find, models, deep && !site.use.include)) {
      const { read } = t;
      if (t.owner.file !== file) continue;
      if (site.use.include && (t.hops.length > 0 || (read.macro !== 'method' && read.macro !== 'attribute'))) continue;
      const association = models.association(t.model.name, read.name);
      if (!association) continue;
      const name = association.aliasOf ?? association.name;
      const key = [...t.path, name].join('.');
      const many = association.macro === 'has_many' || association.macro === 'has_and_belongs_to_many';
      if (want === 'queries') {
        // `object.line_items.sum(:quantity)`: SQL per element whatever is preloaded.
        if (!many || seen.has(key) || !read.next || !queryOnAssociation(read, models, t.model, association)) continue;
      } else {
        const preloads = preloadsAt(collection.preloads, t.path);
        if (seen.has(key) || (preloads && (preloads.dynamic || preloads.names.has(name)))) continue;
        if (many && read.next && (!LOADS.has(read.next) || read.nextArgs)) continue;
        if (many && read.next && SIZES.has(read.next) && hasCounterCache(models, app.schema, t.model, association)) continue;
      }
      seen.add(key);
      const conditional = read.condition || t.hops.some((h) => h.read.condition);
      const cached = t.owner.cached || applied.cached || t.hops.some((h) => h.serializer.cached);
      out.push({
        read, serializer: t.owner, applied, path: t.path, hops: t.hops, association, owner: t.model, collection, site, impact, card,
        severity: collection.strict || cached || conditional ? 'hint' : severity,
      });
    }
  };
  for (const controller of controllers.controllers()) {
    for (const action of controller.methods.values()) {
      if (action.hidden || !action.jsonRenders) continue;
      for (const use of action.jsonRenders) {
        const site = { file: controller.file, range: use.range, label: `\`${controller.name.split('::').pop()}#${action.name}\``, use };
        const namespace = namespaceOf(controller.name);
        // `each_serializer: chosen_serializer`: every serializer the method may return, or none when it is not known.
        const names = use.eachSerializerMethod !== undefined ? controllers.methodOf(controller, use.eachSerializerMethod)?.returnsSerializers ?? [] : [use.eachSerializer];
        let cached: Value | undefined;
        for (const written of names) consider(site, namespace, () => (cached ??= actionChainValue(controller, action, use.collection, controllers, models, appClassesOf(app))), () => {
          const relative = path.relative(app.root, controller.file).replace(/\\/g, '/');
          let impact = withStaffPath(impactOf(relative, 'controller', offline), relative);
          if (impact.impact === 'request' && !impact.staff) {
            const gate = staffGate(controllers, controller.file, undefined) ?? controllers.policyGate(controller, action);
            if (gate) impact = { ...impact, staff: gate };
          }
          return impact;
        }, written);
      }
    }
  }
  const viewSites: { view: ViewInfo; site: SerializerSite }[] = controllers.serializerUses().map(({ view, use }) => ({ view, site: { file: view.file, range: use.range, label: `\`${view.key}\``, use } }));
  // A helper that hands an instance variable to a serializer, called by views: the ivar is the rendering action's.
  for (const h of controllers.helperSerializerUses()) {
    for (const view of controllers.viewsCalling(h.method)) {
      viewSites.push({ view, site: { file: h.file, range: h.use.range, label: `\`${h.module ? `${h.module}#` : ''}${h.method}\` (called in \`${view.key}\`)`, use: h.use } });
    }
  }
  for (const { view, site } of viewSites) {
    const use = site.use;
    consider(site, '', () => evaluate(use.collection, {
      models,
      resolveRoot: (chain) => (chain.root.kind === 'ivar' ? ivarValueForTemplate(view.key, chain.root.name, controllers, models, 1) : undefined),
    }), () => {
      const relative = path.relative(app.root, view.file).replace(/\\/g, '/');
      let impact = withStaffPath(impactOf(relative, 'view', offline), relative);
      if (impact.impact === 'request' && !impact.staff) {
        const gate = staffGate(controllers, view.file, view.key);
        if (gate) impact = { ...impact, staff: gate };
      }
      return impact;
    }, use.eachSerializer);
  }
  const rank = (s: Severity): number => ({ hint: 0, info: 1, warning: 2, error: 3 })[s];
  return out.sort((a, b) => rank(b.severity) - rank(a.severity));
}
