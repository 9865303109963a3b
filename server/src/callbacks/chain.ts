// The ordered callback chain of a model per event (create, update, destroy, touch), with the
// callbacks Rails generates for associations (touch:, dependent:, autosave, nested attributes) and
// the cascades into other models' chains. Execution order follows shared research §B.1.
import type { AppFacts } from '../core/appFacts';
import { lexicalScope, namespaceOf, type AssociationInfo, type ModelIndex, type ModelInfo, type SourceLocation } from '../models/modelIndex';
import { associationTarget, resolveCallback, type Effect, type EffectContext } from './effects';
import { callbackData, type CallbackDecl, type CallbackEvent, type Timing, type WriteEvent } from './facts';
import { appClassesOf } from './appClasses';
import { activeJobDeferral, callbacksConfig, commitCallbacksInOrder, type CallbacksConfig } from './settings';

export type ChainEvent = 'create' | 'update' | 'destroy' | 'touch';

export interface Generated {
  kind: 'touch' | 'dependent' | 'autosave' | 'counter_cache';
  association: AssociationInfo;
  /** The association's model (undefined when polymorphic or outside the app). */
  target?: ModelInfo;
  /** `belongs_to :patient, touch: true`. */
  source: string;
}

export interface ChainEntry {
  timing: Timing;
  event: CallbackEvent;
  on?: WriteEvent[];
  prepend: boolean;
  conditions: string[];
  /** The macro as Rails registers it: `after_create`, `before_destroy`. */
  macro: string;
  decl?: CallbackDecl;
  generated?: Generated;
  /** Where it is declared: the class, a concern or an ancestor. */
  owner: ModelInfo;
  location: SourceLocation;
  /** Counter caches are SQL on the same statement, not callbacks: shown, not counted. */
  countable: boolean;
}

export interface Cascade {
  /** `touch patient`, `destroy each appointment`. */
  label: string;
  model: ModelInfo;
  event: ChainEvent;
  perRow: boolean;
  /** Steps of the target's chain (empty when already shown higher up or too deep). */
  steps: ChainStep[];
  /** Already shown higher up (a cycle or a second path to the same chain). */
  repeated: boolean;
  /** False when the cascade is deeper than the view follows. */
  expanded: boolean;
}

export interface ChainStep {
  entry: ChainEntry;
  /** 'transaction' for everything before COMMIT, 'commit' for after_commit, 'rollback' for after_rollback. */
  phase: 'transaction' | 'commit' | 'rollback';
  effects: Effect[];
  unresolved: boolean;
  cascades: Cascade[];
}

/** An effect that runs before COMMIT and leaves the database: HTTP, mail now, a job that is not deferred. */
export interface InTransactionIO { model: ModelInfo; entry: ChainEntry; effect: Effect }

export interface Chain {
  model: ModelInfo;
  event: ChainEvent;
  steps: ChainStep[];
  /** Callbacks run inside the transaction, in this model and in cascades (each model/event counted once). */
  total: number;
  /** Callbacks that run after COMMIT or ROLLBACK (after_commit, after_*_commit, after_rollback), here and in cascades. */
  afterCommit: ChainEntry[];
  external: number;
  /** Effects inside the transaction (this model or a cascade) that reach outside the database. */
  io: InTransactionIO[];
  depth: number;
}

