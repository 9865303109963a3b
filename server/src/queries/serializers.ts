// ActiveModel::Serializer classes as per-element readers. A serializer is applied once per element of a collection
// that a controller hands to `render json:`, so every association it reads (`has_many :comments`, `attributes :tags`
// naming an association, `object.author` in an attribute method or an `attribute :x do … end` block) runs one query
// per element unless the relation preloads it. This module reads what a serializer class reads (from its syntax) and
// pairs it with the controller renders that apply it (`controllerIndex.ts`' `jsonRenders`); the rule reports at the
// serializer's read. A ViewComponent is the close analogue (components.ts): a class rendered per element.
import * as path from 'node:path';
import type { Node, Tree } from '../parsing/treeSitter';
import type { Range, Severity } from '../core/types';
import type { AppFacts } from '../core/appFacts';
import { bodyStatements, constantText, literalName, nodeRange, readCall } from '../parsing/ruby';
import type { AssociationInfo, ModelIndex, ModelInfo } from '../models/modelIndex';
import type { ControllerIndex, ControllerInfo, ControllerMethod, JsonRender } from './controllerIndex';
import type { Value } from './values';
import { actionChainValue, staffGate } from './analysis';
import { cardinalityOf, nPlusOneSeverity, type Cardinality } from './cardinality';
import { impactOf, withStaffPath, type ImpactInfo } from './impact';
import { offlinePatterns } from './settings';
import { hasCounterCache } from './fixes';
import type { TableSizes } from './tableSize';

export type SerializerMacro = 'has_many' | 'has_one' | 'belongs_to' | 'attribute' | 'method';

/** One place a serializer reads `object.<name>` per element (the name is an association when the model says so). */
export interface SerializerRead {
  /** What is read of the serialized record: `comments`. */
  name: string;
  /** How the serializer reads it: a declaration (`has_many`), an attribute name, or a method/block body. */
  macro: SerializerMacro;
  /** The method or attribute the read is in (`parent_name`), for messages. */
  in?: string;
  /** The method called on what is read (`object.comments.count` → `count`). */
  next?: string;
  /** `has_one :x, if: :moved?`: read only for the elements the condition lets through. */
  condition?: string;
  /** That method has arguments (`object.line_items.sum(:quantity)`: SQL, not the loaded records). */
  nextArgs?: boolean;
  range: Range;
}

export interface SerializerClass {
  /** Full class name: `Api::PostSerializer`. */
  name: string;
  reads: SerializerRead[];
  /** `cached` (0.8) / `cache key: …` (0.10): the reads run only when the element's cache entry is missing. */
  cached?: boolean;
}

const AMS_BASE = /^(::)?ActiveModel::Serializer$/;
const DECLARATIONS = new Set(['has_many', 'has_one', 'belongs_to']);

/**
 * The ActiveModel::Serializer classes a file defines: inheriting `ActiveModel::Serializer`, or (in app/serializers)
 * another `…Serializer` (an app base such as ApplicationSerializer). Classes that include another library's module
 * (`JSONAPI::Serializer`, `FastJsonapi::ObjectSerializer`) are not AMS.
 */
export function extractSerializers(tree: Tree, file: string): SerializerClass[] {
  const inSerializers = /(^|[\\/])app[\\/]serializers[\\/]/.test(file);
  const out: SerializerClass[] = [];
  const visit = (node: Node, namespace: string[], depth: number): void => {
    if (depth > 20) return;
    for (const stmt of bodyStatements(node)) {
      if (stmt.type !== 'module' && stmt.type !== 'class') continue;
      const name = constantText(stmt.childForFieldName('name')) ?? '';
      const body = stmt.childForFieldName('body');
      if (!body) continue;
      if (stmt.type === 'class') {
        const superclass = constantText(stmt.childForFieldName('superclass')?.namedChildren[0] ?? null) ?? '';
        const ams = AMS_BASE.test(superclass) || (inSerializers && /Serializer$/.test(superclass));
        if (ams && !/\binclude\s+(::)?(JSONAPI::Serializer|FastJsonapi)/.test(body.text)) {
          const cached = bodyStatements(body).some((c) => (c.type === 'identifier' || c.type === 'call') && /^(cached|cache)$/.test(readCall(c)?.name ?? '') && !readCall(c)?.receiver);
          out.push({ name: [...namespace, name].join('::'), reads: readsOf(body), cached });
        }
      }
      visit(body, [...namespace, name], depth + 1);
    }
  };
  visit(tree.rootNode, [], 0);
  return out;
}

