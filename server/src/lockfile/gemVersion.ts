/**
 * RubyGems version semantics (Gem::Version), written from the documented behaviour:
 *
 * - a version matches `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?` (surrounding
 *   whitespace allowed); every `-` is rewritten to `.pre.` (`1.0.0-rc1` is `1.0.0.pre.rc1`);
 * - segments are digit runs (integers) and letter runs (strings): `1.0.a10` is `[1, 0, 'a', 10]`;
 * - a version is a prerelease iff it contains a letter;
 * - comparison drops trailing zeros (of the numeric part and of the part after the first letter run),
 *   compares integers numerically, and at the same position sorts a string below a number.
 *
 * Integer segments are kept as digit strings internally so that arbitrarily long numbers (date
 * stamps, build numbers) compare exactly; `segments` exposes them as JS numbers.
 *
 * Pure module: no IO, no dependencies.
 */

/** Internal segment: a normalised digit string (no leading zeros) or a letter run. */
type Seg = { readonly num: true; readonly digits: string } | { readonly num: false; readonly text: string };

const VERSION_RE = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** Longer strings are rejected as malformed (no real version comes close). */
const MAX_VERSION_LENGTH = 1000;

function normDigits(d: string): string {
  const s = d.replace(/^0+/, '');
  return s === '' ? '0' : s;
}

function compareDigits(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function incrementDigits(d: string): string {
  const chars = d.split('');
  let i = chars.length - 1;
  while (i >= 0) {
    if (chars[i] === '9') {
      chars[i] = '0';
      i--;
    } else {
      chars[i] = String.fromCharCode(chars[i].charCodeAt(0) + 1);
      return chars.join('');
    }
  }
  return '1' + chars.join('');
}

function splitSegments(version: string): Seg[] {
  const out: Seg[] = [];
  const re = /[0-9]+|[a-zA-Z]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(version)) !== null) {
    const t = m[0];
    out.push(t.charCodeAt(0) <= 57 ? { num: true, digits: normDigits(t) } : { num: false, text: t });
  }
  return out;
}

function isZero(s: Seg): boolean {
  return s.num && s.digits === '0';
}

function segText(s: Seg): string {
  return s.num ? s.digits : s.text;
}

/** Drops segments from the end while any string segment remains (Gem's `release` / `bump` step). */
function dropStringTail(segs: Seg[]): Seg[] {
  const out = segs.slice();
  while (out.some((s) => !s.num)) out.pop();
  return out;
}

export class GemVersion {
  /** The version string as RubyGems keeps it: trimmed, with `-` rewritten to `.pre.`. */
  readonly version: string;
  private readonly segs: readonly Seg[];
  private canonCache: readonly Seg[] | undefined;

  private constructor(version: string) {
    this.version = version;
    this.segs = splitSegments(version);
  }

  /** True when `parse` would accept `s`. */
  static isValid(s: string): boolean {
    if (typeof s !== 'string') return false;
    const t = s.trim();
    return t.length <= MAX_VERSION_LENGTH && VERSION_RE.test(t);
  }

  /**
   * Parses a version string. Unlike RubyGems, an empty / blank string is rejected (RubyGems reads it as
   * "0"); everything else follows Gem::Version.correct?.
   */
  static parse(s: string): GemVersion | undefined {
    if (typeof s !== 'string') return undefined;
    const t = s.trim();
    if (t.length > MAX_VERSION_LENGTH || !VERSION_RE.test(t)) return undefined;
    return new GemVersion(t.replace(/-/g, '.pre.'));
  }

  /** Like `parse`, but throws on malformed input. */
  static of(s: string): GemVersion {
    const v = GemVersion.parse(s);
    if (!v) throw new Error(`Malformed version number string ${s}`);
    return v;
  }

  /** Segments: integers as numbers, letter runs as strings (`1.0.a10` → `[1, 0, 'a', 10]`). */
  get segments(): Array<number | string> {
    return this.segs.map((s) => (s.num ? Number(s.digits) : s.text));
  }

  /**
   * Canonical segments used for comparison: trailing zeros dropped from the numeric part and from the
   * part starting at the first string segment (`1.0.0` → `[1]`, `1.0.0.rc1` → `[1, 'rc', 1]`).
   */
  get canonicalSegments(): Array<number | string> {
    return this.canonical().map((s) => (s.num ? Number(s.digits) : s.text));
  }

