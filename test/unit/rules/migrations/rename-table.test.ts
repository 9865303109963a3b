import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/rename-table';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

describe('migrations/rename-table', () => {
  test('reports rename_table with both names', () => {
    const findings = run(rule, migration('rename_table :visits, :appointments'));
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/rename-table', line: 3, column: 5 }]);
    assert.match(findings[0].message, /Renaming table visits to appointments/);
    assert.match(findings[0].message, /create `appointments`, write to both tables/);
  });

  test('connection.rename_table bypasses strong_migrations but not this check', () => {
    assert.equal(run(rule, migration('connection.rename_table "visits", "appointments"')).length, 1);
  });

  test('near miss: the old name is re-created right after the rename (a table swap), so running queries still find it', () => {
    const swap = migration('rename_table :events, :events_archive\ncreate_table :events do |t|\n  t.string :name\nend');
    assert.equal(run(rule, swap).length, 0);
    // Re-creating a different name is no swap: queries on the old name still fail.
    const other = migration('rename_table :events, :events_archive\ncreate_table :event_logs do |t|\n  t.string :name\nend');
    assert.deepEqual(run(rule, other).map(at), [{ rule: 'migrations/rename-table', line: 3, column: 5 }]);
  });

  test('near misses: table created in this migration, down, safety_assured, disable_check', () => {
    assert.equal(run(rule, migration('create_table :tmp_visits\nrename_table :tmp_visits, :visits')).length, 0);
    assert.equal(run(rule, 'class X < ActiveRecord::Migration[7.2]\n  def down\n    rename_table :appointments, :visits\n  end\nend\n').length, 0);
    assert.equal(run(rule, migration('safety_assured { rename_table :visits, :appointments }')).length, 0);
    const app = appFacts({ strongMigrations: { safeByDefault: false, disabledChecks: ['rename_table'], checkDown: false } });
    assert.equal(run(rule, migration('rename_table :visits, :appointments'), { app }).length, 0);
  });
});
