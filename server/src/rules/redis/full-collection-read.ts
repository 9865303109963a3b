import { defineRule } from '../../core/rule';
import type { Fix, RelatedLocation } from '../../core/types';
import type { Node } from '../../parsing/treeSitter';
import { nodeRange } from '../../parsing/ruby';
import { accumulatedKey, lineOf, REDIS_FILE_KINDS, redisFileToCheck, speaksRedisRb, type ClientCall } from '../../redis/calls';

/** Whole-collection reads and what they read. */
const WHOLE: Record<string, string> = { SMEMBERS: 'set', HGETALL: 'hash', HKEYS: 'hash', HVALS: 'hash', SUNION: 'sets', SINTER: 'sets', SDIFF: 'sets' };
const RANGES: Record<string, string> = { LRANGE: 'list', ZRANGE: 'sorted set', ZREVRANGE: 'sorted set' };
const KREDIS_READS: Record<string, string[]> = { members: ['set', 'ordered_set'], elements: ['list', 'unique_list', 'ordered_set'], to_h: ['hash'] };
/** Each SCAN-family replacement yields what the read returned, element by element. */
const SCAN_OF: Record<string, string> = { SMEMBERS: 'sscan_each', HGETALL: 'hscan_each' };

export default defineRule({
  meta: {
    id: 'redis/full-collection-read',
    description: 'SMEMBERS, HGETALL, LRANGE/ZRANGE 0 -1 and SUNION/SINTER/SDIFF read a whole collection in one reply, however large it has grown.',
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
          const read = describe(c);
          if (!read) continue;
          const key = c.command?.args[0]?.text;
          // A list or sorted set this file caps (LTRIM, ZREMRANGEBYRANK) is small by design.
          if (key && file.trimmed.has(key)) continue;
          const filler = key ? accumulatedKey(file, key) : undefined;
          const grows = !!filler && file.impact.impact === 'background';
          const related: RelatedLocation[] = filler ? [{ file: ctx.file, range: nodeRange(filler.call.node), message: `\`${filler.call.name}\` adds to ${key}; nothing in this file expires, trims or deletes it` }] : [];
          const receiver = c.call.receiver!.text;
          const scan = c.command && SCAN_OF[c.command.command];
          const how = scan ? `Walk it in steps instead: \`${receiver}.${scan}(${key}, count: 1000)\` (${c.command?.command === 'SMEMBERS' ? 'members' : 'fields'} changed during the walk may be missed or repeated).`
            : c.command ? 'Read it in bounded pages (a range with an end, SSCAN/HSCAN/ZSCAN with COUNT), or keep the collection bounded (LTRIM, ZREMRANGEBYRANK, EXPIRE).'
              : 'Read it in bounded pages, or keep the collection bounded.';
          ctx.report({
            range: { start: nodeRange(c.call.nameNode).start, end: nodeRange(c.call.node).end },
            severity: grows ? undefined : 'hint',
            headline: `${read.what} reads the whole ${read.kind} in one reply; it blocks Redis in proportion to its size`,
            detail: `\`${receiver}\` is ${c.client.flavor === 'kredis' ? 'a Kredis object' : 'a Redis client'} (${c.client.evidence}). `
              + `${read.what} is O(N) in the ${read.kind}'s size: Redis builds the whole reply while every other client waits, and the process holds it all in memory. `
              + (grows ? `This runs in ${file.impact.why}, and this file keeps adding to ${key} (line ${lineOf(filler!.call.node)}) without expiring, trimming or deleting it, so the read grows with every run. `
                : filler ? `This file adds to ${key} (line ${lineOf(filler.call.node)}) without bounding it; how large it gets decides the cost. `
                  : 'How large the collection gets is not visible here; it matters when it grows with users or time. ')
              + how,
            related,
            fixes: scanFix(c),
          });
        }
      },
    };

    function describe(c: ClientCall): { what: string; kind: string } | undefined {
      if (c.client.flavor === 'kredis') {
        const kinds = KREDIS_READS[c.call.name];
        if (!kinds || !kinds.includes(c.client.kredis ?? '') || c.call.args.length) return undefined;
        return { what: `\`${c.call.name}\``, kind: c.client.kredis!.replace('_', ' ') };
      }
      const cmd = c.command;
      if (!cmd || c.call.block) return undefined;
      if (WHOLE[cmd.command]) return cmd.args.length ? { what: cmd.command, kind: WHOLE[cmd.command] } : undefined;
      if (RANGES[cmd.command]) {
        // ZRANGE's BYSCORE/BYLEX/LIMIT forms read a window, not ranks 0..-1.
        if (['by_score', 'by_lex', 'limit', 'byscore', 'bylex'].some((k) => c.call.keywords.has(k))) return undefined;
        if (cmd.args.some((a) => /^"?(BYSCORE|BYLEX|LIMIT)"?$/i.test(a.text.replace(/^:/, '')))) return undefined;
        if (intText(cmd.args[1]) === '0' && intText(cmd.args[2]) === '-1') return { what: `${cmd.command} 0 -1`, kind: RANGES[cmd.command] };
      }
      return undefined;
    }

    /** SSCAN/HSCAN where the result is only iterated once with `each` or turned into an array. */
    function scanFix(c: ClientCall): Fix[] {
      const scan = c.command && SCAN_OF[c.command.command];
      if (!scan || c.command!.generic || c.call.args.length !== 1 || c.call.args[0].type.endsWith('splat_argument') || !speaksRedisRb(c.client, ctx)) return [];
      const node = c.call.node;
      const parent = node.parent;
      if (parent?.type !== 'call' || parent.childForFieldName('receiver')?.id !== node.id) return [];
      const use = parent.childForFieldName('method')?.text;
      const block = parent.childForFieldName('block');
      const args = parent.childForFieldName('arguments');
      if (!((use === 'each' && block && !args) || (use === 'to_a' && !block && !args))) return [];
      const kind = c.command!.command === 'SMEMBERS' ? 'set' : 'hash';
      return [{
        title: `Walk the ${kind} with ${c.command!.command === 'SMEMBERS' ? 'SSCAN' : 'HSCAN'}, 1000 per step (\`${scan}\`)`,
        safety: 'unsafe',
        changes: `The ${kind} is read in steps: ${kind === 'set' ? 'members' : 'fields'} added or removed during the walk may be missed, and one can be yielded twice.`,
        edits: [{ file: ctx.file, range: { start: nodeRange(c.call.nameNode).start, end: nodeRange(node).end }, newText: `${scan}(${c.call.args[0].text}, count: 1000)` }],
      }];
    }
  },
});

function intText(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'integer') return node.text;
  if (node.type === 'unary' && /^-\s*1$/.test(node.text)) return '-1';
  if (node.type === 'string') return node.text.slice(1, -1);
  return undefined;
}
