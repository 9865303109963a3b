// How many times a loop runs, as far as the code says: bounded (a limit, a page, a literal, one
// record's changes), unbounded (a table scan or an unbounded where) or unknown (one record's has_many,
// `where(id: ids)`, a value from elsewhere). Together with where the code runs (impact.ts) it decides
// the severity of a query finding.
import type { Severity } from '../core/types';
import type { ImpactInfo } from './impact';
import type { Value } from './values';
import { chainText } from './fixes';
import { roleSubset, type TableSizes } from './tableSize';

export type CardinalityKind = 'bounded' | 'unbounded' | 'unknown';
export interface Cardinality {
  kind: CardinalityKind;
  /** For messages: "every Order in `Order.where(status: :scheduled)`". */
  why: string;
  /** Every row of the accounts table (users): the largest table, even on a back-office page. */
  accounts?: boolean;
  /** Every row of a growing table, unfiltered (`StripeCard.all`): as slow for staff as for anyone. */
  everyRow?: boolean;
}

const RANK: Record<CardinalityKind, number> = { bounded: 0, unknown: 1, unbounded: 2 };

/** Record methods whose result is a small Hash or Array by nature: `previous_changes` has one pair per changed column. */
export const BOUNDED_READERS = new Set(['previous_changes', 'saved_changes', 'changes', 'changes_to_save', 'changed', 'changed_attributes',
  'attribute_changes', 'saved_changes_to_attribute', 'errors', 'attributes', 'attribute_names']);

export function cardinalityOf(value: Value, sizes?: TableSizes): Cardinality {
  if (value.alternatives && value.alternatives.length > 1) {
    const each = value.alternatives.map((v) => cardinalityOf({ ...v, alternatives: undefined }, sizes));
    return each.reduce((a, b) => (RANK[b.kind] > RANK[a.kind] ? b : a));
  }
  if (value.literal) return { kind: 'bounded', why: value.literal };
  if (value.bounded) return { kind: 'bounded', why: `bounded by ${codeText(value.bounded)}` };
  const model = value.model?.name;
  if (!model) return { kind: 'unknown', why: 'a collection of unknown size' };
  if (value.ownerScoped) return { kind: 'unknown', why: `as many ${model} rows as one owner has (${codeText(value.ownerScoped)})` };
  if (value.unsure) return { kind: 'unknown', why: `as many ${model} rows as ${codeText(value.unsure)} selects` };
  if (value.returnedBy) return { kind: 'unknown', why: `as many ${model} rows as \`${value.returnedBy}\` returns (not judged across methods)` };
  if (value.association) {
    const owner = value.association.owner.name;
    return { kind: 'unknown', why: `as many as one ${owner} has in \`${value.association.info.name}\`` };
  }
  if (value.kind === 'relation' || value.kind === 'class' || (value.kind === 'array' && value.origin)) {
    const built = value.origin && value.origin.count > 0 ? chainText(value.origin.chain, value.origin.count) : undefined;
    const every = `every ${model}${built && value.filtered !== false ? ` in \`${built}\`` : ''}`;
    const size = sizes?.(value.model!);
    if (size === 'small') return { kind: 'unknown', why: `${every}, a small table (queries.smallTables)` };
    if (size === 'accounts' && roleSubset(value.model!, built)) return { kind: 'unknown', why: `${every}: accounts with a privileged role, few by design` };
    if (size === 'root') {
      return { kind: 'unknown', why: `${every}, a table that belongs to no other model: lookup values, settings or tenants, usually few (list it in queries.largeTables if it grows)` };
    }
    return { kind: 'unbounded', why: every, accounts: size === 'accounts', ...(value.filtered === false && value.kind !== 'array' ? { everyRow: true } : {}) };
  }
  return { kind: 'unknown', why: `${model} records from elsewhere` };
}

/**
 * A job run per event (`perform(uri, event)`) that iterates a relation its arguments do not select from
 * loads it on every event: code like that exists for small sets (providers, webhooks, admins), so for
 * unbatched-each (a memory hazard) the size is unknown rather than unbounded.
 */
export function perEventCardinality(card: Cardinality, value: Value, params: string[] | undefined): Cardinality {
  if (!params || params.length === 0 || card.kind !== 'unbounded') return card;
  const origins = (value.alternatives ?? [value]).map((v) => v.origin).filter((o): o is NonNullable<typeof o> => !!o);
  const args = origins.map((o) => o.chain.links.slice(0, o.count).map((l) => l.args.text).join(' ')).join(' ');
  if (origins.length === 0 || params.some((p) => new RegExp(`(^|[^\\w@])${p}\\b`).test(args))) return card;
  return { kind: 'unknown', why: `${card.why}, the same on every run of \`perform(${params.join(', ')})\`: a set a job scans per event is small by design` };
}

/** The larger of two cardinalities (a loop nested in an unbounded loop runs unboundedly often). */
export function larger(a: Cardinality, b: Cardinality): Cardinality {
  return RANK[b.kind] > RANK[a.kind] ? b : a;
}

/**
 * Severity of an N+1 (a query per element): warning when the loop is unbounded on a request or in a
 * job, hint when its size is unknown or bounded there, hint at most in offline code, nothing in tests.
 * `undefined` means silent.
 */
export function nPlusOneSeverity(where: ImpactInfo, card: Cardinality, perRowWork?: string): Severity | undefined {
  if (where.impact === 'test') return undefined;
  if (where.impact === 'offline') return card.kind === 'bounded' ? undefined : 'hint';
  // Each row already costs a write, a mail or an enqueue: preloading removes a fraction of the loop's round trips.
  if (perRowWork) return 'hint';
  // A back-office page serves a few staff: its N+1 costs them a wait, not the site, unless it walks every account
  // or every row of a table.
  if (where.staff && !card.accounts && !card.everyRow) return 'hint';
  return card.kind === 'unbounded' ? 'warning' : 'hint';
}

/** The clause that says why, appended to messages: "(unbounded: every Order in `…`)". */
export function whyClause(impact: ImpactInfo, card: Cardinality, perRowWork?: string): string {
  const size = card.kind === 'unbounded' ? `unbounded: ${card.why}` : card.kind === 'bounded' ? `bounded: ${card.why}` : `size unknown: ${card.why}`;
  const work = perRowWork && impact.impact !== 'offline' && impact.impact !== 'test' ? `; every row also runs ${perRowWork}, a round trip of its own` : '';
  const staff = impact.staff && !card.accounts && !card.everyRow && card.kind === 'unbounded' && impact.impact === 'request' ? `; on ${impact.staff}, which only staff reach` : '';
  return impact.impact === 'offline' ? `${size}; in ${impact.why}, which runs offline` : `${size}${work}${staff}`;
}

/** Wraps Ruby in backticks unless the text already quotes its code parts. */
export function codeText(text: string): string {
  return text.includes('`') ? text : `\`${text}\``;
}
