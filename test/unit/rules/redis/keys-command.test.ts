import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/redis/keys-command';
import { initParsers } from '../../../helpers/ruleTester';
import { checkRedis, fixed, where } from '../../../helpers/redisApp';

before(initParsers);

const JOB = 'app/jobs/session_sweep_job.rb';

describe('redis/keys-command', () => {
  test('KEYS on a local Redis.new iterated with each: warning on `keys`, fix iterates scan_each', () => {
    const code = `class SessionSweepJob < ApplicationJob
  def perform
    redis = Redis.new(url: ENV["REDIS_URL"])
    redis.keys("session:*").each do |key|
      redis.del(key) if redis.ttl(key) == -1
    end
  end
end
`;
    const findings = checkRedis(rule, code, JOB);
    assert.deepEqual(where(findings), [[3, 10, 'warning']]);
    assert.equal(findings[0].headline, 'KEYS walks every key in the Redis database and blocks the server until it is done');
    assert.match(findings[0].detail!, /`redis` is a Redis client \(assigned `Redis\.new` on line 3\)\. KEYS is O\(N\) over the whole keyspace/);
    assert.match(findings[0].detail!, /`redis\.scan_each\(match: "session:\*", count: 1000\)`/);
    assert.equal(findings[0].fixes[0].title, 'Iterate the keys with SCAN, 1000 per step (`scan_each`)');
    assert.equal(findings[0].fixes[0].safety, 'unsafe');
    assert.equal(fixed(code, findings[0], JOB), code.replace('redis.keys("session:*").each', 'redis.scan_each(match: "session:*", count: 1000).each'));
  });

  test('a memoized `def redis` of the same class; the result kept as an array: fix collects with to_a', () => {
    const file = 'app/models/presence.rb';
    const code = `class Presence
  def online_user_ids
    ids = redis.keys("online:*")
    ids.map { |k| k.split(":").last.to_i }
  end

  private

  def redis
    @redis ||= Redis.new
  end
end
`;
    const findings = checkRedis(rule, code, file);
    assert.deepEqual(where(findings), [[2, 16, 'warning']]);
    assert.match(findings[0].detail!, /`redis` is a Redis client \(method `redis` returns `Redis\.new` on line 10\)/);
    assert.equal(fixed(code, findings[0], file), code.replace('redis.keys("online:*")', 'redis.scan_each(match: "online:*", count: 1000).to_a'));
  });

  test('RedisClient `call("KEYS", …)` and `call(:keys, …)`: warning, no fix (redis-client has another SCAN API)', () => {
    const file = 'app/services/cache_report.rb';
    const code = `class CacheReport
  CLIENT = RedisClient.config(url: ENV["REDIS_URL"]).new_client

  def run
    CLIENT.call("KEYS", "cache:*").size + CLIENT.call(:keys, "tmp:*").size
  end
end
`;
    const findings = checkRedis(rule, code, file);
    assert.deepEqual(where(findings), [[4, 11, 'warning'], [4, 49, 'warning']]);
    assert.deepEqual(findings.map((f) => f.fixes.length), [0, 0]);
  });

  test('the connection Sidekiq yields: fix on Sidekiq 6 (redis-rb), none on Sidekiq 7 (redis-client adapter)', () => {
    const file = 'app/models/queue_stats.rb';
    const code = `class QueueStats
  def self.lock_keys
    Sidekiq.redis { |conn| conn.keys("lock:*") }
  end
end
`;
    const six = checkRedis(rule, code, file, { gems: { sidekiq: '6.5.12', redis: '4.8.1' } });
    assert.deepEqual(where(six), [[2, 32, 'warning']]);
    assert.equal(fixed(code, six[0], file), code.replace('conn.keys("lock:*")', 'conn.scan_each(match: "lock:*", count: 1000).to_a'));
    const seven = checkRedis(rule, code, file, { gems: { sidekiq: '7.3.10' } });
    assert.deepEqual(where(seven), [[2, 32, 'warning']]);
    assert.deepEqual(seven[0].fixes, []);
  });

  test('a global assigned a Redis client in config/initializers (app-wide fact)', () => {
    const file = 'app/controllers/admin/flags_controller.rb';
    const code = `class Admin::FlagsController < ApplicationController
  def index
    @flags = $redis.keys("flag:*").sort
  end
end
`;
    const clients = { globals: new Map([['$redis', { kind: 'client' as const, info: { flavor: 'redis-rb' as const, evidence: 'assigned `Redis.new` in config/initializers/redis.rb:1' } }]]), constants: new Map() };
    const findings = checkRedis(rule, code, file, { clients });
    assert.deepEqual(where(findings), [[2, 20, 'warning']]);
    assert.match(findings[0].detail!, /config\/initializers\/redis\.rb:1/);
  });

  test('offline code (a rake task) is a hint', () => {
    const code = 'task purge: :environment do\n  r = Redis.new\n  r.keys("tmp:*").each { |k| r.del(k) }\nend\n';
    const findings = checkRedis(rule, code, 'lib/tasks/purge.rake');
    assert.deepEqual(where(findings), [[2, 4, 'hint']]);
    assert.match(findings[0].detail!, /This runs in a rake task/);
  });

  test('near miss: test and spec files are silent', () => {
    const code = 'describe "x" do\n  it "clears" do\n    r = Redis.new\n    r.keys("*")\n  end\nend\n';
    assert.deepEqual(checkRedis(rule, code, 'spec/models/presence_spec.rb'), []);
    assert.deepEqual(checkRedis(rule, code, 'test/models/presence_test.rb'), []);
  });

  test('near miss: Hash#keys, params.keys, ENV.keys, record.attributes.keys', () => {
    const code = `class SettingsController < ApplicationController
  def update
    allowed = { a: 1 }.keys
    names = params.keys
    env = ENV.keys
    cols = current_user.attributes.keys
    render json: [allowed, names, env, cols]
  end
end
`;
    assert.deepEqual(checkRedis(rule, code, 'app/controllers/settings_controller.rb'), []);
  });

  test('near miss: `cache.keys` on an object not known to be Redis', () => {
    const code = 'class Warmup\n  def initialize(cache)\n    @cache = cache\n  end\n\n  def run\n    @cache.keys("x:*")\n    cache = Rails.cache\n    cache.keys("y")\n  end\nend\n';
    assert.deepEqual(checkRedis(rule, code, 'app/services/warmup.rb'), []);
  });

  test('near miss: a `keys` method the app defines', () => {
    const code = `class Registry
  def keys(prefix)
    @entries.select { |k, _| k.start_with?(prefix) }.keys
  end
end

class Lookup
  def run
    Registry.new.keys("user:")
  end
end
`;
    assert.deepEqual(checkRedis(rule, code, 'app/services/registry.rb'), []);
  });
});
