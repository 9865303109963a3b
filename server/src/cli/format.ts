// Output formats of `rails-hazards check`: text, the JSON contract, SARIF 2.1.0.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FINGERPRINT_KEY, fingerprints } from './fingerprint';
import { readRuleDoc } from './ruleDocs';
import { docsUrl } from '../core/rule';
import { SEVERITY_RANK, comparePositions, headlineOf, type FileNotice, type Finding, type Range, type Severity } from '../core/types';
import { PLAIN, type Paint } from './terminal';

export interface CheckReport {
  findings: Finding[];
  errors: FileNotice[];
  /** Per app with migrations among the checked files: how many were skipped as already deployed, and why. */
  deployedMigrations?: { root: string; source: string; skipped: number; reason: string }[];
}

const oneBased = (r: Range) => ({ line: r.start.line + 1, column: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 });

const SEVERITY_ORDER: Severity[] = ['error', 'warning', 'info', 'hint'];

/** Most severe first, then by path and position. */
export function sortFindings(findings: readonly Finding[], cwd: string): Finding[] {
  const rel = (f: string) => path.relative(cwd, f);
  return [...findings].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]
    || rel(a.file).localeCompare(rel(b.file)) || comparePositions(a.range.start, b.range.start) || a.ruleId.localeCompare(b.ruleId));
}

