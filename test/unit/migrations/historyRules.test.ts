// Rules that compare with existing state read the table as it was before the migration (the history
// model), not db/schema.rb's state after the last migration.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import mismatchedForeignKeyType from '../../../server/src/rules/migrations/mismatched-foreign-key-type';
import dropTableMultipleForeignKeys from '../../../server/src/rules/migrations/drop-table-multiple-foreign-keys';
import replaceIndex from '../../../server/src/rules/migrations/replace-index';
import changeColumnNullNotNull from '../../../server/src/rules/migrations/change-column-null-not-null';
import changeColumnType from '../../../server/src/rules/migrations/change-column-type';
import { appFacts, at, initParsers, migration, run, APP_ROOT } from '../../helpers/ruleTester';
import { historyFromTexts } from '../../../server/src/project/migrationHistory';
import type { Schema, SchemaTable } from '../../../server/src/project/schema';

before(initParsers);

/** A migration file of the app at `version` whose `change` holds `body`. */
function past(version: string, body: string, superclass = 'ActiveRecord::Migration[7.1]') {
  return { file: `${APP_ROOT}/db/migrate/${version}_m${version}.rb`, text: migration(body, `class M${version} < ${superclass}`) };
}

function table(name: string, primaryKeyType: string, columns: [string, string, boolean?][] = [], extra: Partial<SchemaTable> = {}): SchemaTable {
  const t: SchemaTable = { name, primaryKeyType, columns: new Map(), indexes: [], checks: [], ...extra };
  t.columns.set('id', { name: 'id', type: primaryKeyType, null: false, hasDefault: true });
  for (const [c, type, nullable] of columns) t.columns.set(c, { name: c, type, null: nullable ?? true, hasDefault: false });
  return t;
}

function schemaOf(version: string, tables: SchemaTable[], foreignKeys: Schema['foreignKeys'] = []): Schema {
  return { version, tables: new Map(tables.map((t) => [t.name, t])), foreignKeys };
}

