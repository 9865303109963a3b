// otwarchive keeps config/database.yml out of the repository; its schema dump (`options: "ENGINE=InnoDB"`) and its
// lockfile (mysql2, no pg) say MySQL. Taking the missing file for PostgreSQL reported `add_index` as a write-blocking
// SHARE lock and offered `algorithm: :concurrently`, which MySQL rejects. The adapter now comes from the dump, then
// from the only adapter gem bundled; with neither (or two adapter gems) it stays unknown, checked as PostgreSQL.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrationFindings } from '../../helpers/fixtures';

const MIGRATION = 'class AddEmailIndexToUsers < ActiveRecord::Migration[7.1]\n  def change\n    add_index :users, :email\n  end\nend\n';
const lockfile = (...gems: string[]) => `GEM\n  remote: https://rubygems.org/\n  specs:\n${gems.map((g) => `    ${g} (1.0.0)\n`).join('')}\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n${gems.map((g) => `  ${g}\n`).join('')}`;
const schema = (options: string, extension = '') => `ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do\n${extension}  create_table "users"${options} do |t|\n    t.string "email"\n  end\nend\n`;

function findings(files: Record<string, string>): [string, number, number][] {
  return migrationFindings({ 'db/migrate/20990101000000_add_email_index_to_users.rb': MIGRATION, ...files });
}

describe('the database adapter of an app without config/database.yml', () => {
  test('a MySQL schema dump: add_index is not reported as a PostgreSQL lock', () => {
    assert.deepEqual(findings({ 'db/schema.rb': schema(', charset: "utf8mb4", options: "ENGINE=InnoDB ROW_FORMAT=DYNAMIC"') }), []);
  });

  test('no dump, the lockfile bundles mysql2 only: MySQL', () => {
    assert.deepEqual(findings({ 'Gemfile.lock': lockfile('mysql2', 'rails') }), []);
  });

  test('near misses: a PostgreSQL dump, pg bundled, or no evidence at all: the PostgreSQL lock is reported', () => {
    const pg: [string, number, number][] = [['migrations/add-index-non-concurrent', 3, 5]];
    assert.deepEqual(findings({ 'db/schema.rb': schema('', '  enable_extension "plpgsql"\n'), 'Gemfile.lock': lockfile('mysql2') }), pg, 'the dump wins over the lockfile');
    assert.deepEqual(findings({ 'Gemfile.lock': lockfile('pg') }), pg);
    assert.deepEqual(findings({ 'Gemfile.lock': lockfile('mysql2', 'pg') }), pg, 'two adapter gems: unknown, checked as PostgreSQL');
    assert.deepEqual(findings({}), pg);
  });
});
