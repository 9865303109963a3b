import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import rule from '../../../../server/src/rules/migrations/add-inheritance-column';
import { appFacts, APP_ROOT, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { extractModels, ModelIndex } from '../../../../server/src/models/modelIndex';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';
import type { AppFacts } from '../../../../server/src/core/appFacts';

before(initParsers);

function withModel(code: string): AppFacts {
  const index = new ModelIndex();
  const file = path.join(APP_ROOT, 'app/models/notification.rb');
  const tree = parseRuby(code);
  index.update(file, extractModels(tree, file));
  tree.delete();
  return { ...appFacts(), models: index } as AppFacts;
}

describe('migrations/add-inheritance-column', () => {
  test('reports add_column :type with a default', () => {
    const findings = run(rule, migration('add_column :notifications, :type, :string, default: "EmailNotification"'));
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/add-inheritance-column', line: 3, column: 32 }]);
    assert.match(findings[0].message, /SubclassNotFound/);
    assert.match(findings[0].message, /`self\.ignored_columns \+= \["type"\]`/);
  });

  test("a model whose inheritance_column is another column; t.string in change_table", () => {
    const app = withModel('class Notification < ApplicationRecord\n  self.inheritance_column = :kind\nend\n');
    assert.equal(run(rule, migration('add_column :notifications, :type, :string, default: "Email"'), { app }).length, 0, 'STI lives in kind');
    assert.equal(run(rule, migration('change_table :notifications do |t|\n  t.string :type, default: "Email"\nend')).length, 1);
  });

  test('near misses: no default, default nil, STI off, new table, safety_assured', () => {
    assert.equal(run(rule, migration('add_column :notifications, :type, :string')).length, 0);
    assert.equal(run(rule, migration('add_column :notifications, :type, :string, default: nil')).length, 0);
    const off = withModel('class Notification < ApplicationRecord\n  self.inheritance_column = nil\nend\n');
    assert.equal(run(rule, migration('add_column :notifications, :type, :string, default: "x"'), { app: off }).length, 0);
    assert.equal(run(rule, migration('create_table :notifications\nadd_column :notifications, :type, :string, default: "x"')).length, 0);
    assert.equal(run(rule, migration('safety_assured { add_column :notifications, :type, :string, default: "x" }')).length, 0);
  });
});
