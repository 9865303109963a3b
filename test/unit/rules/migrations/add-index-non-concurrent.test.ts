import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-index-non-concurrent';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';

before(initParsers);

describe('migrations/add-index-non-concurrent', () => {
  test('reports add_index on an existing table at the method name', () => {
    const findings = run(rule, migration('add_index :users, :email'));
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/add-index-non-concurrent', line: 3, column: 5 }]);
    assert.match(findings[0].message, /SHARE lock/);
    assert.match(findings[0].message, /`add_index :users, :email, algorithm: :concurrently`/);
  });

  test('fix adds algorithm: :concurrently and disable_ddl_transaction! once', () => {
    const code = migration('add_index :users, :email\nadd_index "users", [:a, :b], unique: true');
    const findings = run(rule, code);
    assert.equal(findings.length, 2);
    assert.equal(findings[0].fixes[0].safety, 'unsafe');
    const once = applyFix(code, findings[0].fixes[0]);
    assert.equal(once, [
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  disable_ddl_transaction!',
      '',
      '  def change',
      '    add_index :users, :email, algorithm: :concurrently',
      '    add_index "users", [:a, :b], unique: true',
      '  end',
      'end',
      '',
    ].join('\n'));
    const second = run(rule, once);
    assert.equal(second.length, 1);
    const twice = applyFix(once, second[0].fixes[0]);
    assert.match(twice, /add_index "users", \[:a, :b\], unique: true, algorithm: :concurrently/);
    assert.equal(twice.match(/disable_ddl_transaction!/g)?.length, 1, 'disable_ddl_transaction! inserted once');
    assert.equal(run(rule, twice).length, 0, 'applying the fix leaves nothing to fix');
    const tree = parseRuby(twice);
    assert.equal(tree.rootNode.hasError, false);
    tree.delete();
  });

  test('fix goes inside parentheses and braced hashes', () => {
    const paren = migration('add_index(:users, :email)');
    assert.match(applyFix(paren, run(rule, paren)[0].fixes[0]), /add_index\(:users, :email, algorithm: :concurrently\)/);
    const braced = migration('add_index :users, :email, { unique: true }');
    assert.match(applyFix(braced, run(rule, braced)[0].fixes[0]), /\{ unique: true, algorithm: :concurrently \}/);
  });

  test('t.index and index: true inside change_table are index builds', () => {
    const code = migration('change_table :users do |t|\n  t.index :email\n  t.string :slug, index: true\nend');
    const findings = run(rule, code);
    assert.deepEqual(findings.map(at).map((f) => f.line), [4, 5]);
    assert.match(applyFix(code, findings[1].fixes[0]), /t\.string :slug, index: \{ algorithm: :concurrently \}/);
  });

  test('near misses: concurrent, new tables, down, revert, safety_assured, MySQL', () => {
    assert.equal(run(rule, migration('add_index :users, :email, algorithm: :concurrently')).length, 0);
    assert.equal(run(rule, migration('create_table "webhooks" do |t|\n  t.string :url\n  t.index :url\nend\nadd_index :webhooks, :url')).length, 0);
    assert.equal(run(rule, migration('create_join_table :users, :roles\nadd_index :roles_users, :user_id')).length, 0);
    assert.equal(run(rule, 'class X < ActiveRecord::Migration[7.2]\n  def down\n    add_index :users, :email\n  end\nend\n').length, 0);
    assert.equal(run(rule, migration('reversible do |dir|\n  dir.down { add_index :users, :email }\nend')).length, 0);
    assert.equal(run(rule, migration('revert do\n  add_index :users, :email\nend')).length, 0);
    assert.equal(run(rule, migration('safety_assured { add_index :users, :email }')).length, 0);
    assert.equal(run(rule, migration('add_index :users, :email'), { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
  });

  test('dir.up, up_only and connection.add_index are checked', () => {
    assert.equal(run(rule, migration('reversible do |dir|\n  dir.up { add_index :users, :email }\nend')).length, 1);
    assert.equal(run(rule, migration('up_only { add_index :users, :email }')).length, 1);
    assert.equal(run(rule, migration('connection.add_index :users, :email')).length, 1);
  });

  test('if_not_exists does not make it safe; a call after safety_assured is still checked', () => {
    assert.equal(run(rule, migration('add_index :users, :email, if_not_exists: true')).length, 1);
    assert.equal(run(rule, migration('safety_assured { add_index :users, :a }\nadd_index :users, :b')).length, 1);
  });

  test('respectSafetyAssured: false audits safety_assured blocks', () => {
    const app = appFacts();
    app.config.migrations.respectSafetyAssured = false;
    assert.equal(run(rule, migration('safety_assured { add_index :users, :email }'), { app }).length, 1);
  });

  test('start_after skips migrations at or before the cut-off', () => {
    const app = appFacts({ strongMigrations: { startAfter: '20250101000000', safeByDefault: false, disabledChecks: [], checkDown: false } });
    assert.equal(run(rule, migration('add_index :users, :email'), { app }).length, 0);
    assert.equal(run(rule, migration('add_index :users, :email'), { app, file: 'db/migrate/20250101000001_x.rb' }).length, 1);
  });

  test('safe-pg-migrations downgrades to info', () => {
    const app = appFacts({ gems: new Map([['safe-pg-migrations', '2.1.0']]) });
    const [finding] = run(rule, migration('add_index :users, :email'), { app });
    assert.equal(finding.severity, 'info');
    assert.match(finding.message, /safe-pg-migrations/);
  });

  test('splat calls: reported, but no keyword is added after *args / **opts (it would break the call at run time)', () => {
    for (const call of ['add_index(*EMAIL_INDEX)', 'add_index(:users, *columns)', 'add_index :users, :email, **options']) {
      const findings = run(rule, migration(call));
      assert.equal(findings.length, 1, call);
      assert.deepEqual(findings[0].fixes.filter((f) => /algorithm/.test(f.title)), [], call);
    }
  });
});