describe('history-aware migration rules', () => {
  test('mismatched-foreign-key-type: an integer reference matched accounts.id when accounts.id was still integer', () => {
    const history = [
      past('20160101000000', 'create_table :accounts', 'ActiveRecord::Migration[5.0]'),
      past('20180101000000', 'change_column :accounts, :id, :bigint'),
    ];
    const app = appFacts({
      schema: schemaOf('20240101000000', [table('accounts', 'bigint'), table('posts', 'integer', [['account_id', 'integer']])]),
      migrationHistory: historyFromTexts(history),
    });
    const code = migration('create_table :posts do |t|\n  t.integer :account_id\nend', 'class CreatePosts < ActiveRecord::Migration[5.0]');
    assert.deepEqual(run(mismatchedForeignKeyType, code, { app, file: 'db/migrate/20170101000000_create_posts.rb' }), []);
    // The same migration written after accounts.id became bigint.
    const later = run(mismatchedForeignKeyType, code, { app, file: 'db/migrate/20190101000000_create_posts.rb' });
    assert.deepEqual(later.map(at), [{ rule: 'migrations/mismatched-foreign-key-type', line: 4, column: 17 }]);
    assert.match(later[0].message, /accounts\.id is bigint \(the migrations before this one\)/);
  });

  test('drop-table-multiple-foreign-keys: the foreign keys of the table that existed then, not of a later re-created one', () => {
    const history = [
      past('20150101000000', 'create_table :appointments do |t|\n  t.references :patient, foreign_key: true\nend'),
      past('20170101000000', 'create_table :appointments do |t|\n  t.references :patient, foreign_key: true\n  t.references :doctor, foreign_key: true\nend'),
    ];
    const app = appFacts({
      schema: schemaOf('20240101000000', [table('appointments', 'bigint')], [
        { from: 'appointments', to: 'patients', validated: true }, { from: 'appointments', to: 'doctors', validated: true },
      ]),
      migrationHistory: historyFromTexts(history),
    });
    const code = migration('drop_table :appointments');
    assert.deepEqual(run(dropTableMultipleForeignKeys, code, { app, file: 'db/migrate/20160101000000_drop_appointments.rb' }), []);
    // Dropping the re-created table, which does reference two tables.
    assert.equal(run(dropTableMultipleForeignKeys, code, { app, file: 'db/migrate/20180101000000_drop_appointments.rb' }).length, 1);
    // Migrations squashed away: the table before 2017 is unknown, so schema.rb's keys are not used.
    const squashed = appFacts({ ...app, migrationHistory: historyFromTexts(history.slice(1)) });
    assert.deepEqual(run(dropTableMultipleForeignKeys, code, { app: squashed, file: 'db/migrate/20160101000000_drop_appointments.rb' }), []);
  });

  test('drop-table-multiple-foreign-keys: a table dropped long ago, gone from schema.rb, is read from its migrations', () => {
    const app = appFacts({
      schema: schemaOf('20240101000000', []),
      migrationHistory: historyFromTexts([past('20150101000000', 'create_table :visits do |t|\n  t.references :patient, foreign_key: true\n  t.references :doctor, foreign_key: true\nend')]),
    });
    const findings = run(dropTableMultipleForeignKeys, migration('drop_table :visits'), { app, file: 'db/migrate/20160101000000_drop_visits.rb' });
    assert.match(findings[0].message, /\(patients and doctors\)/);
  });

  test('replace-index: an index schema.rb shows but the same migration builds later does not cover the removed one', () => {
    const app = appFacts({
      schema: schemaOf('20240101000000', [table('customers', 'bigint', [['email', 'string'], ['shop_id', 'bigint']], {
        indexes: [{ name: 'index_customers_on_email_and_shop_id', columns: ['email', 'shop_id'], unique: true }],
      })]),
      migrationHistory: historyFromTexts([past('20150101000000', 'create_table :customers do |t|\n  t.string :email\n  t.bigint :shop_id\n  t.index :email\nend')]),
    });
    const code = migration('remove_index :customers, :email\nadd_index :customers, [:email, :shop_id], unique: true');
    const findings = run(replaceIndex, code, { app, file: 'db/migrate/20200101000000_unique_email.rb' });
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/replace-index', line: 3, column: 5 }]);
    // Near miss: an index on [email, shop_id] already existed when the migration ran.
    const covered = appFacts({ ...app, migrationHistory: historyFromTexts([past('20150101000000', 'create_table :customers do |t|\n  t.string :email\n  t.bigint :shop_id\n  t.index :email\n  t.index [:email, :shop_id]\nend')]) });
    assert.deepEqual(run(replaceIndex, code, { app: covered, file: 'db/migrate/20200101000000_unique_email.rb' }), []);
  });

  test('change-column-null-not-null: a column already NOT NULL at that migration (a guarded re-run) is not reported', () => {
    const app = appFacts({
      schema: schemaOf('20240101000000', [table('blobs', 'bigint', [['service_name', 'string', false]])]),
      migrationHistory: historyFromTexts([past('20150101000000', 'create_table :blobs do |t|\n  t.string :service_name, null: false\nend')]),
    });
    const code = migration('change_column_null :blobs, :service_name, false');
    assert.deepEqual(run(changeColumnNullNotNull, code, { app, file: 'db/migrate/20200101000000_service_name_not_null.rb' }), []);
    // A nullable column at that time is reported even though schema.rb (after it) says NOT NULL.
    const nullable = appFacts({ ...app, migrationHistory: historyFromTexts([past('20150101000000', 'create_table :blobs do |t|\n  t.string :service_name\nend')]) });
    assert.equal(run(changeColumnNullNotNull, code, { app: nullable, file: 'db/migrate/20200101000000_service_name_not_null.rb' }).length, 1);
  });

  test('change-column-null-not-null: a validated IS NOT NULL check counts only if it existed before the migration', () => {
    const check = { name: 'blobs_service_name_null', expression: 'service_name IS NOT NULL', validated: true };
    const app = appFacts({
      schema: schemaOf('20240101000000', [table('blobs', 'bigint', [['service_name', 'string']], { checks: [check] })]),
      migrationHistory: historyFromTexts([
        past('20150101000000', 'create_table :blobs do |t|\n  t.string :service_name\nend'),
        past('20210101000000', 'add_check_constraint :blobs, "service_name IS NOT NULL", name: "blobs_service_name_null"'),
      ]),
    });
    const code = migration('change_column_null :blobs, :service_name, false');
    assert.equal(run(changeColumnNullNotNull, code, { app, file: 'db/migrate/20200101000000_service_name_not_null.rb' }).length, 1);
    assert.deepEqual(run(changeColumnNullNotNull, code, { app, file: 'db/migrate/20220101000000_service_name_not_null.rb' }), []);
  });

  test('change-column-null-not-null: a NOT VALID check that a later migration validated counts from then on', () => {
    // The three-step pattern the rule recommends, spread over three migrations: add NOT VALID, validate, SET NOT NULL.
    const app = appFacts({
      schema: schemaOf('20240101000000', [table('tags', 'bigint', [['emoji', 'string', false]])]),
      migrationHistory: historyFromTexts([
        past('20150101000000', 'create_table :tags do |t|\n  t.string :emoji\nend'),
        past('20210101000000', 'add_check_constraint :tags, "emoji IS NOT NULL", name: "tags_emoji_null", validate: false'),
        past('20210102000000', 'validate_check_constraint :tags, name: "tags_emoji_null"'),
      ]),
    });
    const code = migration('change_column_null :tags, :emoji, false\nremove_check_constraint :tags, name: "tags_emoji_null"');
    assert.deepEqual(run(changeColumnNullNotNull, code, { app, file: 'db/migrate/20220101000000_emoji_not_null.rb' }), []);
    // Between adding and validating, the check does not spare the scan.
    assert.equal(run(changeColumnNullNotNull, code, { app, file: 'db/migrate/20210101120000_emoji_not_null.rb' }).length, 1);
  });

  test('change-column-type: the type before the migration comes from the replay, so a same-type change_column is quiet', () => {
    const app = appFacts({
      schema: schemaOf('20240101000000', [table('links', 'bigint', [['position', 'integer', false]])]),
      migrationHistory: historyFromTexts([past('20150101000000', 'create_table :links do |t|\n  t.integer :position\nend')]),
    });
    assert.deepEqual(run(changeColumnType, migration('change_column :links, :position, :integer, null: false, default: 0'), { app, file: 'db/migrate/20200101000000_position_required.rb' }), []);
    const widened = run(changeColumnType, migration('change_column :links, :position, :bigint'), { app, file: 'db/migrate/20200101000000_widen.rb' });
    assert.match(widened[0].message, /changes links\.position from integer to bigint/);
  });

  test('change-column-type: the replayed column keeps its limit, so restating it or growing a varchar is quiet', () => {
    const app = appFacts({
      schema: schemaOf('20240101000000', [table('nodes', 'bigint', [['latitude', 'float', false], ['name', 'string']])]),
      migrationHistory: historyFromTexts([past('20150101000000', 'create_table :nodes do |t|\n  t.column "latitude", :float, :limit => 53\n  t.string :name, limit: 50\nend')]),
    });
    const file = 'db/migrate/20200101000000_cleanup.rb';
    assert.deepEqual(run(changeColumnType, migration('change_column "nodes", "latitude", :float, :limit => 53, :null => false'), { app, file }), []);
    assert.deepEqual(run(changeColumnType, migration('change_column :nodes, :name, :string, limit: 100'), { app, file }), []);
    assert.equal(run(changeColumnType, migration('change_column :nodes, :name, :string, limit: 20'), { app, file }).length, 1);
  });
});
