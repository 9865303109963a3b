import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/add-column-index-option';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';

before(initParsers);

const rails = (value: string) => appFacts({ railsVersion: { value, source: 'Gemfile.lock' } });

describe('migrations/add-column-index-option', () => {
  test('reports index: on add_column, by Rails version', () => {
    const code = migration('add_column :patients, :mrn, :string, index: true');
    const findings = run(rule, code, { app: rails('7.0.8') });
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/add-column-index-option', line: 3, column: 42 }]);
    assert.match(findings[0].message, /Rails 7\.0\.8 ignores it silently, so patients\.mrn gets no index/);
    assert.match(run(rule, code, { app: rails('7.1.3') })[0].message, /raises "Unknown key: :index"/);
    assert.match(run(rule, code)[0].message, /Rails 7\.1\+ raises/);
  });

  test('fix moves the index into a concurrent add_index on PostgreSQL; whole file; idempotent; parses', () => {
    const code = migration('add_column :patients, :mrn, :string, index: { unique: true }');
    const [finding] = run(rule, code);
    assert.equal(finding.fixes[0].safety, 'unsafe');
    const fixed = applyFix(code, finding.fixes[0]);
    assert.equal(fixed, [
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  disable_ddl_transaction!',
      '',
      '  def change',
      '    add_column :patients, :mrn, :string',
      '    add_index :patients, :mrn, unique: true, algorithm: :concurrently',
      '  end',
      'end',
      '',
    ].join('\n'));
    assert.equal(run(rule, fixed).length, 0);
    const tree = parseRuby(fixed);
    assert.equal(tree.rootNode.hasError, false);
    tree.delete();
  });

  test('on a table created in this migration, and on MySQL, the add_index is plain', () => {
    const created = migration('create_table :labs\nadd_column :labs, :code, :string, index: true');
    assert.match(applyFix(created, run(rule, created)[0].fixes[0]), /add_column :labs, :code, :string\n    add_index :labs, :code\n/);
    const mysql = migration('add_column :patients, :mrn, :string, index: true');
    const fixed = applyFix(mysql, run(rule, mysql, { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) })[0].fixes[0]);
    assert.match(fixed, /add_index :patients, :mrn\n/);
    assert.doesNotMatch(fixed, /disable_ddl_transaction!/);
  });

  test('near misses: index: false, t.string … index: in create_table/change_table, down, safety_assured', () => {
    assert.equal(run(rule, migration('add_column :patients, :mrn, :string, index: false')).length, 0);
    assert.equal(run(rule, migration('create_table :labs do |t|\n  t.string :code, index: true\nend')).length, 0);
    assert.equal(run(rule, migration('change_table :patients do |t|\n  t.string :mrn, index: true\nend')).length, 0);
    assert.equal(run(rule, 'class X < ActiveRecord::Migration[7.2]\n  def down\n    add_column :patients, :mrn, :string, index: true\n  end\nend\n').length, 0);
    assert.equal(run(rule, migration('safety_assured { add_column :patients, :mrn, :string, index: true }')).length, 0);
  });
});
