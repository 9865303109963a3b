import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/redis/deprecated-georadius';
import { initParsers } from '../../../helpers/ruleTester';
import { checkRedis, fixed, where } from '../../../helpers/redisApp';

before(initParsers);

const FILE = 'app/models/store_locator.rb';
const CODE = `class StoreLocator
  def nearby(lon, lat)
    redis = Redis.new
    redis.georadius("stores", lon, lat, 5, "km", sort: "asc", count: 10, options: :withdist)
  end

  def near_store(id)
    Redis.current.georadiusbymember("stores", id, 2, "km")
  end
end
`;

describe('redis/deprecated-georadius', () => {
  test('redis gem 6: hint, fix to geosearch with the same query in keyword syntax', () => {
    const findings = checkRedis(rule, CODE, FILE, { gems: { redis: '6.0.0' } });
    assert.deepEqual(where(findings), [[3, 10, 'hint'], [7, 18, 'hint']]);
    assert.equal(findings[0].headline, 'GEORADIUS is deprecated since Redis 6.2; GEOSEARCH replaces it');
    assert.equal(findings[0].fixes[0].title, 'Use `geosearch` (needs a Redis server 6.2 or newer)');
    assert.equal(fixed(CODE, findings[0], FILE), CODE.replace('georadius("stores", lon, lat, 5, "km", sort: "asc", count: 10, options: :withdist)',
      'geosearch("stores", fromlonlat: [lon, lat], byradius: [5, "km"], sort: "asc", count: 10, withdist: true)'));
    assert.equal(fixed(CODE, findings[1], FILE), CODE.replace('georadiusbymember("stores", id, 2, "km")', 'geosearch("stores", frommember: id, byradius: [2, "km"])'));
  });

  test('redis gem 5 (no geosearch method) or an unknown version: the hint without a fix', () => {
    for (const gems of [{ redis: '5.4.1' }, {}] as Record<string, string>[]) {
      const findings = checkRedis(rule, CODE, FILE, { gems });
      assert.deepEqual(where(findings), [[3, 10, 'hint'], [7, 18, 'hint']]);
      assert.deepEqual(findings.map((f) => f.fixes.length), [0, 0]);
    }
  });

  test('`call("GEORADIUS", …)` on a RedisClient: hint, no fix', () => {
    const code = 'class Geo\n  def find\n    RedisClient.new.call("GEORADIUS", "stores", 1, 2, 3, "km")\n  end\nend\n';
    assert.deepEqual(where(checkRedis(rule, code, 'app/models/geo.rb')), [[2, 20, 'hint']]);
  });

  test('near miss: georadius in a comment or a string, and on an unknown receiver', () => {
    const code = `class Geo
  # TODO: replace redis.georadius("stores", 1, 2, 3, "km") with GEOSEARCH
  def doc
    "redis.georadius(key, lon, lat, r, unit)"
  end

  def find(index)
    index.georadius("stores", 1, 2, 3, "km")
  end
end
`;
    assert.deepEqual(checkRedis(rule, code, 'app/models/geo.rb'), []);
  });

  test('near miss: test files are silent', () => {
    assert.deepEqual(checkRedis(rule, 'Redis.new.georadius("s", 1, 2, 3, "km")\n', 'test/models/geo_test.rb'), []);
  });
});
