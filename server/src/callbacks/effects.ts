// Effect classification of callback bodies: which stored call facts are HTTP, mail, job enqueues,
// broadcasts, cache writes, writes to other models or queries in loops. Follows calls to methods of
// the same model up to two levels deep. Pure: model index data and config in, effects out.
import { namespaceOf, type AssociationInfo, type ModelIndex, type ModelInfo } from '../models/modelIndex';
import { callbackData, LOOP_METHODS, RESCUED, WRITE_METHODS, type BodyFacts, type CallbackTarget, type CallFact, type Receiver, type WriteEvent } from './facts';
import type { CallbacksConfig } from './settings';
import type { AppClass, AppClassSource } from './appClasses';

/** 'maybe-write': a bang method on another model's record (`order.cancel!`, an AASM event): not reported, but no quick fix moves it. */
export type EffectKind = 'http' | 'broadcast' | 'mail-now' | 'mail-later' | 'job' | 'write' | 'self-write' | 'maybe-write' | 'cache' | 'query-in-loop';
export type JobSystem = 'activejob' | 'sidekiq' | 'resque' | 'delay' | 'custom';
export type WriteKind = WriteEvent | 'touch' | 'sql';

export interface Effect {
  kind: EffectKind;
  /** Short description: `Faraday.post`, `ReminderJob.set(…).perform_later`. */
  label: string;
  fact: CallFact;
  /** Inside a block that runs after COMMIT (`ActiveRecord.after_all_transactions_commit { }`, `run_after_commit { }`). */
  deferred: boolean;
  inLoop: boolean;
  /** Inside a `begin`/method body whose `rescue` catches StandardError: an error of the call does not fail the save. */
  rescued?: boolean;
  /** Methods of self followed to reach it, from the callback's method. */
  via: string[];
  jobSystem?: JobSystem;
  write?: { model: ModelInfo; kind: WriteKind; method: string };
  /** For a call into an app class: the call inside its method that makes this an effect (`Faraday.post`). */
  inner?: { label: string; location: CallFact['location'] };
}

export interface ResolvedCallback {
  effects: Effect[];
  /** The callback names a method not found in the class, its concerns or its ancestors in the app. */
  unresolved: boolean;
}

const HTTP_ROOTS = ['Net::HTTP', 'Faraday', 'HTTParty', 'RestClient', 'Excon', 'Typhoeus', 'HTTPX', 'HTTP', 'HTTPClient', 'Curl', 'OpenURI'];
const SDK_ROOTS = ['Stripe', 'Twilio', 'Aws', 'Octokit', 'Slack', 'Pusher', 'Intercom', 'Gibbon', 'Mailchimp', 'SendGrid', 'Postmark', 'Braintree', 'Google::Apis', 'Google::Cloud', 'Firebase', 'OpenAI'];
const CONSTRUCTORS = new Set(['new', 'build', 'configure', 'config', 'configuration', 'default_connection', 'api_key', 'api_key=', 'parse', 'escape',
  'encode_www_form', 'join', 'headers', 'auth', 'basic_auth', 'timeout', 'follow', 'accept', 'persistent', 'via', 'use', 'client', 'instance', 'current']);
/** SDK calls that build a handle without a request (`Aws::S3::Resource.new.bucket(b).object(k)`). */
const SDK_BUILDERS = new Set(['bucket', 'object', 'resource', 'with', 'region', 'credentials']);
/** SDK calls computed locally: signing a URL, building an object from a hash. */
const LOCAL_SDK_METHODS = new Set(['presigned_url', 'presigned_post', 'public_url', 'url', 'key', 'construct_from', 'signed_url', 'to_s', 'to_h', 'name']);
const DEFAULT_WRAPPERS = ['after_commit', 'after_all_transactions_commit', 'run_after_commit', 'run_after_commit_or_now', 'after_transaction_commit', 'after_commit_everywhere'];
const CACHE_WRITES = new Set(['write', 'delete', 'delete_matched', 'increment', 'decrement', 'clear', 'write_multi', 'fetch', 'delete_multi']);
const QUERY_CHAIN = new Set([
  'where', 'not', 'or', 'and', 'order', 'reorder', 'limit', 'offset', 'joins', 'left_joins', 'left_outer_joins', 'includes', 'preload',
  'eager_load', 'references', 'select', 'distinct', 'group', 'having', 'unscope', 'unscoped', 'rewhere', 'lock', 'all', 'none', 'readonly',
  'find', 'find_by', 'find_by!', 'first', 'first!', 'last', 'last!', 'take', 'take!', 'sole', 'find_sole_by', 'new', 'build',
  'find_or_initialize_by', 'merge', 'in_order_of', 'excluding', 'without', 'with', 'reload', 'second', 'third',
]);
const QUERY_READS = new Set(['find', 'find_by', 'find_by!', 'where', 'exists?', 'count', 'pluck', 'first', 'last', 'sum', 'take', 'ids', 'maximum', 'minimum', 'average']);

