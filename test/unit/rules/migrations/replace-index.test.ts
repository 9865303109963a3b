import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/replace-index';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';
import type { Schema } from '../../../../server/src/project/schema';

before(initParsers);

describe('migrations/replace-index', () => {
  test('reports remove_index before an add_index on overlapping columns', () => {
    const findings = run(rule, migration('remove_index :visits, :patient_id\nadd_index :visits, [:patient_id, :day]'));
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/replace-index', line: 3, column: 5 }]);
    assert.match(findings[0].message, /The index on patient_id on visits is removed before its replacement \(line 4\)/);
  });

  test('fix swaps the statements; whole file; idempotent; parses', () => {
    const code = migration('remove_index :visits, :patient_id, algorithm: :concurrently\nadd_index :visits, [:patient_id, :day], algorithm: :concurrently');
    const fixed = applyFix(code, run(rule, code)[0].fixes[0]);
    assert.equal(fixed, [
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_index :visits, [:patient_id, :day], algorithm: :concurrently',
      '    remove_index :visits, :patient_id, algorithm: :concurrently',
      '  end',
      'end',
      '',
    ].join('\n'));
    assert.equal(run(rule, fixed).length, 0);
    const tree = parseRuby(fixed);
    assert.equal(tree.rootNode.hasError, false);
    tree.delete();
  });

  test('same index name (remove then re-add the same columns): no swap, advice to rename', () => {
    const [finding] = run(rule, migration('remove_index :visits, :day\nadd_index :visits, :day, unique: true'));
    assert.equal(finding.fixes.length, 0);
    assert.match(finding.message, /give the new index another name/);
  });

  test('the same columns under a new name: the moved removal names the old index, or there is no fix', () => {
    // After the swap two indexes cover `day`; a removal by column alone would raise "Multiple indexes found".
    const code = migration('remove_index :visits, :day\nadd_index :visits, :day, unique: true, name: "index_visits_on_day_unique", algorithm: :concurrently');
    const schema: Schema = { foreignKeys: [], tables: new Map([['visits', { name: 'visits', primaryKeyType: 'bigint', columns: new Map(), checks: [], indexes: [{ name: 'idx_visits_day', columns: ['day'], unique: false }] }]]) };
    const [finding] = run(rule, code, { app: appFacts({ schema }) });
    assert.equal(applyFix(code, finding.fixes[0]), [
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_index :visits, :day, unique: true, name: "index_visits_on_day_unique", algorithm: :concurrently',
      '    remove_index :visits, :day, name: "idx_visits_day"',
      '  end',
      'end',
      '',
    ].join('\n'));
    // The old index already has the new index's name (created with a custom name): adding first would fail.
    const taken: Schema = { foreignKeys: [], tables: new Map([['visits', { name: 'visits', primaryKeyType: 'bigint', columns: new Map(), checks: [], indexes: [{ name: 'index_visits_on_day_unique', columns: ['day'], unique: false }] }]]) };
    const [clash] = run(rule, code, { app: appFacts({ schema: taken }) });
    assert.equal(clash.fixes.length, 0);
    assert.match(clash.message, /give the new index another name/);
    // The old index's name is unknown (no schema, no history): no fix rather than one that raises.
    const [unknown] = run(rule, code);
    assert.equal(unknown.fixes.length, 0);
  });

  test('removal by name uses db/schema.rb for its columns; column: form', () => {
    const schema: Schema = { foreignKeys: [], tables: new Map([['visits', { name: 'visits', primaryKeyType: 'bigint', columns: new Map(), checks: [], indexes: [{ name: 'idx_day', columns: ['day'], unique: false }] }]]) };
    assert.equal(run(rule, migration('remove_index :visits, name: "idx_day"\nadd_index :visits, [:day, :room_id]'), { app: appFacts({ schema }) }).length, 1);
    assert.equal(run(rule, migration('remove_index :visits, column: :day\nadd_index :visits, [:day, :room_id]')).length, 1);
  });

  test('near misses: add first, other table, disjoint columns, covered by another index, new table', () => {
    assert.equal(run(rule, migration('add_index :visits, [:patient_id, :day]\nremove_index :visits, :patient_id')).length, 0);
    assert.equal(run(rule, migration('remove_index :visits, :patient_id\nadd_index :rooms, :patient_id')).length, 0);
    assert.equal(run(rule, migration('remove_index :visits, :patient_id\nadd_index :visits, :day')).length, 0);
    const schema: Schema = { foreignKeys: [], tables: new Map([['visits', { name: 'visits', primaryKeyType: 'bigint', columns: new Map(), checks: [], indexes: [
      { columns: ['patient_id'], unique: false }, { columns: ['patient_id', 'room_id'], unique: false },
    ] }]]) };
    assert.equal(run(rule, migration('remove_index :visits, :patient_id\nadd_index :visits, [:patient_id, :day]'), { app: appFacts({ schema }) }).length, 0);
    assert.equal(run(rule, migration('create_table :visits\nremove_index :visits, :a\nadd_index :visits, :a')).length, 0);
  });

  test('two removals: each new index is paired with the removal it replaces by leading column', () => {
    const code = migration([
      'remove_index :visits, [:patient_id, :day]',
      'remove_index :visits, :day',
      'add_index :visits, [:day, :room_id]',
      'add_index :visits, [:patient_id, :room_id]',
    ].join('\n'));
    const findings = run(rule, code);
    assert.deepEqual(findings.map(at).map((f) => f.line), [3, 4]);
    assert.match(findings[0].message, /on patient_id, day on visits is removed before its replacement \(line 6\)/);
    assert.match(findings[1].message, /on day on visits is removed before its replacement \(line 5\)/);
    assert.equal(applyFix(code, findings[0].fixes[0]), [
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_index :visits, [:patient_id, :room_id]',
      '    remove_index :visits, :day',
      '    add_index :visits, [:day, :room_id]',
      '    remove_index :visits, [:patient_id, :day]',
      '  end',
      'end',
      '',
    ].join('\n'));
  });
});
