// What a method does with its positional parameters, for loops that pass their element to a method:
// `items.each { |i| notify(i) }` where `def notify(item) = Mailer.x(item.user.email)` reads `item.user`
// once per row, one call away. A summary is plain data (kept for model methods by the model index and
// for the app's plain classes and helpers by their resolver); `paramAssociationReads` resolves it at the
// loop against the element's model: association readers are reads, the model's own methods are followed
// through their summaries (methodReads.ts), and a parameter passed on to another method of the same
// owner is followed through that method's summary (depth-bounded, cycle-guarded).
import type { Node } from '../parsing/treeSitter';
import { attrReaderNames, bodyStatements, ivarAssignmentCounts, methodDefinitions } from '../parsing/ruby';
import { registerModelExtractor, type AssociationInfo, type ModelIndex, type ModelInfo } from '../models/modelIndex';
import { associationReadsOf } from './methodReads';
import { BATCH_LOOPS, LOOP_METHODS } from './values';
import { memoByDefinition } from '../core/definitionMemo';

/** `param.name` (with the method called on its result: `param.comments.each` → `each`). */
export interface ParamRead { name: string; next?: string; line: number; character: number }
/** `other(x, param)`: the parameter passed on, as argument `index`, to a receiverless method of the same owner. */
export interface ParamPass { method: string; index: number; line: number; character: number }
/** `param.each { |x| x.author }`: a loop over the parameter on every path, with what it reads of each element. */
export interface ParamLoop { method: string; line: number; character: number; reads: ParamRead[]; passes: ParamPass[]; file?: string }
export interface ParamSummary {
  file: string;
  /** Where the method is defined (its `def`). */
  line: number;
  character: number;
  /** Per positional parameter. */
  reads: ParamRead[][];
  passes: ParamPass[][];
  /** Per positional parameter: the loops over it (a caller passing a collection makes them per-row reads). */
  loops?: ParamLoop[][];
}

const BRANCHES = new Set(['if', 'unless', 'if_modifier', 'unless_modifier', 'conditional', 'case', 'rescue', 'rescue_modifier', 'elsif', 'else',
  'when', 'while', 'until', 'while_modifier', 'until_modifier']);
const NESTED = new Set(['method', 'singleton_method', 'class', 'module', 'lambda']);
const MAX_DEPTH = 3;

/** Positional parameter names of a `def` (required and optional ones, in order); undefined entries for others. */
function positionalParams(method: Node): (string | undefined)[] {
  const params = method.childForFieldName('parameters');
  const out: (string | undefined)[] = [];
  for (const p of params?.namedChildren ?? []) {
    if (!p) continue;
    if (p.type === 'identifier') out.push(p.text);
    else if (p.type === 'optional_parameter') out.push(p.childForFieldName('name')?.text);
    else if (p.type === 'keyword_parameter' || p.type === 'block_parameter' || p.type === 'hash_splat_parameter') continue;
    else out.push(undefined);
  }
  return out;
}

/**
 * The summary of a `def` (or `def self.x`), or undefined when it takes no positional parameter. Reads that only
 * some paths make (inside an `if` branch, after `||`) are left out: they may not run per row.
 */
export function paramSummaryOf(method: Node, file: string): ParamSummary | undefined {
  return memoByDefinition('paramReads', method, file, '', () => readParamSummary(method, file));
}

function readParamSummary(method: Node, file: string): ParamSummary | undefined {
  const names = positionalParams(method);
  if (!names.some(Boolean)) return undefined;
  const body = method.childForFieldName('body');
  if (!body) return undefined;
  const { reads, passes, loops, reassigned } = readsIn(body, names);
  // A parameter the method reassigns is not the caller's element afterwards: drop what it does with it.
  names.forEach((n, i) => { if (n && reassigned.has(n)) { reads[i] = []; passes[i] = []; loops[i] = []; } });
  if (reads.every((r) => r.length === 0) && passes.every((p) => p.length === 0) && loops.every((l) => l.length === 0)) return undefined;
  return { file, line: method.startPosition.row, character: method.startPosition.column, reads, passes, loops: loops.some((l) => l.length > 0) ? loops : undefined };
}

