// Callback facts extracted from a model or concern body at index time, as plain data (trees are
// deleted after extraction: only names and locations are kept). Registered as a model extractor, so
// the model index fills `ModelInfo.extra.get('callbacks')` in its single pass over app/models.
import type { Node } from '../parsing/treeSitter';
import { bodyStatements, definitionIn, literalName, readCall, type CallInfo } from '../parsing/ruby';
import { locationOf, registerModelExtractor, type ModelInfo, type SourceLocation } from '../models/modelIndex';
import { memoByDefinition } from '../core/definitionMemo';

export const CALLBACKS_KEY = 'callbacks';

export type Timing = 'before' | 'after' | 'around';
export type CallbackEvent = 'validation' | 'save' | 'create' | 'update' | 'destroy' | 'commit' | 'rollback' | 'touch' | 'initialize' | 'find';
export type WriteEvent = 'create' | 'update' | 'destroy';

/** How a call's receiver was reached: `Faraday.new(x).post` → root const Faraday, path [new]. */
export interface Receiver {
  /** none: implicit self (`foo`); self: `self.foo`; const: `Foo::Bar`; call: a bare method of self (`clinic`);
   *  elem: a block parameter of an iteration over `of`; ivar/gvar: `@x`/`$x`; unknown: anything else. */
  root: 'none' | 'self' | 'const' | 'call' | 'elem' | 'ivar' | 'gvar' | 'unknown';
  name?: string;
  path: string[];
  of?: Receiver;
}

/** One call in a method or callback body that may have an effect, or a call to a method of self. */
export interface CallFact {
  method: string;
  receiver: Receiver;
  /** From the start of the call to the end of its method name (`Faraday.post`, `Mailer.x(y).deliver_now`). */
  location: SourceLocation;
  /** Names of the block-taking calls around it, outermost first (`each`, `after_commit`, `transaction`). */
  blocks: string[];
  /** The call is the receiver of another call (`Faraday.new` in `Faraday.new(url).post`). */
  chained: boolean;
  /** Source text of the call up to its method name, shortened, for messages. */
  text: string;
  /** For writes: the columns named by its arguments (`update_column(:x_count, 1)`, `update!(a: 1)`). */
  columns?: string[];
  /** For writes whose arguments are all literal keys (or none): exactly the attributes it assigns. */
  assigns?: string[];
  /** For a mail delivery: the mailer method is passed `self` (`UserMailer.x(user, self).deliver_now`). */
  passesSelf?: boolean;
  /**
   * For an enqueue (`perform_later`, `perform_async`, `deliver_later`…): what each job argument is, as far as the call
   * shows: a reader path from self (`feed.host` → ['feed', 'host'], `self` → ['self']), a literal, or unknown (a local,
   * an expression). The rule resolves paths through associations and the schema.
   */
  jobArgs?: JobArg[];
  /** The job waits a literal minute or more (`perform_in(5.minutes, …)`, `set(wait: 1.hour)`, `deliver_later(wait: 1.day)`). */
  scheduled?: boolean;
  /**
   * The branches of the conditionals around the call, outermost first: `<offset of the if/case>:<branch>`. Two calls
   * of one method with the same conditional on different branches never both run.
   */
  branches?: string[];
}

/** Whether two calls of the same method sit on different branches of one conditional (`if … a … else … b … end`). */
export function exclusiveBranches(a: CallFact, b: CallFact): boolean {
  if (!a.branches || !b.branches) return false;
  return a.branches.some((x) => {
    const conditional = x.slice(0, x.indexOf(':') + 1);
    return b.branches!.some((y) => y !== x && y.startsWith(conditional));
  });
}

export type JobArg = string[] | 'literal' | 'unknown';

const ENQUEUES = /^(perform_later|perform_async|perform_in|perform_at|deliver_later!?)$/;
const LITERALS = new Set(['string', 'simple_symbol', 'integer', 'float', 'true', 'false', 'nil', 'delimited_symbol']);

/**
 * A literal delay of a minute or more (`5.minutes`, `1.day`, arithmetic on literals: `(180 - 30).days`):
 * `wait_until: starts_at - 1.day` may already be past.
 */
const LATER = /^(\d+|\(\s*\d+(\s*[-+*]\s*\d+)*\s*\))\.(minutes?|hours?|days?|weeks?|months?)$/;

/** A literal delay, its arithmetic done: `(180 - 30).days` waits 150 days; a difference that is not positive waits none. */
function positiveDelay(text: string): boolean {
  const m = /^\(\s*([\d\s+*-]+)\s*\)\./.exec(text);
  if (!m) return true;
  const terms = m[1].replace(/\s+/g, '');
  if (!/^\d+([-+*]\d+)*$/.test(terms)) return false;
  // Left to right with * first, like Ruby: only + - * on integers.
  const sum = terms.split(/(?=[-+])/).reduce((acc, term) => acc + term.replace(/^[+]/, '').split('*').reduce((p, f) => p * Number(f), 1), 0);
  return sum >= 1;
}

