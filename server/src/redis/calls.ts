// The per-file view the Redis rules share: every command sent to a known client, where the file runs,
// which keys the file fills as collections (and never trims), and which client syntax a quick fix may use.
import * as path from 'node:path';
import type { FileKind, RuleContext } from '../core/rule';
import { compareVersionStrings } from '../lockfile/gemVersion';
import { readCall, type CallInfo } from '../parsing/ruby';
import { impactOf, type ImpactInfo } from '../queries/impact';
import { offlinePatterns } from '../queries/settings';
import { redisClientsOf, type RedisClientInfo } from './clients';
import { isCommandName, redisCommandOf, type RedisCommandCall } from './commands';

export interface ClientCall { call: CallInfo; client: RedisClientInfo; command?: RedisCommandCall }

const FILLS = new Set(['SADD', 'HSET', 'HMSET', 'HSETNX', 'HINCRBY', 'RPUSH', 'LPUSH', 'ZADD', 'ZINCRBY', 'GEOADD']);
/** Commands that bound or drop a key: a key the file also trims is not left to grow. */
const TRIMS = new Set(['LTRIM', 'ZREMRANGEBYRANK', 'ZREMRANGEBYSCORE']);
const BOUNDS = new Set(['EXPIRE', 'EXPIREAT', 'PEXPIRE', 'DEL', 'UNLINK', 'LTRIM', 'ZREMRANGEBYRANK', 'ZREMRANGEBYSCORE', 'SPOP', 'SREM',
  'HDEL', 'ZREM', 'LPOP', 'RPOP', 'LREM', 'RENAME']);

export interface RedisFile {
  calls: ClientCall[];
  impact: ImpactInfo;
  /** Key expressions (source text) filled as a collection in this file, with the first such call. */
  filled: Map<string, ClientCall>;
  /** Key expressions expired, trimmed or deleted in this file. */
  bounded: Set<string>;
  /** Key expressions capped in size in this file (LTRIM, ZREMRANGEBYRANK, ZREMRANGEBYSCORE): small by design. */
  trimmed: Set<string>;
}

/** Where Redis commands can be written: app code, views, lib and config. */
export const REDIS_FILE_KINDS: FileKind[] = ['job', 'model', 'controller', 'ruby', 'view', 'config'];

/** The file's Redis calls for a rule to check, or nothing for a file without a tree and for test code. */
export function redisFileToCheck(ctx: RuleContext): RedisFile | undefined {
  if (!ctx.tree) return undefined;
  const file = redisFile(ctx);
  return file.impact.impact === 'test' ? undefined : file;
}

export function redisFile(ctx: RuleContext): RedisFile {
  return ctx.derive('redis/file', () => {
    const clients = redisClientsOf(ctx.derive, ctx.tree!, ctx.app);
    const calls: ClientCall[] = [];
    for (const { call, client } of clients.callsOnClients(isCommandName)) {
      const info = readCall(call);
      if (info) calls.push({ call: info, client, command: client.flavor === 'kredis' ? undefined : redisCommandOf(info) });
    }
    const filled = new Map<string, ClientCall>();
    const bounded = new Set<string>();
    const trimmed = new Set<string>();
    for (const c of calls) {
      const key = c.command?.args[0]?.text;
      if (!key) continue;
      if (FILLS.has(c.command!.command) && !filled.has(key)) filled.set(key, c);
      if (TRIMS.has(c.command!.command)) trimmed.add(key);
      // DEL/UNLINK drop every key given.
      if (BOUNDS.has(c.command!.command)) for (const a of (c.command!.command === 'DEL' || c.command!.command === 'UNLINK') ? c.command!.args : [c.command!.args[0]]) bounded.add(a.text);
    }
    const relative = path.relative(ctx.app.root, ctx.file).replace(/\\/g, '/');
    return { calls, impact: impactOf(relative, ctx.kind, offlinePatterns(ctx.app)), filled, bounded, trimmed };
  });
}

/** A key this file adds members to and never expires, trims or deletes. */
export function accumulatedKey(file: RedisFile, key: string): ClientCall | undefined {
  return file.bounded.has(key) ? undefined : file.filled.get(key);
}

/**
 * Whether a quick fix may use redis-rb's methods (`scan_each`, `sscan_each`, `unlink`, `geosearch`) on this client:
 * `Redis.new`, or the connection Sidekiq yields before Sidekiq 7 (from 7 on it is a redis-client adapter). With
 * `minRedisGem`, a locked redis gem older than that rules the fix out; `mustBeLocked` also rules out an unknown version.
 */
export function speaksRedisRb(client: RedisClientInfo, ctx: RuleContext, minRedisGem?: string, mustBeLocked = false): boolean {
  const redisGem = ctx.app.gems.get('redis');
  if (minRedisGem && redisGem && compareVersionStrings(redisGem, minRedisGem) < 0) return false;
  if (mustBeLocked && !redisGem) return false;
  if (client.flavor === 'redis-rb') return true;
  if (client.flavor === 'sidekiq') {
    const sidekiq = ctx.app.gems.get('sidekiq');
    return !!sidekiq && compareVersionStrings(sidekiq, '7') < 0;
  }
  return false;
}

export function lineOf(node: { startPosition: { row: number } }): number {
  return node.startPosition.row + 1;
}
