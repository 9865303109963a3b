import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/change-column-type';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import type { Schema, SchemaColumn } from '../../../../server/src/project/schema';

before(initParsers);

function schema(columns: SchemaColumn[], version = '2024_12_01_000000', indexed: string[] = []): Schema {
  return {
    version, foreignKeys: [],
    tables: new Map([['users', {
      name: 'users', primaryKeyType: 'bigint', checks: [],
      indexes: indexed.map((c) => ({ columns: [c], unique: false })),
      columns: new Map(columns.map((c) => [c.name, c])),
    }]]),
  };
}
const col = (name: string, type: string, extra: Partial<SchemaColumn> = {}): SchemaColumn => ({ name, type, null: true, hasDefault: false, ...extra });

describe('migrations/change-column-type', () => {
  test('reports type changes, with the old type from db/schema.rb', () => {
    const app = appFacts({ schema: schema([col('age', 'integer')]) });
    const findings = run(rule, migration('change_column :users, :age, :bigint\nchange_table :users do |t|\n  t.change :age, :string\nend'), { app });
    assert.deepEqual(findings.map(at).map((f) => [f.line, f.column]), [[3, 5], [5, 9]]);
    assert.match(findings[0].message, /changes users\.age from integer to bigint/);
    assert.match(findings[0].message, /rewrites users and rebuilds its indexes/);
  });

  test('near miss: a column added earlier in the same migration and changed to the same type (only its default) is no rewrite', () => {
    const sameType = migration('add_column :users, :lock_version, :integer\nreversible do |dir|\n  dir.up do\n    change_column :users, :lock_version, :integer, default: 1\n  end\nend');
    assert.deepEqual(run(rule, sameType), []);
    // Another type for the just-added column still rewrites the table.
    const otherType = migration('add_column :users, :lock_version, :integer\nchange_column :users, :lock_version, :bigint');
    assert.deepEqual(run(rule, otherType).map(at), [{ rule: 'migrations/change-column-type', line: 4, column: 5 }]);
    assert.match(run(rule, otherType)[0].message, /from integer to bigint/);
  });

  test('unknown old type (no schema, or schema already migrated) is reported and says why', () => {
    assert.match(run(rule, migration('change_column :users, :name, :text'))[0].message, /no db\/schema\.rb/);
    const migrated = appFacts({ schema: schema([col('name', 'text')], '2026_01_01_000000') });
    assert.match(run(rule, migration('change_column :users, :name, :text'), { app: migrated })[0].message, /already includes this migration/);
  });

  test('near misses on PostgreSQL: varchar→text, limit increase/removal, text→varchar, citext unindexed, decimal precision, datetime precision, cidr→inet', () => {
    const app = appFacts({
      schema: schema([
        col('name', 'string', { limit: 50 }), col('bio', 'text'), col('price', 'decimal', { precision: 10, scale: 2 }),
        col('seen_at', 'datetime', { precision: 3 }), col('ip', 'cidr'), col('email', 'string'),
      ]),
    });
    for (const change of [
      'change_column :users, :name, :text',
      'change_column :users, :name, :string, limit: 100',
      'change_column :users, :name, :string',
      'change_column :users, :bio, :string',
      'change_column :users, :email, :citext',
      'change_column :users, :price, :decimal, precision: 12, scale: 2',
      'change_column :users, :price, :decimal',
      'change_column :users, :seen_at, :datetime, precision: 6',
      'change_column :users, :ip, :inet',
    ]) assert.equal(run(rule, migration(change), { app }).length, 0, change);
  });

  test('hits on PostgreSQL: limit decrease, scale change, indexed citext, USING', () => {
    const app = appFacts({ schema: schema([col('name', 'string', { limit: 50 }), col('price', 'decimal', { precision: 10, scale: 2 }), col('email', 'string')], undefined, ['email']) });
    for (const change of [
      'change_column :users, :name, :string, limit: 20',
      'change_column :users, :price, :decimal, precision: 12, scale: 4',
      'change_column :users, :email, :citext',
      'change_column :users, :name, :text, using: "name::text"',
    ]) assert.equal(run(rule, migration(change), { app }).length, 1, change);
  });

  test('MySQL: varchar growth only within the same length-prefix size', () => {
    const app = appFacts({ adapter: { value: 'mysql', source: 'test' }, schema: schema([col('code', 'string', { limit: 50 }), col('name', 'string')]) });
    assert.equal(run(rule, migration('change_column :users, :code, :string, limit: 60'), { app }).length, 0);
    assert.equal(run(rule, migration('change_column :users, :code, :string, limit: 100'), { app }).length, 1);
    assert.equal(run(rule, migration('change_column :users, :name, :string, limit: 500'), { app }).length, 0);
    assert.equal(run(rule, migration('change_column :users, :code, :text'), { app }).length, 1);
  });

  test('the old type is read from the class\'s down when schema.rb cannot tell', () => {
    const code = 'class X < ActiveRecord::Migration[7.2]\n  def up\n    change_column :versions, :authors, :text\n  end\n\n  def down\n    change_column :versions, :authors, :string\n  end\nend\n';
    assert.equal(run(rule, code).length, 0);
    assert.equal(run(rule, code.replace(':text', ':integer')).length, 1);
  });

  test('unknown old type: info for possibly rewrite-free targets or default/null changes, warning otherwise, error with using:', () => {
    assert.equal(run(rule, migration('change_column :users, :bio, :text'))[0].severity, 'info');
    assert.equal(run(rule, migration('change_column :users, :flag, :boolean, default: false'))[0].severity, 'info');
    assert.equal(run(rule, migration('change_column :users, :flag, :boolean'))[0].severity, 'warning');
    assert.equal(run(rule, migration('change_column :users, :age, :bigint, using: "age::bigint"'))[0].severity, 'error');
  });

  test('near misses: new table, SQLite, safety_assured', () => {
    assert.equal(run(rule, migration('create_table :users\nchange_column :users, :age, :bigint')).length, 0);
    // A column added in this migration to an existing table is rewritten with the table.
    assert.equal(run(rule, migration('add_column :users, :age, :integer\nchange_column :users, :age, :bigint')).length, 1);
    assert.equal(run(rule, migration('change_column :users, :age, :bigint'), { app: appFacts({ adapter: { value: 'sqlite', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('safety_assured { change_column :users, :age, :bigint }')).length, 0);
  });
});
