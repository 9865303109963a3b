import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/short-primary-key-type';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';
import type { Schema } from '../../../../server/src/project/schema';

before(initParsers);

describe('migrations/short-primary-key-type', () => {
  test('reports id: :integer and id: :serial at the option', () => {
    const findings = run(rule, migration('create_table :invoices, id: :integer do |t|\n  t.string :number\nend'));
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/short-primary-key-type', line: 3, column: 33 }]);
    assert.match(findings[0].message, /invoices gets a 32-bit primary key \(integer\): it runs out after 2,147,483,647 ids/);
    assert.equal(run(rule, migration('create_table :invoices, id: :serial')).length, 1);
  });

  test('fix widens the type; whole file; idempotent; parses', () => {
    const code = migration('create_table :invoices, id: :serial do |t|\n  t.string :number\nend');
    const fixed = applyFix(code, run(rule, code)[0].fixes[0]);
    assert.equal(fixed, [
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    create_table :invoices, id: :bigserial do |t|',
      '      t.string :number',
      '    end',
      '  end',
      'end',
      '',
    ].join('\n'));
    assert.equal(run(rule, fixed).length, 0);
    const tree = parseRuby(fixed);
    assert.equal(tree.rootNode.hasError, false);
    tree.delete();
  });

  test('Migration[5.0] and bare ActiveRecord::Migration default to integer keys: fix inserts id: :bigint', () => {
    const code = migration('create_table :invoices do |t|\n  t.string :number\nend', 'class CreateInvoices < ActiveRecord::Migration[5.0]');
    const [finding] = run(rule, code);
    assert.match(finding.message, /32-bit primary key \(integer, the default of Migration\[5\.0\]\)/);
    const fixed = applyFix(code, finding.fixes[0]);
    assert.match(fixed, /create_table :invoices, id: :bigint do \|t\|/);
    assert.equal(run(rule, fixed).length, 0);
    assert.equal(run(rule, migration('create_table :invoices', 'class CreateInvoices < ActiveRecord::Migration')).length, 1);
  });

  test('near misses: bigint, uuid, id: false, [5.1]+, project base classes, SQLite, widened since (schema)', () => {
    for (const body of ['create_table :a, id: :bigint', 'create_table :a, id: :uuid', 'create_table :a, id: false', 'create_table :a']) {
      assert.equal(run(rule, migration(body)).length, 0, body);
    }
    assert.equal(run(rule, migration('create_table :a', 'class X < ActiveRecord::Migration[5.1]')).length, 0);
    assert.equal(run(rule, migration('create_table :a', 'class X < Gitlab::Database::Migration[2.1]')).length, 0);
    assert.equal(run(rule, migration('create_table :a, id: :integer'), { app: appFacts({ adapter: { value: 'sqlite', source: 'test' } }) }).length, 0);
    const schema: Schema = { tables: new Map([['invoices', { name: 'invoices', primaryKeyType: 'bigint', columns: new Map(), indexes: [], checks: [] }]]), foreignKeys: [] };
    assert.equal(run(rule, migration('create_table :invoices, id: :integer'), { app: appFacts({ schema }) }).length, 0);
  });
});
