// What a loop's body does to each row, which changes what an N+1 in it costs: a loop that writes, mails or
// enqueues per row pays a round trip per row anyway (the extra read is not what makes it slow), and a loop
// that deletes or rewrites each row of an "older than" relation drains a backlog (a pruner), whose size
// depends on how often it runs, not on the table.
import type { Node } from '../parsing/treeSitter';
import { bodyStatements, definitionIn, literalName, readCall } from '../parsing/ruby';
import { registerModelExtractor, type ModelIndex, type ModelInfo } from '../models/modelIndex';
import type { Cardinality } from './cardinality';
import type { Value } from './values';

/** Per-row writes and I/O by Rails' and Action Mailer's / Active Job's own names (app methods are not guessed). */
const PER_ROW_WORK = new Set([
  'save', 'save!', 'update', 'update!', 'update_column', 'update_columns', 'update_attribute', 'destroy', 'destroy!',
  'create', 'create!', 'touch', 'increment!', 'decrement!', 'toggle!',
  'deliver_now', 'deliver_later', 'deliver', 'deliver!', 'perform_later', 'perform_async', 'perform_in', 'perform_now',
]);
const DELETES = new Set(['destroy', 'destroy!', 'delete', 'delete!', 'really_destroy!', 'discard', 'discard!']);
/** Branches: work inside them may not run for every row. */
const CONDITIONAL = new Set(['if', 'unless', 'if_modifier', 'unless_modifier', 'case', 'conditional', 'rescue', 'rescue_modifier', 'ensure', 'while', 'until']);

export interface LoopBodyFacts {
  /** The first write or I/O call every iteration makes, as message text (`` `user.save` ``). */
  perRowWork?: string;
  /** Each row is deleted or its aged column rewritten (`user.exported_at = nil`): the loop drains its relation. */
  drains?: string;
  /** The first write anywhere in the body, branches included (`CanonicalEventMapping.create!(…)`). */
  writes?: string;
}

/** A branch that skips the rest of the iteration (`next`, `break`, `return`). */
function skips(node: Node): boolean {
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'next' || n.type === 'break' || n.type === 'return') return true;
    if (n !== node && (n.type === 'block' || n.type === 'do_block' || n.type === 'lambda' || n.type === 'method')) continue;
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return false;
}

const WRITES_KEY = 'queries.methodWrites';
const QUERIES_KEY = 'queries.methodQueries';
/** Query methods an association's preloaded records cannot answer: each call is a query of its own. */
const QUERY_LINKS = new Set(['where', 'order', 'reorder', 'group', 'find_by', 'find_by!', 'exists?', 'count', 'sum', 'maximum', 'minimum',
  'average', 'calculate', 'pluck', 'pick', 'ids', 'find', 'limit', 'joins', 'left_joins', 'distinct', 'none?']);
/** A chain on one of the model's associations, read in a method body: `versions.where_changes_to(…).last`. */
interface AssociationQuery { association: string; next: string; text: string }

/**
 * Model methods that write (`def log_event(…) = events.create!(…)`): a loop calling one per row writes per row.
 * A state machine's events save the record too: aasm's `approve!`, state_machines' `approve` and `approve!`.
 */
registerModelExtractor((model: ModelInfo, body: Node) => {
  const out = new Map<string, string>();
  const queries = new Map<string, AssociationQuery[]>();
  for (const stmt of bodyStatements(body)) {
    const call = stmt.type === 'call' ? readCall(stmt) : null;
    if (call && !call.receiver && (call.name === 'aasm' || call.name === 'state_machine') && call.block) {
      for (const inner of bodyStatements(call.block)) {
        const event = readCall(inner);
        const name = event && !event.receiver && event.name === 'event' && event.args[0] ? literalName(event.args[0]) : undefined;
        if (!name) continue;
        out.set(`${name}!`, `its ${call.name} event :${name}, which saves the record`);
        if (call.name === 'state_machine') out.set(name, `its state_machine event :${name}, which saves the record`);
      }
      continue;
    }
    const def = definitionIn(stmt);
    if (def?.type !== 'method') continue;
    const name = def.childForFieldName('name')?.text;
    const found = name ? firstWrite(def.childForFieldName('body')) : undefined;
    if (name && found) out.set(name, found);
    const query = name ? associationQueries(def.childForFieldName('body')) : [];
    if (name && query.length > 0) queries.set(name, query);
  }
  if (out.size > 0) model.extra.set(WRITES_KEY, out);
  if (queries.size > 0) model.extra.set(QUERIES_KEY, queries);
});

