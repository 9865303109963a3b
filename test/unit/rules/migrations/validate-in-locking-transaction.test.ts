import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/validate-in-locking-transaction';
import { applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { assertParses, createdFile, lines } from '../../../helpers/migrationTester';

before(initParsers);

describe('migrations/validate-in-locking-transaction', () => {
  test('reports validate_* after a locking statement in the same transaction', () => {
    const code = migration('add_foreign_key :orders, :users, validate: false\nvalidate_foreign_key :orders, :users');
    const findings = run(rule, code);
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/validate-in-locking-transaction', line: 4, column: 5 }]);
    assert.match(findings[0].message, /same transaction as add_foreign_key \(line 3\)/);
    const check = migration('add_check_constraint :products, "price > 0", name: "p", validate: false\nvalidate_check_constraint :products, name: "p"');
    assert.equal(run(rule, check).length, 1);
    const sql = migration('execute "ALTER TABLE users ADD COLUMN x int"\nvalidate_check_constraint :products, name: "p"');
    assert.equal(run(rule, sql).length, 1);
  });

  test('fix 1: disable_ddl_transaction!; fix 2: move the validation into a new migration', () => {
    const code = migration('add_foreign_key :orders, :users, validate: false\nvalidate_foreign_key :orders, :users');
    const [finding] = run(rule, code);
    const first = applyFix(code, finding.fixes[0]);
    assert.equal(first, lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  disable_ddl_transaction!',
      '',
      '  def change',
      '    add_foreign_key :orders, :users, validate: false',
      '    validate_foreign_key :orders, :users',
      '  end',
      'end',
    ));
    assert.equal(run(rule, first).length, 0);
    const moved = applyFix(code, finding.fixes[1]);
    assert.equal(moved, lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_foreign_key :orders, :users, validate: false',
      '  end',
      'end',
    ));
    assertParses(moved);
    assert.deepEqual(createdFile(finding.fixes[1]), {
      rel: 'db/migrate/20250101000001_validate_foreign_key_orders.rb',
      text: lines(
        'class ValidateForeignKeyOrders < ActiveRecord::Migration[7.2]',
        '  def change',
        '    validate_foreign_key :orders, :users',
        '  end',
        'end',
      ),
    });
  });

  test('near misses: validate first, disable_ddl_transaction!, only a new table before, down', () => {
    assert.equal(run(rule, migration('validate_foreign_key :orders, :users\nadd_index :orders, :x')).length, 0);
    assert.equal(run(rule, 'class X < ActiveRecord::Migration[7.2]\n  disable_ddl_transaction!\n\n  def change\n    add_foreign_key :orders, :users, validate: false\n    validate_foreign_key :orders, :users\n  end\nend\n').length, 0);
    assert.equal(run(rule, migration('create_table :notes do |t|\n  t.string :body\nend\nvalidate_foreign_key :orders, :users')).length, 0);
    assert.equal(run(rule, migration('validate_foreign_key :orders, :users\nvalidate_check_constraint :orders, name: "x"')).length, 0);
    assert.equal(run(rule, migration('safety_assured do\n  add_column :orders, :x, :integer\n  validate_foreign_key :orders, :users\nend')).length, 0);
  });

  test('no follow-up migration that needs a local, a constant or a method of the original file', () => {
    const titles = (code: string) => run(rule, code)[0].fixes.map((f) => f.title);
    const local = migration('fk = "fk_orders_users"\nadd_foreign_key :orders, :users, name: fk, validate: false\nvalidate_foreign_key :orders, name: fk');
    assert.deepEqual(titles(local).filter((t) => /new migration|follow-up/i.test(t)), []);
    const constant = lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  FK = "fk_orders_users"',
      '  def change',
      '    add_foreign_key :orders, :users, name: FK, validate: false',
      '    validate_foreign_key :orders, name: FK',
      '  end',
      'end',
    );
    assert.deepEqual(titles(constant).filter((t) => /new migration|follow-up/i.test(t)), []);
    const method = lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_foreign_key :orders, :users, name: fk_name, validate: false',
      '    validate_foreign_key :orders, name: fk_name(:orders)',
      '  end',
      '',
      '  def fk_name(table) = "fk_#{table}_users"',
      'end',
    );
    assert.deepEqual(titles(method).filter((t) => /new migration|follow-up/i.test(t)), []);
    // Near miss: literal arguments still get the follow-up.
    const literal = migration('add_foreign_key :orders, :users, validate: false\nvalidate_foreign_key :orders, :users');
    assert.equal(titles(literal).filter((t) => /new migration|follow-up/i.test(t)).length, 1);
  });
});