export interface EffectContext {
  index: ModelIndex;
  /** The class (or concern) whose instance runs the callback. */
  model: ModelInfo;
  config: CallbacksConfig;
  /** The app's plain Ruby classes (services, notifiers), when the project layer provides them. */
  classes?: AppClassSource;
  /** How many app-class calls were followed to get here (bounded at 2). */
  appDepth?: number;
}

/** The association named `name` on a model, looking through its concerns and ancestors. */
export function associationOf(index: ModelIndex, model: ModelInfo, name: string): { owner: ModelInfo; association: AssociationInfo } | undefined {
  for (const m of index.ancestry(model)) {
    const a = m.associations.get(name);
    if (a) return { owner: m, association: a };
  }
  return undefined;
}

export function associationTarget(index: ModelIndex, owner: ModelInfo, association: AssociationInfo): ModelInfo | undefined {
  if (association.polymorphic) return undefined;
  const target = index.target(owner, association);
  return target && target.kind === 'class' ? target : undefined;
}

function hasScope(index: ModelIndex, model: ModelInfo, name: string): boolean {
  return index.ancestry(model).some((m) => m.scopes.has(name));
}

/** Follows a path of association readers and query methods from a model. */
function walkPath(index: ModelIndex, start: ModelInfo, path: string[]): ModelInfo | undefined {
  let current = start;
  for (const step of path) {
    if (QUERY_CHAIN.has(step) || LOOP_METHODS.has(step) || hasScope(index, current, step)) continue;
    const assoc = associationOf(index, current, step);
    if (!assoc) return undefined;
    const next = associationTarget(index, assoc.owner, assoc.association);
    if (!next) return undefined;
    current = next;
  }
  return current;
}

/** The model a receiver denotes (a record or relation of it), 'self', or undefined when unknown. */
export function receiverModel(ctx: EffectContext, r: Receiver, depth = 0): ModelInfo | 'self' | undefined {
  if (depth > 4) return undefined;
  const { index } = ctx;
  switch (r.root) {
    case 'const': {
      const m = index.resolve(r.name ?? '', namespaceOf(ctx.model.name));
      if (!m || m.kind !== 'class' || !index.isModel(m)) return undefined;
      return walkPath(index, m, r.path);
    }
    case 'none': case 'self': {
      if (r.path.length === 0) return 'self';
      return walkPath(index, ctx.model, r.path);
    }
    case 'call': {
      const assoc = associationOf(index, ctx.model, r.name ?? '');
      if (!assoc) return undefined;
      const target = associationTarget(index, assoc.owner, assoc.association);
      return target ? walkPath(index, target, r.path) : undefined;
    }
    case 'elem': {
      if (!r.of) return undefined;
      const collection = receiverModel(ctx, r.of, depth + 1);
      if (!collection || collection === 'self') return undefined;
      return walkPath(index, collection, r.path);
    }
    default: return undefined;
  }
}

function rootMatches(name: string | undefined, roots: readonly string[]): string | undefined {
  if (!name) return undefined;
  return roots.find((root) => name === root || name.startsWith(`${root}::`));
}

function writeKind(method: string, path: string[]): WriteKind {
  if (/^(create|create!|find_or_create_by!?|create_or_find_by!?|first_or_create!?)$/.test(method)) return 'create';
  if ((method === 'save' || method === 'save!') && (path.includes('new') || path.includes('build'))) return 'create';
  if (/^(save!?|update!?|update_attribute|update_attributes!?|toggle!)$/.test(method)) return 'update';
  if (/^(destroy!?|destroy_all|destroy_by)$/.test(method)) return 'destroy';
  if (method === 'touch') return 'touch';
  return 'sql';
}

