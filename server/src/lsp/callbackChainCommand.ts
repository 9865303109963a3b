// workspace/executeCommand "railsHazards.showCallbackChain" [uri, position]: the callback chain of the
// model under the cursor (class name, callback macro, save call site, or the enclosing model class)
// as a markdown document. The client opens it as an untitled markdown document.
import type { Position } from '../core/types';
import { indexFor } from '../callbacks/analysis';
import { chainDocument, targetAt } from '../callbacks/view';
import { parseRuby, type Tree } from '../parsing/treeSitter';
import type { CommandHandler } from './commands';
import { URI } from './uri';

export const SHOW_CALLBACK_CHAIN = 'railsHazards.showCallbackChain';

export interface CallbackChainResult { markdown?: string; message?: string }

export const showCallbackChain: CommandHandler = (args, { workspace, docs, log }): CallbackChainResult => {
  const [uri, position] = args as [unknown, unknown];
  const file = typeof uri === 'string' ? URI.toFile(uri) : undefined;
  const pos = position as Position | undefined;
  if (!file || !pos || typeof pos.line !== 'number' || typeof pos.character !== 'number') {
    return { message: 'Show callback chain needs a file URI and a position.' };
  }
  const kind = workspace.kindOf(file);
  if (!kind || kind === 'lockfile' || kind === 'database-yml' || kind === 'view' || kind === 'gemfile') return { message: 'Open a Ruby model, controller or job to show a callback chain.' };
  const entry = docs.get(uri as string);
  let own: Tree | undefined;
  try {
    let tree: Tree | undefined;
    if (entry) tree = docs.treeOf(entry, true);
    else {
      const text = workspace.files.read(file);
      if (text === undefined) return { message: `Cannot read ${file}.` };
      tree = own = parseRuby(text);
    }
    if (!tree) return { message: 'The file could not be parsed.' };
    const app = workspace.appFor(file).getFacts();
    const index = indexFor(app, file, tree);
    const markdown = chainDocument(index, app, targetAt(index, tree, file, pos), tree, file, pos);
    return markdown ? { markdown } : { message: 'Put the cursor on a model class, a callback, or a save/update/destroy call on a model.' };
  } catch (error) {
    log(`show callback chain failed on ${file}: ${error instanceof Error ? error.stack : String(error)}`);
    return { message: `Show callback chain failed: ${String(error)}` };
  } finally {
    own?.delete();
  }
};
