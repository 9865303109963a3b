/**
 * The "Pin <gem> in Gemfile" quick fix shared by the dependency rules, and the wording both use for
 * dependants. The pin comes from `approximate_recommendation` of the base (or locked) version, must
 * leave a version every dependant accepts, and goes on the gem's existing Gemfile line or on a new
 * line with a short comment: top level, or inside the group block the gem is only used from.
 *
 * Pure module: no IO. The fix never runs Bundler; its title tells the user to run `bundle lock`.
 */
import type { Fix, FileEdit } from '../core/types';
import { GemVersion } from './gemVersion';
import { isRuntimeEntry, type Gemfile, type GemfileBlock, type GemfileGem } from './gemfile';
import { pinSatisfiesDependants, requirementText, type DependantEdge, type DependencyGraph, type GemNode } from './graph';

/** `activesupport (>= 2.2.5), sidekiq (>= 2.3.0), redis-client (>= 0)`: every dependant with its constraint. */
export function formatDependants(edges: readonly DependantEdge[]): string {
  return edges.map((e) => `${e.from} (${requirementText(e.requirement)})`).join(', ');
}

/**
 * The `~>` pin that keeps a gem on its current line: 2.5.5 → `~> 2.5` (what `bundle add` writes; the
 * next breaking release is 3.0). For 0.x the minor is the breaking step (0.22 → 0.23), and `~> 0.22`
 * would still allow 0.23.0, so the pin holds the minor: 0.22.2 → `~> 0.22.2` (>= 0.22.2, < 0.23).
 */
export function recommendedPin(version: string): string | undefined {
  const v = GemVersion.parse(version);
  if (!v) return undefined;
  if (v.major() !== 0) return v.approximateRecommendation();
  const release = (/^\d+(?:\.\d+)*/.exec(version.trim())?.[0] ?? '0').split('.').slice(0, 3);
  while (release.length < 3) release.push('0');
  return `~> ${release.join('.')}${v.isPrerelease ? '.a' : ''}`;
}

export interface PinPlan {
  /** Requirement strings of the pin, e.g. `["~> 2.5"]`. */
  requirements: string[];
  /** `gem "connection_pool", "~> 2.5"` with the Gemfile's quotes. */
  line: string;
  fix?: Fix;
  /** Why no fix is offered (the pin would conflict with a dependant). */
  conflict?: string;
}

/**
 * Plans the pin of `node` to `requirements`: the Gemfile edit (existing line or a new one with
 * `comment`), or the reason none is offered.
 */
export function planPin(node: GemNode, requirements: string[], graph: DependencyGraph, gemfile: Gemfile | undefined,
  gemfilePath: string, comment: string): PinPlan {
  const q = gemfile?.quote ?? '"';
  const reqText = requirements.map((r) => `${q}${r}${q}`).join(', ');
  const line = `gem ${q}${node.name}${q}, ${reqText}`;
  if (!pinSatisfiesDependants(node, requirements)) {
    const conflicting = node.dependants.filter((d) => d.origin === 'spec' && d.parsed && !pinSatisfiesDependants({ ...node, dependants: [d] }, requirements));
    return { requirements, line, conflict: conflicting.length > 0 ? formatDependants(conflicting) : 'the dependants together' };
  }
  if (!gemfile) return { requirements, line };
  const edits: FileEdit[] = [];
  if (node.gemfile.length > 0) {
    for (const entry of node.gemfile) {
      edits.push({ file: gemfilePath, range: { start: entry.requirementInsertAt, end: entry.requirementInsertAt }, newText: `, ${reqText}` });
    }
  } else {
    edits.push(newLineEdit(node, line, graph, gemfile, gemfilePath, comment));
  }
  const title = `Pin ${node.name} in Gemfile (${line}), then run \`bundle lock --update ${node.name}\``;
  return { requirements, line, fix: { title, safety: 'unsafe', edits } };
}

function newLineEdit(node: GemNode, line: string, graph: DependencyGraph, gemfile: Gemfile, gemfilePath: string, comment: string): FileEdit {
  const block = node.runtime ? undefined : onlyGroupBlock(node, graph, gemfile);
  if (block) {
    // Before the block's `end`, indented one level deeper than the block.
    const indent = `${block.indent}  `;
    return at(gemfilePath, block.endLine, 0, `${indent}# ${comment}\n${indent}${line}\n`);
  }
  const text = node.runtime ? line : `${line}, group: [:development, :test]`;
  const after = gemfile.lastTopLevelGemLine ?? gemfile.lastTopLevelPreambleLine;
  if (after === undefined) return at(gemfilePath, 0, 0, `# ${comment}\n${text}\n\n`);
  const len = gemfile.lineLengths[after] ?? 0;
  const blank = gemfile.lastTopLevelGemLine === undefined ? '\n' : '';
  return at(gemfilePath, after, len, `\n${blank}# ${comment}\n${text}`);
}

function at(file: string, line: number, character: number, newText: string): FileEdit {
  return { file, range: { start: { line, character }, end: { line, character } }, newText };
}

/** The one group block every Gemfile entry that pulls the gem in sits in, if there is exactly one. */
function onlyGroupBlock(node: GemNode, graph: DependencyGraph, gemfile: Gemfile): GemfileBlock | undefined {
  const roots = gemfile.gems.filter((g) => reaches(g.name, node.name, graph));
  if (roots.length === 0 || roots.some(isRuntimeEntry)) return undefined;
  const blocks = new Set(roots.map((g: GemfileGem) => g.groupBlock));
  if (blocks.size !== 1) return undefined;
  return [...blocks][0];
}

function reaches(from: string, to: string, graph: DependencyGraph): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (name === to) return true;
    if (seen.has(name)) continue;
    seen.add(name);
    const n = graph.gems.get(name);
    if (!n) continue;
    for (const s of n.specs) for (const d of s.dependencies) stack.push(d.name);
  }
  return false;
}
