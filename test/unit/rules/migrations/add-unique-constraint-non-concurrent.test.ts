import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-unique-constraint-non-concurrent';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { assertParses, lines } from '../../../helpers/migrationTester';

before(initParsers);

describe('migrations/add-unique-constraint-non-concurrent', () => {
  test('reports add_unique_constraint without using_index, with the safe sequence', () => {
    const findings = run(rule, migration('add_unique_constraint :sections, [:position], deferrable: :deferred'));
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/add-unique-constraint-non-concurrent', line: 3, column: 5 }]);
    assert.match(findings[0].message, /`add_index :sections, :position, unique: true, algorithm: :concurrently`/);
    assert.match(findings[0].message, /using_index: "index_sections_on_position"/);
    const t = run(rule, migration('change_table :sections do |t|\n  t.unique_constraint [:a, :b]\nend'));
    assert.deepEqual(t.map(at).map((f) => [f.line, f.column]), [[4, 9]]);
    assert.match(t[0].message, /index_sections_on_a_and_b/);
  });

  test('fix: a change with only this call becomes up/down with a concurrent index attached by using_index', () => {
    const code = migration('add_unique_constraint :sections, [:position], deferrable: :deferred');
    const fixed = applyFix(code, run(rule, code)[0].fixes[0]);
    assert.equal(fixed, lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  disable_ddl_transaction!',
      '',
      '  def up',
      '    add_index :sections, [:position], unique: true, algorithm: :concurrently, name: "index_sections_on_position"',
      '    add_unique_constraint :sections, using_index: "index_sections_on_position", name: "index_sections_on_position", deferrable: :deferred',
      '  end',
      '',
      '  def down',
      '    remove_unique_constraint :sections, name: "index_sections_on_position"',
      '  end',
      'end',
    ));
    assert.equal(run(rule, fixed).length, 0);
    assertParses(fixed);
    const up = 'class X < ActiveRecord::Migration[7.2]\n  def up\n    add_unique_constraint :sections, [:a, :b], name: "uniq_ab"\n  end\nend\n';
    const upFixed = applyFix(up, run(rule, up)[0].fixes[0]);
    assert.match(upFixed, /    add_index :sections, \[:a, :b\], unique: true, algorithm: :concurrently, name: "index_sections_on_a_and_b"\n    add_unique_constraint :sections, using_index: "index_sections_on_a_and_b", name: "uniq_ab"\n/);
    assertParses(upFixed);
    // A change with other statements gets no automatic rewrite.
    assert.equal(run(rule, migration('add_column :sections, :x, :integer\nadd_unique_constraint :sections, [:position]'))[0].fixes.length, 0);
  });

  test('near misses: using_index, new table, MySQL, safety_assured', () => {
    assert.equal(run(rule, migration('add_unique_constraint :sections, using_index: "index_sections_on_position"')).length, 0);
    assert.equal(run(rule, migration('create_table :sections\nadd_unique_constraint :sections, [:position]')).length, 0);
    assert.equal(run(rule, migration('add_unique_constraint :sections, [:position]'), { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('safety_assured { add_unique_constraint :sections, [:position] }')).length, 0);
  });
});
