// Activation only: start the language server, show its status, register commands. No analysis here.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { StatusItem, type ServerStatus } from './status';
import { registerCallbackChainCommand, type CallbackChainProvider } from './callbackChain';
import { registerHazardsView, type HazardsTree } from './hazardsTree';
import { openRuleDocs, SHOW_DOCS } from './ruleDocs';

let client: LanguageClient | undefined;
let status: StatusItem | undefined;
let output: vscode.LogOutputChannel | undefined;

export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'ruby' },
  { scheme: 'file', language: 'erb' },
  { scheme: 'file', pattern: '**/*.erb' },
  { scheme: 'file', pattern: '**/*.haml' },
  { scheme: 'file', pattern: '**/*.jbuilder' },
  { scheme: 'file', pattern: '**/*.builder' },
  { scheme: 'file', language: 'gemfile-lock' },
  { scheme: 'file', pattern: '**/{Gemfile,Gemfile.lock,gems.rb,gems.locked,.rails-hazards.yml,config/database.yml}' },
];

export interface RailsHazardsApi {
  client: LanguageClient | undefined;
  lastStatus(): ServerStatus | undefined;
  /** For the extension-host tests: the hazards view's data and the chain documents' provider. */
  hazards: HazardsTree;
  chains: CallbackChainProvider;
}

export async function activate(context: vscode.ExtensionContext): Promise<RailsHazardsApi> {
  output = vscode.window.createOutputChannel('Rails Hazards', { log: true });
  status = new StatusItem(DOCUMENT_SELECTOR);
  context.subscriptions.push(output, status);
  context.subscriptions.push(
    vscode.commands.registerCommand('railsHazards.restartServer', async () => {
      await stopClient();
      await startClient(context);
    }),
    vscode.commands.registerCommand('railsHazards.showOutput', () => output?.show()),
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      await stopClient();
      await startClient(context);
    }),
  );
  const chains = registerCallbackChainCommand(context, () => client);
  const hazards = registerHazardsView(context);
  await startClient(context);
  return { get client() { return client; }, lastStatus: () => status?.last, hazards, chains };
}

/**
 * Flags for the server's node (the editor's own). Newer V8s (Node 24, recent Electron) size the young generation from
 * the machine's memory: on a 24 GB machine the server peaked at 370 MB instead of 278 MB with Node 20's 16 MB, for the
 * same CPU (docs/performance.md, "Young generation"). It can only be set when node starts; a flag every V8 knows.
 */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=16'];

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath('dist/rails-hazards.js');
  const serverOptions: ServerOptions = {
    run: { module, args: ['lsp'], transport: TransportKind.ipc, options: { execArgv: SERVER_NODE_FLAGS } },
    debug: { module, args: ['lsp'], transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010', ...SERVER_NODE_FLAGS] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    revealOutputChannelOn: 4, // Never
    middleware: {
      // "Show documentation" opens the rule page shipped in the VSIX (offline), not the web.
      executeCommand: async (command, args, next) => (command === SHOW_DOCS && await openRuleDocs(context, String(args[0] ?? '')) ? true : next(command, args)),
    },
    initializationOptions: {
      trusted: vscode.workspace.isTrusted,
      settings: vscode.workspace.getConfiguration('railsHazards'),
    },
    synchronize: {
      configurationSection: 'railsHazards',
      fileEvents: vscode.workspace.createFileSystemWatcher(
        '**/{Gemfile,Gemfile.lock,gems.locked,.rails-hazards.yml,config/database.yml,config/puma.rb,config/puma/*.rb,config/sidekiq.yml,config/queue.yml,config/solid_queue.yml,config/initializers/good_job.rb,Procfile,Procfile.*,config/application.rb,config/environments/production.rb,config/initializers/strong_migrations.rb,db/schema.rb,app/**/*.rb,app/**/*.erb,app/**/*.haml,app/**/*.jbuilder,app/**/*.builder,db/migrate/*.rb}',
      ),
    },
  };
  client = new LanguageClient('railsHazards', 'Rails Hazards', serverOptions, clientOptions);
  client.onNotification('railsHazards/status', (s: ServerStatus) => status?.update(s));
  status?.starting();
  // A server that dies at startup must not hang activation: fail visibly after a bound instead.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the language server did not start within 30 s')), 30_000);
  });
  try {
    await Promise.race([client.start(), timeout]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    status?.failed(message);
    output?.error(`Rails Hazards could not start its language server: ${message}`);
    void vscode.window.showErrorMessage(`Rails Hazards: the language server failed to start (${message}).`, 'Show output', 'Restart')
      .then((choice) => {
        if (choice === 'Show output') output?.show();
        if (choice === 'Restart') void vscode.commands.executeCommand('railsHazards.restartServer');
      });
  } finally {
    clearTimeout(timer);
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop();
}

export function deactivate(): Promise<void> | undefined {
  return stopClient();
}
