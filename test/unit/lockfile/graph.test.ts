import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParsers } from '../../helpers/ruleTester';
import { gemfileModel, GEMFILE, lockfile } from '../../helpers/lockfiles';
import { parseLockfile } from '../../../server/src/lockfile/lockfileParser';
import { allowsNextMajor, buildGraph, effectiveRange, isFloating, pinSatisfiesDependants } from '../../../server/src/lockfile/graph';
import { KNOWN_BREAKING, knownBreakingAhead, knownBreakingCrossed } from '../../../server/src/lockfile/knownBreaking';
import { readDependencySettings, isSafeGitRef, DEFAULT_RUNTIME_PRIMITIVES } from '../../../server/src/lockfile/facts';

before(initParsers);

describe('dependency graph', () => {
  test('dependants with requirement strings, the Gemfile edge, the effective range', () => {
    const g = buildGraph(parseLockfile(lockfile()), gemfileModel(GEMFILE));
    const pool = g.gems.get('connection_pool')!;
    assert.deepEqual(pool.dependants.map((d) => [d.from, d.fromVersion, d.requirement, d.class, d.line, d.origin]), [
      ['activesupport', '7.2.2.1', '>= 2.2.5', 'floor_only', 6, 'spec'],
      ['react-rails', '3.2.1', '', 'unconstrained', 18, 'spec'],
      ['redis-client', '0.23.2', '', 'unconstrained', 20, 'spec'],
      ['sidekiq', '7.3.9', '>= 2.3.0', 'floor_only', 22, 'spec'],
    ]);
    assert.equal(isFloating(pool), true);
    assert.equal(effectiveRange(pool), '>= 2.3.0 (no upper bound)');
    assert.deepEqual([allowsNextMajor(pool).allowed, allowsNextMajor(pool).next?.toString()], [true, '4']);
    const sidekiq = g.gems.get('sidekiq')!;
    assert.deepEqual(sidekiq.dependants.map((d) => [d.from, d.requirement, d.origin]), [['Gemfile', '~> 7.3', 'lockfile']]);
    assert.equal(effectiveRange(sidekiq), '>= 7.3, < 8');
    assert.equal(allowsNextMajor(sidekiq).allowed, false);
    const concurrent = g.gems.get('concurrent-ruby')!;
    assert.equal(isFloating(concurrent), false);
    assert.equal(effectiveRange(concurrent), '>= 1.3.1, < 2');
  });

  test('runtime reachability from the Gemfile groups', () => {
    const g = buildGraph(parseLockfile(lockfile()), gemfileModel(GEMFILE));
    assert.deepEqual([...g.runtime].sort(), ['activesupport', 'base64', 'concurrent-ruby', 'connection_pool', 'minitest', 'rails', 'react-rails', 'redis-client', 'sidekiq']);
    assert.equal(g.gems.get('irb')!.runtime, false, 'irb only comes with debug (development, test)');
    const noGemfile = buildGraph(parseLockfile(lockfile()));
    assert.equal(noGemfile.gems.get('irb')!.runtime, true, 'without a Gemfile every DEPENDENCIES entry counts as runtime');
  });

  test('platform variants collapse to one dependant; a Gemfile requirement not yet locked bounds the gem', () => {
    const lock = `GEM
  remote: https://rubygems.org/
  specs:
    nokogiri (1.18.2-arm64-darwin)
      racc (~> 1.4)
    nokogiri (1.18.2-x86_64-linux-gnu)
      racc (~> 1.4)
    racc (1.8.1)

DEPENDENCIES
  nokogiri
`;
    const g = buildGraph(parseLockfile(lock), gemfileModel('gem "nokogiri", "~> 1.18"\n'));
    assert.deepEqual(g.gems.get('racc')!.dependants.map((d) => `${d.from} ${d.fromVersion} ${d.requirement}`), ['nokogiri 1.18.2 ~> 1.4']);
    const noko = g.gems.get('nokogiri')!;
    assert.equal(noko.specs.length, 2);
    assert.deepEqual(noko.dependants.map((d) => [d.from, d.requirement, d.origin]), [['Gemfile', '', 'lockfile'], ['Gemfile', '~> 1.18', 'gemfile']]);
    assert.equal(isFloating(noko), false);
  });

  test('a pin must leave a version every dependant accepts', () => {
    const g = buildGraph(parseLockfile(lockfile()), gemfileModel(GEMFILE));
    const pool = g.gems.get('connection_pool')!;
    assert.equal(pinSatisfiesDependants(pool, ['~> 2.5']), true);
    assert.equal(pinSatisfiesDependants(pool, ['~> 2.2']), true);
    assert.equal(pinSatisfiesDependants(pool, ['< 2.3']), false, 'sidekiq needs >= 2.3.0');
    assert.equal(pinSatisfiesDependants(pool, ['~> 2.2.0']), false);
  });
});

