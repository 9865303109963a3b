// "Rails Hazards: Show callback chain": asks the server for the chain of the model under the cursor
// and opens it as an untitled markdown document. The server does the analysis; this only displays.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

/** The server command (vscode-languageclient also registers it under this id, for callers that pass arguments). */
export const SHOW_CALLBACK_CHAIN = 'railsHazards.showCallbackChain';
/** The palette command: it supplies the active editor's URI and cursor, then opens the result. */
export const OPEN_CALLBACK_CHAIN = 'railsHazards.openCallbackChain';

interface CallbackChainResult { markdown?: string; message?: string }

export function registerCallbackChainCommand(context: vscode.ExtensionContext, client: () => LanguageClient | undefined): void {
  context.subscriptions.push(vscode.commands.registerCommand(OPEN_CALLBACK_CHAIN, async () => {
    const editor = vscode.window.activeTextEditor;
    const c = client();
    if (!editor || !c) {
      void vscode.window.showInformationMessage('Open a Ruby model, controller or job, put the cursor on a model, then run Show callback chain.');
      return;
    }
    const position = editor.selection.active;
    const result = await c.sendRequest<CallbackChainResult | null>('workspace/executeCommand', {
      command: SHOW_CALLBACK_CHAIN,
      arguments: [editor.document.uri.toString(), { line: position.line, character: position.character }],
    });
    if (!result?.markdown) {
      void vscode.window.showInformationMessage(result?.message ?? 'No model found under the cursor.');
      return;
    }
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: result.markdown });
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }));
}