/** The job arguments of an enqueue call and whether it is scheduled for later. */
function jobArguments(name: string, call: Node, scope: Map<string, unknown>): { jobArgs: JobArg[]; scheduled: boolean } {
  const own = call.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => !!a) ?? [];
  const receiver = call.childForFieldName('receiver');
  const delayed = (a: Node | undefined): boolean => !!a && LATER.test(a.text.trim()) && !/^[01]\.minutes?$/.test(a.text.trim()) && positiveDelay(a.text.trim());
  let scheduled = name === 'perform_in' && delayed(own[0]);
  let args = name === 'perform_in' || name === 'perform_at' ? own.slice(1) : own;
  if (name.startsWith('deliver_later')) {
    // `UserMailer.welcome(user).deliver_later(wait: 1.hour)`: the mailer method's arguments are the job's.
    scheduled = own.some((a) => a.type === 'pair' && a.childForFieldName('key')?.text.replace(/:$/, '') === 'wait' && delayed(a.childForFieldName('value') ?? undefined));
    args = receiver?.type === 'call' ? receiver.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => !!a) ?? [] : [];
  }
  for (let r: Node | null | undefined = receiver; r?.type === 'call'; r = r.childForFieldName('receiver')) {
    if (r.childForFieldName('method')?.text !== 'set') continue;
    for (const a of r.childForFieldName('arguments')?.namedChildren ?? []) {
      if (a?.type === 'pair' && a.childForFieldName('key')?.text.replace(/:$/, '') === 'wait' && delayed(a.childForFieldName('value') ?? undefined)) scheduled = true;
    }
  }
  return { jobArgs: args.filter((a) => a.type !== 'block_argument').map((a) => jobArg(a, scope)), scheduled };
}

function jobArg(node: Node, scope: Map<string, unknown>): JobArg {
  if (LITERALS.has(node.type)) return 'literal';
  const path: string[] = [];
  for (let n: Node | null = node; n;) {
    if (n.type === 'self') { path.unshift('self'); break; }
    if (n.type === 'identifier') {
      if (scope.has(n.text)) return 'unknown';
      path.unshift(n.text);
      break;
    }
    if (n.type !== 'call' || n.childForFieldName('arguments') || n.childForFieldName('block')) return 'unknown';
    path.unshift(n.childForFieldName('method')?.text ?? '');
    const r = n.childForFieldName('receiver');
    if (!r) break;
    n = r;
  }
  return path.length > 0 ? path : 'unknown';
}

/** Pseudo block name in `CallFact.blocks`: the call sits in a `begin`/method body whose `rescue` catches StandardError. */
export const RESCUED = 'rescue';

export interface BodyFacts { calls: CallFact[] }

export type CallbackTarget =
  | { type: 'method'; name: string; location: SourceLocation }
  | { type: 'inline'; facts: BodyFacts; location: SourceLocation; preview: string }
  | { type: 'object'; text: string; location: SourceLocation };

export interface CallbackDecl {
  /** As written: `after_create_commit`, `before_save`. */
  macro: string;
  timing: Timing;
  event: CallbackEvent;
  /** `on:` for validation and commit callbacks (after_create_commit → ['create']); undefined = every event. */
  on?: WriteEvent[];
  target: CallbackTarget;
  /** `if: :x`, `unless: -> { y }` as written. */
  conditions: string[];
  prepend: boolean;
  /** How many callbacks the same macro call registers (`after_save :a, :b` → 2). */
  arity: number;
  /** The macro's name node (`after_save`). */
  location: SourceLocation;
  /** Where a state-machine hook is declared: `aasm event :ship`, `state_machine :status`. */
  origin?: string;
}

export type SequenceItem =
  | { type: 'callback'; decl: CallbackDecl }
  | { type: 'include'; names: string[] }
  | { type: 'association'; name: string }
  | { type: 'nested'; names: string[] };

export interface CallbackData {
  /** Class-level statements that shape the chain, in the order Ruby runs them. */
  sequence: SequenceItem[];
  /** Facts of each instance method body (`def x`). */
  methods: Map<string, BodyFacts>;
  /** Facts of class methods (`def self.x`, a concern's `class_methods do def x`), reached by `self.class.x`. */
  classMethods?: Map<string, BodyFacts>;
}

