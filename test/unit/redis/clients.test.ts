import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RedisClients } from '../../../server/src/redis/clients';
import { isCommandName } from '../../../server/src/redis/commands';
import { parseRuby } from '../../../server/src/parsing/treeSitter';
import { initParsers } from '../../helpers/ruleTester';

before(initParsers);

/** The receiver of each command call in the code, with the flavor it resolved to (or null). */
function receivers(code: string): [string, string | null][] {
  const tree = parseRuby(code);
  try {
    const clients = new RedisClients(tree);
    const out: [string, string | null][] = [];
    for (const call of tree.rootNode.descendantsOfType('call')) {
      const name = call!.childForFieldName('method')!.text;
      const recv = call!.childForFieldName('receiver');
      if (!recv || !isCommandName(name)) continue;
      out.push([`${recv.text}.${name}`, clients.client(recv)?.flavor ?? null]);
    }
    return out;
  } finally {
    tree.delete();
  }
}

describe('Redis client resolution', () => {
  test('pools, Sidekiq, namespaces, numbered and `it` block parameters, multi blocks', () => {
    const code = `POOL = ConnectionPool.new(size: 5) { Redis.new }
POOL.with { |r| r.get("a") }
Sidekiq.redis_pool.with { |c| c.get("b") }
Sidekiq.redis { _1.get("c") }
Sidekiq.redis { it.get("d") }
NS = Redis::Namespace.new("app", redis: Redis.new)
NS.multi { |tx| tx.get("e") }
Kredis.set("tags").members
`;
    assert.deepEqual(receivers(code), [
      ['r.get', 'redis-rb'], ['c.get', 'sidekiq'], ['_1.get', 'sidekiq'], ['it.get', 'sidekiq'], ['tx.get', 'namespace'], ['Kredis.set("tags").members', 'kredis'], ['Kredis.set', null],
    ]);
  });

  test('unknown: a local reassigned something else, a method parameter, an ivar set from an argument, a shadowing block parameter', () => {
    const code = `class Store
  def initialize(client)
    @client = client
  end

  def a
    r = Redis.new
    r = {} if ENV["X"]
    r.get("a")
  end

  def b(redis)
    redis.get("b")
  end

  def c
    @client.get("c")
  end

  def d
    redis = Redis.new
    [1].each { |redis| redis.get("d") }
  end
end
`;
    assert.deepEqual(receivers(code), [['r.get', null], ['redis.get', null], ['@client.get', null], ['redis.get', null]]);
  });
});
