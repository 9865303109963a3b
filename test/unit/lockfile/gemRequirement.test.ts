import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GemVersion } from '../../../server/src/lockfile/gemVersion';
import {
  GemRequirement,
  describeRange,
  intersectAllowsVersionAtOrAbove,
  isSatisfiable,
} from '../../../server/src/lockfile/gemRequirement';

const v = (s: string): GemVersion => GemVersion.of(s);
const r = (s: string | string[]): GemRequirement => GemRequirement.of(s);
const sat = (req: string, version: string): boolean => r(req).isSatisfiedBy(v(version));

test('parse: operators, bare versions, several clauses, arrays', () => {
  assert.deepEqual(r('~> 2.5, >= 2.5.1').asList(), ['~> 2.5', '>= 2.5.1']);
  assert.deepEqual(r(['~> 2.5', '>= 2.5.1']).asList(), ['~> 2.5', '>= 2.5.1']);
  assert.deepEqual(r(['>= 1.0, < 3.0', '!= 2.0.0']).asList(), ['>= 1.0', '< 3.0', '!= 2.0.0']);
  assert.deepEqual(r('1.2.3').asList(), ['= 1.2.3']);
  assert.deepEqual(r('~>2.5').asList(), ['~> 2.5']);
  assert.deepEqual(r('  <=   1.2 ').asList(), ['<= 1.2']);
  for (const op of ['=', '!=', '>', '<', '>=', '<=', '~>']) assert.equal(r(`${op} 1.0`).clauses[0].op, op);
  assert.deepEqual(r('>= 1.0, >= 1.0').asList(), ['>= 1.0']);
  assert.equal(r('= 1.0.0-rc1').clauses[0].version.toString(), '1.0.0.pre.rc1');
});

test('parse: empty means >= 0; malformed returns undefined', () => {
  assert.ok(r('').isNone());
  assert.ok(r([]).isNone());
  assert.ok(r('  ').isNone());
  for (const bad of ['~>', 'abc', '=> 1.0', '~> 1.0,', '>= 1.0,, < 2', '>> 1', '1.0 beta', ',']) {
    assert.equal(GemRequirement.parse(bad), undefined, bad);
  }
  assert.throws(() => GemRequirement.of('nope'));
});

test('~> table from RubyGems', () => {
  // ~> 2.5 is [2.5, 3)
  assert.equal(sat('~> 2.5', '2.5'), true);
  assert.equal(sat('~> 2.5', '2.9.9'), true);
  assert.equal(sat('~> 2.5', '3.0.0'), false);
  assert.equal(sat('~> 2.5', '3.0.0.pre'), false);
  assert.equal(sat('~> 2.5', '2.5.0.rc1'), false);
  assert.equal(sat('~> 2.5', '2.4.9'), false);
  // ~> 2.5.3 is [2.5.3, 2.6)
  assert.equal(sat('~> 2.5.3', '2.5.3'), true);
  assert.equal(sat('~> 2.5.3', '2.5.99'), true);
  assert.equal(sat('~> 2.5.3', '2.6'), false);
  assert.equal(sat('~> 2.5.3', '2.5.2'), false);
  // ~> 2 is [2, 3)
  assert.equal(sat('~> 2', '2'), true);
  assert.equal(sat('~> 2', '2.99.1'), true);
  assert.equal(sat('~> 2', '3'), false);
  // ~> 5.2.4.3 is [5.2.4.3, 5.2.5)
  assert.equal(sat('~> 5.2.4.3', '5.2.4.3'), true);
  assert.equal(sat('~> 5.2.4.3', '5.2.4.10'), true);
  assert.equal(sat('~> 5.2.4.3', '5.2.5'), false);
  assert.equal(sat('~> 5.2.4.3', '5.2.4.2'), false);
  // ~> 3.0.0.pre is [3.0.0.pre, 3.1)
  assert.equal(sat('~> 3.0.0.pre', '3.0.9'), true);
  assert.equal(sat('~> 3.0.0.pre', '3.0.0.pre'), true);
  assert.equal(sat('~> 3.0.0.pre', '3.1'), false);
  // ~> 0.9 is [0.9, 1)
  assert.equal(sat('~> 0.9', '0.9'), true);
  assert.equal(sat('~> 0.9', '0.10'), true);
  assert.equal(sat('~> 0.9', '1.0'), false);
});

