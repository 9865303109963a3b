// Findings and fixes (plain data) ↔ LSP types. The only place that knows both.
import {
  CodeAction, CodeActionKind, DiagnosticSeverity, type ChangeAnnotation, type Diagnostic, type WorkspaceEdit, type TextDocumentEdit, type CreateFile,
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
    source: SOURCE, message: plainText(headlineOf(f)), data: { ruleId: f.ruleId },
    ...(f.related?.length ? {
      relatedInformation: f.related.map((r) => ({ location: { uri: URI.fromFile(r.file), range: r.range }, message: plainText(r.message) })),
    } : {}),
  };
}

/** Diagnostic messages are plain text in every editor: Markdown code spans would show their backticks. */
export function plainText(markdown: string): string {
  return markdown.replace(/`([^`\n]+)`/g, '$1');
}

export function noticeToDiagnostic(n: FileNotice): Diagnostic {
  return {
    range: n.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: SEVERITY[n.severity ?? 'warning'], source: SOURCE, message: n.message,
  };
}

/** The id of the one change annotation an unsafe fix's edits carry. */
export const BEHAVIOUR_CHANGE = 'rails-hazards.changesBehaviour';

/**
 * A fix's edits as a WorkspaceEdit. With `annotation`, every edit carries a change annotation that asks
 * for confirmation (clients show its label and a preview before applying).
 */
export function toWorkspaceEdit(edits: Fix['edits'], versionOf: (uri: string) => number | null, annotation?: ChangeAnnotation): WorkspaceEdit {
  const changes: (TextDocumentEdit | CreateFile)[] = [];
  const id = annotation ? BEHAVIOUR_CHANGE : undefined;
  const byFile = new Map<string, Fix['edits']>();
  for (const e of edits) {
    if (!byFile.has(e.file)) byFile.set(e.file, []);
    byFile.get(e.file)!.push(e);
  }
  for (const [file, fileEdits] of byFile) {
    const uri = URI.fromFile(file);
    if (fileEdits.some((e) => e.createFile)) changes.push({ kind: 'create', uri, options: { ignoreIfExists: true }, ...(id ? { annotationId: id } : {}) });
    changes.push({
      textDocument: { uri, version: fileEdits.some((e) => e.createFile) ? null : versionOf(uri) },
      edits: fileEdits.map((e) => (id ? { range: e.range, newText: e.newText, annotationId: id } : { range: e.range, newText: e.newText })),
    });
  }
  return annotation ? { documentChanges: changes, changeAnnotations: { [BEHAVIOUR_CHANGE]: annotation } } : { documentChanges: changes };
}

/** What confirming an unsafe fix means, as an LSP change annotation. */
export function behaviourChange(fix: Fix): ChangeAnnotation {
  return { label: `Changes behaviour: ${fix.changes ?? fix.title}`, needsConfirmation: true, description: fix.changes };
}

/**
 * A fix as a quick-fix code action. An unsafe fix carries a change annotation that needs confirmation when the
 * client supports them (`changeAnnotations`); otherwise its title says "(unsafe)".
 */
export function fixToCodeAction(fix: Fix, diagnostic: Diagnostic | undefined, versionOf: (uri: string) => number | null, preferred: boolean, changeAnnotations = false): CodeAction {
  const annotate = fix.safety === 'unsafe' && changeAnnotations;
  const title = fix.safety === 'unsafe' && !annotate && !fix.title.endsWith('(unsafe)') ? `${fix.title} (unsafe)` : fix.title;
  const action = CodeAction.create(title, toWorkspaceEdit(fix.edits, versionOf, annotate ? behaviourChange(fix) : undefined), CodeActionKind.QuickFix);
  if (diagnostic) action.diagnostics = [diagnostic];
  if (preferred) action.isPreferred = true;
  return action;
}
