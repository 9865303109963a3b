// "Rails Hazards: Show callback chain": the chain of the model under the cursor as a read-only virtual
// document (scheme rails-hazards-chain), shown in the Markdown preview beside the editor, with
// workspace-relative links. It refreshes when a Ruby file is saved. The server does the analysis.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { decodeTarget, encodeTarget, relativizeLinks } from './chainLinks';

/** The server command (vscode-languageclient also registers it under this id, for callers that pass arguments). */
export const SHOW_CALLBACK_CHAIN = 'railsHazards.showCallbackChain';
/** The palette command: it supplies the active editor's URI and cursor, then opens the result. */
export const OPEN_CALLBACK_CHAIN = 'railsHazards.openCallbackChain';
export const CHAIN_SCHEME = 'rails-hazards-chain';

interface CallbackChainResult { markdown?: string; message?: string }

export class CallbackChainProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly client: () => LanguageClient | undefined) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const result = await this.ask(uri);
    return result?.markdown ?? `# Callback chain\n\n${result?.message ?? 'The language server is not running.'}\n`;
  }

  async ask(uri: vscode.Uri): Promise<CallbackChainResult | undefined> {
    const target = decodeTarget(uri.query);
    const c = this.client();
    if (!target || !c) return undefined;
    const result = await c.sendRequest<CallbackChainResult | null>('workspace/executeCommand', {
      command: SHOW_CALLBACK_CHAIN, arguments: [target.uri, { line: target.line, character: target.character }],
    });
    if (!result?.markdown) return result ?? undefined;
    return { markdown: relativizeLinks(result.markdown, workspacePath) };
  }

  /** Every open chain document is asked again (the model or one of its callbacks changed). */
  refreshAll(): void {
    for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === CHAIN_SCHEME) this.changed.fire(doc.uri);
  }

  dispose(): void { this.changed.dispose(); }
}

function workspacePath(fileUri: string): string | undefined {
  const uri = vscode.Uri.parse(fileUri);
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return folder ? path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/') : undefined;
}

export function chainUri(documentUri: vscode.Uri, position: vscode.Position): vscode.Uri {
  const name = path.basename(documentUri.fsPath, path.extname(documentUri.fsPath));
  return vscode.Uri.from({
    scheme: CHAIN_SCHEME, path: `/${name} callback chain.md`,
    query: encodeTarget({ uri: documentUri.toString(), line: position.line, character: position.character }),
  });
}

export function registerCallbackChainCommand(context: vscode.ExtensionContext, client: () => LanguageClient | undefined): CallbackChainProvider {
  const provider = new CallbackChainProvider(client);
  let timer: NodeJS.Timeout | undefined;
  const refreshSoon = () => { clearTimeout(timer); timer = setTimeout(() => provider.refreshAll(), 300); };
  context.subscriptions.push(
    provider,
    vscode.workspace.registerTextDocumentContentProvider(CHAIN_SCHEME, provider),
    vscode.workspace.onDidSaveTextDocument((doc) => { if (doc.languageId === 'ruby' || doc.fileName.endsWith('.rb')) refreshSoon(); }),
    { dispose: () => clearTimeout(timer) },
    vscode.commands.registerCommand(OPEN_CALLBACK_CHAIN, async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || !client() || editor.document.uri.scheme !== 'file') {
        void vscode.window.showInformationMessage('Open a Ruby model, controller or job, put the cursor on a model, then run Show callback chain.');
        return undefined;
      }
      const uri = chainUri(editor.document.uri, editor.selection.active);
      const result = await provider.ask(uri);
      if (!result?.markdown) {
        void vscode.window.showInformationMessage(result?.message ?? 'No model found under the cursor.');
        return undefined;
      }
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
      return uri;
    }),
  );
  return provider;
}
