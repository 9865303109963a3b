import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN } from '../../helpers/lspClient';
import { makeApp } from '../../helpers/fixtures';
import { addIndexMigration, BRANCH, makeGitApp, OLD, WIP } from '../../helpers/gitApp';

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const migration = addIndexMigration;

/** Relative paths of the migration files with an add-index-non-concurrent finding. */
function reported(root: string, ...flags: string[]): string[] {
  const r = cli(['check', root, '--format', 'json', '--fail-on', 'never', ...flags], root);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { findings: { file: string; rule: string }[] };
  return out.findings.filter((f) => f.rule === 'migrations/add-index-non-concurrent')
    .map((f) => path.relative(fs.realpathSync(root), fs.realpathSync(f.file)).replace(/\\/g, '/')).sort();
}

describe('rails-hazards check: deployed migrations are skipped', () => {
  let repo: string;

  before(() => {
    // main has the old migration; the branch adds one (committed) and one more (untracked).
    repo = makeGitApp();
  });

  test('in a git work tree only the migrations added since the merge-base with main are checked, committed or not', () => {
    assert.deepEqual(reported(repo), [BRANCH, WIP]);
    const text = cli(['check', repo, '--fail-on', 'never'], repo).stdout;
    assert.match(text, /: 1 migration skipped as deployed \(in main\); --all-migrations checks them$/m);
  });

  test('--all-migrations checks every migration', () => {
    assert.deepEqual(reported(repo, '--all-migrations'), [OLD, BRANCH, WIP]);
    assert.match(cli(['check', repo, '--all-migrations'], repo).stdout, /every migration checked \(audit mode\)/);
  });

  test('migrations: { audit: true } checks every migration', () => {
    const config = path.join(repo, '.rails-hazards.yml');
    fs.writeFileSync(config, 'migrations:\n  audit: true\n');
    try {
      assert.deepEqual(reported(repo), [OLD, BRANCH, WIP]);
    } finally {
      fs.rmSync(config);
    }
  });

  test('--base and migrations.baseRef choose the base branch (here HEAD: only the uncommitted migration is new)', () => {
    assert.deepEqual(reported(repo, '--base', 'HEAD'), [WIP]);
    const config = path.join(repo, '.rails-hazards.yml');
    fs.writeFileSync(config, 'migrations:\n  baseRef: feature\n');
    try {
      assert.deepEqual(reported(repo), [WIP]);
    } finally {
      fs.rmSync(config);
    }
  });

  test('start_after still applies on top of the git history', () => {
    const config = path.join(repo, '.rails-hazards.yml');
    fs.writeFileSync(config, 'migrations:\n  startAfter: 20240301000000\n');
    try {
      assert.deepEqual(reported(repo), [WIP]);
    } finally {
      fs.rmSync(config);
    }
  });

  test('without git: only migrations newer than db/schema.rb\'s version', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-nogit-'));
    fs.cpSync(repo, copy, { recursive: true, filter: (src) => path.basename(src) !== '.git' });
    fs.writeFileSync(path.join(copy, 'db/schema.rb'), 'ActiveRecord::Schema[7.1].define(version: 2024_02_01_000000) do\nend\n');
    assert.deepEqual(reported(copy), [BRANCH, WIP]);
    assert.match(cli(['check', copy, '--fail-on', 'never'], copy).stdout, /1 migration skipped as deployed \(at or before db\/schema\.rb version 20240201000000\)/);
    assert.deepEqual(reported(copy, '--all-migrations'), [OLD, BRANCH, WIP]);
  });

  test('without git: db/structure.sql\'s last schema_migrations insert', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-nogit-'));
    fs.cpSync(repo, copy, { recursive: true, filter: (src) => path.basename(src) !== '.git' });
    fs.writeFileSync(path.join(copy, 'db/structure.sql'), [
      'SET statement_timeout = 0;', 'CREATE TABLE public.users (id bigint NOT NULL);', '',
      'SET search_path TO "$user", public;', '',
      'INSERT INTO "schema_migrations" (version) VALUES', "('20240101000000'),", "('20240301000000');", '', '',
    ].join('\n'));
    assert.deepEqual(reported(copy), [WIP]);
  });

  test('without git and without a schema version every migration is checked, and the report says so', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-nogit-'));
    fs.cpSync(repo, copy, { recursive: true, filter: (src) => path.basename(src) !== '.git' });
    assert.deepEqual(reported(copy), [OLD, BRANCH, WIP]);
    assert.match(cli(['check', copy, '--fail-on', 'never'], copy).stdout, /every migration checked \(no git history and no version in db\/schema\.rb or db\/structure\.sql/);
  });
});

