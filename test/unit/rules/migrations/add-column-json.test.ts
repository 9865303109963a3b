import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-column-json';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { assertParses, lines } from '../../../helpers/migrationTester';

before(initParsers);

describe('migrations/add-column-json', () => {
  test('reports add_column :json, t.json and t.column :json in change_table', () => {
    const code = migration('add_column :users, :settings, :json\nchange_table :users do |t|\n  t.json :prefs\n  t.column :meta, "json"\nend');
    const findings = run(rule, code);
    assert.deepEqual(findings.map(at).map((f) => [f.line, f.column]), [[3, 5], [5, 9], [6, 9]]);
    assert.match(findings[0].message, /could not identify an equality operator for type json/);
  });

  test('fix: :json → :jsonb, t.json → t.jsonb, "json" → "jsonb"', () => {
    const code = migration('add_column :users, :settings, :json, default: {}\nchange_table :users do |t|\n  t.json :prefs\n  t.column :meta, "json"\nend');
    let text = code;
    for (let i = 0; i < 3; i++) text = applyFix(text, run(rule, text)[0].fixes[0]);
    assert.equal(text, lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_column :users, :settings, :jsonb, default: {}',
      '    change_table :users do |t|',
      '      t.jsonb :prefs',
      '      t.column :meta, "jsonb"',
      '    end',
      '  end',
      'end',
    ));
    assert.equal(run(rule, text).length, 0);
    assertParses(text);
  });

  test('near misses: jsonb, new table, MySQL, safety_assured', () => {
    assert.equal(run(rule, migration('add_column :users, :settings, :jsonb')).length, 0);
    assert.equal(run(rule, migration('create_table :events do |t|\n  t.json :payload\nend')).length, 0);
    assert.equal(run(rule, migration('create_table :events\nadd_column :events, :payload, :json')).length, 0);
    assert.equal(run(rule, migration('add_column :users, :settings, :json'), { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('safety_assured { add_column :users, :settings, :json }')).length, 0);
  });
});