/** Every callback declaration of a class, in registration order: superclass first, includes where they are. */
export function orderedEntries(index: ModelIndex, model: ModelInfo): ChainEntry[] {
  const out: ChainEntry[] = [];
  const seen = new Set<string>();
  const addModel = (m: ModelInfo, depth: number): void => {
    if (seen.has(m.name) || depth > 20) return;
    seen.add(m.name);
    const superclass = index.superclassOf(m);
    if (m.kind === 'class' && superclass) {
      const parent = index.resolve(superclass, namespaceOf(m.name));
      if (parent && parent.kind === 'class') addModel(parent, depth + 1);
    }
    // A class reopened in other files (order/checkout.rb, `Order.class_eval do`): each part's declarations, main file first.
    for (const part of index.parts(m)) addPart(part, depth);
  };
  const addPart = (m: ModelInfo, depth: number): void => {
    const data = callbackData(m);
    if (!data) {
      // A `Name.prepend(Mod)` reopening has no body: only its mixins.
      for (const name of m.includes) {
        const concern = index.resolve(name, lexicalScope(m));
        if (concern && concern.kind === 'concern') addModel(concern, depth + 1);
      }
      return;
    }
    const nestedDone = new Set<string>();
    for (const item of data.sequence) {
      if (item.type === 'callback') {
        const d = item.decl;
        out.push({ timing: d.timing, event: d.event, on: d.on, prepend: d.prepend, conditions: d.conditions, macro: d.macro, decl: d, owner: m, location: d.location, countable: true });
      } else if (item.type === 'include') {
        for (const name of item.names) {
          const concern = index.resolve(name, lexicalScope(m));
          if (concern && concern.kind === 'concern') addModel(concern, depth + 1);
        }
      } else if (item.type === 'association') {
        const a = m.associations.get(item.name);
        if (a) out.push(...generatedEntries(index, m, a, m.nestedAttributes.includes(a.name)));
        if (a && m.nestedAttributes.includes(a.name)) nestedDone.add(a.name);
      } else if (item.type === 'nested') {
        for (const name of item.names) {
          const a = m.associations.get(name);
          if (a && !a.autosave && !nestedDone.has(name)) out.push(...generatedEntries(index, m, { ...a, autosave: true }, true));
        }
      }
    }
  };
  addModel(model, 0);
  return out;
}

function generatedEntries(index: ModelIndex, owner: ModelInfo, a: AssociationInfo, nested: boolean): ChainEntry[] {
  const target = associationTarget(index, owner, a);
  const base = { prepend: false, conditions: [] as string[], owner, location: a.location, countable: true };
  const out: ChainEntry[] = [];
  const gen = (kind: Generated['kind'], source: string): Generated => ({ kind, association: a, target, source });
  if (a.macro === 'belongs_to' && a.touch) {
    const g = gen('touch', `belongs_to :${a.name}, touch: true`);
    for (const event of ['create', 'update', 'destroy', 'touch'] as const) out.push({ ...base, timing: 'after', event, macro: `after_${event}`, generated: g });
  }
  if (a.macro === 'belongs_to' && a.counterCache) {
    const g = gen('counter_cache', `belongs_to :${a.name}, counter_cache: ${a.counterCache === true ? 'true' : `:${a.counterCache}`}`);
    for (const event of ['create', 'destroy'] as const) out.push({ ...base, timing: 'after', event, macro: `after_${event}`, generated: g, countable: false });
  }
  if (a.dependent && a.macro !== 'belongs_to') {
    out.push({ ...base, timing: 'before', event: 'destroy', macro: 'before_destroy', generated: gen('dependent', `${a.macro} :${a.name}, dependent: :${a.dependent}`) });
  }
  if (a.autosave || nested) {
    const g = gen('autosave', nested ? `accepts_nested_attributes_for :${a.name}` : `${a.macro} :${a.name}, autosave: true`);
    if (a.macro === 'belongs_to') out.push({ ...base, timing: 'before', event: 'save', macro: 'before_save', generated: g });
    else for (const event of ['create', 'update'] as const) out.push({ ...base, timing: 'after', event, macro: `after_${event}`, generated: g });
  }
  return out;
}

function ordered(entries: ChainEntry[], timings: Timing[], event: CallbackEvent, on?: WriteEvent): ChainEntry[] {
  const selected = entries.filter((e) => timings.includes(e.timing) && e.event === event && (!on || !e.on || e.on.includes(on)));
  if (selected.some((e) => e.prepend && e.timing !== 'after')) {
    const out: ChainEntry[] = [];
    for (const e of selected) { if (e.prepend && e.timing !== 'after') out.unshift(e); else out.push(e); }
    return out;
  }
  return selected;
}

