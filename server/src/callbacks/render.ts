// Markdown for the callback chain view: hovers on a class name, a callback macro or a save call site,
// and the "Show callback chain" document.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppFacts } from '../core/appFacts';
import type { ModelIndex, ModelInfo, SourceLocation } from '../models/modelIndex';
import { buildChain, type Chain, type ChainEvent, type ChainStep } from './chain';
import { EFFECT_BADGES, type Effect } from './effects';
import { activeJobDeferral, commitCallbacksInOrder } from './settings';

export interface RenderOptions {
  /** Link locations to files (hovers and documents in an editor); off for plain text. */
  links?: boolean;
  /** Mark the step declared at this location (hover on a callback macro). */
  highlight?: SourceLocation;
}

const EVENT_TITLE: Record<ChainEvent, string> = {
  create: 'create (`create`, `save` on a new record)',
  update: 'update (`update`, `save` on a persisted record)',
  destroy: 'destroy (`destroy`)',
  touch: 'touch (`touch`, or a child\'s `touch: true`)',
};

export function locationText(app: AppFacts, loc: SourceLocation, links: boolean): string {
  const rel = path.relative(app.root, loc.file).replace(/\\/g, '/');
  const label = `${rel.startsWith('..') ? loc.file : rel}:${loc.line + 1}`;
  return links ? `[${label}](${pathToFileURL(loc.file).toString()}#L${loc.line + 1})` : label;
}

function effectText(e: Effect): string {
  const notes: string[] = [];
  if (e.via.length) notes.push(`via ${e.via.join(' → ')}`);
  if (e.inner) notes.push(`reaches \`${e.inner.label}\``);
  if (e.inLoop) notes.push('in a loop');
  if (e.deferred) notes.push('deferred to after commit');
  return `${EFFECT_BADGES[e.kind]} \`${e.label}\`${notes.length ? ` (${notes.join(', ')})` : ''}`;
}

function stepText(app: AppFacts, chain: ChainStep, model: ModelInfo, options: RenderOptions): string {
  const { entry } = chain;
  const parts: string[] = [];
  let head = `\`${entry.macro}`;
  if (entry.decl) {
    const t = entry.decl.target;
    head += t.type === 'method' ? ` :${t.name}\`` : t.type === 'inline' ? ` ${t.preview}\`` : ` ${t.text}\``;
  } else if (entry.generated) {
    head += `\` from \`${entry.generated.source}\``;
  }
  if (entry.owner.name !== model.name && !entry.generated) head += entry.owner.kind === 'concern' ? ` (concern ${entry.owner.name})` : ` (inherited from ${entry.owner.name})`;
  else if (entry.owner.name !== model.name && entry.generated) head += ` (${entry.owner.kind === 'concern' ? 'concern' : 'inherited from'} ${entry.owner.name})`;
  parts.push(head);
  const conditions = [...entry.conditions];
  if (entry.decl?.origin) conditions.unshift(entry.decl.origin);
  if (entry.decl && entry.decl.event === 'commit' && entry.decl.on && entry.decl.macro === 'after_commit') conditions.unshift(`on: ${entry.decl.on.join(', ')}`);
  if (conditions.length) parts.push(conditions.join(', '));
  parts.push(locationText(app, entry.location, !!options.links));
  if (entry.generated?.kind === 'counter_cache') parts.push('SQL counter update, no callbacks');
  if (chain.unresolved && entry.decl?.target.type === 'method') parts.push('method not found in the app (a gem or metaprogramming): effects unknown');
  if (chain.unresolved && entry.decl?.target.type === 'object') parts.push('callback object: effects not followed');
  for (const e of chain.effects) if (e.kind !== 'self-write' && e.kind !== 'maybe-write') parts.push(effectText(e));
  const mark = options.highlight && entry.location.file === options.highlight.file && entry.location.line === options.highlight.line
    && entry.location.character === options.highlight.character ? '**▶** ' : '';
  return mark + parts.join(' · ');
}

function renderSteps(app: AppFacts, steps: ChainStep[], model: ModelInfo, indent: string, options: RenderOptions, out: string[], withBoundary: boolean): void {
  let n = 0;
  let boundary = false;
  for (const step of steps) {
    if (withBoundary && !boundary && step.phase !== 'transaction') {
      out.push(`${indent}- *COMMIT*`);
      boundary = true;
    }
    n++;
    out.push(`${indent}${n}. ${stepText(app, step, model, options)}`);
    for (const c of step.cascades) {
      const count = c.steps.filter((s) => s.entry.countable).length;
      const what = c.repeated ? `${c.model.name} ${c.event} chain shown above` : !c.expanded ? `${c.model.name} ${c.event} chain (not expanded: too deep)`
        : `${c.model.name} ${c.event} runs ${count} callback${count === 1 ? '' : 's'}`;
      out.push(`${indent}   - ↳ ${c.label}${c.perRow ? ' × each row' : ''}: ${what}`);
      if (c.steps.length) renderSteps(app, c.steps, c.model, `${indent}      `, options, out, false);
    }
  }
  if (withBoundary && !boundary) out.push(`${indent}- *COMMIT*`);
}

export function renderChain(app: AppFacts, chain: Chain, options: RenderOptions = {}): string[] {
  const out: string[] = [];
  const ext = chain.external ? `, ${chain.external} external call${chain.external === 1 ? '' : 's'}` : '';
  const after = chain.afterCommit.length ? `, ${chain.afterCommit.length} after commit` : '';
  out.push(`**${EVENT_TITLE[chain.event]}**: ${chain.total} callback${chain.total === 1 ? '' : 's'} in the transaction${after}${ext}`);
  out.push('');
  if (chain.steps.length === 0) out.push('No callbacks.');
  else renderSteps(app, chain.steps, chain.model, '', options, out, chain.event !== 'touch');
  return out;
}

export function hasTouchCallbacks(chain: Chain): boolean { return chain.steps.length > 0; }

/** Notes that apply to every chain of the app: transactional callback order, job deferral. */
export function appNotes(app: AppFacts): string[] {
  const order = commitCallbacksInOrder(app)
    ? 'after_commit callbacks run in the order defined (load_defaults ≥ 7.1).'
    : 'after_commit callbacks run in reverse order of definition (load_defaults < 7.1), as listed.';
  return [`Everything above *COMMIT* runs inside the transaction. ${order} Jobs: ${activeJobDeferral(app).why}.`];
}

/** The chains of a model for the given events, as one markdown text. */
export function renderModelChains(index: ModelIndex, app: AppFacts, model: ModelInfo, events: ChainEvent[], options: RenderOptions = {}): string {
  const out: string[] = [`### ${model.name} callback chains`, ''];
  for (const event of events) {
    const chain = buildChain(index, app, model, event);
    if (event === 'touch' && chain.steps.length === 0) continue;
    out.push(...renderChain(app, chain, options), '');
  }
  out.push(...appNotes(app));
  return out.join('\n');
}
