import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/mysql-copy-algorithm';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';

before(initParsers);

const mysql = (rails?: string) => appFacts({
  adapter: { value: 'mysql', source: 'test' }, ...(rails ? { railsVersion: { value: rails, source: 'Gemfile.lock' } } : {}),
});

describe('migrations/mysql-copy-algorithm', () => {
  test('reports algorithm: :copy on add_index on MySQL at the option', () => {
    const findings = run(rule, migration('add_index :patients, :email, algorithm: :copy'), { app: mysql('7.1.0') });
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/mysql-copy-algorithm', line: 3, column: 34 }]);
    assert.equal(findings[0].severity, 'error');
    assert.match(findings[0].message, /ALGORITHM=COPY rebuilds the whole table/);
  });

  test('fix removes the pair; whole file; idempotent; parses', () => {
    const code = migration('add_index :patients, :email, unique: true, algorithm: :copy');
    const [finding] = run(rule, code, { app: mysql() });
    const fixed = applyFix(code, finding.fixes[0]);
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
  });

  test('Rails 8.2 options on add_column and add_reference index hashes', () => {
    assert.equal(run(rule, migration('add_column :patients, :mrn, :string, algorithm: :copy'), { app: mysql('8.2.0') }).length, 1);
    const code = migration('add_reference :appointments, :room, index: { algorithm: :copy }');
    const [finding] = run(rule, code, { app: mysql() });
    assert.match(applyFix(code, finding.fixes[0]), /add_reference :appointments, :room, index: true\n/);
  });

  test('on PostgreSQL the MySQL-only option is reported as a warning (Rails rejects it)', () => {
    const [finding] = run(rule, migration('add_index :patients, :email, algorithm: :copy'));
    assert.equal(finding.severity, 'warning');
    assert.match(finding.message, /MySQL\/MariaDB option/);
  });

  test('near misses: inplace/instant, add_column before Rails 8.2, new table, SQLite, safety_assured', () => {
    assert.equal(run(rule, migration('add_index :patients, :email, algorithm: :inplace'), { app: mysql() }).length, 0);
    assert.equal(run(rule, migration('add_column :patients, :mrn, :string, algorithm: :copy'), { app: mysql('8.1.0') }).length, 0);
    assert.equal(run(rule, migration('create_table :labs\nadd_index :labs, :code, algorithm: :copy'), { app: mysql() }).length, 0);
    assert.equal(run(rule, migration('add_index :patients, :email, algorithm: :copy'), { app: appFacts({ adapter: { value: 'sqlite', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('safety_assured { add_index :patients, :email, algorithm: :copy }'), { app: mysql() }).length, 0);
  });
});
