// Redis commands the rules and the hover know: how a client call names one (`redis.smembers(k)`,
// `client.call("SMEMBERS", k)`, `conn.call(:smembers, k)`) and its time complexity as redis.io documents it.
import type { Node } from '../parsing/treeSitter';
import { literalName, type CallInfo } from '../parsing/ruby';

/** Time complexity in words; N is named for each command. */
export const COMMAND_COMPLEXITY: Readonly<Record<string, string>> = {
  GET: 'O(1)', SET: 'O(1)', SETEX: 'O(1)', SETNX: 'O(1)', GETSET: 'O(1)', INCR: 'O(1)', INCRBY: 'O(1)', DECR: 'O(1)', DECRBY: 'O(1)',
  APPEND: 'O(1)', STRLEN: 'O(1)', EXISTS: 'O(N) in the number of keys given', EXPIRE: 'O(1)', EXPIREAT: 'O(1)', PEXPIRE: 'O(1)',
  TTL: 'O(1)', PTTL: 'O(1)', PERSIST: 'O(1)', TYPE: 'O(1)', RENAME: 'O(1)',
  MGET: 'O(N) in the number of keys given', MSET: 'O(N) in the number of keys given',
  DEL: 'O(N) in the keys given; deleting a set, hash, list or sorted set is O(M) in its elements, freed while the server waits',
  UNLINK: 'O(1) per key; the memory of large values is reclaimed in a background thread',
  KEYS: 'O(N) over every key in the database; blocks the server until it has walked them all',
  SCAN: 'O(1) per call (COUNT keys per step); a full walk is O(N) spread over many calls',
  FLUSHDB: 'O(N) over every key in the database (blocks unless ASYNC)', FLUSHALL: 'O(N) over every key (blocks unless ASYNC)',
  HGET: 'O(1)', HSET: 'O(1) per field', HSETNX: 'O(1)', HMSET: 'O(N) in the fields given', HMGET: 'O(N) in the fields given',
  HDEL: 'O(N) in the fields given', HEXISTS: 'O(1)', HINCRBY: 'O(1)', HLEN: 'O(1)',
  HGETALL: "O(N) in the hash's size", HKEYS: "O(N) in the hash's size", HVALS: "O(N) in the hash's size",
  HSCAN: 'O(1) per call; a full walk is O(N) spread over many calls',
  SADD: 'O(1) per member added', SREM: 'O(1) per member removed', SISMEMBER: 'O(1)', SCARD: 'O(1)', SPOP: 'O(1) per member popped',
  SMEMBERS: "O(N) in the set's size", SRANDMEMBER: 'O(1), or O(N) in the count asked',
  SUNION: 'O(N) in the members of all the sets given', SINTER: 'O(N×M): the smallest set times the number of sets',
  SDIFF: 'O(N) in the members of all the sets given', SSCAN: 'O(1) per call; a full walk is O(N) spread over many calls',
  LPUSH: 'O(1) per element', RPUSH: 'O(1) per element', LPOP: 'O(1)', RPOP: 'O(1)', LLEN: 'O(1)', LINDEX: 'O(N) in the offset',
  LRANGE: 'O(S+N): S the start offset, N the elements returned; `0, -1` reads the whole list', LTRIM: 'O(N) in the elements removed',
  LREM: "O(N+M) in the list's length",
  ZADD: 'O(log N) per member', ZREM: 'O(log N) per member', ZSCORE: 'O(1)', ZCARD: 'O(1)', ZINCRBY: 'O(log N)', ZRANK: 'O(log N)',
  ZRANGE: 'O(log N + M): M the members returned; `0, -1` reads the whole sorted set', ZREVRANGE: 'O(log N + M): M the members returned; `0, -1` reads the whole sorted set',
  ZRANGEBYSCORE: 'O(log N + M): M the members returned', ZREMRANGEBYSCORE: 'O(log N + M): M the members removed',
  ZREMRANGEBYRANK: 'O(log N + M): M the members removed', ZSCAN: 'O(1) per call; a full walk is O(N) spread over many calls',
  GEOADD: 'O(log N) per member', GEOSEARCH: 'O(N + log M): N the elements in the area searched',
  GEORADIUS: 'O(N + log M); deprecated since Redis 6.2 (use GEOSEARCH)', GEORADIUSBYMEMBER: 'O(N + log M); deprecated since Redis 6.2 (use GEOSEARCH)',
  PUBLISH: 'O(N+M): the subscribers of the channel and of matching patterns', PFADD: 'O(1) per element', PFCOUNT: 'O(1) for one key',
  INFO: 'O(1)', PING: 'O(1)',
};

/** redis-rb method names that are not the command's name in lower case. */
const METHOD_COMMANDS: Readonly<Record<string, string>> = {
  'exists?': 'EXISTS', 'sadd?': 'SADD', 'srem?': 'SREM', 'sismember?': 'SISMEMBER', scan_each: 'SCAN', sscan_each: 'SSCAN',
  hscan_each: 'HSCAN', zscan_each: 'ZSCAN', mapped_hmget: 'HMGET', mapped_hmset: 'HMSET', mapped_mget: 'MGET', mapped_mset: 'MSET',
};

export interface RedisCommandCall {
  /** Upper case: "SMEMBERS". */
  command: string;
  /** The command's arguments (for `call("X", …)`, the ones after the name). */
  args: Node[];
  /** Whether it is spelled `call("X", …)` (RedisClient, or redis-rb's generic call). */
  generic: boolean;
}

/** The Redis command a call on a known client sends, or undefined for a method that is not one we know. */
export function redisCommandOf(call: CallInfo): RedisCommandCall | undefined {
  if (call.name === 'call' || call.name === 'call_v' || call.name === 'blocking_call') {
    const first = call.name === 'blocking_call' ? call.args[1] : call.args[0];
    const name = first && (first.type === 'string' || first.type === 'simple_symbol') ? literalName(first) : undefined;
    if (!name) return undefined;
    const command = name.toUpperCase();
    if (!COMMAND_COMPLEXITY[command] || call.name === 'call_v') return undefined;
    return { command, args: call.args.slice(call.args.indexOf(first) + 1), generic: true };
  }
  const command = METHOD_COMMANDS[call.name] ?? call.name.toUpperCase();
  return COMMAND_COMPLEXITY[command] ? { command, args: call.args, generic: false } : undefined;
}

/** Method names worth resolving the receiver of: commands, `call`, and Kredis collection reads. */
export function isCommandName(name: string): boolean {
  return name === 'call' || name === 'blocking_call' || name === 'members' || name === 'elements' || name === 'to_h'
    || name in METHOD_COMMANDS || name.toUpperCase() in COMMAND_COMPLEXITY;
}