describe('rails-hazards check: configuration problems are never silent', () => {
  test('a bad value in .rails-hazards.yml shows in text and JSON errors when only app/models is checked', () => {
    const app = makeApp({
      '.rails-hazards.yml': 'migrations:\n  startAfter: yesterday\n  auditt: true\n',
      'app/models/user.rb': 'class User < ApplicationRecord\nend\n',
    });
    const models = path.join(app, 'app/models');
    const text = cli(['check', models], app).stdout;
    assert.match(text, /^\.rails-hazards\.yml:1:1: notice migrations\.startAfter must be a 14-digit migration version or 0 \(every migration\), got "yesterday"/m);
    assert.match(text, /^\.rails-hazards\.yml:1:1: notice Unknown setting "migrations\.auditt"/m);
    const json = JSON.parse(cli(['check', models, '--format', 'json'], app).stdout) as { errors: { file: string; message: string; line?: number }[] };
    const config = path.join(app, '.rails-hazards.yml');
    assert.deepEqual(json.errors.map((e) => [e.file, e.line, e.message.split(' (')[0]]), [
      [config, 1, 'migrations.startAfter must be a 14-digit migration version or 0'],
      [config, 1, 'Unknown setting "migrations.auditt"'],
    ]);
  });

  test('reported once when the configuration file is also among the checked paths', () => {
    const app = makeApp({ '.rails-hazards.yml': 'databse:\n  adapter: postgresql\n' });
    const json = JSON.parse(cli(['check', app, '--format', 'json'], app).stdout) as { errors: { message: string }[] };
    assert.deepEqual(json.errors.map((e) => e.message), ['Unknown setting "databse" (.rails-hazards.yml: using the default instead)']);
  });

  test('a problem in the --config file is reported too', () => {
    const app = makeApp({ 'app/models/user.rb': 'class User < ApplicationRecord\nend\n', 'custom.yml': 'migrations:\n  audit: "yes"\n' });
    const json = JSON.parse(cli(['check', path.join(app, 'app/models'), '--config', path.join(app, 'custom.yml'), '--format', 'json'], app).stdout);
    assert.deepEqual(json.errors.map((e: { file: string; message: string }) => [path.basename(e.file), e.message.split(' (')[0]]),
      [['custom.yml', 'migrations.audit must be true or false']]);
  });

  for (const value of ['0', '"0"', '00000000000000']) {
    test(`startAfter: ${value} checks every migration, whatever strong_migrations' start_after says`, () => {
      const app = makeApp({
        '.rails-hazards.yml': `migrations:\n  startAfter: ${value}\n`,
        'config/initializers/strong_migrations.rb': 'StrongMigrations.start_after = 20240201000000\n',
        [OLD]: migration('AddEmailIndexToUsers', 'users'),
        [BRANCH]: migration('AddEmailIndexToAdmins', 'admins'),
      });
      assert.deepEqual(reported(app), [OLD, BRANCH]);
      assert.deepEqual(JSON.parse(cli(['check', app, '--format', 'json', '--fail-on', 'never'], app).stdout).errors, []);
    });
  }

  test('a 14-digit startAfter may be a number; without it strong_migrations\' start_after applies', () => {
    const files = {
      'config/initializers/strong_migrations.rb': 'StrongMigrations.start_after = 20240201000000\n',
      [OLD]: migration('AddEmailIndexToUsers', 'users'),
      [BRANCH]: migration('AddEmailIndexToAdmins', 'admins'),
      [WIP]: migration('AddEmailIndexToGuests', 'guests'),
    };
    assert.deepEqual(reported(makeApp(files)), [BRANCH, WIP]);
    assert.deepEqual(reported(makeApp({ ...files, '.rails-hazards.yml': 'migrations:\n  startAfter: 20240301000000\n' })), [WIP]);
  });
});
