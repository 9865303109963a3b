import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-column-not-null-without-default';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { assertParses, lines } from '../../../helpers/migrationTester';

before(initParsers);

describe('migrations/add-column-not-null-without-default', () => {
  test('reports add_column, add_reference, t.<type>, add_timestamps and t.timestamps', () => {
    const code = migration([
      'add_column :users, :role, :string, null: false',
      'add_column :users, :plan, :string, null: false, default: nil',
      'add_reference :users, :team, null: false, index: false',
      'add_timestamps :users',
      'change_table :posts do |t|',
      '  t.integer :rank, null: false',
      '  t.timestamps',
      'end',
    ].join('\n'));
    const findings = run(rule, code);
    assert.deepEqual(findings.map(at).map((f) => [f.line, f.column]), [[3, 5], [4, 5], [5, 5], [6, 5], [8, 9], [9, 9]]);
    assert.match(findings[0].message, /column contains null values/);
    assert.match(findings[3].message, /NOT NULL by default since Rails 5\.0/);
  });

  test('fixes: remove null: false; timestamps get null: true', () => {
    const code = migration('add_column :users, :role, :string, null: false');
    const fixed = applyFix(code, run(rule, code)[0].fixes[0]);
    assert.equal(fixed, lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_column :users, :role, :string',
      '  end',
      'end',
    ));
    assert.equal(run(rule, fixed).length, 0);
    assertParses(fixed);
    const ts = migration('add_timestamps :users');
    const tsFixed = applyFix(ts, run(rule, ts)[0].fixes[0]);
    assert.match(tsFixed, /add_timestamps :users, null: true\n/);
    assert.equal(run(rule, tsFixed).length, 0);
  });

  test('near misses: default, nullable, new table, virtual, Migration[4.2] timestamps, MySQL', () => {
    assert.equal(run(rule, migration('add_column :users, :role, :string, null: false, default: "member"')).length, 0);
    assert.equal(run(rule, migration('add_column :users, :role, :string')).length, 0);
    assert.equal(run(rule, migration('create_table :users\nadd_column :users, :role, :string, null: false')).length, 0);
    assert.equal(run(rule, migration('create_table :users do |t|\n  t.string :role, null: false\n  t.timestamps\nend')).length, 0);
    assert.equal(run(rule, migration('add_column :users, :full, :virtual, type: :string, as: "a || b", stored: true, null: false')).length, 0);
    assert.equal(run(rule, migration('add_timestamps :users', 'class X < ActiveRecord::Migration[4.2]')).length, 0);
    assert.equal(run(rule, migration('add_timestamps :users, null: true')).length, 0);
    assert.equal(run(rule, migration('add_column :users, :role, :string, null: false'), { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
  });
});
