// Language server wiring: translates LSP requests into calls on the Workspace (analysis service)
// and findings into diagnostics, code actions and hovers. No analysis happens here.
import * as path from 'node:path';
import {
  TextDocumentSyncKind, CodeActionKind, DocumentDiagnosticReportKind,
  DidChangeConfigurationNotification, type Connection, type Diagnostic, type CodeAction, type InitializeParams, type WorkspaceFolder,
} from 'vscode-languageserver/node';
import { docsUrl } from '../core/rule';
import { hasRubyTree } from '../core/fileKind';
import { disableLineEdit } from '../core/suppressions';
import type { Fix, FileEdit } from '../core/types';
import { hoverProviders } from '../hovers';
import { findingHoverMarkdown, findingsAt } from './findingHover';
import { initParsers } from '../parsing/treeSitter';
import { diskFiles, type FileSource } from '../project/files';
import { Workspace, type FileAnalysis } from '../project/workspace';
import { rulesByArea } from '../rules/areas';
import { allRules } from '../rules';
import { fixToCodeAction, noticeToDiagnostic, SOURCE, toDiagnostic, toWorkspaceEdit } from './convert';
import { OpenDocuments, type OpenDocument } from './documents';
import { DEFAULT_SETTINGS, normalizeSettings, type EditorSettings } from './settings';
import { URI } from './uri';
import { commandHandlers } from './commands';
import { ignoreFixForLockfileDiagnostic } from '../lockfile/ignoreEdit';
import { WorkspaceScanner } from './scan';
import { createServerConnection } from './transport';
import { fixesInside } from './fixScope';
import { FACT_FILES } from '../project/appProject';
import { CONFIG_FILE_NAME } from '../config/config';
import type { DeployedMigrations } from '../core/appFacts';
import { hasMigrationFolder } from '../project/deployedMigrations';
import { isDecoratorFile, isModelFile, mayReopenModels } from '../project/modelFiles';

/** A model file, or a decorator that reopens models (`lib/…`: `Order.class_eval do`): its names have dependents. */
function indexesModels(file: string, text: string | undefined): boolean {
  return isModelFile(file) || (isDecoratorFile(file) && text !== undefined && mayReopenModels(text));
}
import { extractModels } from '../models/modelIndex';
import { parseRuby } from '../parsing/treeSitter';
import { flushSummaryStore, useSummaryStore } from '../project/summaryStore';
import { DEFINITION_MEMO_CHARS, useDefinitionMemo } from '../core/definitionMemo';
import { cacheDirectory, TOOL_VERSION, toolIdentity } from '../project/cacheFolder';
import { FileChangeType, type WorkDoneProgressServerReporter } from 'vscode-languageserver/node';

export const FIX_ALL_KIND = 'source.fixAll.railsHazards';
/** Fix-all as a quick fix: VS Code's lightbulb shows quick fixes, not source actions. */
export const FIX_ALL_QUICKFIX_KIND = 'quickfix.railsHazards.fixAll';
const SHOW_DOCS = 'railsHazards.showDocumentation';

interface Cached { version: number; result: FileAnalysis; diagnostics: Diagnostic[] }

