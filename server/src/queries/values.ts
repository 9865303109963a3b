// Light relation typing (research §A.4.3): what a chain evaluates to, link by link: a model class, a
// relation (with what it preloads, whether it is bounded, ordered, strict), an association
// collection, a single record, an array of records, or unknown.
import { RELATION_METHODS } from './vocabulary';
import type { AssociationInfo, ModelIndex, ModelInfo } from '../models/modelIndex';
import { singularize } from '../models/inflector';
import { defaultScopePreloads, scopePreloads, scopeReturnsArray, scopeShape } from './scopes';
import { whereShape } from './conditions';
import { emptyPreloads, mergePreloads, dynamicPreloads, type Chain, type Link, type Preloads } from './chain';

export type ValueKind = 'class' | 'relation' | 'collection' | 'record' | 'array' | 'unknown';

/** Where a relation is built: the chain up to `count` links; `.includes(…)` goes after it. */
export interface Origin { chain: Chain; count: number }

/** A loop the value is an element of (a block over a collection, or a partial rendered per element). */
export interface PerRow {
  loopId: number;
  /** Associations from the loop element to this value: [] for the element itself, ['comments'] below. */
  path: string[];
  /** The collection looped over (its origin gets the includes). */
  collection: Value;
  /** A read on the way here already was reported / missed: do not report deeper ones again. */
  missed: boolean;
}

export interface Value {
  kind: ValueKind;
  model?: ModelInfo;
  /** Associations loaded with this value (for a record: below it; for a relation: on each element). */
  preloads: Preloads;
  /** Why the value has a bounded number of rows (`limit(10)`, `page`, `find`), if it has. */
  bounded?: string;
  /** A literal or a small value by nature (a Hash literal, `previous_changes`): loops over it are not per-row work. */
  literal?: string;
  /** Rows picked by a list of unknown length (`where(id: ids)`): neither bounded nor a table scan. */
  unsure?: string;
  /** Rows of one owner (`where(community_id: c.id)`, like `community.things`): their number is unknown. */
  ownerScoped?: string;
  /** Rows older than a time (`where(created_at: ...3.days.ago)`): a backlog when the loop drains it. */
  aged?: string;
  /** The ordering call (`order(:name)`, or a scope whose body orders): find_each would drop it. */
  ordered?: string;
  selected?: boolean;
  locked?: boolean;
  strict?: boolean;
  /** Records are in memory (preloaded association, to_a, iterated before). */
  loaded?: boolean;
  /** Built with query methods or scopes (not just `Model.all` or an association reader). */
  filtered?: boolean;
  origin?: Origin;
  perRow?: PerRow;
  /** For a collection: the association and its owner. */
  association?: { owner: ModelInfo; info: AssociationInfo };
  /** Came from an instance variable assigned in another file (the controller). */
  external?: boolean;
  /** The values this one merges (an ivar assigned by several actions): fixes edit each that lacks a preload. */
  alternatives?: Value[];
  /** A local holding SQL text (a string or heredoc) that a `where(conditions)` passes on. */
  sql?: string;
  /** A scope named for rows not processed yet (`unmapped`, `unsent`): a backlog when the loop writes. */
  backlog?: string;
  /** A scope for rows waiting in a workflow (an aasm state events move rows out of): as many as wait. */
  queue?: string;
  /** Reached the loop through this method's return (`Report#pending`, `Svc#rows`): its size is not judged. */
  returnedBy?: string;
  /** A ransack search (`Post.ransack(params[:q])`): only its `result` is a relation. */
  search?: boolean;
}

export { RELATION_METHODS };

export const UNKNOWN: Value = { kind: 'unknown', preloads: emptyPreloads() };

/** Scopes that name a queue of rows awaiting a person's review or action. */
const REVIEW_QUEUE = /^(under_review|in_review|pending_review|awaiting_review|needs_review|needing_review|for_review|needs_action|needing_action|awaiting_approval|pending_approval|needs_approval|unreviewed|unapproved)$|^(\w+_)?(action|review|approval|submission|attention|verification|intervention)_required$/;
/** Scopes named for rows a job has not processed yet. */
const BACKLOG = /^(unprocessed|unmapped|unsent|unsynced|unindexed|unnotified|unhandled|unimported|unexported|unmatched|unscanned)$/;
const UNFILTERED = new Set(['all', 'includes', 'preload', 'eager_load', 'references', 'strict_loading', 'readonly', 'unscoped', 'annotate']);
const PAGINATION = new Set(['page', 'per', 'paginate', 'per_page', 'padding']);
/** Methods returning one record. */
export const SINGLE_RECORD = new Set(['find', 'find_by', 'find_by!', 'first', 'last', 'take', 'sole', 'find_sole_by', 'first!', 'last!', 'take!',
  'second', 'third', 'new', 'build', 'create', 'create!', 'find_or_create_by', 'find_or_create_by!', 'find_or_initialize_by', 'create_or_find_by',
  'find_by_id', 'reload']);
