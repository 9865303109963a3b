import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/foreign-key-without-index';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import type { Schema } from '../../../../server/src/project/schema';
import type { AppFacts } from '../../../../server/src/core/appFacts';

before(initParsers);

const on = (overrides: Partial<AppFacts> = {}) => {
  const app = appFacts(overrides);
  app.config.rules['migrations/foreign-key-without-index'] = 'warning';
  return app;
};
const schema: Schema = {
  foreignKeys: [],
  tables: new Map([
    ['visits', { name: 'visits', primaryKeyType: 'bigint', columns: new Map(), checks: [], indexes: [{ columns: ['room_id', 'day'], unique: false }, { columns: ['day', 'patient_id'], unique: false }] }],
  ]),
};

describe('migrations/foreign-key-without-index', () => {
  test('off by default', () => {
    assert.equal(rule.meta.enabledByDefault, false);
    assert.equal(run(rule, migration('add_reference :visits, :doctor, foreign_key: true, index: false')).length, 0);
  });

  test('reports references with index: false', () => {
    const findings = run(rule, migration('add_reference :visits, :doctor, foreign_key: true, index: false'), { app: on() });
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/foreign-key-without-index', line: 3, column: 28 }]);
    assert.match(findings[0].message, /visits\.doctor_id references doctors but has no index leading with it/);
  });

  test('add_foreign_key on a schema table whose indexes do not lead with the column', () => {
    assert.equal(run(rule, migration('add_foreign_key :visits, :patients'), { app: on({ schema }) }).length, 1);
    assert.equal(run(rule, migration('create_table :notes do |t|\n  t.bigint :visit_id\n  t.foreign_key :visits\nend'), { app: on() }).length, 1);
  });

  test('near misses: default reference index, leading index in schema, index added in the migration, unknown table', () => {
    assert.equal(run(rule, migration('add_reference :visits, :doctor, foreign_key: true'), { app: on() }).length, 0);
    assert.equal(run(rule, migration('add_foreign_key :visits, :rooms'), { app: on({ schema }) }).length, 0);
    assert.equal(run(rule, migration('add_index :visits, :patient_id, algorithm: :concurrently\nadd_foreign_key :visits, :patients'), { app: on({ schema }) }).length, 0);
    assert.equal(run(rule, migration('create_table :notes do |t|\n  t.bigint :visit_id, index: true\n  t.foreign_key :visits\nend'), { app: on() }).length, 0);
    assert.equal(run(rule, migration('add_foreign_key :unknown_things, :patients'), { app: on({ schema }) }).length, 0);
  });
});
