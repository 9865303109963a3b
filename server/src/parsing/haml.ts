// HAML → Ruby projection with positions kept, like erbToRuby: the same lines, and every Ruby character
// at its own line and column; everything else is a space. The Ruby of `-` and `=`/`!=`/`&=`/`~` lines,
// `#{}` in plain text, attribute hashes `{}`, `()` attribute values and `[]` object references is kept.
// HAML closes blocks by indentation, so the `;end` a block needs is added at the end of the line of its
// body's last Ruby, just before the newline: no character of the template moves to another line or
// column (offsets after it do shift, so positions are read as line and column, as rules do).

const MID_KEYWORDS = new Set(['else', 'elsif', 'when', 'in', 'rescue', 'ensure']);
/** Haml's multiline exception: `do |a, b |` ends with ` |` but is not a multiline line. */
const BLOCK_WITH_SPACES = /do\s*\|\s*[^|]*\s+\|$/;

interface HamlLine {
  /** Offset of the first character after the indentation. */
  start: number;
  indent: number;
  /** A script whose children are its block (`- x.each do |y|`, `= form_for … do |f|`, `%p= link_to … do`). */
  script: boolean;
  /** `else`, `elsif`, `when`, … : continues the previous sibling's block. */
  mid: boolean;
  case: boolean;
}

interface Entry { line: HamlLine; hasChildren: boolean }

export function hamlToRuby(template: string): string {
  return new HamlProjector(template).run();
}

class HamlProjector {
  private readonly out: string[];
  private readonly len: number;
  private readonly lines: HamlLine[] = [];

  constructor(private readonly t: string) {
    this.out = t.replace(/[^\n]/g, ' ').split('');
    this.len = t.length;
  }

  run(): string {
    let pos = 0;
    while (pos < this.len) pos = this.readLine(pos);
    return this.close();
  }

  // ---- lines ------------------------------------------------------------------------------

  private lineEnd(pos: number): number {
    const i = this.t.indexOf('\n', pos);
    return i < 0 ? this.len : i;
  }

  /** End of the line's content without trailing whitespace (and \r). */
  private contentEnd(pos: number): number {
    let e = this.lineEnd(pos);
    while (e > pos && /\s/.test(this.t[e - 1])) e--;
    return e;
  }

  private next(pos: number): number {
    const e = this.lineEnd(pos);
    return e < this.len ? e + 1 : this.len;
  }

  private indentOf(pos: number): { start: number; indent: number } {
    let i = pos;
    while (i < this.len && (this.t[i] === ' ' || this.t[i] === '\t')) i++;
    return { start: i, indent: i - pos };
  }

  /** Skips the lines nested deeper than `indent` (and blank lines among them); returns the next line's offset. */
  private skipNested(pos: number, indent: number, keep?: (start: number, end: number) => void): number {
    let p = pos;
    while (p < this.len) {
      const { start, indent: i } = this.indentOf(p);
      const end = this.contentEnd(p);
      if (start >= end) { p = this.next(p); continue; }
      if (i <= indent) {
        // Blank lines before the next sibling belong to nobody.
        return p;
      }
      keep?.(start, end);
      p = this.next(p);
    }
    return p;
  }

  private readLine(pos: number): number {
    const { start, indent } = this.indentOf(pos);
    const end = this.contentEnd(pos);
    if (start >= end) return this.next(pos);
    const line: HamlLine = { start, indent, script: false, mid: false, case: false };
    this.lines.push(line);
    const t = this.t;
    const c = t[start];
    if (t.startsWith('-#', start)) return this.skipNested(this.next(pos), indent);
    if (c === ':' && /^:[\w-]+/.test(t.slice(start, start + 40))) {
      const ruby = t.startsWith(':ruby', start) && /^:ruby\s*$/.test(t.slice(start, end));
      return this.skipNested(this.next(pos), indent, ruby ? (s, e) => this.copy(s, e) : undefined);
    }
    if (c === '-') return this.script(line, start + 1, true);
    if (t.startsWith('!!!', start)) return this.next(pos);
    if (c === '/') return this.next(pos);
    if (/^(!==|&==|==)/.test(t.slice(start, start + 3))) {
      this.text(start + (c === '=' ? 2 : 3), end);
      return this.next(pos);
    }
    if (/^(!=|&=|=|~)/.test(t.slice(start, start + 2))) return this.script(line, start + (c === '=' || c === '~' ? 1 : 2), false);
    if (c === '%' || ((c === '.' || c === '#') && /[\w-]/.test(t[start + 1] ?? ''))) return this.element(line, start);
    if (c === '\\') { this.text(start + 1, end); return this.next(pos); }
    this.text(start, end);
    return this.next(pos);
  }