export function formatText(report: CheckReport, cwd: string, paint: Paint = PLAIN): string {
  const rel = (f: string) => path.relative(cwd, f) || f;
  const tint: Record<Severity, (s: string) => string> = { error: paint.red, warning: paint.yellow, info: paint.blue, hint: paint.dim };
  const lines = sortFindings(report.findings, cwd).map((f) =>
    `${paint.bold(`${rel(f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1}`)}: ${tint[f.severity](f.severity)} ${paint.dim(f.ruleId)} ${headlineOf(f)}`);
  for (const e of report.errors) {
    lines.push(`${rel(e.file)}${e.range ? `:${e.range.start.line + 1}:${e.range.start.character + 1}` : ''}: ${paint.dim('notice')} ${e.message}`);
  }
  for (const d of report.deployedMigrations ?? []) lines.push(`${rel(d.root) || '.'}: ${deployedSummary(d)}`);
  if (report.findings.length === 0) {
    lines.push('No hazards found.');
    return lines.join('\n') + '\n';
  }
  lines.push('', paint.bold('By rule:'), ...ruleSummary(report.findings));
  const counts = SEVERITY_ORDER.map((s) => [s, report.findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0).map(([s, n]) => tint[s](`${n} ${s}${n === 1 ? '' : 's'}`));
  lines.push(`${report.findings.length} hazard${report.findings.length === 1 ? '' : 's'} (${counts.join(', ')})`);
  return lines.join('\n') + '\n';
}

/** One line per rule: count and id, most frequent first. */
function ruleSummary(findings: readonly Finding[]): string[] {
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
  const width = Math.max(...[...byRule.values()].map((l) => String(l.length).length));
  return [...byRule.entries()]
    .sort(([a, la], [b, lb]) => lb.length - la.length || a.localeCompare(b))
    .map(([id, list]) => `${String(list.length).padStart(width)}  ${id}`);
}

/** GitHub Actions workflow commands: one annotation per finding, shown on the pull request's diff. */
export function formatGithub(report: CheckReport, cwd: string): string {
  const level: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' };
  const lines = sortFindings(report.findings, cwd).map((f) => {
    const props = [`file=${escapeProperty(path.relative(cwd, f.file).split(path.sep).join('/'))}`, `line=${f.range.start.line + 1}`,
      `endLine=${f.range.end.line + 1}`, `col=${f.range.start.character + 1}`, `title=${escapeProperty(f.ruleId)}`];
    return `::${level[f.severity]} ${props.join(',')}::${escapeData(headlineOf(f))}`;
  });
  for (const e of report.errors) lines.push(`::notice file=${escapeProperty(path.relative(cwd, e.file).split(path.sep).join('/'))}::${escapeData(e.message)}`);
  return lines.length ? lines.join('\n') + '\n' : '';
}

// https://docs.github.com/actions/reference/workflow-commands-for-github-actions (percent-encoding rules of @actions/core)
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** "212 migrations skipped as deployed (in origin/main)", or why every migration was checked. */
export function deployedSummary(d: { source: string; skipped: number; reason: string }): string {
  if (d.source === 'audit' || d.source === 'none') return `every migration checked (${d.reason.replace(/: every migration is checked/, '')})`;
  return `${d.skipped} migration${d.skipped === 1 ? '' : 's'} skipped as deployed (${d.reason}); --all-migrations checks them`;
}

export function formatJson(report: CheckReport): string {
  return JSON.stringify({
    version: 1,
    findings: report.findings.map((f) => ({
      file: f.file, rule: f.ruleId, severity: f.severity, message: headlineOf(f), ...(f.detail ? { detail: f.detail } : {}), ...oneBased(f.range),
      ...(f.related?.length ? { related: f.related.map((r) => ({ file: r.file, message: r.message, ...oneBased(r.range) })) } : {}),
      fixes: f.fixes.map((x) => ({
        title: x.title, safety: x.safety,
        edits: x.edits.map((e) => ({ file: e.file, ...oneBased(e.range), text: e.newText, ...(e.createFile ? { createFile: true } : {}) })),
      })),
    })),
    errors: report.errors.map((e) => ({ file: e.file, message: e.message, ...(e.range ? { line: e.range.start.line + 1 } : {}) })),
    ...(report.deployedMigrations?.length ? { deployedMigrations: report.deployedMigrations } : {}),
  }, null, 2) + '\n';
}

const SARIF_LEVEL = { error: 'error', warning: 'warning', info: 'note', hint: 'note' } as const;

const AREA_TAGS: Record<string, string[]> = {
  migrations: ['migrations', 'database', 'availability'],
  callbacks: ['callbacks', 'transactions', 'reliability'],
  queries: ['queries', 'performance'],
  dependencies: ['dependencies', 'supply-chain'],
  capacity: ['capacity', 'availability'],
  redis: ['redis', 'performance', 'availability'],
  concurrency: ['concurrency', 'data-integrity'],
  jobs: ['jobs', 'performance'],
};

export function formatSarif(report: CheckReport, cwd: string, version: string, readText: (file: string) => string | undefined = readOrUndefined): string {
  // Loaded here: the other formats (and a check answered from the cache) do not need the rules.
  const { allRules } = require('../rules') as typeof import('../rules'); // eslint-disable-line @typescript-eslint/no-require-imports
  const used = [...new Set(report.findings.map((f) => f.ruleId))].sort();
  const rules = used.map((id) => {
    const rule = allRules.find((r) => r.meta.id === id);
    const doc = readRuleDoc(id);
    const description = rule?.meta.description ?? id;
    return {
      id, name: id, shortDescription: { text: description },
      fullDescription: { text: doc?.summary || description },
      help: { text: doc?.text ?? `${description}\n\n${docsUrl(id)}`, markdown: doc?.markdown ?? `${description}\n\n[Documentation](${docsUrl(id)})` },
      helpUri: docsUrl(id),
      defaultConfiguration: { level: SARIF_LEVEL[rule?.meta.defaultSeverity ?? 'warning'] },
      properties: { tags: ['rails', ...(AREA_TAGS[id.split('/')[0]] ?? [])], precision: 'high' },
    };
  });
  const uri = (f: string) => path.relative(cwd, f).split(path.sep).join('/');
  const prints = fingerprints(report.findings, readText);
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'rails-hazards', version, informationUri: 'https://github.com/rails-hazards/rails-hazards', rules } },
      originalUriBaseIds: { SRCROOT: { uri: `file://${cwd.split(path.sep).join('/')}/` } },
      results: report.findings.map((f, i) => ({
        ruleId: f.ruleId, ruleIndex: used.indexOf(f.ruleId), level: SARIF_LEVEL[f.severity], message: { text: headlineOf(f) },
        ...(f.detail ? { properties: { detail: f.detail } } : {}),
        locations: [{ physicalLocation: {
          artifactLocation: { uri: uri(f.file), uriBaseId: 'SRCROOT' },
          region: { startLine: f.range.start.line + 1, startColumn: f.range.start.character + 1, endLine: f.range.end.line + 1, endColumn: f.range.end.character + 1 },
        } }],
        partialFingerprints: { [FINGERPRINT_KEY]: prints[i] },
      })),
      invocations: [{ executionSuccessful: true, toolExecutionNotifications: report.errors.map((e) => ({
        level: 'warning', message: { text: e.message }, locations: [{ physicalLocation: { artifactLocation: { uri: uri(e.file), uriBaseId: 'SRCROOT' } } }],
      })) }],
    }],
  }, null, 2) + '\n';
}

function readOrUndefined(file: string): string | undefined {
  try { return fs.readFileSync(file, 'utf8'); } catch { return undefined; }
}
