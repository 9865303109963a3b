import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/multiple-foreign-keys';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

describe('migrations/multiple-foreign-keys', () => {
  test('reports the second distinct referenced table', () => {
    const findings = run(rule, migration('add_foreign_key :appointments, :patients, validate: false\nadd_foreign_key :appointments, :doctors, validate: false'));
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/multiple-foreign-keys', line: 4, column: 5 }]);
    assert.match(findings[0].message, /adds foreign keys to patients and doctors/);
  });

  test('inline in create_table counts (references with foreign_key:, t.foreign_key)', () => {
    const code = migration('create_table :appointments do |t|\n  t.references :patient, foreign_key: true\n  t.references :doctor, foreign_key: { to_table: :staff }\nend');
    const findings = run(rule, code);
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /patients and staff/);
    assert.equal(run(rule, migration('create_table :a do |t|\n  t.foreign_key :patients\n  t.foreign_key :doctors\nend')).length, 1);
  });

  test('three tables: one finding at the second, naming all three', () => {
    const findings = run(rule, migration('add_reference :a, :patient, foreign_key: true\nadd_reference :a, :doctor, foreign_key: true\nadd_reference :a, :clinic, foreign_key: true'));
    assert.deepEqual(findings.map(at).map((f) => f.line), [4]);
    assert.match(findings[0].message, /patients, doctors and clinics/);
  });

  test('near misses: same table twice, self reference, referenced table created here, disable_ddl_transaction!, MySQL', () => {
    assert.equal(run(rule, migration('create_table :messages do |t|\n  t.references :sender, foreign_key: { to_table: :users }\n  t.references :recipient, foreign_key: { to_table: :users }\nend')).length, 0);
    assert.equal(run(rule, migration('add_foreign_key :users, :users, column: :manager_id\nadd_foreign_key :users, :clinics')).length, 0);
    assert.equal(run(rule, migration('create_table :rooms\nadd_foreign_key :visits, :rooms\nadd_foreign_key :visits, :patients')).length, 0);
    assert.equal(run(rule, migration('add_foreign_key :a, :b\nadd_foreign_key :a, :c').replace('Migration[7.2]\n', 'Migration[7.2]\n  disable_ddl_transaction!\n')).length, 0);
    assert.equal(run(rule, migration('add_foreign_key :a, :b\nadd_foreign_key :a, :c'), { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('add_reference :a, :b, foreign_key: false\nadd_reference :a, :c, foreign_key: true')).length, 0);
  });
});