describe('known breaking majors', () => {
  const locked = new Map([['sidekiq', '7.3.9'], ['activesupport', '7.0.8.7']]);
  test('crossed and ahead, with the locked dependants they affect', () => {
    const crossed = knownBreakingCrossed('connection_pool', '2.5.5', '3.0.2', locked);
    assert.deepEqual(crossed.map((m) => [m.entry.label, m.affected.map((a) => `${a.gem} ${a.version}`)]), [['3.0', ['sidekiq 7.3.9']]]);
    assert.deepEqual(knownBreakingCrossed('connection_pool', '3.0.0', '3.0.2', locked), []);
    assert.deepEqual(knownBreakingCrossed('connection_pool', '2.5.5', '3.0.2', new Map([['sidekiq', '7.3.10']]))[0].affected, []);
    assert.deepEqual(knownBreakingCrossed('connection_pool', '2.5.5', '3.0.2', new Map([['sidekiq', '8.0.9']]))[0].affected.map((a) => a.gem), ['sidekiq']);
    assert.deepEqual(knownBreakingAhead('concurrent-ruby', '1.3.4', locked).map((m) => [m.entry.version, m.affected.map((a) => a.gem)]), [['1.3.5', ['activesupport']]]);
  });
  test('every entry is well formed', () => {
    for (const e of KNOWN_BREAKING) {
      assert.ok(e.links.length > 0 && e.links.every((l) => l.startsWith('https://')), e.gem);
      assert.ok(e.change.length > 0);
    }
  });
});

describe('dependencies settings', () => {
  test('defaults, list, only/add/remove, ignore, baseRef, and bad values', () => {
    assert.deepEqual([...readDependencySettings(undefined).runtimePrimitives], [...DEFAULT_RUNTIME_PRIMITIVES]);
    assert.ok(readDependencySettings({ runtimePrimitives: ['grpc'] }).runtimePrimitives.has('grpc'));
    assert.deepEqual([...readDependencySettings({ runtimePrimitives: { only: ['rack'] } }).runtimePrimitives], ['rack']);
    const ar = readDependencySettings({ runtimePrimitives: { add: ['grpc'], remove: ['json'] } });
    assert.ok(ar.runtimePrimitives.has('grpc') && !ar.runtimePrimitives.has('json'));
    assert.deepEqual(readDependencySettings({ ignore: ['pg'], baseRef: 'origin/main' }), {
      runtimePrimitives: new Set(DEFAULT_RUNTIME_PRIMITIVES), ignore: new Set(['pg']), baseRef: 'origin/main', problems: [],
    });
    assert.deepEqual(readDependencySettings({ ignore: 'pg', baseRef: '--output=/etc/passwd', colour: 1, runtimePrimitives: 3 }).problems.map((p) => p.key),
      ['ignore', 'baseRef', 'colour', 'runtimePrimitives']);
    assert.deepEqual(readDependencySettings(['x']).problems.map((p) => p.key), ['dependencies']);
  });
  test('safe git refs', () => {
    for (const ok of ['main', 'origin/main', 'v1.2.3', 'HEAD~2', 'HEAD^', '0123abc', '@{upstream}', 'feature/x-y_z']) assert.ok(isSafeGitRef(ok), ok);
    for (const bad of ['', '-x', '--upload-pack=sh', 'a..b', 'a b', 'a;b', 'main:Gemfile', '$(id)', 'a\nb']) assert.ok(!isSafeGitRef(bad), bad);
  });
});
