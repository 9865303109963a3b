// The hover for a position inside a finding's range: the headline, then the detail the Problems panel leaves out.
import { comparePositions, headlineOf, type Finding, type Position } from '../core/types';

export function findingsAt(findings: readonly Finding[], position: Position): Finding[] {
  return findings.filter((f) => comparePositions(f.range.start, position) <= 0 && comparePositions(position, f.range.end) <= 0);
}

export function findingHoverMarkdown(findings: readonly Finding[]): string | undefined {
  const withDetail = findings.filter((f) => f.detail || f.related?.length);
  if (withDetail.length === 0) return undefined;
  return withDetail.map((f) => `**${escapeMarkdown(headlineOf(f))}** (${f.ruleId})${f.detail ? `\n\n${f.detail}` : ''}${evidence(f)}`).join('\n\n---\n\n');
}

/** The hops a finding rests on, one per line: "`Post#byline` reads `author` (app/models/post.rb:12)". */
function evidence(f: Finding): string {
  if (!f.related?.length) return '';
  return `\n\nEvidence:\n${f.related.map((r) => `- ${r.message}`).join('\n')}`;
}

function escapeMarkdown(text: string): string {
  // The headline keeps its `code` spans; only characters that would turn the bold line into something else are escaped.
  return text.replace(/([*_[\]<>])/g, (c, _m, offset: number) => (insideCode(text, offset) ? c : `\\${c}`));
}

function insideCode(text: string, offset: number): boolean {
  return (text.slice(0, offset).match(/`/g)?.length ?? 0) % 2 === 1;
}