export function callbackData(model: ModelInfo): CallbackData | undefined {
  return model.extra.get(CALLBACKS_KEY) as CallbackData | undefined;
}

const MACROS = new Map<string, { timing: Timing; event: CallbackEvent; on?: WriteEvent[] }>();
for (const timing of ['before', 'after', 'around'] as const) {
  for (const event of ['save', 'create', 'update', 'destroy'] as const) MACROS.set(`${timing}_${event}`, { timing, event });
}
MACROS.set('before_validation', { timing: 'before', event: 'validation' });
MACROS.set('after_validation', { timing: 'after', event: 'validation' });
MACROS.set('after_commit', { timing: 'after', event: 'commit' });
MACROS.set('after_rollback', { timing: 'after', event: 'rollback' });
MACROS.set('after_create_commit', { timing: 'after', event: 'commit', on: ['create'] });
MACROS.set('after_update_commit', { timing: 'after', event: 'commit', on: ['update'] });
MACROS.set('after_destroy_commit', { timing: 'after', event: 'commit', on: ['destroy'] });
MACROS.set('after_save_commit', { timing: 'after', event: 'commit', on: ['create', 'update'] });
MACROS.set('after_touch', { timing: 'after', event: 'touch' });
MACROS.set('after_initialize', { timing: 'after', event: 'initialize' });
MACROS.set('after_find', { timing: 'after', event: 'find' });
export const CALLBACK_MACROS: ReadonlySet<string> = new Set(MACROS.keys());

const ASSOCIATIONS = new Set(['belongs_to', 'has_one', 'has_many', 'has_and_belongs_to_many']);

/** Calls worth keeping when the receiver is not self or a constant. */
export const WRITE_METHODS = new Set([
  'save', 'save!', 'update', 'update!', 'update_attribute', 'update_attributes', 'update_attributes!', 'create', 'create!',
  'destroy', 'destroy!', 'destroy_all', 'destroy_by', 'touch', 'toggle!', 'find_or_create_by', 'find_or_create_by!',
  'create_or_find_by', 'create_or_find_by!', 'first_or_create', 'first_or_create!',
  'update_column', 'update_columns', 'update_all', 'delete', 'delete_all', 'delete_by', 'insert', 'insert!', 'insert_all',
  'insert_all!', 'upsert', 'upsert_all', 'update_counters', 'increment_counter', 'decrement_counter', 'increment!', 'decrement!', 'touch_all',
]);
const EFFECT_METHODS = new Set([
  'deliver_now', 'deliver_now!', 'deliver_later', 'deliver_later!', 'perform_later', 'perform_async', 'perform_in', 'perform_at',
  'perform_bulk', 'broadcast', 'index_document', 'update_document', 'delete_document', 'write', 'fetch', 'delete_matched',
  'increment', 'decrement', 'clear', 'write_multi', 'del', 'set', 'setex', 'hset', 'incr', 'expire', 'sadd', 'lpush', 'publish',
  'find', 'find_by', 'where', 'exists?', 'count', 'pluck', 'first', 'last', 'sum',
]);
export const LOOP_METHODS = new Set([
  'each', 'each_with_index', 'each_with_object', 'map', 'flat_map', 'collect', 'select', 'reject', 'filter_map', 'find_each',
  'find_in_batches', 'in_batches', 'each_slice', 'times', 'each_key', 'each_value', 'each_pair', 'sum', 'group_by', 'index_by', 'sort_by',
]);

/** Extracts callbacks and method facts from a class or concern body. */
export function extractCallbacks(model: ModelInfo, body: Node, file: string): void {
  const data: CallbackData = { sequence: [], methods: new Map(), classMethods: new Map() };
  const top = bodyStatements(body);
  const statements: Node[] = [];
  const included: Node[] = [];
  for (const stmt of top) {
    const call = readCall(stmt);
    if (model.kind === 'concern' && call && call.name === 'included' && call.block && !call.receiver) included.push(...bodyStatements(call.block));
    else statements.push(stmt);
  }
  // A concern's own `include`s are dependencies: appended before its `included` block runs.
  for (const stmt of [...statements, ...included]) readStatement(data, stmt, file, []);
  model.extra.set(CALLBACKS_KEY, data);
}

