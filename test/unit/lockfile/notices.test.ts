// Malformed lockfiles become notices on their lines, never crashes; invalid `dependencies:` settings
// become notices in .rails-hazards.yml.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Workspace } from '../../../server/src/project/workspace';
import { allRules } from '../../../server/src/rules';
import { initParsers } from '../../helpers/ruleTester';
import { makeApp } from '../../helpers/fixtures';
import { GEMFILE, lockfile } from '../../helpers/lockfiles';

before(initParsers);

function analyze(lockText: string | Buffer, extra: Record<string, string> = {}) {
  const dir = makeApp({ Gemfile: GEMFILE, 'Gemfile.lock': lockText, ...extra });
  const ws = new Workspace({ rules: allRules, trusted: false });
  return { dir, result: ws.analyzeFile(path.join(dir, 'Gemfile.lock')), ws };
}

describe('lockfile notices', () => {
  test('a truncated lockfile: the parsed part is analysed, no crash', () => {
    const text = lockfile();
    const { result } = analyze(text.slice(0, text.indexOf('    sidekiq (') + 14));
    assert.equal(result.kind, 'lockfile');
    assert.deepEqual(result.notices.map((n) => [n.range?.start.line, n.message]), [[21, 'Gemfile.lock: Malformed spec line (expected "name (version)" or "name (version-platform)")']]);
    assert.ok(result.findings.some((f) => f.ruleId === 'dependencies/floating-runtime-gem'));
  });

  test('mis-indented lines are notices on those lines; the rest is still analysed', () => {
    const text = lockfile().replace('    redis-client (0.23.2)', '   redis-client (0.23.2)').replace('      connection_pool (>= 2.3.0)', '     connection_pool (>= 2.3.0)');
    const { result } = analyze(text);
    assert.deepEqual(result.notices.map((n) => [n.range?.start.line, n.message]), [
      [19, 'Gemfile.lock: Wrong indentation (3 spaces; expected 2, 4 or 6); line ignored'],
      [22, 'Gemfile.lock: Wrong indentation (5 spaces; expected 2, 4 or 6); line ignored'],
    ]);
    assert.ok(result.findings.some((f) => f.message.startsWith('connection_pool 3.0.2 floats')));
  });

  test('a binary lockfile is skipped with a notice; control characters in an open buffer are line notices', () => {
    const { result, dir, ws } = analyze(Buffer.from([0x47, 0x45, 0x4d, 0x0a, 0x00, 0xff, 0xfe, 0x00]));
    assert.deepEqual(result.findings, []);
    assert.match(result.notices[0].message, /looks binary/);
    const open = ws.analyzeText(path.join(dir, 'Gemfile.lock'), 'GEM\n  specs:\n    a (1.0)\u0001\n');
    assert.deepEqual(open.notices.map((n) => [n.range?.start.line, n.message]), [[2, 'Gemfile.lock: Binary or control characters in Gemfile.lock; line ignored']]);
  });

  test('merge conflict markers are notices', () => {
    const text = lockfile().replace('    connection_pool (3.0.2)\n', '<<<<<<< HEAD\n    connection_pool (3.0.2)\n=======\n    connection_pool (2.5.5)\n>>>>>>> main\n');
    const { result } = analyze(text);
    assert.equal(result.notices.filter((n) => /Merge conflict marker/.test(n.message)).length, 3);
  });

  test('invalid dependencies settings are notices on their lines in .rails-hazards.yml', () => {
    const config = 'rules:\n  dependencies/uninvited-major: warning\ndependencies:\n  ignore: pg\n  baseRef: "-x"\n  color: red\n';
    const { dir, ws } = analyze(lockfile(), { '.rails-hazards.yml': config });
    const r = ws.analyzeFile(path.join(dir, '.rails-hazards.yml'));
    assert.deepEqual(r.notices.map((n) => [n.range?.start.line, n.message]), [
      [3, 'dependencies.ignore must be a list of gem names (.rails-hazards.yml: using the default instead)'],
      [4, 'dependencies.baseRef must be a git branch, tag or commit (e.g. origin/main), not "-x" (.rails-hazards.yml: using the default instead)'],
      [5, 'Unknown setting "dependencies.color" (known: runtimePrimitives, ignore, baseRef) (.rails-hazards.yml: using the default instead)'],
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('untrusted workspaces never run git: no uninvited-major even inside a repository', () => {
    const { result } = analyze(lockfile());
    assert.equal(result.findings.filter((f) => f.ruleId === 'dependencies/uninvited-major').length, 0);
  });
});
