// Output formats of `rails-hazards check`: text, the JSON contract, SARIF 2.1.0.
import * as path from 'node:path';
import { docsUrl } from '../core/rule';
import { headlineOf, type FileNotice, type Finding, type Range } from '../core/types';
import { allRules } from '../rules';

export interface CheckReport { findings: Finding[]; errors: FileNotice[] }

const oneBased = (r: Range) => ({ line: r.start.line + 1, column: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 });

export function formatText(report: CheckReport, cwd: string): string {
  const rel = (f: string) => path.relative(cwd, f) || f;
  const lines = report.findings.map((f) => `${rel(f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.ruleId} ${headlineOf(f)}`);
  for (const e of report.errors) {
    lines.push(`${rel(e.file)}${e.range ? `:${e.range.start.line + 1}:${e.range.start.character + 1}` : ''}: notice ${e.message}`);
  }
  const counts = ['error', 'warning', 'info', 'hint'].map((s) => [s, report.findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}${n === 1 ? '' : 's'}`);
  lines.push(report.findings.length ? `${report.findings.length} hazard${report.findings.length === 1 ? '' : 's'} (${counts.join(', ')})` : 'No hazards found.');
  return lines.join('\n') + '\n';
}

export function formatJson(report: CheckReport): string {
  return JSON.stringify({
    version: 1,
    findings: report.findings.map((f) => ({
      file: f.file, rule: f.ruleId, severity: f.severity, message: headlineOf(f), ...(f.detail ? { detail: f.detail } : {}), ...oneBased(f.range),
      fixes: f.fixes.map((x) => ({
        title: x.title, safety: x.safety,
        edits: x.edits.map((e) => ({ file: e.file, ...oneBased(e.range), text: e.newText, ...(e.createFile ? { createFile: true } : {}) })),
      })),
    })),
    errors: report.errors.map((e) => ({ file: e.file, message: e.message, ...(e.range ? { line: e.range.start.line + 1 } : {}) })),
  }, null, 2) + '\n';
}

const SARIF_LEVEL = { error: 'error', warning: 'warning', info: 'note', hint: 'note' } as const;

export function formatSarif(report: CheckReport, cwd: string, version: string): string {
  const used = [...new Set(report.findings.map((f) => f.ruleId))].sort();
  const rules = used.map((id) => {
    const rule = allRules.find((r) => r.meta.id === id);
    return {
      id, name: id, shortDescription: { text: rule?.meta.description ?? id }, helpUri: docsUrl(id),
      defaultConfiguration: { level: SARIF_LEVEL[rule?.meta.defaultSeverity ?? 'warning'] },
    };
  });
  const uri = (f: string) => path.relative(cwd, f).split(path.sep).join('/');
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'rails-hazards', version, informationUri: 'https://github.com/rails-hazards/rails-hazards', rules } },
      originalUriBaseIds: { SRCROOT: { uri: `file://${cwd.split(path.sep).join('/')}/` } },
      results: report.findings.map((f) => ({
        ruleId: f.ruleId, ruleIndex: used.indexOf(f.ruleId), level: SARIF_LEVEL[f.severity], message: { text: headlineOf(f) },
        ...(f.detail ? { properties: { detail: f.detail } } : {}),
        locations: [{ physicalLocation: {
          artifactLocation: { uri: uri(f.file), uriBaseId: 'SRCROOT' },
          region: { startLine: f.range.start.line + 1, startColumn: f.range.start.character + 1, endLine: f.range.end.line + 1, endColumn: f.range.end.character + 1 },
        } }],
      })),
      invocations: [{ executionSuccessful: true, toolExecutionNotifications: report.errors.map((e) => ({
        level: 'warning', message: { text: e.message }, locations: [{ physicalLocation: { artifactLocation: { uri: uri(e.file), uriBaseId: 'SRCROOT' } } }],
      })) }],
    }],
  }, null, 2) + '\n';
}
