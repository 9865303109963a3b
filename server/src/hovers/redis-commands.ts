// Hover on a Redis command sent to a known client (`redis.smembers(k)`, `client.call("KEYS", …)`): the
// command's time complexity, and how the receiver is known to be Redis.
import { nodeAt, type HoverProvider } from '../core/hover';
import { nodeRange, readCall } from '../parsing/ruby';
import { redisClientsOf } from '../redis/clients';
import { COMMAND_COMPLEXITY, redisCommandOf } from '../redis/commands';

export const redisCommandHover: HoverProvider = {
  id: 'redis-command',
  fileKinds: ['job', 'model', 'controller', 'ruby', 'view', 'config'],
  hover(input) {
    if (!input.tree) return undefined;
    const node = nodeAt(input.tree, input.position);
    if (node?.type !== 'identifier' || node.parent?.type !== 'call' || node.parent.childForFieldName('method')?.id !== node.id) return undefined;
    const call = readCall(node.parent);
    if (!call?.receiver) return undefined;
    const client = redisClientsOf(input.derive, input.tree, input.app).client(call.receiver);
    if (!client || client.flavor === 'kredis') return undefined;
    const command = redisCommandOf(call);
    if (!command) return undefined;
    return {
      markdown: `**${command.command}** — ${COMMAND_COMPLEXITY[command.command]}.\n\n\`${call.receiver.text}\` is a Redis client: ${client.evidence}.`,
      range: nodeRange(node),
    };
  },
};