function readStatement(data: CallbackData, statement: Node, file: string, inherited: string[], blockParam?: string): void {
  // `private def sync_calendar`: the def a macro wraps is defined all the same.
  const def = definitionIn(statement);
  if (def?.type === 'method') {
    const name = def.childForFieldName('name')?.text;
    if (name) data.methods.set(name, extractBody(def, file, paramNames(def)));
    return;
  }
  if (def?.type === 'singleton_method' && def.childForFieldName('object')?.type === 'self') {
    const name = def.childForFieldName('name')?.text;
    if (name) data.classMethods?.set(name, extractBody(def, file, paramNames(def)));
    return;
  }
  const stmt = statement;
  const call = readCall(stmt);
  if (!call) return;
  if (call.name === 'class_methods' && call.block && !call.receiver) {
    for (const inner of bodyStatements(call.block)) {
      const name = inner.type === 'method' ? inner.childForFieldName('name')?.text : undefined;
      if (name) data.classMethods?.set(name, extractBody(inner, file, paramNames(inner)));
    }
    return;
  }
  if (call.name === 'with_options' && call.block && !call.receiver) {
    const conditions = [...call.pairs.entries()].filter(([k]) => k === 'if' || k === 'unless').map(([, p]) => p.text);
    const param = identifiersIn(call.block.childForFieldName('parameters') ?? call.block.namedChildren.find((c) => c?.type === 'block_parameters'))[0];
    for (const inner of bodyStatements(call.block)) readStatement(data, inner, file, [...inherited, ...conditions], param ?? blockParam);
    return;
  }
  // Inside `with_options do |o|`, `o.after_save :x` is a class-level macro.
  if (call.receiver && !(blockParam && call.receiver.type === 'identifier' && call.receiver.text === blockParam)) return;
  if (call.name === 'include' && !call.receiver) { data.sequence.push({ type: 'include', names: call.args.map((a) => a.text) }); return; }
  // `concerning :Name do … end` includes the concern Class::Name where it stands (modelIndex extracts it).
  if (call.name === 'concerning' && call.block && !call.receiver) {
    const name = literalName(call.args[0]);
    if (name) data.sequence.push({ type: 'include', names: [name] });
    return;
  }
  if (ASSOCIATIONS.has(call.name)) {
    const name = literalName(call.args[0]);
    if (name) data.sequence.push({ type: 'association', name });
    return;
  }
  if (call.name === 'accepts_nested_attributes_for') {
    data.sequence.push({ type: 'nested', names: call.args.map((a) => literalName(a)).filter((n): n is string => !!n) });
    return;
  }
  if ((call.name === 'aasm' || call.name === 'state_machine') && call.block) {
    const noTransactions = call.name === 'state_machine' && call.keywords.get('use_transactions')?.type === 'false';
    const machine = call.name === 'state_machine' ? `state_machine${call.args[0] && literalName(call.args[0]) ? ` :${literalName(call.args[0])}` : ''}` : 'aasm';
    for (const inner of bodyStatements(call.block)) readStateMachine(data, inner, file, call.name, inherited, noTransactions, machine);
    return;
  }
  const macro = MACROS.get(call.name);
  if (!macro) return;
  for (const decl of readCallbackMacro(call, macro, file, inherited)) data.sequence.push({ type: 'callback', decl });
}

type Hook = { timing: Timing; event: CallbackEvent; on?: WriteEvent[] };
const IN_TRANSITION_AFTER: Hook = { timing: 'after', event: 'update', on: ['update'] };
const IN_TRANSITION_BEFORE: Hook = { timing: 'before', event: 'update', on: ['update'] };
const AFTER_TRANSITION_COMMIT: Hook = { timing: 'after', event: 'commit', on: ['update'] };
/** aasm hook names (events, transitions, states, aasm-wide) → where they run relative to the transaction of `event!`. */
const AASM_HOOKS: Record<string, Hook> = {
  after_commit: AFTER_TRANSITION_COMMIT, after_all_commits: AFTER_TRANSITION_COMMIT,
  after: IN_TRANSITION_AFTER, success: IN_TRANSITION_AFTER, after_all_transitions: IN_TRANSITION_AFTER, after_all_events: IN_TRANSITION_AFTER,
  after_enter: IN_TRANSITION_AFTER, enter: IN_TRANSITION_AFTER, after_exit: IN_TRANSITION_AFTER,
  before: IN_TRANSITION_BEFORE, before_all_events: IN_TRANSITION_BEFORE, before_enter: IN_TRANSITION_BEFORE, before_exit: IN_TRANSITION_BEFORE,
};
const STATE_MACHINES_HOOKS: Record<string, Hook> = { after_transition: IN_TRANSITION_AFTER, before_transition: IN_TRANSITION_BEFORE, around_transition: IN_TRANSITION_BEFORE };

/**
 * State-machine hooks as callbacks of the model (they run when an event saves the record): aasm's
 * `event :ship, after_commit: :notify do … after :x end`, `transitions after: :y`, `after_all_transitions`;
 * state_machines' `after_transition on: :ship, do: :notify` and its block form.
 */
