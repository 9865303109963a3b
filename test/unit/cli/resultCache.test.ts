// The result cache of `rails-hazards check`: a second run with nothing changed prints the stored report
// without parsing; any change to what the analysis read (a file, a listing, schema.rb, the config, git)
// or a damaged entry makes it analyse again, with the output of a run without the cache.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN } from '../../helpers/lspClient';
import { copySampleApp } from '../../helpers/fixtures';
import { addIndexMigration, git } from '../../helpers/gitApp';
import { cacheDirectory, ResultCache, type CacheKey } from '../../../server/src/cli/resultCache';
import { missingObjectOf, missingObjects } from '../../../server/src/project/git';

interface Run { status: number | null; stdout: string; stderr: string; parsed: number }

function check(app: string, cacheDir: string, ...flags: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, 'check', app, '--format', 'json', '--fail-on', 'never', ...flags], {
    cwd: app, encoding: 'utf8', env: { ...process.env, RAILS_HAZARDS_CACHE_DIR: cacheDir, RAILS_HAZARDS_DEBUG: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  const parsed = /^parsed (\d+) Ruby sources$/m.exec(r.stderr);
  assert.ok(parsed, `the debug log says how many sources were parsed:\n${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, parsed: Number(parsed[1]) };
}

const rules = (run: Run) => (JSON.parse(run.stdout).findings as { rule: string; file: string; line: number }[]).map((f) => `${path.basename(f.file)}:${f.line} ${f.rule}`);

/** A sample app checked once, so its cache entry is written. */
function warmedApp(): { app: string; cache: string; cold: Run } {
  const app = copySampleApp();
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-cache-'));
  const cold = check(app, cache);
  assert.ok(cold.parsed > 0);
  assert.match(cold.stderr, /^cache: stored \d+ inputs/m);
  return { app, cache, cold };
}

function entryOf(cache: string): string {
  const dir = path.join(cache, 'check');
  const entries = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  assert.equal(entries.length, 1, `one entry in ${dir}: ${entries.join(', ')}`);
  return path.join(dir, entries[0]);
}

/** After a change, the check analyses again and prints what a check without the cache prints. */
function assertRecomputed(app: string, cache: string, why: RegExp): Run {
  const again = check(app, cache);
  assert.doesNotMatch(again.stderr, /^cache: reused/m);
  assert.match(again.stderr, why);
  assert.ok(again.parsed > 0, 'analysed again');
  const fresh = check(app, cache, '--no-cache');
  assert.equal(again.stdout, fresh.stdout);
  const third = check(app, cache);
  assert.match(third.stderr, /^cache: reused/m, 'the recomputed report was stored');
  assert.equal(third.parsed, 0);
  assert.equal(third.stdout, fresh.stdout);
  return again;
}

describe('check: result cache', () => {
  test('a second run with nothing changed parses nothing and prints the same bytes', () => {
    const { app, cache, cold } = warmedApp();
    const warm = check(app, cache);
    assert.match(warm.stderr, /^cache: reused \(\d+ inputs unchanged\)$/m);
    assert.equal(warm.parsed, 0);
    assert.equal(warm.stdout, cold.stdout);
    assert.ok(rules(warm).includes('20250301090000_add_email_index_to_patients.rb:3 migrations/add-index-non-concurrent'));
  });

  test('the exit status is computed again from the stored report with the new --fail-on', () => {
    const { app, cache } = warmedApp();
    const r = spawnSync(process.execPath, [BIN, 'check', app, '--format', 'json', '--fail-on', 'warning'], { cwd: app, encoding: 'utf8', env: { ...process.env, RAILS_HAZARDS_CACHE_DIR: cache } });
    assert.equal(r.status, 1);
  });

  test('--no-cache neither reads nor writes an entry', () => {
    const app = copySampleApp();
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-cache-'));
    check(app, cache, '--no-cache');
    assert.equal(fs.existsSync(path.join(cache, 'check')), false);
    const { app: warmed, cache: filled } = warmedApp();
    assert.ok(check(warmed, filled, '--no-cache').parsed > 0);
  });

  test('a changed migration is analysed again', () => {
    const { app, cache } = warmedApp();
    const file = path.join(app, 'db/migrate/20250301090000_add_email_index_to_patients.rb');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('add_index :patients, :email', 'add_index :patients, :email, algorithm: :concurrently'));
    const again = assertRecomputed(app, cache, /^cache: read .*20250301090000_add_email_index_to_patients\.rb changed$/m);
    assert.ok(!rules(again).includes('20250301090000_add_email_index_to_patients.rb:3 migrations/add-index-non-concurrent'));
  });

  test('an added file is seen through its directory listing', () => {
    const { app, cache } = warmedApp();
    fs.writeFileSync(path.join(app, 'db/migrate/20250401000000_add_email_index_to_doctors.rb'), addIndexMigration('AddEmailIndexToDoctors', 'doctors'));
    const again = assertRecomputed(app, cache, /^cache: list .*db\/migrate changed$/m);
    assert.ok(rules(again).includes('20250401000000_add_email_index_to_doctors.rb:3 migrations/add-index-non-concurrent'));
  });

  test('a deleted file is seen through its directory listing', () => {
    const { app, cache } = warmedApp();
    fs.rmSync(path.join(app, 'db/migrate/20250301090000_add_email_index_to_patients.rb'));
    const again = assertRecomputed(app, cache, /^cache: list .*db\/migrate changed$/m);
    assert.ok(!rules(again).some((r) => r.startsWith('20250301090000_add_email_index_to_patients.rb')));
  });

  test('a changed db/schema.rb is analysed again', () => {
    const { app, cache } = warmedApp();
    const schema = path.join(app, 'db/schema.rb');
    fs.writeFileSync(schema, fs.readFileSync(schema, 'utf8') + '\n# regenerated\n');
    assertRecomputed(app, cache, /^cache: read .*db\/schema\.rb changed$/m);
  });

  test('a new .rails-hazards.yml that turns a rule off is analysed again', () => {
    const { app, cache } = warmedApp();
    const config = path.join(app, '.rails-hazards.yml');
    fs.writeFileSync(config, `${fs.existsSync(config) ? fs.readFileSync(config, 'utf8') : ''}\nrules:\n  migrations/add-index-non-concurrent: off\n`);
    const again = assertRecomputed(app, cache, /^cache: read .*\.rails-hazards\.yml changed$/m);
    assert.ok(!rules(again).some((r) => r.endsWith('migrations/add-index-non-concurrent')));
  });

  test('other options (--all-migrations, --config) have their own entry', () => {
    const { app, cache, cold } = warmedApp();
    const config = path.join(os.tmpdir(), `rh-cache-config-${process.pid}.yml`);
    fs.writeFileSync(config, 'rules:\n  migrations/add-index-non-concurrent: off\n');
    const other = check(app, cache, '--config', config);
    assert.ok(other.parsed > 0);
    assert.notEqual(other.stdout, cold.stdout);
    assert.equal(check(app, cache).stdout, cold.stdout, 'the first entry is still there');
    assert.equal(check(app, cache, '--config', config).parsed, 0);
  });

  test('a truncated entry is discarded and rewritten', () => {
    const { app, cache } = warmedApp();
    const entry = entryOf(cache);
    fs.writeFileSync(entry, fs.readFileSync(entry).subarray(0, 4000));
    assertRecomputed(app, cache, /^cache: .* is corrupt; ignored$/m);
  });

  test('an entry whose body was altered (still valid JSON) fails its checksum', () => {
    const { app, cache } = warmedApp();
    const entry = entryOf(cache);
    const text = fs.readFileSync(entry, 'utf8');
    assert.match(text, /"line":3/);
    fs.writeFileSync(entry, text.replace('"line":3', '"line":4'));
    assertRecomputed(app, cache, /^cache: .* is corrupt; ignored$/m);
  });

  test('an entry from another build of the tool is ignored', () => {
    const { app, cache } = warmedApp();
    const entry = entryOf(cache);
    const [, body] = /^[^\n]*\n([\s\S]*)$/.exec(fs.readFileSync(entry, 'utf8'))!;
    const parsed = JSON.parse(body);
    parsed.tool = `0.0.1 ${parsed.tool.split(' ')[1]}`;
    const forged = JSON.stringify(parsed);
    const sha = createHash('sha256').update(forged).digest('hex');
    fs.writeFileSync(entry, `rails-hazards-cache 1 ${sha}\n${forged}`);
    assertRecomputed(app, cache, /^cache: written by another build; ignored$/m);
  });

  test('an entry that is not ours (garbage, an empty file, a directory) is ignored without a crash', () => {
    const { app, cache } = warmedApp();
    const entry = entryOf(cache);
    fs.writeFileSync(entry, '');
    assertRecomputed(app, cache, /^cache: .* is corrupt; ignored$/m);
    fs.rmSync(entry);
    fs.mkdirSync(entry);
    const r = check(app, cache);
    assert.ok(r.parsed > 0);
    assert.match(r.stderr, /^cache: not written/m);
  });

  test('git: committing a migration makes it deployed, though no file changed', () => {
    const app = copySampleApp();
    fs.rmSync(path.join(app, '.rails-hazards.yml'), { force: true });
    const migration = 'db/migrate/20250401000000_add_email_index_to_doctors.rb';
    git(app, 'init', '-q', '-b', 'main');
    git(app, 'add', '-A');
    git(app, 'commit', '-q', '-m', 'app');
    fs.writeFileSync(path.join(app, migration), addIndexMigration('AddEmailIndexToDoctors', 'doctors'));
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-cache-'));
    const untracked = check(app, cache);
    assert.ok(rules(untracked).includes('20250401000000_add_email_index_to_doctors.rb:3 migrations/add-index-non-concurrent'));
    assert.equal(check(app, cache).parsed, 0);
    git(app, 'add', '-A');
    git(app, 'commit', '-q', '-m', 'migration');
    const again = assertRecomputed(app, cache, /^cache: git .* changed$/m);
    assert.ok(!rules(again).some((r) => r.startsWith('20250401000000_add_email_index_to_doctors.rb')), 'deployed now');
  });

  test('where entries live: RAILS_HAZARDS_CACHE_DIR, else the platform cache folder', () => {
    assert.equal(cacheDirectory({ RAILS_HAZARDS_CACHE_DIR: '/tmp/x' }, 'linux', '/home/a'), '/tmp/x');
    assert.equal(cacheDirectory({ XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/a'), '/xdg/rails-hazards');
    assert.equal(cacheDirectory({}, 'linux', '/home/a'), '/home/a/.cache/rails-hazards');
    assert.equal(cacheDirectory({}, 'darwin', '/Users/a'), '/Users/a/Library/Caches/rails-hazards');
  });
});

describe('inputs the cache checks', () => {
  test('git: a failed read of <commit>:<path> is checked again by whether the object is still missing', () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-git-'));
    fs.writeFileSync(path.join(repo, 'Gemfile'), 'source "https://rubygems.org"\n');
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'app');
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).stdout.trim();
    assert.equal(missingObjectOf(['cat-file', 'blob', `${head}:./app/models/user.rb`], 'failed x'), `${head}:./app/models/user.rb`);
    assert.equal(missingObjectOf(['cat-file', 'blob', `${head}:./Gemfile`], 'ok x'), undefined, 'a successful read is final');
    assert.equal(missingObjectOf(['cat-file', 'blob', 'HEAD:./Gemfile'], 'failed x'), undefined, 'a ref can move');
    assert.deepEqual(missingObjects(repo, [`${head}:./Gemfile`, `${head}:./app/models/user.rb`, `${'0'.repeat(40)}:./Gemfile`]), [false, true, true]);
  });

  test('a FIFO named like a source file is skipped as not a regular file, without blocking the check', () => {
    const app = copySampleApp();
    const fifo = path.join(app, 'app/models/pipe.rb');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-cache-'));
    const run = check(app, cache);
    assert.ok((JSON.parse(run.stdout).errors as { file: string; message: string }[]).some((e) => e.file === fifo && e.message === 'skipped: not a regular file'));
    assert.equal(check(app, cache).parsed, 0);
  });
});

describe('cache folder upkeep', () => {
  test('writing an entry keeps the 20 most recently used and removes temporary files left by a killed run', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-cache-'));
    const cache = new ResultCache(dir, () => undefined);
    const key = (n: number): CacheKey => ({ paths: [`/app${n}`], allMigrations: false });
    const report = { findings: [], errors: [] };
    for (let n = 0; n < 25; n++) {
      cache.save(key(n), 'tool', [], report);
      const old = new Date(Date.now() - (100 - n) * 60_000);
      fs.utimesSync(cache.entryFile(key(n)), old, old);
    }
    const stale = `${cache.entryFile(key(0))}.123.abc.tmp`;
    fs.writeFileSync(stale, 'partial');
    const hourAgo = new Date(Date.now() - 2 * 3_600_000);
    fs.utimesSync(stale, hourAgo, hourAgo);
    cache.save(key(99), 'tool', [], report);
    const left = fs.readdirSync(path.join(dir, 'check'));
    assert.equal(left.length, 20);
    assert.ok(left.includes(path.basename(cache.entryFile(key(99)))));
    assert.ok(left.includes(path.basename(cache.entryFile(key(24)))));
    assert.ok(!left.includes(path.basename(cache.entryFile(key(5)))), 'the least recently used went');
    assert.deepEqual(cache.load(key(24), 'tool'), report);
  });
});
