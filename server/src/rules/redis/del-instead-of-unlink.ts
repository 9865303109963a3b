import { defineRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import type { Node } from '../../parsing/treeSitter';
import { nodeRange, readCall } from '../../parsing/ruby';
import { lineOf, REDIS_FILE_KINDS, redisFileToCheck, type ClientCall } from '../../redis/calls';
import { enclosing } from '../../redis/clients';
import { compareVersionStrings } from '../../lockfile/gemVersion';

/** Methods that return an Array (of keys, here). */
const ARRAY_METHODS = new Set(['keys', 'map', 'collect', 'flat_map', 'filter_map', 'select', 'filter', 'reject', 'to_a', 'smembers', 'uniq', 'compact', 'flatten']);
const SCOPES = new Set(['method', 'singleton_method', 'class', 'module', 'program']);

export default defineRule({
  meta: {
    id: 'redis/del-instead-of-unlink',
    description: 'DEL of several keys or of a large collection frees the memory while Redis waits; UNLINK frees it in the background.',
    defaultSeverity: 'hint',
    fix: 'safe',
    fileKinds: REDIS_FILE_KINDS,
  },
  create(ctx) {
    return {
      end() {
        const file = redisFileToCheck(ctx);
        if (!file) return;
        for (const c of file.calls) {
          if (c.command?.command !== 'DEL' || c.call.block) continue;
          const args = c.command.args;
          const several = args.length >= 2 || (args.length === 1 && (args[0].type === 'splat_argument' || isArray(args[0])));
          // A collection this file caps (LTRIM, ZREMRANGEBYRANK) is small: DEL frees it at once.
          const collection = !several && args.length === 1 && !file.trimmed.has(args[0].text) ? file.filled.get(args[0].text) : undefined;
          if (!several && !collection) continue;
          const what = several ? `${args.length >= 2 ? `${args.length} keys` : `the keys in ${args[0].text.replace(/^\*/, '')}`}`
            : `${args[0].text}, which this file fills with \`${collection!.call.name}\` (line ${lineOf(collection!.call.node)})`;
          ctx.report({
            range: { start: nodeRange(c.call.nameNode).start, end: nodeRange(c.call.node).end },
            headline: several ? 'DEL of several keys frees their memory while Redis waits; UNLINK frees it in the background'
              : 'DEL of a collection frees every element while Redis waits; UNLINK frees it in the background',
            detail: `\`${c.call.receiver!.text}\` is a Redis client (${c.client.evidence}). DEL of ${what} is O(M) in the elements of every value it deletes, `
              + 'and Redis serves nothing else until the memory is freed. UNLINK removes the keys at once (same return value, same visibility) and reclaims the memory in a background thread (Redis 4.0+).',
            related: collection ? [{ file: ctx.file, range: nodeRange(collection.call.node), message: `\`${collection.call.name}\` fills ${args[0].text}` }] : undefined,
            fixes: unlinkFix(c),
          });
        }
      },
    };

    function unlinkFix(c: ClientCall): Fix[] {
      const redis = ctx.app.gems.get('redis');
      if (redis && compareVersionStrings(redis, '4.0.2') < 0) return [];
      const namespace = ctx.app.gems.get('redis-namespace');
      if (c.client.flavor === 'namespace' && namespace && compareVersionStrings(namespace, '1.6.0') < 0) return [];
      let edit;
      if (c.command!.generic) {
        const name = c.call.args[0];
        const text = name.text.replace(/del/, 'unlink').replace(/DEL/, 'UNLINK');
        edit = { file: ctx.file, range: nodeRange(name), newText: text };
      } else {
        edit = { file: ctx.file, range: nodeRange(c.call.nameNode), newText: 'unlink' };
      }
      return [{ title: 'Use UNLINK (same keys; memory reclaimed in the background)', safety: 'safe', edits: [edit] }];
    }

    /** An array literal, or a local assigned only arrays / Array-returning calls in the same method. */
    function isArray(arg: Node): boolean {
      if (arg.type === 'array') return true;
      if (arg.type !== 'identifier') return false;
      const scope = enclosing(arg, SCOPES);
      if (!scope) return false;
      const rights = scope.descendantsOfType('assignment').filter((a) => a?.childForFieldName('left')?.type === 'identifier'
        && a.childForFieldName('left')!.text === arg.text && enclosing(a, SCOPES)?.id === scope.id).map((a) => a!.childForFieldName('right'));
      return rights.length > 0 && rights.every((r) => !!r && (r.type === 'array' || (r.type === 'call' && ARRAY_METHODS.has(readCall(r)?.name ?? ''))));
    }
  },
});
