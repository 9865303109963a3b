import { defineRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import { literalName, nodeRange } from '../../parsing/ruby';
import { REDIS_FILE_KINDS, redisFileToCheck, speaksRedisRb, type ClientCall } from '../../redis/calls';

const GEO_FLAGS = new Set(['withdist', 'withcoord', 'withhash']);

export default defineRule({
  meta: {
    id: 'redis/deprecated-georadius',
    description: 'GEORADIUS and GEORADIUSBYMEMBER are deprecated since Redis 6.2 in favour of GEOSEARCH.',
    defaultSeverity: 'hint',
    fix: 'unsafe',
    fileKinds: REDIS_FILE_KINDS,
  },
  create(ctx) {
    return {
      end() {
        const file = redisFileToCheck(ctx);
        if (!file) return;
        for (const c of file.calls) {
          const cmd = c.command?.command;
          if (cmd !== 'GEORADIUS' && cmd !== 'GEORADIUSBYMEMBER') continue;
          const byMember = cmd === 'GEORADIUSBYMEMBER';
          ctx.report({
            range: { start: nodeRange(c.call.nameNode).start, end: nodeRange(c.call.node).end },
            headline: `${cmd} is deprecated since Redis 6.2; GEOSEARCH replaces it`,
            detail: `\`${c.call.receiver!.text}\` is a Redis client (${c.client.evidence}). ${cmd} still works but is deprecated: new options (BYBOX, ANY with FROMMEMBER) `
              + `come only to GEOSEARCH, which takes the same query as ${byMember ? 'FROMMEMBER member' : 'FROMLONLAT lon lat'} BYRADIUS radius unit. `
              + 'redis-rb has `geosearch` from 6.0; GEOSEARCH needs a Redis server 6.2 or newer.',
            fixes: geosearchFix(c, byMember),
          });
        }
      },
    };

    /** `geosearch` in redis-rb 6's keyword syntax, only for the plain positional form with literal options. */
    function geosearchFix(c: ClientCall, byMember: boolean): Fix[] {
      if (c.command!.generic || c.call.block || !speaksRedisRb(c.client, ctx, '6.0.0', true)) return [];
      const args = c.call.args;
      if (args.length !== (byMember ? 4 : 5) || args.some((a) => a.type.endsWith('splat_argument') || a.type === 'hash' || a.type === 'pair')) return [];
      const extra: string[] = [];
      for (const [name, value] of c.call.keywords) {
        if (name === 'sort' || name === 'count' || name === 'count_any') extra.push(`${name}: ${value.text}`);
        else if (name === 'options') {
          const flags = value.type === 'array' ? value.namedChildren.map((v) => literalName(v)) : [literalName(value)];
          if (flags.some((f) => !f || !GEO_FLAGS.has(f.toLowerCase()))) return [];
          for (const f of flags) extra.push(`${f!.toLowerCase()}: true`);
        } else return [];
      }
      const [key, ...rest] = args.map((a) => a.text);
      const from = byMember ? `frommember: ${rest[0]}` : `fromlonlat: [${rest[0]}, ${rest[1]}]`;
      const [radius, unit] = byMember ? [rest[1], rest[2]] : [rest[2], rest[3]];
      const newText = `geosearch(${[key, from, `byradius: [${radius}, ${unit}]`, ...extra].join(', ')})`;
      return [{
        title: 'Use `geosearch` (needs a Redis server 6.2 or newer)',
        safety: 'unsafe',
        changes: 'GEOSEARCH is unknown to Redis servers older than 6.2: the call fails there.',
        edits: [{ file: ctx.file, range: { start: nodeRange(c.call.nameNode).start, end: nodeRange(c.call.node).end }, newText }],
      }];
    }
  },
});
