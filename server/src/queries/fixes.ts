// Quick-fix edits and message pieces shared by the query rules.
import * as path from 'node:path';
import type { FileEdit } from '../core/types';
import type { ModelIndex, ModelInfo, AssociationInfo } from '../models/modelIndex';
import type { Schema } from '../project/schema';
import { chainEndAfter, type Chain, type Link } from './chain';
import type { Origin, Value } from './values';

const PRELOADERS = new Set(['includes', 'preload', 'eager_load']);

/** `:author`, `comments: :author`, `comments: { replies: :author }`. */
export function preloadSpec(pathTo: string[], name: string): string {
  let spec = `:${name}`;
  for (let i = pathTo.length - 1; i >= 0; i--) spec = i === pathTo.length - 1 ? `${pathTo[i]}: ${spec}` : `${pathTo[i]}: { ${spec} }`;
  return spec;
}

/** Adds the association to the origin's last includes/preload/eager_load, or appends `.includes(…)`. */
export function includeEdit(origin: Origin, pathTo: string[], name: string): FileEdit | undefined {
  const links = origin.chain.links.slice(0, origin.count);
  for (let i = links.length - 1; i >= 0; i--) {
    const link = links[i];
    if (!PRELOADERS.has(link.name) || !link.args.preloadArgs || link.args.preloadArgs.length === 0) continue;
    const extended = extendPreload(origin.chain.file, link, pathTo, name);
    if (extended) return extended;
    break;
  }
  // `User.paginate :page => params[:page]`: text appended after an argument list without parentheses
  // binds to the last argument (`params[:page].includes(…)`); the includes goes before that call instead.
  const count = includesPoint(origin);
  if (count === 0 && origin.count > 0 && origin.chain.root.kind !== 'const' && origin.chain.root.kind !== 'ivar' && origin.chain.root.kind !== 'name') return undefined;
  const end = chainEndAfter(origin.chain, count);
  return { file: origin.chain.file, range: { start: end, end }, newText: `.includes(${preloadSpec(pathTo, name)})` };
}

/** How many links of the origin come before the appended `.includes(…)`: not after an argument list without parentheses. */
function includesPoint(origin: Origin): number {
  const links = origin.chain.links;
  let count = origin.count;
  while (count > 0 && links[count - 1].args.count > 0 && !links[count - 1].args.text.startsWith('(')) count--;
  return count;
}

/** The origin's Ruby with `.includes(spec)` where the fix puts it, for messages. */
export function withIncludesText(origin: Origin, spec: string): string {
  const at = includesPoint(origin);
  const chain = { ...origin.chain, links: [
    ...origin.chain.links.slice(0, at),
    { name: 'includes', nameRange: origin.chain.rootRange, end: origin.chain.rootRange.end, args: { count: 1, text: `(${spec})`, deps: [] }, hasBlock: false },
    ...origin.chain.links.slice(at, origin.count),
  ] };
  return chainText(chain);
}

function extendPreload(file: string, link: Link, pathTo: string[], name: string): FileEdit | undefined {
  const args = link.args.preloadArgs!;
  const first = args[0];
  const last = args[args.length - 1];
  if (pathTo.length === 0) {
    return { file, range: { start: first.range.start, end: first.range.start }, newText: `:${name}, ` };
  }
  if (pathTo.length === 1) {
    const key = pathTo[0];
    const pair = args.find((a) => a.kind === 'pair' && a.name === key);
    if (pair && pair.valueRange) {
      if (pair.valueKind === 'symbol') return { file, range: pair.valueRange, newText: `[${pair.valueText}, :${name}]` };
      if (pair.valueKind === 'array') {
        const end = { line: pair.valueRange.end.line, character: pair.valueRange.end.character - 1 };
        return { file, range: { start: end, end }, newText: `, :${name}` };
      }
      return undefined;
    }
    if (pair) return undefined;
    return { file, range: { start: last.range.end, end: last.range.end }, newText: `, ${preloadSpec(pathTo, name)}` };
  }
  return undefined;
}

/** The Ruby text of a chain up to `count` links, rebuilt from its parts. */
export function chainText(chain: Chain, count = chain.links.length): string {
  const r = chain.root;
  let text = r.kind === 'const' || r.kind === 'name' || r.kind === 'ivar' ? r.name : '';
  for (const link of chain.links.slice(0, count)) {
    const args = link.args.text ? (link.args.text.startsWith('(') ? link.args.text : ` ${link.args.text}`) : '';
    text += `${text ? '.' : ''}${link.name}${args}`;
  }
  return text.length > 120 ? text.slice(0, 117) + '…' : text;
}

