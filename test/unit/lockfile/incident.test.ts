// The connection_pool incident, end to end: a real git repository whose base lockfile has
// connection_pool 2.5.5 and sidekiq 7.3.9, a working lockfile with connection_pool 3.0.2, the CLI
// with --base, and the pin fix applied to the Gemfile.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN } from '../../helpers/lspClient';
import { copySampleApp, makeApp } from '../../helpers/fixtures';
import { GEMFILE, lockfile } from '../../helpers/lockfiles';
import { applyEdits } from '../../../server/src/parsing/rubyEdits';

const hasGit = spawnSync('git', ['--version']).status === 0;

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'commit.gpgsign=false', ...args], {
    cwd, stdio: 'ignore',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
  });
}

function check(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'check', dir, '--format', 'json', '--fail-on', 'never', ...args], { encoding: 'utf8', env: { ...process.env, RAILS_HAZARDS_DEBUG: '1' } });
  assert.equal(r.status, 0, r.stderr);
  return { out: JSON.parse(r.stdout), stderr: r.stderr };
}

/** Applies one JSON fix's edits to `file`'s text (the JSON contract is 1-based). */
function applyJsonFix(file: string, edits: { file: string; line: number; column: number; endLine: number; endColumn: number; text: string }[]): string {
  const own = edits.filter((e) => e.file === file).map((e) => ({
    range: { start: { line: e.line - 1, character: e.column - 1 }, end: { line: e.endLine - 1, character: e.endColumn - 1 } }, newText: e.text,
  }));
  return applyEdits(fs.readFileSync(file, 'utf8'), own);
}

describe('the connection_pool incident in a git repository', { skip: !hasGit && 'git is not installed' }, () => {
  let dir: string;
  before(() => {
    dir = makeApp({ Gemfile: GEMFILE, 'Gemfile.lock': lockfile('2.5.5', '7.3.9') });
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'base');
    git(dir, 'checkout', '-q', '-b', 'bump-sidekiq-pro');
    fs.writeFileSync(path.join(dir, 'Gemfile.lock'), lockfile('3.0.2', '7.3.9'));
  });

  test('check --base main reports uninvited-major on connection_pool naming every dependant; the pin fix yields the one line', () => {
    const { out } = check(dir, '--base', 'main');
    const lock = path.join(dir, 'Gemfile.lock');
    const f = out.findings.find((x: any) => x.rule === 'dependencies/uninvited-major');
    assert.ok(f, JSON.stringify(out, null, 1));
    assert.deepEqual([f.file, f.line, f.column, f.severity], [lock, 11, 5, 'warning']);
    // The JSON `message` is the headline; the dependants and the known break are in `detail`.
    assert.equal(f.message, 'connection_pool 2.5.5 → 3.0.2 crossed a major version since main via --base; nothing bounds it');
    assert.match(f.detail, /^activesupport \(>= 2\.2\.5\), react-rails \(>= 0\), redis-client \(>= 0\), sidekiq \(>= 2\.3\.0\)\./);
    assert.match(f.detail, /with your sidekiq 7\.3\.9: the scheduler thread dies/);
    const gemfile = path.join(dir, 'Gemfile');
    const fixed = applyJsonFix(gemfile, f.fixes[0].edits);
    assert.match(fixed, /^gem "connection_pool", "~> 2\.5"$/m);
    assert.match(f.fixes[0].title, /bundle lock --update connection_pool/);
    fs.writeFileSync(gemfile, fixed);
    const again = check(dir, '--base', 'main').out;
    assert.equal(again.findings.filter((x: any) => x.rule.startsWith('dependencies/') && x.message.startsWith('connection_pool')).length, 0);
    fs.writeFileSync(gemfile, GEMFILE);
  });

  test('without --base the merge-base of HEAD and main is the base', () => {
    const { out } = check(dir);
    const f = out.findings.find((x: any) => x.rule === 'dependencies/uninvited-major');
    assert.match(f?.message ?? '', /since merge-base of HEAD and main$/);
  });

  test('dependencies.baseRef in .rails-hazards.yml, and a bad ref is a notice, never a crash', () => {
    fs.writeFileSync(path.join(dir, '.rails-hazards.yml'), 'dependencies:\n  baseRef: main\n');
    assert.match(check(dir).out.findings.find((x: any) => x.rule === 'dependencies/uninvited-major')?.message ?? '', /since main via dependencies\.baseRef$/);
    fs.writeFileSync(path.join(dir, '.rails-hazards.yml'), 'dependencies:\n  baseRef: "--upload-pack=touch /tmp/pwned"\n');
    const bad = check(dir).out;
    assert.ok(bad.errors.some((e: any) => /dependencies\.baseRef must be a git branch, tag or commit/.test(e.message)), JSON.stringify(bad.errors));
    fs.rmSync(path.join(dir, '.rails-hazards.yml'));
    const missing = check(dir, '--base', 'no-such-branch').out;
    assert.ok(missing.errors.some((e: any) => e.message === 'Base comparison is off: no-such-branch via --base: no such commit in this repository'), JSON.stringify(missing.errors));
    assert.equal(missing.findings.filter((x: any) => x.rule === 'dependencies/uninvited-major').length, 0);
  });

  test('the bundled sample app: one diagnostic with both facts once its base lockfile had connection_pool 2.5.5', () => {
    const app = copySampleApp();
    const lockPath = path.join(app, 'Gemfile.lock');
    const current = fs.readFileSync(lockPath, 'utf8');
    fs.writeFileSync(lockPath, current.replace('    connection_pool (3.0.2)', '    connection_pool (2.5.5)'));
    git(app, 'init', '-q', '-b', 'main');
    git(app, 'add', '.');
    git(app, 'commit', '-q', '-m', 'base');
    fs.writeFileSync(lockPath, current);
    const { out } = check(app);
    const pool = out.findings.filter((x: any) => x.file === lockPath && x.message.startsWith('connection_pool'));
    // uninvited-major owns the gem when both rules fire; the floating fact is in the same finding.
    assert.deepEqual(pool.map((x: any) => [x.rule, x.line, x.severity]), [['dependencies/uninvited-major', 37, 'warning']]);
    assert.equal(pool[0].message, 'connection_pool 2.5.5 → 3.0.2 crossed a major version since merge-base of HEAD and main');
    assert.match(pool[0].detail, /^nothing bounds it: activesupport \(>= 2\.2\.5\), redis-client \(>= 0\), sidekiq \(>= 2\.3\.0\)\./);
    assert.match(pool[0].detail, /It still floats \(dependencies\/floating-runtime-gem\): the next major, 4\.x, can arrive the same way\./);
    assert.match(applyJsonFix(path.join(app, 'Gemfile'), pool[0].fixes[0].edits), /^gem "connection_pool", "~> 2\.5"$/m);
  });

  test('outside a git repository base comparisons are off and the log says so', () => {
    const plain = makeApp({ Gemfile: GEMFILE, 'Gemfile.lock': lockfile('3.0.2') });
    const { out, stderr } = check(plain);
    assert.equal(out.findings.filter((x: any) => x.rule === 'dependencies/uninvited-major').length, 0);
    assert.ok(out.findings.some((x: any) => x.rule === 'dependencies/floating-runtime-gem'), 'the floating check needs no git');
    assert.match(stderr, /dependencies: base comparisons are off for .*: not inside a git repository/);
    assert.equal(stderr.match(/base comparisons are off/g)?.length, 1, 'said once');
  });
});
