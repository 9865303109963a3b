import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-index-too-many-columns';
import { at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

describe('migrations/add-index-too-many-columns', () => {
  test('reports a non-unique index on 4 columns as info', () => {
    const findings = run(rule, migration('add_index :appointments, [:clinic_id, :doctor_id, :starts_at, :status], algorithm: :concurrently'));
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/add-index-too-many-columns', line: 3, column: 5 }]);
    assert.equal(findings[0].severity, 'info');
    assert.match(findings[0].message, /4 columns \(clinic_id, doctor_id, starts_at, status\)/);
  });

  test('t.index in create_table and change_table, %i[] lists', () => {
    assert.equal(run(rule, migration('create_table :visits do |t|\n  t.index %i[a b c d]\nend')).length, 1);
    assert.equal(run(rule, migration('change_table :visits do |t|\n  t.index [:a, :b, :c, :d, :e]\nend')).length, 1);
  });

  test('near misses: 3 columns, unique, safety_assured', () => {
    assert.equal(run(rule, migration('add_index :visits, [:a, :b, :c]')).length, 0);
    assert.equal(run(rule, migration('add_index :visits, [:a, :b, :c, :d], unique: true')).length, 0);
    assert.equal(run(rule, migration('safety_assured { add_index :visits, [:a, :b, :c, :d] }')).length, 0);
  });
});