function shortened(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Chains on a bare name with a further link, outside branches (which association each is, is decided later). */
function associationQueries(node: Node | null): AssociationQuery[] {
  const out: AssociationQuery[] = [];
  const stack: Node[] = node ? [node] : [];
  while (stack.length > 0 && out.length < 8) {
    const n = stack.pop()!;
    if (n.type === 'method' || n.type === 'singleton_method' || n.type === 'lambda' || CONDITIONAL.has(n.type)) continue;
    if (n.type === 'call') {
      let root: Node = n;
      const links: string[] = [];
      while (root.type === 'call' && root.childForFieldName('receiver')) { links.unshift(root.childForFieldName('method')?.text ?? ''); root = root.childForFieldName('receiver')!; }
      if (root.type === 'identifier' && links.length > 0) { out.push({ association: root.text, next: links[0], text: shortened(n.text.split('\n')[0], 60) }); continue; }
    }
    const children = n.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) { const c = children[i]; if (c) stack.push(c); }
  }
  return out;
}

function firstWrite(node: Node | null): string | undefined {
  // Iterative, in source order: mutated or deeply nested code must not overflow the stack.
  const stack: Node[] = node ? [node] : [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'method' || n.type === 'singleton_method' || CONDITIONAL.has(n.type)) continue;
    if (n.type === 'call' && PER_ROW_WORK.has(n.childForFieldName('method')?.text ?? '')) return n.text.split('\n')[0].slice(0, 60);
    const children = n.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) { const c = children[i]; if (c) stack.push(c); }
  }
  return undefined;
}

/**
 * The round trip a method of `model` (or of a model it is associated with) makes on every call, by method name:
 * a write, or a query on one of its associations that preloading cannot answer (`comments.where(…)`, a scope).
 */
export function methodRoundTrip(models: ModelIndex, model: ModelInfo): (method: string) => string | undefined {
  const candidates = [model, ...[...model.associations.values()].map((a) => models.target(model, a)).filter((m): m is ModelInfo => !!m)];
  return (method) => {
    for (const c of candidates) {
      for (const m of models.ancestry(c)) {
        const found = (m.extra.get(WRITES_KEY) as Map<string, string> | undefined)?.get(method);
        if (found) return found.startsWith('its ') ? `\`${c.name}#${method}\` is ${found}` : `\`${c.name}#${method}\` runs \`${found}\``;
        const query = ((m.extra.get(QUERIES_KEY) as Map<string, AssociationQuery[]> | undefined)?.get(method) ?? []).find((q) => queriesAssociation(models, c, q));
        if (query) return `\`${c.name}#${method}\` queries \`${query.text}\``;
      }
    }
    return undefined;
  };
}

function queriesAssociation(models: ModelIndex, model: ModelInfo, query: AssociationQuery): boolean {
  const association = models.association(model.name, query.association);
  if (!association || association.macro !== 'has_many') return false;
  // `where_object_changes_to`, `where_not`: query methods by their prefix (paper_trail's and other gems').
  if (QUERY_LINKS.has(query.next) || /^where_/.test(query.next)) return true;
  const target = models.target(model, association);
  return !!target && models.ancestry(target).some((t) => t.scopes.has(query.next));
}

