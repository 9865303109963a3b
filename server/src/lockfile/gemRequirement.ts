/**
 * RubyGems requirement semantics (Gem::Requirement), written from the documented behaviour:
 *
 * - a clause is `[op] version` with op one of `= != > < >= <= ~>`; no op means `=`;
 * - `~> r` means `v >= r && v.release < r.bump` (`~> 2.5` is [2.5, 3), `~> 2.5.3` is [2.5.3, 2.6));
 * - a requirement is the AND of its clauses; `none?` is exactly one clause equal to `>= 0`;
 * - Bundler prints clauses sorted as strings, then reversed (`~> 2.5, >= 2.5.1`; `>= 2.2.4, < 3.3`).
 *
 * Range reasoning (`intersectAllowsVersionAtOrAbove`, `describeRange`) considers release versions
 * only, as Bundler's resolver does unless prereleases are asked for.
 *
 * Pure module: no IO, no dependencies.
 */
import { GemVersion } from './gemVersion';

export type GemOp = '=' | '!=' | '>' | '<' | '>=' | '<=' | '~>';

export interface GemClause {
  readonly op: GemOp;
  readonly version: GemVersion;
}

/** A bound on versions: `inclusive` says whether `version` itself is allowed. */
export interface GemBound {
  readonly version: GemVersion;
  readonly inclusive: boolean;
}

/** Edge classes as used by the corpus tooling: no requirement / only floors / some upper bound. */
export type RequirementClass = 'unconstrained' | 'floor_only' | 'bounded';

const CLAUSE_RE =
  /^\s*(>=|<=|~>|!=|=|>|<)?\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)\s*$/;

const UPPER_OPS: ReadonlySet<GemOp> = new Set<GemOp>(['<', '<=', '~>', '=']);
const ZERO = GemVersion.of('0');

function parseClause(text: string): GemClause | undefined {
  if (text.length > 1000) return undefined;
  const m = CLAUSE_RE.exec(text);
  if (!m) return undefined;
  const version = GemVersion.parse(m[2]);
  if (!version) return undefined;
  return { op: (m[1] as GemOp | undefined) ?? '=', version };
}

function clauseText(c: GemClause): string {
  return `${c.op} ${c.version.toString()}`;
}

export class GemRequirement {
  /** Clauses in the order given (duplicate clause texts removed, like Gem::Requirement.new). */
  readonly clauses: readonly GemClause[];

  private constructor(clauses: readonly GemClause[]) {
    this.clauses = clauses;
  }

  /** The default requirement `>= 0` (what a bare name in a lockfile means). */
  static none(): GemRequirement {
    return new GemRequirement([{ op: '>=', version: ZERO }]);
  }

  /**
   * Parses a requirement: a string of comma-separated clauses (`"~> 2.5, >= 2.5.1"`) or an array of
   * clause strings (each may itself contain commas). An empty / blank input means `>= 0`.
   * Returns undefined when any clause is malformed.
   */
  static parse(input: string | readonly string[]): GemRequirement | undefined {
    const parts: string[] = [];
    const pieces = typeof input === 'string' ? [input] : Array.isArray(input) ? input : [];
    for (const piece of pieces) {
      if (typeof piece !== 'string') return undefined;
      for (const p of piece.split(',')) {
        const t = p.trim();
        if (t !== '') parts.push(t);
        else if (piece.trim() !== '') return undefined; // an empty clause between commas
      }
    }
    if (parts.length === 0) return GemRequirement.none();
    const seen = new Set<string>();
    const clauses: GemClause[] = [];
    for (const p of parts) {
      if (seen.has(p)) continue;
      seen.add(p);
      const c = parseClause(p);
      if (!c) return undefined;
      clauses.push(c);
    }
    return new GemRequirement(clauses);
  }

  /** Like `parse`, but throws on malformed input. */
  static of(input: string | readonly string[]): GemRequirement {
    const r = GemRequirement.parse(input);
    if (!r) throw new Error(`Illformed requirement ${JSON.stringify(input)}`);
    return r;
  }

  /** Whether `v` satisfies every clause. */
  isSatisfiedBy(v: GemVersion): boolean {
    return this.clauses.every((c) => clauseSatisfied(c, v));
  }

  /** Exactly one clause, `>= 0` (Gem::Requirement#none?): "any version". */
  isNone(): boolean {
    return this.clauses.length === 1 && this.clauses[0].op === '>=' && this.clauses[0].version.equals(ZERO);
  }

  /** Some clause is `<`, `<=`, `~>` or `=`. */
  hasUpperBound(): boolean {
    return this.clauses.some((c) => UPPER_OPS.has(c.op));
  }

  /** Has a requirement but no upper bound: only `>=`, `>` and `!=` clauses, and not `>= 0` alone. */
  isFloorOnly(): boolean {
    return this.classify() === 'floor_only';
  }

