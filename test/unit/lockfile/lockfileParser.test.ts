import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_PROBLEMS,
  dependantsOf,
  parseLockfile,
  specsByName,
  type Lockfile,
  type LockSpec,
} from '../../../server/src/lockfile/lockfileParser';

/** Joins lines with "\n" (a trailing newline included). */
const lf = (lines: string[]): string => lines.join('\n') + '\n';

const FULL = [
  'GIT', //                                                      0
  '  remote: https://github.com/rails/rails.git', //             1
  '  revision: 0123456789abcdef0123456789abcdef01234567', //     2
  '  branch: main', //                                           3
  '  specs:', //                                                 4
  '    rails (8.1.0.alpha)', //                                  5
  '      actionpack (= 8.1.0.alpha)', //                         6
  '', //                                                         7
  'PATH', //                                                     8
  '  remote: engines/billing', //                                9
  '  specs:', //                                                10
  '    billing (0.1.0)', //                                     11
  '      rails (>= 7.1)', //                                    12
  '', //                                                        13
  'GEM', //                                                     14
  '  remote: https://packager.dev/avo-hq/', //                  15
  '  specs:', //                                                16
  '    avo-advanced (3.32.0)', //                               17
  '      avo (>= 3.0)', //                                      18
  '', //                                                        19
  'GEM', //                                                     20
  '  remote: https://rubygems.org/', //                         21
  '  specs:', //                                                22
  '    actionpack (8.1.0)', //                                  23
  '      rack (>= 2.2.4)', //                                   24
  '    activesupport (8.1.3.1)', //                             25
  '      base64', //                                            26
  '      concurrent-ruby (~> 1.0, >= 1.3.1)', //                27
  '      connection_pool (>= 2.2.5)', //                        28
  '    connection_pool (2.5.5)', //                             29
  '    nokogiri (1.16.0-arm64-darwin)', //                      30
  '      racc (~> 1.4)', //                                     31
  '    nokogiri (1.16.0-x86_64-linux-gnu)', //                  32
  '      racc (~> 1.4)', //                                     33
  '    racc (1.8.1)', //                                        34
  '    sidekiq (7.3.9)', //                                     35
  '      connection_pool (>= 2.3.0)', //                        36
  '', //                                                        37
  'PLATFORMS', //                                               38
  '  arm64-darwin', //                                          39
  '  x86_64-linux-gnu', //                                      40
  '', //                                                        41
  'DEPENDENCIES', //                                            42
  '  avo-advanced (~> 3.32)!', //                               43
  '  billing!', //                                              44
  '  nokogiri', //                                              45
  '  rails!', //                                                46
  '  sidekiq (~> 7.3)', //                                      47
  '', //                                                        48
  'CHECKSUMS', //                                               49
  '  activesupport (8.1.3.1) sha256=abc123', //                 50
  '  billing (0.1.0)', //                                       51
  '  nokogiri (1.16.0-arm64-darwin) sha256=def456,sha512=789', // 52
  '', //                                                        53
  'RUBY VERSION', //                                            54
  '   ruby 3.3.0p0', //                                         55
  '', //                                                        56
  'BUNDLED WITH', //                                            57
  '   2.5.3', //                                                58
];

function spec(lock: Lockfile, name: string, platform?: string): LockSpec {
  const s = lock.specs.find((x) => x.name === name && x.platform === platform);
  assert.ok(s, `spec ${name} ${platform ?? ''}`);
  return s;
}