export function loopBodyFacts(body: Node, params: string[], writer?: (method: string) => string | undefined): LoopBodyFacts {
  const out: LoopBodyFacts = {};
  const names = new Set(params);
  const rooted = (n: Node | null): boolean => {
    for (let r = n; r; r = r.type === 'call' ? r.childForFieldName('receiver') : null) {
      if (r.type === 'identifier') return names.has(r.text);
      if (r.type !== 'call') return false;
    }
    return false;
  };
  // `info_request = embargo.info_request`, also inside a branch: a local read from the row is the row's too.
  const noteRowLocal = (n: Node): void => {
    if (n.type === 'assignment' && n.childForFieldName('left')?.type === 'identifier' && rooted(n.childForFieldName('right'))) {
      names.add(n.childForFieldName('left')!.text);
    }
  };
  // The round trip one call makes, as message text: a write or I/O by its Rails name, or a method of the row that does.
  const callWork = (call: Node): string | undefined => {
    const method = call.childForFieldName('method')?.text ?? '';
    if (PER_ROW_WORK.has(method)) return `\`${call.text.split('\n')[0].slice(0, 60)}\``;
    const write = writer && rooted(call.childForFieldName('receiver')) ? writer(method) : undefined;
    return write ? `\`${call.text.split('\n')[0].slice(0, 40)}\` (${write})` : undefined;
  };
  // The first write or I/O `node` makes outside any branch of its own. A nested `if`'s condition always runs.
  const unconditionalWork = (node: Node): string | undefined => {
    const stack: Node[] = [node];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.type === 'method' || n.type === 'singleton_method' || n.type === 'lambda') continue;
      if (n !== node && CONDITIONAL.has(n.type)) {
        const condition = n.type === 'if' || n.type === 'unless' ? n.childForFieldName('condition') : null;
        if (condition) stack.push(condition);
        continue;
      }
      noteRowLocal(n);
      const work = n.type === 'call' ? callWork(n) : undefined;
      if (work) return work;
      const children = n.namedChildren;
      for (let i = children.length - 1; i >= 0; i--) { const c = children[i]; if (c) stack.push(c); }
    }
    return undefined;
  };
  // `if … then mail_a else mail_b end`: work in every branch of an if/else runs for every row.
  const everyBranchWork = (n: Node): string | undefined => {
    if (n.type !== 'if' && n.type !== 'unless') return undefined;
    const branches: Node[] = [];
    for (let b: Node | null = n; b;) {
      const then = b.childForFieldName('consequence');
      const alternative: Node | null = b.childForFieldName('alternative');
      if (!then || !alternative) return undefined;
      branches.push(then);
      if (alternative.type === 'elsif') { b = alternative; continue; }
      branches.push(alternative);
      b = null;
    }
    const work = branches.map(unconditionalWork);
    return work.every(Boolean) ? work[0] : undefined;
  };
  const visit = (start: Node, startConditional: boolean): void => {
    // Iterative, in source order (assignments before the calls that use their locals).
    const stack: [Node, boolean][] = [[start, startConditional]];
    while (stack.length > 0) {
      const [n, conditional] = stack.pop()!;
      noteRowLocal(n);
      if (!conditional && !out.perRowWork) out.perRowWork = everyBranchWork(n);
      if (n.type === 'call') {
        const method = n.childForFieldName('method')?.text ?? '';
        const receiver = n.childForFieldName('receiver');
        if (!out.writes && PER_ROW_WORK.has(method) && !/^(deliver|perform)/.test(method)) out.writes = n.text.split('\n')[0].slice(0, 60);
        if (!conditional && !out.perRowWork) out.perRowWork = callWork(n);
        if (!out.drains && DELETES.has(method) && rooted(receiver)) out.drains = n.text.split('\n')[0].slice(0, 60);
      }
      if (n.type === 'assignment' && !out.drains) {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (left?.type === 'call' && rooted(left.childForFieldName('receiver')) && right?.type === 'nil') out.drains = n.text.slice(0, 60);
      }
      // A block passed to a method runs with the row (`I18n.with_locale { … }`, `total.times { … }`); a nested
      // method or lambda does not run here.
      if (n.type === 'method' || n.type === 'singleton_method' || n.type === 'lambda') continue;
      const inBranch = conditional || CONDITIONAL.has(n.type);
      const children = n.namedChildren;
      for (let i = children.length - 1; i >= 0; i--) { const c = children[i]; if (c) stack.push([c, inBranch]); }
    }
  };
  // After a guard (`next unless person.subscribed?`), the rest of the body runs only for some rows.
  let guarded = false;
  for (const c of body.namedChildren) {
    if (!c) continue;
    visit(c, guarded);
    if (CONDITIONAL.has(c.type) && skips(c)) guarded = true;
  }
  return out;
}

/**
 * A loop over rows older than a time whose body deletes each row or clears the column it was selected by
 * processes a backlog that every run drains: its size depends on how often it runs, which the code does not say.
 */
export function drainedCardinality(card: Cardinality, value: Value, facts: LoopBodyFacts): Cardinality {
  if (card.kind !== 'unbounded') return card;
  const backlog = (value.alternatives ?? [value]).map((v) => v.backlog).find(Boolean);
  if (backlog && facts.writes) {
    return { kind: 'unknown', why: `${card.why}: rows \`${backlog}\` yet, a backlog the loop works off (\`${facts.writes}\`), as large as the time between runs lets it grow` };
  }
  if (!facts.drains) return card;
  const aged = (value.alternatives ?? [value]).map((v) => v.aged).find(Boolean);
  if (!aged) return card;
  const column = /\b(\w+_(?:at|on|date|time))\b/.exec(aged)?.[1];
  const deletes = !/=\s*nil/.test(facts.drains);
  if (!deletes && (!column || !facts.drains.includes(`.${column}`))) return card;
  return { kind: 'unknown', why: `${card.why}: rows older than a time (\`${aged.replace(/`/g, '')}\`) that the loop drains (\`${facts.drains}\`), a backlog as large as the time between runs lets it grow` };
}
