// `# rails-hazards:disable-next-line <id>[, <id>] -- reason`, `disable-line`, `disable`/`enable`
// blocks and `disable-file`. Works in Ruby (`#`) and ERB (`<%# %>`) comments.
import type { FileNotice, Finding, Range } from './types';

export interface Directive {
  kind: 'disable-next-line' | 'disable-line' | 'disable' | 'enable' | 'disable-file';
  ids: string[];
  line: number;
  range: Range;
}

const DIRECTIVE = /#\s*rails-hazards:(disable-next-line|disable-line|disable-file|disable|enable)\b([^\n]*)/g;

export function parseDirectives(text: string): Directive[] {
  if (!text.includes('rails-hazards:')) return [];
  const directives: Directive[] = [];
  const lines = text.split('\n');
  lines.forEach((lineText, line) => {
    DIRECTIVE.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = DIRECTIVE.exec(lineText))) {
      const rest = match[2].split(' -- ')[0].replace(/%>.*$/, '');
      const ids = rest.split(/[\s,]+/).filter(Boolean);
      directives.push({
        kind: match[1] as Directive['kind'], ids, line,
        range: { start: { line, character: match.index }, end: { line, character: match.index + match[0].trimEnd().length } },
      });
    }
  });
  return directives;
}

export class Suppressions {
  private readonly fileWide = new Set<string>();
  private readonly byLine = new Map<number, Set<string>>();
  private readonly blocks: { id: string; from: number; to: number }[] = [];

  constructor(readonly directives: Directive[]) {
    const open = new Map<string, number>();
    for (const d of directives) {
      for (const id of d.ids) {
        switch (d.kind) {
          case 'disable-file': this.fileWide.add(id); break;
          case 'disable-line': this.addLine(d.line, id); break;
          case 'disable-next-line': this.addLine(d.line + 1, id); break;
          case 'disable': if (!open.has(id)) open.set(id, d.line); break;
          case 'enable': {
            const from = open.get(id);
            if (from !== undefined) { this.blocks.push({ id, from, to: d.line }); open.delete(id); }
            break;
          }
        }
      }
    }
    for (const [id, from] of open) this.blocks.push({ id, from, to: Number.MAX_SAFE_INTEGER });
  }

  private addLine(line: number, id: string): void {
    let ids = this.byLine.get(line);
    if (!ids) this.byLine.set(line, (ids = new Set()));
    ids.add(id);
  }

  isSuppressed(f: Finding): boolean {
    const line = f.range.start.line;
    return this.fileWide.has(f.ruleId)
      || !!this.byLine.get(line)?.has(f.ruleId)
      || this.blocks.some((b) => b.id === f.ruleId && line >= b.from && line <= b.to);
  }

  /** Directives naming ids that no rule has. */
  unknownIds(file: string, known: (id: string) => boolean): FileNotice[] {
    const notices: FileNotice[] = [];
    for (const d of this.directives) {
      for (const id of d.ids) {
        if (!known(id)) notices.push({ file, range: d.range, message: `Unknown rule id "${id}" in rails-hazards:${d.kind} directive.` });
      }
      if (d.ids.length === 0) notices.push({ file, range: d.range, message: `rails-hazards:${d.kind} needs at least one rule id.` });
    }
    return notices;
  }
}

/** The edit that "Disable <id> for this line" makes: a directive above the line, or an id added to one. */
export function disableLineEdit(text: string, line: number, ruleId: string, commentPrefix = '# '):
  { range: Range; newText: string } {
  const lines = text.split('\n');
  const previous = line > 0 ? lines[line - 1] : undefined;
  const existing = previous !== undefined ? /#\s*rails-hazards:disable-next-line\s+([^\n]*?)(\s+--.*)?(\s*%>)?\s*$/.exec(previous) : null;
  if (existing) {
    const idsEnd = previous!.indexOf(existing[1]) + existing[1].length;
    return { range: { start: { line: line - 1, character: idsEnd }, end: { line: line - 1, character: idsEnd } }, newText: `, ${ruleId}` };
  }
  const indent = /^[ \t]*/.exec(lines[line] ?? '')![0];
  const comment = commentPrefix === '# ' || commentPrefix === '-# '
    ? `${indent}${commentPrefix}rails-hazards:disable-next-line ${ruleId}\n`
    : `${indent}<%# rails-hazards:disable-next-line ${ruleId} %>\n`;
  return { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: comment };
}
