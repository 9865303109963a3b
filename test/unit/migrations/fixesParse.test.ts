import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Finding } from '../../../server/src/core/types';
import { APP_ROOT, assertFixesParse, initParsers } from '../../helpers/ruleTester';

before(initParsers);

const file = path.join(APP_ROOT, 'db/migrate/20250101000000_x.rb');
const finding = (newText: string, createFile = false): Finding => ({
  ruleId: 'migrations/example', message: 'm', severity: 'warning',
  range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  fixes: [{ title: 'fix', safety: 'unsafe', edits: [{ file: createFile ? file.replace('_x', '_y') : file, createFile, range: { start: { line: 2, character: 42 }, end: { line: 2, character: 42 } }, newText }] }],
} as Finding);

describe('every migration fix parses (rule tester check)', () => {
  const code = 'class X < ActiveRecord::Migration[7.2]\n  def change\n    add_index :users, :email, unique: true\n  end\nend\n';

  test('a fix that parses passes; one that breaks the file or a created file that does not parse fails', () => {
    assertFixesParse(code, file, [finding(', algorithm: :concurrently')]);
    assert.throws(() => assertFixesParse(code, file, [finding(', algorithm: (')]), /does not parse/);
    assert.throws(() => assertFixesParse(code, file, [finding('class Y < ActiveRecord::Migration[7.2]\n  def change\n', true)]), /does not parse/);
  });
});
