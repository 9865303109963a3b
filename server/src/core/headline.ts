// Splits a rule's message into a short headline (what breaks: the Problems panel line) and the detail
// (why, and the safe code: the hover, the rule page, the CLI's `detail`). Pure.

export const HEADLINE_MAX = 100;

export interface SplitMessage { headline: string; detail?: string }

/**
 * The headline is the longest prefix ending at a clause boundary (": ", "; ", or the end of a sentence)
 * that is at most `max` characters; boundaries inside `code`, "quotes" and (parentheses) do not count.
 * Without such a boundary, the first boundary up to 1.5 × max is used, else the text is cut at a word.
 */
export function splitMessage(message: string, max = HEADLINE_MAX): SplitMessage {
  const text = message.trim();
  if (text.length <= max) return { headline: text };
  const boundaries = clauseBoundaries(text);
  const fits = boundaries.filter((b) => b.end <= max);
  const chosen = fits.length > 0 ? fits[fits.length - 1] : boundaries.find((b) => b.end <= max * 1.5);
  if (chosen) {
    const detail = text.slice(chosen.next).trim();
    return detail ? { headline: stripEnd(text.slice(0, chosen.end)), detail } : { headline: stripEnd(text) };
  }
  let at = text.lastIndexOf(' ', max - 1);
  if (at <= max / 2) at = max - 1;
  // A cut inside a parenthetical drops the whole parenthetical from the headline.
  const open = openParenBefore(text, at);
  if (open > max / 2) at = open;
  return { headline: `${text.slice(0, at).trimEnd()}…`, detail: `…${text.slice(at).trimStart()}` };
}

/** The text as the rule wrote it, from an explicit headline and detail. */
export function joinMessage(headline: string, detail?: string): string {
  if (!detail) return headline;
  return /[.:;!?]$/.test(headline) ? `${headline} ${detail}` : `${headline}: ${detail}`;
}

interface Boundary { /** end of the headline text (exclusive, before the punctuation) */ end: number; /** start of the detail */ next: number }

function clauseBoundaries(text: string): Boundary[] {
  const out: Boundary[] = [];
  let inCode = false;
  let inQuote = false;
  let depth = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text[i];
    if (c === '`') { inCode = !inCode; continue; }
    if (inCode) continue;
    if (c === '"') { inQuote = !inQuote; continue; }
    if (inQuote) continue;
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    if (depth > 0 || text[i + 1] !== ' ') continue;
    if (c === ':' || c === ';') out.push({ end: i, next: i + 1 });
    else if ((c === '.' || c === '!' || c === '?') && /[A-Z`"(]/.test(text[i + 2] ?? '') && !/\b(e\.g|i\.e|etc|vs)$/.test(text.slice(Math.max(0, i - 4), i))) {
      out.push({ end: i, next: i + 1 });
    }
  }
  return out.filter((b) => b.end > 0);
}

function openParenBefore(text: string, end: number): number {
  let inCode = false;
  const stack: number[] = [];
  for (let i = 0; i < end; i++) {
    const c = text[i];
    if (c === '`') inCode = !inCode;
    else if (!inCode && c === '(') stack.push(i);
    else if (!inCode && c === ')') stack.pop();
  }
  return stack.length > 0 ? stack[0] : -1;
}

function stripEnd(s: string): string {
  return s.replace(/[\s.:;]+$/, '');
}