/** What the code under `body` does on every path with the variables `names`: their reads, passes and the loops over them. */
function readsIn(body: Node, names: (string | undefined)[], depth = 0): { reads: ParamRead[][]; passes: ParamPass[][]; loops: ParamLoop[][]; reassigned: Set<string> } {
  const index = new Map<string, number>();
  names.forEach((n, i) => { if (n) index.set(n, i); });
  const reads: ParamRead[][] = names.map(() => []);
  const passes: ParamPass[][] = names.map(() => []);
  const loops: ParamLoop[][] = names.map(() => []);
  const reassigned = new Set<string>();
  const stack: [Node, boolean][] = [[body, false]];
  while (stack.length > 0) {
    const [n, branch] = stack.pop()!;
    const type = n.type;
    if (NESTED.has(type)) continue;
    if ((type === 'assignment' || type === 'operator_assignment') && n.childForFieldName('left')?.type === 'identifier') {
      reassigned.add(n.childForFieldName('left')!.text);
    }
    if (!branch && type === 'call') {
      const receiver = n.childForFieldName('receiver');
      const name = n.childForFieldName('method');
      if (receiver?.type === 'identifier' && name && index.has(receiver.text) && !n.childForFieldName('arguments') && !n.childForFieldName('block')) {
        const parent = n.parent;
        const next = parent?.type === 'call' && parent.childForFieldName('receiver')?.id === n.id ? parent.childForFieldName('method')?.text : undefined;
        const list = reads[index.get(receiver.text)!];
        if (!list.some((r) => r.name === name.text)) list.push({ name: name.text, next, line: name.startPosition.row, character: name.startPosition.column });
      }
      const block = n.childForFieldName('block');
      if (depth === 0 && (receiver?.type === 'identifier' || receiver?.type === 'instance_variable') && name && index.has(receiver.text) && block && LOOP_METHODS.has(name.text) && !BATCH_LOOPS.has(name.text)) {
        const element = elementParam(block);
        const blockBody = block.namedChildren.find((c) => c?.type === 'body_statement' || c?.type === 'block_body');
        if (element && blockBody) {
          const inner = readsIn(blockBody, [element], depth + 1);
          if (!inner.reassigned.has(element) && (inner.reads[0].length > 0 || inner.passes[0].length > 0)) {
            loops[index.get(receiver.text)!].push({ method: name.text, line: name.startPosition.row, character: name.startPosition.column, reads: inner.reads[0], passes: inner.passes[0] });
          }
        }
      }
      const args = n.childForFieldName('arguments');
      if (!receiver && name && args) {
        const positional = args.namedChildren.filter((a): a is Node => !!a && a.type !== 'pair' && a.type !== 'hash' && a.type !== 'block_argument');
        positional.forEach((a, k) => {
          if (a.type === 'identifier' && index.has(a.text)) passes[index.get(a.text)!].push({ method: name.text, index: k, line: name.startPosition.row, character: name.startPosition.column });
        });
      }
    }
    const operator = type === 'binary' ? n.childForFieldName('operator')?.text : undefined;
    const condition = n.childForFieldName('condition')?.id;
    for (const c of n.namedChildren) {
      if (!c) continue;
      const conditional = branch || (BRANCHES.has(type) && c.id !== condition)
        || ((operator === '||' || operator === '&&' || operator === 'or' || operator === 'and') && c.id === n.childForFieldName('right')?.id)
        || (type === 'block' || type === 'do_block');
      stack.push([c, conditional]);
    }
  }
  return { reads, passes, loops, reassigned };
}

/**
 * The element a loop's block binds (`|f|`): its first parameter when that is a plain name; undefined for
 * destructuring or none (unlike parsing/ruby.ts `blockParam`, which takes the first name anywhere in the list).
 */
function elementParam(block: Node): string | undefined {
  const params = block.childForFieldName('parameters') ?? block.namedChildren.find((c) => c?.type === 'block_parameters');
  const first = params?.namedChildren.find((c) => !!c);
  return first?.type === 'identifier' ? first.text : undefined;
}

/** Summaries of the instance (`#name`) and class (`.name`) methods of a class body with positional parameters. */
export function paramSummariesOf(body: Node, file: string): Map<string, ParamSummary> {
  const out = new Map<string, ParamSummary>();
  const add = (key: string, def: Node): void => { const s = paramSummaryOf(def, file); if (s) out.set(key, s); };
  const defs = methodDefinitions(body);
  for (const [key, def] of defs) add(key, def);
  constructorLoops(body, defs, file, out);
  return out;
}

/**
 * `def initialize(user, subs) = @subs = subs`, then `subs.each { |s| s.repo }` in initialize or a method it calls:
 * the loops run over what `X.new(…)` is passed. Kept on the `#initialize` summary, per parameter. An ivar assigned
 * anywhere else, or on one path only, is left out.
 */