  /** A script from `from` (after its marker) to the end of its line, with `,` and ` |` continuation lines. */
  private script(line: HamlLine, from: number, silent: boolean): number {
    let p = from;
    while (p < this.len && (this.t[p] === ' ' || this.t[p] === '\t')) p++;
    let end = this.contentEnd(p);
    const first = this.t.slice(p, end);
    line.script = true;
    if (silent) {
      const keyword = /^([a-z]+)\b/.exec(first)?.[1];
      line.mid = !!keyword && MID_KEYWORDS.has(keyword);
      line.case = keyword === 'case';
    }
    const multiline = (s: string) => s.length > 1 && s.endsWith(' |') && !BLOCK_WITH_SPACES.test(s);
    const ranges: [number, number][] = [];
    let after: number;
    if (multiline(first)) {
      // Every line of a multiline block ends with ` |`; the pipes are HAML, not Ruby.
      let lineStart = p;
      for (;;) {
        const e = this.contentEnd(lineStart);
        ranges.push([lineStart, e - 1]);
        after = this.next(lineStart);
        if (after >= this.len) break;
        const { start } = this.indentOf(after);
        if (!multiline(this.t.slice(start, this.contentEnd(after)))) break;
        lineStart = start;
      }
    } else {
      ranges.push([p, end]);
      after = this.next(p);
    }
    // A line (or multiline block) ending in a comma continues on the next line.
    while (this.t.slice(...ranges[ranges.length - 1]).trimEnd().endsWith(',') && after < this.len) {
      p = this.indentOf(after).start;
      end = this.contentEnd(after);
      ranges.push([p, end]);
      after = this.next(after);
    }
    // Only the last piece ends the statement.
    ranges.forEach(([a, b], i) => { if (b > a) this.copy(a, b, i === ranges.length - 1); });
    return after;
  }

  /** `%tag.class#id{…}(…)[…]<>/` followed by a script, interpolated text or plain text. */
  private element(line: HamlLine, start: number): number {
    const t = this.t;
    let p = start;
    if (t[p] === '%') { p++; while (p < this.len && /[\w:-]/.test(t[p])) p++; }
    while ((t[p] === '.' || t[p] === '#') && /[\w-]/.test(t[p + 1] ?? '')) { p++; while (p < this.len && /[\w-]/.test(t[p])) p++; }
    for (;;) {
      const c = t[p];
      if (c === '{' || c === '[') {
        const close = matchBracket(t, p);
        if (close < 0) return this.next(start);
        this.copy(p, close + 1);
        // HAML reads `{ class: x }`, `{ hidden_if(x) }` and `{ hidden_if(x), id: y }` alike; as Ruby they
        // are all valid inside brackets (an Array with a trailing Hash), at the braces' own positions.
        if (c === '{') { this.out[p] = '['; this.out[close] = ']'; }
        p = close + 1;
      } else if (c === '(') {
        const close = this.htmlAttributes(p);
        if (close < 0) return this.next(start);
        p = close + 1;
      } else break;
    }
    while (t[p] === '<' || t[p] === '>' || t[p] === '/') p++;
    const end = this.contentEnd(p);
    const rest = t.slice(p, Math.min(end, p + 3));
    if (/^(!==|&==|==)/.test(rest)) { this.text(p + (rest[0] === '=' ? 2 : 3), end); return this.next(p); }
    if (/^(!=|&=)/.test(rest)) return this.script(line, p + 2, false);
    if (/^[=~]/.test(rest)) return this.script(line, p + 1, false);
    this.text(p, end);
    return this.next(p);
  }