test('comparison operators', () => {
  assert.equal(sat('> 1.2', '1.2.1'), true);
  assert.equal(sat('> 1.2', '1.2.0'), false);
  assert.equal(sat('<= 1.2', '1.2.1'), false);
  assert.equal(sat('<= 1.2', '1.2.0'), true);
  assert.equal(sat('< 3', '3.0.0.pre'), true);
  assert.equal(sat('= 1.0', '1.0.0'), true);
  assert.equal(sat('1.0', '1.0.1'), false);
  assert.equal(sat('!= 2.0.0', '2.0'), false);
  assert.equal(sat('!= 2.0.0', '2.0.1'), true);
  assert.equal(sat('>= 1.0, < 3.0, != 2.0.0', '2.5'), true);
  assert.equal(sat('>= 1.0, < 3.0, != 2.0.0', '2.0'), false);
  assert.equal(sat('~> 1.0, >= 1.3.1', '1.3.0'), false);
  assert.equal(sat('~> 1.0, >= 1.3.1', '1.9'), true);
});

test('>= 0 is none? and is satisfied by a prerelease at Requirement level', () => {
  assert.equal(r('>= 0').isNone(), true);
  assert.equal(r('>= 0').isSatisfiedBy(v('1.0.0.rc1')), true);
  assert.equal(r('>= 0, < 2').isNone(), false);
  assert.equal(r('>= 0.1').isNone(), false);
  assert.equal(r('> 0').isNone(), false);
});

test('upper bounds and classification', () => {
  for (const s of ['< 3', '<= 3', '~> 2.5', '= 1.0', '>= 2.2.4, < 3.3']) assert.equal(r(s).hasUpperBound(), true, s);
  for (const s of ['>= 2.2.5', '> 1', '!= 2.0', '', '>= 1.15.7, != 1.16.7']) assert.equal(r(s).hasUpperBound(), false, s);
  assert.equal(r('>= 2.2.5').isFloorOnly(), true);
  assert.equal(r('>= 1.15.7, != 1.16.7, != 1.16.6').isFloorOnly(), true);
  assert.equal(r('').isFloorOnly(), false);
  assert.equal(r('~> 2.5').isFloorOnly(), false);
  assert.equal(r('').classify(), 'unconstrained');
  assert.equal(r('>= 0').classify(), 'unconstrained');
  assert.equal(r('> 1.0').classify(), 'floor_only');
  assert.equal(r('~> 1.0, >= 1.3.1').classify(), 'bounded');
});

test('upperBound / lowerBound pick the tightest', () => {
  const ub = r('~> 2.5, < 2.8, <= 4').upperBound();
  assert.equal(ub?.version.toString(), '2.8');
  assert.equal(ub?.inclusive, false);
  assert.equal(r('~> 2.5').upperBound()?.version.toString(), '3');
  assert.equal(r('~> 2.5.3').upperBound()?.version.toString(), '2.6');
  const tie = r('<= 3, < 3').upperBound();
  assert.equal(tie?.inclusive, false);
  assert.equal(r('= 1.2').upperBound()?.inclusive, true);
  assert.equal(r('>= 2').upperBound(), undefined);
  const lb = r('>= 2.2.4, > 2.2.4, < 3').lowerBound();
  assert.equal(lb?.version.toString(), '2.2.4');
  assert.equal(lb?.inclusive, false);
});

test("toString uses Bundler's print order (sorted, then reversed)", () => {
  assert.equal(r('>= 1.3.1, ~> 1.0').toString(), '~> 1.0, >= 1.3.1');
  assert.equal(r('< 3.3, >= 2.2.4').toString(), '>= 2.2.4, < 3.3');
  assert.equal(r('>= 2.5.1, ~> 2.5').toString(), '~> 2.5, >= 2.5.1');
  assert.equal(r('!= 1.16.6, >= 1.15.7, != 1.16.7').toString(), '>= 1.15.7, != 1.16.7, != 1.16.6');
  assert.equal(r('>= 1.0, < 3.0, != 2.0.0').toString(), '>= 1.0, < 3.0, != 2.0.0');
  assert.equal(r('1.0').toString(), '= 1.0');
  assert.equal(r('').toString(), '>= 0');
  assert.equal(r('').toLockString(), '');
  assert.equal(r('< 3, >= 2').toLockString(), '>= 2, < 3');
});

