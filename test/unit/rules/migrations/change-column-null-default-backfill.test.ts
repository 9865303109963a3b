import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/change-column-null-default-backfill';
import { at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

describe('migrations/change-column-null-default-backfill', () => {
  test('reports the 4th argument (the backfill value)', () => {
    const findings = run(rule, migration('change_column_null :users, :active, false, true\nchange_table :users do |t|\n  t.change_null :role, false, "member"\nend'));
    assert.deepEqual(findings.map(at).map((f) => [f.line, f.column]), [[3, 48], [5, 35]]);
    assert.match(findings[0].message, /UPDATE users SET active = true WHERE active IS NULL/);
    assert.match(findings[0].message, /in_batches/);
  });

  test('near misses: no value, nil, null true, new table, safety_assured', () => {
    assert.equal(run(rule, migration('change_column_null :users, :active, false')).length, 0);
    assert.equal(run(rule, migration('change_column_null :users, :active, false, nil')).length, 0);
    assert.equal(run(rule, migration('change_column_null :users, :active, true, false')).length, 0);
    assert.equal(run(rule, migration('create_table :users\nchange_column_null :users, :active, false, true')).length, 0);
    assert.equal(run(rule, migration('safety_assured { change_column_null :users, :active, false, true }')).length, 0);
  });
});
