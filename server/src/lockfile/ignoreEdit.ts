/**
 * The suppression that works in Gemfile.lock (Bundler rewrites the file and drops comments): an edit
 * adding the gem to `dependencies.ignore` in `.rails-hazards.yml`. Text-level YAML editing for the
 * shapes people write (block list, flow list, missing key, missing section, missing file); anything
 * else gets no fix rather than a wrong one.
 *
 * Pure module: no IO.
 */
import type { Fix, FileEdit } from '../core/types';
import type { AppFacts } from '../core/appFacts';
import { dependencyFacts } from './facts';

export function ignoreGemFix(gem: string, configPath: string, configText: string | undefined): Fix | undefined {
  const edit = ignoreGemEdit(gem, configPath, configText);
  if (!edit) return undefined;
  return { title: `Ignore ${gem} in .rails-hazards.yml (dependencies.ignore)`, safety: 'safe', edits: [edit] };
}

function pos(line: number, character: number) {
  return { line, character };
}

export function ignoreGemEdit(gem: string, file: string, text: string | undefined): FileEdit | undefined {
  if (text === undefined) {
    return { file, createFile: true, range: { start: pos(0, 0), end: pos(0, 0) }, newText: `dependencies:\n  ignore:\n    - ${gem}\n` };
  }
  const lines = text.split(/\r?\n/);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const section = lines.findIndex((l) => /^dependencies\s*:\s*(#.*)?$/.test(l));
  if (section < 0) {
    if (lines.some((l) => /^dependencies\s*:/.test(l))) return undefined; // inline mapping: leave it to the user
    const last = lines.length - 1;
    const needsNewline = lines[last] !== '';
    return {
      file, range: { start: pos(last, lines[last].length), end: pos(last, lines[last].length) },
      newText: `${needsNewline ? eol : ''}dependencies:${eol}  ignore:${eol}    - ${gem}${eol}`,
    };
  }
  let end = section + 1;
  while (end < lines.length && (lines[end].trim() === '' || /^\s/.test(lines[end]) || lines[end].startsWith('#'))) end++;
  const childIndent = lines.slice(section + 1, end).map((l) => /^(\s+)\S/.exec(l)?.[1]).find((x) => x) ?? '  ';
  const ignoreLine = lines.slice(section + 1, end).findIndex((l) => new RegExp(`^${childIndent}ignore\\s*:`).test(l));
  if (ignoreLine < 0) {
    return { file, range: { start: pos(section, lines[section].length), end: pos(section, lines[section].length) }, newText: `${eol}${childIndent}ignore:${eol}${childIndent}  - ${gem}` };
  }
  const at = section + 1 + ignoreLine;
  const rest = lines[at].replace(/^\s*ignore\s*:\s*/, '');
  const flow = /^\[(.*)\]\s*(#.*)?$/.exec(rest);
  if (flow) {
    if (flow[1].split(',').map((x) => x.trim().replace(/^["']|["']$/g, '')).includes(gem)) return undefined;
    const close = lines[at].lastIndexOf(']');
    return { file, range: { start: pos(at, close), end: pos(at, close) }, newText: flow[1].trim() === '' ? gem : `, ${gem}` };
  }
  if (rest !== '' && !rest.startsWith('#')) return undefined;
  let last = at;
  let itemIndent = `${childIndent}  `;
  for (let i = at + 1; i < end; i++) {
    const m = /^(\s*)-\s*(.*)$/.exec(lines[i]);
    if (!m) { if (lines[i].trim() === '') continue; break; }
    if (m[2].trim().replace(/^["']|["']$/g, '') === gem) return undefined;
    last = i;
    itemIndent = m[1];
  }
  return { file, range: { start: pos(last, lines[last].length), end: pos(last, lines[last].length) }, newText: `${eol}${itemIndent}- ${gem}` };
}

/**
 * The "Ignore <gem>" action for a dependency diagnostic in a lockfile: the gem is the name the
 * diagnostic's range covers. Offered by the LSP layer instead of "Disable for this line".
 */
export function ignoreFixForLockfileDiagnostic(lockText: string, range: { start: { line: number; character: number }; end: { line: number; character: number } },
  app: AppFacts): Fix | undefined {
  const facts = dependencyFacts(app);
  if (!facts || range.start.line !== range.end.line) return undefined;
  const line = lockText.split(/\r\n|\r|\n/)[range.start.line] ?? '';
  const gem = line.slice(range.start.character, range.end.character);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(gem)) return undefined;
  const config = facts.configFile();
  return ignoreGemFix(gem, config.path, config.text);
}