function shortLabel(fact: CallFact): string {
  return fact.text;
}

/** Classifies one call fact; undefined when it has no effect worth showing. */
export function classify(ctx: EffectContext, fact: CallFact): Omit<Effect, 'via' | 'deferred' | 'inLoop'> | undefined {
  const { method, receiver: r } = fact;
  const label = shortLabel(fact);
  const constName = r.root === 'const' ? r.name : undefined;
  const qualified = constName && r.path.length === 0 ? `${constName}.${method}` : undefined;
  if (qualified && ctx.config.jobEnqueuers.includes(qualified)) return { kind: 'job', label, fact, jobSystem: 'custom' };
  if (method === 'deliver_now' || method === 'deliver_now!') return { kind: 'mail-now', label, fact };
  // `UserMailer.welcome(user).deliver`: Rails before 4.2 (and mailer gems that kept the name) send or enqueue it there.
  if (method === 'deliver' && constName && /Mailer$/.test(constName) && r.path.length === 1 && !fact.chained) return { kind: 'mail-now', label, fact };
  if (method === 'deliver_later' || method === 'deliver_later!') return { kind: 'mail-later', label, fact, jobSystem: 'activejob' };
  if (method === 'perform_later') return { kind: 'job', label, fact, jobSystem: 'activejob' };
  if (/^perform_(async|in|at|bulk)$/.test(method)) return { kind: 'job', label, fact, jobSystem: 'sidekiq' };
  if (constName === 'Sidekiq::Client' && /^(push|push_bulk|enqueue\w*)$/.test(method)) return { kind: 'job', label, fact, jobSystem: 'sidekiq' };
  if (constName === 'Resque' && /^enqueue\w*$/.test(method)) return { kind: 'job', label, fact, jobSystem: 'resque' };
  if (!fact.chained && [...(r.root === 'call' ? [r.name] : []), ...r.path].some((p) => p === 'delay' || p === 'delay_for' || p === 'delay_until')) return { kind: 'job', label, fact, jobSystem: 'delay' };
  if ((r.root === 'none' || r.root === 'self') && r.path.length === 0) {
    if (/^broadcast_\w+_later(_to)?$/.test(method)) return { kind: 'job', label, fact, jobSystem: 'activejob' };
    if (/^broadcast_(replace|update|append|prepend|remove|action|refresh|render|before|after)(_\w+)?$/.test(method) && !/_later/.test(method)) return { kind: 'broadcast', label, fact };
  }
  if (constName === 'ActionCable' && r.path[0] === 'server' && method === 'broadcast') return { kind: 'broadcast', label, fact };
  if (constName && r.path.length === 0) {
    // Known side-effect APIs (real-app misses): bulk Sidekiq pushes, ActiveJob bulk enqueue, MessageBus, Turbo.
    if (method === 'push_bulk') return { kind: 'job', label, fact, jobSystem: 'sidekiq' };
    if (constName === 'ActiveJob' && method === 'perform_all_later') return { kind: 'job', label, fact, jobSystem: 'activejob' };
    if (constName === 'MessageBus' && method === 'publish') return { kind: 'broadcast', label, fact };
    if (/^(::)?Turbo::StreamsChannel$/.test(constName) && method.startsWith('broadcast_')) {
      return /_later(_to)?$/.test(method) ? { kind: 'job', label, fact, jobSystem: 'activejob' } : { kind: 'broadcast', label, fact };
    }
  }
  if (!fact.chained) {
    if (r.path.includes('__elasticsearch__') && /^(index|update|delete)_document$/.test(method)) return { kind: 'http', label, fact };
  }
  if (constName && ctx.classes && !ctx.config.externalCalls.some((e) => constName === e.split('.')[0] || constName.startsWith(`${e.split('.')[0]}::`))) {
    const model = ctx.index.resolve(constName, namespaceOf(ctx.model.name));
    if (!model || !ctx.index.isModel(model)) {
      const klass = findAppClass(ctx.classes, constName, namespaceOf(ctx.model.name));
      // The app's own class: what its method does decides, never its namespace. Unreadable: silent.
      if (klass) return followAppCall(ctx, fact, klass, label);
      if (ctx.classes.ownsNamespace(constName)) return undefined;
    }
  }
  {
    const configured = constName && ctx.config.externalCalls.find((e) => {
      const [klass, m] = e.split('.');
      return (constName === klass || constName.startsWith(`${klass}::`)) && (!m || m === (r.path[0] ?? method));
    });
    const root = rootMatches(constName, HTTP_ROOTS) ?? rootMatches(constName, SDK_ROOTS);
    // The request is the first call after the constructors and builders: `Faraday.new(url).post`, not `.body` on its response.
    if ((configured || root) && r.path.every((s) => CONSTRUCTORS.has(s) || SDK_BUILDERS.has(s)) && !CONSTRUCTORS.has(method) && !SDK_BUILDERS.has(method) && !LOCAL_SDK_METHODS.has(method)) {
      if (constName === 'URI' && method !== 'open') return undefined;
      return { kind: 'http', label, fact };
    }
  }
  if (constName === 'Rails' && r.path.length === 1 && r.path[0] === 'cache' && CACHE_WRITES.has(method)) return { kind: 'cache', label, fact };
  if (!fact.chained && ((r.root === 'gvar' && /redis/i.test(r.name ?? '')) || (constName && /(^|::)Redis$/.test(constName) && method !== 'new'))) return { kind: 'cache', label, fact };
  if (WRITE_METHODS.has(method)) {
    if (fact.chained && !['create', 'create!', 'update', 'update!', 'save', 'save!', 'destroy', 'destroy!'].includes(method)) return undefined;
    const target = receiverModel(ctx, r);
    if (target === 'self') {
      return { kind: 'self-write', label, fact, write: { model: ctx.model, kind: writeKind(method, r.path), method } };
    }
    if (target) return { kind: 'write', label, fact, write: { model: target, kind: writeKind(method, r.path), method } };
    return undefined;
  }
  if ((method.endsWith('!') || r.root === 'elem') && !fact.chained && r.root !== 'none' && r.root !== 'self') {
    // `parties.each(&:notify)`, `order.ship!`: another model's method; the mail, job, HTTP or broadcast it makes counts here.
    const followed = followModelCall(ctx, fact, label);
    if (followed) return followed;
  }
  if (method.endsWith('!') && !fact.chained && r.root !== 'none' && r.root !== 'self') {
    const target = receiverModel(ctx, r);
    if (target && target !== 'self') return { kind: 'maybe-write', label, fact, write: { model: target, kind: 'update', method } };
  }
  if (QUERY_READS.has(method) && !fact.chained && fact.blocks.some((b) => LOOP_METHODS.has(b)) && r.root !== 'none' && r.root !== 'self') {
    const target = receiverModel(ctx, r);
    if (target && target !== 'self') return { kind: 'query-in-loop', label, fact };
  }
  return undefined;
}

