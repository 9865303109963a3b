import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-column-default-table-rewrite-legacy';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { assertParses, lines } from '../../../helpers/migrationTester';

before(initParsers);

const db = (adapter: 'postgresql' | 'mysql', version?: string) => appFacts({
  adapter: { value: adapter, source: 'test' },
  databaseVersion: version ? { value: version, source: '.rails-hazards.yml database.version' } : undefined,
});

describe('migrations/add-column-default-table-rewrite-legacy', () => {
  test('reports any default on PostgreSQL 10, MySQL 5.7, MariaDB 10.2', () => {
    const code = migration('add_column :users, :active, :boolean, default: true\nchange_table :users do |t|\n  t.integer :rank, default: 0\nend');
    assert.deepEqual(run(rule, code, { app: db('postgresql', '10.4') }).map(at).map((f) => [f.line, f.column]), [[3, 5], [5, 9]]);
    assert.match(run(rule, code, { app: db('postgresql', '10.4') })[0].message, /PostgreSQL 10\.4 \(no fast default before PostgreSQL 11\)/);
    assert.equal(run(rule, code, { app: db('mysql', '5.7.44') }).length, 2);
    assert.equal(run(rule, code, { app: db('mysql', '10.2.44') }).length, 2);
    // A major only: every 10.x is before 11, so the claim holds for "some 10.x".
    assert.equal(run(rule, code, { app: db('postgresql', '10') }).length, 2);
  });

  test('near misses: a version without the minor the claim needs (MySQL "8.0" may be 8.0.12+, MariaDB "10" may be 10.3.2+)', () => {
    const code = migration('add_column :users, :active, :boolean, default: true');
    assert.equal(run(rule, code, { app: db('mysql', '8.0') }).length, 0);
    assert.equal(run(rule, code, { app: db('mysql', '8') }).length, 0);
    assert.equal(run(rule, code, { app: db('mysql', '10') }).length, 0);
    assert.equal(run(rule, code, { app: db('mysql', '10.3') }).length, 0);
  });

  test('fix: split the default', () => {
    const code = migration('add_column :users, :active, :boolean, default: true');
    const fixed = applyFix(code, run(rule, code, { app: db('postgresql', '10') })[0].fixes[0]);
    assert.equal(fixed, lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_column :users, :active, :boolean',
      '    change_column_default :users, :active, from: nil, to: true',
      '  end',
      'end',
    ));
    assert.equal(run(rule, fixed, { app: db('postgresql', '10') }).length, 0);
    assertParses(fixed);
  });

  test('safe-pg-migrations downgrades to info on PostgreSQL', () => {
    const app = db('postgresql', '10');
    app.gems = new Map([['safe-pg-migrations', '2.1.0']]);
    assert.equal(run(rule, migration('add_column :users, :active, :boolean, default: true'), { app })[0].severity, 'info');
  });

  test('near misses: unknown version (newest assumed), PG 11+, MySQL 8.0.12+, MariaDB 10.3.2+, nil default, new table', () => {
    const code = migration('add_column :users, :active, :boolean, default: true');
    assert.equal(run(rule, code).length, 0);
    assert.equal(run(rule, code, { app: db('postgresql', '11') }).length, 0);
    assert.equal(run(rule, code, { app: db('mysql', '8.0.12') }).length, 0);
    assert.equal(run(rule, code, { app: db('mysql', '10.3.2') }).length, 0);
    assert.equal(run(rule, migration('add_column :users, :active, :boolean, default: nil'), { app: db('postgresql', '10') }).length, 0);
    assert.equal(run(rule, migration('create_table :users\nadd_column :users, :active, :boolean, default: true'), { app: db('postgresql', '10') }).length, 0);
  });
});
