import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/change-table-uninspectable';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

const on = () => {
  const app = appFacts();
  app.config.rules['migrations/change-table-uninspectable'] = 'warning';
  return app;
};

describe('migrations/change-table-uninspectable', () => {
  test('off by default', () => {
    assert.equal(rule.meta.enabledByDefault, false);
    assert.equal(run(rule, migration('change_table :patients do |t|\n  t.string :mrn\nend')).length, 0);
  });

  test('when enabled, reports every change_table outside safety_assured', () => {
    const findings = run(rule, migration('change_table :patients, bulk: true do |t|\n  t.string :mrn\nend'), { app: on() });
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/change-table-uninspectable', line: 3, column: 5 }]);
    assert.match(findings[0].message, /cannot look inside change_table/);
  });

  test('near misses: safety_assured, down, create_table', () => {
    assert.equal(run(rule, migration('safety_assured do\n  change_table :patients do |t|\n    t.string :mrn\n  end\nend'), { app: on() }).length, 0);
    assert.equal(run(rule, 'class X < ActiveRecord::Migration[7.2]\n  def down\n    change_table :patients do |t|\n      t.remove :mrn\n    end\n  end\nend\n', { app: on() }).length, 0);
    assert.equal(run(rule, migration('create_table :labs do |t|\n  t.string :code\nend'), { app: on() }).length, 0);
  });
});
