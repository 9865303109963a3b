import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-reference-index-non-concurrent';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { assertParses, lines } from '../../../helpers/migrationTester';

before(initParsers);

describe('migrations/add-reference-index-non-concurrent', () => {
  test('reports the default index (Rails 5.0+), index: true, a hash without algorithm, t.references', () => {
    const code = migration([
      'add_reference :posts, :user',
      'add_belongs_to :posts, :author, index: true',
      'add_reference :posts, :owner, polymorphic: true, index: { unique: true }',
      'change_table :comments do |t|',
      '  t.references :post',
      'end',
    ].join('\n'));
    const findings = run(rule, code);
    assert.deepEqual(findings.map(at).map((f) => [f.line, f.column]), [[3, 5], [4, 5], [5, 5], [7, 9]]);
    assert.match(findings[0].message, /index on user_id/);
    assert.match(findings[0].message, /default since Rails 5\.0/);
    assert.match(findings[2].message, /two-column index on owner_type and owner_id/);
  });

  test('fix: no key, true, and an existing hash', () => {
    const code = migration('add_reference :posts, :user, foreign_key: true');
    const fixed = applyFix(code, run(rule, code)[0].fixes[0]);
    assert.equal(fixed, lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  disable_ddl_transaction!',
      '',
      '  def change',
      '    add_reference :posts, :user, foreign_key: true, index: { algorithm: :concurrently }',
      '  end',
      'end',
    ));
    assert.equal(run(rule, fixed).length, 0);
    assertParses(fixed);
    const t = migration('add_reference :posts, :user, index: true');
    assert.match(applyFix(t, run(rule, t)[0].fixes[0]), /add_reference :posts, :user, index: \{ algorithm: :concurrently \}\n/);
    const h = migration('add_reference :posts, :user, index: { unique: true }');
    const hf = applyFix(h, run(rule, h)[0].fixes[0]);
    assert.match(hf, /index: \{ unique: true, algorithm: :concurrently \}/);
    assert.equal(run(rule, hf).length, 0);
  });

  test('Migration[4.2] and bare ActiveRecord::Migration: no index by default; the class version wins over Gemfile.lock', () => {
    const app = appFacts({ railsVersion: { value: '7.1.3', source: 'Gemfile.lock' } });
    assert.equal(run(rule, migration('add_reference :posts, :user', 'class X < ActiveRecord::Migration[4.2]'), { app }).length, 0);
    assert.equal(run(rule, migration('add_reference :posts, :user', 'class X < ActiveRecord::Migration'), { app }).length, 0);
    assert.equal(run(rule, migration('add_reference :posts, :user, index: true', 'class X < ActiveRecord::Migration[4.2]'), { app }).length, 1);
    assert.equal(run(rule, migration('add_reference :posts, :user', 'class X < ActiveRecord::Migration[5.0]'), { app }).length, 1);
    // A project base class behaves like the locked Rails version.
    const old = appFacts({ railsVersion: { value: '4.2.11', source: 'Gemfile.lock' } });
    assert.equal(run(rule, migration('add_reference :posts, :user', 'class X < Gitlab::Database::Migration'), { app: old }).length, 0);
  });

  test('near misses: index: false, concurrent hash, create_table, new table, MySQL, safety_assured', () => {
    assert.equal(run(rule, migration('add_reference :posts, :user, index: false')).length, 0);
    assert.equal(run(rule, migration('add_reference :posts, :user, index: { algorithm: :concurrently }')).length, 0);
    assert.equal(run(rule, migration('create_table :posts do |t|\n  t.references :user\nend')).length, 0);
    assert.equal(run(rule, migration('create_table :posts\nadd_reference :posts, :user')).length, 0);
    assert.equal(run(rule, migration('add_reference :posts, :user'), { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('safety_assured { add_reference :posts, :user }')).length, 0);
  });
});