function readStateMachine(data: CallbackData, stmt: Node, file: string, dsl: string, inherited: string[], outsideTransaction = false, origin = dsl): void {
  const call = readCall(stmt);
  if (!call || call.receiver) return;
  if (dsl === 'state_machine' && !STATE_MACHINES_HOOKS[call.name]) return;
  const eventName = call.name === 'event' ? literalName(call.args[0]) : undefined;
  const here = eventName ? `${dsl} event :${eventName}` : origin;
  const push = (macro: string, hook: Hook, targets: Node[], block: Node | null, selfParam: boolean): void => {
    const location = locationOf(call.nameNode, file);
    const base = { macro, timing: hook.timing, event: hook.event, on: hook.on, conditions: [...inherited, 'on a state transition'], prepend: false, arity: 1, location, origin: here };
    for (const t of targets) {
      for (const node of t.type === 'array' ? t.namedChildren.filter((c): c is Node => !!c) : [t]) {
        const name = literalName(node);
        if (name !== undefined && (node.type === 'simple_symbol' || node.type === 'string')) {
          data.sequence.push({ type: 'callback', decl: { ...base, target: { type: 'method', name, location: locationOf(node, file) } } });
        } else if (node.type === 'lambda') {
          data.sequence.push({ type: 'callback', decl: { ...base, target: { type: 'inline', facts: extractBody(node.childForFieldName('body') ?? node, file, []), location: locationOf(node, file), preview: preview(node.text) } } });
        }
      }
    }
    if (block) {
      const params = identifiersIn(block.childForFieldName('parameters') ?? block.namedChildren.find((c) => c?.type === 'block_parameters'));
      data.sequence.push({ type: 'callback', decl: { ...base, target: { type: 'inline', facts: extractBody(block, file, params, selfParam ? params[0] : undefined), location: locationOf(block, file), preview: preview(block.text) } } });
    }
  };
  if (dsl === 'state_machine') {
    // `state_machine use_transactions: false`: the hooks run outside the save's transaction.
    const hook = outsideTransaction ? AFTER_TRANSITION_COMMIT : STATE_MACHINES_HOOKS[call.name];
    if (!hook) return;
    const doTarget = call.keywords.get('do');
    push(call.name, hook, [...call.args.filter((a) => a.type === 'simple_symbol'), ...(doTarget ? [doTarget] : [])], call.block, true);
    return;
  }
  // aasm: keyword hooks on `event`, `transitions` and `state`; hook calls inside an event's block; aasm-wide hooks.
  if (call.name === 'event' || call.name === 'transitions' || call.name === 'state') {
    for (const [key, value] of call.keywords) {
      const hook = AASM_HOOKS[key];
      if (hook) push(key, hook, [value], null, false);
    }
    if (call.name === 'event' && call.block) for (const inner of bodyStatements(call.block)) readStateMachine(data, inner, file, dsl, inherited, outsideTransaction, here);
    return;
  }
  const hook = AASM_HOOKS[call.name];
  if (hook) push(call.name, hook, call.args, call.block, false);
}

function readCallbackMacro(call: CallInfo, macro: { timing: Timing; event: CallbackEvent; on?: WriteEvent[] }, file: string, inherited: string[]): CallbackDecl[] {
  const conditions = [...inherited];
  for (const key of ['if', 'unless']) {
    const pair = call.pairs.get(key);
    if (pair) conditions.push(pair.text);
  }
  let on = macro.on;
  const onNode = call.keywords.get('on');
  if (onNode) {
    const names = onNode.type === 'array' ? onNode.namedChildren.map((c) => (c ? literalName(c) ?? (c.type === 'bare_symbol' ? c.text : undefined) : undefined)) : [literalName(onNode)];
    const events = names.filter((n): n is WriteEvent => n === 'create' || n === 'update' || n === 'destroy');
    if (events.length > 0) on = events;
  }
  const prepend = call.keywords.get('prepend')?.type === 'true';
  const base = { macro: call.name, timing: macro.timing, event: macro.event, on, conditions, prepend, arity: 1, location: locationOf(call.nameNode, file) };
  const out: CallbackDecl[] = [];
  for (const arg of call.args) {
    if (arg.type === 'hash') continue;
    const name = literalName(arg);
    if (name !== undefined && (arg.type === 'simple_symbol' || arg.type === 'string' || arg.type === 'delimited_symbol')) {
      out.push({ ...base, target: { type: 'method', name, location: locationOf(arg, file) } });
    } else if (arg.type === 'lambda') {
      const lambdaBody = arg.childForFieldName('body');
      const params = arg.childForFieldName('parameters');
      out.push({ ...base, target: { type: 'inline', facts: extractBody(lambdaBody ?? arg, file, identifiersIn(params)), location: locationOf(arg, file), preview: preview(arg.text) } });
    } else {
      out.push({ ...base, target: { type: 'object', text: preview(arg.text), location: locationOf(arg, file) } });
    }
  }
  if (call.block) {
    const params = call.block.childForFieldName('parameters') ?? call.block.namedChildren.find((c) => c?.type === 'block_parameters') ?? null;
    out.push({ ...base, target: { type: 'inline', facts: extractBody(call.block, file, identifiersIn(params)), location: locationOf(call.block, file), preview: preview(call.block.text) } });
  }
  for (const d of out) d.arity = out.length;
  return out;
}