/** Methods that load the relation and return an Array of the same records. */
const TO_ARRAY = new Set(['to_a', 'records', 'load', 'to_ary', 'entries', 'sort_by', 'sort', 'reverse', 'uniq', 'compact', 'select', 'filter',
  'reject', 'shuffle', 'sample', 'drop', 'take_while', 'drop_while', 'flatten', 'min_by', 'max_by']);
/** Loop methods: they call their block once per element. */
export const LOOP_METHODS = new Set(['each', 'map', 'flat_map', 'collect', 'collect_concat', 'select', 'filter', 'reject', 'filter_map',
  'each_with_index', 'each_with_object', 'find_each', 'find_in_batches', 'in_batches', 'each_slice', 'sum', 'group_by', 'index_by',
  'index_with', 'sort_by', 'min_by', 'max_by', 'partition', 'find', 'detect', 'any?', 'all?', 'none?', 'count', 'each_entry',
  'to_h', 'each_cons', 'uniq', 'reverse_each', 'inject', 'reduce', 'sum', 'times', 'each_pair', 'each_value', 'find_all']);
/** Loop methods whose block's first parameter is a batch (Array or relation), not one element. */
export const BATCH_LOOPS = new Set(['find_in_batches', 'in_batches', 'each_slice', 'each_cons']);

/** What a call hands the method it calls, evaluated where the call is written. */
export interface PassedValues {
  positional: Value[];
  keywords: Map<string, Value>;
  /** Keywords given a literal list of associations (`includes: [:author]`). */
  preloads: Map<string, Preloads>;
}

/**
 * Values of calls into methods whose returns were read (methodReturns.ts). `element`: the n-th of a returned `[a, b]`;
 * `args`: what the call passes (a return built from a parameter is unknown without it).
 */
export interface ReturnResolver {
  /** A receiverless call of a method of self (the file's own, or self's model's). */
  self(name: string, element?: number, args?: PassedArgsOf): Value | undefined;
  /** A model's method called on a record (`on: 'instance'`) or on the class. */
  method(model: ModelInfo, on: 'class' | 'instance', name: string, args?: PassedArgsOf): Value | undefined;
  /** `X.new(…).m`, `X.instance.m`, `X.m` on an app class that is not a model: the value and how many links it took. */
  constant(chain: Chain, element?: number, argsOf?: (link: Link) => PassedValues | undefined): { value: Value; count: number } | undefined;
}

/** What a call passes, evaluated only when the method called has a summary that reads it. */
export type PassedArgsOf = () => PassedValues | undefined;

/** The values a link's arguments pass, evaluated with the caller's hooks; undefined when it passes nothing readable. */
export function passedValues(link: Link | undefined, hooks: EvalHooks): PassedValues | undefined {
  const passed = link?.args.passed;
  if (!passed) return undefined;
  const quiet: EvalHooks = { ...hooks, onLink: undefined };
  const out: PassedValues = { positional: passed.positional.map((c) => (c ? evaluate(c, quiet) : UNKNOWN)), keywords: new Map(), preloads: new Map() };
  for (const [key, v] of Object.entries(passed.keywords ?? {})) {
    if (v.chain) out.keywords.set(key, evaluate(v.chain, quiet));
    if (v.preloads) out.preloads.set(key, v.preloads);
  }
  return out;
}

