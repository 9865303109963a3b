// What the callback rules share for one file: the model index (the app's, or this file alone), the
// callbacks declared in this file with their resolved effects, and the after_commit quick fix.
import type { AppFacts } from '../core/appFacts';
import type { RuleContext } from '../core/rule';
import type { Fix, Range } from '../core/types';
import { extractModels, ModelIndex, type ModelInfo, type SourceLocation } from '../models/modelIndex';
import type { Tree } from '../parsing/treeSitter';
import { orderedEntries, runsInTransaction } from './chain';
import { resolveCallback, type Effect, type EffectContext, type ResolvedCallback } from './effects';
import type { CallbackDecl } from './facts';
import './facts';
import { callbacksConfig, type CallbacksConfig } from './settings';
import { appClassesOf } from './appClasses';

export interface DeclaredCallback {
  model: ModelInfo;
  decl: CallbackDecl;
  resolved: ResolvedCallback;
  inTransaction: boolean;
}

export interface FileCallbacks {
  index: ModelIndex;
  config: CallbacksConfig;
  models: ModelInfo[];
  declared: DeclaredCallback[];
}

/** The app's index when it covers this file; else an index of the app's models plus this file's tree. */
export function indexFor(app: AppFacts, file: string, tree: Tree | undefined): ModelIndex {
  const shared = app.models;
  // Controllers, jobs and other Ruby files define no models: the app's index is the whole answer.
  if (shared && (!/[\\/]app[\\/]models[\\/]/.test(file) || shared.hasFile(file))) return shared;
  const local = shared ? shared.copy() : new ModelIndex();
  if (tree) local.update(file, extractModels(tree, file));
  return local;
}

export function fileCallbacks(ctx: RuleContext): FileCallbacks {
  return ctx.derive('callbacks/file', () => {
    const index = indexFor(ctx.app, ctx.file, ctx.tree);
    const config = callbacksConfig(ctx.app);
    const models = index.definedIn(ctx.file);
    const declared: DeclaredCallback[] = [];
    for (const model of models) {
      const effectCtx: EffectContext = { index, model, config, classes: appClassesOf(ctx.app) };
      for (const entry of orderedEntries(index, model)) {
        if (!entry.decl || entry.owner !== model) continue;
        declared.push({ model, decl: entry.decl, resolved: resolveCallback(effectCtx, entry.decl.target), inTransaction: runsInTransaction(entry.decl) });
      }
    }
    return { index, config, models, declared };
  });
}

export function toRange(loc: SourceLocation): Range {
  return { start: { line: loc.line, character: loc.character }, end: { line: loc.endLine, character: loc.endCharacter } };
}

/** `` `after_save :sync_calendar` ``, or `` `after` block of aasm event :ship `` for a state-machine hook, for messages. */
export function callbackText(decl: CallbackDecl): string {
  return `\`${describeCallback(decl)}\`${decl.origin ? ` of ${decl.origin}` : ''}`;
}

/** `after_save :sync_calendar`, `after_create { … }`. */
export function describeCallback(decl: CallbackDecl): string {
  const t = decl.target;
  return t.type === 'method' ? `${decl.macro} :${t.name}` : t.type === 'inline' ? `${decl.macro} block` : `${decl.macro} ${t.text}`;
}

/** Where to report an effect: on the call when it is in this file, else on the callback's target. */
export function reportRange(file: string, d: DeclaredCallback, effect: Effect): Range {
  return effect.fact.location.file === file ? toRange(effect.fact.location) : toRange(d.decl.target.location);
}

export function viaText(d: DeclaredCallback, effect: Effect): string {
  if (effect.via.length === 0) return '';
  const start = d.decl.target.type === 'method' ? [d.decl.target.name] : [];
  return ` (through ${[...start, ...effect.via].map((m) => `\`${m}\``).join(' → ')})`;
}

/** ` (at app/models/concerns/x.rb:12)` when the effect is in another file than the callback. */
export function whereText(root: string, file: string, effect: Effect): string {
  const f = effect.fact.location.file;
  if (f === file) return '';
  return ` (at ${f.startsWith(root + '/') ? f.slice(root.length + 1) : f}:${effect.fact.location.line + 1})`;
}

/** ` (\`Notifier.ping\` makes \`Faraday.post\` at app/services/notifier.rb:12)` for an effect reached inside an app class. */
export function innerText(root: string, effect: Effect): string {
  if (!effect.inner) return '';
  const f = effect.inner.location.file;
  return ` (it reaches \`${effect.inner.label}\` at ${f.startsWith(root + '/') ? f.slice(root.length + 1) : f}:${effect.inner.location.line + 1})`;
}

const COMMIT_ALIASES: Record<string, string> = {
  after_create: 'after_create_commit', after_update: 'after_update_commit', after_save: 'after_save_commit', after_destroy: 'after_destroy_commit',
};
const AFTER_COMMIT_KINDS = new Set(['http', 'broadcast', 'job', 'mail-later', 'mail-now', 'cache']);

/** The commit alias for an after_* callback, or undefined. */
export function commitAlias(macro: string): string | undefined { return COMMIT_ALIASES[macro]; }

/**
 * `after_create :x` → `after_create_commit :x` when the callback only does work that belongs after
 * COMMIT (external calls, jobs, mail, cache, broadcasts; at most update_column on itself), it is the only
 * callback of its macro call, and no other commit callback names the same method (only the last one would run).
 */
export function commitFix(ctx: RuleContext, fc: FileCallbacks, d: DeclaredCallback): Fix | undefined {
  const alias = COMMIT_ALIASES[d.decl.macro];
  if (!alias || d.decl.arity !== 1 || d.resolved.unresolved || d.decl.target.type === 'object') return undefined;
  if (d.resolved.effects.length === 0) return undefined;
  for (const e of d.resolved.effects) {
    if (AFTER_COMMIT_KINDS.has(e.kind)) continue;
    if (e.kind === 'self-write' && e.write && /^update_columns?$/.test(e.write.method)) continue;
    return undefined;
  }
  const target = d.decl.target;
  if (target.type === 'method') {
    // Two commit aliases naming one method: only the last registered runs (rubocop Rails/AfterCommitOverride).
    // Also refuse when another after_* callback names it, since its own fix would create that clash.
    const entries = d.model.kind === 'class' ? orderedEntries(fc.index, d.model) : fc.declared.filter((x) => x.model === d.model).map((x) => ({ decl: x.decl, event: x.decl.event }));
    const clash = entries.some((e) => e.decl && e.decl !== d.decl && (e.event === 'commit' || COMMIT_ALIASES[e.decl.macro] !== undefined)
      && e.decl.target.type === 'method' && e.decl.target.name === target.name);
    if (clash) return undefined;
  }
  if (alias === 'after_save_commit' && ctx.app.railsVersion && /^[0-5]\./.test(ctx.app.railsVersion.value)) return undefined;
  return {
    title: `Run it after commit: \`${alias}\``,
    safety: 'unsafe',
    edits: [{ file: ctx.file, range: toRange(d.decl.location), newText: alias }],
  };
}
