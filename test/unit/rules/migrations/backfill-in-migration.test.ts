import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/backfill-in-migration';
import { at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

const ddl = (body: string) => migration(body).replace('Migration[7.2]\n', 'Migration[7.2]\n  disable_ddl_transaction!\n\n');

describe('migrations/backfill-in-migration', () => {
  test('reports an unbatched update_all on a model', () => {
    const findings = run(rule, migration('add_column :patients, :active, :boolean\nPatient.where(active: nil).update_all(active: true)'));
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/backfill-in-migration', line: 4, column: 32 }]);
    assert.match(findings[0].message, /Patient\.update_all runs as one statement over every matched row/);
    assert.match(findings[0].message, /Patient\.unscoped\.in_batches\(of: 10_000\)/);
    assert.match(findings[0].message, /add_column on patients \(line 3\) keeps its lock until the backfill commits/);
  });

  test('unbatched is reported even with disable_ddl_transaction!', () => {
    assert.equal(run(rule, ddl('Patient.update_all(active: true)')).length, 1);
    assert.equal(run(rule, ddl('Patient.where(x: 1).delete_all')).length, 1);
  });

  test('batched inside the DDL transaction is reported', () => {
    const findings = run(rule, migration('Patient.in_batches(of: 1000).update_all(active: true)'));
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /inside the migration's transaction/);
    assert.equal(run(rule, migration('Patient.in_batches do |relation|\n  relation.update_all(active: true)\nend')).length, 1);
  });

  test('record writes per row of an iteration', () => {
    assert.equal(run(rule, migration('Patient.find_each do |patient|\n  patient.update!(active: true)\nend')).length, 1);
    assert.equal(run(rule, migration('Patient.where(active: nil).each { |p| p.save! }')).length, 1);
    assert.match(run(rule, ddl('Patient.all.each { |p| p.update_column(:active, true) }'))[0].message, /unbatched iteration over Patient/);
  });

  test('destroy_all and upsert_all get their own wording', () => {
    assert.match(run(rule, migration('Mention.where(kind: 1).destroy_all'))[0].message, /loads every matched record and deletes them one by one/);
    assert.match(run(rule, migration('Tag.upsert_all(rows)'))[0].message, /Tag\.upsert_all writes every row in one statement/);
  });

  test('migration-local model classes and namespaced constants count', () => {
    assert.equal(run(rule, migration('Clinic::Room.update_all(open: true)')).length, 1);
  });

  test('near misses: batched with disable_ddl_transaction!, down, safety_assured, non-models, plain hashes', () => {
    assert.equal(run(rule, ddl('Patient.in_batches(of: 1000).update_all(active: true)')).length, 0);
    assert.equal(run(rule, ddl('Patient.in_batches do |relation|\n  relation.update_all(active: true)\n  sleep(0.01)\nend')).length, 0);
    assert.equal(run(rule, ddl('Patient.find_each { |p| p.update!(active: true) }')).length, 0);
    assert.equal(run(rule, 'class X < ActiveRecord::Migration[7.2]\n  def down\n    Patient.update_all(active: nil)\n  end\nend\n').length, 0);
    assert.equal(run(rule, migration('safety_assured { Patient.update_all(active: true) }')).length, 0);
    assert.equal(run(rule, migration('Rails.cache.delete_all')).length, 0);
    assert.equal(run(rule, migration('settings = {}\nsettings.update(a: 1)')).length, 0);
    assert.equal(run(rule, migration('[1, 2].each { |x| x.update(1) }')).length, 0);
    // Found in redmine: the block parameter of a constant Hash is not known to be a model.
    assert.equal(run(rule, migration('COLUMNS.each do |klass, columns|\n  klass.where(x: 1).update_all(x: 0)\nend')).length, 0);
    // Found in openstreetmap-website: an upsert per batch of another model, outside the transaction.
    assert.equal(run(rule, ddl('NoteComment.in_batches(of: 1000) do |comments|\n  rows = comments.pluck(:author_id, :note_id)\n  NoteSubscription.upsert_all(rows)\nend')).length, 0);
  });

  test('batches: each_slice, each_batch, find_in_batches and LIMIT loops with disable_ddl_transaction! are silent', () => {
    assert.equal(run(rule, ddl('ids = Tag.pluck(:id)\nids.each_slice(1000) { |slice| Tag.upsert_all(slice.map { |id| { id: id } }) }')).length, 0);
    assert.equal(run(rule, ddl('Tag.each_batch(of: 500) do |relation|\n  relation.update_all(usable: true)\nend')).length, 0);
    assert.equal(run(rule, ddl('Tag.where(x: nil).find_in_batches do |tags|\n  Tag.where(id: tags.map(&:id)).update_all(x: 0)\nend')).length, 0);
    assert.equal(run(rule, ddl('loop do\n  n = Tag.where(x: nil).limit(1000).update_all(x: 0)\n  break if n.zero?\nend')).length, 0);
  });

  test('near miss: the same slices inside the DDL transaction, and a loop without a LIMIT, are reported', () => {
    const findings = run(rule, migration('ids.each_slice(1000) { |slice| Tag.upsert_all(slice) }'));
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/backfill-in-migration', line: 3, column: 40 }]);
    assert.match(findings[0].message, /Tag\.upsert_all is batched, but the batches run inside the migration's transaction/);
    assert.equal(run(rule, ddl('loop do\n  Tag.where(x: nil).update_all(x: 0)\n  break\nend')).length, 1);
  });

  test('names the real receiver: order.adjustments.update_all, not Order.update_all', () => {
    const findings = run(rule, migration('Order.find_each do |order|\n  order.adjustments.update_all(included: true)\nend'));
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /order\.adjustments\.update_all is batched/);
    assert.doesNotMatch(findings[0].message, /Order\.update_all|Order\.unscoped/);
  });
  test('near miss: rows picked by id under disable_ddl_transaction! (each statement commits alone, only the listed rows)', () => {
    const ddl = (body: string) => migration(body).replace('Migration[7.2]\n', 'Migration[7.2]\n  disable_ddl_transaction!\n\n');
    const dedupe = 'duplicate_groups.each do |ids|\n  Visit.where(id: ids.drop(1)).destroy_all\nend';
    assert.deepEqual(run(rule, ddl(dedupe)), []);
    // Inside the DDL transaction the rows stay locked until the migration commits: still reported.
    assert.equal(run(rule, migration(dedupe)).length, 1);
    // Another filter is not a bound; and without the transaction destroy_all no longer claims one.
    const [other] = run(rule, ddl('Visit.where(archived: true).destroy_all'));
    assert.match(other.message, /loads every matched record and deletes them one by one\./);
    assert.doesNotMatch(other.message, /inside one transaction/);
  });
});
