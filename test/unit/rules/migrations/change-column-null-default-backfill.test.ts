import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/change-column-null-default-backfill';
import { applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { assertParses, createdFile, lines } from '../../../helpers/migrationTester';

before(initParsers);

describe('migrations/change-column-null-default-backfill', () => {
  test('reports the 4th argument (the backfill value)', () => {
    const findings = run(rule, migration('change_column_null :users, :active, false, true\nchange_table :users do |t|\n  t.change_null :role, false, "member"\nend'));
    assert.deepEqual(findings.map(at).map((f) => [f.line, f.column]), [[3, 48], [5, 35]]);
    assert.match(findings[0].message, /UPDATE users SET active = true WHERE active IS NULL/);
    assert.match(findings[0].message, /in_batches/);
  });

  test('fix: drop the 4th argument, create a batched backfill migration one second earlier', () => {
    const code = migration('change_column_null :users, :active, false, true');
    const [finding] = run(rule, code);
    const fixed = applyFix(code, finding.fixes[0]);
    assert.equal(fixed, lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    change_column_null :users, :active, false',
      '  end',
      'end',
    ));
    assert.equal(run(rule, fixed).length, 0);
    assertParses(fixed);
    const created = createdFile(finding.fixes[0])!;
    assert.deepEqual(created, {
      rel: 'db/migrate/20241231235959_backfill_users_active.rb',
      text: lines(
        'class BackfillUsersActive < ActiveRecord::Migration[7.2]',
        '  disable_ddl_transaction!',
        '',
        '  class User < ActiveRecord::Base',
        '    self.table_name = "users"',
        '  end',
        '',
        '  def up',
        '    User.unscoped.where(active: nil).in_batches(of: 10_000) do |batch|',
        '      batch.update_all(active: true)',
        '      sleep(0.01)',
        '    end',
        '  end',
        '',
        '  def down',
        '  end',
        'end',
      ),
    });
    assertParses(created.text);
  });

  test('near misses: no value, nil, null true, new table, safety_assured', () => {
    assert.equal(run(rule, migration('change_column_null :users, :active, false')).length, 0);
    assert.equal(run(rule, migration('change_column_null :users, :active, false, nil')).length, 0);
    assert.equal(run(rule, migration('change_column_null :users, :active, true, false')).length, 0);
    assert.equal(run(rule, migration('create_table :users\nchange_column_null :users, :active, false, true')).length, 0);
    assert.equal(run(rule, migration('safety_assured { change_column_null :users, :active, false, true }')).length, 0);
  });
});
