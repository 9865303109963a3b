// The worker side of parallel.ts: builds its own Workspace (parsers, rules, app facts) and analyses the
// batches of files it is sent, one result message per file. Loaded as a worker script, either as the
// compiled scanWorker.js or inside the bundle (workerData.railsHazardsScanWorker says which role).
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { initParsers } from '../parsing/treeSitter';
import { checkRules } from '../rules/selection';
import { maxBytesFor, overlaySource, overridesFor, type ScanOptions } from './parallel';
import { Workspace } from './workspace';
import { useSummaryStore } from './summaryStore';

export function isScanWorker(): boolean {
  return !isMainThread && !!(workerData as { railsHazardsScanWorker?: boolean } | null)?.railsHazardsScanWorker;
}

async function runWorker(): Promise<void> {
  const port = parentPort!;
  const options = (workerData as { options: ScanOptions }).options;
  const log = (message: string) => port.postMessage({ type: 'log', message });
  try {
    await initParsers();
  } catch (error) {
    port.postMessage({ type: 'failed', message: `could not load the parsers (${String(error)})` });
    return;
  }
  useSummaryStore(options.summaries);
  const workspace = new Workspace({
    rules: checkRules(), log, files: overlaySource(options.overlay), configFile: options.configFile, baseRef: options.baseRef, allMigrations: options.allMigrations,
    trusted: options.trusted, parseBudgetMs: options.parseBudgetMs, severityOverrides: (file) => overridesFor(file, options.overrides),
  });
  port.on('message', (msg: { type: 'analyze'; files: { index: number; file: string }[] }) => {
    if (msg.type !== 'analyze') return;
    for (const { index, file } of msg.files) {
      let result;
      try {
        result = workspace.analyzeFile(file, maxBytesFor(file, options));
      } catch (error) {
        result = { kind: undefined, findings: [], notices: [{ file, message: `analysis failed: ${String(error)}` }] };
      }
      port.postMessage({ type: 'result', index, result });
    }
  });
  port.postMessage({ type: 'ready' });
}

if (isScanWorker()) void runWorker();