function readsOf(body: Node): SerializerRead[] {
  const statements = bodyStatements(body);
  const methods = new Map<string, Node>();
  for (const s of statements) if (s.type === 'method') { const n = s.childForFieldName('name')?.text; if (n) methods.set(n, s); }
  const reads: SerializerRead[] = [];
  /** Attribute names whose value comes from a method of the serializer (read its body) or from the record. */
  const fromMethod = new Set<string>();
  const named = (name: string, macro: SerializerMacro, at: Node, condition?: string): void => {
    if (methods.has(name)) fromMethod.add(name);
    else reads.push({ name, macro, range: nodeRange(at), condition });
  };
  const conditionOf = (call: NonNullable<ReturnType<typeof readCall>>): string | undefined => {
    const c = call.keywords.get('if') ?? call.keywords.get('unless');
    return c ? `${call.keywords.has('if') ? 'if' : 'unless'}: ${c.text}` : undefined;
  };
  for (const s of statements) {
    const call = s.type === 'call' || s.type === 'identifier' ? readCall(s) : null;
    if (!call || call.receiver) continue;
    if (DECLARATIONS.has(call.name)) {
      // `has_many :comments do … end` (0.10) computes the value in the block: read it as a method body.
      if (call.block) { objectReads(call.block, literalName(call.args[0]) ?? call.name, reads); continue; }
      for (const a of call.args) { const n = literalName(a); if (n && a.type !== 'hash') named(n, call.name as SerializerMacro, a, conditionOf(call)); }
    } else if (call.name === 'attributes') {
      for (const a of call.args) { const n = literalName(a); if (n && a.type !== 'hash') named(n, 'attribute', a); }
    } else if (call.name === 'attribute') {
      const n = literalName(call.args[0]);
      if (call.block) objectReads(call.block, n ?? 'attribute', reads);
      else if (n) named(n, 'attribute', call.args[0], conditionOf(call));
    }
  }
  for (const name of fromMethod) objectReads(methods.get(name)!, name, reads);
  return reads;
}

