import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/concurrent-in-transaction';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { assertParses, lines } from '../../../helpers/migrationTester';

before(initParsers);

describe('migrations/concurrent-in-transaction', () => {
  test('reports every concurrent form without disable_ddl_transaction!', () => {
    const code = migration([
      'add_index :users, :email, algorithm: :concurrently',
      'remove_index :users, :slug, algorithm: :concurrently',
      'add_reference :posts, :user, index: { algorithm: :concurrently }',
      'execute "CREATE INDEX CONCURRENTLY idx ON users (a)"',
      'change_table :posts do |t|',
      '  t.index :title, algorithm: :concurrently',
      'end',
    ].join('\n'));
    assert.deepEqual(run(rule, code).map(at).map((f) => [f.line, f.column]), [[3, 5], [4, 5], [5, 5], [6, 5], [8, 9]]);
  });

  test('heredoc SQL is read', () => {
    const code = migration('execute <<~SQL\n  DROP INDEX CONCURRENTLY idx_users_a;\nSQL');
    assert.equal(run(rule, code).length, 1);
  });

  test('not silenced by safety_assured; fix inserts disable_ddl_transaction! once', () => {
    const code = migration('safety_assured { add_index :users, :email, algorithm: :concurrently }');
    const [finding] = run(rule, code);
    assert.match(finding.message, /cannot run inside a transaction block/);
    const fixed = applyFix(code, finding.fixes[0]);
    assert.equal(fixed, lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  disable_ddl_transaction!',
      '',
      '  def change',
      '    safety_assured { add_index :users, :email, algorithm: :concurrently }',
      '  end',
      'end',
    ));
    assert.equal(run(rule, fixed).length, 0);
    assertParses(fixed);
  });

  test('near misses: disable_ddl_transaction!, self.disable_ddl_transaction = true, plain index, safe-pg-migrations, MySQL', () => {
    const disabled = 'class X < ActiveRecord::Migration[7.2]\n  disable_ddl_transaction!\n\n  def change\n    add_index :users, :email, algorithm: :concurrently\n  end\nend\n';
    assert.equal(run(rule, disabled).length, 0);
    assert.equal(run(rule, disabled.replace('disable_ddl_transaction!', 'self.disable_ddl_transaction = true')).length, 0);
    assert.equal(run(rule, migration('add_index :users, :email')).length, 0);
    assert.equal(run(rule, migration('execute "REFRESH MATERIALIZED VIEW CONCURRENTLY stats"')).length, 0);
    assert.equal(run(rule, migration('add_index :users, :email, algorithm: :concurrently'), { app: appFacts({ gems: new Map([['safe-pg-migrations', '2.1.0']]) }) }).length, 0);
    assert.equal(run(rule, migration('add_index :users, :email, algorithm: :concurrently'), { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
  });
});
