import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-column-auto-increment';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

const mysql = () => appFacts({ adapter: { value: 'mysql', source: 'test' } });

describe('migrations/add-column-auto-increment', () => {
  test('reports :primary_key, :serial, :bigserial and t.bigserial on PostgreSQL', () => {
    const code = migration('add_column :events, :seq, :bigserial\nadd_column :events, :id, :primary_key\nchange_table :events do |t|\n  t.serial :n\nend');
    const findings = run(rule, code);
    assert.deepEqual(findings.map(at).map((f) => [f.line, f.column]), [[3, 5], [4, 5], [6, 9]]);
    assert.match(findings[0].message, /generated for every existing row/);
  });

  test('MySQL: :primary_key and auto_increment: true, not :serial', () => {
    assert.equal(run(rule, migration('add_column :events, :id, :primary_key'), { app: mysql() }).length, 1);
    assert.match(run(rule, migration('add_column :events, :n, :integer, auto_increment: true'), { app: mysql() })[0].message, /replicas/);
    assert.equal(run(rule, migration('add_column :events, :n, :serial'), { app: mysql() }).length, 0);
  });

  test('near misses: integer, new table, SQLite, safety_assured', () => {
    assert.equal(run(rule, migration('add_column :events, :n, :integer')).length, 0);
    assert.equal(run(rule, migration('create_table :events\nadd_column :events, :seq, :bigserial')).length, 0);
    assert.equal(run(rule, migration('add_column :events, :seq, :bigserial'), { app: appFacts({ adapter: { value: 'sqlite', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('safety_assured { add_column :events, :seq, :bigserial }')).length, 0);
  });
});
