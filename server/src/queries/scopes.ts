// What scopes and default_scope preload: `scope :inbox, -> { where(...).preload(:author) }` makes
// `Message.inbox(user)` carry `author`. Read per model body through the model index's extractor hook.
import type { Node } from '../parsing/treeSitter';
import { bodyStatements, literalName, readCall } from '../parsing/ruby';
import { registerModelExtractor, type ModelIndex, type ModelInfo } from '../models/modelIndex';
import { emptyPreloads, mergePreloads, readPreloads, type Preloads } from './chain';
import { whereShape } from './conditions';

export interface ScopeInfo {
  preloads: Preloads;
  /** Methods called on self in the body (other scopes). */
  calls: string[];
  /** `limit(10)`, `page(1)`, `first(5)` in the body: the scope returns a bounded number of rows. */
  bounded?: string;
  /** `order(created_at: :desc)` in the body: find_each would ignore it. */
  ordered?: string;
  /** `where(id: ids)` in the body (usually on a lambda parameter): as many rows as the list has. */
  unsure?: string;
  /** `where(owner_id: id)` / `where("owner_id = ?", …)` in the body: one owner's rows. */
  ownerScoped?: string;
}
export interface ScopeFacts { scopes: Map<string, ScopeInfo>; defaultScope?: Preloads }

const KEY = 'queries';
const PRELOADERS = new Set(['includes', 'preload', 'eager_load']);
const BOUNDS = new Set(['limit', 'page', 'per', 'paginate', 'per_page', 'first', 'last', 'take']);
const ORDERS = new Set(['order', 'reorder', 'in_order_of', 'reverse_order']);

/** The first limit-like and order-like call in a scope body. */
type Shape = Pick<ScopeInfo, 'bounded' | 'ordered' | 'unsure' | 'ownerScoped'>;

function shapeIn(node: Node): Shape {
  const out: Shape = {};
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'call') {
      const name = n.childForFieldName('method')?.text;
      const args = n.childForFieldName('arguments');
      const text = `${name}${args ? (args.text.startsWith('(') ? args.text : ` ${args.text}`) : ''}`;
      if (name && BOUNDS.has(name) && (args || !['first', 'last', 'take'].includes(name)) && !out.bounded) out.bounded = text;
      if (name && ORDERS.has(name) && !out.ordered) out.ordered = text;
      if (name === 'where' && args?.text.startsWith('(')) {
        const where = whereShape(args.text);
        if (where.bounded && !out.bounded) out.bounded = where.bounded;
        out.unsure ??= where.unsure;
        out.ownerScoped ??= where.ownerScoped;
      }
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out;
}

function preloadsIn(node: Node, calls: string[] = []): Preloads {
  let out = emptyPreloads();
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'identifier' && n.parent?.type !== 'block_parameters' && n.parent?.type !== 'lambda_parameters') calls.push(n.text);
    if (n.type === 'call') {
      const name = n.childForFieldName('method')?.text;
      if (name && !n.childForFieldName('receiver')) calls.push(name);
      if (name && PRELOADERS.has(name)) {
        const one = emptyPreloads();
        const args = n.childForFieldName('arguments');
        for (const a of args?.namedChildren ?? []) if (a && a.type !== 'comment' && a.type !== 'block_argument') readPreloads(a, one);
        out = mergePreloads(out, one);
      }
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out;
}

registerModelExtractor((model: ModelInfo, body: Node) => {
  const facts: ScopeFacts = { scopes: new Map() };
  const statements = [...bodyStatements(body)];
  for (const stmt of bodyStatements(body)) {
    const call = readCall(stmt);
    if (call && call.name === 'included' && call.block) statements.push(...bodyStatements(call.block));
  }
  for (const stmt of statements) {
    const call = readCall(stmt);
    if (!call || call.receiver) continue;
    if (call.name === 'scope') {
      const name = literalName(call.args[0]);
      const lambda = call.args[1] ?? call.block;
      if (name && lambda) {
        const calls: string[] = [];
        const p = preloadsIn(lambda, calls);
        facts.scopes.set(name, { preloads: p, calls, ...shapeIn(lambda) });
      }
    } else if (call.name === 'default_scope') {
      const target = call.block ?? call.args[0];
      if (target) {
        const p = preloadsIn(target);
        if (p.dynamic || p.names.size > 0) facts.defaultScope = p;
      }
    }
  }
  if (facts.scopes.size > 0 || facts.defaultScope) model.extra.set(KEY, facts);
});

function scopeInfo(models: ModelIndex, model: ModelInfo, scope: string): ScopeInfo | undefined {
  for (const m of models.ancestry(model)) {
    const info = (m.extra.get(KEY) as ScopeFacts | undefined)?.scopes.get(scope);
    if (info) return info;
  }
  return undefined;
}

/** Preloads of `Model.<scope>`, with those of the scopes it calls (through concerns and superclasses). */
export function scopePreloads(models: ModelIndex, model: ModelInfo, scope: string, depth = 0, seen = new Set<string>()): Preloads | undefined {
  const info = scopeInfo(models, model, scope);
  if (!info || seen.has(scope)) return undefined;
  seen.add(scope);
  let out = info.preloads;
  if (depth < 5) {
    for (const call of new Set(info.calls)) {
      if (call === scope) continue;
      const inner = scopePreloads(models, model, call, depth + 1, seen);
      if (inner) out = mergePreloads(out, inner);
    }
  }
  return out.dynamic || out.names.size > 0 ? out : undefined;
}

/** Preloads of the model's `default_scope`. */
export function defaultScopePreloads(models: ModelIndex, model: ModelInfo): Preloads | undefined {
  for (const m of models.ancestry(model)) {
    const p = (m.extra.get(KEY) as ScopeFacts | undefined)?.defaultScope;
    if (p) return p;
  }
  return undefined;
}

/** Whether `Model.<scope>` is bounded or ordered by its body or the scopes it calls. */
export function scopeShape(models: ModelIndex, model: ModelInfo, scope: string, depth = 0, seen = new Set<string>()): Shape {
  const info = scopeInfo(models, model, scope);
  if (!info || seen.has(scope)) return {};
  seen.add(scope);
  const out: Shape = { bounded: info.bounded, ordered: info.ordered, unsure: info.unsure, ownerScoped: info.ownerScoped };
  if (depth < 5) {
    for (const call of new Set(info.calls)) {
      if (call === scope || (out.bounded && out.ordered)) continue;
      const inner = scopeShape(models, model, call, depth + 1, seen);
      out.bounded ??= inner.bounded;
      out.ordered ??= inner.ordered;
      out.unsure ??= inner.unsure;
      out.ownerScoped ??= inner.ownerScoped;
    }
  }
  return out;
}
