import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import rule from '../../../../server/src/rules/concurrency/uniqueness-without-index';
import { APP_ROOT, at, initParsers, run } from '../../../helpers/ruleTester';
import { modelApp } from '../../../helpers/callbackApp';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';
import { readStructureSql } from '../../../../server/src/project/structureSql';
import type { AppFacts } from '../../../../server/src/core/appFacts';

before(initParsers);

const SCHEMA = `ActiveRecord::Schema[7.1].define(version: 2024_05_01_120000) do
  create_table "memberships", force: :cascade do |t|
    t.bigint "team_id", null: false
    t.bigint "player_id", null: false
    t.string "role"
    t.index ["player_id", "team_id"], name: "index_memberships_on_player_and_team", unique: true
  end

  create_table "players", force: :cascade do |t|
    t.string "handle", null: false
    t.string "email", null: false
    t.string "nickname"
    t.bigint "club_id", null: false
    t.bigint "league_id"
    t.string "uri"
    t.text "bio"
    t.string "type"
    t.datetime "retired_at"
    t.string "invite_token"
    t.index ["handle"], name: "index_players_on_handle"
    t.index ["email"], name: "index_players_on_email", unique: true
    t.index ["nickname"], name: "index_players_on_nickname", unique: true, where: "retired_at IS NULL"
    t.index ["uri"], name: "index_players_on_uri", unique: true, where: "(uri IS NOT NULL)"
  end

  create_table "teams", force: :cascade do |t|
    t.string "name", null: false
    t.bigint "club_id"
  end
  add_index "teams", ["club_id", "name"], name: "index_teams_on_club_and_name", unique: true
end
`;

const FILE = 'app/models/player.rb';
const check = (code: string, extra: Record<string, string> = {}, overrides: Partial<AppFacts> = {}, file = FILE) =>
  run(rule, code, { file, kind: 'model', app: modelApp({ [file]: code, 'db/schema.rb': SCHEMA, ...extra }, overrides) });

const model = (body: string, name = 'Player') => `class ${name} < ApplicationRecord\n${body}end\n`;

function createdFile(findings: ReturnType<typeof check>): { file: string; text: string } {
  const edit = findings[0].fixes[0].edits[0];
  assert.equal(edit.createFile, true);
  const tree = parseRuby(edit.newText);
  try { assert.equal(tree.rootNode.hasError, false); } finally { tree.delete(); }
  return { file: path.relative(APP_ROOT, edit.file), text: edit.newText };
}