test('parses sources: several GEM blocks, GIT with branch, PATH', () => {
  const lock = parseLockfile(lf(FULL));
  assert.deepEqual(lock.problems, []);
  assert.equal(lock.sources.length, 4);
  const [git, pth, gem1, gem2] = lock.sources;
  assert.equal(git.type, 'GIT');
  assert.equal(git.line, 0);
  assert.deepEqual(git.options, {
    remote: 'https://github.com/rails/rails.git',
    revision: '0123456789abcdef0123456789abcdef01234567',
    branch: 'main',
  });
  assert.deepEqual(git.optionLines.branch, [3]);
  assert.equal(git.specsLine, 4);
  assert.deepEqual(git.specs.map((s) => s.name), ['rails']);
  assert.equal(pth.type, 'PATH');
  assert.deepEqual(pth.options, { remote: 'engines/billing' });
  assert.deepEqual(pth.specs.map((s) => s.name), ['billing']);
  assert.equal(gem1.type, 'GEM');
  assert.equal(gem1.options.remote, 'https://packager.dev/avo-hq/');
  assert.deepEqual(gem1.specs.map((s) => s.name), ['avo-advanced']);
  assert.equal(gem2.options.remote, 'https://rubygems.org/');
  assert.equal(gem2.line, 20);
  assert.deepEqual(
    gem2.specs.map((s) => `${s.name}@${s.version}${s.platform ? '-' + s.platform : ''}`),
    [
      'actionpack@8.1.0',
      'activesupport@8.1.3.1',
      'connection_pool@2.5.5',
      'nokogiri@1.16.0-arm64-darwin',
      'nokogiri@1.16.0-x86_64-linux-gnu',
      'racc@1.8.1',
      'sidekiq@7.3.9',
    ],
  );
  assert.equal(lock.specs.length, 10);
  assert.deepEqual(
    lock.specs.map((s) => s.sourceIndex),
    [0, 1, 2, 3, 3, 3, 3, 3, 3, 3],
  );
  assert.deepEqual(
    lock.sections.map((s) => `${s.name}@${s.line}`),
    ['GIT@0', 'PATH@8', 'GEM@14', 'GEM@20', 'PLATFORMS@38', 'DEPENDENCIES@42', 'CHECKSUMS@49', 'RUBY VERSION@54', 'BUNDLED WITH@57'],
  );
});

test('spec lines: versions, platforms, lines and columns', () => {
  const lock = parseLockfile(lf(FULL));
  const as = spec(lock, 'activesupport');
  assert.equal(as.version, '8.1.3.1');
  assert.equal(as.platform, undefined);
  assert.equal(as.line, 25);
  assert.deepEqual(as.nameRange, { line: 25, startCol: 4, endCol: 17 });
  assert.deepEqual(as.versionRange, { line: 25, startCol: 19, endCol: 26 });
  const nk = spec(lock, 'nokogiri', 'x86_64-linux-gnu');
  assert.equal(nk.version, '1.16.0');
  assert.equal(nk.line, 32);
  assert.deepEqual(nk.nameRange, { line: 32, startCol: 4, endCol: 12 });
  assert.deepEqual(nk.versionRange, { line: 32, startCol: 14, endCol: 20 });
  assert.deepEqual(nk.platformRange, { line: 32, startCol: 21, endCol: 37 });
  assert.equal(FULL[32].slice(21, 37), 'x86_64-linux-gnu');
  assert.equal(spec(lock, 'nokogiri', 'arm64-darwin').line, 30);
  assert.equal(spec(lock, 'rails').version, '8.1.0.alpha');
});

test('spec dependencies: requirements as written, bare names, columns', () => {
  const lock = parseLockfile(lf(FULL));
  const deps = spec(lock, 'activesupport').dependencies;
  assert.deepEqual(
    deps.map((d) => [d.name, d.requirement, d.line]),
    [
      ['base64', '', 26],
      ['concurrent-ruby', '~> 1.0, >= 1.3.1', 27],
      ['connection_pool', '>= 2.2.5', 28],
    ],
  );
  assert.deepEqual(deps[0].nameRange, { line: 26, startCol: 6, endCol: 12 });
  assert.equal(deps[0].requirementRange, undefined);
  assert.deepEqual(deps[1].nameRange, { line: 27, startCol: 6, endCol: 21 });
  assert.deepEqual(deps[1].requirementRange, { line: 27, startCol: 23, endCol: 39 });
  assert.equal(FULL[27].slice(23, 39), '~> 1.0, >= 1.3.1');
  assert.deepEqual(spec(lock, 'connection_pool').dependencies, []);
});

