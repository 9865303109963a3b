// Where the adapter comes from when config/database.yml is not in the repository: each schema dump's own marks, and
// the lockfile's adapter gems. The CLI test (test/unit/cli/adapterWithoutDatabaseYml.test.ts) shows the findings.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adapterFromLockedGems, adapterFromSchemaDump } from '../../../server/src/project/database';

describe('the adapter of a schema dump', () => {
  test('MySQL: table options in schema.rb, a mysqldump header or ENGINE= in structure.sql', () => {
    assert.equal(adapterFromSchemaDump('  create_table "users", charset: "utf8mb4", collation: "utf8mb4_0900_ai_ci", force: :cascade do |t|\n', 'db/schema.rb')?.value, 'mysql');
    assert.equal(adapterFromSchemaDump('  create_table "gifts", id: :integer, options: "ENGINE=InnoDB ROW_FORMAT=DYNAMIC" do |t|\n', 'db/schema.rb')?.value, 'mysql');
    assert.equal(adapterFromSchemaDump('-- MySQL dump 10.13  Distrib 8.0.32\n', 'db/structure.sql')?.value, 'mysql');
    assert.equal(adapterFromSchemaDump('CREATE TABLE `users` (\n  `id` bigint NOT NULL\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n', 'db/structure.sql')?.value, 'mysql');
  });

  test('PostgreSQL: the plpgsql extension in schema.rb, a pg_dump header or search_path in structure.sql', () => {
    assert.equal(adapterFromSchemaDump('  enable_extension "plpgsql"\n', 'db/schema.rb')?.value, 'postgresql');
    assert.equal(adapterFromSchemaDump('--\n-- PostgreSQL database dump\n--\n', 'db/structure.sql')?.value, 'postgresql');
    assert.equal(adapterFromSchemaDump("SET search_path = public, pg_catalog;\n", 'db/structure.sql')?.value, 'postgresql');
  });

  test('near misses: a dump with neither mark (SQLite, or an empty schema), and the words inside a comment or a string', () => {
    assert.equal(adapterFromSchemaDump('  create_table "users", force: :cascade do |t|\n    t.string "email"\n  end\n', 'db/schema.rb'), undefined);
    assert.equal(adapterFromSchemaDump('# We moved off ENGINE=InnoDB and enable_extension "plpgsql" last year\n', 'db/schema.rb'), undefined);
  });
});

describe('the adapter of a lockfile', () => {
  test('exactly one kind of adapter gem decides; none or two do not', () => {
    const gems = (...names: string[]) => new Map(names.map((n) => [n, '1.0.0']));
    assert.equal(adapterFromLockedGems(gems('rails', 'pg'))?.value, 'postgresql');
    assert.equal(adapterFromLockedGems(gems('trilogy'))?.value, 'mysql');
    assert.equal(adapterFromLockedGems(gems('mysql2', 'trilogy'))?.value, 'mysql', 'two MySQL clients are one adapter');
    assert.equal(adapterFromLockedGems(gems('sqlite3'))?.value, 'sqlite');
    assert.equal(adapterFromLockedGems(gems('pg', 'sqlite3')), undefined);
    assert.equal(adapterFromLockedGems(gems('rails')), undefined);
  });
});
