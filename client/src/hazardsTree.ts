// The "Rails Hazards" view in the Explorer: every hazard of the workspace by area → rule → file, with
// counts, read from the diagnostics the server published (source rails-hazards); a severity filter; and
// "Fix all safe hazards in file" on files that have safe fixes.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { groupHazards, SEVERITY_NAMES, type AreaGroup, type FileGroup, type HazardItem, type RuleGroup, type SeverityName } from './hazardsModel';

export const HAZARDS_VIEW = 'railsHazards.hazards';
export const FIX_ALL_IN_FILE = 'railsHazards.fixAllInFile';
export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('railsHazards');
const SOURCE = 'rails-hazards';

const SEVERITY: Record<number, SeverityName> = {
  [vscode.DiagnosticSeverity.Error]: 'error', [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'info', [vscode.DiagnosticSeverity.Hint]: 'hint',
};

export type HazardNode =
  | { kind: 'area'; group: AreaGroup }
  | { kind: 'rule'; group: RuleGroup }
  | { kind: 'file'; group: FileGroup; ruleId: string }
  | { kind: 'hazard'; item: HazardItem };

export class HazardsTree implements vscode.TreeDataProvider<HazardNode> {
  private readonly changed = new vscode.EventEmitter<HazardNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  minSeverity: SeverityName = 'hint';
  private groups: AreaGroup[] = [];

  constructor() { this.refresh(); }

  refresh(): void {
    this.groups = groupHazards(collectHazards(), this.minSeverity);
    this.changed.fire(undefined);
  }

  setMinSeverity(s: SeverityName): void {
    this.minSeverity = s;
    this.refresh();
  }

  get total(): number { return this.groups.reduce((n, a) => n + a.count, 0); }

  getChildren(node?: HazardNode): HazardNode[] {
    if (!node) return this.groups.map((group) => ({ kind: 'area', group }));
    if (node.kind === 'area') return node.group.rules.map((group) => ({ kind: 'rule', group }));
    if (node.kind === 'rule') return node.group.files.map((group) => ({ kind: 'file', group, ruleId: node.group.ruleId }));
    if (node.kind === 'file') return node.group.hazards.map((item) => ({ kind: 'hazard', item }));
    return [];
  }

  getTreeItem(node: HazardNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'area': {
        const item = new vscode.TreeItem(node.group.area, C.Expanded);
        item.description = String(node.group.count);
        item.id = `area:${node.group.area}`;
        return item;
      }
      case 'rule': {
        const item = new vscode.TreeItem(node.group.ruleId.split('/')[1], C.Collapsed);
        item.description = String(node.group.count);
        item.tooltip = node.group.ruleId;
        item.id = `rule:${node.group.ruleId}`;
        return item;
      }
      case 'file': {
        const uri = vscode.Uri.file(node.group.file);
        const item = new vscode.TreeItem(uri, C.Collapsed);
        item.label = path.basename(node.group.file);
        item.description = `${vscode.workspace.asRelativePath(path.dirname(node.group.file))} · ${node.group.hazards.length}`;
        item.id = `file:${node.ruleId}:${node.group.file}`;
        item.contextValue = 'railsHazards.file.fixable';
        return item;
      }
      case 'hazard': {
        const { item: h } = node;
        const item = new vscode.TreeItem(h.message, C.None);
        item.description = `${h.line + 1}:${h.character + 1}`;
        item.iconPath = new vscode.ThemeIcon(h.severity === 'error' ? 'error' : h.severity === 'warning' ? 'warning' : 'info');
        item.command = {
          command: 'vscode.open', title: 'Open',
          arguments: [vscode.Uri.file(h.file), { selection: new vscode.Range(h.line, h.character, h.line, h.character) }],
        };
        return item;
      }
    }
  }

  dispose(): void { this.changed.dispose(); }
}

export function collectHazards(): HazardItem[] {
  const out: HazardItem[] = [];
  for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
    if (uri.scheme !== 'file') continue;
    for (const d of diagnostics) {
      const code = typeof d.code === 'object' && d.code !== null ? String(d.code.value) : d.code;
      if (d.source !== SOURCE || typeof code !== 'string' || !code.includes('/')) continue;
      out.push({ file: uri.fsPath, ruleId: code, severity: SEVERITY[d.severity], line: d.range.start.line, character: d.range.start.character, message: d.message });
    }
  }
  return out;
}

/** Applies the server's source.fixAll.railsHazards action for one file; returns whether anything changed. */
export async function fixAllInFile(uri: vscode.Uri): Promise<boolean> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const whole = new vscode.Range(0, 0, doc.lineCount, 0);
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, whole, FIX_ALL_KIND.value) ?? [];
  const fixAll = actions.find((a) => a.kind && FIX_ALL_KIND.contains(a.kind) && a.edit);
  if (!fixAll?.edit) {
    void vscode.window.showInformationMessage(`No safe fixes in ${path.basename(uri.fsPath)}.`);
    return false;
  }
  const applied = await vscode.workspace.applyEdit(fixAll.edit);
  if (applied) await doc.save();
  return applied;
}

export function registerHazardsView(context: vscode.ExtensionContext): HazardsTree {
  const tree = new HazardsTree();
  const view = vscode.window.createTreeView(HAZARDS_VIEW, { treeDataProvider: tree, showCollapseAll: true });
  const describe = () => {
    view.description = tree.minSeverity === 'hint' ? undefined : `${tree.minSeverity} and worse`;
    view.badge = tree.total > 0 ? { value: tree.total, tooltip: `${tree.total} hazards` } : undefined;
  };
  let timer: NodeJS.Timeout | undefined;
  context.subscriptions.push(
    tree, view,
    vscode.languages.onDidChangeDiagnostics(() => {
      clearTimeout(timer);
      timer = setTimeout(() => { tree.refresh(); describe(); }, 200);
    }),
    { dispose: () => clearTimeout(timer) },
    vscode.commands.registerCommand('railsHazards.hazards.refresh', () => { tree.refresh(); describe(); }),
    vscode.commands.registerCommand('railsHazards.hazards.filterSeverity', async (choice?: SeverityName) => {
      const picked = choice ?? (await vscode.window.showQuickPick(
        SEVERITY_NAMES.map((s) => ({ label: s === 'hint' ? 'All hazards' : `${s[0].toUpperCase()}${s.slice(1)} and worse`, severity: s, picked: s === tree.minSeverity })),
        { placeHolder: 'Show hazards of at least this severity' },
      ))?.severity;
      if (!picked) return;
      tree.setMinSeverity(picked);
      describe();
    }),
    vscode.commands.registerCommand(FIX_ALL_IN_FILE, async (arg?: HazardNode | vscode.Uri) => {
      const uri = arg instanceof vscode.Uri ? arg
        : arg && 'group' in arg && arg.kind === 'file' ? vscode.Uri.file(arg.group.file)
          : vscode.window.activeTextEditor?.document.uri;
      if (!uri) return false;
      return fixAllInFile(uri);
    }),
  );
  describe();
  return tree;
}
