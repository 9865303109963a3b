// A temporary Rails app in a git repository, for the deployed-migrations tests: main has an old
// migration, the `feature` branch adds one (committed) and one more (untracked).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeApp } from './fixtures';

export function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args],
    { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
}

/** A migration that adds an index without `algorithm: :concurrently` (one add-index-non-concurrent finding). */
export const addIndexMigration = (name: string, table: string) =>
  `class ${name} < ActiveRecord::Migration[7.1]\n  def change\n    add_index :${table}, :email\n  end\nend\n`;

export const OLD = 'db/migrate/20240101000000_add_email_index_to_users.rb';
export const BRANCH = 'db/migrate/20240301000000_add_email_index_to_admins.rb';
export const WIP = 'db/migrate/20240401000000_add_email_index_to_guests.rb';

export const APP_FILES: Record<string, string> = {
  Gemfile: 'source "https://rubygems.org"\ngem "rails"\n',
  'config/application.rb': 'module Shop\n  class Application < Rails::Application\n    config.load_defaults 7.1\n  end\nend\n',
  [OLD]: addIndexMigration('AddEmailIndexToUsers', 'users'),
};

/** The app in a git repo: OLD committed on main, BRANCH committed on `feature` (checked out), WIP untracked. */
export function makeGitApp(): string {
  const repo = makeApp(APP_FILES);
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'old migration');
  git(repo, 'checkout', '-q', '-b', 'feature');
  fs.writeFileSync(path.join(repo, BRANCH), addIndexMigration('AddEmailIndexToAdmins', 'admins'));
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'branch migration');
  fs.writeFileSync(path.join(repo, WIP), addIndexMigration('AddEmailIndexToGuests', 'guests'));
  return repo;
}