describe('concurrency/uniqueness-without-index', () => {
  test('a non-unique index on the column: reported on the attribute, fix creates a concurrent unique index migration', () => {
    const code = model('  validates :handle, presence: true, uniqueness: true\n');
    const findings = check(code);
    assert.deepEqual(findings.map(at), [{ rule: 'concurrency/uniqueness-without-index', line: 2, column: 13 }]);
    assert.equal(findings[0].headline, 'No unique index on `players` (handle): concurrent saves can both pass this uniqueness check');
    assert.match(findings[0].detail!, /the index `index_players_on_handle` on `players` \(handle\) in db\/schema\.rb is not unique/);
    assert.equal(findings[0].fixes[0].title, 'Create a migration adding a unique index on players (handle)');
    assert.equal(findings[0].fixes[0].safety, 'unsafe');
    assert.deepEqual(createdFile(findings), {
      file: 'db/migrate/20240501120001_add_unique_index_to_players_handle.rb',
      text: `class AddUniqueIndexToPlayersHandle < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  def change
    add_index :players, :handle, unique: true, algorithm: :concurrently
  end
end
`,
    });
  });

  test('a scoped validation without any index: scope first in the new index; MySQL gets a plain add_index', () => {
    const code = model('  belongs_to :club\n  validates_uniqueness_of :handle, scope: :club\n');
    const findings = check(code, {}, { adapter: { value: 'mysql', source: 'test' } });
    assert.deepEqual(findings.map(at), [{ rule: 'concurrency/uniqueness-without-index', line: 3, column: 27 }]);
    assert.equal(findings[0].headline, 'No unique index on `players` (club_id, handle): concurrent saves can both pass this uniqueness check');
    assert.match(findings[0].detail!, /db\/schema\.rb has no index on `players` \(club_id, handle\)/);
    assert.equal(createdFile(findings).text, `class AddUniqueIndexToPlayersClubIdHandle < ActiveRecord::Migration[7.1]
  def change
    add_index :players, [:club_id, :handle], unique: true
  end
end
`);
  });

  test('case_sensitive: false on PostgreSQL with a plain unique index: its own message, fix indexes lower(column)', () => {
    const code = model('  validates :email, uniqueness: { case_sensitive: false }\n');
    const findings = check(code);
    assert.equal(findings.length, 1);
    assert.equal(findings[0].headline, 'The unique index on `players` (email) is case-sensitive: `case_sensitive: false` duplicates can still race in');
    assert.match(findings[0].detail!, /PostgreSQL needs an index on `lower\(email\)`/);
    assert.match(createdFile(findings).text, /add_index :players, "lower\(email\)", unique: true, name: "index_players_on_lower_email", algorithm: :concurrently/);
  });

  test('near miss: case_sensitive: false with a lower() expression index, or on MySQL', () => {
    const schema = SCHEMA.replace('t.index ["email"], name: "index_players_on_email", unique: true', 't.index "lower((email)::text)", name: "index_players_on_lower_email", unique: true');
    const code = model('  validates :email, uniqueness: { case_sensitive: false }\n');
    assert.deepEqual(run(rule, code, { file: FILE, kind: 'model', app: modelApp({ [FILE]: code, 'db/schema.rb': schema }) }), []);
    assert.deepEqual(check(code, {}, { adapter: { value: 'mysql', source: 'test' } }), []);
  });

  test('near miss: case_sensitive: false on a column the model stores lower-case (Devise email, normalizes, a downcase callback)', () => {
    assert.deepEqual(check(model('  devise :database_authenticatable\n  validates :email, uniqueness: { case_sensitive: false }\n')), []);
    assert.deepEqual(check(model('  normalizes :email, with: ->(e) { e.strip.downcase }\n  validates :email, uniqueness: { case_sensitive: false }\n')), []);
    assert.deepEqual(check(model('  before_validation { self.email = email&.downcase }\n  validates :email, uniqueness: { case_sensitive: false }\n')), []);
  });

  test('near miss: an expression unique index we cannot read mentioning the column stays silent', () => {
    const schema = SCHEMA.replace('t.index ["handle"], name: "index_players_on_handle"', 't.index "btrim((handle)::text)", name: "index_players_on_trimmed_handle", unique: true');
    const code = model('  validates :handle, uniqueness: true\n');
    assert.deepEqual(run(rule, code, { file: FILE, kind: 'model', app: modelApp({ [FILE]: code, 'db/schema.rb': schema }) }), []);
  });

  test('near miss: a unique index in another column order, with the scope matched (add_index after create_table too)', () => {
    const membership = model('  validates :team_id, uniqueness: { scope: :player_id }\n', 'Membership');
    assert.deepEqual(check(membership, {}, {}, 'app/models/membership.rb'), []);
    const team = model('  validates :name, uniqueness: { scope: [:club_id] }\n', 'Team');
    assert.deepEqual(check(team, {}, {}, 'app/models/team.rb'), []);
  });

  test('near miss: a unique index on a subset of the columns already enforces a stricter rule', () => {
    assert.deepEqual(check(model('  validates :email, uniqueness: { scope: :club_id }\n')), []);
  });

  test('a partial unique index without conditions: reported; with conditions: silent', () => {
    const findings = check(model('  validates :nickname, uniqueness: true\n'));
    assert.equal(findings.length, 1);
    assert.match(findings[0].detail!, /is partial \(`WHERE retired_at IS NULL`\) and the validation has no matching `conditions:`/);
    assert.deepEqual(check(model('  validates :nickname, uniqueness: { conditions: -> { where(retired_at: nil) } }\n')), []);
  });

  test('near miss: a partial unique index that only leaves out NULLs of its own column covers', () => {
    assert.deepEqual(check(model('  validates :uri, uniqueness: true, allow_nil: true\n')), []);
  });

  test('a nullable scope column, a MySQL TEXT column, the attribute repeated in its scope: reported, no fix where it would not work', () => {
    const nullable = check(model('  validates :handle, uniqueness: { scope: :league_id }\n'));
    assert.equal(nullable.length, 1);
    assert.deepEqual(nullable[0].fixes, []);
    assert.match(nullable[0].detail!, /The scope column `league_id` can be NULL, and a unique index does not compare rows where it is NULL/);
    const text = check(model('  validates :bio, uniqueness: { scope: :club_id }\n'), {}, { adapter: { value: 'mysql', source: 'test' } });
    assert.equal(text.length, 1);
    assert.deepEqual(text[0].fixes, []);
    const repeated = check(model('  belongs_to :club\n  validates :club, uniqueness: { scope: [:club_id, :handle] }\n'));
    assert.equal(repeated[0].headline, 'No unique index on `players` (handle, club_id): concurrent saves can both pass this uniqueness check');
  });

  test('conditional validations and STI subclasses are reported without a migration fix', () => {
    const conditional = check(model('  validates :handle, uniqueness: true, if: :active?\n'));
    assert.equal(conditional.length, 1);
    assert.deepEqual(conditional[0].fixes, []);
    assert.match(conditional[0].detail!, /only runs with `if:`/);
    const sti = check(model('  validates :handle, uniqueness: true\n', 'Goalkeeper').replace('ApplicationRecord', 'Player'),
      { [FILE]: model('') }, {}, 'app/models/goalkeeper.rb');
    assert.deepEqual(sti.map(at), [{ rule: 'concurrency/uniqueness-without-index', line: 2, column: 13 }]);
    assert.match(sti[0].headline!, /`players` \(handle\)/);
    assert.deepEqual(sti[0].fixes, []);
  });

  test('near misses: no schema, a table the schema lacks, a virtual attribute, an abstract class, a concern', () => {
    const code = model('  validates :handle, uniqueness: true\n');
    assert.deepEqual(run(rule, code, { file: FILE, kind: 'model', app: modelApp({ [FILE]: code }) }), []);
    assert.deepEqual(check(model('  validates :code, uniqueness: true\n', 'Voucher'), {}, {}, 'app/models/voucher.rb'), []);
    assert.deepEqual(check(model('  attribute :slug\n  validates :slug, uniqueness: true\n')), []);
    assert.deepEqual(check('class Base < ApplicationRecord\n  self.abstract_class = true\n  validates :handle, uniqueness: true\nend\n', {}, {}, 'app/models/base.rb'), []);
    assert.deepEqual(check('module Handled\n  extend ActiveSupport::Concern\n  included do\n    validates :handle, uniqueness: true\n  end\nend\n', {}, {}, 'app/models/concerns/handled.rb'), []);
  });

  test('structure.sql: a unique constraint covers; a model connected to another database reads that schema', () => {
    const sql = readStructureSql(`CREATE TABLE public.players (id bigint NOT NULL, handle character varying NOT NULL);
ALTER TABLE ONLY public.players ADD CONSTRAINT players_handle_key UNIQUE (handle);
CREATE TABLE public.events (id bigint NOT NULL, key character varying NOT NULL);
`);
    const code = model('  validates :handle, uniqueness: true\n');
    assert.deepEqual(run(rule, code, { file: FILE, kind: 'model', app: modelApp({ [FILE]: code }, { schema: sql }) }), []);
    const audit = 'class AuditRecord < ApplicationRecord\n  self.abstract_class = true\n  connects_to database: { writing: :audit }\nend\n';
    const event = 'class Event < AuditRecord\n  validates :key, uniqueness: true\nend\n';
    const files = { 'app/models/audit_record.rb': audit, 'app/models/event.rb': event };
    const auditSchema = { ...readStructureSql('CREATE TABLE public.events (id bigint NOT NULL, key character varying NOT NULL);'), source: 'db/audit_structure.sql' };
    const findings = run(rule, event, { file: 'app/models/event.rb', kind: 'model', app: modelApp(files, { schema: sql, schemas: new Map([['primary', sql], ['audit', auditSchema]]) }) });
    assert.deepEqual(findings.map(at), [{ rule: 'concurrency/uniqueness-without-index', line: 2, column: 13 }]);
    assert.match(findings[0].detail!, /db\/audit_structure\.sql has no index on `events` \(key\)/);
    // The primary schema has `events` too, but the model's database has no schema file: silent.
    assert.deepEqual(run(rule, event, { file: 'app/models/event.rb', kind: 'model', app: modelApp(files, { schema: sql }) }), []);
  });
});

describe('uniqueness-without-index severity: how likely the race is', () => {
  test('rows owned by something are a warning; a table that belongs to nothing and a generated token are hints that say why', () => {
    const owned = check(model('  belongs_to :club\n  validates :handle, uniqueness: true\n'));
    assert.deepEqual(owned.map((f) => [at(f).line, f.severity]), [[3, 'warning']]);
    const lookup = check(model('  validates :handle, uniqueness: true\n'));
    assert.deepEqual(lookup.map((f) => [at(f).line, f.severity]), [[2, 'hint']]);
    assert.match(lookup[0].message, /`Player` belongs to no other model, the shape of lookup values, settings or tenants, which few people write \(if many users create these rows, the race is real\)\./);
    const token = check(model('  belongs_to :club\n  validates :invite_token, uniqueness: true\n'));
    assert.deepEqual(token.map((f) => [at(f).line, f.severity]), [[3, 'hint']]);
    assert.match(token[0].message, /`invite_token` looks generated \(a token or code\)/);
  });
});
