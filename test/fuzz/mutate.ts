// Deterministic input mutators for the fuzz tests: byte flips, truncations, splices, deep nesting and
// huge lines, applied to realistic seeds (the sample app's files and a synthetic app's).
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = ['do', 'end', '<%', '%>', '<%=', '-%>', '"', "'", '#{', '}', '(', ')', '[', ']', '{', '|', ':', '::', '=>', '\n', '\r\n',
  '\t', '\u0000', '\uFEFF', '\u00e9', '😀', '\uD800', '<<~SQL\n', 'SQL', '=begin\n', '=end\n', '__END__\n', '%w[', '?', '\\', '  specs:\n',
  '    rack (>= 2.0)\n', 'GEM\n', 'remote: ', '---\n', '- ', ': ', '&a ', '*a', '!ruby/object ', 'add_index :t, :c', 'has_many :xs',
  'after_save :x', '.each do |x|', '<<<<<<< HEAD\n', '>>>>>>> branch\n'];

export type Mutation = (text: string, rand: () => number) => string;

export const MUTATIONS: Record<string, Mutation> = {
  byteFlip(text, rand) {
    const bytes = Buffer.from(text, 'utf8');
    const n = 1 + Math.floor(rand() * 8);
    for (let i = 0; i < n && bytes.length; i++) bytes[Math.floor(rand() * bytes.length)] ^= 1 << Math.floor(rand() * 8);
    return bytes.toString('utf8');
  },
  truncate(text, rand) { return text.slice(0, Math.floor(rand() * text.length)); },
  splice(text, rand) {
    const at = Math.floor(rand() * (text.length + 1));
    const token = INTERESTING[Math.floor(rand() * INTERESTING.length)];
    return text.slice(0, at) + token + text.slice(at);
  },
  deleteRange(text, rand) {
    const a = Math.floor(rand() * text.length);
    const b = Math.min(text.length, a + Math.floor(rand() * 200));
    return text.slice(0, a) + text.slice(b);
  },
  duplicateRange(text, rand) {
    const a = Math.floor(rand() * text.length);
    const b = Math.min(text.length, a + Math.floor(rand() * 400));
    return text.slice(0, b) + text.slice(a, b) + text.slice(b);
  },
  deepNesting(text, rand) {
    const depth = 500 + Math.floor(rand() * 3000);
    const kind = Math.floor(rand() * 4);
    const open = ['[', '(', 'if x\n', 'foo do\n'][kind];
    const close = [']', ')', 'end\n', 'end\n'][kind];
    const at = Math.floor(rand() * (text.length + 1));
    const balanced = rand() < 0.5;
    return text.slice(0, at) + open.repeat(depth) + (balanced ? close.repeat(depth) : '') + text.slice(at);
  },
  hugeLine(text, rand) {
    const at = Math.floor(rand() * (text.length + 1));
    const unit = ['x', 'a.b', ' + 1', '"#{x}"', '<%= y %>', 'é'][Math.floor(rand() * 6)];
    return text.slice(0, at) + unit.repeat(20_000 + Math.floor(rand() * 60_000)) + text.slice(at);
  },
  lineEndings(text) { return text.replace(/\n/g, '\r\n'); },
  controlChars(text, rand) {
    const chars = text.split('');
    for (let i = 0; i < 20; i++) chars.splice(Math.floor(rand() * (chars.length + 1)), 0, String.fromCharCode(Math.floor(rand() * 32)));
    return chars.join('');
  },
};

const NAMES = Object.keys(MUTATIONS);

/** Applies 1–3 random mutations; returns the text and what was done (for failure messages). */
export function mutate(text: string, rand: () => number): { text: string; steps: string[] } {
  const steps: string[] = [];
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const name = NAMES[Math.floor(rand() * NAMES.length)];
    text = MUTATIONS[name](text, rand);
    steps.push(name);
  }
  return { text, steps };
}

/** Every range inside the text: 0-based lines, UTF-16 characters within the line (end may be the line's length). */
export function rangeInside(text: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }): boolean {
  const lines = text.split(/\r\n|\r|\n/);
  const ok = (p: { line: number; character: number }) => Number.isInteger(p.line) && Number.isInteger(p.character)
    && p.line >= 0 && p.character >= 0 && p.line < lines.length && p.character <= lines[p.line].length;
  const ordered = range.start.line < range.end.line || (range.start.line === range.end.line && range.start.character <= range.end.character);
  return ok(range.start) && ok(range.end) && ordered;
}
