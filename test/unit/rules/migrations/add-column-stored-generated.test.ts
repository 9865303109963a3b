import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-column-stored-generated';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

describe('migrations/add-column-stored-generated', () => {
  test('reports stored generated columns on existing tables', () => {
    const code = migration('add_column :users, :full_name, :virtual, type: :string, as: "first || \' \' || last", stored: true\nchange_table :users do |t|\n  t.virtual :lower_email, type: :string, as: "lower(email)", stored: true\nend');
    const findings = run(rule, code);
    assert.deepEqual(findings.map(at).map((f) => [f.line, f.column]), [[3, 5], [5, 9]]);
    assert.match(findings[0].message, /rewriting users/);
    const my = run(rule, code, { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) });
    assert.equal(my.length, 2);
    assert.match(my[0].message, /virtual \(not stored\) generated column/);
  });

  test('near misses: virtual (not stored), new table, SQLite, safety_assured', () => {
    assert.equal(run(rule, migration('add_column :users, :x, :virtual, type: :string, as: "lower(email)"'), { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('create_table :users do |t|\n  t.virtual :x, type: :string, as: "a", stored: true\nend')).length, 0);
    assert.equal(run(rule, migration('add_column :users, :x, :virtual, type: :string, as: "a", stored: true'), { app: appFacts({ adapter: { value: 'sqlite', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('safety_assured { add_column :users, :x, :virtual, type: :string, as: "a", stored: true }')).length, 0);
  });
});