/** The entries that run for an event, in execution order, with their phase. */
export function eventEntries(entries: ChainEntry[], event: ChainEvent, commitInOrder: boolean): { entry: ChainEntry; phase: ChainStep['phase'] }[] {
  const inTx: ChainEntry[] = [];
  if (event === 'create' || event === 'update') {
    inTx.push(...ordered(entries, ['before'], 'validation', event), ...ordered(entries, ['after'], 'validation', event));
    inTx.push(...ordered(entries, ['before', 'around'], 'save'), ...ordered(entries, ['before', 'around'], event));
    inTx.push(...ordered(entries, ['after'], event), ...ordered(entries, ['after'], 'save'));
  } else if (event === 'destroy') {
    inTx.push(...ordered(entries, ['before', 'around'], 'destroy'), ...ordered(entries, ['after'], 'destroy'));
  } else {
    inTx.push(...ordered(entries, ['after'], 'touch'));
  }
  const out: { entry: ChainEntry; phase: ChainStep['phase'] }[] = inTx.map((entry) => ({ entry, phase: 'transaction' as const }));
  if (event !== 'touch') {
    const commits = ordered(entries, ['after'], 'commit', event);
    for (const entry of commitInOrder ? commits : [...commits].reverse()) out.push({ entry, phase: 'commit' });
    for (const entry of ordered(entries, ['after'], 'rollback', event)) out.push({ entry, phase: 'rollback' });
  }
  return out;
}

export interface ChainOptions {
  maxDepth?: number; config?: CallbacksConfig;
  /** The write changes the record's own attributes only (`event.update(frozen: true)`): autosave saves no unchanged child. */
  ownAttributesOnly?: boolean;
  /** The chain runs for a plain write (`update!`, `save!`) made by other code: no state-machine event fires. */
  fromWrite?: boolean;
}

/** aasm and state_machines hooks run when an event fires, never for a plain `update!` or `save!`. */
const isStateMachineHook = (entry: ChainEntry): boolean => !!entry.decl?.conditions?.includes('on a state transition');

