import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { AppFacts } from '../../../server/src/core/appFacts';
import type { HoverInput } from '../../../server/src/core/hover';
import { migrationDslHover } from '../../../server/src/hovers/migration-dsl';
import { parseRuby } from '../../../server/src/parsing/treeSitter';
import { APP_ROOT, appFacts, initParsers, migration } from '../../helpers/ruleTester';

before(initParsers);

/** Hover at the first occurrence of `word` on the given 0-based line. */
function hover(text: string, line: number, word: string, app: AppFacts = appFacts()) {
  const derived = new Map<string, unknown>();
  const tree = parseRuby(text);
  const character = text.split('\n')[line].indexOf(word) + 1;
  const input: HoverInput = {
    file: path.join(APP_ROOT, 'db/migrate/20250101000000_test_migration.rb'), text, kind: 'migration', tree, app, position: { line, character },
    derive: <T>(key: string, compute: () => T): T => {
      if (!derived.has(key)) derived.set(key, compute());
      return derived.get(key) as T;
    },
  };
  try { return migrationDslHover.hover(input)?.markdown; } finally { tree.delete(); }
}

describe('migration DSL hover', () => {
  test('lock, rewrite, transaction and assumptions (adapter, database version, compatibility)', () => {
    const md = hover(migration('add_index :users, :email'), 2, 'add_index')!;
    assert.match(md, /\*\*add_index\*\* on `users`/);
    assert.match(md, /Lock: \*\*SHARE\*\*, blocks writes/);
    assert.match(md, /Rewrites the table: no\./);
    assert.match(md, /Runs inside the DDL transaction: yes\./);
    assert.match(md, /adapter postgresql \(test\); database version newest \(assumed: no version in \.rails-hazards\.yml, StrongMigrations\.target_version, db\/structure\.sql, docker-compose/);
    assert.match(md, /migration compatibility 7\.2 \(ActiveRecord::Migration\[7\.2\] in the class header\)/);
  });

  test('version-aware: a default before PostgreSQL 11 rewrites; after, it is brief; volatile rewrites', () => {
    const code = migration('add_column :users, :active, :boolean, default: true');
    const pg10 = appFacts({ databaseVersion: { value: '10', source: 'StrongMigrations.target_version' } });
    assert.match(hover(code, 2, 'add_column', pg10)!, /Rewrites the table: yes/);
    assert.match(hover(code, 2, 'add_column', pg10)!, /database version PostgreSQL 10 from StrongMigrations\.target_version \(some 10\.x: no claim that needs a minor\)/);
    assert.match(hover(code, 2, 'add_column')!, /Rewrites the table: no/);
    assert.match(hover(migration('add_column :users, :t, :uuid, default: -> { "gen_random_uuid()" }'), 2, 'add_column')!, /volatile default/);
  });

  test('t.<type> in change_table, NOT NULL, held locks, escape hatches, MySQL, Rails compatibility from Gemfile.lock', () => {
    const ct = migration('change_table :users do |t|\n  t.index :email\nend');
    assert.match(hover(ct, 3, 'index')!, /\*\*t\.index → add_index\*\* on `users`/);
    const held = migration('add_foreign_key :orders, :users, validate: false\nvalidate_foreign_key :orders, :users');
    assert.match(hover(held, 3, 'validate_foreign_key')!, /held until COMMIT \(add_foreign_key, line 3\)/);
    assert.match(hover(migration('safety_assured { change_column_null :users, :email, false }'), 2, 'change_column_null')!, /inside `safety_assured`: not reported/);
    const mysql = appFacts({ adapter: { value: 'mysql', source: 'config/database.yml (adapter: mysql2)' } });
    assert.match(hover(migration('add_index :users, :email'), 2, 'add_index', mysql)!, /online DDL/);
    const rails = appFacts({ railsVersion: { value: '6.1.7', source: 'Gemfile.lock' } });
    assert.match(hover(migration('add_index :users, :email', 'class X < Gitlab::Database::Migration[2.1]'), 2, 'add_index', rails)!, /compatibility 6\.1 \(Rails 6\.1\.7 from Gemfile\.lock\)/);
  });

  test('safe-pg-migrations is named only on the operations it rewrites', () => {
    const app = appFacts({ gems: new Map([['safe-pg-migrations', '2.1.0']]) });
    assert.match(hover(migration('add_index :users, :email'), 2, 'add_index', app)!, /Escape hatches: safe-pg-migrations/);
    assert.doesNotMatch(hover(migration('rename_column :users, :a, :b'), 2, 'rename_column', app)!, /safe-pg-migrations/);
  });

  test('a deployed migration says it was skipped and how to check it', () => {
    const deployed = (yes: boolean) => appFacts({ deployedMigrations: { source: 'git', count: 1, reason: 'in origin/main', isDeployed: () => yes } });
    assert.match(hover(migration('add_index :users, :email'), 2, 'add_index', deployed(true))!,
      /Escape hatches: already deployed \(in origin\/main\): not checked; `--all-migrations` or `migrations: \{ audit: true \}` checks it\./);
    assert.doesNotMatch(hover(migration('add_index :users, :email'), 2, 'add_index', deployed(false))!, /deployed/);
  });

  test('no hover off a DSL call', () => {
    assert.equal(hover(migration('add_index :users, :email'), 2, ':users'), undefined);
  });

  test('the version source is named; a major-only 14 mentions 14.0–14.3 only in the hover, a known 14.2 not as "if"', () => {
    const code = migration('add_index :users, :email, algorithm: :concurrently');
    const compose = appFacts({ databaseVersion: { value: '14', source: 'docker-compose.yml (image postgres:14-alpine)' } });
    const md = hover(code, 2, 'add_index', compose)!;
    assert.match(md, /database version PostgreSQL 14 from docker-compose\.yml \(image postgres:14-alpine\)/);
    assert.match(md, /if the server is 14\.0–14\.3, concurrent index builds can silently corrupt/);
    const exact = appFacts({ databaseVersion: { value: '14.2', source: 'db/structure.sql header' } });
    assert.doesNotMatch(hover(code, 2, 'add_index', exact)!, /if the server is 14\.0/);
    assert.doesNotMatch(hover(code, 2, 'add_index', appFacts({ databaseVersion: { value: '15', source: 'x' } }))!, /14\.0–14\.3/);
    assert.doesNotMatch(hover(migration('add_index :users, :email'), 2, 'add_index', compose)!, /14\.0–14\.3/);
  });
});
