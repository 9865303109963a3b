import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParsers, parseRuby } from '../../../server/src/parsing/treeSitter';
import { readSchema, readSchemaByTable, type Schema } from '../../../server/src/project/schema';
import { isPlainData } from '../../../server/src/project/summaryStore';

before(initParsers);

// A generated schema.rb with what the reader keeps: the version, a table without an id, an inline index, a check
// constraint, an index added at the top level after its table (the pre-Rails-5 layout), and foreign keys.
const SCHEMA = `# This file is auto-generated from the current state of the database.

ActiveRecord::Schema[7.1].define(version: 2024_05_01_120000) do
  enable_extension "plpgsql"

  create_table "accounts", force: :cascade do |t|
    t.string "email", null: false
    t.timestamps
    t.index ["email"], name: "index_accounts_on_email", unique: true
  end

  create_table "posts", force: :cascade do |t|
    t.bigint "account_id", null: false
    t.text "body"
    t.integer "score", default: 0, null: false
    t.check_constraint "score >= 0", name: "score_positive"
  end

  create_table "posts_tags", id: false, force: :cascade do |t|
    t.bigint "post_id"
    t.bigint "tag_id"
  end

  add_index "posts", ["account_id"], name: "index_posts_on_account_id"
  add_foreign_key "posts", "accounts"
  add_foreign_key "posts_tags", "posts", validate: false
end
`;

function counted(): { parse: (ruby: string) => ReturnType<typeof parseRuby>; count: () => number } {
  let n = 0;
  return { parse: (ruby) => { n++; return parseRuby(ruby); }, count: () => n };
}

const plain = (schema: Schema) => ({ ...schema, tables: [...schema.tables] });

describe('db/schema.rb read table by table', () => {
  test('reads the same schema as a whole-file read, in the same table order', () => {
    const tree = parseRuby(SCHEMA);
    const whole = readSchema(tree);
    tree.delete();
    const byTable = readSchemaByTable(SCHEMA, parseRuby)!;
    // Asked out of order first: iteration still follows the file.
    assert.equal(byTable.tables.get('posts_tags')?.primaryKeyType, 'none');
    assert.deepEqual(plain(byTable), plain(whole));
    assert.deepEqual([...byTable.tables.keys()], ['accounts', 'posts', 'posts_tags']);
    assert.deepEqual(byTable.tables.get('posts')!.indexes.map((i) => i.name), ['index_posts_on_account_id']);
    assert.equal(byTable.version, '20240501120000');
  });

  test('parses only the tables asked for; a walk over every table reads the rest, and hands the complete schema over once', () => {
    const { parse, count } = counted();
    const completed: Schema[] = [];
    const schema = readSchemaByTable(SCHEMA, parse, (s) => completed.push(s))!;
    assert.equal(count(), 1); // the statements outside the tables
    assert.equal(schema.foreignKeys.length, 2);
    assert.equal(schema.tables.get('posts')?.columns.get('score')?.hasDefault, true);
    assert.equal(schema.tables.get('posts')?.checks[0]?.name, 'score_positive');
    assert.equal(count(), 2);
    assert.equal(schema.tables.has('accounts'), true);
    assert.equal(schema.tables.has('comments'), false);
    assert.equal(count(), 3);
    assert.equal(completed.length, 0);
    assert.equal(schema.tables.size, 3);
    assert.equal(count(), 4);
    assert.equal(completed.length, 1);
    assert.ok(isPlainData(completed[0]), 'the completed schema can be stored');
    assert.deepEqual([...completed[0].tables.keys()], ['accounts', 'posts', 'posts_tags']);
  });

  test('near misses: a file not in the generated layout is left to the whole-file reader', () => {
    // create_table nested one level deeper (inside a block of something else)
    assert.equal(readSchemaByTable(SCHEMA.replace('  create_table "accounts", force: :cascade do |t|', '  ActiveRecord::Base.transaction do\n    create_table "accounts", force: :cascade do |t|'), parseRuby), undefined);
    // create_table without a block, then a line of the file's own level before the block's end
    assert.equal(readSchemaByTable(SCHEMA.replace('create_table "posts_tags", id: false, force: :cascade do |t|', 'create_table "posts_tags", id: false'), parseRuby), undefined);
    assert.equal(readSchemaByTable(SCHEMA.replace('    t.text "body"\n', '  t.text "body"\n'), parseRuby), undefined);
    // the same table twice
    assert.equal(readSchemaByTable(SCHEMA.replace('create_table "posts_tags"', 'create_table "posts"'), parseRuby), undefined);
  });
});