/** `object.<name>` reads in a method body or block: what the serializer reads of the element. */
function objectReads(node: Node, inName: string, reads: SerializerRead[]): void {
  const stack: Node[] = [node];
  for (let guard = 0; stack.length > 0 && guard < 5000; guard++) {
    const n = stack.pop()!;
    if (n.type === 'call') {
      const receiver = n.childForFieldName('receiver');
      const method = n.childForFieldName('method');
      if (receiver?.type === 'identifier' && receiver.text === 'object' && method) {
        const parent = n.parent;
        const outer = parent?.type === 'call' && parent.childForFieldName('receiver')?.id === n.id ? parent : undefined;
        const nextArgs = !!outer?.childForFieldName('arguments')?.namedChildren.some((a) => a && a.type !== 'block_argument');
        reads.push({ name: method.text, macro: 'method', in: inName, next: outer?.childForFieldName('method')?.text, nextArgs, range: { start: nodeRange(receiver).start, end: nodeRange(method).end } });
      }
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  reads.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

/** Methods on a has_many that use its loaded records: includes serves them. Anything else builds a query per element. */
const LOADS = new Set(['each', 'map', 'collect', 'flat_map', 'to_a', 'select', 'reject', 'find', 'detect', 'sort_by', 'group_by', 'index_by',
  'first', 'last', 'sum', 'uniq', 'compact', 'any?', 'empty?', 'none?', 'present?', 'blank?', 'size', 'length', 'include?', 'min_by', 'max_by',
  'filter_map', 'partition', 'each_with_object', 'inject', 'reduce', 'to_set', 'join']);
const SIZES = new Set(['size', 'any?', 'empty?', 'none?', 'present?', 'blank?']);

/** A serializer's read of an association, applied per element by a controller's `render json:`. */
export interface SerializedRead {
  read: SerializerRead;
  serializer: SerializerClass;
  association: AssociationInfo;
  /** The serialized collection, as the action builds it. */
  collection: Value & { model: ModelInfo };
  controller: ControllerInfo;
  action: ControllerMethod;
  render: JsonRender;
  impact: ImpactInfo;
  card: Cardinality;
  severity: Severity;
}

/**
 * Where the app's controllers render a collection through one of `serializers` and the serializer reads an
 * association nothing preloads: one finding's worth per read, the most severe render first. Silent unless the app
 * locks active_model_serializers; unknown collections, models and names stay silent.
 */
export function serializedReads(app: AppFacts, serializers: SerializerClass[], controllers: ControllerIndex | undefined, models: ModelIndex, sizes: TableSizes | undefined): SerializedRead[] {
  const version = app.gems.get('active_model_serializers');
  if (!version || !controllers || serializers.length === 0) return [];
  // 0.10 looks the default serializer up in the controller's namespace first: only 0.8/0.9 name it from the model alone.
  const namespacedLookup = !/^0\.[0-9]\./.test(version);
  const out: SerializedRead[] = [];
  const offline = offlinePatterns(app);
  for (const controller of controllers.controllers()) {
    for (const action of controller.methods.values()) {
      if (action.hidden || !action.jsonRenders) continue;
      for (const render of action.jsonRenders) {
        const named = render.eachSerializer?.replace(/^::/, '');
        const candidates = named ? serializers.filter((s) => s.name === named || lexicallyNamed(controller.name, named, s.name)) : serializers;
        if (candidates.length === 0) continue;
        const value = actionChainValue(controller, action, render.collection, controllers, models);
        if (!value.model || !['relation', 'collection', 'array'].includes(value.kind) || value.perRow) continue;
        const collection = value as Value & { model: ModelInfo };
        const serializer = named ? candidates[0]
          : namespacedLookup && controller.name.includes('::') ? undefined : candidates.find((s) => s.name === `${collection.model.name}Serializer`);
        if (!serializer) continue;
        const relative = path.relative(app.root, controller.file).replace(/\\/g, '/');
        let impact = withStaffPath(impactOf(relative, 'controller', offline), relative);
        if (impact.impact === 'request' && !impact.staff) {
          const gate = staffGate(controllers, controller.file, undefined) ?? controllers.policyGate(controller, action);
          if (gate) impact = { ...impact, staff: gate };
        }
        const card = cardinalityOf(collection, sizes);
        const severity = nPlusOneSeverity(impact, card);
        if (!severity) continue;
        const seen = new Set<string>();
        for (const read of serializer.reads) {
          if (render.include && read.macro !== 'method' && read.macro !== 'attribute') continue;
          const association = models.association(collection.model.name, read.name);
          if (!association) continue;
          const name = association.aliasOf ?? association.name;
          if (seen.has(name) || collection.preloads.dynamic || collection.preloads.names.has(name)) continue;
          const many = association.macro === 'has_many' || association.macro === 'has_and_belongs_to_many';
          if (many && read.next && (!LOADS.has(read.next) || read.nextArgs)) continue;
          if (many && read.next && SIZES.has(read.next) && hasCounterCache(models, app.schema, collection.model, association)) continue;
          seen.add(name);
          out.push({ read, serializer, association, collection, controller, action, render, impact, card, severity: collection.strict || serializer.cached || read.condition ? 'hint' : severity });
        }
      }
    }
  }
  const rank = (s: Severity): number => ({ hint: 0, info: 1, warning: 2, error: 3 })[s];
  return out.sort((a, b) => rank(b.severity) - rank(a.severity));
}

/** `each_serializer: PostSerializer` written in `Api::V1::PostsController` may name `Api::V1::PostSerializer` or `Api::PostSerializer`. */
function lexicallyNamed(controller: string, written: string, full: string): boolean {
  const parts = controller.split('::').slice(0, -1);
  for (let i = parts.length; i > 0; i--) if (`${parts.slice(0, i).join('::')}::${written}` === full) return true;
  return false;
}
