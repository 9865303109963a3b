import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule, { railsCheckConstraintName } from '../../../../server/src/rules/migrations/add-check-constraint-validated';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { assertParses, createdFile, lines } from '../../../helpers/migrationTester';

before(initParsers);

describe('migrations/add-check-constraint-validated', () => {
  test('reports add_check_constraint, t.check_constraint, online_migrations helpers', () => {
    const code = migration([
      'add_check_constraint :products, "price > 0", name: "price_positive"',
      'change_table :products do |t|',
      '  t.check_constraint "stock >= 0"',
      'end',
      'add_not_null_constraint :products, :sku',
    ].join('\n'));
    const findings = run(rule, code);
    assert.deepEqual(findings.map(at).map((f) => [f.line, f.column]), [[3, 5], [5, 9], [7, 5]]);
    assert.match(findings[0].message, /ACCESS EXCLUSIVE lock and scans every row/);
    assert.match(findings[0].message, /`validate_check_constraint :products, name: "price_positive"`/);
  });

  test('Rails default name: chk_rails_ + 10 hex of SHA256("<table>_<expr>_chk")', () => {
    assert.match(railsCheckConstraintName('products', 'price > 0'), /^chk_rails_[0-9a-f]{10}$/);
  });

  test('fix with an explicit name: validate: false and the follow-up file', () => {
    const code = migration('add_check_constraint :products, "price > 0", name: "price_positive"');
    const [finding] = run(rule, code);
    const fixed = applyFix(code, finding.fixes[0]);
    assert.equal(fixed, lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_check_constraint :products, "price > 0", name: "price_positive", validate: false',
      '  end',
      'end',
    ));
    assert.equal(run(rule, fixed).length, 0);
    assertParses(fixed);
    assert.deepEqual(createdFile(finding.fixes[1]), {
      rel: 'db/migrate/20250101000001_validate_products_price_positive.rb',
      text: lines(
        'class ValidateProductsPricePositive < ActiveRecord::Migration[7.2]',
        '  def change',
        '    validate_check_constraint :products, name: "price_positive"',
        '  end',
        'end',
      ),
    });
  });

  test('fix without a name inserts Rails\' own name so the follow-up can reference it', () => {
    const code = migration('add_check_constraint :products, "price > 0"');
    const [finding] = run(rule, code);
    const name = railsCheckConstraintName('products', 'price > 0');
    const fixed = applyFix(code, finding.fixes[0]);
    assert.match(fixed, new RegExp(`add_check_constraint :products, "price > 0", name: "${name}", validate: false\\n`));
    assert.equal(run(rule, fixed).length, 0);
    assert.match(createdFile(finding.fixes[1])!.text, new RegExp(`validate_check_constraint :products, name: "${name}"`));
    assertParses(createdFile(finding.fixes[1])!.text);
  });

  test('near misses: validate: false, new table, create_table, MySQL, safe-pg-migrations downgrade', () => {
    assert.equal(run(rule, migration('add_check_constraint :products, "price > 0", validate: false')).length, 0);
    assert.equal(run(rule, migration('create_table :products do |t|\n  t.check_constraint "price > 0"\nend')).length, 0);
    assert.equal(run(rule, migration('create_table :products\nadd_check_constraint :products, "price > 0"')).length, 0);
    assert.equal(run(rule, migration('add_check_constraint :products, "price > 0"'), { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
    const spm = appFacts({ gems: new Map([['safe-pg-migrations', '2.1.0']]) });
    assert.equal(run(rule, migration('add_check_constraint :products, "price > 0"'), { app: spm })[0].severity, 'info');
  });
});
