// Pins and Gem::Requirement checked against RubyGems itself. The expected values below were produced
// once with real RubyGems (ruby 3.1.2, RubyGems 3.3.15, `apt-get install -y ruby`) by evaluating
// `Gem::Requirement.new(req).satisfied_by?(Gem::Version.new(v))` and
// `Gem::Version.new(locked).approximate_recommendation`, and are recorded here as literals: CI has no Ruby.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GemRequirement } from '../../../server/src/lockfile/gemRequirement';
import { GemVersion } from '../../../server/src/lockfile/gemVersion';
import { recommendedPin } from '../../../server/src/lockfile/pin';

const satisfied = (req: string, version: string): boolean => GemRequirement.of(req.split(', ')).isSatisfiedBy(GemVersion.of(version));

/** [locked, our pin, RubyGems' approximate_recommendation, [[probe, RubyGems says the pin allows it]]]. */
const PINS: [string, string, string, [string, boolean][]][] = [
  ['0.22.2', '~> 0.22.2', '~> 0.22', [['0.22.2', true], ['0.22.99', true], ['0.22.1', false], ['0.23.0', false], ['0.23.0.pre', false], ['0.24.0', false], ['1.0.0', false]]],
  ['0.22', '~> 0.22.0', '~> 0.22', [['0.22', true], ['0.22.5', true], ['0.23.0', false], ['0.21.9', false]]],
  ['0.9.1', '~> 0.9.1', '~> 0.9', [['0.9.1', true], ['0.9.9', true], ['0.10.0', false], ['0.9.0', false]]],
  ['0.0.3', '~> 0.0.3', '~> 0.0', [['0.0.3', true], ['0.0.9', true], ['0.1.0', false], ['0.0.2', false]]],
  ['0.23.0.beta1', '~> 0.23.0.a', '~> 0.23.a', [['0.23.0.beta1', true], ['0.23.0', true], ['0.23.5', true], ['0.24.0', false], ['0.24.0.a', false]]],
  ['2.5.5', '~> 2.5', '~> 2.5', [['2.5.5', true], ['2.99.99', true], ['3.0.0', false], ['3.0.0.pre1', false], ['2.4.9', false]]],
  ['1.0.0', '~> 1.0', '~> 1.0', [['1.0.0', true], ['1.9', true], ['2.0.0', false], ['0.99', false]]],
  ['1.15.1', '~> 1.15', '~> 1.15', [['1.15.1', true], ['1.16.0', true], ['2.0.0', false], ['1.14.9', false]]],
  ['7.2.2.1', '~> 7.2', '~> 7.2', [['7.2.2.1', true], ['7.9.0', true], ['8.0.0', false], ['8.0.0.beta1', false], ['7.1.5', false]]],
  ['2.0.0.rc1', '~> 2.0.a', '~> 2.0.a', [['2.0.0.rc1', true], ['2.0.0', true], ['2.9', true], ['3.0.0', false], ['1.9', false]]],
];

test('every pin keeps the locked version and excludes the next breaking release (0.x: the next minor), as RubyGems evaluates it', () => {
  for (const [locked, pin, rubygemsRecommendation, probes] of PINS) {
    assert.equal(recommendedPin(locked), pin, locked);
    const lockedV = GemVersion.of(locked);
    assert.equal(lockedV.approximateRecommendation(), rubygemsRecommendation, `approximate_recommendation of ${locked}`);
    for (const [probe, expected] of probes) assert.equal(satisfied(pin, probe), expected, `${pin} vs ${probe}`);
    assert.equal(satisfied(pin, locked), true, `${pin} keeps ${locked}`);
    const next = lockedV.nextMajor().toString();
    assert.equal(satisfied(pin, next), false, `${pin} excludes the next breaking release ${next}`);
  }
});

test('why 0.x pins hold the minor: RubyGems\' own recommendation ~> 0.22 still allows 0.23.0', () => {
  assert.equal(satisfied('~> 0.22', '0.23.0'), true);
  assert.equal(satisfied('~> 0.22.2', '0.23.0'), false);
});

/** [requirement, one digit per VERSIONS entry: 1 when RubyGems says satisfied_by?]. */
const VERSIONS = ['0', '0.22', '0.22.2', '0.23.0', '0.23.0.pre', '1.0', '1.0.0.a', '1.2.3.4', '1.2.3.9', '1.2.4', '1.9.9', '2.0.0.a', '2.0.0', '2.0.1'];
const REQUIREMENTS: [string, string][] = [
  ['~> 0.22', '01111000000000'],
  ['~> 0.22.2', '00100000000000'],
  ['~> 0', '11111000000000'],
  ['~> 1', '00000101111000'],
  ['~> 1.2.3.4', '00000001100000'],
  ['>= 0.22.2, < 0.23', '00101000000000'],
  ['!= 0.23.0', '11101111111111'],
  ['> 1.0.a', '00000101111111'],
  ['< 2', '11111111111100'],
  ['= 1.0', '00000100000000'],
  ['~> 2.0.0.a', '00000000000111'],
];

test('Gem::Requirement vectors produced by RubyGems 3.3.15', () => {
  for (const [req, row] of REQUIREMENTS) {
    VERSIONS.forEach((v, i) => assert.equal(satisfied(req, v), row[i] === '1', `${req} vs ${v}`));
  }
});
