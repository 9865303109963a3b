import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GemVersion, compareVersionStrings } from '../../../server/src/lockfile/gemVersion';

const v = (s: string): GemVersion => GemVersion.of(s);

test('parse accepts RubyGems version strings', () => {
  for (const s of ['0', '1', '1.0', '7.0.8.7', '8.1.3.1', '1.0.0.rc1', '3.0.0.pre', '1.0.a', '1.0.a10', '1.01', '20240101']) {
    const p = GemVersion.parse(s);
    assert.ok(p, s);
    assert.equal(p.toString(), s);
  }
  assert.equal(GemVersion.parse('  1.2.3 ')?.toString(), '1.2.3');
});

test('parse rewrites "-" to ".pre."', () => {
  assert.equal(v('1.0.0-rc1').toString(), '1.0.0.pre.rc1');
  assert.equal(v('1.0.0-rc1').compare(v('1.0.0.pre.rc1')), 0);
  assert.equal(v('2.0-beta-2').toString(), '2.0.pre.beta.pre.2');
});

test('parse rejects malformed versions', () => {
  for (const s of ['', '   ', 'a', 'a1', '1.', '.1', '1..2', '1.0 beta', '1.0_1', '~> 1.0', '1.0-', 'v1.0', '1,0']) {
    assert.equal(GemVersion.parse(s), undefined, JSON.stringify(s));
    assert.equal(GemVersion.isValid(s), false, JSON.stringify(s));
  }
  assert.throws(() => GemVersion.of('nope'));
});

test('segments split digit runs and letter runs', () => {
  assert.deepEqual(v('1.0.a10').segments, [1, 0, 'a', 10]);
  assert.deepEqual(v('1.0.0.rc1').segments, [1, 0, 0, 'rc', 1]);
  assert.deepEqual(v('1.01').segments, [1, 1]);
  assert.deepEqual(v('1.0.0-rc1').segments, [1, 0, 0, 'pre', 'rc', 1]);
});

test('canonical segments drop trailing zeros of the numeric and string parts', () => {
  assert.deepEqual(v('1.0.0').canonicalSegments, [1]);
  assert.deepEqual(v('1.0.0.rc1').canonicalSegments, [1, 'rc', 1]);
  assert.deepEqual(v('1.0.a.0').canonicalSegments, [1, 'a']);
  assert.deepEqual(v('0').canonicalSegments, []);
  assert.deepEqual(v('7.0.8.7').canonicalSegments, [7, 0, 8, 7]);
});

test('a prerelease is a version containing a letter', () => {
  for (const s of ['1.0.0.rc1', '3.0.0.pre', '1.0.a', '8.0.0.beta1', '1.0.0-1']) assert.equal(v(s).isPrerelease, true, s);
  for (const s of ['1.0', '7.0.8.7', '0']) assert.equal(v(s).isPrerelease, false, s);
});

test('verified sort order: 0.9 < 1.0.a.2 < 1.0.b1 < 1.0.rc9 < 1.0.rc10 < 1.0 < 1.0.0.1', () => {
  const order = ['0.9', '1.0.a.2', '1.0.b1', '1.0.rc9', '1.0.rc10', '1.0', '1.0.0.1'];
  for (let i = 0; i < order.length; i++) {
    for (let j = 0; j < order.length; j++) {
      const expected = i < j ? -1 : i > j ? 1 : 0;
      assert.equal(v(order[i]).compare(v(order[j])), expected, `${order[i]} vs ${order[j]}`);
    }
  }
  const shuffled = ['1.0.rc10', '1.0.0.1', '0.9', '1.0', '1.0.b1', '1.0.rc9', '1.0.a.2'];
  assert.deepEqual(shuffled.map(v).sort((a, b) => a.compare(b)).map(String), order);
});

test('trailing zeros are ignored and integers compare numerically', () => {
  assert.equal(v('1.0').compare(v('1.0.0')), 0);
  assert.equal(v('1').compare(v('1.0.0')), 0);
  assert.equal(v('1.01').compare(v('1.1')), 0);
  assert.ok(v('1.0').equals(v('1')));
  assert.equal(v('1.10').compare(v('1.9')), 1);
  assert.equal(v('2.5.10').compare(v('2.5.9')), 1);
  assert.equal(v('1.0.0.rc1').compare(v('1.0.rc1')), 0);
});

