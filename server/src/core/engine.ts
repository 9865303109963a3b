// Runs every enabled rule over one file in a single tree traversal. Pure: the caller reads files,
// parses, and owns the tree's lifetime.
import type { Node, Tree } from '../parsing/treeSitter';
import { nodeRange } from '../parsing/ruby';
import type { AppFacts } from './appFacts';
import type { FileKind, Report, Rule, RuleContext, Visitor } from './rule';
import { Suppressions, parseDirectives } from './suppressions';
import { joinMessage, splitMessage } from './headline';
import { SEVERITY_RANK, type FileNotice, type Finding, type Severity, type SeveritySetting } from './types';

export interface AnalysisInput {
  file: string;
  text: string;
  kind: FileKind;
  tree?: Tree;
}

export interface AnalysisOptions {
  /** Severity settings that win over `.rails-hazards.yml` (the editor's `railsHazards.rules`). */
  severityOverrides?: Record<string, SeveritySetting>;
  log?: (message: string) => void;
}

export interface AnalysisResult {
  findings: Finding[];
  notices: FileNotice[];
}

export function effectiveSeverity(rule: Rule, app: AppFacts, overrides?: Record<string, SeveritySetting>): SeveritySetting {
  const configured = overrides?.[rule.meta.id] ?? app.config.rules[rule.meta.id];
  if (configured) return configured;
  return rule.meta.enabledByDefault === false ? 'off' : rule.meta.defaultSeverity;
}

export function analyze(input: AnalysisInput, app: AppFacts, rules: readonly Rule[], options: AnalysisOptions = {}): AnalysisResult {
  const findings: Finding[] = [];
  const notices: FileNotice[] = [];
  const derived = new Map<string, unknown>();
  const log = options.log ?? (() => undefined);
  const active: { rule: Rule; visitor: Visitor }[] = [];

  for (const rule of rules) {
    if (!rule.meta.fileKinds.includes(input.kind)) continue;
    const severity = effectiveSeverity(rule, app, options.severityOverrides);
    if (severity === 'off') continue;
    const ctx: RuleContext = {
      file: input.file, text: input.text, kind: input.kind, tree: input.tree, app, severity,
      report: (r: Report) => findings.push(toFinding(rule, severity, input.file, r)),
      derive: <T>(key: string, compute: () => T): T => {
        if (!derived.has(key)) derived.set(key, compute());
        return derived.get(key) as T;
      },
    };
    try {
      active.push({ rule, visitor: rule.create(ctx) });
    } catch (error) {
      crashed(rule, error);
    }
  }

  function crashed(rule: Rule, error: unknown): void {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`rule ${rule.meta.id} crashed on ${input.file} and was skipped for this file: ${detail}`);
    notices.push({ file: input.file, severity: 'info', message: `rule ${rule.meta.id} failed on this file and was skipped (details in the Rails Hazards log)` });
    const i = active.findIndex((a) => a.rule === rule);
    if (i >= 0) active.splice(i, 1);
  }

  if (input.tree) traverse(input.tree, active, crashed);
  for (const { rule, visitor } of [...active]) {
    if (!visitor.end) continue;
    try { visitor.end(); } catch (error) { crashed(rule, error); }
  }

  const suppressions = new Suppressions(parseDirectives(input.text));
  const known = new Set(rules.map((r) => r.meta.id));
  notices.push(...suppressions.unknownIds(input.file, (id) => known.has(id)));
  return { findings: findings.filter((f) => !suppressions.isSuppressed(f)).sort(byPosition), notices };
}

function traverse(tree: Tree, active: { rule: Rule; visitor: Visitor }[], crashed: (rule: Rule, error: unknown) => void): void {
  const wanted = new Set<string>();
  for (const { visitor } of active) for (const key of Object.keys(visitor)) if (key !== 'end') wanted.add(key);
  if (wanted.size === 0) return;
  // Iterative pre-order walk: recursion would overflow on deeply nested input.
  const stack: Node[] = [tree.rootNode];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (wanted.has(node.type)) {
      for (const entry of [...active]) {
        const handler = entry.visitor[node.type];
        if (!handler) continue;
        try { handler(node); } catch (error) { crashed(entry.rule, error); }
      }
    }
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
}

function toFinding(rule: Rule, configured: Severity, file: string, r: Report): Finding {
  const range = r.range ?? (r.node ? nodeRange(r.node) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  const severity = r.severity && SEVERITY_RANK[r.severity] < SEVERITY_RANK[configured] ? r.severity : configured;
  const { message, headline, detail } = messageParts(r);
  return { ruleId: rule.meta.id, severity, message, headline, ...(detail ? { detail } : {}), file, range, fixes: r.fixes ?? [], ...(r.related?.length ? { related: r.related } : {}) };
}

/** The one place a rule's text becomes headline + detail. */
function messageParts(r: Report): { message: string; headline: string; detail?: string } {
  const message = r.message ?? '';
  if (!r.headline) return { message, ...splitMessage(message) };
  const detail = r.detail ?? (message.startsWith(r.headline) ? message.slice(r.headline.length).replace(/^[\s.:;]+/, '') : message);
  return { message: r.detail !== undefined || !message ? joinMessage(r.headline, detail) : message, headline: r.headline, ...(detail ? { detail } : {}) };
}

function byPosition(a: Finding, b: Finding): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.ruleId.localeCompare(b.ruleId);
}