  /** `unconstrained` (only `>= 0`), `floor_only` (only `>=`, `>`, `!=`) or `bounded`. */
  classify(): RequirementClass {
    if (this.clauses.every((c) => c.op === '>=' && c.version.equals(ZERO))) return 'unconstrained';
    if (this.hasUpperBound()) return 'bounded';
    return 'floor_only';
  }

  /** Some clause names a prerelease version. */
  isPrerelease(): boolean {
    return this.clauses.some((c) => c.version.isPrerelease);
  }

  /**
   * The tightest upper bound: `< v` and `~> r` (as `< r.bump`) are exclusive, `<= v` and `= v` inclusive.
   * At equal versions the exclusive bound is the tighter one.
   */
  upperBound(): GemBound | undefined {
    let best: GemBound | undefined;
    for (const c of this.clauses) {
      const b = upperOf(c);
      if (b) best = tighterUpper(best, b);
    }
    return best;
  }

  /** The tightest lower bound (`>=`, `>`, `=`, `~>`), if any. */
  lowerBound(): GemBound | undefined {
    let best: GemBound | undefined;
    for (const c of this.clauses) {
      const b = lowerOf(c);
      if (b) best = tighterLower(best, b);
    }
    return best;
  }

  /** Clause strings in the order given (Gem::Requirement#as_list). */
  asList(): string[] {
    return this.clauses.map(clauseText);
  }

  /** Bundler's print order: clause strings sorted, then reversed, joined with `, `. */
  toString(): string {
    const list = this.asList();
    list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    list.reverse();
    return list.join(', ');
  }

  /** As written in a lockfile: "" for `>= 0`, else `toString()`. */
  toLockString(): string {
    return this.isNone() ? '' : this.toString();
  }
}

function clauseSatisfied(c: GemClause, v: GemVersion): boolean {
  const cmp = v.compare(c.version);
  switch (c.op) {
    case '=':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '>':
      return cmp > 0;
    case '<':
      return cmp < 0;
    case '>=':
      return cmp >= 0;
    case '<=':
      return cmp <= 0;
    case '~>':
      return cmp >= 0 && v.release().compare(c.version.bump()) < 0;
  }
}

function upperOf(c: GemClause): GemBound | undefined {
  switch (c.op) {
    case '<':
      return { version: c.version, inclusive: false };
    case '<=':
    case '=':
      return { version: c.version, inclusive: true };
    case '~>':
      return { version: c.version.bump(), inclusive: false };
    default:
      return undefined;
  }
}

function lowerOf(c: GemClause): GemBound | undefined {
  switch (c.op) {
    case '>':
      return { version: c.version, inclusive: false };
    case '>=':
    case '=':
    case '~>':
      return { version: c.version, inclusive: true };
    default:
      return undefined;
  }
}

function tighterUpper(a: GemBound | undefined, b: GemBound): GemBound {
  if (!a) return b;
  const cmp = a.version.compare(b.version);
  if (cmp !== 0) return cmp < 0 ? a : b;
  return a.inclusive ? b : a;
}

function tighterLower(a: GemBound | undefined, b: GemBound): GemBound {
  if (!a) return b;
  const cmp = a.version.compare(b.version);
  if (cmp !== 0) return cmp > 0 ? a : b;
  return a.inclusive ? b : a;
}

// ---------------------------------------------------------------------------------------------------
// Range reasoning over release versions.
//
// Release versions (no letters) are dense in Gem order: between two distinct releases there are
// infinitely many others. A prerelease operand r sits just below its release R = r.release() with no
// release in between, so over releases `>= r` / `> r` mean `>= R`, `< r` / `<= r` mean `< R`,
// `= r` matches nothing and `!= r` excludes nothing.

interface ReleaseConstraints {
  lower?: GemBound;
  upper?: GemBound;
  points: GemVersion[]; // `=` operands that are releases
  emptyPoint: boolean; // some `=` operand is a prerelease: no release can match
  excluded: GemVersion[]; // `!=` operands that are releases
}

function releaseConstraints(reqs: readonly GemRequirement[]): ReleaseConstraints {
  const rc: ReleaseConstraints = { points: [], emptyPoint: false, excluded: [] };
  for (const req of reqs) {
    for (const c of req.clauses) {
      const v = c.version;
      const pre = v.isPrerelease;
      const R = pre ? v.release() : v;
      switch (c.op) {
        case '=':
          if (pre) rc.emptyPoint = true;
          else rc.points.push(v);
          break;
        case '!=':
          if (!pre) rc.excluded.push(v);
          break;
        case '>':
          rc.lower = tighterLower(rc.lower, { version: R, inclusive: pre });
          break;
        case '>=':
          rc.lower = tighterLower(rc.lower, { version: R, inclusive: true });
          break;
        case '<':
          rc.upper = tighterUpper(rc.upper, { version: R, inclusive: false });
          break;
        case '<=':
          rc.upper = tighterUpper(rc.upper, { version: R, inclusive: !pre });
          break;
        case '~>':
          rc.lower = tighterLower(rc.lower, { version: R, inclusive: true });
          rc.upper = tighterUpper(rc.upper, { version: v.bump(), inclusive: false });
          break;
      }
    }
  }
  return rc;
}

