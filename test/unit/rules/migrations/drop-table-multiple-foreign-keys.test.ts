import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/drop-table-multiple-foreign-keys';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import type { Schema } from '../../../../server/src/project/schema';

before(initParsers);

const schema: Schema = {
  tables: new Map(),
  foreignKeys: [
    { from: 'appointments', to: 'patients', validated: true },
    { from: 'appointments', to: 'doctors', validated: true },
    { from: 'notes', to: 'patients', validated: true },
    { from: 'notes', to: 'notes', column: 'parent_id', validated: true },
  ],
};

describe('migrations/drop-table-multiple-foreign-keys', () => {
  test('reports drop_table when db/schema.rb shows foreign keys to two tables', () => {
    const findings = run(rule, migration('drop_table :appointments'), { app: appFacts({ schema }) });
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/drop-table-multiple-foreign-keys', line: 3, column: 5 }]);
    assert.match(findings[0].message, /every table it references \(patients and doctors\)/);
    assert.match(findings[0].message, /`remove_foreign_key :appointments, :patients`/);
  });

  test('reads the reversible drop_table block when there is no schema', () => {
    const code = migration('drop_table :visits do |t|\n  t.references :patient, foreign_key: true\n  t.references :room, foreign_key: { to_table: :clinic_rooms }\nend');
    assert.match(run(rule, code)[0].message, /patients and clinic_rooms/);
  });

  test('near misses: one referenced table (self references excluded), new table, safety_assured, MySQL', () => {
    assert.equal(run(rule, migration('drop_table :notes'), { app: appFacts({ schema }) }).length, 0);
    assert.equal(run(rule, migration('create_table :appointments\ndrop_table :appointments'), { app: appFacts({ schema }) }).length, 0);
    assert.equal(run(rule, migration('safety_assured { drop_table :appointments }'), { app: appFacts({ schema }) }).length, 0);
    assert.equal(run(rule, migration('drop_table :appointments'), { app: appFacts({ schema, adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
  });
});
