// Findings and fixes (plain data) ↔ LSP types. The only place that knows both.
import {
  CodeAction, CodeActionKind, DiagnosticSeverity, type Diagnostic, type WorkspaceEdit, type TextDocumentEdit, type CreateFile,
} from 'vscode-languageserver';
import { URI } from './uri';
import { docsUrl } from '../core/rule';
import { headlineOf, type FileNotice, type Finding, type Fix, type Severity } from '../core/types';

export const SOURCE = 'rails-hazards';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(f: Finding): Diagnostic {
  return {
    range: f.range, severity: SEVERITY[f.severity], code: f.ruleId, codeDescription: { href: docsUrl(f.ruleId) },
    source: SOURCE, message: headlineOf(f), data: { ruleId: f.ruleId },
  };
}

export function noticeToDiagnostic(n: FileNotice): Diagnostic {
  return {
    range: n.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: SEVERITY[n.severity ?? 'warning'], source: SOURCE, message: n.message,
  };
}

export function toWorkspaceEdit(edits: Fix['edits'], versionOf: (uri: string) => number | null): WorkspaceEdit {
  const changes: (TextDocumentEdit | CreateFile)[] = [];
  const byFile = new Map<string, Fix['edits']>();
  for (const e of edits) {
    if (!byFile.has(e.file)) byFile.set(e.file, []);
    byFile.get(e.file)!.push(e);
  }
  for (const [file, fileEdits] of byFile) {
    const uri = URI.fromFile(file);
    if (fileEdits.some((e) => e.createFile)) changes.push({ kind: 'create', uri, options: { ignoreIfExists: true } });
    changes.push({ textDocument: { uri, version: fileEdits.some((e) => e.createFile) ? null : versionOf(uri) }, edits: fileEdits.map((e) => ({ range: e.range, newText: e.newText })) });
  }
  return { documentChanges: changes };
}

export function fixToCodeAction(fix: Fix, diagnostic: Diagnostic | undefined, versionOf: (uri: string) => number | null, preferred: boolean): CodeAction {
  const title = fix.safety === 'unsafe' && !fix.title.endsWith('(unsafe)') ? `${fix.title} (unsafe)` : fix.title;
  const action = CodeAction.create(title, toWorkspaceEdit(fix.edits, versionOf), CodeActionKind.QuickFix);
  if (diagnostic) action.diagnostics = [diagnostic];
  if (preferred) action.isPreferred = true;
  return action;
}
