import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/change-column-null-not-null';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { assertParses, createdFile, lines } from '../../../helpers/migrationTester';
import type { Schema } from '../../../../server/src/project/schema';

before(initParsers);

function schema(version: string, nullable: boolean, checks: { expression: string; validated: boolean }[] = []): Schema {
  return {
    version,
    foreignKeys: [],
    tables: new Map([['users', {
      name: 'users', primaryKeyType: 'bigint', indexes: [], checks,
      columns: new Map([['email', { name: 'email', type: 'string', null: nullable, hasDefault: false }]]),
    }]]),
  };
}

describe('migrations/change-column-null-not-null', () => {
  test('reports change_column_null false, t.change_null false, change_column null: false', () => {
    const code = migration('change_column_null :users, :email, false\nchange_table :users do |t|\n  t.change_null :name, false\nend\nchange_column :users, :age, :integer, null: false');
    const findings = run(rule, code);
    assert.deepEqual(findings.map(at).map((f) => [f.line, f.column]), [[3, 5], [5, 9], [7, 5]]);
    assert.match(findings[0].message, /ACCESS EXCLUSIVE lock while it scans every row/);
    assert.match(findings[0].message, /add_check_constraint :users, "email IS NOT NULL", name: "users_email_null", validate: false/);
  });

  test('fix: NOT VALID check now, validate + SET NOT NULL + drop check in the follow-up migration', () => {
    const code = migration('change_column_null :users, :email, false');
    const [finding] = run(rule, code);
    const fixed = applyFix(code, finding.fixes[0]);
    assert.equal(fixed, lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_check_constraint :users, "email IS NOT NULL", name: "users_email_null", validate: false',
      '  end',
      'end',
    ));
    assert.equal(run(rule, fixed).length, 0);
    assertParses(fixed);
    const created = createdFile(finding.fixes[0])!;
    assert.deepEqual(created, {
      rel: 'db/migrate/20250101000001_validate_users_email_not_null.rb',
      text: lines(
        'class ValidateUsersEmailNotNull < ActiveRecord::Migration[7.2]',
        '  def up',
        '    validate_check_constraint :users, name: "users_email_null"',
        '    change_column_null :users, :email, false',
        '    remove_check_constraint :users, name: "users_email_null"',
        '  end',
        '',
        '  def down',
        '    add_check_constraint :users, "email IS NOT NULL", name: "users_email_null", validate: false',
        '    change_column_null :users, :email, true',
        '  end',
        'end',
      ),
    });
    assertParses(created.text);
    // The follow-up itself is clean: the check is validated before SET NOT NULL.
    assert.equal(run(rule, created.text, { file: created.rel }).length, 0);
  });

  test('no fix before PostgreSQL 12 or with a backfill value', () => {
    const pg11 = appFacts({ databaseVersion: { value: '11', source: 'test' } });
    const [old] = run(rule, migration('change_column_null :users, :email, false'), { app: pg11 });
    assert.equal(old.fixes.length, 0);
    assert.match(old.message, /Before PostgreSQL 12/);
    assert.equal(run(rule, migration('change_column_null :users, :email, false, ""'))[0].fixes.length, 0);
  });

  test('near misses: null true, new table, already NOT NULL before the migration, validated check, MySQL strict', () => {
    assert.equal(run(rule, migration('change_column_null :users, :email, true')).length, 0);
    assert.equal(run(rule, migration('create_table :users do |t|\n  t.string :email\nend\nchange_column_null :users, :email, false')).length, 0);
    // A column added in this migration to an existing table: the table's rows are still scanned.
    assert.equal(run(rule, migration('add_column :users, :email, :string, default: ""\nchange_column_null :users, :email, false')).length, 1);
    assert.match(run(rule, migration('add_column :users, :email, :string\nchange_column_null :users, :email, false'))[0].message, /added earlier in this migration.*fails outright/);
    assert.equal(run(rule, migration('change_column_null :users, :email, false'), { app: appFacts({ schema: schema('2024_12_01_000000', false) }) }).length, 0);
    // schema.rb newer than the migration shows the result, not the state before: still reported.
    assert.equal(run(rule, migration('change_column_null :users, :email, false'), { app: appFacts({ schema: schema('2026_01_01_000000', false) }) }).length, 1);
    assert.equal(run(rule, migration('change_column_null :users, :email, false'), { app: appFacts({ schema: schema('2026_01_01_000000', true, [{ expression: 'email IS NOT NULL', validated: true }]) }) }).length, 0);
    assert.equal(run(rule, migration('change_column_null :users, :email, false'), { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('safety_assured { change_column_null :users, :email, false }')).length, 0);
  });

  test('change_column … null: false whose down restores null: false was NOT NULL already', () => {
    const code = 'class X < ActiveRecord::Migration[7.2]\n  def up\n    change_column :projects, :name, :string, limit: nil, null: false\n  end\n\n  def down\n    change_column :projects, :name, :string, limit: 30, null: false\n  end\nend\n';
    assert.equal(run(rule, code).length, 0);
    assert.equal(run(rule, code.replace('limit: 30, null: false', 'limit: 30')).length, 1);
  });

  test('safe-pg-migrations downgrades to info only on PostgreSQL 12+ with Rails 6.1+', () => {
    const gems = new Map([['safe-pg-migrations', '2.1.0']]);
    assert.equal(run(rule, migration('change_column_null :users, :email, false'), { app: appFacts({ gems }) })[0].severity, 'info');
    const old = appFacts({ gems, railsVersion: { value: '6.0.6', source: 'Gemfile.lock' } });
    assert.equal(run(rule, migration('change_column_null :users, :email, false'), { app: old })[0].severity, 'error');
  });

  test('MySQL without a strict sql_mode is reported', () => {
    const app = appFacts({ adapter: { value: 'mysql', source: 'test' }, strongMigrations: { targetSqlMode: 'NO_ENGINE_SUBSTITUTION', safeByDefault: false, disabledChecks: [], checkDown: false } });
    assert.equal(run(rule, migration('change_column_null :users, :email, false'), { app }).length, 1);
  });
});