  /** `(a="x #{y}" b=@z c='w')`: double-quoted values with interpolation and bare values are Ruby. */
  private htmlAttributes(open: number): number {
    const t = this.t;
    let p = open + 1;
    const limit = Math.min(this.len, open + 4000);
    while (p < limit) {
      const c = t[p];
      if (c === ')') return p;
      if (/\s/.test(c)) { p++; continue; }
      const name = /^[^\s=)]+/.exec(t.slice(p, p + 200));
      if (!name) return -1;
      p += name[0].length;
      while (t[p] === ' ' || t[p] === '\t') p++;
      if (t[p] !== '=') continue;
      p++;
      while (t[p] === ' ' || t[p] === '\t') p++;
      if (t[p] === '"' || t[p] === "'") {
        const close = skipString(t, p, limit);
        if (close < 0) return -1;
        if (t[p] === '"' && t.slice(p, close).includes('#{')) this.copy(p, close + 1);
        p = close + 1;
      } else {
        const value = /^[^\s)]+/.exec(t.slice(p, p + 200));
        if (!value) return -1;
        this.copy(p, p + value[0].length);
        p += value[0].length;
      }
    }
    return -1;
  }

  /** Plain text: the Ruby of each `#{…}`. */
  private text(from: number, to: number): void {
    const t = this.t;
    for (let i = t.indexOf('#{', from); i >= 0 && i < to; i = t.indexOf('#{', i + 2)) {
      if (t[i - 1] === '\\') continue;
      const close = matchBracket(t, i + 1);
      if (close < 0 || close > to) return;
      this.copy(i + 2, close);
      i = close - 1;
    }
  }

  /** Copies template[from, to) as Ruby and ends it with `;` when the next character is free. */
  private copy(from: number, to: number, separate = true): void {
    for (let i = from; i < to; i++) if (this.t[i] !== '\n') this.out[i] = this.t[i];
    if (separate && to < this.len && this.t[to] !== '\n' && this.out[to] === ' ') this.out[to] = ';';
  }

  // ---- blocks -----------------------------------------------------------------------------

  private close(): string {
    const closes: number[] = [];
    const stack: Entry[] = [];
    const pop = (at: number) => {
      const entry = stack.pop()!;
      const l = entry.line;
      if (l.script && !l.mid && (entry.hasChildren || l.case)) closes.push(at);
    };
    for (const line of this.lines) {
      const at = line.start - line.indent;
      let joined = false;
      while (stack.length > 0 && stack[stack.length - 1].line.indent >= line.indent) {
        const top = stack[stack.length - 1];
        // `- else` continues the chain: the `end` comes after its last branch.
        if (top.line.indent === line.indent && line.mid && top.line.script) { joined = true; break; }
        pop(at);
      }
      if (stack.length > 0) stack[stack.length - 1].hasChildren = true;
      if (!joined) stack.push({ line, hasChildren: false });
    }
    while (stack.length > 0) pop(this.len);
    // Inner blocks close first: `closes` is in order, and ends at the same place are appended in turn.
    const inserts = new Map<number, string>();
    for (const at of closes) {
      const where = this.endPlace(at);
      inserts.set(where, (inserts.get(where) ?? '') + (where === this.len && !this.t.endsWith('\n') ? '\n' : where === this.len ? '' : ';') + 'end' + (where === this.len ? '\n' : ''));
    }
    if (inserts.size === 0) return this.out.join('');
    let result = '';
    let from = 0;
    for (const where of [...inserts.keys()].sort((x, y) => x - y)) {
      result += this.out.slice(from, where).join('') + inserts.get(where)!;
      from = where;
    }
    return result + this.out.slice(from).join('');
  }

  /**
   * Where a block that ends before the line at `at` gets its `end`: at the end of the line of the body's
   * last Ruby (so no Ruby moves: text is added only before a newline), or of a later line before `at`
   * when that line ends in a Ruby comment; after the last line at the end of the file.
   */
  private endPlace(at: number): number {
    const out = this.out;
    let a = Math.min(at, this.len);
    while (a > 0 && (out[a - 1] === ' ' || out[a - 1] === '\n')) a--;
    const lineStart = this.t.lastIndexOf('\n', a - 1) + 1;
    for (let nl = this.t.indexOf('\n', a); nl >= 0 && nl < at; nl = this.t.indexOf('\n', nl + 1)) {
      if (nl > a || !hasRubyComment(out.slice(lineStart, a).join(''))) return this.t[nl - 1] === '\r' ? nl - 1 : nl;
    }
    return this.len;
  }
}

/** Whether a line of Ruby has a `#` comment (outside string literals). */
function hasRubyComment(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"' || c === "'") {
      const close = skipString(line, i, line.length);
      if (close < 0) return false;
      i = close;
    } else if (c === '#') return true;
  }
  return false;
}

/** The offset of the bracket closing the one at `open`, skipping Ruby strings; -1 if unbalanced. */
export function matchBracket(t: string, open: number, limit = Math.min(t.length, open + 8000)): number {
  const pairs: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
  const stack: string[] = [pairs[t[open]]];
  for (let i = open + 1; i < limit; i++) {
    const c = t[i];
    if (c === '"' || c === "'" || c === '`') {
      const close = skipString(t, i, limit);
      if (close < 0) return -1;
      i = close;
    } else if (pairs[c]) stack.push(pairs[c]);
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return i;
    } else if (c === '}' || c === ']' || c === ')') return -1;
  }
  return -1;
}

/** The offset of the quote closing the string that opens at `open`; double quotes may nest `#{}`. */
function skipString(t: string, open: number, limit: number): number {
  const q = t[open];
  for (let i = open + 1; i < limit; i++) {
    const c = t[i];
    if (c === '\\') { i++; continue; }
    if (c === q) return i;
    if (q !== "'" && c === '#' && t[i + 1] === '{') {
      const close = matchBracket(t, i + 1, limit);
      if (close < 0) return -1;
      i = close;
    }
  }
  return -1;
}
