// The project reads the app's migration helpers lazily: a plain migration (ActiveRecord::Migration[x], no include)
// only needs what the few files that mention Migration, ConnectionAdapters or SchemaStatements patch into every
// migration: methods they define there are read from those files alone; a module they include or prepend is looked
// up in the whole helper index, as before (here one from lib/, a file that mentions none of the three).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrationFindings } from '../../helpers/fixtures';

const MIGRATION = 'class AddEmailIndexToUsers < ActiveRecord::Migration[7.1]\n  disable_ddl_transaction!\n\n  def change\n    add_index :users, :email\n  end\nend\n';
const SCHEMA = 'ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do\n  enable_extension "plpgsql"\n  create_table "users" do |t|\n    t.string "email"\n  end\nend\n';
const CONCURRENT = 'module ConcurrentIndexes\n  def add_index(table, columns, **options)\n    super(table, columns, **options, algorithm: :concurrently)\n  end\nend\n';
const PREPEND = 'ActiveSupport.on_load(:active_record) do\n  ActiveRecord::Migration.prepend(ConcurrentIndexes)\nend\n';

function findings(files: Record<string, string>): [string, number, number][] {
  return migrationFindings({ 'db/migrate/20990101000000_add_email_index_to_users.rb': MIGRATION, 'db/schema.rb': SCHEMA, ...files });
}

describe('migration helpers that change every migration', () => {
  test('a module prepended to ActiveRecord::Migration by an initializer makes add_index concurrent: nothing to report', () => {
    assert.deepEqual(findings({ 'lib/concurrent_indexes.rb': CONCURRENT, 'config/initializers/migrations.rb': PREPEND }), []);
  });

  test('add_index redefined on SchemaStatements (openfoodnetwork patches it in config/initializers/postgres.rb): nothing to report', () => {
    const patch = 'module ActiveRecord\n  module ConnectionAdapters\n    module SchemaStatements\n      def add_index(table, columns, **options)\n'
      + '        execute "CREATE INDEX CONCURRENTLY #{options[:name]} ON #{table} (#{Array(columns).join(", ")})"\n      end\n    end\n  end\nend\n';
    assert.deepEqual(findings({ 'config/initializers/postgres.rb': patch, 'lib/concurrent_indexes.rb': CONCURRENT }), []);
  });

  test('near miss: the same module, not prepended: Rails\' add_index, reported', () => {
    assert.deepEqual(findings({ 'lib/concurrent_indexes.rb': CONCURRENT }), [['migrations/add-index-non-concurrent', 5, 5]]);
  });
});