test('at the same position a string sorts below a number', () => {
  assert.equal(v('1.0.a').compare(v('1.0.0')), -1);
  assert.equal(v('1.a').compare(v('1.0.1')), -1);
  assert.equal(v('1.0.0.pre').compare(v('1.0.0')), -1);
  assert.equal(v('2.5.0.rc1').compare(v('2.5')), -1);
  assert.equal(v('3.0.0.pre').compare(v('2.99')), 1);
  assert.equal(v('1.0.0-1').compare(v('1.0.0-a')), 1); // [pre, 1] vs [pre, a]: number above string
  assert.equal(v('1.0.alpha').compare(v('1.0.beta')), -1);
});

test('long integer segments compare exactly', () => {
  assert.equal(v('20240101000000000001').compare(v('20240101000000000000')), 1);
  assert.equal(v('1.00000000000000000000000002').compare(v('1.2')), 0);
  assert.equal(v('99999999999999999999').bump().toString(), '100000000000000000000');
});

test('release drops the prerelease part', () => {
  assert.equal(v('1.0.a.2').release().toString(), '1.0');
  assert.equal(v('1.0.0.rc1').release().toString(), '1.0.0');
  assert.equal(v('8.0.0.beta1').release().toString(), '8.0.0');
  const rel = v('7.0.8.7');
  assert.equal(rel.release(), rel);
});

test('bump: drop letters, drop the last segment if more than one, increment', () => {
  const cases: Array<[string, string]> = [
    ['2.5', '3'],
    ['2.5.3', '2.6'],
    ['2', '3'],
    ['5.2.4.3', '5.2.5'],
    ['3.0.0.pre', '3.1'],
    ['0.9', '1'],
    ['0.9.1', '0.10'],
    ['1.99', '2'],
    ['9', '10'],
    ['1.a', '2'],
  ];
  for (const [input, expected] of cases) assert.equal(v(input).bump().toString(), expected, input);
});

test('approximateRecommendation gives the bundle add pin', () => {
  const cases: Array<[string, string]> = [
    ['2.5.5', '~> 2.5'],
    ['3.0.2', '~> 3.0'],
    ['7.0.8.7', '~> 7.0'],
    ['8.0.0.beta1', '~> 8.0.a'],
    ['2', '~> 2.0'],
    ['0.9.1', '~> 0.9'],
    ['1.0.0.rc1', '~> 1.0.a'],
  ];
  for (const [input, expected] of cases) assert.equal(v(input).approximateRecommendation(), expected, input);
});

test('major, majorKey and nextMajor', () => {
  assert.equal(v('7.0.8.7').major(), 7);
  assert.equal(v('0.9.1').major(), 0);
  assert.equal(v('2.5.5').majorKey(), '2');
  assert.equal(v('3.0.2').majorKey(), '3');
  assert.equal(v('0.9.1').majorKey(), '0.9');
  assert.equal(v('0.10').majorKey(), '0.10');
  assert.equal(v('0').majorKey(), '0.0');
  assert.notEqual(v('2.5.5').majorKey(), v('3.0.2').majorKey());
  assert.equal(v('2.5.5').majorKey(), v('2.99').majorKey());
  assert.notEqual(v('0.9.1').majorKey(), v('0.10.0').majorKey());
  assert.equal(v('2.5.5').nextMajor().toString(), '3');
  assert.equal(v('0.9.1').nextMajor().toString(), '0.10');
  assert.equal(v('8.0.0.beta1').nextMajor().toString(), '9');
});

test('compareVersionStrings orders malformed strings first', () => {
  assert.equal(compareVersionStrings('1.0', '1.0.0'), 0);
  assert.equal(compareVersionStrings('1.0.rc10', '1.0.rc9'), 1);
  assert.equal(compareVersionStrings('garbage', '0'), -1);
  assert.equal(compareVersionStrings('0', 'garbage'), 1);
});