function constructorLoops(body: Node, defs: [string, Node][], file: string, out: Map<string, ParamSummary>): void {
  const init = defs.find(([key]) => key === '#initialize')?.[1];
  const initBody = init?.childForFieldName('body');
  if (!init || !initBody || defs.filter(([key]) => key === '#initialize').length > 1) return;
  const params = positionalParams(init);
  const stored = new Map<string, number>();
  const called = new Set<string>(['#initialize']);
  for (const stmt of bodyStatements(initBody)) {
    const left = stmt.type === 'assignment' ? stmt.childForFieldName('left') : undefined;
    const right = stmt.childForFieldName('right');
    if (left?.type === 'instance_variable' && right?.type === 'identifier' && params.includes(right.text)) stored.set(left.text, params.indexOf(right.text));
    if (stmt.type === 'call' && !stmt.childForFieldName('receiver')) called.add(`#${stmt.childForFieldName('method')?.text}`);
    if (stmt.type === 'identifier') called.add(`#${stmt.text}`);
  }
  if (stored.size === 0) return;
  const readers = new Set(attrReaderNames(body));
  // Any other write, or a multiple assignment, leaves it out.
  const counts = ivarAssignmentCounts(body.text);
  const kept = [...stored].filter(([ivar]) => counts.get(ivar) === 1);
  // Each name the stored value goes by (the ivar, its attr_reader), and the parameter it came from.
  const names: string[] = [];
  const from: number[] = [];
  for (const [ivar, index] of kept) {
    names.push(ivar); from.push(index);
    if (readers.has(ivar.slice(1))) { names.push(ivar.slice(1)); from.push(index); }
  }
  if (names.length === 0) return;
  const found: ParamLoop[][] = params.map(() => []);
  for (const [key, def] of defs) {
    const defBody = def.childForFieldName('body');
    if (!called.has(key) || !defBody || !names.some((n) => defBody.text.includes(`${n}.`))) continue;
    const shadowed = new Set(positionalParams(def));
    const inner = readsIn(defBody, names);
    names.forEach((name, i) => { if (!inner.reassigned.has(name) && !shadowed.has(name)) found[from[i]].push(...inner.loops[i]); });
  }
  if (found.every((l) => l.length === 0)) return;
  // A copy: the method's own summary is shared (core/definitionMemo.ts).
  const own = out.get('#initialize');
  const summary: ParamSummary = own ? { ...own, loops: own.loops?.map((l) => [...l]) }
    : { file, line: init.startPosition.row, character: init.startPosition.column, reads: params.map(() => []), passes: params.map(() => []) };
  summary.loops ??= params.map(() => []);
  found.forEach((loops, i) => summary.loops![i].push(...loops));
  out.set('#initialize', summary);
}

const KEY = 'queries.paramReads';
registerModelExtractor((model: ModelInfo, body: Node, file: string) => {
  const found = paramSummariesOf(body, file);
  if (found.size > 0) model.extra.set(KEY, found);
});

/** A model's method summary (`#name` for instances, `.name` for the class), through its concerns and superclasses. */
export function modelParamSummary(models: ModelIndex, model: ModelInfo, key: string): { owner: ModelInfo; summary: ParamSummary } | undefined {
  for (const m of models.ancestry(model)) {
    const summary = (m.extra.get(KEY) as Map<string, ParamSummary> | undefined)?.get(key);
    if (summary) return { owner: m, summary };
  }
  return undefined;
}

/** One method on the way from the call in the loop to the read. */
export interface Hop { label: string; file: string; line: number; character: number }
export interface ParamAssociationRead {
  association: AssociationInfo;
  /** Methods followed, outermost first; the last one makes the read. */
  via: Hop[];
  /** Where the read is written. */
  at: { file: string; line: number; character: number };
}

/** Whether includes serves the read: one record per row (belongs_to, has_one), or a has_many whose records are used as loaded. */
// Size checks (`size`, `any?`, `empty?`) are left out: a counter cache or an EXISTS may serve them without loading rows.
const LOADS = new Set(['each', 'map', 'collect', 'flat_map', 'to_a', 'length', 'select', 'reject', 'filter_map', 'sort_by', 'group_by', 'index_by',
  'each_with_index', 'min_by', 'max_by']);
export function servedByPreload(association: AssociationInfo, next: string | undefined): boolean {
  if (association.macro === 'belongs_to' || association.macro === 'has_one') return true;
  return !!next && LOADS.has(next);
}

/**
 * The associations of `model` that a method reads from its parameter `index` when called with a record of `model`:
 * `lookup(name)` finds the summary of a receiverless method of the same owner (`other(param)`), `label(name)` names it.
 */
export function paramAssociationReads(models: ModelIndex, model: ModelInfo, summary: ParamSummary, index: number, label: string,
  lookup: (method: string) => ParamSummary | undefined): ParamAssociationRead[] {
  const out: ParamAssociationRead[] = [];
  const seen = new Set<string>();
  const visit = (s: ParamSummary, i: number, name: string, via: Hop[], depth: number): void => {
    const key = `${name}:${i}`;
    if (depth >= MAX_DEPTH || seen.has(key)) return;
    seen.add(key);
    const path = [...via, { label: name, file: s.file, line: s.line, character: s.character }];
    for (const read of s.reads[i] ?? []) {
      const association = models.association(model.name, read.name);
      if (association) {
        if (servedByPreload(association, read.next) && !out.some((r) => r.association.name === association.name)) {
          out.push({ association, via: path, at: { file: s.file, line: read.line, character: read.character } });
        }
        continue;
      }
      // `param.summary`, where `Post#summary` reads `author`.
      for (const inner of associationReadsOf(models, model, read.name, (a) => a.macro === 'belongs_to' || a.macro === 'has_one')) {
        if (out.some((r) => r.association.name === inner.association.name)) continue;
        const last = inner.via[inner.via.length - 1];
        out.push({
          association: inner.association,
          via: [...path, ...inner.via.map((v) => ({ label: `${v.owner.split('::').pop()}#${v.method}`, file: v.file, line: v.line, character: v.character }))],
          at: { file: last.file, line: last.line, character: last.character },
        });
      }
    }
    for (const pass of s.passes[i] ?? []) {
      const next = lookup(pass.method);
      if (next) visit(next, pass.index, pass.method, path, depth + 1);
    }
  };
  visit(summary, index, label, [], 0);
  return out;
}
