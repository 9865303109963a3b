// remove-column reads the model as the code running before the migration has it (git): the usual safe sequence
// deploys `ignored_columns` first, then drops the column and the ignore in one commit, so today's model no longer
// shows the ignore.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN } from '../../helpers/lspClient';
import { makeApp } from '../../helpers/fixtures';
import { git } from '../../helpers/gitApp';
import { ignoredColumnsIn } from '../../../server/src/migrations/runningCode';

const MODEL = 'app/models/patient.rb';
const IGNORING = 'class Patient < ApplicationRecord\n  self.ignored_columns += ["fax"]\nend\n';
const PLAIN = 'class Patient < ApplicationRecord\nend\n';
const DROP = 'db/migrate/20240301000000_remove_fax_from_patients.rb';
const DROP_TEXT = 'class RemoveFaxFromPatients < ActiveRecord::Migration[7.1]\n  def change\n    remove_column :patients, :fax, :string\n  end\nend\n';

function appWith(model: string): string {
  const repo = makeApp({
    Gemfile: 'source "https://rubygems.org"\ngem "rails"\n',
    'config/application.rb': 'module Clinic\n  class Application < Rails::Application\n    config.load_defaults 7.1\n  end\nend\n',
    'app/models/application_record.rb': 'class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\nend\n',
    [MODEL]: model,
  });
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'app');
  return repo;
}

/** The lines of remove-column findings in the drop migration. */
function removeColumnLines(repo: string, ...flags: string[]): number[] {
  const r = spawnSync(process.execPath, [BIN, 'check', repo, '--format', 'json', '--fail-on', 'never', ...flags], { cwd: repo, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout).findings as { rule: string; line: number }[]).filter((f) => f.rule === 'migrations/remove-column').map((f) => f.line);
}

function write(repo: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
  fs.writeFileSync(path.join(repo, rel), text);
}

function dropOnBranch(repo: string, model: string): void {
  git(repo, 'checkout', '-q', '-b', 'drop-fax');
  write(repo, MODEL, model);
  write(repo, DROP, DROP_TEXT);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'drop fax');
}

describe('remove-column: ignored_columns of the code running before the migration', () => {
  test('the ignore was deployed (in main) and the branch removes it with the column: not reported', () => {
    const repo = appWith(IGNORING);
    dropOnBranch(repo, PLAIN);
    assert.deepEqual(removeColumnLines(repo), []);
  });

  test('near miss: the ignore arrives in the same branch as the drop, so running code still writes the column', () => {
    const repo = appWith(PLAIN);
    dropOnBranch(repo, PLAIN);
    assert.deepEqual(removeColumnLines(repo), [3]);
  });

  test('audit mode: a deployed drop is judged by the model just before the commit that added it', () => {
    const done = appWith(IGNORING);
    write(done, MODEL, PLAIN);
    write(done, DROP, DROP_TEXT);
    git(done, 'add', '-A');
    git(done, 'commit', '-q', '-m', 'drop fax and its ignore');
    assert.deepEqual(removeColumnLines(done, '--all-migrations'), []);
    const unsafe = appWith(PLAIN);
    write(unsafe, DROP, DROP_TEXT);
    git(unsafe, 'add', '-A');
    git(unsafe, 'commit', '-q', '-m', 'drop fax');
    assert.deepEqual(removeColumnLines(unsafe, '--all-migrations'), [3]);
  });

  test('a namespaced model the index cannot match to its table is found by convention (clinic_patients → clinic/patient.rb)', () => {
    const repo = appWith(PLAIN);
    write(repo, 'app/models/clinic/patient.rb', 'module Clinic\n  class Patient < ApplicationRecord\n    self.ignored_columns = [:pager]\n  end\nend\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'ignore pager');
    git(repo, 'checkout', '-q', '-b', 'drop-pager');
    write(repo, 'app/models/clinic/patient.rb', 'module Clinic\n  class Patient < ApplicationRecord\n  end\nend\n');
    write(repo, DROP, DROP_TEXT.replace(':patients, :fax', ':clinic_patients, :pager'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'drop pager');
    assert.deepEqual(removeColumnLines(repo), []);
  });

  test('ignoredColumnsIn reads the usual spellings', () => {
    assert.deepEqual(ignoredColumnsIn('self.ignored_columns += ["fax", :pager]'), ['fax', 'pager']);
    assert.deepEqual(ignoredColumnsIn('self.ignored_columns = %w[fax pager]'), ['fax', 'pager']);
    assert.deepEqual(ignoredColumnsIn('self.ignored_columns += %i(fax)\nself.ignored_columns << "pager"'), ['fax', 'pager']);
    assert.deepEqual(ignoredColumnsIn('has_many :faxes'), []);
  });
});
