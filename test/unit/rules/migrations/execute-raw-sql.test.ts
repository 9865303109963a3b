import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/execute-raw-sql';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';
import { sniffSql } from '../../../../server/src/migrations/sqlSniff';

before(initParsers);

const SM = appFacts({ gems: new Map([['strong_migrations', '2.1.0']]) });

function parses(text: string): boolean {
  const tree = parseRuby(text);
  try { return !tree.rootNode.hasError; } finally { tree.delete(); }
}

describe('migrations/execute-raw-sql', () => {
  test('sniffs CREATE INDEX without CONCURRENTLY in a heredoc', () => {
    const code = migration('execute <<~SQL\n  CREATE INDEX index_visits_on_day ON visits (day)\nSQL');
    const findings = run(rule, code);
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/execute-raw-sql', line: 3, column: 5 }]);
    assert.match(findings[0].message, /CREATE INDEX on visits without CONCURRENTLY takes a SHARE lock/);
    assert.equal(findings[0].severity, 'warning');
  });

  test('fix inserts CONCURRENTLY and disable_ddl_transaction!; whole file; idempotent; parses', () => {
    const code = migration('execute "CREATE UNIQUE INDEX index_visits_on_day ON visits (day)"');
    const [finding] = run(rule, code);
    const fixed = applyFix(code, finding.fixes[0]);
    assert.equal(fixed, [
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  disable_ddl_transaction!',
      '',
      '  def change',
      '    execute "CREATE UNIQUE INDEX CONCURRENTLY index_visits_on_day ON visits (day)"',
      '  end',
      'end',
      '',
    ].join('\n'));
    assert.ok(parses(fixed));
    // CONCURRENTLY outside the transaction is the safe form itself: nothing is left to report.
    assert.equal(run(rule, fixed).length, 0);
  });

  test('CONCURRENTLY goes inside a heredoc, after leading comments; the heredoc stays valid', () => {
    const code = migration('execute <<~SQL.squish\n  -- speeds up the day view\n  CREATE INDEX index_visits_on_day\n    ON visits (day)\nSQL');
    const fixed = applyFix(code, run(rule, code)[0].fixes[0]);
    assert.equal(fixed, [
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  disable_ddl_transaction!',
      '',
      '  def change',
      '    execute <<~SQL.squish',
      '      -- speeds up the day view',
      '      CREATE INDEX CONCURRENTLY index_visits_on_day',
      '        ON visits (day)',
      '    SQL',
      '  end',
      'end',
      '',
    ].join('\n'));
    assert.ok(parses(fixed));
  });

  test('fix appends NOT VALID to a foreign key or check constraint', () => {
    const code = migration('execute "ALTER TABLE visits ADD CONSTRAINT fk_visits_doctor FOREIGN KEY (doctor_id) REFERENCES doctors (id)"');
    const [finding] = run(rule, code);
    assert.match(finding.message, /ADD FOREIGN KEY on visits without NOT VALID blocks writes on both tables/);
    const fixed = applyFix(code, finding.fixes[0]);
    assert.match(fixed, /REFERENCES doctors \(id\) NOT VALID"/);
    assert.ok(parses(fixed));
    assert.equal(run(rule, fixed).length, 0, 'a NOT VALID constraint takes a brief lock and scans nothing: the safe form');
    const check = migration('execute <<~SQL.squish\n  ALTER TABLE visits ADD CONSTRAINT day_set CHECK (day IS NOT NULL);\nSQL');
    const checkFix = applyFix(check, run(rule, check)[0].fixes[0]);
    assert.match(checkFix, /CHECK \(day IS NOT NULL\) NOT VALID;\n/);
    assert.ok(parses(checkFix));
  });

  test('with strong_migrations: wrap in safety_assured (brace form keeps the heredoc valid)', () => {
    const code = migration('execute <<~SQL\n  UPDATE visits SET day = created_at::date\nSQL');
    const [finding] = run(rule, code, { app: SM });
    assert.match(finding.message, /UPDATE visits runs as one unbatched statement/);
    const wrap = finding.fixes.find((f) => /safety_assured/.test(f.title))!;
    const fixed = applyFix(code, wrap);
    assert.equal(fixed, [
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    safety_assured { execute <<~SQL }',
      '      UPDATE visits SET day = created_at::date',
      '    SQL',
      '  end',
      'end',
      '',
    ].join('\n'));
    assert.ok(parses(fixed));
    assert.equal(run(rule, fixed, { app: SM }).length, 0);
  });

  test('each hazard kind is named', () => {
    const cases: [string, RegExp][] = [
      ['ALTER TABLE visits ALTER COLUMN day SET NOT NULL', /SET NOT NULL on visits blocks reads and writes for a full table scan/],
      ['ALTER TABLE visits ALTER COLUMN day TYPE timestamptz', /rewrites the table/],
      ['ALTER TABLE visits RENAME COLUMN day TO date', /RENAME on visits breaks running processes/],
      ['ALTER TABLE visits DROP COLUMN day', /DROP COLUMN on visits/],
      ['DROP TABLE visits', /DROP TABLE visits breaks running processes/],
      ['DELETE FROM visits WHERE day < now()', /DELETE FROM visits runs as one unbatched statement/],
      // Found in openstreetmap-website: copying a whole table is not a small insert.
      ['INSERT INTO current_ways SELECT id, user_id FROM ways', /INSERT INTO current_ways … SELECT copies a whole result set in one statement/],
      ['DROP INDEX index_visits_on_day', /DROP INDEX without CONCURRENTLY/],
      ['ALTER TABLE visits ADD CONSTRAINT u UNIQUE (day)', /ADD UNIQUE\/PRIMARY KEY\/EXCLUDE on visits builds an index/],
      ['CREATE INDEX CONCURRENTLY i ON visits (day)', /CONCURRENTLY inside the migration's transaction fails/],
    ];
    for (const [sql, re] of cases) assert.match(run(rule, migration(`execute "${sql}"`))[0].message, re, sql);
  });

  test('SQL built at run time and unknown statements: a warning to verify; benign SQL: info', () => {
    const built = run(rule, migration('execute(sql)'));
    assert.equal(built[0].severity, 'warning');
    assert.match(built[0].message, /SQL built at run time/);
    const interpolated = run(rule, migration('execute "LOCK TABLE #{table} IN SHARE MODE"'));
    assert.equal(interpolated[0].severity, 'warning');
    assert.equal(run(rule, migration('execute "INSERT INTO settings (key, value) VALUES (\'a\', \'b\')"'))[0].severity, 'info');
    const benign = run(rule, migration('execute "CREATE FUNCTION touch() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql"'));
    assert.equal(benign[0].severity, 'info');
    assert.match(benign[0].message, /does not lock existing tables for long/);
  });

  test('connection.execute, ActiveRecord::Base.connection.execute and exec_query are checked', () => {
    assert.equal(run(rule, migration('connection.execute("UPDATE visits SET day = NULL")')).length, 1);
    assert.equal(run(rule, migration('ActiveRecord::Base.connection.execute("UPDATE visits SET day = NULL")')).length, 1);
    assert.equal(run(rule, migration('exec_query("DELETE FROM visits")')).length, 1);
  });

  test('near misses: lock/statement timeouts, down, dir.down, safety_assured, other receivers', () => {
    assert.equal(run(rule, migration('execute "SET lock_timeout = \'5s\'"')).length, 0);
    assert.equal(run(rule, migration('execute "SET LOCAL statement_timeout TO 0; RESET idle_in_transaction_session_timeout"')).length, 0);
    assert.equal(run(rule, 'class X < ActiveRecord::Migration[7.2]\n  def down\n    execute "DROP TABLE visits"\n  end\nend\n').length, 0);
    assert.equal(run(rule, migration('reversible do |dir|\n  dir.down { execute "DROP TABLE visits" }\nend')).length, 0);
    assert.equal(run(rule, migration('safety_assured { execute "DROP TABLE visits" }')).length, 0);
    assert.equal(run(rule, migration('Sidekiq.execute "x"')).length, 0);
    // Found in diaspora: a query helper whose SQL comes from its callers.
    assert.equal(run(rule, 'class X < ActiveRecord::Migration[7.2]\n  def up\n  end\n\n  def first_field(query)\n    execute(query).values\n  end\nend\n').length, 0);
    assert.equal(run(rule, 'class X < ActiveRecord::Migration[7.2]\n  def up\n    sql = build\n    execute(sql)\n  end\nend\n').length, 1, 'a local variable in up is still reported');
  });

  test('MySQL: CREATE INDEX is online; no PostgreSQL-only fixes', () => {
    const app = appFacts({ adapter: { value: 'mysql', source: 'test' } });
    const [finding] = run(rule, migration('execute "CREATE INDEX i ON visits (day)"'), { app });
    assert.equal(finding.severity, 'info');
    assert.equal(finding.fixes.length, 0);
  });

  test('statement splitting ignores semicolons in strings, comments and dollar quotes', () => {
    const kinds = sniffSql("-- note; here\nUPDATE a SET b = ';'; CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql").map((s) => s.kind);
    assert.deepEqual(kinds, ['update', 'benign']);
  });

  test('batches: an UPDATE per batch of find_in_batches under disable_ddl_transaction! is no whole-table claim', () => {
    const ddl = (body: string) => migration(body).replace('Migration[7.2]\n', 'Migration[7.2]\n  disable_ddl_transaction!\n\n');
    const batched = 'Visit.find_in_batches do |visits|\n  execute "UPDATE visits SET day = created_at::date WHERE id IN (#{visits.map(&:id).join(\',\')})"\nend';
    const [benign] = run(rule, ddl(batched));
    assert.equal(benign.severity, 'info');
    assert.doesNotMatch(benign.message, /unbatched/);
    const [inTransaction] = run(rule, migration(batched));
    assert.match(inTransaction.message, /UPDATE on visits runs per batch of find_in_batches, but every batch commits with the migration's transaction/);
  });

  test('near misses: statements that cannot break running code or lock a busy table are not reported', () => {
    const silent = [
      'ALTER TABLE orders RENAME CONSTRAINT orders_fk TO orders_customer_fk',
      'ALTER INDEX index_orders_on_day RENAME TO index_orders_on_placed_on',
      'SET lock_timeout = \'5s\'',
      'SET LOCAL work_mem = \'256MB\'',
      '-- nothing to do here',
      '/* nothing either */',
      'COMMENT ON COLUMN orders.total IS \'in cents\'',
      'ANALYZE orders',
      'VACUUM (ANALYZE) orders',
      'CREATE EXTENSION IF NOT EXISTS pg_trgm',
      'CREATE OR REPLACE VIEW open_orders AS SELECT * FROM orders WHERE state = \'open\'',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive',
      'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID',
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID',
      'SELECT COUNT(*) FROM orders',
    ];
    for (const sql of silent) assert.deepEqual(run(rule, migration(`execute ${JSON.stringify(sql)}`)), [], sql);
    // A view dropped and re-created in the same migration (the usual way to change its columns).
    assert.equal(run(rule, migration('execute "DROP VIEW IF EXISTS open_orders"\nexecute "CREATE VIEW open_orders AS SELECT id FROM orders"')).length, 0);
    assert.equal(run(rule, migration('execute <<~SQL\n  DROP VIEW IF EXISTS open_orders;\n  CREATE VIEW open_orders AS SELECT id FROM orders;\nSQL')).length, 0);
    // CREATE INDEX CONCURRENTLY alone, outside the transaction.
    const cic = migration('execute "CREATE INDEX CONCURRENTLY index_orders_on_day ON orders (day)"').replace('Migration[7.2]\n', 'Migration[7.2]\n  disable_ddl_transaction!\n\n');
    assert.equal(run(rule, cic).length, 0);
    assert.equal(run(rule, cic.replace('CREATE INDEX CONCURRENTLY index_orders_on_day ON orders (day)', 'DROP INDEX CONCURRENTLY index_orders_on_day')).length, 0);
  });

  test('...but their near relatives still are', () => {
    const one = (sql: string) => run(rule, migration(`execute ${JSON.stringify(sql)}`));
    // Renaming the table or a column breaks running code; a second action in the same ALTER takes its own lock.
    assert.match(one('ALTER TABLE orders RENAME TO purchases')[0].message, /RENAME on orders breaks running processes/);
    assert.match(one('ALTER TABLE orders RENAME COLUMN total TO amount')[0].message, /RENAME on orders/);
    assert.equal(one('ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0) NOT VALID, ALTER COLUMN note TYPE text')[0].severity, 'warning');
    // A validated constraint, a lone DROP VIEW, VACUUM FULL, SELECT … FOR UPDATE.
    assert.match(one('ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0)')[0].message, /without NOT VALID/);
    const dropView = one('DROP VIEW open_orders');
    assert.equal(dropView.length, 1);
    assert.equal(dropView[0].severity, 'info');
    assert.match(one('VACUUM FULL orders')[0].message, /VACUUM FULL rewrites the table/);
    assert.equal(one('SELECT id FROM orders FOR UPDATE').length, 1);
    // VALIDATE after a lock in the same transaction: the lock is held for the whole scan.
    const sameString = one('ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0) NOT VALID; ALTER TABLE orders VALIDATE CONSTRAINT c');
    assert.match(sameString[0].message, /VALIDATE CONSTRAINT on orders runs after a statement that locks the table in the same transaction/);
    const afterDsl = run(rule, migration('add_check_constraint :orders, "total > 0", name: "c", validate: false\nexecute "ALTER TABLE orders VALIDATE CONSTRAINT c"'));
    assert.match(afterDsl[0].message, /VALIDATE CONSTRAINT on orders runs after a statement that locks/);
    // CONCURRENTLY inside the transaction still fails.
    assert.match(one('CREATE INDEX CONCURRENTLY i ON orders (day)')[0].message, /CONCURRENTLY inside the migration's transaction fails/);
  });
  test('SQL held in a local assigned once just before is read like a literal; a reassigned or reused local is not', () => {
    const viaLocal = run(rule, migration('sql = "UPDATE visits SET day = created_at::date"\nexecute(sql)'));
    assert.equal(viaLocal.length, 1);
    assert.match(viaLocal[0].message, /UPDATE visits runs as one unbatched statement/);
    assert.doesNotMatch(viaLocal[0].message, /built at run time/);
    const harmless = run(rule, migration('sql = "ALTER TABLE visits RENAME CONSTRAINT a TO b"\nexecute(sql)'));
    assert.deepEqual(harmless, []);
    // Reassigned, or used twice: what runs is not one literal, so it stays "built at run time".
    const reassigned = run(rule, migration('sql = "SELECT 1"\nsql = sql + " FROM visits"\nexecute(sql)'));
    assert.match(reassigned[0].message, /built at run time/);
    const twice = run(rule, migration('sql = "UPDATE visits SET day = NULL"\nexecute(sql)\nexecute(sql)'));
    assert.match(twice[0].message, /built at run time/);
  });
});
