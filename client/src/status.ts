import * as vscode from 'vscode';

export interface ServerStatus {
  scanning: boolean;
  skippedFiles: number;
  rulesActive: number;
  /** Rules on by default per area (migrations, dependencies, callbacks, queries, capacity, redis, concurrency, jobs). */
  rulesByArea?: Record<string, number>;
  apps: { root: string; rails?: string; adapter: string; deployedMigrations?: { source: string; skipped: number; reason: string } }[];
  /** Migrations skipped as already deployed, over all apps. */
  skippedDeployedMigrations?: number;
}

/** "212 migrations skipped as deployed (in origin/main)"; empty when nothing was skipped. */
export function deployedText(app: ServerStatus['apps'][number]): string {
  const d = app.deployedMigrations;
  if (!d || d.skipped === 0) return '';
  return `${d.skipped} migration${d.skipped === 1 ? '' : 's'} skipped as deployed (${d.reason})`;
}

/** The language status item: app roots found, rules active, scanning. */
export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;
  last: ServerStatus | undefined;

  constructor(selector: vscode.DocumentSelector) {
    this.item = vscode.languages.createLanguageStatusItem('railsHazards.status', selector);
    this.item.name = 'Rails Hazards';
    this.item.command = { title: 'Show output', command: 'railsHazards.showOutput' };
  }

  starting(): void {
    this.item.text = 'Rails Hazards: starting';
    this.item.busy = true;
  }

  failed(reason: string): void {
    this.item.busy = false;
    this.item.text = 'Rails Hazards: server failed';
    this.item.detail = reason;
    this.item.severity = vscode.LanguageStatusSeverity.Error;
  }

  update(status: ServerStatus): void {
    this.last = status;
    const apps = status.apps.length;
    const rails = status.apps.map((a) => a.rails).find(Boolean);
    this.item.busy = status.scanning;
    this.item.text = status.scanning
      ? 'Rails Hazards: scanning'
      : `Rails Hazards: ${apps} app${apps === 1 ? '' : 's'} · ${status.rulesActive} rules${rails ? ` · Rails ${rails}` : ''}`;
    this.item.detail = [
      ...status.apps.map((a) => `${a.root} (${a.adapter}${a.rails ? `, Rails ${a.rails}` : ''})${deployedText(a) ? `: ${deployedText(a)}` : ''}`),
      status.rulesByArea ? Object.entries(status.rulesByArea).map(([area, n]) => `${area} ${n}`).join(' · ') : '',
      status.skippedFiles ? `${status.skippedFiles} file(s) skipped, see the output` : '',
    ].filter(Boolean).join('; ');
    this.item.severity = status.skippedFiles ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
  }

  dispose(): void { this.item.dispose(); }
}
