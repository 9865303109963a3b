// partialFingerprints for SARIF: the same hazard keeps its fingerprint when unrelated lines move it, so
// code-scanning alerts survive line shifts. Key: rule id + the flagged line's code (whitespace-normalised)
// + the enclosing Ruby class/module/method names; identical keys in one file are numbered in order.
import { createHash } from 'node:crypto';
import type { Finding } from '../core/types';

export const FINGERPRINT_KEY = 'railsHazards/v1';

export function fingerprints(findings: readonly Finding[], readText: (file: string) => string | undefined): string[] {
  const lines = new Map<string, string[] | undefined>();
  const seen = new Map<string, number>();
  return findings.map((f) => {
    if (!lines.has(f.file)) lines.set(f.file, readText(f.file)?.split(/\r?\n/));
    const fileLines = lines.get(f.file);
    const code = normalise(fileLines?.[f.range.start.line] ?? '');
    const scope = fileLines ? enclosingScopes(fileLines, f.range.start.line).join('#') : '';
    const key = `${f.ruleId}\u0000${scope}\u0000${code}`;
    const n = (seen.get(`${f.file}\u0000${key}`) ?? 0) + 1;
    seen.set(`${f.file}\u0000${key}`, n);
    return `${createHash('sha256').update(key).digest('hex').slice(0, 32)}:${n}`;
  });
}

function normalise(line: string): string {
  return line.replace(/#.*$/, '').replace(/\s+/g, ' ').trim();
}

/** Names of the class/module/def lines that enclose `line`, outermost first (by indentation). */
export function enclosingScopes(lines: readonly string[], line: number): string[] {
  const out: string[] = [];
  let indent = indentOf(lines[line] ?? '');
  for (let i = line - 1; i >= 0 && indent > 0; i--) {
    const m = /^(\s*)(class|module|def)\s+([^\s(;<]+)/.exec(lines[i]);
    if (!m || m[1].length >= indent) continue;
    out.unshift(`${m[2]} ${m[3]}`);
    indent = m[1].length;
  }
  return out;
}

function indentOf(line: string): number {
  return /^\s*/.exec(line)![0].length;
}
