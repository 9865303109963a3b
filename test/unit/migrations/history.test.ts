import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParsers } from '../../helpers/ruleTester';
import { historyFromTexts } from '../../../server/src/project/migrationHistory';
import { sqlOps } from '../../../server/src/migrations/historyOps';
import type { SchemaTable } from '../../../server/src/project/schema';

before(initParsers);

/** A migration file at `version` whose `change` holds `body`. */
function file(version: string, body: string, superclass = 'ActiveRecord::Migration[7.1]') {
  return { file: `/app/db/migrate/${version}_m${version}.rb`, text: `class M${version} < ${superclass}\n  def change\n${body}\n  end\nend\n` };
}

function columns(t: { columns: Map<string, { name: string; type: string }> } | undefined): string {
  return t ? [...t.columns.values()].map((c) => `${c.name}:${c.type}`).join(' ') : 'none';
}

describe('history model: replaying db/migrate', () => {
  test('a table as created, then altered: columns, types and the primary key at each version', () => {
    const h = historyFromTexts([
      file('20170101000000', 'create_table :accounts do |t|\n  t.string :name\n  t.timestamps\nend', 'ActiveRecord::Migration[5.0]'),
      file('20180101000000', 'change_column :accounts, :id, :bigint\nadd_column :accounts, :email, :string, null: false'),
      file('20190101000000', 'rename_column :accounts, :name, :display_name\nremove_column :accounts, :email'),
    ]);
    assert.equal(h.tableBefore('accounts', '20170101000000'), undefined, 'not there before its create_table');
    const in2017 = h.tableBefore('accounts', '20170601000000');
    assert.equal(in2017?.source, 'history');
    assert.equal(in2017?.table.primaryKeyType, 'integer');
    assert.equal(columns(in2017?.table), 'id:integer name:string created_at:datetime updated_at:datetime');
    const in2018 = h.tableBefore('accounts', '20180601000000');
    assert.equal(in2018?.table.primaryKeyType, 'bigint');
    assert.equal(in2018?.table.columns.get('email')?.null, false);
    assert.equal(columns(h.tableBefore('accounts', '20190601000000')?.table), 'id:bigint created_at:datetime updated_at:datetime display_name:string');
    assert.equal(in2017?.table.columns.has('email'), false, 'earlier states are not changed by later migrations');
    assert.equal(in2017?.table.columns.get('created_at')?.null, false, 'timestamps are NOT NULL from Rails 5.0');
    const legacy = historyFromTexts([file('20150101000000', 'create_table :logs do |t|\n  t.timestamps\nend', 'ActiveRecord::Migration[4.2]')]);
    assert.equal(legacy.tableBefore('logs', '20160101000000')?.table.columns.get('created_at')?.null, true);
  });

  test('a migration sees the state before itself, not its own changes', () => {
    const h = historyFromTexts([
      file('20200101000000', 'create_table :posts'),
      file('20200202000000', 'add_column :posts, :title, :string'),
    ]);
    assert.equal(h.tableBefore('posts', '20200202000000')?.table.columns.has('title'), false);
    assert.equal(h.tableBefore('posts', '20200202000001')?.table.columns.has('title'), true);
  });

  test('renamed, dropped and re-created tables: each version sees the table existing at that time', () => {
    const h = historyFromTexts([
      file('20160101000000', 'create_table :visits do |t|\n  t.references :patient, foreign_key: true\n  t.references :doctor, foreign_key: true\nend'),
      file('20170101000000', 'drop_table :visits'),
      file('20180101000000', 'create_table :visits do |t|\n  t.references :room, foreign_key: true\nend'),
      file('20190101000000', 'rename_table :visits, :appointments'),
    ]);
    assert.deepEqual(h.tableBefore('visits', '20160601000000')?.table.foreignKeys.map((f) => f.to), ['patients', 'doctors']);
    assert.equal(h.tableBefore('visits', '20170601000000'), undefined, 'dropped');
    assert.deepEqual(h.tableBefore('visits', '20180601000000')?.table.foreignKeys.map((f) => f.to), ['rooms']);
    assert.equal(h.tableBefore('visits', '20190601000000'), undefined, 'renamed away');
    const renamed = h.tableBefore('appointments', '20190601000000')?.table;
    assert.equal(renamed?.name, 'appointments');
    assert.deepEqual(renamed?.indexes.map((i) => i.name), ['index_appointments_on_room_id']);
  });

  test('indexes added, removed by column or name, renamed; foreign keys added and removed', () => {
    const h = historyFromTexts([
      file('20200101000000', 'create_table :users do |t|\n  t.string :email\n  t.string :token\n  t.index :email, unique: true\nend\ncreate_table :teams'),
      file('20200201000000', 'add_index :users, [:token, :email], name: "by_token"\nadd_reference :users, :team, foreign_key: true, index: false'),
      file('20200301000000', 'remove_index :users, :email\nrename_index :users, "by_token", "users_by_token"\nremove_foreign_key :users, :teams'),
    ]);
    const feb = h.tableBefore('users', '20200201000001')!.table;
    assert.deepEqual(feb.indexes.map((i) => `${i.name}:${i.columns.join(',')}:${i.unique}`), ['index_users_on_email:email:true', 'by_token:token,email:false']);
    assert.deepEqual(feb.foreignKeys, [{ to: 'teams', column: 'team_id' }]);
    assert.equal(feb.columns.get('team_id')?.type, 'bigint');
    const mar = h.tableBefore('users', '20200301000001')!.table;
    assert.deepEqual(mar.indexes.map((i) => i.name), ['users_by_token']);
    assert.deepEqual(mar.foreignKeys, []);
  });

  test('change_table blocks, check constraints, not-null changes and old-style references', () => {
    const h = historyFromTexts([
      file('20150101000000', 'create_table :orders do |t|\n  t.references :customer\nend', 'ActiveRecord::Migration'),
      file('20200101000000', 'change_table :orders do |t|\n  t.integer :total\n  t.rename :customer_id, :buyer_id\n  t.index :total\nend\nadd_check_constraint :orders, "total > 0", name: "positive_total"\nchange_column_null :orders, :total, false'),
      file('20200201000000', 'remove_check_constraint :orders, name: "positive_total"'),
    ]);
    const before = h.tableBefore('orders', '20160101000000')!.table;
    assert.equal(before.columns.get('customer_id')?.type, 'integer', 'a bare ActiveRecord::Migration references an integer key');
    assert.deepEqual(before.indexes, [], 'references had no index by default before Rails 5');
    const jan = h.tableBefore('orders', '20200101000001')!.table;
    assert.equal(columns(jan), 'id:integer total:integer buyer_id:integer');
    assert.equal(jan.columns.get('total')?.null, false);
    assert.deepEqual(jan.checks.map((c) => c.name), ['positive_total']);
    assert.deepEqual(h.tableBefore('orders', '20200201000001')!.table.checks, []);
  });

  test('down-only statements and statements on other receivers are not replayed', () => {
    const h = historyFromTexts([{
      file: '/app/db/migrate/20200101000000_m.rb',
      text: 'class M < ActiveRecord::Migration[7.1]\n  def up\n    create_table :tags\n  end\n  def down\n    drop_table :tags\n  end\nend\n',
    }]);
    assert.ok(h.tableBefore('tags', '20200101000001'));
  });

  test('precedence: a table the replay never saw comes from db/schema.rb, minus what later migrations added', () => {
    const schemaTable: SchemaTable = {
      name: 'accounts', primaryKeyType: 'bigint', checks: [],
      columns: new Map([['id', { name: 'id', type: 'bigint', null: false, hasDefault: true }], ['plan', { name: 'plan', type: 'string', null: true, hasDefault: false }]]),
      indexes: [{ name: 'index_accounts_on_plan', columns: ['plan'], unique: false }],
    };
    const schema = new Map([['accounts', schemaTable]]);
    const h = historyFromTexts([file('20200101000000', 'add_column :accounts, :plan, :string\nadd_index :accounts, :plan')]);
    const before = h.tableBefore('accounts', '20190101000000', schema);
    assert.equal(before?.source, 'schema');
    assert.equal(columns(before?.table), 'id:bigint');
    assert.deepEqual(before?.table.indexes, []);
    assert.equal(columns(h.tableBefore('accounts', '20210101000000', schema)?.table), 'id:bigint plan:string');
    // A later type change of the key: schema.rb's type is not the type before it.
    const changed = historyFromTexts([file('20200101000000', 'change_column :accounts, :id, :bigint')]);
    assert.equal(changed.tableBefore('accounts', '20190101000000', schema)?.table.primaryKeyType, 'unknown');
    // Re-created later: schema.rb shows another table of the same name.
    const recreated = historyFromTexts([file('20200101000000', 'create_table :accounts, force: :cascade')]);
    assert.equal(recreated.tableBefore('accounts', '20190101000000', schema), undefined);
  });

  test('changes the replay cannot read make the table unknown, and a loop over tables makes every table unknown', () => {
    const h = historyFromTexts([
      file('20200101000000', 'create_table :accounts\ncreate_table :statuses'),
      file('20200201000000', 'change_column_type_concurrently :accounts, :id, :bigint'),
      file('20200301000000', '%i[statuses].each { |t| change_column t, :id, :bigint }'),
      file('20200401000000', 'create_table :tags\nupdate_index :tags, "index_tags_on_name", :name, unique: true'),
    ]);
    assert.equal(h.tableBefore('accounts', '20200201000000')?.table.primaryKeyType, 'bigint');
    assert.equal(h.tableBefore('accounts', '20200201000001')?.table.primaryKeyType, 'unknown', 'an app helper changed the key column');
    assert.ok(h.tableBefore('statuses', '20200301000000'));
    assert.equal(h.tableBefore('statuses', '20200301000001'), undefined);
    assert.equal(h.tableBefore('tags', '20200401000001')?.table.unknown?.indexes, true, 'an index helper leaves the columns known');
    const looped = historyFromTexts([
      file('20170101000000', 'create_table :users', 'ActiveRecord::Migration[5.0]'),
      { file: '/app/db/migrate/20170901000000_ids_to_bigints.rb', text: 'class IdsToBigints < ActiveRecord::Migration[5.1]\n  def migrate(to)\n    COLUMNS.each { |table, column| change_column_type_concurrently table, column, to }\n  end\n  def up\n    migrate(:bigint)\n  end\nend\n' },
    ]);
    assert.equal(looped.tableBefore('users', '20170901000000')?.table.primaryKeyType, 'integer');
    assert.equal(looped.tableBefore('users', '20180101000000'), undefined, 'a helper over computed tables leaves every table unknown');
  });

  test('a TABLE constant names the table; data helpers and index calls on computed tables do not blank the history', () => {
    const h = historyFromTexts([
      file('20200101000000', 'create_table :mappings do |t|\n  t.bigint :entry_id\nend\ncreate_table :documents'),
      { file: '/app/db/migrate/20200201000000_restore.rb', text: 'class Restore < ActiveRecord::Migration[7.1]\n  TABLE = :mappings\n  def up\n    add_index TABLE, :entry_id, name: "by_entry"\n  end\nend\n' },
      { file: '/app/db/migrate/20200301000000_backfill.rb', text: 'class Backfill < ActiveRecord::Migration[7.1]\n  def up\n    Document.find_each { |d| update_timestamps(d, Time.now) }\n  end\nend\n' },
      { file: '/app/db/migrate/20200401000000_indexes.rb', text: 'class Indexes < ActiveRecord::Migration[7.1]\n  def up\n    %i[mappings documents].each { |t| add_index t, :created_at }\n  end\nend\n' },
    ]);
    assert.deepEqual(h.tableBefore('mappings', '20200301000000')?.table.indexes.map((i) => i.name), ['by_entry']);
    assert.ok(h.tableBefore('documents', '20200401000000'), 'update_timestamps(d) is not a schema change');
    const after = h.tableBefore('mappings', '20200401000001')?.table;
    assert.equal(after?.unknown?.indexes, true, 'indexes on computed tables: every table\'s indexes are unknown');
    assert.equal(after?.columns.get('entry_id')?.type, 'bigint', 'its columns are still known');
  });

  test('raw SQL: column type changes, indexes and foreign keys are read; other ALTER TABLE makes the table unknown', () => {
    assert.deepEqual(sqlOps('ALTER TABLE "accounts" ALTER COLUMN "id" TYPE bigint'), [{ kind: 'change_column', table: 'accounts', column: 'id', type: 'bigint' }]);
    assert.deepEqual(sqlOps('CREATE UNIQUE INDEX CONCURRENTLY idx_x ON public.users USING btree (email, token)'),
      [{ kind: 'add_index', table: 'users', index: { name: 'idx_x', columns: ['email', 'token'], unique: true } }]);
    assert.deepEqual(sqlOps('ALTER TABLE posts ADD CONSTRAINT fk_a FOREIGN KEY (author_id) REFERENCES users(id) NOT VALID'),
      [{ kind: 'add_foreign_key', table: 'posts', foreignKey: { name: 'fk_a', column: 'author_id', to: 'users' } }]);
    assert.deepEqual(sqlOps('ALTER TABLE posts ALTER COLUMN title SET NOT NULL'), [{ kind: 'change_column_null', table: 'posts', column: 'title', null: false }]);
    assert.deepEqual(sqlOps('ALTER TABLE posts VALIDATE CONSTRAINT fk_a'), []);
    assert.deepEqual(sqlOps('ALTER TABLE posts ENABLE ROW LEVEL SECURITY'), [{ kind: 'unknown_change', table: 'posts' }]);
    assert.deepEqual(sqlOps('UPDATE posts SET title = \'x\''), []);
  });
});
