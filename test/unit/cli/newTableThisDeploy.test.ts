// A table created by another migration of the same branch ships empty with it: index builds, NOT NULL columns and
// foreign keys on it lock nothing busy, so the lock rules treat it like a table created in the same migration.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN } from '../../helpers/lspClient';
import { makeApp } from '../../helpers/fixtures';
import { git } from '../../helpers/gitApp';

const CREATE = 'db/migrate/20240301000000_create_widgets.rb';
const CREATE_TEXT = 'class CreateWidgets < ActiveRecord::Migration[7.1]\n  def change\n    create_table :widgets do |t|\n      t.string :name\n    end\n  end\nend\n';
const INDEX = 'db/migrate/20240302000000_add_name_index_to_widgets.rb';
const INDEX_TEXT = 'class AddNameIndexToWidgets < ActiveRecord::Migration[7.1]\n  def change\n    add_index :widgets, :name\n    add_column :widgets, :sku, :string, null: false\n  end\nend\n';

function write(repo: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
  fs.writeFileSync(path.join(repo, rel), text);
}

function repoWithApp(): string {
  const repo = makeApp({
    Gemfile: 'source "https://rubygems.org"\ngem "rails"\n',
    'config/application.rb': 'module Shop\n  class Application < Rails::Application\n    config.load_defaults 7.1\n  end\nend\n',
  });
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'app');
  return repo;
}

function rules(repo: string, ...flags: string[]): string[] {
  const r = spawnSync(process.execPath, [BIN, 'check', repo, '--format', 'json', '--fail-on', 'never', ...flags], { cwd: repo, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout).findings as { rule: string; file: string }[])
    .filter((f) => f.file.endsWith(path.basename(INDEX))).map((f) => f.rule).sort();
}

describe('a table created earlier on the same branch counts as new', () => {
  test('created and indexed on the branch: no lock findings on it', () => {
    const repo = repoWithApp();
    git(repo, 'checkout', '-q', '-b', 'widgets');
    write(repo, CREATE, CREATE_TEXT);
    write(repo, INDEX, INDEX_TEXT);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'widgets');
    assert.deepEqual(rules(repo), []);
  });

  test('near miss: the table was deployed before (in main), so the index build and the NOT NULL column lock a live table', () => {
    const repo = repoWithApp();
    write(repo, CREATE, CREATE_TEXT);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'create widgets');
    git(repo, 'checkout', '-q', '-b', 'index');
    write(repo, INDEX, INDEX_TEXT);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'index widgets');
    assert.deepEqual(rules(repo), ['migrations/add-column-not-null-without-default', 'migrations/add-index-non-concurrent']);
    // Audit mode cannot tell deploys apart: every earlier migration's table counts as existing.
    assert.deepEqual(rules(repo, '--all-migrations'), ['migrations/add-column-not-null-without-default', 'migrations/add-index-non-concurrent']);
  });
});