export function startServer(connection: Connection = createServerConnection()): void {
  const docs = new OpenDocuments();
  const cache = new Map<string, Cached>();
  const pushed = new Set<string>();
  const timers = new Map<string, NodeJS.Timeout>();
  const lastDuration = new Map<string, number>();
  const savedVersion = new Map<string, number>();
  let folders: WorkspaceFolder[] = [];
  let settingsByFolder = new Map<string, EditorSettings>();
  let initSettings: EditorSettings = DEFAULT_SETTINGS;
  let pullMode = false;
  let configurationCapability = false;
  let progressCapability = false;
  let workspaceFoldersCapability = false;
  let changeAnnotationCapability = false;
  let trusted = false;
  let scanning = false;
  let skippedFiles = 0;
  let scanned = 0;
  let scanTotal = 0;
  let scanProgress: WorkDoneProgressServerReporter | undefined;
  /** Class and association names last seen per model file, to find the files a model change affects. */
  const modelNames = new Map<string, string[]>();
  const log = (m: string) => connection.console.log(m);

  const overlay: FileSource = {
    read: (file) => docs.byFile(file)?.doc.getText() ?? diskFiles.read(file),
    exists: (file) => !!docs.byFile(file) || diskFiles.exists(file),
  };
  let workspace = newWorkspace();

  function newWorkspace(): Workspace {
    return new Workspace({ files: overlay, rules: allRules, log, trusted, severityOverrides: (file) => settingsFor(file).rules });
  }

  function settingsFor(file: string): EditorSettings {
    const folder = folders.map((f) => URI.toFile(f.uri)).filter((f): f is string => !!f)
      .filter((f) => file === f || file.startsWith(f + path.sep)).sort((a, b) => b.length - a.length)[0];
    return (folder && settingsByFolder.get(folder)) || initSettings;
  }

  async function loadSettings(): Promise<void> {
    const next = new Map<string, EditorSettings>();
    if (configurationCapability) {
      for (const f of folders) {
        const file = URI.toFile(f.uri);
        if (!file) continue;
        try {
          next.set(file, normalizeSettings(await connection.workspace.getConfiguration({ scopeUri: f.uri, section: 'railsHazards' })));
        } catch (error) {
          log(`could not read settings for ${f.uri}: ${String(error)}`);
        }
      }
    }
    settingsByFolder = next;
  }

  function analyzeOpen(entry: OpenDocument): Cached {
    const cached = cache.get(entry.uri);
    if (cached && cached.version === entry.doc.version) return cached;
    const started = performance.now();
    const text = entry.doc.getText();
    let result: FileAnalysis;
    const maxBytes = settingsFor(entry.file).maxFileSizeKb * 1024;
    if (text.length > maxBytes) {
      result = { kind: undefined, findings: [], notices: [{ file: entry.file, severity: 'info', message: `skipped: the file is over the ${settingsFor(entry.file).maxFileSizeKb} KB limit (railsHazards.maxFileSizeKb)` }] };
    } else {
      const kind = workspace.kindOf(entry.file);
      let tree;
      try {
        tree = kind && hasRubyTree(kind) ? docs.treeOf(entry, true) : undefined;
      } catch (error) {
        result = { kind, findings: [], notices: [{ file: entry.file, message: String(error instanceof Error ? error.message : error) }] };
      }
      result ??= workspace.analyzeText(entry.file, text, tree);
    }
    const fresh: Cached = { version: entry.doc.version, result, diagnostics: toDiagnostics(result) };
    cache.set(entry.uri, fresh);
    lastDuration.set(entry.uri, performance.now() - started);
    return fresh;
  }

  function toDiagnostics(result: FileAnalysis): Diagnostic[] {
    return [...result.findings.map(toDiagnostic), ...result.notices.map(noticeToDiagnostic)];
  }

  function publishOpen(entry: OpenDocument): void {
    if (pullMode) return;
    const { diagnostics } = analyzeOpen(entry);
    void connection.sendDiagnostics({ uri: entry.uri, version: entry.doc.version, diagnostics });
  }

  /**
   * Push mode: the debounce adapts to the file (cheap analyses run on the next tick, expensive ones
   * wait for a pause in typing). Pull mode: the client pulls on change; we only ask it to after a save.
   */
  function schedule(entry: OpenDocument, reason: 'change' | 'save'): void {
    if (pullMode) {
      if (reason === 'save') void connection.languages.diagnostics.refresh();
      return;
    }
    clearTimeout(timers.get(entry.uri));
    const delay = Math.min(250, Math.max(0, (lastDuration.get(entry.uri) ?? 0) * 3 - 10));
    timers.set(entry.uri, setTimeout(() => {
      timers.delete(entry.uri);
      const current = docs.get(entry.uri);
      if (current) publishOpen(current);
    }, delay));
  }

  function sendStatus(): void {
    const apps = workspace.knownApps().map((a) => {
      const f = a.getFacts();
      const deployed = hasMigrationFolder(a.root) ? deployedStatus(f.deployedMigrations) : undefined;
      return { root: a.root, rails: f.railsVersion?.value, adapter: f.adapter.value, ...(deployed ? { deployedMigrations: deployed } : {}) };
    });
    void connection.sendNotification('railsHazards/status', {
      scanning, skippedFiles, scanned, total: scanTotal, apps,
      rulesActive: allRules.filter((r) => r.meta.enabledByDefault !== false).length,
      rulesByArea: rulesByArea(),
      skippedDeployedMigrations: apps.reduce((n, a) => n + (a.deployedMigrations?.skipped ?? 0), 0),
    });
  }

  /**
   * Problems in an app's .rails-hazards.yml become diagnostics on that file even when the scan did not
   * list it (the app root lies outside the workspace folders) and it is not open.
   */
  function publishConfigProblems(): void {
    const roots = folderPaths();
    for (const app of workspace.knownApps()) {
      const file = path.join(app.root, CONFIG_FILE_NAME);
      if (docs.byFile(file) || roots.some((r) => file.startsWith(r + path.sep)) || !diskFiles.exists(file)) continue;
      publishClosed(file, workspace.analyzeFile(file));
    }
  }

  const folderPaths = (): string[] => folders.map((f) => URI.toFile(f.uri)).filter((f): f is string => !!f);

  function publishClosed(file: string, result: FileAnalysis): void {
    const uri = URI.fromFile(file);
    const diagnostics = toDiagnostics(result);
    if (diagnostics.length > 0 || pushed.has(uri)) {
      void connection.sendDiagnostics({ uri, diagnostics });
      if (diagnostics.length > 0) pushed.add(uri); else pushed.delete(uri);
    }
  }

  // The scan runs in the background (worker threads for large workspaces), after open files were
  // analysed on open; hovers and code actions on open files never wait for it. See ./scan.ts.
  const scanner = new WorkspaceScanner({
    workspace: () => workspace,
    folders: folderPaths,
    isOpen: (file) => !!docs.byFile(file),
    publish: publishClosed,
    maxBytes: (file) => settingsFor(file).maxFileSizeKb * 1024,
    rulesFor: (folder) => settingsByFolder.get(folder)?.rules ?? initSettings.rules,
    overlay: () => Object.fromEntries(docs.all().map((d) => [d.file, d.doc.getText()])),
    trusted: () => trusted,
    log,
    progress: (done, total) => {
      scanProgress?.report(Math.round((done / Math.max(1, total)) * 100), `${done}/${total} files`);
      return !!scanProgress?.token.isCancellationRequested;
    },
    state: (state) => {
      scanning = state.scanning;
      scanned = state.scanned;
      scanTotal = state.total;
      skippedFiles = state.skipped;
      sendStatus();
    },
  });

  async function scanWorkspace(roots?: string[]): Promise<void> {
    scanner.cancel();
    const progress = progressCapability ? await connection.window.createWorkDoneProgress() : undefined;
    progress?.begin('Rails Hazards', 0, 'Scanning workspace', true);
    scanProgress = progress;
    try {
      await scanner.scan(roots);
      publishConfigProblems();
    } catch (error) {
      log(`scan failed: ${error instanceof Error ? error.stack : String(error)}`);
    } finally {
      progress?.done();
      if (scanProgress === progress) scanProgress = undefined;
    }
  }

  function namesOfModel(file: string, text: string | undefined): string[] {
    if (!indexesModels(file, text) || text === undefined) return [];
    let tree;
    try {
      tree = parseRuby(text);
      return extractModels(tree, file).flatMap((m) => [m.name, m.name.split('::').pop()!, ...m.associations.keys()]);
    } catch {
      return [];
    } finally {
      tree?.delete();
    }
  }

  function reanalyzeEverything(): void {
    cache.clear();
    for (const entry of docs.all()) publishOpen(entry);
    if (pullMode) void connection.languages.diagnostics.refresh();
    void scanWorkspace();
  }

  connection.onInitialize(async (params: InitializeParams) => {
    await initParsers();
    folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : []);
    const caps = params.capabilities;
    configurationCapability = !!caps.workspace?.configuration;
    progressCapability = !!caps.window?.workDoneProgress;
    workspaceFoldersCapability = !!caps.workspace?.workspaceFolders;
    changeAnnotationCapability = !!caps.workspace?.workspaceEdit?.changeAnnotationSupport;
    const options = (params.initializationOptions ?? {}) as { settings?: unknown; trusted?: boolean; pullDiagnostics?: boolean };
    pullMode = !!caps.textDocument?.diagnostic && options.pullDiagnostics !== false;
    initSettings = normalizeSettings(options.settings);
    trusted = options.trusted === true;
    workspace = newWorkspace();
    // Summaries of files read by an earlier check or session (the app indexes), shared with the scan worker.
    try { useSummaryStore({ dir: cacheDirectory(), tool: toolIdentity(TOOL_VERSION) }, { prune: true, deferWrites: true }); } catch (error) { log(`summary store off: ${String(error)}`); }
    // A keystroke re-reads only the definitions it changed (core/definitionMemo.ts).
    useDefinitionMemo(DEFINITION_MEMO_CHARS);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_QUICKFIX_KIND, FIX_ALL_KIND] },
        hoverProvider: true,
        executeCommandProvider: { commands: [SHOW_DOCS, ...Object.keys(commandHandlers)] },
        ...(pullMode ? { diagnosticProvider: { interFileDependencies: true, workspaceDiagnostics: false } } : {}),
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'rails-hazards', version: TOOL_VERSION },
    };
  });

  connection.onInitialized(async () => {
    if (configurationCapability) {
      try { await connection.client.register(DidChangeConfigurationNotification.type, { section: 'railsHazards' }); } catch { /* optional */ }
    }
    await loadSettings();
    if (workspaceFoldersCapability) {
      connection.workspace.onDidChangeWorkspaceFolders((event) => {
        folders = [...folders.filter((f) => !event.removed.some((r) => r.uri === f.uri)), ...event.added];
        void loadSettings().then(reanalyzeEverything);
      });
    }
    sendStatus();
    void scanWorkspace();
  });

  connection.onDidChangeConfiguration(async (change) => {
    if (!configurationCapability) initSettings = normalizeSettings((change.settings as { railsHazards?: unknown })?.railsHazards);
    await loadSettings();
    reanalyzeEverything();
  });

  connection.onDidOpenTextDocument(({ textDocument }) => {
    const file = URI.toFile(textDocument.uri);
    if (!file) return;
    const entry = docs.open(textDocument.uri, file, textDocument.languageId, textDocument.version, textDocument.text);
    savedVersion.set(entry.uri, entry.doc.version);
    if (pullMode && pushed.has(entry.uri)) { void connection.sendDiagnostics({ uri: entry.uri, diagnostics: [] }); pushed.delete(entry.uri); }
    cache.delete(entry.uri);
    workspace.fileChanged(file);
    publishOpen(entry);
  });

  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    const entry = docs.change(textDocument.uri, textDocument.version, contentChanges);
    if (!entry) return;
    if (workspace.appFor(entry.file).fileChanged(entry.file)) cache.clear();
    if (settingsFor(entry.file).run === 'onType') schedule(entry, 'change');
  });

  connection.onDidSaveTextDocument(({ textDocument }) => {
    const entry = docs.get(textDocument.uri);
    if (!entry) return;
    savedVersion.set(entry.uri, entry.doc.version);
    if (settingsFor(entry.file).run === 'onSave') schedule(entry, 'save');
  });

  connection.onDidCloseTextDocument(({ textDocument }) => {
    const entry = docs.get(textDocument.uri);
    docs.close(textDocument.uri);
    cache.delete(textDocument.uri);
    clearTimeout(timers.get(textDocument.uri));
    if (!entry) return;
    workspace.fileChanged(entry.file);
    // A closed file keeps its diagnostics from disk, like the workspace scan reports them.
    const result = workspace.analyzeFile(entry.file, settingsFor(entry.file).maxFileSizeKb * 1024);
    const diagnostics = toDiagnostics(result);
    void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics });
    if (diagnostics.length) pushed.add(textDocument.uri); else pushed.delete(textDocument.uri);
  });

  // A change re-analyses only what depends on it: the file itself; for a model, the files naming its
  // class or associations; for Gemfile.lock, the Gemfile (the app when the Rails version moved); for
  // another fact file, its app. See WorkspaceScanner.dependentsOf.
  connection.onDidChangeWatchedFiles(async ({ changes }) => {
    const rescan = new Set<string>();
    const targeted = new Set<string>();
    for (const change of changes) {
      const file = URI.toFile(change.uri);
      if (!file) continue;
      const app = workspace.appFor(file);
      const rel = path.relative(app.root, file).replace(/\\/g, '/');
      const isFact = FACT_FILES.includes(rel);
      const before = { rails: isFact ? app.getFacts().railsVersion?.value : undefined, names: modelNames.get(file) ?? [] };
      workspace.fileChanged(file);
      const deleted = change.type === FileChangeType.Deleted;
      const text = deleted ? undefined : diskFiles.read(file);
      const after = { rails: isFact ? app.getFacts().railsVersion?.value : undefined, names: namesOfModel(file, text) };
      if (isModelFile(file) || isDecoratorFile(file)) modelNames.set(file, after.names);
      if (!docs.get(change.uri)) {
        if (deleted) { void connection.sendDiagnostics({ uri: change.uri, diagnostics: [] }); pushed.delete(change.uri); }
        else targeted.add(file);
      }
      try {
        const dependents = await scanner.dependentsOf(file, before, after);
        if (dependents === undefined) rescan.add(app.root); else for (const d of dependents) targeted.add(d);
      } catch (error) {
        log(`could not find the files that depend on ${file}: ${String(error)}`);
      }
    }
    if (rescan.size > 0 || targeted.size > 0) {
      cache.clear();
      for (const entry of docs.all()) publishOpen(entry);
      if (pullMode) void connection.languages.diagnostics.refresh();
    }
    if (rescan.size > 0) {
      const roots = folderPaths();
      // A folder's app rescans the folder; an app nested in a folder rescans just the app.
      void scanWorkspace([...rescan].map((r) => roots.find((f) => f === r) ?? r));
    }
    const rest = [...targeted].filter((f) => ![...rescan].some((r) => f.startsWith(r + path.sep)));
    if (rest.length > 0) void scanner.reanalyze(rest);
  });

  connection.languages.diagnostics.on((params) => {
    const entry = docs.get(params.textDocument.uri);
    if (!entry) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    // With run: onSave, unsaved edits keep the diagnostics of the last analysed version.
    const stale = cache.get(entry.uri);
    if (settingsFor(entry.file).run === 'onSave' && stale && savedVersion.get(entry.uri) !== entry.doc.version) {
      return { kind: DocumentDiagnosticReportKind.Full, items: stale.diagnostics };
    }
    return { kind: DocumentDiagnosticReportKind.Full, items: analyzeOpen(entry).diagnostics };
  });

  connection.onHover((params) => {
    const entry = docs.get(params.textDocument.uri);
    if (!entry) return null;
    const kind = workspace.kindOf(entry.file);
    if (!kind) return null;
    try {
      const tree = hasRubyTree(kind) ? docs.treeOf(entry, true) : undefined;
      const derived = new Map<string, unknown>();
      const input = {
        file: entry.file, text: entry.doc.getText(), kind, tree, app: workspace.appFor(entry.file).getFacts(), position: params.position,
        derive: <T>(key: string, compute: () => T): T => {
          if (!derived.has(key)) derived.set(key, compute());
          return derived.get(key) as T;
        },
      };
      // Inside a hazard's range the hover explains it (the diagnostic shows only the headline), after the facts.
      const explained = findingHoverMarkdown(findingsAt(analyzeOpen(entry).result.findings, params.position));
      const withFinding = (markdown: string) => [markdown, explained].filter(Boolean).join('\n\n---\n\n');
      for (const provider of hoverProviders) {
        if (!provider.fileKinds.includes(kind)) continue;
        try {
          const result = provider.hover(input);
          if (result) return { contents: { kind: 'markdown', value: withFinding(result.markdown) }, range: result.range };
        } catch (error) {
          log(`hover provider ${provider.id} failed on ${entry.file}: ${error instanceof Error ? error.stack : String(error)}`);
        }
      }
      if (explained) return { contents: { kind: 'markdown', value: explained } };
    } catch (error) {
      log(`hover failed on ${entry.file}: ${String(error)}`);
    }
    return null;
  });

  const versionOf = (uri: string): number | null => docs.get(uri)?.doc.version ?? null;

  connection.onCodeAction((params) => {
    const entry = docs.get(params.textDocument.uri);
    if (!entry) return [];
    const { result } = analyzeOpen(entry);
    const only = params.context.only;
    const actions: CodeAction[] = [];
    // Fixes never write outside the workspace folders (the open document itself aside).
    const roots = folderPaths();
    const inScope = (fixes: Fix[]): Fix[] => {
      const { kept, dropped } = fixesInside(fixes, roots.length > 0 ? roots : [workspace.appFor(entry.file).root]);
      const extra = dropped.filter((fix) => !fix.edits.every((e) => path.resolve(e.file) === entry.file));
      for (const fix of extra) log(`fix "${fix.title}" not offered: it edits a file outside the workspace (${fix.edits.map((e) => e.file).join(', ')})`);
      return fixes.filter((fix) => kept.includes(fix) || !extra.includes(fix));
    };
    const safe = collectNonOverlapping(result.findings.flatMap((f) => inScope(f.fixes).filter((x) => x.safety === 'safe')));
    if (!only || only.some((k) => FIX_ALL_KIND.startsWith(k) || k === CodeActionKind.Source)) {
      if (safe.length > 0) {
        actions.push({ title: 'Rails Hazards: fix all safe problems', kind: FIX_ALL_KIND, edit: toWorkspaceEdit(safe.flatMap((x) => x.edits), versionOf) });
      }
      if (only) return actions;
    }
    const diagnostics = params.context.diagnostics.filter((d) => d.source === SOURCE && typeof d.code === 'string');
    for (const diagnostic of diagnostics) {
      const finding = result.findings.find((f) => f.ruleId === diagnostic.code
        && f.range.start.line === diagnostic.range.start.line && f.range.start.character === diagnostic.range.start.character);
      const ruleId = String(diagnostic.code);
      if (finding) inScope(finding.fixes).forEach((fix, i) => actions.push(fixToCodeAction(fix, diagnostic, versionOf, i === 0 && fix.safety === 'safe', changeAnnotationCapability)));
      const erb = entry.erb;
      const edit = disableLineEdit(entry.doc.getText(), diagnostic.range.start.line, ruleId, erb ? (/\.haml$/.test(entry.file) ? '-# ' : '<%# ') : '# ');
      if (workspace.kindOf(entry.file) !== 'lockfile') {
        actions.push({
          title: `Disable ${ruleId} for this line`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic],
          edit: toWorkspaceEdit([{ file: entry.file, ...edit }], versionOf),
        });
      } else if (ruleId.startsWith('dependencies/')) {
        // Bundler rewrites Gemfile.lock and drops comments: the suppression goes to .rails-hazards.yml.
        const ignore = ignoreFixForLockfileDiagnostic(entry.doc.getText(), diagnostic.range, workspace.appFor(entry.file).getFacts());
        if (ignore) actions.push(fixToCodeAction(ignore, diagnostic, versionOf, false, changeAnnotationCapability));
      }
      actions.push({
        title: `Show documentation for ${ruleId}`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic],
        command: { title: `Show documentation for ${ruleId}`, command: SHOW_DOCS, arguments: [ruleId] },
      });
    }
    // The lightbulb lists quick fixes only: fix-all is offered there too when the file has more than one.
    if (diagnostics.length > 0 && safe.length > 1) {
      actions.push({ title: `Fix all safe hazards in this file (${safe.length})`, kind: FIX_ALL_QUICKFIX_KIND, edit: toWorkspaceEdit(safe.flatMap((x) => x.edits), versionOf) });
    }
    return actions;
  });

  connection.onExecuteCommand(async (params) => {
    if (params.command === SHOW_DOCS) {
      const id = String(params.arguments?.[0] ?? '');
      await connection.window.showDocument({ uri: docsUrl(id), external: true });
      return docsUrl(id);
    }
    const handler = commandHandlers[params.command];
    if (!handler) return null;
    return handler(params.arguments ?? [], { workspace, docs, log });
  });

  connection.onShutdown(async () => {
    scanner.cancel();
    for (const entry of docs.all()) docs.close(entry.uri);
    await flushSummaryStore();
  });

  connection.listen();
}