test('PLATFORMS, DEPENDENCIES with !, CHECKSUMS, RUBY VERSION, BUNDLED WITH', () => {
  const lock = parseLockfile(lf(FULL));
  assert.deepEqual(
    lock.platforms.map((p) => [p.platform, p.line]),
    [
      ['arm64-darwin', 39],
      ['x86_64-linux-gnu', 40],
    ],
  );
  assert.deepEqual(lock.platforms[1].range, { line: 40, startCol: 2, endCol: 18 });
  assert.deepEqual(
    lock.dependencies.map((d) => [d.name, d.requirement, d.pinnedSource, d.line]),
    [
      ['avo-advanced', '~> 3.32', true, 43],
      ['billing', '', true, 44],
      ['nokogiri', '', false, 45],
      ['rails', '', true, 46],
      ['sidekiq', '~> 7.3', false, 47],
    ],
  );
  assert.deepEqual(lock.dependencies[0].nameRange, { line: 43, startCol: 2, endCol: 14 });
  assert.deepEqual(lock.dependencies[0].requirementRange, { line: 43, startCol: 16, endCol: 23 });
  assert.deepEqual(lock.dependencies[1].nameRange, { line: 44, startCol: 2, endCol: 9 });
  assert.deepEqual(
    lock.checksums.map((c) => [c.name, c.version, c.platform, c.checksum, c.line]),
    [
      ['activesupport', '8.1.3.1', undefined, 'sha256=abc123', 50],
      ['billing', '0.1.0', undefined, undefined, 51],
      ['nokogiri', '1.16.0', 'arm64-darwin', 'sha256=def456,sha512=789', 52],
    ],
  );
  assert.deepEqual(lock.checksums[2].nameRange, { line: 52, startCol: 2, endCol: 10 });
  assert.deepEqual(lock.rubyVersion, { value: 'ruby 3.3.0p0', line: 55, range: { line: 55, startCol: 3, endCol: 15 } });
  assert.deepEqual(lock.bundledWith, { value: '2.5.3', line: 58, range: { line: 58, startCol: 3, endCol: 8 } });
});

test('RUBY VERSION / BUNDLED WITH with 2 spaces (Bundler 4) and other indentation', () => {
  const lock = parseLockfile(lf(['GEM', '  remote: https://rubygems.org/', '  specs:', '', 'RUBY VERSION', '  ruby 3.4.1', '', 'BUNDLED WITH', '  4.0.16']));
  assert.deepEqual(lock.problems, []);
  assert.deepEqual(lock.rubyVersion, { value: 'ruby 3.4.1', line: 5, range: { line: 5, startCol: 2, endCol: 12 } });
  assert.deepEqual(lock.bundledWith, { value: '4.0.16', line: 8, range: { line: 8, startCol: 2, endCol: 8 } });
  const tabbed = parseLockfile('BUNDLED WITH\n\t2.3.7\n');
  assert.equal(tabbed.bundledWith?.value, '2.3.7');
  assert.deepEqual(tabbed.problems, []);
});

test('specsByName keeps platform variants; dependantsOf dedupes them', () => {
  const lock = parseLockfile(lf(FULL));
  const byName = specsByName(lock);
  assert.deepEqual(byName.get('nokogiri')?.map((s) => s.platform), ['arm64-darwin', 'x86_64-linux-gnu']);
  assert.equal(byName.get('connection_pool')?.length, 1);
  assert.equal(byName.get('missing'), undefined);

  const cp = dependantsOf(lock, 'connection_pool');
  assert.deepEqual(
    cp.map((d) => [d.dependant.name, d.dependant.version, d.requirement, d.line]),
    [
      ['activesupport', '8.1.3.1', '>= 2.2.5', 28],
      ['sidekiq', '7.3.9', '>= 2.3.0', 36],
    ],
  );
  const racc = dependantsOf(lock, 'racc');
  assert.equal(racc.length, 1);
  assert.equal(racc[0].dependant.name, 'nokogiri');
  assert.equal(racc[0].requirement, '~> 1.4');
  assert.equal(racc[0].line, 31);
  assert.deepEqual(
    dependantsOf(lock, 'base64').map((d) => [d.dependant.name, d.requirement]),
    [['activesupport', '']],
  );
  assert.deepEqual(dependantsOf(lock, 'rails').map((d) => d.dependant.name), ['billing']);
  assert.deepEqual(dependantsOf(lock, 'nothing'), []);
});

