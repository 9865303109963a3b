import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-unique-constraint-non-concurrent';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';

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

  test('near misses: using_index, new table, MySQL, safety_assured', () => {
    assert.equal(run(rule, migration('add_unique_constraint :sections, using_index: "index_sections_on_position"')).length, 0);
    assert.equal(run(rule, migration('create_table :sections\nadd_unique_constraint :sections, [:position]')).length, 0);
    assert.equal(run(rule, migration('add_unique_constraint :sections, [:position]'), { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('safety_assured { add_unique_constraint :sections, [:position] }')).length, 0);
  });
});
