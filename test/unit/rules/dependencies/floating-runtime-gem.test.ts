import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/dependencies/floating-runtime-gem';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isTestOnlyGem } from '../../../../server/src/lockfile/facts';
import { DependencyProvider } from '../../../../server/src/project/dependencies';
import { diskFiles } from '../../../../server/src/project/files';
import { defaultConfig } from '../../../../server/src/config/config';
import { applyEdits } from '../../../../server/src/parsing/rubyEdits';
import { at, initParsers, run } from '../../../helpers/ruleTester';
import { depsApp, docBlocks, GEMFILE, GEMFILE_PATH, lockfile } from '../../../helpers/lockfiles';

before(initParsers);

const LOCK = 'Gemfile.lock';
const check = (text: string, app = depsApp()) => run(rule, text, { file: LOCK, kind: 'lockfile', app });

/** The Gemfile after applying a finding's first fix (its edits to the Gemfile). */
function pinned(gemfile: string, finding: { fixes: { edits: { file: string; range: any; newText: string }[] }[] }): string {
  return applyEdits(gemfile, finding.fixes[0].edits.filter((e) => e.file === GEMFILE_PATH));
}

describe('dependencies/floating-runtime-gem', () => {
  test('one diagnostic per floating runtime primitive, on its spec line, never per edge', () => {
    const findings = check(lockfile());
    assert.deepEqual(findings.map(at), [
      { rule: 'dependencies/floating-runtime-gem', line: 11, column: 5 },
      { rule: 'dependencies/floating-runtime-gem', line: 20, column: 5 },
    ]);
    assert.deepEqual(findings.map((f) => f.severity), ['warning', 'info']);
    assert.deepEqual(findings[0].range, { start: { line: 10, character: 4 }, end: { line: 10, character: 19 } });
  });

  test('message names the version, every dependant with its constraint, the known break and the pin', () => {
    const [pool] = check(lockfile());
    assert.equal(pool.message,
      'connection_pool 3.0.2 floats: nothing bounds it above, so `bundle update` of any dependant can move it to 4.x unnoticed: '
      + 'activesupport (>= 2.2.5), react-rails (>= 0), redis-client (>= 0), sidekiq (>= 2.3.0). '
      + 'Known break already locked: connection_pool 3.0 changed keyword arguments everywhere (`TimedStack#pop(timeout:)`, '
      + '`checkout(timeout:)`, `reap(idle_seconds:)`) and Ruby >= 3.2; with your sidekiq 7.3.9: the scheduler thread dies at boot '
      + '(`@sleeper.pop(total)` raises ArgumentError): scheduled jobs and retries silently stop. '
      + 'Pin it: gem "connection_pool", "< 3", then run `bundle lock --update connection_pool`.');
  });

  test('before the break: info, with the break ahead named and a ~> pin from the locked version', () => {
    const findings = check(lockfile('2.5.5', '7.3.9'));
    const pool = findings.find((f) => f.message.startsWith('connection_pool'))!;
    assert.equal(pool.severity, 'warning', 'a known break ahead for a locked dependant keeps it a warning');
    assert.match(pool.message, /Known break ahead: connection_pool 3\.0 changed .*with your sidekiq 7\.3\.9/);
    assert.match(pool.message, /Pin it: gem "connection_pool", "~> 2\.5", then run `bundle lock --update connection_pool`\.$/);
    const safeSidekiq = check(lockfile('2.5.5', '7.3.10')).find((f) => f.message.startsWith('connection_pool'))!;
    assert.equal(safeSidekiq.severity, 'info');
    assert.doesNotMatch(safeSidekiq.message, /Known break/);
  });

  test('fix adds a commented pin line after the last top-level gem line, and the result is clean', () => {
    const [pool] = check(lockfile('2.5.5', '7.3.10'));
    assert.equal(pool.fixes.length, 1);
    assert.equal(pool.fixes[0].safety, 'unsafe');
    assert.equal(pool.fixes[0].title, 'Pin connection_pool in Gemfile (gem "connection_pool", "~> 2.5"), then run `bundle lock --update connection_pool`');
    const gemfile = pinned(GEMFILE, pool);
    assert.equal(gemfile, `source "https://rubygems.org"

ruby "3.3.6"

gem "rails", "~> 7.2.2"
gem "sidekiq", "~> 7.3"
gem "react-rails"
# Pin: nothing bounds connection_pool above (activesupport, react-rails, redis-client, sidekiq accept any newer version).
gem "connection_pool", "~> 2.5"

group :development, :test do
  gem "debug"
end
`);
    const after = check(lockfile('2.5.5', '7.3.10'), depsApp({ gemfile }));
    assert.equal(after.filter((f) => f.message.startsWith('connection_pool')).length, 0, 'the pin bounds it: nothing left to fix');
  });

  test('fix edits an existing gem line instead of adding one (Bundler rejects a gem named twice)', () => {
    const gemfile = GEMFILE.replace('gem "react-rails"\n', 'gem "react-rails"\ngem \'redis-client\', require: false\n');
    const findings = check(lockfile(), depsApp({ gemfile }));
    const redis = findings.find((f) => f.message.startsWith('redis-client'))!;
    // A 0.x pin holds the minor: "~> 0.23" would still allow 0.24.0.
    assert.match(pinned(gemfile, redis), /^gem 'redis-client', "~> 0\.23\.2", require: false$/m);
    const pg = 'source "https://rubygems.org"\ngem "pg", ">= 1.1"\n';
    const lock = 'GEM\n  remote: https://rubygems.org/\n  specs:\n    pg (1.5.9)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  pg (>= 1.1)\n';
    const [f] = check(lock, depsApp({ gemfile: pg }));
    assert.match(f.message, /^pg 1\.5\.9 floats: .*: Gemfile \(>= 1\.1\)\./);
    assert.equal(pinned(pg, f), 'source "https://rubygems.org"\ngem "pg", ">= 1.1", "~> 1.5"\n');
  });

  test('a pin that would conflict with a dependant is not offered', () => {
    const extra = '    other (1.0.0)\n      connection_pool (>= 3.0.0)\n';
    const lock = lockfile('3.0.2', '7.3.9', extra).replace('  react-rails\n', '  react-rails\n  other\n');
    const pool = check(lock).find((f) => f.message.startsWith('connection_pool'))!;
    assert.equal(pool.fixes.length, 0);
    assert.match(pool.message, /A pin < 3 would conflict with other \(>= 3\.0\.0\); bound it where it is used instead\.$/);
  });

  test('near misses: bounded by a dependant or the Gemfile, not a primitive, dev/test only, ignored, replaced list', () => {
    const bounded = lockfile().replace('connection_pool (>= 2.3.0)', 'connection_pool (>= 2.3.0, < 3)');
    assert.equal(check(bounded).filter((f) => f.message.startsWith('connection_pool')).length, 0);
    const tilde = lockfile().replace('      connection_pool (>= 2.2.5)', '      connection_pool (~> 3.0)');
    assert.equal(check(tilde).filter((f) => f.message.startsWith('connection_pool')).length, 0);
    assert.equal(check(lockfile()).filter((f) => f.message.startsWith('base64')).length, 0, 'base64 is not a runtime primitive');
    // irb is only reachable from the development/test group.
    const devOnly = depsApp({ config: 'dependencies:\n  runtimePrimitives: [irb]\n' });
    assert.equal(check(lockfile().replace('irb (~> 1.10)', 'irb (>= 1.10)'), devOnly).filter((f) => f.message.startsWith('irb')).length, 0);
    const ignored = depsApp({ config: 'dependencies:\n  ignore: [connection_pool, minitest]\n' });
    assert.deepEqual(check(lockfile(), ignored).map((f) => f.message.split(' ')[0]), ['redis-client']);
    const only = depsApp({ config: 'dependencies:\n  runtimePrimitives:\n    only: [redis-client]\n' });
    assert.deepEqual(check(lockfile(), only).map((f) => f.message.split(' ')[0]), ['redis-client']);
    const added = depsApp({ config: 'dependencies:\n  runtimePrimitives: [base64]\n' });
    assert.ok(check(lockfile(), added).some((f) => f.message.startsWith('base64 0.2.0 floats')));
  });

  test('the docs page examples: the Bad lockfile gives the documented message, the Good pin silences it', () => {
    const [bad] = docBlocks('docs/rules/dependencies/floating-runtime-gem.md', '## Bad', 'gemfile-lock');
    const gemfile = 'source "https://rubygems.org"\ngem "sidekiq"\n';
    const [f] = check(bad, depsApp({ gemfile }));
    assert.deepEqual(at(f), { rule: 'dependencies/floating-runtime-gem', line: 6, column: 5 });
    assert.match(f.message, /^connection_pool 2\.5\.5 floats: nothing bounds it above, so `bundle update` of any dependant can move it to 3\.x unnoticed: activesupport \(>= 2\.2\.5\), redis-client \(>= 0\), sidekiq \(>= 2\.3\.0\)\. Known break ahead: connection_pool 3\.0 changed keyword arguments everywhere .* with your sidekiq 7\.3\.9: the scheduler thread dies at boot .* Pin it: gem "connection_pool", "~> 2\.5", then run `bundle lock --update connection_pool`\.$/);
    const [pin] = docBlocks('docs/rules/dependencies/floating-runtime-gem.md', '## Good', 'ruby');
    assert.deepEqual(check(bad, depsApp({ gemfile: gemfile + pin.replace(/^ +/gm, '') })).filter((x) => x.message.startsWith('connection_pool')), []);
    const [upgraded] = docBlocks('docs/rules/dependencies/floating-runtime-gem.md', '## Good', 'gemfile-lock');
    const fixedSidekiq = bad.replace(/    sidekiq \(7\.3\.9\)\n      connection_pool \(>= 2\.3\.0\)\n/, upgraded);
    assert.notEqual(fixedSidekiq, bad);
    assert.deepEqual(check(fixedSidekiq, depsApp({ gemfile })).filter((x) => x.message.startsWith('connection_pool')), []);
  });

  test('docs examples: Bad is reported, Good is clean', () => {
    const bad = check(lockfile('2.5.5', '7.3.9'));
    assert.ok(bad.some((f) => f.message.startsWith('connection_pool')));
    const good = lockfile('2.5.5', '7.3.10').replace('connection_pool (>= 2.3.0)', 'connection_pool (>= 2.3.0, < 3)');
    assert.equal(check(good).filter((f) => f.message.startsWith('connection_pool')).length, 0);
  });

  test('no crash and no findings on malformed, truncated or empty lockfiles', () => {
    assert.deepEqual(check(''), []);
    assert.doesNotThrow(() => check(lockfile().slice(0, 200)));
    assert.doesNotThrow(() => check('\u0000\u0001binary\u0002'));
    assert.doesNotThrow(() => check(lockfile().replace(/^ {4}/gm, '   ')));
  });

  test('near miss: minitest is declared by activesupport but loaded only by tests; not a runtime primitive', () => {
    assert.equal(check(lockfile()).filter((f) => f.message.startsWith('minitest')).length, 0);
    for (const gem of ['minitest', 'minitest-reporters', 'test-unit', 'rspec-core', 'rspec-support', 'power_assert']) assert.equal(isTestOnlyGem(gem), true, gem);
    for (const gem of ['rack-test', 'rspec_junit', 'connection_pool']) assert.equal(isTestOnlyGem(gem), false, gem);
  });

  test('require "minitest/…" in lib/ counts as runtime; in test/ and spec/ it does not (a temporary app on disk)', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-requires-'));
    try {
      const write = (rel: string, text: string) => { fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true }); fs.writeFileSync(path.join(root, rel), text); };
      write('test/test_helper.rb', 'require "minitest/autorun"\n');
      write('spec/spec_helper.rb', 'require "rspec-support"\n');
      const provider = () => new DependencyProvider(root, diskFiles, () => undefined, defaultConfig(), { trusted: false });
      assert.equal(provider().requiredOutsideTests('minitest'), false);
      write('lib/tasks/checks.rb', '  require("minitest/mock")\n');
      assert.equal(provider().requiredOutsideTests('minitest'), true);
      assert.equal(provider().requiredOutsideTests('rspec-support'), false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('...unless app code requires it outside test/ and spec/, or the config names it', () => {
    const required = check(lockfile(), depsApp({ requires: ['minitest'] })).filter((f) => f.message.startsWith('minitest'));
    assert.deepEqual(required.map(at), [{ rule: 'dependencies/floating-runtime-gem', line: 15, column: 5 }]);
    const configured = check(lockfile(), depsApp({ config: 'dependencies:\n  runtimePrimitives: [minitest]\n' }));
    assert.equal(configured.filter((f) => f.message.startsWith('minitest')).length, 1);
  });
});