  private canonical(): readonly Seg[] {
    if (this.canonCache) return this.canonCache;
    const firstString = this.segs.findIndex((s) => !s.num);
    const numeric = firstString < 0 ? this.segs.slice() : this.segs.slice(0, firstString);
    const rest = firstString < 0 ? [] : this.segs.slice(firstString);
    while (numeric.length > 0 && isZero(numeric[numeric.length - 1])) numeric.pop();
    while (rest.length > 0 && isZero(rest[rest.length - 1])) rest.pop();
    this.canonCache = numeric.concat(rest);
    return this.canonCache;
  }

  /** A prerelease contains a letter (`1.0.0.rc1`, `3.0.0.pre`, `1.0.a`). */
  get isPrerelease(): boolean {
    return /[a-zA-Z]/.test(this.version);
  }

  /** -1, 0 or 1 by RubyGems ordering (`0.9 < 1.0.a.2 < 1.0.b1 < 1.0.rc9 < 1.0.rc10 < 1.0 < 1.0.0.1`). */
  compare(other: GemVersion): -1 | 0 | 1 {
    if (this.version === other.version) return 0;
    const a = this.canonical();
    const b = other.canonical();
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const l: Seg = a[i] ?? { num: true, digits: '0' };
      const r: Seg = b[i] ?? { num: true, digits: '0' };
      if (l.num && r.num) {
        const c = compareDigits(l.digits, r.digits);
        if (c !== 0) return c;
      } else if (!l.num && !r.num) {
        if (l.text !== r.text) return l.text < r.text ? -1 : 1;
      } else {
        return l.num ? 1 : -1;
      }
    }
    return 0;
  }

  equals(other: GemVersion): boolean {
    return this.compare(other) === 0;
  }

  /** The release for a prerelease (segments popped from the end while a string remains); else itself. */
  release(): GemVersion {
    if (!this.isPrerelease) return this;
    return new GemVersion(dropStringTail(this.segs.slice()).map(segText).join('.'));
  }

  /**
   * The version `~>` stops below: string segments dropped (from the end while any remain), then the
   * last segment dropped when more than one remains, then the new last segment incremented.
   * `2.5.3` → `2.6`, `2.5` → `3`, `3.0.0.pre` → `3.1`.
   */
  bump(): GemVersion {
    const segs = dropStringTail(this.segs.slice());
    if (segs.length > 1) segs.pop();
    const last = segs[segs.length - 1];
    const digits = last && last.num ? last.digits : '0';
    segs[segs.length === 0 ? 0 : segs.length - 1] = { num: true, digits: incrementDigits(digits) };
    return new GemVersion(segs.map(segText).join('.'));
  }

  /**
   * The pessimistic pin `bundle add` would write: `2.5.5` → `~> 2.5`, `7.0.8.7` → `~> 7.0`,
   * `8.0.0.beta1` → `~> 8.0.a`.
   */
  approximateRecommendation(): string {
    const segs = dropStringTail(this.segs.slice());
    while (segs.length > 2) segs.pop();
    while (segs.length < 2) segs.push({ num: true, digits: '0' });
    let rec = `~> ${segs.map(segText).join('.')}`;
    if (this.isPrerelease) rec += '.a';
    return rec;
  }

  /** The first segment (always an integer for a well-formed version). */
  major(): number {
    const s = this.segs[0];
    return s && s.num ? Number(s.digits) : 0;
  }

  /**
   * Key identifying the "major line": the first segment, or for `0.x` the first two (`0.9.1` → `0.9`,
   * `2.5.3` → `2`). Two versions with different keys are on different majors.
   */
  majorKey(): string {
    const first = this.segs[0];
    const firstDigits = first && first.num ? first.digits : '0';
    if (firstDigits !== '0') return firstDigits;
    const second = this.segs[1];
    return `0.${second && second.num ? second.digits : '0'}`;
  }

  /**
   * The lowest release of the next major line: `(M+1)` for `M.x`, and `0.(m+1)` for `0.m.x`
   * (`2.5.3` → `3`, `0.9.1` → `0.10`).
   */
  nextMajor(): GemVersion {
    const first = this.segs[0];
    const firstDigits = first && first.num ? first.digits : '0';
    if (firstDigits !== '0') return new GemVersion(incrementDigits(firstDigits));
    const second = this.segs[1];
    return new GemVersion(`0.${incrementDigits(second && second.num ? second.digits : '0')}`);
  }

  toString(): string {
    return this.version;
  }
}

/** Compares two version strings; malformed strings sort before well-formed ones, then by text. */
export function compareVersionStrings(a: string, b: string): -1 | 0 | 1 {
  const va = GemVersion.parse(a);
  const vb = GemVersion.parse(b);
  if (va && vb) return va.compare(vb);
  if (va) return 1;
  if (vb) return -1;
  return a === b ? 0 : a < b ? -1 : 1;
}
