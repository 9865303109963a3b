import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/dependencies/uninvited-major';
import floating from '../../../../server/src/rules/dependencies/floating-runtime-gem';
import { applyEdits } from '../../../../server/src/parsing/rubyEdits';
import { at, initParsers, run } from '../../../helpers/ruleTester';
import { depsApp, docBlocks, GEMFILE, GEMFILE_PATH, lockfile } from '../../../helpers/lockfiles';

before(initParsers);

const check = (text: string, app = depsApp({ base: lockfile('2.5.5') })) => run(rule, text, { file: 'Gemfile.lock', kind: 'lockfile', app });

describe('dependencies/uninvited-major', () => {
  test('the connection_pool incident: 2.5.5 → 3.0.2 is reported on its spec line, naming every dependant', () => {
    const findings = check(lockfile('3.0.2'));
    assert.deepEqual(findings.map(at), [{ rule: 'dependencies/uninvited-major', line: 11, column: 5 }]);
    assert.equal(findings[0].severity, 'warning');
    assert.equal(findings[0].message,
      'connection_pool 2.5.5 → 3.0.2 crossed a major version since main via --base; nothing bounds it: '
      + 'activesupport (>= 2.2.5), react-rails (>= 0), redis-client (>= 0), sidekiq (>= 2.3.0). '
      + 'Known break: connection_pool 3.0 changed keyword arguments everywhere (`TimedStack#pop(timeout:)`, `checkout(timeout:)`, '
      + '`reap(idle_seconds:)`) and Ruby >= 3.2; with your sidekiq 7.3.9: the scheduler thread dies at boot (`@sleeper.pop(total)` '
      + 'raises ArgumentError): scheduled jobs and retries silently stop. '
      + 'It still floats (dependencies/floating-runtime-gem): the next major, 4.x, can arrive the same way. '
      + 'Pin it: gem "connection_pool", "~> 2.5", then run `bundle lock --update connection_pool`.');
  });

  test('the pin fix adds gem "connection_pool", "~> 2.5" with a why-comment, and then nothing is reported', () => {
    const [f] = check(lockfile('3.0.2'));
    assert.equal(f.fixes[0].title, 'Pin connection_pool in Gemfile (gem "connection_pool", "~> 2.5"), then run `bundle lock --update connection_pool`');
    const gemfile = applyEdits(GEMFILE, f.fixes[0].edits.filter((e) => e.file === GEMFILE_PATH));
    assert.equal(gemfile, GEMFILE.replace('gem "react-rails"\n',
      'gem "react-rails"\n# Pin: keep connection_pool on 2.x; connection_pool 3.0 breaks sidekiq 7.3.9. Drop the pin once sidekiq >= 7.3.10.\ngem "connection_pool", "~> 2.5"\n'));
    assert.deepEqual(check(lockfile('3.0.2'), depsApp({ gemfile, base: lockfile('2.5.5') })), []);
  });

  test('0.x majors are the second segment; dev/test-only gems are info', () => {
    const base = lockfile().replace('redis-client (0.23.2)', 'redis-client (0.22.9)');
    const findings = check(lockfile(), depsApp({ base }));
    const redis = findings.find((f) => f.message.startsWith('redis-client'))!;
    assert.match(redis.message, /^redis-client 0\.22\.9 → 0\.23\.2 crossed a major version since main via --base; nothing bounds it: sidekiq \(>= 0\.22\.2\)\./);
    // A 0.x pin holds the minor: "~> 0.22" would still allow 0.23.0.
    assert.match(redis.message, /Pin it: gem "redis-client", "~> 0\.22\.9"/);
    const floorIrb = lockfile().replace('irb (~> 1.10)', 'irb (>= 0.9)');
    const irb = check(floorIrb, depsApp({ base: floorIrb.replace('irb (1.15.1)', 'irb (0.9.6)') })).find((f) => f.message.startsWith('irb'))!;
    assert.equal(irb.severity, 'info');
    assert.match(irb.message, /^irb 0\.9\.6 → 1\.15\.1 crossed a major version since main via --base; nothing bounds it: debug \(>= 0\.9\)\./);
  });

  test('near misses: same major, downgrade, new gem, named in the Gemfile, ignored, no base', () => {
    assert.deepEqual(check(lockfile('2.5.5')), []);
    assert.deepEqual(check(lockfile('2.6.0')), []);
    assert.deepEqual(check(lockfile('2.5.5'), depsApp({ base: lockfile('3.0.2') })), []);
    const noPoolBase = lockfile().replace(/^ +connection_pool.*\n/gm, '');
    assert.deepEqual(check(lockfile(), depsApp({ base: noPoolBase })), [], 'a gem new since the base is not a major crossing');
    const named = GEMFILE.replace('gem "react-rails"\n', 'gem "react-rails"\ngem "connection_pool"\n');
    assert.deepEqual(check(lockfile(), depsApp({ gemfile: named, base: lockfile('2.5.5') })), [], 'the Gemfile names it: the user asked');
    const sidekiqBase = lockfile('3.0.2', '6.5.12');
    assert.deepEqual(check(lockfile(), depsApp({ base: sidekiqBase })), [], 'sidekiq is in DEPENDENCIES');
    assert.deepEqual(check(lockfile(), depsApp({ base: lockfile('2.5.5'), config: 'dependencies:\n  ignore: [connection_pool]\n' })), []);
    assert.deepEqual(check(lockfile(), depsApp({})), [], 'no base revision: nothing to compare');
  });

  test('near misses: every dependant declares an upper bound admitting the new major; a dependant requires the new major', () => {
    const declared = lockfile().replace('irb (~> 1.10)', 'irb (>= 0.9, < 2)');
    assert.deepEqual(check(declared, depsApp({ base: declared.replace('irb (1.15.1)', 'irb (0.9.6)') })), []);
    const required = lockfile().replace('irb (~> 1.10)', 'irb (>= 1.10)');
    assert.deepEqual(check(required, depsApp({ base: required.replace('irb (1.15.1)', 'irb (0.9.6)') })), [], 'debug now needs irb >= 1.10: the major was asked for');
    const mixed = lockfile().replace('      connection_pool (>= 2.2.5)', '      connection_pool (>= 2.2.5, < 4)');
    const f = check(mixed, depsApp({ base: lockfile('2.5.5') }));
    assert.match(f[0].message, /not every dependant bounds it: activesupport \(>= 2\.2\.5, < 4\), react-rails \(>= 0\)/);
  });

  test('the docs page examples: base and working lockfile of Bad are reported, the Good pin silences it', () => {
    const [base, working] = docBlocks('docs/rules/dependencies/uninvited-major.md', '## Bad', 'gemfile-lock');
    const wrap = (specs: string) => `GEM\n  remote: https://rubygems.org/\n  specs:\n${specs}\nDEPENDENCIES\n  sidekiq\n`;
    const gemfile = 'source "https://rubygems.org"\ngem "sidekiq"\n';
    const [f] = check(wrap(working), depsApp({ gemfile, base: wrap(base) }));
    assert.match(f.message, /^connection_pool 2\.5\.5 → 3\.0\.2 crossed a major version since main via --base; nothing bounds it: activesupport \(>= 2\.2\.5\), sidekiq \(>= 2\.3\.0\)\./);
    const [pin] = docBlocks('docs/rules/dependencies/uninvited-major.md', '## Good', 'ruby');
    assert.deepEqual(check(wrap(working), depsApp({ gemfile: gemfile + pin.replace(/^ +/gm, ''), base: wrap(base) })), []);
  });

  test('docs examples: Bad is reported, Good is clean', () => {
    assert.equal(check(lockfile('3.0.2')).length, 1);
    const gemfile = GEMFILE.replace('gem "react-rails"\n', 'gem "react-rails"\ngem "connection_pool", "~> 2.5"\n');
    assert.deepEqual(check(lockfile('2.5.5'), depsApp({ gemfile, base: lockfile('2.5.5') })), []);
  });

  test('no crash on malformed base or working lockfiles', () => {
    assert.doesNotThrow(() => check(lockfile().slice(0, 300), depsApp({ base: '\u0000garbage' })));
    assert.doesNotThrow(() => check('GEM\n  specs:\n    x (', depsApp({ base: lockfile() })));
  });

  test('both rules on one gem: one diagnostic, owned by uninvited-major, with both facts; either id can still be turned off', () => {
    const both = [floating, rule];
    const base = depsApp({ base: lockfile('2.5.5') });
    const pool = (findings: { message: string }[]) => findings.filter((f) => f.message.startsWith('connection_pool'));
    assert.equal(pool(run(floating, lockfile('3.0.2'), { file: 'Gemfile.lock', kind: 'lockfile', app: base, rules: both })).length, 0);
    const [combined] = pool(run(rule, lockfile('3.0.2'), { file: 'Gemfile.lock', kind: 'lockfile', app: base, rules: both }));
    assert.match(combined.message, /crossed a major version .* It still floats \(dependencies\/floating-runtime-gem\)/);
    // uninvited-major off: floating-runtime-gem reports the gem itself.
    const off = depsApp({ base: lockfile('2.5.5'), config: 'rules:\n  dependencies/uninvited-major: off\n' });
    assert.equal(pool(run(floating, lockfile('3.0.2'), { file: 'Gemfile.lock', kind: 'lockfile', app: off, rules: both })).length, 1);
    // floating-runtime-gem off: uninvited-major still reports the crossing.
    const floatOff = depsApp({ base: lockfile('2.5.5'), config: 'rules:\n  dependencies/floating-runtime-gem: off\n' });
    assert.equal(pool(run(rule, lockfile('3.0.2'), { file: 'Gemfile.lock', kind: 'lockfile', app: floatOff, rules: both })).length, 1);
  });

  test('a test-only gem that crossed a major through a runtime gem (activesupport → minitest) is info, not a runtime warning', () => {
    const lock = lockfile().replace('minitest (5.25.4)', 'minitest (6.0.1)');
    const base = depsApp({ base: lockfile() });
    const [mt] = check(lock, base).filter((f) => f.message.startsWith('minitest'));
    assert.equal(mt.severity, 'info');
    assert.doesNotMatch(mt.message, /still floats/);
    // Required by app code outside test/ and spec/: loaded at run time, so a warning.
    const required = depsApp({ base: lockfile(), requires: ['minitest'] });
    assert.equal(check(lock, required).find((f) => f.message.startsWith('minitest'))!.severity, 'warning');
  });
});
