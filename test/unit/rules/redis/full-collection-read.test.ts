import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/redis/full-collection-read';
import { initParsers } from '../../../helpers/ruleTester';
import { checkRedis, fixed, where } from '../../../helpers/redisApp';

before(initParsers);

describe('redis/full-collection-read', () => {
  test('a job reading a set this file keeps adding to: warning, with the SADD as evidence; fix walks it with sscan_each', () => {
    const file = 'app/jobs/digest_job.rb';
    const code = `class DigestJob < ApplicationJob
  REDIS = Redis.new

  def self.track(user_id, post_id)
    REDIS.sadd("digest:#{user_id}", post_id)
  end

  def perform(user_id)
    REDIS.smembers("digest:#{user_id}").each do |post_id|
      DigestMailer.item(user_id, post_id).deliver_later
    end
  end
end
`;
    const findings = checkRedis(rule, code, file);
    assert.deepEqual(where(findings), [[8, 10, 'warning']]);
    assert.equal(findings[0].headline, 'SMEMBERS reads the whole set in one reply; it blocks Redis in proportion to its size');
    assert.match(findings[0].detail!, /this file keeps adding to "digest:#\{user_id\}" \(line 5\) without expiring, trimming or deleting it/);
    assert.deepEqual(findings[0].related?.map((r) => r.range.start.line), [4]);
    assert.equal(findings[0].fixes[0].title, 'Walk the set with SSCAN, 1000 per step (`sscan_each`)');
    assert.equal(fixed(code, findings[0], file), code.replace('REDIS.smembers("digest:#{user_id}").each', 'REDIS.sscan_each("digest:#{user_id}", count: 1000).each'));
  });

  test('the same read when the key is also expired in the file: hint', () => {
    const file = 'app/jobs/digest_job.rb';
    const code = `class DigestJob < ApplicationJob
  def perform(user_id)
    redis = Redis.new
    redis.sadd("digest", user_id)
    redis.expire("digest", 3600)
    redis.smembers("digest").to_a
  end
end
`;
    const findings = checkRedis(rule, code, file);
    assert.deepEqual(where(findings), [[5, 10, 'hint']]);
    assert.equal(fixed(code, findings[0], file), code.replace('redis.smembers("digest").to_a', 'redis.sscan_each("digest", count: 1000).to_a'));
  });

  test('request code with a key of unknown size: hint; HGETALL used as a hash gets no fix', () => {
    const file = 'app/controllers/stats_controller.rb';
    const code = `class StatsController < ApplicationController
  def show
    Rails.cache.redis.with do |r|
      @counts = r.hgetall("stats:#{params[:id]}").transform_values(&:to_i)
    end
  end
end
`;
    const findings = checkRedis(rule, code, file);
    assert.deepEqual(where(findings), [[3, 18, 'hint']]);
    assert.match(findings[0].detail!, /`r` is a Redis client \(yielded by `Rails\.cache\.redis`\)/);
    assert.deepEqual(findings[0].fixes, []);
  });

  test('LRANGE 0 -1, ZRANGE 0 -1 with scores, SUNION, and a Kredis set attribute: hints, no fix', () => {
    const file = 'app/models/board.rb';
    const code = `class Board < ApplicationRecord
  kredis_set :watcher_ids

  def snapshot(redis = nil)
    conn = Redis.new
    [conn.lrange("log", 0, -1), conn.zrange("scores", 0, -1, with_scores: true), conn.sunion("a", "b"), watcher_ids.members]
  end
end
`;
    const findings = checkRedis(rule, code, file);
    assert.deepEqual(where(findings), [[5, 10, 'hint'], [5, 37, 'hint'], [5, 86, 'hint'], [5, 116, 'hint']]);
    assert.deepEqual(findings.map((f) => f.headline!.split(' reads')[0]), ['LRANGE 0 -1', 'ZRANGE 0 -1', 'SUNION', '`members`']);
    assert.match(findings[3].detail!, /`watcher_ids` is a Kredis object \(declared `kredis_set :watcher_ids` on line 2\)/);
    assert.ok(findings.every((f) => f.fixes.length === 0));
  });

  test('`redis` from an app module the class includes (module methods are an app-wide fact)', () => {
    const file = 'app/models/account.rb';
    const code = `class Account < ApplicationRecord
  include Redisable

  def cleanup_feed
    ids = redis.zrange("feed:#{id}", 0, -1)
    Status.where(id: ids).destroy_all
  end
end
`;
    const evidence = 'method `redis` of `Redisable` returns `Redis.current` on line 5 (app/models/concerns/redisable.rb)';
    const clients = { globals: new Map(), constants: new Map(), moduleMethods: new Map([['Redisable', new Map([['redis', { kind: 'client' as const, info: { flavor: 'redis-rb' as const, evidence } }]])]]) };
    const findings = checkRedis(rule, code, file, { clients });
    assert.deepEqual(where(findings), [[4, 16, 'hint']]);
    assert.match(findings[0].detail!, /`redis` is a Redis client \(method `redis` of `Redisable` returns `Redis\.current`/);
    assert.deepEqual(checkRedis(rule, code.replace('include Redisable', 'include Cacheable'), file, { clients }), []);
  });

  test('near miss: a list this file caps with LTRIM is small by design', () => {
    const code = 'class Recent\n  def push(id)\n    r = Redis.new\n    r.lpush("recent", id)\n    r.ltrim("recent", 0, 49)\n  end\n\n  def all\n    Redis.new.lrange("recent", 0, -1)\n  end\nend\n';
    assert.deepEqual(checkRedis(rule, code, 'app/jobs/recent_job.rb'), []);
  });

  test('near miss: lrange(k, 0, 99) and zrange(k, 0, 9) are bounded', () => {
    const code = 'class Feed\n  def latest\n    r = Redis.new\n    r.lrange("log", 0, 99) + r.zrange("top", 0, 9) + r.zrange("top", 0, -1, by_score: true, limit: [0, 10])\n  end\nend\n';
    assert.deepEqual(checkRedis(rule, code, 'app/models/feed.rb'), []);
  });

  test('near miss: smembers on a receiver not known to be Redis', () => {
    const code = 'class Audience\n  def initialize(store)\n    @store = store\n  end\n\n  def ids\n    @store.smembers("audience") + store.smembers("x")\n  end\nend\n';
    assert.deepEqual(checkRedis(rule, code, 'app/models/audience.rb'), []);
  });

  test('near miss: test files are silent', () => {
    const code = 'r = Redis.new\nr.smembers("s")\n';
    assert.deepEqual(checkRedis(rule, code, 'spec/lib/store_spec.rb'), []);
  });
});