/** What the status item shows about deployed migrations (asked only for apps with a migration folder). */
function deployedStatus(d: DeployedMigrations | undefined): { source: string; skipped: number; reason: string } | undefined {
  if (!d) return undefined;
  return { source: d.source, skipped: d.count, reason: d.reason };
}

/** Safe fixes whose edits don't overlap each other, for fix-all. */
function collectNonOverlapping(fixes: Fix[]): Fix[] {
  const taken: FileEdit[] = [];
  // Touching ranges count as overlapping: two insertions at one position have no defined order.
  const overlaps = (a: FileEdit, b: FileEdit) => a.file === b.file
    && cmp(a.range.start, b.range.end) <= 0 && cmp(b.range.start, a.range.end) <= 0;
  const out: Fix[] = [];
  const seenText = new Set<string>();
  for (const fix of fixes) {
    // The same insertion (e.g. one disable_ddl_transaction! per class) is applied once.
    const edits = fix.edits.filter((e) => !seenText.has(key(e)));
    if (edits.some((e) => taken.some((t) => overlaps(e, t)))) continue;
    edits.forEach((e) => { taken.push(e); seenText.add(key(e)); });
    out.push({ ...fix, edits });
  }
  return out;
}

const key = (e: FileEdit) => `${e.file}:${e.range.start.line}:${e.range.start.character}:${e.range.end.line}:${e.range.end.character}:${e.newText}`;
const cmp = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line - b.line || a.character - b.character;
