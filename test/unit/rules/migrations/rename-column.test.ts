import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/rename-column';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

describe('migrations/rename-column', () => {
  test('reports rename_column with the user names and the safe sequence', () => {
    const findings = run(rule, migration('rename_column :patients, :name, :full_name'));
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/rename-column', line: 3, column: 5 }]);
    assert.match(findings[0].message, /patients\.name to full_name/);
    assert.match(findings[0].message, /add `full_name`, write both columns, backfill/);
    assert.equal(findings[0].severity, 'error');
  });

  test('t.rename inside change_table is checked, string names too', () => {
    const findings = run(rule, migration('change_table "patients" do |t|\n  t.rename :name, :full_name\nend'));
    assert.deepEqual(findings.map(at).map((f) => [f.line, f.column]), [[4, 9]]);
    assert.match(findings[0].message, /patients\.name to full_name/);
  });

  test('near miss: a column swap keeps a column under each old name, so running code still finds it', () => {
    const swap = migration('change_table :invoices, bulk: true do |t|\n  t.rename :notes, :old_notes\n  t.rename :new_notes, :notes\nend');
    // notes is re-created by the second rename; new_notes is not, so that rename is still reported.
    assert.deepEqual(run(rule, swap).map(at), [{ rule: 'migrations/rename-column', line: 5, column: 9 }]);
    const fullSwap = migration('rename_column :invoices, :notes, :old_notes\nrename_column :invoices, :new_notes, :notes\nrename_column :invoices, :old_notes, :new_notes');
    assert.deepEqual(run(rule, fullSwap), []);
    // The old name re-used on another table is no swap.
    const otherTable = migration('rename_column :invoices, :notes, :old_notes\nrename_column :orders, :new_notes, :notes');
    assert.deepEqual(run(rule, otherTable).map(at), [
      { rule: 'migrations/rename-column', line: 3, column: 5 }, { rule: 'migrations/rename-column', line: 4, column: 5 },
    ]);
  });

  test('near miss: a swap in a loop over tables (the table is a block variable)', () => {
    const loop = migration('[:drafts, :posts].each do |table|\n  add_column table, :new_body, :json\n  rename_column table, :body, :old_body\n  rename_column table, :new_body, :body\nend');
    assert.deepEqual(run(rule, loop), []);
    // Without the add, the column renamed away is one running code may use.
    const noAdd = migration('[:drafts, :posts].each do |table|\n  rename_column table, :legacy_body, :archived_body\nend');
    assert.equal(run(rule, noAdd).length, 1);
  });

  test('all adapters: SQLite and MySQL too', () => {
    for (const value of ['sqlite', 'mysql'] as const) {
      assert.equal(run(rule, migration('rename_column :patients, :name, :full_name'), { app: appFacts({ adapter: { value, source: 'test' } }) }).length, 1);
    }
  });

  test('near misses: new table, down, safety_assured, revert, other receivers', () => {
    assert.equal(run(rule, migration('create_table :visits do |t|\n  t.string :nme\nend\nrename_column "visits", :nme, :name')).length, 0);
    assert.equal(run(rule, 'class X < ActiveRecord::Migration[7.2]\n  def down\n    rename_column :patients, :full_name, :name\n  end\nend\n').length, 0);
    assert.equal(run(rule, migration('safety_assured { rename_column :patients, :name, :full_name }')).length, 0);
    assert.equal(run(rule, migration('revert do\n  rename_column :patients, :name, :full_name\nend')).length, 0);
    assert.equal(run(rule, migration('Legacy.rename_column :patients, :name, :full_name')).length, 0);
  });

  test('respectSafetyAssured: false audits safety_assured blocks', () => {
    const app = appFacts();
    app.config.migrations.respectSafetyAssured = false;
    assert.equal(run(rule, migration('safety_assured { rename_column :patients, :name, :full_name }'), { app }).length, 1);
  });
});