function inBounds(v: GemVersion, lower: GemBound | undefined, upper: GemBound | undefined): boolean {
  if (lower) {
    const c = v.compare(lower.version);
    if (c < 0 || (c === 0 && !lower.inclusive)) return false;
  }
  if (upper) {
    const c = v.compare(upper.version);
    if (c > 0 || (c === 0 && !upper.inclusive)) return false;
  }
  return true;
}

/** Whether some release satisfies the constraints (optionally with an extra lower bound). */
function satisfiable(reqs: readonly GemRequirement[], rc: ReleaseConstraints, lower: GemBound | undefined): boolean {
  if (rc.emptyPoint) return false;
  if (rc.points.length > 0) {
    return rc.points.some((p) => inBounds(p, lower, undefined) && reqs.every((r) => r.isSatisfiedBy(p)));
  }
  const lo = lower ? tighterLower(rc.lower, lower) : rc.lower;
  const up = rc.upper;
  if (!lo || !up) return true;
  const c = lo.version.compare(up.version);
  if (c < 0) return true;
  if (c > 0) return false;
  if (!lo.inclusive || !up.inclusive) return false;
  return !rc.excluded.some((x) => x.equals(lo.version));
}

/**
 * Whether the intersection of all requirements admits a release version `>= v` ("can the next major
 * sneak in?" with `v = locked.nextMajor()`).
 */
export function intersectAllowsVersionAtOrAbove(reqs: readonly GemRequirement[], v: GemVersion): boolean {
  const rc = releaseConstraints(reqs);
  const floor = v.isPrerelease ? v.release() : v;
  // A prerelease v sits below its release: releases >= v are releases >= v.release().
  return satisfiable(reqs, rc, { version: floor, inclusive: true });
}

/** Whether some release version satisfies every requirement. */
export function isSatisfiable(reqs: readonly GemRequirement[]): boolean {
  return satisfiable(reqs, releaseConstraints(reqs), undefined);
}

/**
 * A human-readable effective range for the intersection of requirements, e.g. `>= 2.2.5, < 3`,
 * `>= 1.0, < 3.0, != 2.0.0`, `= 1.2.3`, `>= 2.2.5 (no upper bound)`, or `none (>= 3, < 2)` when no
 * release satisfies them all. Operands are shown as written (not release-adjusted).
 */
export function describeRange(reqs: readonly GemRequirement[]): string {
  let lower: GemBound | undefined;
  let upper: GemBound | undefined;
  const points: GemVersion[] = [];
  const excluded: GemVersion[] = [];
  for (const req of reqs) {
    for (const c of req.clauses) {
      if (c.op === '=') points.push(c.version);
      else if (c.op === '!=') excluded.push(c.version);
      const lo = lowerOf(c);
      if (lo && c.op !== '=') lower = tighterLower(lower, lo);
      const up = upperOf(c);
      if (up && c.op !== '=') upper = tighterUpper(upper, up);
    }
  }
  const fmtLower = (b: GemBound): string => `${b.inclusive ? '>=' : '>'} ${b.version.toString()}`;
  const fmtUpper = (b: GemBound): string => `${b.inclusive ? '<=' : '<'} ${b.version.toString()}`;

  const parts: string[] = [];
  if (points.length > 0) {
    const uniq = dedupeVersions(points);
    parts.push(...uniq.map((p) => `= ${p.toString()}`));
  } else {
    if (lower) parts.push(fmtLower(lower));
    if (upper) parts.push(fmtUpper(upper));
    for (const x of dedupeVersions(excluded)) {
      if (inBounds(x, lower, upper)) parts.push(`!= ${x.toString()}`);
    }
  }
  if (!isSatisfiable(reqs)) {
    const all: string[] = [];
    for (const req of reqs) for (const c of req.clauses) all.push(clauseText(c));
    return `none (${Array.from(new Set(all)).join(', ')})`;
  }
  if (points.length === 0 && !lower && !upper && parts.length === 0) return '>= 0 (no upper bound)';
  let out = parts.length > 0 ? parts.join(', ') : '>= 0';
  if (points.length === 0 && !upper) out += ' (no upper bound)';
  return out;
}

function dedupeVersions(vs: readonly GemVersion[]): GemVersion[] {
  const out: GemVersion[] = [];
  for (const v of vs) if (!out.some((o) => o.equals(v))) out.push(v);
  return out;
}
