// Rule pages ship in the VSIX (docs/rules): "Show documentation" opens them in the Markdown preview, offline.
import * as fs from 'node:fs';
import * as vscode from 'vscode';

export const SHOW_DOCS = 'railsHazards.showDocumentation';

/** The bundled page of a rule, or undefined for an unknown id or a VSIX without docs. */
export function ruleDocUri(context: vscode.ExtensionContext, ruleId: string): vscode.Uri | undefined {
  if (!/^[a-z]+\/[a-z0-9-]+$/.test(ruleId)) return undefined;
  const file = context.asAbsolutePath(`docs/rules/${ruleId}.md`);
  return fs.existsSync(file) ? vscode.Uri.file(file) : undefined;
}

export async function openRuleDocs(context: vscode.ExtensionContext, ruleId: string): Promise<boolean> {
  const uri = ruleDocUri(context, ruleId);
  if (!uri) return false;
  await vscode.commands.executeCommand('markdown.showPreview', uri);
  return true;
}
