// Method summaries for the query rules: which readers of self a model method calls (`def byline =
// "#{author.name}"` reads `author`), so a loop that calls `post.byline` per row is seen to read
// `post.author` per row. Extracted with the model index (one pass per model file), resolved at use:
// names that are associations of the model are reads; names that are its own methods are followed
// (depth-bounded, cycle-guarded); everything else (columns, locals, helpers) is ignored.
import type { Node } from '../parsing/treeSitter';
import { bodyStatements } from '../parsing/ruby';
import { registerModelExtractor, type AssociationInfo, type ModelIndex, type ModelInfo } from '../models/modelIndex';

/** A reader of self called in a method body, with the method called on its result (`comments.where` → `where`). */
export interface SelfRead {
  name: string; next?: string;
  /** The method called on the reader at each use (undefined: used bare), in no particular order. */
  uses: (string | undefined)[];
}
export interface MethodReads { reads: SelfRead[]; line: number; character: number; file: string }
const KEY = 'queries.methodReads';
const BRANCHES = new Set(['if', 'unless', 'if_modifier', 'unless_modifier', 'conditional', 'case', 'rescue', 'rescue_modifier', 'elsif', 'else', 'when']);
const MAX_DEPTH = 3;

registerModelExtractor((model: ModelInfo, body: Node, file: string) => {
  const out = new Map<string, MethodReads>();
  for (const stmt of bodyStatements(body)) {
    if (stmt.type !== 'method') continue;
    const name = stmt.childForFieldName('name')?.text;
    if (!name || stmt.childForFieldName('parameters')?.namedChildren.length) continue;
    out.set(name, { reads: selfReads(stmt), line: stmt.startPosition.row, character: stmt.startPosition.column, file });
  }
  if (out.size > 0) model.extra.set(KEY, out);
});

/** Receiver-less (or `self.`) calls without arguments in a method body, minus the method's own locals. */
function selfReads(method: Node): SelfRead[] {
  const locals = new Set<string>();
  const names = new Map<string, SelfRead>();
  const add = (n: Node, name: string): void => {
    const parent = n.parent;
    const next = parent?.type === 'call' && parent.childForFieldName('receiver')?.id === n.id ? parent.childForFieldName('method')?.text : undefined;
    const seen = names.get(name);
    // One use that a preload cannot serve (`comments.where(…)`) is enough to keep the read out.
    if (!seen) names.set(name, { name, next, uses: [next] });
    else {
      if (next && !seen.next) seen.next = next;
      seen.uses.push(next);
    }
  };
  // Reads on only some paths (`contact || owner`, `x ? author.name : nil`) may not run per row: not counted.
  const stack: [Node, boolean][] = [];
  const body = method.childForFieldName('body');
  if (body) stack.push([body, false]);
  while (stack.length > 0) {
    const [n, branch] = stack.pop()!;
    const type = n.type;
    if (branch && (type === 'identifier' || type === 'call')) {
      for (const c of n.namedChildren) if (c) stack.push([c, true]);
      continue;
    }
    if (type === 'method' || type === 'singleton_method' || type === 'class' || type === 'module') continue;
    if (type === 'assignment' || type === 'operator_assignment') {
      const left = n.childForFieldName('left');
      if (left?.type === 'identifier') locals.add(left.text);
    } else if (type === 'block_parameters' || type === 'lambda_parameters') {
      for (const p of n.namedChildren) if (p?.type === 'identifier') locals.add(p.text);
      continue;
    } else if (type === 'identifier') {
      add(n, n.text);
    } else if (type === 'call') {
      const receiver = n.childForFieldName('receiver');
      const method = n.childForFieldName('method');
      if (method && !n.childForFieldName('arguments') && (!receiver || receiver.type === 'self')) add(n, method.text);
    }
    const operator = type === 'binary' ? n.childForFieldName('operator')?.text : undefined;
    for (const c of n.namedChildren) {
      if (!c) continue;
      const conditional = branch || BRANCHES.has(type) && c.id !== n.childForFieldName('condition')?.id
        || ((operator === '||' || operator === '&&' || operator === 'or' || operator === 'and') && c.id === n.childForFieldName('right')?.id);
      stack.push([c, conditional]);
    }
  }
  return [...names.values()].filter((x) => !locals.has(x.name));
}

export interface MethodRead {
  association: AssociationInfo;
  /** The methods followed to reach the read, outermost first, with where each is defined. */
  via: { owner: string; method: string; file: string; line: number; character: number }[];
}

/**
 * The associations of `model` that calling `method` on a record reads, through its own methods, where a preload
 * would serve the read (`served` decides from the association and the method called on it, if any).
 */
export function associationReadsOf(models: ModelIndex, model: ModelInfo, method: string,
  served: (association: AssociationInfo, next: string | undefined, uses: (string | undefined)[]) => boolean = () => true): MethodRead[] {
  const out: MethodRead[] = [];
  const seen = new Set<string>();
  const visit = (name: string, via: MethodRead['via'], depth: number): void => {
    if (depth >= MAX_DEPTH || seen.has(name)) return;
    seen.add(name);
    const found = summaryOf(models, model, name);
    if (!found) return;
    const path = [...via, { owner: found.owner.name, method: name, file: found.reads.file, line: found.reads.line, character: found.reads.character }];
    for (const read of found.reads.reads) {
      const association = models.association(model.name, read.name);
      if (association) {
        if (served(association, read.next, read.uses) && !out.some((r) => r.association.name === association.name)) out.push({ association, via: path });
      } else visit(read.name, path, depth + 1);
    }
  };
  visit(method, [], 0);
  return out;
}

function summaryOf(models: ModelIndex, model: ModelInfo, name: string): { owner: ModelInfo; reads: MethodReads } | undefined {
  for (const m of models.ancestry(model)) {
    const reads = (m.extra.get(KEY) as Map<string, MethodReads> | undefined)?.get(name);
    if (reads) return { owner: m, reads };
  }
  return undefined;
}
