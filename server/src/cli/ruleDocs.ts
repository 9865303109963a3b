// The rule pages under docs/rules, read for SARIF's `help` and `fullDescription` (shipped beside the CLI).
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RuleDoc { summary: string; markdown: string; text: string }

let docsRoot: string | undefined | null = null;

/** docs/rules of the package: found upwards from this module (out/server/src/cli or dist). */
export function rulesDocsDir(): string | undefined {
  if (docsRoot !== null) return docsRoot;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'docs', 'rules');
    if (fs.existsSync(candidate)) return (docsRoot = candidate);
    dir = path.dirname(dir);
  }
  return (docsRoot = undefined);
}

export function readRuleDoc(ruleId: string): RuleDoc | undefined {
  const dir = rulesDocsDir();
  if (!dir) return undefined;
  let raw: string;
  try { raw = fs.readFileSync(path.join(dir, `${ruleId}.md`), 'utf8'); } catch { return undefined; }
  const markdown = raw.replace(/^---\n[\s\S]*?\n---\n+/, '').trim();
  const body = markdown.replace(/^# .*\n+/, '');
  const summary = plain(body.split(/\n\n/)[0] ?? '');
  return { summary, markdown, text: plain(markdown) };
}

/** Markdown as plain text: code fences kept as indented blocks, inline marks dropped. */
function plain(md: string): string {
  return md
    .replace(/```[^\n]*\n([\s\S]*?)```/g, (_m, code: string) => code.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n'))
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
    .replace(/^#+ /gm, '')
    .trim();
}
