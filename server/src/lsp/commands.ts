// Server-side commands (workspace/executeCommand) contributed by rule packs, e.g. "Show callback chain".
import type { Workspace } from '../project/workspace';
import type { OpenDocuments } from './documents';
import { SHOW_CALLBACK_CHAIN, showCallbackChain } from './callbackChainCommand';

export interface CommandServices { workspace: Workspace; docs: OpenDocuments; log: (m: string) => void }
export type CommandHandler = (args: unknown[], services: CommandServices) => unknown;

export const commandHandlers: Record<string, CommandHandler> = {
  [SHOW_CALLBACK_CHAIN]: (args, services) => showCallbackChain(args, services),
};