/** Leading symbol arguments and hash keys of a write's argument list. */
function columnNames(argumentList: Node): string[] {
  const out: string[] = [];
  for (const arg of argumentList.namedChildren) {
    if (!arg) continue;
    if (arg.type === 'simple_symbol') out.push(arg.text.slice(1));
    else if (arg.type === 'pair') { const k = literalName(arg.childForFieldName('key')); if (k) out.push(k); }
    else if (arg.type === 'hash') for (const p of arg.namedChildren) { const k = p?.type === 'pair' ? literalName(p.childForFieldName('key')) : undefined; if (k) out.push(k); }
  }
  return out;
}

/** `Mailer.with(a: b(c)).x\n  .deliver_later` → `Mailer.with(…).x.deliver_later`. */
function collapseArguments(text: string): string {
  let out = '';
  let depth = 0;
  for (const ch of text) {
    if (ch === '(' || ch === '[' || ch === '{') { if (depth === 0) out += ch === '(' ? '(…' : ch === '[' ? '[…' : ''; depth++; continue; }
    if (ch === ')' || ch === ']' || ch === '}') { depth = Math.max(0, depth - 1); if (depth === 0) out += ch === ')' ? ')' : ch === ']' ? ']' : ''; continue; }
    if (depth === 0) out += ch;
  }
  return out.replace(/\s*\n\s*/g, '').replace(/\s+\./g, '.').replace(/\s+/g, ' ');
}

/** `rescue`, `rescue => e`, `rescue StandardError`, `rescue Exception`, or a network/SMTP error class. */
function rescuesStandardError(rescue: Node): boolean {
  const exceptions = rescue.namedChildren.find((c) => c?.type === 'exceptions');
  if (!exceptions) return true;
  return exceptions.namedChildren.some((c) => !!c && /^(::)?(StandardError|Exception)$|SMTP|^(::)?Net::|Timeout|Errno/.test(c.text));
}