/** Builds the chain of `model` for `event`, following cascades `maxDepth` levels (each model/event once). */
export function buildChain(index: ModelIndex, app: AppFacts, model: ModelInfo, event: ChainEvent, options: ChainOptions = {}): Chain {
  const config = options.config ?? callbacksConfig(app);
  const maxDepth = options.maxDepth ?? 3;
  const commitInOrder = commitCallbacksInOrder(app);
  const visited = new Set<string>();
  let total = 0;
  let external = 0;
  let deepest = 0;
  const afterCommit: ChainEntry[] = [];
  const io: InTransactionIO[] = [];
  const jobDeferred = activeJobDeferral(app).deferred === true;

  // `outside`: a cascade from an after_commit callback runs after the outer COMMIT (in its own transaction).
  const build = (m: ModelInfo, ev: ChainEvent, depth: number, outside: boolean): ChainStep[] => {
    visited.add(`${m.name}#${ev}`);
    deepest = Math.max(deepest, depth);
    const ctx: EffectContext = { index, model: m, config, classes: appClassesOf(app) };
    const steps: ChainStep[] = [];
    for (const { entry, phase } of eventEntries(orderedEntries(index, m), ev, commitInOrder)) {
      // A cascade is a plain write of another record (events are 'maybe-write' effects, never cascaded).
      if ((depth > 0 || options.fromWrite) && isStateMachineHook(entry)) continue;
      if (entry.countable) {
        if (phase === 'transaction' && !outside) total++;
        else afterCommit.push(entry);
      }
      const step: ChainStep = { entry, phase, effects: [], unresolved: false, cascades: [] };
      if (entry.decl) {
        const resolved = resolveCallback(ctx, entry.decl.target);
        step.effects = resolved.effects;
        step.unresolved = resolved.unresolved;
        external += resolved.effects.filter((e) => e.kind === 'http' || e.kind === 'broadcast' || e.kind === 'mail-now').length;
        if (phase === 'transaction' && !outside) {
          for (const e of resolved.effects) if (leavesDatabase(e, jobDeferred, !!app.sidekiqTransactionalPush)) io.push({ model: m, entry, effect: e });
        }
        for (const e of resolved.effects) {
          if (e.kind !== 'write' || !e.write || e.write.kind === 'sql') continue;
          const target = e.write.model;
          step.cascades.push(cascade(target, e.write.kind, `${e.write.method} ${target.name}${e.inLoop ? ' (in a loop)' : ''}`, e.inLoop, depth, outside || phase !== 'transaction'));
        }
      } else if (entry.generated?.target) {
        const g = entry.generated;
        const t = g.target!;
        if (g.kind === 'touch') step.cascades.push(cascade(t, 'touch', `touch ${g.association.name} (${t.name}), just before COMMIT`, false, depth, outside));
        if (g.kind === 'dependent' && (g.association.dependent === 'destroy')) step.cascades.push(cascade(t, 'destroy', `destroy each of ${g.association.name} (${t.name})`, g.association.macro !== 'has_one', depth, outside));
        // On create no child rows exist yet: the children built with the parent are saved, counted once.
        // Autosave saves a child only when it has changes: an update of the parent's own attributes changes none.
        const unchangedChildren = options.ownAttributesOnly && ev === 'update';
        if (g.kind === 'autosave' && ev !== 'destroy' && !unchangedChildren) step.cascades.push(cascade(t, ev === 'touch' ? 'update' : ev, `save ${g.association.name} (${t.name})`, ev !== 'create' && (g.association.macro === 'has_many' || g.association.macro === 'has_and_belongs_to_many'), depth, outside));
      }
      steps.push(step);
    }
    return steps;
  };

  const cascade = (target: ModelInfo, ev: ChainEvent, label: string, perRow: boolean, depth: number, outside: boolean): Cascade => {
    const key = `${target.name}#${ev}`;
    if (visited.has(key) || depth + 1 > maxDepth) return { label, model: target, event: ev, perRow, steps: [], repeated: visited.has(key), expanded: false };
    return { label, model: target, event: ev, perRow, steps: build(target, ev, depth + 1, outside), repeated: false, expanded: true };
  };

  const steps = build(model, event, 0, false);
  return { model, event, steps, total, afterCommit, external, io, depth: deepest };
}

/** HTTP, mail delivered now, or a job pushed at once (not deferred by the adapter or a wrapper). */
export function leavesDatabase(e: Effect, activeJobDeferred: boolean, sidekiqTransactional: boolean): boolean {
  if (e.deferred) return false;
  if (e.kind === 'http' || e.kind === 'mail-now') return true;
  if (e.kind === 'job' || e.kind === 'mail-later') {
    if (e.jobSystem === 'activejob') return !activeJobDeferred;
    if (e.jobSystem === 'sidekiq') return !sidekiqTransactional;
    return true;
  }
  return false;
}

/** Short text for an effect that leaves the database: `HTTP \`Faraday.post\``. */
export function ioText(e: Effect): string {
  const what = e.kind === 'http' ? 'calls' : e.kind === 'mail-now' ? 'mails now with' : 'enqueues with';
  return `${what} \`${e.label}\``;
}

/** The longest save path (create or update) of a model, counting cascades. */
export function savePathLength(index: ModelIndex, app: AppFacts, model: ModelInfo, config?: CallbacksConfig): { chain: Chain; count: number } {
  const create = buildChain(index, app, model, 'create', { config });
  const update = buildChain(index, app, model, 'update', { config });
  return create.total >= update.total ? { chain: create, count: create.total } : { chain: update, count: update.total };
}

/** Whether a callback runs inside the save/destroy transaction. */
export function runsInTransaction(decl: Pick<CallbackDecl, 'timing' | 'event'>): boolean {
  if (decl.event === 'commit' || decl.event === 'rollback' || decl.event === 'initialize' || decl.event === 'find') return false;
  return true;
}
