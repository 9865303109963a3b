import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-check-constraint-mysql';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

const mysql = (version?: string) => appFacts({
  adapter: { value: 'mysql', source: 'test' },
  databaseVersion: version ? { value: version, source: '.rails-hazards.yml database.version' } : undefined,
});

describe('migrations/add-check-constraint-mysql', () => {
  test('reports on MySQL 8.0.16+, unknown versions and MariaDB', () => {
    const code = migration('add_check_constraint :products, "price > 0"\nchange_table :products do |t|\n  t.check_constraint "stock >= 0"\nend');
    assert.deepEqual(run(rule, code, { app: mysql() }).map(at).map((f) => [f.line, f.column]), [[3, 5], [5, 9]]);
    assert.equal(run(rule, code, { app: mysql('8.0.36') }).length, 2);
    assert.match(run(rule, code, { app: mysql('10.6') })[0].message, /MariaDB 10\.6/);
  });

  test('near misses: MySQL before 8.0.16 ignores CHECK, PostgreSQL, new table, safety_assured', () => {
    assert.equal(run(rule, migration('add_check_constraint :products, "price > 0"'), { app: mysql('8.0.15') }).length, 0);
    assert.equal(run(rule, migration('add_check_constraint :products, "price > 0"')).length, 0);
    assert.equal(run(rule, migration('create_table :products\nadd_check_constraint :products, "price > 0"'), { app: mysql() }).length, 0);
    assert.equal(run(rule, migration('safety_assured { add_check_constraint :products, "price > 0" }'), { app: mysql() }).length, 0);
  });
});
