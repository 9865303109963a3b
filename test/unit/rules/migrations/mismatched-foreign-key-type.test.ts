import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/mismatched-foreign-key-type';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';
import type { Schema, SchemaTable } from '../../../../server/src/project/schema';

before(initParsers);

function table(name: string, primaryKeyType: string, columns: [string, string][] = []): SchemaTable {
  return { name, primaryKeyType, columns: new Map(columns.map(([c, type]) => [c, { name: c, type, null: true, hasDefault: false }])), indexes: [], checks: [] };
}
const schema: Schema = {
  tables: new Map([
    ['patients', table('patients', 'bigint')], ['clinics', table('clinics', 'uuid')], ['doctors', table('doctors', 'integer')],
    ['visits', table('visits', 'bigint', [['patient_id', 'bigint']])],
  ]),
  foreignKeys: [],
};
const app = () => appFacts({ schema });

describe('migrations/mismatched-foreign-key-type', () => {
  test('reports an integer column referencing a bigint key', () => {
    const findings = run(rule, migration('add_column :appointments, :patient_id, :integer'), { app: app() });
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/mismatched-foreign-key-type', line: 3, column: 31 }]);
    assert.match(findings[0].message, /appointments\.patient_id is integer but patients\.id is bigint \(db\/schema\.rb\)/);
  });

  test('fix replaces the type token; whole file; idempotent; parses', () => {
    const code = migration('add_column :appointments, :patient_id, :integer');
    const fixed = applyFix(code, run(rule, code, { app: app() })[0].fixes[0]);
    assert.equal(fixed, [
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_column :appointments, :patient_id, :bigint',
      '  end',
      'end',
      '',
    ].join('\n'));
    assert.equal(run(rule, fixed, { app: app() }).length, 0);
    const tree = parseRuby(fixed);
    assert.equal(tree.rootNode.hasError, false);
    tree.delete();
  });

  test('references to a uuid key without type: get type: :uuid', () => {
    const code = migration('add_reference :appointments, :clinic, foreign_key: true');
    const [finding] = run(rule, code, { app: app() });
    assert.match(finding.message, /appointments\.clinic_id is bigint but clinics\.id is uuid/);
    const fixed = applyFix(code, finding.fixes[0]);
    assert.match(fixed, /add_reference :appointments, :clinic, foreign_key: true, type: :uuid\n/);
    assert.equal(run(rule, fixed, { app: app() }).length, 0);
  });

  test('t.integer in create_table, and a key type taken from create_table earlier in the migration', () => {
    const code = migration('create_table :appointments do |t|\n  t.integer :patient_id\nend');
    const fixed = applyFix(code, run(rule, code, { app: app() })[0].fixes[0]);
    assert.match(fixed, /t\.bigint :patient_id/);
    const created = migration('create_table :rooms, id: :uuid\ncreate_table :beds do |t|\n  t.references :room\nend');
    assert.match(run(rule, created)[0].message, /rooms\.id is uuid \(created in this migration\)/);
  });

  test('near misses: bigint → integer key, matching types, unknown table, polymorphic, strings, fixed later in schema', () => {
    assert.equal(run(rule, migration('add_column :appointments, :doctor_id, :bigint'), { app: app() }).length, 0);
    assert.equal(run(rule, migration('add_column :appointments, :patient_id, :bigint'), { app: app() }).length, 0);
    assert.equal(run(rule, migration('add_column :appointments, :room_id, :integer'), { app: app() }).length, 0);
    assert.equal(run(rule, migration('add_reference :notes, :notable, polymorphic: true'), { app: app() }).length, 0);
    assert.equal(run(rule, migration('add_column :appointments, :patient_id, :string'), { app: app() }).length, 0);
    assert.equal(run(rule, migration('add_column :visits, :patient_id, :integer'), { app: app() }).length, 0, 'schema shows visits.patient_id is bigint now');
    assert.equal(run(rule, migration('add_reference :appointments, :doctor'), { app: app() }).length, 0, 'bigint reference to integer key is allowed');
  });
});
