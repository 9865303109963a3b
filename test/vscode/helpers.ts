// Helpers for the extension-host suite: wait on VS Code's own events (never a fixed sleep).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'rails-hazards.rails-hazards';

/** The workspace folder the runner opened: it holds `sample-app/` and `monorepo/` (copies; tests edit them). */
export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the runner must open a workspace folder');
  return folder.uri.fsPath;
}

export const wsPath = (...parts: string[]) => path.join(workspaceRoot(), ...parts);
export const wsUri = (...parts: string[]) => vscode.Uri.file(wsPath(...parts));

export function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : String(c ?? '');
}

const describe = (ds: readonly vscode.Diagnostic[]) =>
  ds.map((d) => `  ${d.range.start.line + 1}:${d.range.start.character + 1} ${codeOf(d)} ${d.message.slice(0, 80)}`).join('\n') || '  (none)';

/**
 * Resolves with the file's diagnostics once `ok` holds for them: checks now, then on every
 * onDidChangeDiagnostics event that names the file. Fails after `ms` listing what the file has.
 */
export function waitForDiagnostics(
  uri: vscode.Uri, ok: (ds: vscode.Diagnostic[]) => boolean, what: string, ms = 30_000,
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const ds = vscode.languages.getDiagnostics(uri);
      if (!ok(ds)) return false;
      finish(); resolve(ds); return true;
    };
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out after ${ms} ms waiting for ${what} in ${uri.fsPath}; it has:\n${describe(vscode.languages.getDiagnostics(uri))}`));
    }, ms);
    const finish = () => { sub.dispose(); clearTimeout(timer); };
    check();
  });
}

export const withCode = (id: string) => (ds: vscode.Diagnostic[]) => ds.filter((d) => codeOf(d) === id);

export async function waitForRule(uri: vscode.Uri, id: string, ms?: number): Promise<vscode.Diagnostic[]> {
  const ds = await waitForDiagnostics(uri, (x) => withCode(id)(x).length > 0, `a ${id} diagnostic`, ms);
  return withCode(id)(ds);
}

export async function waitForNoRule(uri: vscode.Uri, id: string, ms?: number): Promise<void> {
  await waitForDiagnostics(uri, (x) => withCode(id)(x).length === 0, `no ${id} diagnostic`, ms);
}

export async function open(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** The code actions VS Code's UI would list for a diagnostic (the lightbulb / Ctrl+.). */
export async function quickFixes(uri: vscode.Uri, d: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    'vscode.executeCodeActionProvider', uri, d.range, vscode.CodeActionKind.QuickFix.value,
  );
  return (actions ?? []).filter((a): a is vscode.CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string'));
}

/** Applies a code action the way the editor does: its edit, then its command. */
/**
 * Applies an action's edit as a user who confirms it would. Fixes that change behaviour carry a change
 * annotation that needs confirmation, which VS Code shows in the refactor preview (a test cannot click
 * Apply there): their text edits are applied as they are, without the annotation.
 */
export async function applyAction(action: vscode.CodeAction): Promise<void> {
  if (action.edit) {
    const confirmed = new vscode.WorkspaceEdit();
    for (const [uri, edits] of action.edit.entries()) confirmed.set(uri, edits.map((e) => new vscode.TextEdit(e.range, e.newText)));
    assert.ok(await vscode.workspace.applyEdit(confirmed), `applyEdit failed for "${action.title}"`);
  }
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}

export async function pickAction(uri: vscode.Uri, d: vscode.Diagnostic, title: (t: string) => boolean): Promise<vscode.CodeAction> {
  const actions = await quickFixes(uri, d);
  const action = actions.find((a) => title(a.title));
  assert.ok(action, `no matching quick fix; offered: ${actions.map((a) => a.title).join(' | ') || '(none)'}`);
  return action;
}

/** Polls a condition on a short interval until it holds (for state the extension exposes without an event). */
export async function until<T>(get: () => T | undefined | false, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const text = (uri: vscode.Uri) => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.getText();

/** The markdown every hover provider returns at a position, joined. */
export async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
  return (hovers ?? []).flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
}