const IO_RANK: Partial<Record<EffectKind, number>> = { 'http': 5, 'mail-now': 4, 'job': 3, 'mail-later': 2, 'broadcast': 1 };
const HTTPARTY_VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head']);

function findAppClass(classes: AppClassSource, name: string, namespace: string): AppClass | undefined {
  const parts = namespace ? namespace.split('::') : [];
  for (let i = parts.length; i >= 0; i--) {
    const found = classes.find([...parts.slice(0, i), name.replace(/^::/, '')].join('::'));
    if (found) return found;
  }
  return undefined;
}

/** A method of an app class (singleton or instance), looking through its app superclasses. */
function appMethod(classes: AppClassSource, klass: AppClass, name: string, singleton: boolean): { klass: AppClass; facts: BodyFacts } | undefined {
  let current: AppClass | undefined = klass;
  for (let depth = 0; current && depth < 5; depth++) {
    const facts = (singleton ? current.singleton : current.instance).get(name);
    if (facts) return { klass: current, facts };
    current = current.superclass ? findAppClass(classes, current.superclass, namespaceOf(current.name)) : undefined;
  }
  return undefined;
}

/**
 * `Notifier.ping(...)` / `Notifier.new(...).call` on an app class: the strongest effect its method
 * makes (HTTP, mail, job, broadcast), followed two levels into self calls and other app classes.
 */
