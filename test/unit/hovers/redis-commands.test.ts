import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HoverInput } from '../../../server/src/core/hover';
import { redisCommandHover } from '../../../server/src/hovers/redis-commands';
import { parseRuby } from '../../../server/src/parsing/treeSitter';
import { RedisClientLoader } from '../../../server/src/project/redisClients';
import { APP_ROOT, initParsers } from '../../helpers/ruleTester';
import { redisApp } from '../../helpers/redisApp';

before(initParsers);

/** Hover at the first occurrence of `word` on the given 0-based line. */
function hover(text: string, line: number, word: string) {
  const derived = new Map<string, unknown>();
  const tree = parseRuby(text);
  const character = text.split('\n')[line].indexOf(word) + 1;
  const input: HoverInput = {
    file: path.join(APP_ROOT, 'app/models/feed.rb'), text, kind: 'model', tree, app: redisApp(), position: { line, character },
    derive: <T>(key: string, compute: () => T): T => {
      if (!derived.has(key)) derived.set(key, compute());
      return derived.get(key) as T;
    },
  };
  try { return redisCommandHover.hover(input)?.markdown; } finally { tree.delete(); }
}

const CODE = `class Feed
  def redis
    @redis ||= Redis.new
  end

  def show(params)
    redis.keys("feed:*")
    redis.smembers("members")
    redis.get("feed:1")
    RedisClient.new.call("HGETALL", "h")
    params.keys
  end
end
`;

describe('Redis command hover', () => {
  test('the complexity of KEYS, SMEMBERS, GET and `call("HGETALL")`, with how the client is known', () => {
    assert.equal(hover(CODE, 6, 'keys'), '**KEYS** — O(N) over every key in the database; blocks the server until it has walked them all.\n\n'
      + '`redis` is a Redis client: method `redis` returns `Redis.new` on line 3.');
    assert.match(hover(CODE, 7, 'smembers')!, /^\*\*SMEMBERS\*\* — O\(N\) in the set's size\./);
    assert.match(hover(CODE, 8, 'get')!, /^\*\*GET\*\* — O\(1\)\./);
    assert.match(hover(CODE, 9, 'call')!, /^\*\*HGETALL\*\* — O\(N\) in the hash's size\.\n\n`RedisClient\.new` is a Redis client: `RedisClient\.new`\./);
  });

  test('no hover on `params.keys`, on the receiver, or on an argument', () => {
    assert.equal(hover(CODE, 10, 'keys'), undefined);
    assert.equal(hover(CODE, 6, 'redis'), undefined);
    assert.equal(hover(CODE, 6, 'feed'), undefined);
  });
});

describe('Redis clients from config/initializers', () => {
  test('globals and constants assigned a client or a pool; other assignments are ignored', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-clients-'));
    try {
      fs.mkdirSync(path.join(root, 'config/initializers/nested'), { recursive: true });
      fs.writeFileSync(path.join(root, 'config/initializers/redis.rb'), '$redis = Redis.new(url: ENV["REDIS_URL"])\nREDIS_POOL = ConnectionPool.new(size: 5) { Redis.new }\n$settings = {}\n');
      fs.writeFileSync(path.join(root, 'config/initializers/nested/cache.rb'), 'CACHE_REDIS = Redis::Namespace.new("c", redis: Redis.new)\nOTHER = Foo.new\n');
      fs.mkdirSync(path.join(root, 'app/models/concerns'), { recursive: true });
      fs.writeFileSync(path.join(root, 'app/models/concerns/redisable.rb'), 'module Redisable\n  private\n\n  def redis\n    Redis.current\n  end\n\n  def store\n    @store\n  end\nend\n');
      const loader = new RedisClientLoader(root, { read: (f) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : undefined), exists: (f) => fs.existsSync(f) }, () => undefined);
      const clients = loader.get();
      assert.deepEqual([...clients.globals.keys()], ['$redis']);
      assert.equal(clients.globals.get('$redis')!.info.evidence, 'assigned `Redis.new` in config/initializers/redis.rb:1');
      assert.deepEqual([...clients.constants.entries()].map(([k, v]) => [k, v.kind, v.info.flavor]).sort(),
        [['CACHE_REDIS', 'client', 'namespace'], ['REDIS_POOL', 'pool', 'redis-rb']]);
      assert.deepEqual([...clients.moduleMethods!.get('Redisable')!.keys()], ['redis']);
      assert.equal(clients.moduleMethods!.get('Redisable')!.get('redis')!.info.evidence,
        'method `redis` of `Redisable` returns a Redis client, app/models/concerns/redisable.rb:4');
      // Second pass: a module method returning what another app class's method returns.
      fs.mkdirSync(path.join(root, 'app/lib'), { recursive: true });
      fs.writeFileSync(path.join(root, 'app/lib/redis_connection.rb'), `class RedisConnection
  class << self
    def pool
      @pool ||= establish_pool(5)
    end

    def establish_pool(size)
      @pool = ConnectionPool.new(size: size) { new.connection }
    end
  end

  def connection
    Redis.new(url: ENV["REDIS_URL"])
  end
end
`);
      fs.writeFileSync(path.join(root, 'app/models/concerns/pooled.rb'), 'module Pooled\n  def redis\n    Thread.current[:redis] ||= RedisConnection.pool.checkout\n  end\nend\n');
      const fresh = new RedisClientLoader(root, { read: (f) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : undefined), exists: (f) => fs.existsSync(f) }, () => undefined).get();
      assert.equal(fresh.moduleMethods!.get('RedisConnection')!.get('pool')!.kind, 'pool');
      assert.equal(fresh.moduleMethods!.get('Pooled')!.get('redis')!.info.evidence, 'method `redis` of `Pooled` returns a Redis client, app/models/concerns/pooled.rb:2');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
