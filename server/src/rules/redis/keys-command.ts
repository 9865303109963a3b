import { defineRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import { nodeRange } from '../../parsing/ruby';
import { REDIS_FILE_KINDS, redisFileToCheck, speaksRedisRb, type ClientCall } from '../../redis/calls';

export default defineRule({
  meta: {
    id: 'redis/keys-command',
    description: 'KEYS walks every key in the Redis database in one command and blocks the single-threaded server until it is done.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: REDIS_FILE_KINDS,
  },
  create(ctx) {
    return {
      end() {
        const file = redisFileToCheck(ctx);
        if (!file) return;
        for (const c of file.calls) {
          if (c.command?.command !== 'KEYS' || c.call.block) continue;
          const pattern = c.command.args[0]?.text ?? '"*"';
          const receiver = c.call.receiver!.text;
          const offline = file.impact.impact === 'offline';
          const scan = `${receiver}.scan_each(match: ${pattern}, count: 1000)`;
          ctx.report({
            range: { start: nodeRange(c.call.nameNode).start, end: nodeRange(c.call.node).end },
            severity: offline ? 'hint' : undefined,
            headline: 'KEYS walks every key in the Redis database and blocks the server until it is done',
            detail: `\`${receiver}\` is a Redis client (${c.client.evidence}). KEYS is O(N) over the whole keyspace, not over the keys that match `
              + `${pattern}: Redis is single-threaded, so every other command (sessions, caches, Sidekiq) waits while it runs, and it gets slower as the database grows. `
              + (offline ? `This runs in ${file.impact.why}, so only that run waits; still, it stalls the server other processes share. ` : '')
              + `Walk the keys in steps with SCAN: \`${scan}\` (each step is O(1); keys created or deleted during the walk may be missed, and a key can come back twice).`,
            fixes: scanFix(c, ctx),
          });
        }
      },
    };

    function scanFix(c: ClientCall, context: typeof ctx): Fix[] {
      if (c.command!.generic || c.call.args.length > 1 || c.call.args.some((a) => a.type.endsWith('splat_argument'))) return [];
      if (!speaksRedisRb(c.client, context)) return [];
      const node = c.call.node;
      const parent = node.parent;
      const iterated = parent?.type === 'call' && parent.childForFieldName('receiver')?.id === node.id && parent.childForFieldName('method')?.text === 'each';
      const match = c.call.args[0] ? `match: ${c.call.args[0].text}, ` : '';
      const newText = `scan_each(${match}count: 1000)${iterated ? '' : '.to_a'}`;
      return [{
        title: iterated ? 'Iterate the keys with SCAN, 1000 per step (`scan_each`)' : 'Collect the keys with SCAN, 1000 per step (`scan_each(…).to_a`)',
        safety: 'unsafe',
        changes: 'SCAN walks the keyspace in steps: keys created or deleted during the walk may be missed, and a key can be returned twice.',
        edits: [{ file: context.file, range: { start: nodeRange(c.call.nameNode).start, end: nodeRange(node).end }, newText }],
      }];
    }
  },
});
