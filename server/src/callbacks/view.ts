// The callback chain view: what is under the cursor (a model's class name, a callback macro, a save
// call site or a callback-skipping write) and the markdown shown for it in a hover or a document.
import type { AppFacts } from '../core/appFacts';
import { nodeAt } from '../core/hover';
import type { Position, Range } from '../core/types';
import type { ModelIndex, ModelInfo } from '../models/modelIndex';
import { nodeRange, readCall } from '../parsing/ruby';
import type { Node, Tree } from '../parsing/treeSitter';
import { buildChain, eventEntries, orderedEntries, type ChainEvent } from './chain';
import { inferReceiver, RUNS_CALLBACKS, SKIPS_CALLBACKS, enclosingClassModel } from './callSites';
import { resolveCallback } from './effects';
import { appClassesOf } from './appClasses';
import { CALLBACK_MACROS, type CallbackDecl } from './facts';
import { appNotes, locationText, renderChain, renderModelChains } from './render';
import { callbacksConfig, commitCallbacksInOrder } from './settings';

export type ViewTarget =
  | { kind: 'model'; model: ModelInfo; range: Range }
  | { kind: 'callback'; owner: ModelInfo; decl: CallbackDecl; range: Range }
  | { kind: 'call'; model: ModelInfo; method: string; events: ChainEvent[]; range: Range }
  | { kind: 'skip'; model?: ModelInfo; method: string; range: Range };

const ALL_EVENTS: ChainEvent[] = ['create', 'update', 'destroy', 'touch'];

function classNameTarget(index: ModelIndex, node: Node, file: string): ViewTarget | undefined {
  let nameNode: Node = node;
  if (nameNode.parent?.type === 'scope_resolution') nameNode = nameNode.parent;
  const klass = nameNode.parent;
  if (!klass || klass.type !== 'class' || klass.childForFieldName('name')?.startIndex !== nameNode.startIndex) return undefined;
  const model = index.definedIn(file).find((m) => m.kind === 'class' && m.location.line === nameNode.startPosition.row && m.location.character === nameNode.startPosition.column);
  return model && index.isModel(model) ? { kind: 'model', model, range: nodeRange(nameNode) } : undefined;
}

/** What the chain view can say about the node at a position. */
export function targetAt(index: ModelIndex, tree: Tree, file: string, position: Position): ViewTarget | undefined {
  const node = nodeAt(tree, position);
  if (!node) return undefined;
  if (node.type === 'constant') return classNameTarget(index, node, file);
  if (node.type !== 'identifier') return undefined;
  const call = node.parent;
  const isMethodName = call?.type === 'call' && call.childForFieldName('method')?.startIndex === node.startIndex;
  const name = node.text;
  if (CALLBACK_MACROS.has(name) && (isMethodName || call?.type !== 'call')) {
    for (const m of index.definedIn(file)) {
      const entry = orderedEntries(index, m).find((e) => e.decl && e.owner === m && e.location.line === node.startPosition.row && e.location.character === node.startPosition.column);
      if (entry?.decl) return { kind: 'callback', owner: m, decl: entry.decl, range: nodeRange(node) };
    }
  }
  const callNode = isMethodName ? call! : (call?.type !== 'call' && !/parameters/.test(call?.type ?? '') ? node : undefined);
  if (!callNode) return undefined;
  if (name in RUNS_CALLBACKS) {
    const inferred = inferReceiver(index, callNode, file);
    if (!inferred) return undefined;
    const info = readCall(callNode);
    if (!info?.receiver && callNode.type === 'identifier' && !['save', 'save!', 'destroy', 'destroy!', 'touch'].includes(name)) return undefined;
    let events: ChainEvent[] = [RUNS_CALLBACKS[name]];
    if (name === 'save' || name === 'save!') events = inferred.fromNew ? ['create'] : inferred.fromFind ? ['update'] : ['create', 'update'];
    return { kind: 'call', model: inferred.model, method: name, events, range: nodeRange(node) };
  }
  if (name in SKIPS_CALLBACKS) {
    const inferred = inferReceiver(index, callNode, file);
    if (!inferred && !SKIPS_CALLBACKS[name]) return undefined;
    return { kind: 'skip', model: inferred?.model, method: name, range: nodeRange(node) };
  }
  return undefined;
}

function eventsOf(decl: CallbackDecl): ChainEvent[] {
  switch (decl.event) {
    case 'create': case 'update': case 'destroy': case 'touch': return [decl.event];
    case 'save': case 'validation': return decl.on ?? ['create', 'update'];
    case 'commit': case 'rollback': return decl.on ?? ['create', 'update', 'destroy'];
    default: return [];
  }
}

function includersOf(index: ModelIndex, concern: ModelInfo): ModelInfo[] {
  return index.models().filter((m) => m !== concern && index.ancestry(m).includes(concern)).sort((a, b) => a.name.localeCompare(b.name));
}

