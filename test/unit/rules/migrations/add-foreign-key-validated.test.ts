import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-foreign-key-validated';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { assertParses, createdFile, lines } from '../../../helpers/migrationTester';

before(initParsers);

describe('migrations/add-foreign-key-validated', () => {
  test('reports add_foreign_key, references with foreign_key:, t.foreign_key', () => {
    const code = migration([
      'add_foreign_key :orders, :users',
      'add_reference :orders, :shop, foreign_key: { to_table: :stores }, index: false',
      'change_table :orders do |t|',
      '  t.foreign_key :coupons',
      '  t.references :agent, foreign_key: true, index: false',
      'end',
    ].join('\n'));
    const findings = run(rule, code);
    assert.deepEqual(findings.map(at).map((f) => [f.line, f.column]), [[3, 5], [4, 5], [6, 9], [7, 9]]);
    assert.match(findings[0].message, /SHARE ROW EXCLUSIVE lock on both/);
    assert.match(findings[0].message, /`add_foreign_key :orders, :users, validate: false`/);
    assert.match(findings[0].message, /`validate_foreign_key :orders, :users`/);
    assert.match(findings[1].message, /from orders to stores/);
    assert.match(findings[3].message, /from orders to agents/);
    const variable = run(rule, migration('change_table :orders do |t|\n  t.references :category, foreign_key: fk_options\nend'));
    assert.match(variable[0].message, /from orders to the referenced table/);
    assert.match(run(rule, migration('add_reference :posts, :category, foreign_key: true'))[0].message, /to categories/);
  });

  test('fix: validate: false, and the follow-up migration file', () => {
    const code = migration('add_foreign_key :orders, :users, column: :buyer_id');
    const [finding] = run(rule, code);
    assert.equal(finding.fixes.length, 2);
    const fixed = applyFix(code, finding.fixes[0]);
    assert.equal(fixed, lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_foreign_key :orders, :users, column: :buyer_id, validate: false',
      '  end',
      'end',
    ));
    assert.equal(run(rule, fixed).length, 0, 'idempotent');
    assertParses(fixed);
    assert.equal(applyFix(code, finding.fixes[1]), fixed);
    const created = createdFile(finding.fixes[1]);
    assert.deepEqual(created, {
      rel: 'db/migrate/20250101000001_validate_orders_users_fk.rb',
      text: lines(
        'class ValidateOrdersUsersFk < ActiveRecord::Migration[7.2]',
        '  def change',
        '    validate_foreign_key :orders, :users, column: :buyer_id',
        '  end',
        'end',
      ),
    });
    assertParses(created!.text);
  });

  test('fix for references: foreign_key: true becomes a hash; the follow-up validates by column', () => {
    const code = migration('add_reference :orders, :user, foreign_key: true, index: false');
    const [finding] = run(rule, code);
    const fixed = applyFix(code, finding.fixes[0]);
    assert.match(fixed, /add_reference :orders, :user, foreign_key: \{ validate: false \}, index: false\n/);
    assert.equal(run(rule, fixed).length, 0);
    assert.match(createdFile(finding.fixes[1])!.text, /validate_foreign_key :orders, column: :user_id/);
    const hash = migration('add_reference :orders, :shop, foreign_key: { to_table: :stores }');
    assert.match(applyFix(hash, run(rule, hash)[0].fixes[0]), /foreign_key: \{ to_table: :stores, validate: false \}/);
  });

  test('FK from a table created in this migration to an existing one: info (brief lock on the referenced table), no fix', () => {
    const [f] = run(rule, migration('create_table :keyword_mutes do |t|\n  t.bigint :account_id\nend\nadd_foreign_key :keyword_mutes, :accounts, on_delete: :cascade'));
    assert.equal(f.severity, 'info');
    assert.match(f.message, /SHARE ROW EXCLUSIVE lock on accounts/);
    assert.equal(f.fixes.length, 0);
  });

  test('two follow-ups from one migration get distinct versions', () => {
    const code = migration('add_foreign_key :orders, :users\nadd_foreign_key :orders, :shops');
    const files = run(rule, code).map((f) => createdFile(f.fixes[1])!.rel);
    assert.deepEqual(files, ['db/migrate/20250101000001_validate_orders_users_fk.rb', 'db/migrate/20250101000002_validate_orders_shops_fk.rb']);
  });

  test('near misses: validate: false, create_table, FK from a new table, MySQL, safety_assured, down', () => {
    assert.equal(run(rule, migration('add_foreign_key :orders, :users, validate: false')).length, 0);
    assert.equal(run(rule, migration('create_table :orders do |t|\n  t.references :user, foreign_key: true\nend')).length, 0);
    assert.equal(run(rule, migration('create_table :orders\nadd_foreign_key :orders, :coupons\ncreate_table :coupons\nadd_foreign_key :orders, :coupons')).length, 1);
    assert.equal(run(rule, migration('create_table :orders\ncreate_table :coupons\nadd_foreign_key :orders, :coupons')).length, 0);
    assert.equal(run(rule, migration('add_foreign_key :orders, :users'), { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('safety_assured { add_foreign_key :orders, :users }')).length, 0);
    assert.equal(run(rule, migration('add_reference :orders, :user, index: false')).length, 0);
  });

  test('Rails before 5.2 has no validate: false: reported without a fix', () => {
    const app = appFacts({ railsVersion: { value: '5.1.7', source: 'Gemfile.lock' } });
    const [finding] = run(rule, migration('add_foreign_key :orders, :users'), { app });
    assert.equal(finding.fixes.length, 0);
  });
});