function preview(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57)}…` : one;
}

function identifiersIn(node: Node | null | undefined): string[] {
  if (!node) return [];
  const out: string[] = [];
  const visit = (n: Node): void => {
    if (n.type === 'identifier') out.push(n.text);
    for (const c of n.namedChildren) if (c && c.type !== 'pair') visit(c);
  };
  visit(node);
  return out;
}

function paramNames(method: Node): string[] {
  return identifiersIn(method.childForFieldName('parameters'));
}

const PARAMETER_TYPES = /parameters$|^(block_parameters|keyword_parameter|optional_parameter|splat_parameter|hash_splat_parameter|block_parameter|destructured_parameter|exception_variable|pair_key)$/;
const NOT_METHODS = new Set(['raise', 'puts', 'p', 'pp', 'return', 'require', 'lambda', 'proc', 'loop', 'binding', 'block_given?', 'fail', 'super', 'yield']);

/** Facts of one body: effect-bearing calls and calls to methods of self, with the blocks around them. */
export function extractBody(body: Node, file: string, params: string[], selfParam?: string): BodyFacts {
  return memoByDefinition('callbackFacts', body, file, `${params.join(',')}|${selfParam ?? ''}`, () => readBody(body, file, params, selfParam));
}

function readBody(body: Node, file: string, params: string[], selfParam?: string): BodyFacts {
  const calls: CallFact[] = [];
  const seenSelf = new Set<string>();
  const locals = new Map<string, Receiver | null>(params.map((p) => [p, null]));
  // state_machines passes the record as the first block parameter: `after_transition { |order, t| order.x }`.
  if (selfParam) locals.set(selfParam, { root: 'self', path: [] });

  const receiverOf = (node: Node | null, scope: Map<string, Receiver | null>, depth = 0): Receiver => {
    if (!node || depth > 12) return { root: node ? 'unknown' : 'none', path: [] };
    switch (node.type) {
      case 'self': return { root: 'self', path: [] };
      case 'constant': case 'scope_resolution': return { root: 'const', name: node.text.replace(/^::/, ''), path: [] };
      case 'instance_variable': return { root: 'ivar', name: node.text, path: [] };
      case 'global_variable': return { root: 'gvar', name: node.text, path: [] };
      case 'identifier': {
        if (scope.has(node.text)) {
          const r = scope.get(node.text);
          return r ? { ...r, path: [...r.path] } : { root: 'unknown', name: node.text, path: [] };
        }
        return { root: 'call', name: node.text, path: [] };
      }
      case 'parenthesized_statements': return receiverOf(node.namedChildren[node.namedChildren.length - 1] ?? null, scope, depth + 1);
      case 'call': {
        const method = node.childForFieldName('method')?.text ?? '';
        const inner = node.childForFieldName('receiver');
        if (!inner) return { root: 'call', name: method, path: [] };
        const r = receiverOf(inner, scope, depth + 1);
        if (r.root === 'unknown') return r;
        return { ...r, path: [...r.path, method] };
      }
      default: return { root: 'unknown', path: [] };
    }
  };

  const keep = (name: string, receiver: Receiver): boolean => {
    if (receiver.root === 'none' || receiver.root === 'self') return true;
    if (receiver.root === 'const') return true;
    if (WRITE_METHODS.has(name) || EFFECT_METHODS.has(name) || name.endsWith('!')) return true;
    return [...(receiver.root === 'call' ? [receiver.name] : []), ...receiver.path].some((p) => p === 'delay' || p === 'delay_for' || p === 'delay_until' || p === '__elasticsearch__');
  };

  // The conditional branches around the node being walked (see CallFact.branches).
  const branchPath: string[] = [];
  // The outermost 16 are kept: deeper conditionals only make fewer calls exclusive (the conservative side).
  const withBranches = (fact: CallFact): CallFact => (branchPath.length ? { ...fact, branches: branchPath.slice(0, 16) } : fact);
  const onBranch = (label: string, child: Node | null, parentType: string, blocks: string[], scope: Map<string, Receiver | null>, depth: number): void => {
    if (!child) return;
    branchPath.push(label);
    walk(child, child.type, parentType, false, blocks, scope, depth + 1);
    branchPath.pop();
  };

  // Hot path (every node of every method body in app/models): few tree-sitter calls, no parent lookups.
  const walk = (node: Node, type: string, parentType: string, asReceiver: boolean, blocks: string[], scope: Map<string, Receiver | null>, depth: number): void => {
    if (depth > 400) return;
    switch (type) {
      case 'method': case 'singleton_method': case 'class': case 'module': return; // nested definitions run later, if ever
      case 'assignment': case 'operator_assignment': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (right) walk(right, right.type, type, false, blocks, scope, depth + 1);
        const leftType = left?.type;
        if (left && leftType === 'identifier') {
          const rightType = right?.type;
          const r = right && (rightType === 'call' || rightType === 'constant' || rightType === 'scope_resolution') ? receiverOf(right, scope) : null;
          scope.set(left.text, r && r.root !== 'unknown' ? r : null);
        } else if (left) walk(left, leftType!, type, false, blocks, scope, depth + 1);
        return;
      }
      case 'identifier': {
        if (asReceiver || PARAMETER_TYPES.test(parentType)) return;
        const text = node.text;
        if (scope.has(text) || NOT_METHODS.has(text) || seenSelf.has(text)) return;
        seenSelf.add(text);
        calls.push(withBranches({ method: text, receiver: { root: 'none', path: [] }, location: locationOf(node, file), blocks, chained: false, text }));
        return;
      }
      case 'call': {
        const nameNode = node.childForFieldName('method');
        if (!nameNode) break;
        const name = nameNode.text;
        const receiverNode = node.childForFieldName('receiver');
        const argumentList = node.childForFieldName('arguments');
        const block = node.childForFieldName('block');
        const receiver = receiverOf(receiverNode, scope);
        if (keep(name, receiver)) {
          const selfCall = (receiver.root === 'none' || receiver.root === 'self') && receiver.path.length === 0;
          if (!selfCall || !seenSelf.has(name) || block) {
            if (selfCall) seenSelf.add(name);
            const loc: SourceLocation = { ...locationOf(node, file), endLine: nameNode.endPosition.row, endCharacter: nameNode.endPosition.column };
            const text = collapseArguments(node.text.slice(0, nameNode.endIndex - node.startIndex));
            const fact: CallFact = { method: name, receiver, location: loc, blocks, chained: asReceiver, text: preview(text) };
            if (argumentList && WRITE_METHODS.has(name)) fact.columns = columnNames(argumentList);
            if (WRITE_METHODS.has(name) && (!argumentList || argumentList.namedChildren.every((a) => a?.type === 'pair' || (a?.type === 'hash' && a.namedChildren.every((p) => p?.type === 'pair'))))) {
              fact.assigns = argumentList ? columnNames(argumentList) : [];
            }
            if (/^deliver(_now|_later)?!?$/.test(name) && receiverNode?.type === 'call' && receiverNode.childForFieldName('arguments')?.namedChildren.some((a) => a?.type === 'self')) {
              fact.passesSelf = true;
            }
            if (ENQUEUES.test(name)) Object.assign(fact, jobArguments(name, node, scope));
            calls.push(withBranches(fact));
          }
        }
        if (receiverNode) {
          const receiverType = receiverNode.type;
          if (receiverType !== 'identifier' && receiverType !== 'constant' && receiverType !== 'self') walk(receiverNode, receiverType, type, true, blocks, scope, depth + 1);
        }
        if (argumentList) {
          for (const arg of argumentList.namedChildren) {
            if (!arg) continue;
            const argType = arg.type;
            if (argType === 'block_argument' && LOOP_METHODS.has(name)) {
              // `items.each(&:save!)`: the symbol's method runs on every element.
              const sym = literalName(arg.namedChildren[0]);
              if (sym) {
                const element: Receiver = { root: 'elem', path: [], of: receiver.root === 'none' ? { root: 'call', name, path: [] } : receiver };
                calls.push(withBranches({ method: sym, receiver: element, location: locationOf(arg, file), blocks: [...blocks, name], chained: false, text: `${name}(${arg.text})` }));
              }
            } else walk(arg, argType, 'argument_list', false, blocks, scope, depth + 1);
          }
        }
        if (block) {
          const inner = new Map(scope);
          const params = block.childForFieldName('parameters') ?? block.namedChildren.find((c) => c?.type === 'block_parameters') ?? null;
          const names = identifiersIn(params);
          const element: Receiver | null = LOOP_METHODS.has(name) && receiver.root !== 'unknown' ? { root: 'elem', path: [], of: receiver } : null;
          names.forEach((n, i) => inner.set(n, i === 0 ? element : null));
          const blockBody = block.childForFieldName('body') ?? block.namedChildren.find((c) => c?.type === 'block_body' || c?.type === 'body_statement');
          if (blockBody) walk(blockBody, blockBody.type, 'block', false, [...blocks, name], inner, depth + 1);
        }
        return;
      }
      case 'body_statement': case 'begin': {
        // Calls before a broad `rescue` cannot fail the caller: they are marked, the handlers are not.
        const children = node.namedChildren.filter((c): c is Node => !!c);
        if (!children.some((c) => c.type === 'rescue' && rescuesStandardError(c))) break;
        for (const child of children) {
          const handler = child.type === 'rescue' || child.type === 'else' || child.type === 'ensure';
          walk(child, child.type, type, false, handler ? blocks : [...blocks, RESCUED], scope, depth + 1);
        }
        return;
      }
      case 'if': case 'unless': case 'elsif': case 'conditional': {
        const condition = node.childForFieldName('condition');
        if (condition) walk(condition, condition.type, type, false, blocks, scope, depth + 1);
        onBranch(`${node.startIndex}:then`, node.childForFieldName('consequence'), type, blocks, scope, depth);
        onBranch(`${node.startIndex}:else`, node.childForFieldName('alternative'), type, blocks, scope, depth);
        return;
      }
      case 'case': {
        const value = node.childForFieldName('value');
        if (value) walk(value, value.type, type, false, blocks, scope, depth + 1);
        node.namedChildren.forEach((child, i) => {
          if (child && (child.type === 'when' || child.type === 'else')) onBranch(`${node.startIndex}:${i}`, child, type, blocks, scope, depth);
        });
        return;
      }
      case 'lambda': {
        const inner = new Map(scope);
        for (const n of identifiersIn(node.childForFieldName('parameters'))) inner.set(n, null);
        const lambdaBody = node.childForFieldName('body');
        if (lambdaBody) walk(lambdaBody, lambdaBody.type, type, false, [...blocks, 'lambda'], inner, depth + 1);
        return;
      }
    }
    for (const child of node.namedChildren) if (child) walk(child, child.type, type, false, blocks, scope, depth + 1);
  };

  const start = body.type === 'method' || body.type === 'singleton_method' ? body.childForFieldName('body') : body;
  if (start) {
    if (start.type === 'block' || start.type === 'do_block') {
      const inner = start.childForFieldName('body') ?? start.namedChildren.find((c) => c?.type === 'block_body' || c?.type === 'body_statement');
      if (inner) walk(inner, inner.type, 'block', false, [], locals, 0);
    } else walk(start, start.type, 'method', false, [], locals, 0);
  }
  return { calls };
}

registerModelExtractor(extractCallbacks);