test('CRLF line endings give the same result', () => {
  const lfLock = parseLockfile(lf(FULL));
  const crlfLock = parseLockfile(FULL.join('\r\n') + '\r\n');
  assert.deepEqual(crlfLock, lfLock);
  assert.equal(crlfLock.rubyVersion?.value, 'ruby 3.3.0p0');
  assert.ok(!JSON.stringify(crlfLock).includes('\\r'));
});

test('repeated option keys become arrays; PLUGIN SOURCE; unknown sections ignored', () => {
  const lock = parseLockfile(
    lf([
      'PLUGIN SOURCE', //                       0
      '  remote: https://example.com/plug', //  1
      '  type: my_source', //                   2
      '  specs:', //                            3
      '    plugged (1.0)', //                   4
      '', //                                    5
      'GEM', //                                 6
      '  remote: https://a.example/', //        7
      '  remote: https://b.example/', //        8
      '  remote: https://c.example/', //        9
      '  specs:', //                           10
      '    rack (3.0.0)', //                   11
      '', //                                   12
      'FUTURE SECTION', //                     13
      '  whatever: goes', //                   14
      '    here (1.0)', //                     15
      '', //                                   16
      'PLATFORMS', //                          17
      '  ruby', //                             18
    ]),
  );
  assert.deepEqual(lock.problems, []);
  assert.equal(lock.sources[0].type, 'PLUGIN SOURCE');
  assert.deepEqual(lock.sources[0].options, { remote: 'https://example.com/plug', type: 'my_source' });
  assert.deepEqual(lock.sources[1].options.remote, ['https://a.example/', 'https://b.example/', 'https://c.example/']);
  assert.deepEqual(lock.sources[1].optionLines.remote, [7, 8, 9]);
  assert.deepEqual(lock.specs.map((s) => s.name), ['plugged', 'rack']);
  assert.deepEqual(lock.sections.find((s) => s.name === 'FUTURE SECTION'), { name: 'FUTURE SECTION', line: 13, known: false });
  assert.deepEqual(lock.platforms.map((p) => p.platform), ['ruby']);
});

test('option named like an Object.prototype member', () => {
  const lock = parseLockfile('GIT\n  constructor: x\n  constructor: y\n  toString: z\n  specs:\n');
  assert.deepEqual(lock.sources[0].options.constructor, ['x', 'y']);
  assert.equal(lock.sources[0].options.toString, 'z');
});

test('truncated file: problems, not exceptions', () => {
  const text = ['GEM', '  remote: https://rubygems.org/', '  specs:', '    rack (3.0.0)', '    rails (7.1'].join('\n');
  const lock = parseLockfile(text);
  assert.deepEqual(lock.specs.map((s) => s.name), ['rack']);
  assert.equal(lock.problems.length, 1);
  assert.equal(lock.problems[0].line, 4);
  assert.equal(lock.problems[0].startCol, 4);
  assert.equal(lock.problems[0].endCol, 14);
  assert.match(lock.problems[0].message, /Malformed spec line/);

  for (let cut = 0; cut <= FULL.join('\n').length; cut += 7) {
    const partial = parseLockfile(FULL.join('\n').slice(0, cut));
    assert.ok(Array.isArray(partial.problems));
  }
});

