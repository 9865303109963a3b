import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/redis/del-instead-of-unlink';
import { initParsers } from '../../../helpers/ruleTester';
import { checkRedis, fixed, where } from '../../../helpers/redisApp';

before(initParsers);

describe('redis/del-instead-of-unlink', () => {
  test('DEL of several keys, of a splat and of an array local: hints, fix renames to unlink', () => {
    const file = 'app/models/session_store.rb';
    const code = `class SessionStore
  def clear(user)
    redis = Redis.new
    redis.del("sess:#{user.id}", "csrf:#{user.id}")
    stale = user.devices.map { |d| "push:#{d.id}" }
    redis.del(stale)
    redis.del(*user.old_keys)
  end
end
`;
    const findings = checkRedis(rule, code, file, { gems: { redis: '5.4.1' } });
    assert.deepEqual(where(findings), [[3, 10, 'hint'], [5, 10, 'hint'], [6, 10, 'hint']]);
    assert.equal(findings[0].headline, 'DEL of several keys frees their memory while Redis waits; UNLINK frees it in the background');
    assert.equal(findings[0].fixes[0].safety, 'safe');
    assert.equal(fixed(code, findings[0], file), code.replace('redis.del("sess', 'redis.unlink("sess'));
    assert.equal(fixed(code, findings[1], file), code.replace('redis.del(stale)', 'redis.unlink(stale)'));
  });

  test('DEL of one key the file fills as a set: hint with the SADD as evidence', () => {
    const file = 'app/jobs/follow_fanout_job.rb';
    const code = `class FollowFanoutJob < ApplicationJob
  def perform(account_id)
    Sidekiq.redis do |conn|
      conn.sadd("followers:#{account_id}", 1)
      conn.del("followers:#{account_id}")
    end
  end
end
`;
    const findings = checkRedis(rule, code, file, { gems: { sidekiq: '7.3.10' } });
    assert.deepEqual(where(findings), [[4, 11, 'hint']]);
    assert.equal(findings[0].headline, 'DEL of a collection frees every element while Redis waits; UNLINK frees it in the background');
    assert.deepEqual(findings[0].related?.map((r) => r.range.start.line), [3]);
    assert.equal(fixed(code, findings[0], file), code.replace('conn.del(', 'conn.unlink('));
  });

  test('RedisClient `call("DEL", a, b)`: fix names UNLINK; a redis gem older than 4.0.2 gets no fix', () => {
    const file = 'app/models/cleaner.rb';
    const code = 'class Cleaner\n  def run\n    RedisClient.new.call("DEL", "a", "b")\n  end\nend\n';
    const findings = checkRedis(rule, code, file);
    assert.deepEqual(where(findings), [[2, 20, 'hint']]);
    assert.equal(fixed(code, findings[0], file), code.replace('"DEL"', '"UNLINK"'));
    const old = 'class Cleaner\n  def run\n    Redis.new.del("a", "b")\n  end\nend\n';
    assert.deepEqual(checkRedis(rule, old, file, { gems: { redis: '3.3.5' } }).map((f) => f.fixes.length), [0]);
  });

  test('near miss: DEL of a single plain string key', () => {
    const code = 'class Lock\n  def release(id)\n    r = Redis.new\n    r.set("lock:#{id}", 1)\n    r.del("lock:#{id}")\n  end\nend\n';
    assert.deepEqual(checkRedis(rule, code, 'app/models/lock.rb'), []);
  });

  test('near miss: DEL of a sorted set this file caps with ZREMRANGEBYRANK', () => {
    const code = 'class Trail\n  def add(id)\n    r = Redis.new\n    r.zadd("trail", id, id)\n    r.zremrangebyrank("trail", 0, -11)\n    r.del("trail") if id.zero?\n  end\nend\n';
    assert.deepEqual(checkRedis(rule, code, 'app/models/trail.rb'), []);
  });

  test('near miss: `del` on an unknown receiver and in test files', () => {
    assert.deepEqual(checkRedis(rule, 'class X\n  def go(store)\n    store.del("a", "b")\n  end\nend\n', 'app/models/x.rb'), []);
    assert.deepEqual(checkRedis(rule, 'Redis.new.del("a", "b")\n', 'spec/models/x_spec.rb'), []);
  });
});
