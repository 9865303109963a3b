import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/create-table-force';
import { applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';

before(initParsers);

function parses(text: string): boolean {
  const tree = parseRuby(text);
  try { return !tree.rootNode.hasError; } finally { tree.delete(); }
}

describe('migrations/create-table-force', () => {
  test('reports force: at the option', () => {
    const findings = run(rule, migration('create_table :invoices, force: :cascade do |t|\n  t.string :number\nend'));
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/create-table-force', line: 3, column: 29 }]);
    assert.match(findings[0].message, /drops table invoices if it already exists, with every view and foreign key/);
  });

  test('fix deletes the pair and its comma; whole file; idempotent; parses', () => {
    const code = migration('create_table :invoices, id: :uuid, force: true do |t|\n  t.string :number\nend');
    const [finding] = run(rule, code);
    assert.equal(finding.fixes[0].safety, 'unsafe');
    const fixed = applyFix(code, finding.fixes[0]);
    assert.equal(fixed, [
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    create_table :invoices, id: :uuid do |t|',
      '      t.string :number',
      '    end',
      '  end',
      'end',
      '',
    ].join('\n'));
    assert.equal(run(rule, fixed).length, 0);
    assert.ok(parses(fixed));
  });

  test('force first, parenthesised, and create_join_table', () => {
    const first = migration('create_table(:invoices, force: true, id: :uuid)');
    assert.match(applyFix(first, run(rule, first)[0].fixes[0]), /create_table\(:invoices, id: :uuid\)/);
    const join = migration('create_join_table :doctors, :clinics, force: :cascade');
    const [finding] = run(rule, join);
    assert.match(finding.message, /clinics_doctors/);
    assert.match(applyFix(join, finding.fixes[0]), /create_join_table :doctors, :clinics\n/);
  });

  test('near misses: force: false, no force, down, safety_assured', () => {
    assert.equal(run(rule, migration('create_table :invoices, force: false')).length, 0);
    assert.equal(run(rule, migration('create_table :invoices')).length, 0);
    assert.equal(run(rule, 'class X < ActiveRecord::Migration[7.2]\n  def down\n    create_table :invoices, force: true\n  end\nend\n').length, 0);
    assert.equal(run(rule, migration('safety_assured { create_table :invoices, force: true }')).length, 0);
  });

  test('db/schema.rb is not a migration', () => {
    assert.equal(run(rule, 'ActiveRecord::Schema[7.2].define(version: 1) do\n  create_table "invoices", force: :cascade do |t|\n  end\nend\n', { file: 'db/schema.rb', kind: 'schema' }).length, 0);
  });
});
