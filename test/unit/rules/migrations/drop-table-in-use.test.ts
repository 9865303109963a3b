import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/drop-table-in-use';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

const on = () => {
  const app = appFacts();
  app.config.rules['migrations/drop-table-in-use'] = 'warning';
  return app;
};

describe('migrations/drop-table-in-use', () => {
  test('off by default', () => {
    assert.equal(rule.meta.enabledByDefault, false);
    assert.equal(run(rule, migration('drop_table :faxes')).length, 0);
  });

  test('when enabled, reports drop_table and drop_join_table', () => {
    const findings = run(rule, migration('drop_table :faxes'), { app: on() });
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/drop-table-in-use', line: 3, column: 5 }]);
    assert.match(findings[0].message, /Dropping faxes while processes of the previous release still run/);
    assert.match(run(rule, migration('drop_join_table :doctors, :clinics'), { app: on() })[0].message, /clinics_doctors/);
  });

  test('near misses: post-deployment migrations, safety_assured, new tables, down', () => {
    assert.equal(run(rule, migration('drop_table :faxes'), { app: on(), file: 'db/post_migrate/20250101000000_drop_faxes.rb' }).length, 0);
    assert.equal(run(rule, migration('safety_assured { drop_table :faxes }'), { app: on() }).length, 0);
    assert.equal(run(rule, migration('create_table :tmp\ndrop_table :tmp'), { app: on() }).length, 0);
    assert.equal(run(rule, 'class X < ActiveRecord::Migration[7.2]\n  def down\n    drop_table :faxes\n  end\nend\n', { app: on() }).length, 0);
  });
});
