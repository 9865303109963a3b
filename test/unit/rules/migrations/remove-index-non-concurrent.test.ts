import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/remove-index-non-concurrent';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { assertParses, lines } from '../../../helpers/migrationTester';

before(initParsers);

describe('migrations/remove-index-non-concurrent', () => {
  test('reports remove_index by column and by name, and t.remove_index', () => {
    const code = migration('remove_index :users, :email\nremove_index :users, name: "index_users_on_slug", if_exists: true\nchange_table :posts do |t|\n  t.remove_index :title\nend');
    const findings = run(rule, code);
    assert.deepEqual(findings.map(at), [
      { rule: 'migrations/remove-index-non-concurrent', line: 3, column: 5 },
      { rule: 'migrations/remove-index-non-concurrent', line: 4, column: 5 },
      { rule: 'migrations/remove-index-non-concurrent', line: 6, column: 9 },
    ]);
    assert.match(findings[0].message, /ACCESS EXCLUSIVE/);
    assert.match(findings[0].message, /`remove_index :users, :email, algorithm: :concurrently`/);
    assert.equal(findings[0].severity, 'warning');
  });

  test('fix: algorithm: :concurrently plus one disable_ddl_transaction!, idempotent', () => {
    const code = migration('remove_index :users, column: :email\nremove_index(:users, :slug)');
    const first = run(rule, code);
    const once = applyFix(code, first[0].fixes[0]);
    assert.equal(once, lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  disable_ddl_transaction!',
      '',
      '  def change',
      '    remove_index :users, column: :email, algorithm: :concurrently',
      '    remove_index(:users, :slug)',
      '  end',
      'end',
    ));
    const second = run(rule, once);
    assert.equal(second.length, 1);
    const twice = applyFix(once, second[0].fixes[0]);
    assert.match(twice, /remove_index\(:users, :slug, algorithm: :concurrently\)/);
    assert.equal(twice.match(/disable_ddl_transaction!/g)?.length, 1);
    assert.equal(run(rule, twice).length, 0);
    assertParses(twice);
  });

  test('near misses: concurrent, new table, down, safety_assured, MySQL, SQLite', () => {
    assert.equal(run(rule, migration('remove_index :users, :email, algorithm: :concurrently')).length, 0);
    assert.equal(run(rule, migration('create_table :tags do |t|\n  t.string :name, index: true\nend\nremove_index :tags, :name')).length, 0);
    assert.equal(run(rule, 'class X < ActiveRecord::Migration[7.2]\n  def up\n  end\n\n  def down\n    remove_index :users, :email\n  end\nend\n').length, 0);
    assert.equal(run(rule, migration('safety_assured { remove_index :users, :email }')).length, 0);
    assert.equal(run(rule, migration('remove_index :users, :email'), { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('remove_index :users, :email'), { app: appFacts({ adapter: { value: 'sqlite', source: 'test' } }) }).length, 0);
  });

  test('safe_by_default and safe-pg-migrations downgrade to info', () => {
    const sm = appFacts({ strongMigrations: { safeByDefault: true, disabledChecks: [], checkDown: false } });
    assert.equal(run(rule, migration('remove_index :users, :email'), { app: sm })[0].severity, 'info');
    const spm = appFacts({ gems: new Map([['safe-pg-migrations', '2.0.0']]) });
    assert.equal(run(rule, migration('remove_index :users, :email'), { app: spm })[0].severity, 'info');
  });

  test('StrongMigrations.disable_check(:remove_index) turns it off', () => {
    const sm = appFacts({ strongMigrations: { safeByDefault: false, disabledChecks: ['remove_index'], checkDown: false } });
    assert.equal(run(rule, migration('remove_index :users, :email'), { app: sm }).length, 0);
  });
});