function followAppCall(ctx: EffectContext, fact: CallFact, klass: AppClass, label: string): Omit<Effect, 'via' | 'deferred' | 'inLoop'> | undefined {
  const classes = ctx.classes!;
  if ((ctx.appDepth ?? 0) >= 2) return undefined;
  const r = fact.receiver;
  let start: { klass: AppClass; facts: BodyFacts } | undefined;
  if (r.path.length === 0) {
    // `Service.call(x)` usually reaches `new(x).call` through a generic `self.call` in a base class.
    start = klass.singleton.get(fact.method) ? { klass, facts: klass.singleton.get(fact.method)! } : appMethod(classes, klass, fact.method, true) ?? appMethod(classes, klass, fact.method, false);
  } else if (r.path.length === 1 && r.path[0] === 'new') start = appMethod(classes, klass, fact.method, false);
  if (!start) return undefined;
  const wrappers = new Set([...DEFAULT_WRAPPERS, ...ctx.config.afterCommitWrappers]);
  let best: { kind: EffectKind; inner: CallFact; jobSystem?: JobSystem } | undefined;
  const visited = new Set<string>();
  const visit = (owner: AppClass, facts: BodyFacts, depth: number): void => {
    for (const inner of facts.calls) {
      if (inner.blocks.some((b) => wrappers.has(b))) continue;
      const ir = inner.receiver;
      const selfCall = (ir.root === 'none' || ir.root === 'self') && ir.path.length === 0;
      const httparty = owner.includes.includes('HTTParty') && HTTPARTY_VERBS.has(inner.method)
        && ((selfCall) || ((ir.root === 'self') && ir.path.length === 1 && ir.path[0] === 'class'));
      let found: { kind: EffectKind; jobSystem?: JobSystem } | undefined;
      if (httparty) found = { kind: 'http' };
      else if (selfCall) {
        const callee = appMethod(classes, owner, inner.method, false) ?? appMethod(classes, owner, inner.method, true);
        const key = `${callee?.klass.name}#${inner.method}`;
        if (callee && depth < 2 && !visited.has(key)) { visited.add(key); visit(callee.klass, callee.facts, depth + 1); }
        continue;
      } else if (depth < 2 && ir.root !== 'none' && ir.root !== 'self') {
        const key = `${owner.name}@${inner.location.line}:${inner.location.character}`;
        if (visited.has(key)) continue;
        visited.add(key);
        const c = classify({ ...ctx, appDepth: (ctx.appDepth ?? 0) + 1 }, inner);
        // An enqueue or broadcast counts only in the called method itself (a notifier that enqueues); one deep
        // in a service's helpers is incidental to what the callback asked for. HTTP and SMTP count at any depth.
        if (c && IO_RANK[c.kind] && (depth === 0 || c.kind === 'http' || c.kind === 'mail-now')) found = { kind: c.kind, jobSystem: c.jobSystem };
      }
      if (found && (!best || IO_RANK[found.kind]! > IO_RANK[best.kind]!)) best = { ...found, inner };
    }
  };
  visited.add(`${start.klass.name}#${fact.method}`);
  visit(start.klass, start.facts, 0);
  if (!best) return undefined;
  return { kind: best.kind, label, fact, jobSystem: best.jobSystem, inner: { label: best.inner.text, location: best.inner.location } };
}

/** The strongest I/O effect (HTTP, mail, job, broadcast) a method of another model makes in its own body, one level deep. */
function followModelCall(ctx: EffectContext, fact: CallFact, label: string): Omit<Effect, 'via' | 'deferred' | 'inLoop'> | undefined {
  if ((ctx.appDepth ?? 0) >= 1) return undefined;
  const target = receiverModel(ctx, fact.receiver);
  if (!target || target === 'self') return undefined;
  const facts = methodFacts(ctx.index, target, fact.method);
  if (!facts) return undefined;
  const wrappers = new Set([...DEFAULT_WRAPPERS, ...ctx.config.afterCommitWrappers]);
  let best: { c: Omit<Effect, 'via' | 'deferred' | 'inLoop'>; inner: CallFact } | undefined;
  for (const inner of facts.calls) {
    if (inner.blocks.some((b) => wrappers.has(b))) continue;
    const c = classify({ ...ctx, model: target, appDepth: (ctx.appDepth ?? 0) + 1 }, inner);
    if (c && IO_RANK[c.kind] && (!best || IO_RANK[c.kind]! > IO_RANK[best.c.kind]!)) best = { c, inner };
  }
  if (!best) return undefined;
  return { kind: best.c.kind, label, fact, jobSystem: best.c.jobSystem, inner: { label: best.inner.text, location: best.inner.location } };
}

