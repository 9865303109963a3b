import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Workspace } from '../../../server/src/project/workspace';
import { allRules } from '../../../server/src/rules';
import { initParsers } from '../../helpers/ruleTester';
import { makeApp } from '../../helpers/fixtures';

before(initParsers);

const addIndex = 'class X < ActiveRecord::Migration[7.2]\n  def change\n    add_index :users, :email\n  end\nend\n';

describe('bad input gives a clear message and no crash', () => {
  test('malformed .rails-hazards.yml: a notice on the file, defaults apply', () => {
    const root = makeApp({ '.rails-hazards.yml': 'rules: [unclosed\n  - x: :\n', 'db/migrate/20250101000000_x.rb': addIndex });
    const ws = new Workspace({ rules: allRules });
    const config = ws.analyzeFile(path.join(root, '.rails-hazards.yml'));
    assert.ok(config.notices.length > 0);
    assert.match(config.notices[0].message, /Invalid YAML/);
    assert.match(config.notices[0].message, /using the default/);
    assert.equal(ws.analyzeFile(path.join(root, 'db/migrate/20250101000000_x.rb')).findings.length, 1);
  });

  test('invalid values in .rails-hazards.yml are reported with the key', () => {
    const root = makeApp({ '.rails-hazards.yml': 'rules:\n  migrations/add-index-non-concurrent: loud\nmigrations:\n  startAfter: yesterday\nsurprise: 1\n' });
    const notices = new Workspace({ rules: allRules }).analyzeFile(path.join(root, '.rails-hazards.yml')).notices.map((n) => n.message);
    assert.equal(notices.length, 3);
    assert.match(notices[0], /rules\."migrations\/add-index-non-concurrent" must be one of/);
    assert.match(notices[1], /14-digit/);
    assert.match(notices[2], /Unknown setting "surprise"/);
  });

  test('a binary file named x.rb is skipped with a notice', () => {
    const root = makeApp({ 'app/models/x.rb': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 0xff, 0]) });
    const r = new Workspace({ rules: allRules }).analyzeFile(path.join(root, 'app/models/x.rb'));
    assert.deepEqual(r.findings, []);
    assert.match(r.notices[0].message, /binary/);
  });

  test('a 20 MB Ruby file is skipped with a notice naming the limit', () => {
    const root = makeApp({ 'db/migrate/20250101000000_big.rb': addIndex + '# padding\n'.repeat(2_100_000) });
    const r = new Workspace({ rules: allRules }).analyzeFile(path.join(root, 'db/migrate/20250101000000_big.rb'));
    assert.deepEqual(r.findings, []);
    assert.match(r.notices[0].message, /20\.0 MB is over the 2\.0 MB limit/);
  });

  test('invalid UTF-8 is analysed with a notice', () => {
    const bytes = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9, 0xff]), Buffer.from('\n' + addIndex)]);
    const root = makeApp({ 'db/migrate/20250101000000_x.rb': bytes });
    const r = new Workspace({ rules: allRules }).analyzeFile(path.join(root, 'db/migrate/20250101000000_x.rb'));
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0].range.start.line, 3);
    assert.match(r.notices[0].message, /not valid UTF-8/);
  });

  test('Ruby nested 5,000 levels deep is parsed and walked without a stack overflow', () => {
    const deep = 'x = ' + '['.repeat(5000) + ']'.repeat(5000) + '\n' + 'if a\n'.repeat(5000) + 'add_index :users, :email\n' + 'end\n'.repeat(5000);
    const root = makeApp({ 'db/migrate/20250101000000_deep.rb': `class X < ActiveRecord::Migration[7.2]\n  def change\n${deep}  end\nend\n` });
    const r = new Workspace({ rules: allRules }).analyzeFile(path.join(root, 'db/migrate/20250101000000_deep.rb'));
    assert.deepEqual(r.notices, []);
    assert.equal(r.findings.length, 1);
  });
});
