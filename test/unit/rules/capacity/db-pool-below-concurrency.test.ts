import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import rule from '../../../../server/src/rules/capacity/db-pool-below-concurrency';
import { readProcessThreads } from '../../../../server/src/project/processThreads';
import { APP_ROOT, appFacts, applyFix, at, initParsers, run } from '../../../helpers/ruleTester';

before(initParsers);

const DB = 'config/database.yml';

/** Runs the rule on database.yml with the other config files of a small app. */
function check(databaseYml: string, files: Record<string, string>, gems = ['puma', 'sidekiq']) {
  const gemMap = new Map(gems.map((g) => [g, '1.0.0']));
  const processThreads = readProcessThreads({ read: (rel) => files[rel], rootFiles: () => Object.keys(files).filter((f) => !f.includes('/')) }, gemMap);
  return run(rule, databaseYml, { file: DB, app: appFacts({ gems: gemMap, processThreads }) });
}

const PUMA_LITERAL = `workers 2
threads 5, 10
`;

const SINGLE = `default: &default
  adapter: postgresql
  encoding: unicode

production:
  <<: *default
  database: shop_production
  pool: 5
`;

describe('capacity/db-pool-below-concurrency', () => {
  test('a literal pool below Puma\'s literal max threads: reported on the pool value, related on the threads line, fix sets the max', () => {
    const findings = check(SINGLE, { 'config/puma.rb': PUMA_LITERAL });
    assert.deepEqual(findings.map(at), [{ rule: 'capacity/db-pool-below-concurrency', line: 8, column: 9 }]);
    assert.equal(findings[0].headline, 'The production pool has 5 connections but Puma runs 10 threads');
    assert.match(findings[0].message, /`ActiveRecord::ConnectionTimeoutError`/);
    assert.deepEqual(findings[0].related, [{
      file: path.join(APP_ROOT, 'config/puma.rb'), range: { start: { line: 1, character: 0 }, end: { line: 1, character: 13 } },
      message: 'Puma: 10 threads (`threads 5, 10`)',
    }]);
    const fix = findings[0].fixes[0];
    assert.equal(fix.title, 'Set the pool to 10 (changes the production pool size)');
    assert.equal(fix.safety, 'unsafe');
    const fixed = applyFix(SINGLE, fix, DB);
    assert.equal(fixed, SINGLE.replace('pool: 5', 'pool: 10'));
    assert.deepEqual(check(fixed, { 'config/puma.rb': PUMA_LITERAL }), []);
  });

  test('pool and Puma threads read the same variable (the generated Rails app): silent', () => {
    const db = `production:
  adapter: postgresql
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>
`;
    const puma = `max_threads_count = ENV.fetch("RAILS_MAX_THREADS") { 5 }
min_threads_count = ENV.fetch("RAILS_MIN_THREADS") { max_threads_count }
threads min_threads_count, max_threads_count
`;
    assert.deepEqual(check(db, { 'config/puma.rb': puma }), []);
  });

  test('a literal pool below threads from a variable: fix reads the same variable with its default', () => {
    const db = `production:
  adapter: postgresql
  pool: 3
`;
    const puma = `threads_count = Integer(ENV["RAILS_MAX_THREADS"] || 8)
threads threads_count, threads_count
`;
    const findings = check(db, { 'config/puma.rb': puma });
    assert.deepEqual(findings.map(at), [{ rule: 'capacity/db-pool-below-concurrency', line: 3, column: 9 }]);
    assert.equal(findings[0].fixes[0].title, 'Read the pool from RAILS_MAX_THREADS (default 8) like Puma (changes the production pool size)');
    const fixed = applyFix(db, findings[0].fixes[0], DB);
    assert.equal(fixed, db.replace('pool: 3', 'pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 8 } %>'));
    assert.deepEqual(check(fixed, { 'config/puma.rb': puma }), []);
  });

  test('Sidekiq concurrency under production: in sidekiq.yml (ERB default) above an ERB pool of another variable: the ERB tag is replaced', () => {
    const db = `production:
  adapter: postgresql
  pool: <%= ENV.fetch("DB_POOL") { 5 } %>
`;
    const sidekiq = `:concurrency: 2
production:
  :concurrency: <%= ENV.fetch("SIDEKIQ_CONCURRENCY", 12) %>
:queues:
  - default
`;
    const findings = check(db, { 'config/sidekiq.yml': sidekiq });
    assert.deepEqual(findings.map(at), [{ rule: 'capacity/db-pool-below-concurrency', line: 3, column: 9 }]);
    assert.equal(findings[0].headline, 'The production pool has 5 connections but Sidekiq runs 12 threads');
    assert.equal(findings[0].related?.[0].range.start.line, 2);
    const fixed = applyFix(db, findings[0].fixes[0], DB);
    assert.equal(fixed, db.replace('<%= ENV.fetch("DB_POOL") { 5 } %>', '<%= ENV.fetch("SIDEKIQ_CONCURRENCY") { 12 } %>'));
  });

  test('a pool shared through an anchor is reported once, on the anchor\'s line, naming the databases', () => {
    const db = `default: &default
  adapter: postgresql
  pool: 5

production:
  primary:
    <<: *default
    database: app
  replica:
    <<: *default
    database: app
    replica: true
  queue:
    <<: *default
    database: app_queue
    pool: 20
`;
    const findings = check(db, { Procfile: 'web: bundle exec puma -C config/puma.rb\nworker: bundle exec sidekiq -c 15\n' });
    assert.deepEqual(findings.map(at), [{ rule: 'capacity/db-pool-below-concurrency', line: 3, column: 9 }]);
    assert.equal(findings[0].headline, 'The primary, replica pool has 5 connections but Sidekiq runs 15 threads');
    assert.deepEqual(findings[0].related?.map((r) => [r.file, r.range.start.line]), [[path.join(APP_ROOT, 'Procfile'), 1]]);
  });

  test('a url-only production config has Rails\' default pool of 5: reported on its key, fix inserts a pool line', () => {
    const db = `production:
  url: <%= ENV["DATABASE_URL"] %>
`;
    const findings = check(db, { 'config/puma.rb': PUMA_LITERAL });
    assert.deepEqual(findings.map(at), [{ rule: 'capacity/db-pool-below-concurrency', line: 1, column: 1 }]);
    const fixed = applyFix(db, findings[0].fixes[0], DB);
    assert.equal(fixed, 'production:\n  pool: 10\n  url: <%= ENV["DATABASE_URL"] %>\n');
    assert.deepEqual(check(fixed, { 'config/puma.rb': PUMA_LITERAL }), []);
  });

  test('a pool in the url query (?pool=20) counts', () => {
    assert.deepEqual(check('production:\n  url: postgres://db/app?pool=20\n', { 'config/puma.rb': PUMA_LITERAL }), []);
  });

  test('unknown values are not findings: a pool from app config, threads from app config', () => {
    const unknownPool = 'production:\n  adapter: postgresql\n  pool: <%= AppConfig.db_pool %>\n';
    assert.deepEqual(check(unknownPool, { 'config/puma.rb': PUMA_LITERAL }), []);
    const unknownThreads = 'threads 1, Settings.max_threads\n';
    assert.deepEqual(check(SINGLE, { 'config/puma.rb': unknownThreads }), []);
    const noDefault = 'threads 1, ENV.fetch("WEB_THREADS")\n';
    assert.deepEqual(check(SINGLE, { 'config/puma.rb': noDefault }), []);
  });

  test('a pool falling back through two variables follows the one the threads read', () => {
    const db = 'production:\n  adapter: postgresql\n  pool: <%= ENV["DB_POOL"] || ENV["RAILS_MAX_THREADS"] || 2 %>\n';
    assert.deepEqual(check(db, { 'config/puma.rb': 'threads 5, ENV.fetch("RAILS_MAX_THREADS", 16)\n' }), []);
  });

  test('a Procfile line that sets the pool\'s variable for its process: that process\'s pool is the value it sets', () => {
    const db = 'production:\n  adapter: postgresql\n  pool: <%= ENV["DB_POOL"] || 5 %>\n';
    assert.deepEqual(check(db, { Procfile: 'worker: DB_POOL=25 bundle exec sidekiq -c 20\n' }), []);
    assert.equal(check(db, { Procfile: 'worker: DB_POOL=15 bundle exec sidekiq -c 20\n' }).length, 1);
  });

  test('development Procfiles, gems the app does not lock, and a pool at or above the threads: silent', () => {
    assert.deepEqual(check(SINGLE, { 'Procfile.dev': 'worker: bundle exec sidekiq -c 20\n' }), []);
    assert.deepEqual(check(SINGLE, { 'config/puma.rb': PUMA_LITERAL }, ['sidekiq']), []);
    assert.deepEqual(check(SINGLE, { 'config/puma.rb': 'threads 5, 5\n' }), []);
  });

  test('GoodJob max_threads and Solid Queue worker threads count when those gems are locked', () => {
    const goodJob = `module Shop
  class Application < Rails::Application
    config.good_job.max_threads = 10
  end
end
`;
    const gj = check(SINGLE, { 'config/application.rb': goodJob }, ['good_job']);
    assert.equal(gj[0]?.headline, 'The production pool has 5 connections but GoodJob runs 10 threads');
    assert.equal(gj[0]?.related?.[0].range.start.line, 2);
    const queue = `default: &default
  workers:
    - queues: "*"
      threads: 3
    - queues: [mailers]
      threads: 8
production:
  <<: *default
`;
    const sq = check(SINGLE, { 'config/queue.yml': queue }, ['solid_queue']);
    assert.equal(sq[0]?.headline, 'The production pool has 5 connections but Solid Queue runs 8 threads');
    assert.equal(sq[0]?.related?.[0].range.start.line, 5);
  });

  test('no production section, or YAML that does not parse: silent', () => {
    assert.deepEqual(check('development:\n  pool: 1\n', { 'config/puma.rb': PUMA_LITERAL }), []);
    assert.deepEqual(check('production:\n  pool: [5\n', { 'config/puma.rb': PUMA_LITERAL }), []);
  });
});