test('mis-indented lines become problems and the rest is parsed', () => {
  const lock = parseLockfile(
    lf([
      'GEM', //                               0
      '  remote: https://rubygems.org/', //   1
      '  specs:', //                          2
      '   rack (3.0.0)', //                   3: 3 spaces
      '      ignored-dep (>= 1)', //          4: belongs to the broken spec, skipped silently
      '    rails (7.1.0)', //                 5
      '     actionpack (= 7.1.0)', //         6: 5 spaces
      '      railties (= 7.1.0)', //          7
      '\t\tthor (>= 1)', //                   8: tabs
      '        deep (1.0)', //                9: 8 spaces
      ' PLATFORMS', //                       10: indented header inside GEM: 1 space
      '', //                                 11
      'DEPENDENCIES', //                     12
      '    rails', //                        13: 4 spaces
      '  rack', //                           14
    ]),
  );
  assert.deepEqual(lock.specs.map((s) => s.name), ['rails']);
  assert.deepEqual(spec(lock, 'rails').dependencies.map((d) => d.name), ['railties']);
  assert.deepEqual(lock.dependencies.map((d) => d.name), ['rack']);
  assert.deepEqual(
    lock.problems.map((p) => [p.line, p.startCol, p.endCol]),
    [
      [3, 0, 15],
      [6, 0, 25],
      [8, 0, 13],
      [9, 0, 18],
      [10, 0, 10],
      [13, 0, 9],
    ],
  );
  assert.match(lock.problems[0].message, /Wrong indentation \(3 spaces/);
  assert.match(lock.problems[2].message, /Tab/);
});

test('entries outside a section, stray non-indented lines, malformed entries', () => {
  const lock = parseLockfile(
    lf([
      '  rack (3.0.0)', //                   0: before any section
      'GEM', //                              1
      '  remote: https://rubygems.org/', //  2
      '  specs:', //                         3
      '      orphan (>= 1)', //              4: dependency before any spec
      '    rack (3.0.0)', //                 5
      '      rack-session (~> banana)', //   6: malformed requirement (kept)
      '    (1.0)', //                        7: no name
      '    norversion', //                   8: spec without a version
      '    bad (1.0) trailing', //           9
      '  what is this', //                  10: unrecognised 2-space line
      'rails (7.1.0)', //                   11: non-indented, not a header
      '    rack-test (2.1.0)', //           12: still in GEM
      '', //                                13
      'PLATFORMS', //                       14
      '  x86_64 linux', //                  15
      '', //                                16
      'DEPENDENCIES', //                    17
      '  rails (~> 7.1', //                 18
      '', //                                19
      'CHECKSUMS', //                       20
      '  rack', //                          21
      '', //                                22
      'BUNDLED WITH', //                    23
      '   not-a-version', //                24
    ]),
  );
  assert.deepEqual(lock.specs.map((s) => s.name), ['rack', 'rack-test']);
  assert.deepEqual(spec(lock, 'rack').dependencies.map((d) => [d.name, d.requirement]), [['rack-session', '~> banana']]);
  assert.deepEqual(
    lock.problems.map((p) => p.line),
    [0, 4, 6, 7, 8, 9, 10, 11, 15, 18, 21, 24],
  );
  const byLine = new Map(lock.problems.map((p) => [p.line, p]));
  assert.match(byLine.get(0)?.message ?? '', /outside any section/);
  assert.deepEqual([byLine.get(0)?.startCol, byLine.get(0)?.endCol], [2, 14]);
  assert.match(byLine.get(4)?.message ?? '', /without a spec/);
  assert.match(byLine.get(6)?.message ?? '', /Malformed requirement "~> banana"/);
  assert.deepEqual([byLine.get(6)?.startCol, byLine.get(6)?.endCol], [20, 29]);
  assert.match(byLine.get(8)?.message ?? '', /no version/);
  assert.match(byLine.get(11)?.message ?? '', /non-indented/);
  assert.equal(lock.bundledWith?.value, 'not-a-version');
  assert.deepEqual(lock.platforms, []);
  assert.deepEqual(lock.dependencies, []);
  assert.deepEqual(lock.checksums, []);
});

test('merge-conflict markers are problems; both sides are still parsed', () => {
  const lock = parseLockfile(
    lf([
      'GEM', //                               0
      '  remote: https://rubygems.org/', //   1
      '  specs:', //                          2
      '<<<<<<< HEAD', //                      3
      '    rack (3.0.0)', //                  4
      '||||||| base', //                      5
      '    rack (2.2.8)', //                  6
      '=======', //                           7
      '    rack (3.1.0)', //                  8
      '>>>>>>> feature', //                   9
      '    zeitwerk (2.6.0)', //             10
    ]),
  );
  assert.deepEqual(
    lock.problems.map((p) => [p.line, p.startCol, p.endCol]),
    [
      [3, 0, 12],
      [5, 0, 12],
      [7, 0, 7],
      [9, 0, 15],
    ],
  );
  assert.ok(lock.problems.every((p) => /Merge conflict/.test(p.message)));
  assert.deepEqual(lock.specs.map((s) => `${s.name} ${s.version}`), ['rack 3.0.0', 'rack 2.2.8', 'rack 3.1.0', 'zeitwerk 2.6.0']);
});

test('binary content and NUL bytes are problems', () => {
  const lock = parseLockfile('GEM\n  remote: https://rubygems.org/\n  specs:\n    ra\u0000ck (3.0.0)\n    zeitwerk (2.6.0)\n\u0001\u0002\u0003\n');
  assert.deepEqual(lock.specs.map((s) => s.name), ['zeitwerk']);
  assert.deepEqual(
    lock.problems.map((p) => [p.line, p.startCol, p.endCol]),
    [
      [3, 0, 17],
      [5, 0, 3],
    ],
  );
  assert.match(lock.problems[0].message, /Binary/);
});

test('random binary input never throws and caps the number of problems', () => {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed >>> 8) % n;
  };
  let bytes = '';
  for (let i = 0; i < 200000; i++) bytes += String.fromCharCode(rand(256));
  const lock = parseLockfile(bytes);
  assert.ok(lock.problems.length <= MAX_PROBLEMS + 1);
  assert.match(lock.problems[lock.problems.length - 1].message, /more problem/);

  const alphabet = ['GEM', 'GIT', 'PATH', 'PLATFORMS', 'DEPENDENCIES', 'CHECKSUMS', 'RUBY VERSION', 'BUNDLED WITH',
    '  ', '    ', '      ', '\t', '\n', '\r\n', '\r', ' (', ')', '-', '!', ',', '~> ', '>= ', '1.0', 'rack', 'specs:', 'remote: x',
    '=======', '<<<<<<<', '\u0000', '\uFEFF', '\uD83D\uDE00', '\uD800', ' sha256=ab'];
  for (let i = 0; i < 3000; i++) {
    let s = '';
    const n = rand(40);
    for (let j = 0; j < n; j++) s += alphabet[rand(alphabet.length)];
    const l = parseLockfile(s);
    for (const p of l.problems) assert.ok(p.endCol >= p.startCol && p.line >= 0);
  }
});

