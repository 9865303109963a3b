import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/index-concurrently-pg14-corruption';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

const pg = (value: string) => appFacts({ databaseVersion: { value, source: '.rails-hazards.yml database.version' } });
const concurrent = (body: string) => migration(body).replace('Migration[7.2]\n', 'Migration[7.2]\n  disable_ddl_transaction!\n\n');

describe('migrations/index-concurrently-pg14-corruption', () => {
  test('reports concurrent index builds on PostgreSQL 14.0-14.3', () => {
    const findings = run(rule, concurrent('add_index :visits, :day, algorithm: :concurrently'), { app: pg('14.2') });
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/index-concurrently-pg14-corruption', line: 5, column: 5 }]);
    assert.match(findings[0].message, /PostgreSQL 14\.2 \(from \.rails-hazards\.yml database\.version\)/);
    assert.match(findings[0].message, /Upgrade the server to 14\.4/);
  });

  test('add_reference index hashes, SQL CREATE INDEX / REINDEX CONCURRENTLY; even inside safety_assured', () => {
    assert.equal(run(rule, concurrent('add_reference :visits, :room, index: { algorithm: :concurrently }'), { app: pg('14.1') }).length, 1);
    assert.equal(run(rule, concurrent('execute "CREATE INDEX CONCURRENTLY i ON visits (day)"'), { app: pg('14.0') }).length, 1);
    assert.equal(run(rule, concurrent('execute "REINDEX INDEX CONCURRENTLY i"'), { app: pg('14.3') }).length, 1);
    assert.equal(run(rule, concurrent('safety_assured { add_index :visits, :day, algorithm: :concurrently }'), { app: pg('14.1') }).length, 1);
  });

  test('near misses: 14.4+, 13, unknown version, MySQL, non-concurrent builds, DROP INDEX CONCURRENTLY', () => {
    const code = concurrent('add_index :visits, :day, algorithm: :concurrently');
    assert.equal(run(rule, code, { app: pg('14.4') }).length, 0);
    assert.equal(run(rule, code, { app: pg('13.9') }).length, 0);
    // A major only is "some 14.x": it may well be 14.4+, so no finding (only the hover mentions 14.0–14.3).
    assert.equal(run(rule, code, { app: pg('14') }).length, 0);
    assert.equal(run(rule, code, { app: appFacts({ databaseVersion: { value: '14', source: 'StrongMigrations.target_version' } }) }).length, 0);
    assert.equal(run(rule, concurrent('execute "CREATE INDEX CONCURRENTLY i ON visits (day)"'), { app: pg('14') }).length, 0);
    assert.equal(run(rule, code).length, 0);
    assert.equal(run(rule, code, { app: appFacts({ adapter: { value: 'mysql', source: 'test' }, databaseVersion: { value: '14.2', source: 'x' } }) }).length, 0);
    assert.equal(run(rule, migration('add_index :visits, :day'), { app: pg('14.2') }).length, 0);
    assert.equal(run(rule, concurrent('execute "DROP INDEX CONCURRENTLY i"'), { app: pg('14.2') }).length, 0);
  });
});
