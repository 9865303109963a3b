// Whether a table's unique indexes enforce what a uniqueness validation checks: the validated column plus its
// scope, case-insensitively when `case_sensitive: false` on PostgreSQL. A unique index on a subset of the
// columns enforces a stricter rule and so also covers the validation.
import type { SchemaIndex, SchemaTable } from '../project/schema';

export interface UniquenessNeed {
  /** The validated column (a belongs_to's foreign key). */
  column: string;
  scope: string[];
  /** `case_sensitive: false` on PostgreSQL: the index must be on lower(column) (or the column is citext). */
  caseInsensitive: boolean;
  /** `conditions:`: a partial index can be the matching one. */
  hasConditions: boolean;
}

export type Coverage =
  | { kind: 'covered'; index: SchemaIndex }
  /** An expression or partial index we cannot compare: stay silent. */
  | { kind: 'unknown'; index: SchemaIndex }
  /** A plain unique index on the columns, while the validation ignores case. */
  | { kind: 'case-sensitive-only'; index: SchemaIndex }
  | { kind: 'partial-only'; index: SchemaIndex }
  | { kind: 'non-unique'; index: SchemaIndex }
  | { kind: 'none' };

type Item = { column: string; lower: boolean } | { expression: string };

/** An index's items: schema.rb writes `"account_id, lower((email)::text)"` as one string, structure.sql as several. */
export function indexItems(index: SchemaIndex): Item[] {
  const out: Item[] = [];
  for (const raw of index.columns) {
    for (const part of splitTopLevel(raw)) {
      const item = part.trim();
      if (/^[\w$]+$/.test(item)) { out.push({ column: item, lower: false }); continue; }
      const quoted = /^"([^"]+)"$/.exec(item);
      if (quoted) { out.push({ column: quoted[1], lower: false }); continue; }
      const lower = /^lower\(\(*"?([\w$]+)"?\)*(?:::(?:text|character varying|citext))?\)$/i.exec(item);
      out.push(lower ? { column: lower[1], lower: true } : { expression: item });
    }
  }
  return out;
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    else if (s[i] === ',' && depth === 0) { out.push(s.slice(start, i)); start = i + 1; }
  }
  out.push(s.slice(start));
  return out;
}

export function coverage(table: SchemaTable, need: UniquenessNeed): Coverage {
  const wanted = new Set([need.column, ...need.scope]);
  const citext = table.columns.get(need.column)?.type === 'citext';
  let best: Coverage = { kind: 'none' };
  const rank: Record<Coverage['kind'], number> = { covered: 5, unknown: 4, 'case-sensitive-only': 3, 'partial-only': 2, 'non-unique': 1, none: 0 };
  const consider = (c: Coverage) => { if (rank[c.kind] > rank[best.kind]) best = c; };
  for (const index of table.indexes) {
    const items = indexItems(index);
    const mentions = (item: Item) => ('column' in item ? wanted.has(item.column) : new RegExp(`\\b${need.column}\\b`).test(item.expression));
    if (items.some((i) => 'expression' in i)) {
      if (index.unique && items.some(mentions)) consider({ kind: 'unknown', index });
      continue;
    }
    const columns = items as { column: string; lower: boolean }[];
    const subset = columns.length > 0 && columns.every((c) => wanted.has(c.column));
    if (!subset) continue;
    if (!index.unique) {
      if (columns.length === wanted.size) consider({ kind: 'non-unique', index });
      continue;
    }
    if (index.where !== undefined && !need.hasConditions && !onlyNotNull(index.where, columns.map((c) => c.column))) {
      consider({ kind: 'partial-only', index });
      continue;
    }
    const lowerOk = !need.caseInsensitive || citext || columns.some((c) => c.column === need.column && c.lower)
      // Only the scope is indexed (a stricter rule): case does not matter.
      || !columns.some((c) => c.column === need.column);
    consider(lowerOk ? { kind: 'covered', index } : { kind: 'case-sensitive-only', index });
  }
  return best;
}

/** `WHERE uri IS NOT NULL` on indexed columns leaves out only NULLs, which a unique index never compares anyway. */
export function onlyNotNull(where: string, columns: string[]): boolean {
  const parts = where.replace(/[()]/g, ' ').split(/\s+AND\s+/i).map((p) => p.trim());
  return parts.every((p) => {
    const m = /^"?([\w$]+)"?\s+IS\s+NOT\s+NULL$/i.exec(p);
    return !!m && columns.includes(m[1]);
  });
}