/** Markdown for a hover. */
export function hoverMarkdown(index: ModelIndex, app: AppFacts, target: ViewTarget): string {
  switch (target.kind) {
    case 'model':
      return renderModelChains(index, app, target.model, ALL_EVENTS, { links: true });
    case 'callback': {
      const { owner, decl } = target;
      const events = eventsOf(decl);
      if (owner.kind === 'class' && index.isModel(owner)) {
        if (events.length === 0) return calloutForDecl(index, app, owner, decl);
        const out = [`### \`${describe(decl)}\` in ${owner.name}'s callback chains`, ''];
        for (const event of events) out.push(...renderChain(app, buildChain(index, app, owner, event), { links: true, highlight: decl.location }), '');
        out.push(...appNotes(app));
        return out.join('\n');
      }
      const includers = includersOf(index, owner);
      const out = [calloutForDecl(index, app, owner, decl), ''];
      if (includers.length === 0) out.push(`No model in the app includes ${owner.name}.`);
      else {
        out.push(`Included by ${includers.slice(0, 10).map((m) => m.name).join(', ')}${includers.length > 10 ? ` and ${includers.length - 10} more` : ''}.`, '');
        if (events.length) {
          out.push(`In ${includers[0].name}:`, '');
          for (const event of events) out.push(...renderChain(app, buildChain(index, app, includers[0], event), { links: true, highlight: decl.location }), '');
        }
      }
      return out.join('\n');
    }
    case 'call': {
      const out = [`### \`${target.method}\` on ${target.model.name} runs these callbacks`, ''];
      for (const event of target.events) out.push(...renderChain(app, buildChain(index, app, target.model, event), { links: true }), '');
      if (target.events.length === 1 && (target.method === 'save' || target.method === 'save!')) {
        out.push(target.events[0] === 'update' ? 'On a new record, `save` runs the create chain instead.' : '', '');
      }
      out.push(...appNotes(app));
      return out.join('\n').replace(/\n{3,}/g, '\n\n');
    }
    case 'skip': {
      const head = `\`${target.method}\` writes with SQL and skips validations and every callback`;
      if (!target.model) return `${head} (before_*, after_*, after_commit) and touch: true on associations.`;
      const bypassed = new Set<string>();
      const entries = orderedEntries(index, target.model);
      const events: ChainEvent[] = /delete/.test(target.method) ? ['destroy'] : /insert|upsert/.test(target.method) ? ['create'] : ['update'];
      for (const event of events) {
        for (const { entry } of eventEntries(entries, event, commitCallbacksInOrder(app))) {
          if (!entry.countable) continue;
          const t = entry.decl?.target;
          bypassed.add(t ? `\`${entry.macro}${t.type === 'method' ? ` :${t.name}` : ''}\`` : `\`${entry.macro}\` from \`${entry.generated?.source}\``);
        }
      }
      if (bypassed.size === 0) return `${head}; ${target.model.name} has no ${events[0]} callbacks to skip.`;
      return `${head}: on ${target.model.name} it bypasses ${bypassed.size} ${events[0]} callback${bypassed.size === 1 ? '' : 's'}: ${[...bypassed].join(', ')}.`;
    }
  }
}

function describe(decl: CallbackDecl): string {
  const t = decl.target;
  return t.type === 'method' ? `${decl.macro} :${t.name}` : t.type === 'inline' ? `${decl.macro} ${t.preview}` : `${decl.macro} ${t.text}`;
}

function calloutForDecl(index: ModelIndex, app: AppFacts, owner: ModelInfo, decl: CallbackDecl): string {
  const resolved = resolveCallback({ index, model: owner, config: callbacksConfig(app), classes: appClassesOf(app) }, decl.target);
  const effects = resolved.effects.filter((e) => e.kind !== 'self-write' && e.kind !== 'maybe-write');
  const lines = [`**\`${describe(decl)}\`** in ${owner.name} (${locationText(app, decl.location, true)})`];
  if (resolved.unresolved) lines.push('', 'The method is not defined here: effects are resolved in each including model.');
  else if (effects.length === 0) lines.push('', 'No effects found (HTTP, mail, jobs, broadcasts, cache, writes to other models).');
  else lines.push('', ...effects.map((e) => `- ${e.kind} \`${e.label}\`${e.via.length ? ` via ${e.via.join(' → ')}` : ''} (${locationText(app, e.fact.location, true)})`));
  return lines.join('\n');
}

/** The "Show callback chain" document for the model under the cursor (or a call site's model). */
export function chainDocument(index: ModelIndex, app: AppFacts, target: ViewTarget | undefined, tree: Tree, file: string, position: Position): string | undefined {
  let model: ModelInfo | undefined;
  if (target?.kind === 'model' || target?.kind === 'call') model = target.model;
  else if (target?.kind === 'skip') model = target.model;
  else if (target?.kind === 'callback') model = target.owner.kind === 'class' ? target.owner : includersOf(index, target.owner)[0];
  if (!model) {
    const node = nodeAt(tree, position);
    if (node) model = enclosingClassModel(index, node, file);
  }
  if (!model || !index.isModel(model)) return undefined;
  return `# Callback chain of ${model.name}\n\n${renderModelChains(index, app, model, ALL_EVENTS, { links: true }).replace(/^### .*\n\n/, '')}\n`;
}