export interface EvalHooks {
  models: ModelIndex | undefined;
  returns?: ReturnResolver;
  /** Value of a root name (local variable, ivar); undefined when unknown here. */
  resolveRoot(chain: Chain): Value | undefined;
  /** The model `self` is inside (a model class body), and whether code runs on the class or an instance. */
  self?: { model: ModelInfo; on: 'class' | 'instance' };
  /** Called for every link with the receiver value and the result, in order. */
  onLink?(link: Link, index: number, receiver: Value, result: Value, chain: Chain): void;
  /** The SQL text a local holds (`conditions = <<~SQL … SQL`), for `where(conditions)`. */
  sqlOf?(name: string): string | undefined;
  /** The name is a parameter of the enclosing method (`def self.prune(conditions = nil)`): its value is the caller's. */
  isParameter?(name: string): boolean;
  /** The associations a parameter holds as a literal list, for `includes(includes)` in a method read with its arguments. */
  preloadsOf?(name: string): Preloads | undefined;
}

export function modelOf(models: ModelIndex | undefined, name: string, namespace = ''): ModelInfo | undefined {
  if (!models) return undefined;
  const m = models.resolve(name, namespace);
  return m && m.kind === 'class' && models.isModel(m) ? m : undefined;
}

export function hasScope(models: ModelIndex, model: ModelInfo, name: string): boolean {
  return models.ancestry(model).some((m) => m.scopes.has(name));
}

/** Evaluates a chain link by link. */
export function evaluate(chain: Chain, hooks: EvalHooks): Value {
  let value: Value;
  /** Links already accounted for by a method's return value. */
  let start = 0;
  let resolved: Value | undefined;
  const root = chain.root;
  if (root.kind === 'const') {
    const model = modelOf(hooks.models, root.name);
    const call = model ? undefined : hooks.returns?.constant(chain, undefined, (link) => passedValues(link, hooks));
    if (call) { start = call.count; resolved = call.value; }
    value = model ? { kind: 'class', model, preloads: classPreloads(hooks.models!, model), origin: { chain, count: 0 } } : UNKNOWN;
  } else if (root.kind === 'self') {
    value = selfValue(hooks, chain);
    // `popular_posts(min, max)` outside a model: the file's own method.
    const own = !hooks.self && chain.links.length > 0 ? hooks.returns?.self(chain.links[0].name, undefined, () => passedValues(chain.links[0], hooks)) : undefined;
    if (own) { start = 1; resolved = own; }
  } else if (root.kind === 'other') {
    value = root.operand ? differenceOf(evaluate(root.operand, { ...hooks, onLink: undefined })) : UNKNOWN;
  } else {
    const resolved = hooks.resolveRoot(chain);
    if (resolved) value = resolved;
    else if (root.kind === 'name' && hooks.self) {
      // A bare name that is not a local: a method of self (association reader, scope).
      const first: Link = { name: root.name, nameRange: chain.rootRange, end: chain.rootRange.end, args: { count: 0, text: '', deps: [] }, hasBlock: false };
      chain = { ...chain, root: { kind: 'self' }, links: [first, ...chain.links] };
      value = selfValue(hooks, chain);
    } else value = (root.kind === 'name' && hooks.returns?.self(root.name)) || UNKNOWN;
  }
  for (let i = 0; i < chain.links.length; i++) {
    const link = chain.links[i];
    const next = i < start ? (i === start - 1 ? resolved! : UNKNOWN) : step(value, link, chain, i + 1, hooks);
    hooks.onLink?.(link, i, value, next, chain);
    value = next;
  }
  return value;
}

/** `records - others`, `records & others`: an Array of some of the left side's records, loaded. */
function differenceOf(left: Value): Value {
  if (!left.model || !['relation', 'collection', 'array'].includes(left.kind)) return UNKNOWN;
  return { ...left, kind: 'array', loaded: true };
}

function selfValue(hooks: EvalHooks, chain: Chain): Value {
  if (!hooks.self) return UNKNOWN;
  const { model, on } = hooks.self;
  return on === 'class'
    ? { kind: 'class', model, preloads: hooks.models ? classPreloads(hooks.models, model) : emptyPreloads(), origin: { chain, count: 0 } }
    : { kind: 'record', model, preloads: emptyPreloads() };
}

/** The argument texts of the `where(…)` calls inside `text` (parentheses included), for `merge(…)`. */
function whereArgs(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\bwhere\(/g)) {
    const start = m.index! + 'where'.length;
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) { out.push(text.slice(start, i + 1)); break; }
    }
  }
  return out;
}

