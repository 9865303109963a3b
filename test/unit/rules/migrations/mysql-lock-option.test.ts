import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/mysql-lock-option';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';

before(initParsers);

const mysql = (rails?: string) => appFacts({
  adapter: { value: 'mysql', source: 'test' }, ...(rails ? { railsVersion: { value: rails, source: 'Gemfile.lock' } } : {}),
});

describe('migrations/mysql-lock-option', () => {
  test('reports lock: :exclusive and :shared on MySQL', () => {
    const findings = run(rule, migration('add_column :patients, :mrn, :string, lock: :exclusive'), { app: mysql('8.2.0') });
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/mysql-lock-option', line: 3, column: 42 }]);
    assert.match(findings[0].message, /LOCK=EXCLUSIVE blocks all reads and writes/);
    assert.match(run(rule, migration('add_index :patients, :email, lock: :shared'), { app: mysql() })[0].message, /LOCK=SHARED blocks all writes/);
  });

  test('fix removes the pair (first, last, nested); whole file; idempotent; parses', () => {
    const code = migration('add_index :patients, :email, lock: :shared, unique: true');
    const fixed = applyFix(code, run(rule, code, { app: mysql() })[0].fixes[0]);
    assert.equal(fixed, [
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_index :patients, :email, unique: true',
      '  end',
      'end',
      '',
    ].join('\n'));
    assert.equal(run(rule, fixed, { app: mysql() }).length, 0);
    const tree = parseRuby(fixed);
    assert.equal(tree.rootNode.hasError, false);
    tree.delete();
    const nested = migration('add_reference :appointments, :room, index: { unique: true, lock: :shared }');
    assert.match(applyFix(nested, run(rule, nested, { app: mysql() })[0].fixes[0]), /index: \{ unique: true \}/);
  });

  test('near misses: lock: :none/:default, Rails before 8.2, new table, SQLite', () => {
    assert.equal(run(rule, migration('add_index :patients, :email, lock: :none'), { app: mysql() }).length, 0);
    assert.equal(run(rule, migration('add_index :patients, :email, lock: :default'), { app: mysql() }).length, 0);
    assert.equal(run(rule, migration('add_index :patients, :email, lock: :shared'), { app: mysql('8.1.0') }).length, 0);
    assert.equal(run(rule, migration('create_table :labs\nadd_index :labs, :code, lock: :shared'), { app: mysql() }).length, 0);
    assert.equal(run(rule, migration('add_index :patients, :email, lock: :shared'), { app: appFacts({ adapter: { value: 'sqlite', source: 'test' } }) }).length, 0);
  });
});
