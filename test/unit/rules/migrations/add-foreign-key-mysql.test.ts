import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-foreign-key-mysql';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

const mysql = () => appFacts({ adapter: { value: 'mysql', source: 'config/database.yml' } });

describe('migrations/add-foreign-key-mysql', () => {
  test('reports foreign keys on existing tables on MySQL, even with validate: false', () => {
    const code = migration('add_foreign_key :orders, :users, validate: false\nadd_reference :orders, :shop, foreign_key: true\nchange_table :orders do |t|\n  t.foreign_key :coupons\nend');
    const findings = run(rule, code, { app: mysql() });
    assert.deepEqual(findings.map(at).map((f) => [f.line, f.column]), [[3, 5], [4, 5], [6, 9]]);
    assert.match(findings[0].message, /ALGORITHM=COPY/);
    assert.match(findings[0].message, /foreign_key_checks/);
    assert.equal(findings[0].fixes.length, 0);
  });

  test('MariaDB is named from its version', () => {
    const app = appFacts({ adapter: { value: 'mysql', source: 'test' }, databaseVersion: { value: '10.11', source: 'test' } });
    assert.match(run(rule, migration('add_foreign_key :orders, :users'), { app })[0].message, /MariaDB 10\.11/);
  });

  test('near misses: PostgreSQL, new table, create_table, safety_assured, references without FK', () => {
    assert.equal(run(rule, migration('add_foreign_key :orders, :users')).length, 0);
    assert.equal(run(rule, migration('create_table :orders\nadd_foreign_key :orders, :users'), { app: mysql() }).length, 0);
    assert.equal(run(rule, migration('create_table :orders do |t|\n  t.references :user, foreign_key: true\nend'), { app: mysql() }).length, 0);
    assert.equal(run(rule, migration('safety_assured { add_foreign_key :orders, :users }'), { app: mysql() }).length, 0);
    assert.equal(run(rule, migration('add_reference :orders, :user'), { app: mysql() }).length, 0);
  });
});
