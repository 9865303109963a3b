import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-column-volatile-default';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { assertParses, lines } from '../../../helpers/migrationTester';

before(initParsers);

describe('migrations/add-column-volatile-default', () => {
  test('reports volatile callables and uuid function strings', () => {
    const code = migration([
      'add_column :users, :token, :uuid, default: -> { "gen_random_uuid()" }',
      'add_column :users, :seen_at, :datetime, default: -> { "clock_timestamp()" }',
      'add_column :users, :key, :uuid, default: "uuid_generate_v4()"',
      'change_table :users do |t|',
      '  t.float :jitter, default: -> { "random()" }',
      'end',
    ].join('\n'));
    const findings = run(rule, code);
    assert.deepEqual(findings.map(at).map((f) => [f.line, f.column]), [[3, 5], [4, 5], [5, 5], [7, 9]]);
    assert.match(findings[0].message, /gen_random_uuid\(\) is volatile/);
    assert.equal(findings[0].severity, 'error');
  });

  test('unknown function: info, asks to verify', () => {
    const [f] = run(rule, migration('add_column :users, :code, :string, default: -> { "my_func()" }'));
    assert.equal(f.severity, 'info');
    assert.match(f.message, /verify/);
  });

  test('fix: add without default, then change_column_default for new rows', () => {
    const code = migration('add_column :users, :token, :uuid, default: -> { "gen_random_uuid()" }');
    const fixed = applyFix(code, run(rule, code)[0].fixes[0]);
    assert.equal(fixed, lines(
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_column :users, :token, :uuid',
      '    change_column_default :users, :token, from: nil, to: -> { "gen_random_uuid()" }',
      '  end',
      'end',
    ));
    assert.equal(run(rule, fixed).length, 0);
    assertParses(fixed);
    // With null: false the split would fail on existing rows: no fix.
    assert.equal(run(rule, migration('add_column :users, :token, :uuid, null: false, default: -> { "gen_random_uuid()" }'))[0].fixes.length, 0);
  });

  test('near misses: stable defaults, literals, quoted "now()" on a string, new table, PG < 11, SQLite', () => {
    assert.equal(run(rule, migration('add_column :users, :seen_at, :datetime, default: -> { "CURRENT_TIMESTAMP" }')).length, 0);
    assert.equal(run(rule, migration('add_column :users, :seen_at, :datetime, default: -> { "now()" }')).length, 0);
    assert.equal(run(rule, migration('add_column :users, :role, :string, default: "now()"')).length, 0);
    assert.equal(run(rule, migration('add_column :users, :n, :integer, default: 0')).length, 0);
    assert.equal(run(rule, migration('create_table :users\nadd_column :users, :token, :uuid, default: -> { "gen_random_uuid()" }')).length, 0);
    assert.equal(run(rule, migration('create_table :users, id: :uuid do |t|\n  t.uuid :token, default: -> { "gen_random_uuid()" }\nend')).length, 0);
    assert.equal(run(rule, migration('add_column :users, :token, :uuid, default: -> { "gen_random_uuid()" }'), { app: appFacts({ databaseVersion: { value: '10', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('add_column :users, :token, :uuid, default: -> { "gen_random_uuid()" }'), { app: appFacts({ adapter: { value: 'sqlite', source: 'test' } }) }).length, 0);
  });

  test('safe-pg-migrations (splits defaults at run time) downgrades to info', () => {
    const app = appFacts({ gems: new Map([['safe-pg-migrations', '2.1.0']]) });
    const [f] = run(rule, migration('add_column :users, :token, :uuid, default: -> { "gen_random_uuid()" }'), { app });
    assert.equal(f.severity, 'info');
    assert.match(f.message, /safe-pg-migrations/);
  });

  test('MySQL: any expression default', () => {
    const app = appFacts({ adapter: { value: 'mysql', source: 'test' } });
    assert.equal(run(rule, migration('add_column :users, :seen_at, :datetime, default: -> { "CURRENT_TIMESTAMP" }'), { app }).length, 1);
    assert.equal(run(rule, migration('add_column :users, :n, :integer, default: 0'), { app }).length, 0);
  });
});