export function originsOf(value: Value): Origin[] {
  return (value.alternatives ?? [value]).map((v) => v.origin).filter((o): o is Origin => !!o);
}

/**
 * Where a relation that misses `path.name` is built: the first of its alternatives whose own preloads miss it (a
 * partial rendered by two pages, one of which preloads: the message names the other).
 */
export function uncoveredOrigin(value: Value, pathTo: string[], name: string): Origin | undefined {
  return (value.alternatives ?? [value]).find((v) => v.origin && !covers(v.preloads, pathTo, name))?.origin;
}

/** Where each alternative that misses `path.name` is built: the places a fix edits and its title names. */
export function uncoveredOrigins(value: Value, pathTo: string[], name: string): Origin[] {
  return (value.alternatives ?? [value]).filter((v) => v.origin && !covers(v.preloads, pathTo, name)).map((v) => v.origin!);
}

/** Whether preloads cover `path.name`. */
export function covers(preloads: Value['preloads'], pathTo: string[], name: string): boolean {
  let p = preloads;
  for (const step of [...pathTo, name]) {
    if (p.dynamic) return true;
    const next = p.names.get(step);
    if (!next) return false;
    p = next;
  }
  return true;
}

/** `app/controllers/posts_controller.rb:3` relative to the app root. */
export function where(root: string, origin: Origin): string {
  const rel = path.relative(root, origin.chain.file).replace(/\\/g, '/');
  return `${rel}:${chainEndAfter(origin.chain, origin.count).line + 1}`;
}

/** Fix edits for every place the collection is built; undefined when one cannot be edited. */
export function includeEdits(collection: Value, pathTo: string[], name: string): FileEdit[] | undefined {
  const edits: FileEdit[] = [];
  const seen = new Set<string>();
  for (const alternative of collection.alternatives ?? [collection]) {
    const origin = alternative.origin;
    if (covers(alternative.preloads, pathTo, name)) continue;
    if (!origin) return undefined;
    const edit = includeEdit(origin, pathTo, name);
    if (!edit) return undefined;
    const key = `${edit.file}:${edit.range.start.line}:${edit.range.start.character}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edits.push(edit);
  }
  return edits.length > 0 ? edits : undefined;
}

/** Whether `owner.assoc.size` reads a counter cache column instead of running COUNT. */
export function hasCounterCache(models: ModelIndex, schema: Schema | undefined, owner: ModelInfo, assoc: AssociationInfo): boolean {
  const table = schema?.tables.get(models.tableName(owner));
  if (table?.columns.has(`${assoc.name}_count`)) return true;
  const target = models.target(owner, assoc);
  if (!target) return false;
  for (const m of models.ancestry(target)) {
    for (const a of m.associations.values()) {
      if (a.macro !== 'belongs_to' || !a.counterCache) continue;
      const back = models.target(m, a);
      if (back && (back.name === owner.name || models.ancestry(owner).some((x) => x.name === back.name))) {
        if (typeof a.counterCache !== 'string' || a.counterCache === `${assoc.name}_count`) return true;
      }
    }
  }
  return false;
}

/** The singular noun for a model's records in messages: `Appointment` → appointment. */
export function noun(model: ModelInfo | undefined): string {
  if (!model) return 'record';
  const base = model.name.split('::').pop()!;
  return base.replace(/([a-z\d])([A-Z])/g, '$1 $2').toLowerCase();
}

/** The title of an includes fix, naming where the edit lands when it is not the line of the finding. */
export function includeFixTitle(edits: FileEdit[], spec: string, origins: Origin[], file: string, line: number, root: string): string {
  const appended = edits.every((e) => e.newText.startsWith('.includes('));
  const what = appended ? `Add \`.includes(${spec})\`` : `Add \`${spec}\` to the preloads`;
  if (edits.every((e) => e.file === file && e.range.start.line === line)) return what;
  const places = [...new Set(origins.map((o) => o.chain.context ?? where(root, o)))];
  const sameFile = edits.every((e) => e.file === file);
  if (places.length === 1 && sameFile && !origins[0].chain.context) return `${what} on line ${edits[0].range.start.line + 1}`;
  if (places.length <= 2) return `${what} in ${places.join(' and ')}`;
  return `${what} in ${places.length} places`;
}