/** `(conditions)` where the local holds SQL text: the text as a condition string, so its window is read. */
function sqlArgs(args: string, hooks: EvalHooks): string {
  const local = /^\(\s*([a-z_][a-z0-9_]*)\s*\)$/.exec(args)?.[1];
  const sql = local ? hooks.sqlOf?.(local) : undefined;
  return sql === undefined ? args : `(${JSON.stringify(sql.replace(/\s+/g, ' ').trim())})`;
}

/** The value of `receiver.<link>`. `count` is the number of links of `chain` up to and including this one. */
export function step(receiver: Value, link: Link, chain: Chain, count: number, hooks: EvalHooks): Value {
  const models = hooks.models;
  const name = link.name;
  const { model } = receiver;
  if (!model || !models) return UNKNOWN;
  // ransack: the search's `result` is the relation, filtered by what the user asked for.
  if (receiver.search) return name === 'result' ? { ...receiver, search: undefined, origin: { chain, count } } : UNKNOWN;
  // `search(q).result` is ransack's older name (other gems' `search` return something else: no `.result`).
  const ransack = name === 'ransack' || (name === 'search' && chain.links[count]?.name === 'result');
  if (ransack && receiver.kind !== 'record' && receiver.kind !== 'array') {
    const relation = step(receiver, { ...link, name: 'all' }, chain, count, hooks);
    return relation.kind === 'relation' ? { ...relation, filtered: true, search: true } : UNKNOWN;
  }
  switch (receiver.kind) {
    case 'class':
    case 'relation':
    case 'collection': {
      const isScope = hasScope(models, model, name);
      if (RELATION_METHODS.has(name) || isScope) {
        if (name === 'select' && link.hasBlock) return { ...receiver, kind: 'array', loaded: true, origin: receiver.origin };
        if ((name === 'find' || name === 'select') && link.args.symbolBlock) return { ...receiver, kind: 'array', loaded: true };
        const next: Value = {
          kind: 'relation', model, preloads: receiver.kind === 'collection' ? emptyPreloads() : receiver.preloads,
          bounded: receiver.kind === 'collection' ? undefined : receiver.bounded,
          ordered: receiver.ordered, unsure: receiver.kind === 'collection' ? undefined : receiver.unsure,
          returnedBy: receiver.kind === 'collection' ? undefined : receiver.returnedBy,
          ownerScoped: receiver.kind === 'collection' ? undefined : receiver.ownerScoped,
          aged: receiver.kind === 'collection' ? undefined : receiver.aged, backlog: receiver.kind === 'collection' ? undefined : receiver.backlog, queue: receiver.kind === 'collection' ? undefined : receiver.queue, selected: receiver.selected, locked: receiver.locked, strict: receiver.strict,
          filtered: receiver.filtered || receiver.kind === 'collection' || isScope || !UNFILTERED.has(name),
          origin: { chain, count }, perRow: receiver.perRow, association: receiver.association, external: receiver.external,
        };
        if (link.args.preloads) next.preloads = mergePreloads(next.preloads, parameterPreloads(link, hooks) ?? link.args.preloads);
        if (isScope) {
          const fromScope = scopePreloads(models, model, name);
          if (fromScope) next.preloads = mergePreloads(next.preloads, fromScope);
          const shape = scopeShape(models, model, name);
          if (shape.bounded && !next.bounded) next.bounded = `\`${name}\` (\`${shape.bounded}\` in its scope body)`;
          if (shape.ordered) next.ordered = shape.ordered;
        }
        if (name === 'limit' || PAGINATION.has(name)) next.bounded = `${name}${link.args.text}`;
        if (name === 'none') next.bounded = 'none';
        // `scope.merge(paginated_quotes)`: the rows another relation (built elsewhere, maybe paginated) allows.
        if (name === 'merge' && !/^\(\s*[A-Z]/.test(link.args.text) && !next.bounded) next.unsure ??= `merge${link.args.text}`;
        // `Model.from(subquery)`: the rows the subquery (built elsewhere: one record's rows, a window) selects.
        if (name === 'from' && link.args.count > 0 && !/^\(\s*["'`]/.test(link.args.text) && !next.bounded) next.unsure ??= `from${link.args.text}`;
        // `where(conditions)` with the method's parameter: the caller decides the rows, so their number is unknown.
        const passedIn = name === 'where' ? /^\(\s*([a-z_][a-z0-9_]*)\s*\)$/.exec(link.args.text)?.[1] : undefined;
        if (passedIn && hooks.sqlOf?.(passedIn) === undefined && hooks.isParameter?.(passedIn)) next.unsure ??= `where${link.args.text}`;
        else if (name === 'where') {
          const shape = whereShape(sqlArgs(link.args.text, hooks), (k) => models.association(model.name, k)?.macro === 'belongs_to');
          if (shape.bounded) next.bounded = shape.bounded;
          else if (shape.unsure) { next.unsure = shape.unsure; next.queue = undefined; }
          else if (shape.ownerScoped && !next.ownerScoped) next.ownerScoped = shape.ownerScoped;
          else if (shape.aged && !next.aged) next.aged = shape.aged;
        }
        // `merge(unexpired.where(account_id: account_id))`: the merged relation's conditions apply.
        if (name === 'merge') {
          for (const inner of whereArgs(link.args.text)) {
            const shape = whereShape(inner);
            if (shape.bounded && !next.bounded) next.bounded = `merge(…${shape.bounded}…)`;
            else if (shape.unsure && !next.unsure) next.unsure = `merge(…${shape.unsure}…)`;
            else if (shape.ownerScoped && !next.ownerScoped) next.ownerScoped = `merge(…${shape.ownerScoped}…)`;
          }
        }
        // `under_review`, `needs_action`: a queue of rows waiting for a person, as long as people leave it.
        if (isScope && !next.bounded && REVIEW_QUEUE.test(name)) next.unsure ??= `\`${name}\` (rows waiting for someone to review them)`;
        if (isScope && BACKLOG.test(name)) next.backlog = name;
        if (isScope && !next.bounded) {
          const shape = scopeShape(models, model, name);
          if (shape.unsure && !next.unsure) {
            next.unsure = `\`${name}\` (${shape.opaque ? shape.unsure : `\`${shape.unsure}\` in its scope body`})`;
            if (shape.queue) next.queue = name;
          }
          else if (shape.ownerScoped && !next.ownerScoped) next.ownerScoped = `\`${name}\` (\`${shape.ownerScoped}\` in its scope body)`;
          else if (shape.aged && !next.aged) next.aged = `\`${name}\` (\`${shape.aged}\` in its scope body)`;
        }
        if (name === 'order' || name === 'reorder' || name === 'in_order_of' || name === 'reverse_order') next.ordered = `${name}${link.args.text}`;
        if (name === 'select' || name === 'distinct' || name === 'group') next.selected = true;
        if (name === 'lock') next.locked = true;
        if (name === 'strict_loading') next.strict = link.args.text.trim() !== '(false)';
        if (isScope && scopeReturnsArray(models, model, name)) return { ...next, kind: 'array', loaded: true };
        return next;
      }
      // Dynamic finders (`find_by_name`, `find_by_email!`) return one record; `find_by_sql` returns an Array.
      if (SINGLE_RECORD.has(name) || (/^find_by_[a-z_]+!?$/.test(name) && name !== 'find_by_sql')) {
        if ((name === 'first' || name === 'last' || name === 'take') && link.args.count > 0) {
          return { ...receiver, kind: 'array', bounded: `${name}${link.args.text}`, loaded: true };
        }
        // `Node.find(ids)`, `find(*ids)`, `find([1, 2])`: the records of a list of ids, as many as the list holds.
        if (name === 'find' && !link.hasBlock && /^\(\s*(\*?@?[a-z_]*ids|\*[a-z_]\w*|\[[^\]]*\])\s*\)$/.test(link.args.text)) {
          return { kind: 'array', model, loaded: true, preloads: receiver.preloads, unsure: `find${link.args.text}`, origin: { chain, count }, strict: receiver.strict };
        }
        if (name === 'find' && (link.args.count !== 1 || link.hasBlock || link.args.text.startsWith('(['))) return UNKNOWN;
        return { kind: 'record', model, preloads: receiver.preloads, strict: receiver.strict };
      }
      if (name === 'to_a' || name === 'load' || name === 'records' || name === 'entries' || name === 'to_ary'
        || (TO_ARRAY.has(name) && (link.hasBlock || !['select', 'filter', 'reject', 'sort_by', 'min_by', 'max_by', 'take_while', 'drop_while'].includes(name)))) {
        if (receiver.kind === 'class') return UNKNOWN;
        return { ...receiver, kind: 'array', loaded: true };
      }
      if (receiver.kind === 'class') {
        // A class method the analysis read the return of, or unknown.
        return hooks.returns?.method(model, 'class', name, () => passedValues(link, hooks)) ?? UNKNOWN;
      }
      return UNKNOWN;
    }
    case 'array': {
      if (TO_ARRAY.has(name)) return { ...receiver };
      if ((name === 'first' || name === 'last' || name === 'sample') && link.args.count === 0) return { kind: 'record', model, preloads: receiver.preloads, strict: receiver.strict };
      return UNKNOWN;
    }
    case 'record': {
      const assoc = models.association(model.name, link.name);
      if (!assoc) return hooks.returns?.method(model, 'instance', link.name, () => passedValues(link, hooks)) ?? UNKNOWN;
      // An alias of the reader (`alias :members :zone_members`) loads and preloads under the association's name.
      const name = assoc.aliasOf ?? link.name;
      const target = targetOf(models, model, assoc);
      if (!target && !assoc.polymorphic) return UNKNOWN;
      const covered = receiver.preloads.dynamic || receiver.preloads.names.has(name);
      const below = receiver.preloads.dynamic ? dynamicPreloads() : receiver.preloads.names.get(name) ?? emptyPreloads();
      const perRow = receiver.perRow ? { ...receiver.perRow, path: [...receiver.perRow.path, name], missed: receiver.perRow.missed || !covered } : undefined;
      if (assoc.macro === 'has_many' || assoc.macro === 'has_and_belongs_to_many') {
        const defaults = target ? defaultScopePreloads(models, target) : undefined;
        return {
          kind: 'collection', model: target, preloads: defaults ? mergePreloads(below, defaults) : below, loaded: covered, strict: receiver.strict, perRow,
          association: { owner: model, info: assoc }, origin: { chain, count },
        };
      }
      if (!target) return UNKNOWN;
      return { kind: 'record', model: target, preloads: below, strict: receiver.strict, perRow, association: { owner: model, info: assoc } };
    }
    default:
      return UNKNOWN;
  }
}

/** `includes(includes)` where `includes` is a parameter the caller gave a literal list of associations. */
function parameterPreloads(link: Link, hooks: EvalHooks): Preloads | undefined {
  if (!link.args.preloads?.dynamic || !hooks.preloadsOf) return undefined;
  const name = /^\(\s*([a-z_][a-z0-9_]*)\s*\)$/.exec(link.args.text)?.[1];
  return name ? hooks.preloadsOf(name) : undefined;
}

/** The element of a collection looped over: a record of its model carrying its preloads. */
export function elementOf(collection: Value, loopId: number): Value {
  if (!collection.model || !['relation', 'collection', 'array', 'class'].includes(collection.kind)) return UNKNOWN;
  if (collection.perRow) {
    // A loop nested in a per-row loop: its elements belong to the outer loop (includes(a: :b) there).
    return { kind: 'record', model: collection.model, preloads: collection.preloads, strict: collection.strict, perRow: { ...collection.perRow } };
  }
  return {
    kind: 'record', model: collection.model, preloads: collection.preloads, strict: collection.strict,
    perRow: { loopId, path: [], collection, missed: false },
  };
}

/** The model an association loads, following `through:`/`source:` when the name does not name a model. */
export function targetOf(models: ModelIndex, owner: ModelInfo, assoc: AssociationInfo, depth = 0): ModelInfo | undefined {
  if (assoc.polymorphic) return undefined;
  const direct = models.target(owner, assoc);
  if (direct && direct.kind === 'class' && (!assoc.through || direct.name === assoc.className)) return direct;
  if (!assoc.through || depth > 4) return direct?.kind === 'class' ? direct : undefined;
  const via = models.association(owner.name, assoc.through);
  if (!via) return undefined;
  const middle = targetOf(models, owner, via, depth + 1);
  if (!middle) return undefined;
  const source = assoc.source ?? assoc.aliasOf ?? assoc.name;
  for (const name of [source, singularize(source)]) {
    const next = models.association(middle.name, name);
    if (next) return targetOf(models, middle, next, depth + 1);
  }
  return undefined;
}

/** What every query on the model preloads: its default_scope's includes. */
function classPreloads(models: ModelIndex, model: ModelInfo): Preloads {
  return defaultScopePreloads(models, model) ?? emptyPreloads();
}