test('intersectAllowsVersionAtOrAbove: can the next major sneak in', () => {
  const three = v('3');
  // connection_pool 2.5.5 behind activesupport (>= 2.2.5) only: yes
  assert.equal(intersectAllowsVersionAtOrAbove([r('>= 2.2.5')], three), true);
  assert.equal(intersectAllowsVersionAtOrAbove([r('>= 2.2.5'), r('>= 2.3.0')], three), true);
  assert.equal(intersectAllowsVersionAtOrAbove([r('')], three), true);
  // any upper bound below 3 stops it
  assert.equal(intersectAllowsVersionAtOrAbove([r('>= 2.2.5'), r('>= 2.3.0, < 3')], three), false);
  assert.equal(intersectAllowsVersionAtOrAbove([r('>= 2.2.5'), r('~> 2.5')], three), false);
  assert.equal(intersectAllowsVersionAtOrAbove([r('= 2.5.5')], three), false);
  assert.equal(intersectAllowsVersionAtOrAbove([r('< 3.0.a')], three), false);
  assert.equal(intersectAllowsVersionAtOrAbove([r('<= 3.0.0.pre')], three), false);
  // bounds at or above the next major let it in
  assert.equal(intersectAllowsVersionAtOrAbove([r('>= 2.2.4, < 4')], three), true);
  assert.equal(intersectAllowsVersionAtOrAbove([r('<= 3')], three), true);
  assert.equal(intersectAllowsVersionAtOrAbove([r('~> 2')], three), false);
  assert.equal(intersectAllowsVersionAtOrAbove([r('~> 3.0')], three), true);
  assert.equal(intersectAllowsVersionAtOrAbove([r('= 3.0.0')], three), true);
  // != excludes a single point only
  assert.equal(intersectAllowsVersionAtOrAbove([r('>= 2, != 3')], three), true);
  assert.equal(intersectAllowsVersionAtOrAbove([r('<= 3, != 3')], three), false);
  // 0.x: the second segment is the major
  assert.equal(intersectAllowsVersionAtOrAbove([r('~> 0.9')], v('0.9.3').nextMajor()), true);
  assert.equal(intersectAllowsVersionAtOrAbove([r('~> 0.9.1')], v('0.9.3').nextMajor()), false);
  // contradictory requirements admit nothing
  assert.equal(intersectAllowsVersionAtOrAbove([r('~> 2.5'), r('>= 3')], three), false);
});

test('isSatisfiable', () => {
  assert.equal(isSatisfiable([r('~> 2.5'), r('>= 2.5.1')]), true);
  assert.equal(isSatisfiable([r('~> 2.5'), r('>= 3')]), false);
  assert.equal(isSatisfiable([r('= 1.0'), r('= 1.0.0')]), true);
  assert.equal(isSatisfiable([r('= 1.0'), r('!= 1.0')]), false);
  assert.equal(isSatisfiable([r('= 1.0.rc1')]), false); // releases only
  assert.equal(isSatisfiable([r('>= 3, <= 3')]), true);
  assert.equal(isSatisfiable([r('> 3, <= 3')]), false);
});

test('describeRange gives the effective range', () => {
  assert.equal(describeRange([r('>= 2.2.5')]), '>= 2.2.5 (no upper bound)');
  assert.equal(describeRange([r('>= 2.2.5'), r('>= 2.3.0, < 3')]), '>= 2.3.0, < 3');
  assert.equal(describeRange([r('>= 2.2.5'), r('< 3')]), '>= 2.2.5, < 3');
  assert.equal(describeRange([r('>= 2.2.5'), r('~> 2.5')]), '>= 2.5, < 3');
  assert.equal(describeRange([r('~> 3.0.0.pre')]), '>= 3.0.0.pre, < 3.1');
  assert.equal(describeRange([r('>= 1.0, < 3.0, != 2.0.0')]), '>= 1.0, < 3.0, != 2.0.0');
  assert.equal(describeRange([r('>= 1.0, < 3.0, != 4.0.0')]), '>= 1.0, < 3.0');
  assert.equal(describeRange([r('= 1.2.3'), r('>= 1')]), '= 1.2.3');
  assert.equal(describeRange([r('')]), '>= 0 (no upper bound)');
  assert.equal(describeRange([]), '>= 0 (no upper bound)');
  assert.equal(describeRange([r(''), r('> 1.2')]), '> 1.2 (no upper bound)');
  assert.equal(describeRange([r('>= 3'), r('< 2')]), 'none (>= 3, < 2)');
});