test('pathological inputs', () => {
  assert.deepEqual(parseLockfile(''), { sections: [], sources: [], specs: [], platforms: [], dependencies: [], checksums: [], problems: [] });
  assert.deepEqual(parseLockfile('\n\n   \n').problems, []);
  const long = parseLockfile('GEM\n  specs:\n    ' + 'a'.repeat(100000) + ' (' + '1.'.repeat(50000) + '0)\n' + ' '.repeat(100000) + 'x');
  assert.equal(long.specs.length, 1);
  assert.equal(long.problems.length, 2); // malformed (too long) version; over-indented line
  // @ts-expect-error: non-string input from untyped callers
  assert.deepEqual(parseLockfile(undefined).specs, []);
});

test('a BOM on the first line does not shift other lines; columns are UTF-16', () => {
  const lock = parseLockfile('\uFEFFGEM\n  remote: https://rubygems.org/\n  specs:\n    rack (3.0.0)\n');
  assert.deepEqual(lock.problems, []);
  assert.equal(lock.sources.length, 1);
  assert.deepEqual(spec(lock, 'rack').nameRange, { line: 3, startCol: 4, endCol: 8 });
  const emoji = parseLockfile('GEM\n  specs:\n    \uD83D\uDE00gem (1.0)\n');
  assert.deepEqual(spec(emoji, '\uD83D\uDE00gem').nameRange, { line: 2, startCol: 4, endCol: 9 });
  assert.deepEqual(spec(emoji, '\uD83D\uDE00gem').versionRange, { line: 2, startCol: 11, endCol: 14 });
});

test('lone CR line endings are line breaks', () => {
  const lock = parseLockfile('GEM\r  remote: https://rubygems.org/\r  specs:\r    rack (3.0.0)\r');
  assert.equal(spec(lock, 'rack').line, 3);
});
