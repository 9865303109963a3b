import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-exclusion-constraint';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

describe('migrations/add-exclusion-constraint', () => {
  test('reports add_exclusion_constraint and t.exclusion_constraint on existing tables', () => {
    const code = migration('add_exclusion_constraint :bookings, "room_id WITH =, during WITH &&", using: :gist\nchange_table :rooms do |t|\n  t.exclusion_constraint "x WITH =", using: :gist\nend');
    const findings = run(rule, code);
    assert.deepEqual(findings.map(at).map((f) => [f.line, f.column]), [[3, 5], [5, 9]]);
    assert.match(findings[0].message, /cannot be added NOT VALID/);
  });

  test('near misses: new table, create_table, MySQL, safety_assured', () => {
    assert.equal(run(rule, migration('create_table :bookings\nadd_exclusion_constraint :bookings, "x WITH =", using: :gist')).length, 0);
    assert.equal(run(rule, migration('create_table :bookings do |t|\n  t.exclusion_constraint "x WITH =", using: :gist\nend')).length, 0);
    assert.equal(run(rule, migration('add_exclusion_constraint :bookings, "x WITH =", using: :gist'), { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('safety_assured { add_exclusion_constraint :bookings, "x WITH =", using: :gist }')).length, 0);
  });
});