/** The facts of a method of the model: the class first, then its concerns and ancestors. */
export function methodFacts(index: ModelIndex, model: ModelInfo, name: string): BodyFacts | undefined {
  for (const m of index.ancestry(model)) {
    const facts = callbackData(m)?.methods.get(name);
    if (facts) return facts;
  }
  return undefined;
}

/** A class method of the model (`def self.x`) or of one of its concerns (`class_methods do`). */
export function classMethodFacts(index: ModelIndex, model: ModelInfo, name: string): BodyFacts | undefined {
  for (const m of index.ancestry(model)) {
    const facts = callbackData(m)?.classMethods?.get(name);
    if (facts) return facts;
  }
  return undefined;
}

/** Effects of a callback, following calls to methods of self up to `maxDepth` levels below the callback's method. */
export function resolveCallback(ctx: EffectContext, target: CallbackTarget, maxDepth = 2): ResolvedCallback {
  const effects: Effect[] = [];
  const wrappers = new Set([...DEFAULT_WRAPPERS, ...ctx.config.afterCommitWrappers]);
  let root: BodyFacts | undefined;
  const via: string[] = [];
  if (target.type === 'method') {
    root = methodFacts(ctx.index, ctx.model, target.name);
    if (!root) return { effects, unresolved: true };
  } else if (target.type === 'inline') root = target.facts;
  else return { effects, unresolved: true };
  const visited = new Set<string>(target.type === 'method' ? [target.name] : []);
  const seenFacts = new Set<CallFact>();
  const visit = (facts: BodyFacts, path: string[], outerBlocks: string[], depth: number): void => {
    for (const fact of facts.calls) {
      const blocks = outerBlocks.length ? [...outerBlocks, ...fact.blocks] : fact.blocks;
      const isSelfCall = (fact.receiver.root === 'none' || fact.receiver.root === 'self') && fact.receiver.path.length === 0;
      if (isSelfCall && depth < maxDepth && !visited.has(fact.method)) {
        const callee = methodFacts(ctx.index, ctx.model, fact.method);
        if (callee) {
          visited.add(fact.method);
          visit(callee, [...path, fact.method], blocks, depth + 1);
          continue;
        }
      }
      // `self.class.async(:x)`: the model's own class method, e.g. a concern's enqueue helper.
      const r = fact.receiver;
      if ((r.root === 'none' || r.root === 'self') && r.path.length === 1 && r.path[0] === 'class' && !fact.chained && depth < maxDepth && !visited.has(`.${fact.method}`)) {
        const callee = classMethodFacts(ctx.index, ctx.model, fact.method);
        if (callee) {
          visited.add(`.${fact.method}`);
          visit(callee, [...path, `self.class.${fact.method}`], blocks, depth + 1);
          continue;
        }
      }
      if (seenFacts.has(fact)) continue;
      const c = classify(ctx, fact);
      if (!c) continue;
      seenFacts.add(fact);
      const effect: Effect = { ...c, via: path, deferred: blocks.some((b) => wrappers.has(b)), inLoop: blocks.some((b) => LOOP_METHODS.has(b)) };
      if (blocks.includes(RESCUED)) effect.rescued = true;
      effects.push(effect);
    }
  };
  visit(root, via, [], 0);
  return { effects, unresolved: false };
}

export const EFFECT_BADGES: Record<EffectKind, string> = {
  'http': 'HTTP', 'broadcast': 'broadcast', 'mail-now': 'mail now', 'mail-later': 'mail later', 'job': 'job',
  'write': 'writes', 'self-write': 'writes self', 'maybe-write': 'may write', 'cache': 'cache', 'query-in-loop': 'query in loop',
};
