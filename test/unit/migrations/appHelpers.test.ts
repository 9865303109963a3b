import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { AppFacts } from '../../../server/src/core/appFacts';
import type { Finding } from '../../../server/src/core/types';
import { analyze } from '../../../server/src/core/engine';
import { migrationRules } from '../../../server/src/rules/migrations';
import addCheckConstraintValidated from '../../../server/src/rules/migrations/add-check-constraint-validated';
import addIndexNonConcurrent from '../../../server/src/rules/migrations/add-index-non-concurrent';
import concurrentInTransaction from '../../../server/src/rules/migrations/concurrent-in-transaction';
import { buildHelperIndex, helperScope, summariseHelperFile } from '../../../server/src/migrations/appHelpers';
import { isHelperSourceFile } from '../../../server/src/project/appHelperFiles';
import { migrationDslHover } from '../../../server/src/hovers/migration-dsl';
import { parseRuby } from '../../../server/src/parsing/treeSitter';
import { APP_ROOT, appFacts, at, initParsers, run } from '../../helpers/ruleTester';
import { helperApp, lines } from '../../helpers/migrationTester';

before(initParsers);

const FILE = 'db/migrate/20250101000000_test_migration.rb';

/** Every migration rule's findings on one file. */
function runAll(code: string, app: AppFacts): Finding[] {
  const tree = parseRuby(code);
  try {
    return analyze({ file: path.join(APP_ROOT, FILE), text: code, kind: 'migration', tree }, app, migrationRules).findings;
  } finally {
    tree.delete();
  }
}

function hoverAt(code: string, word: string, app: AppFacts): string | undefined {
  const tree = parseRuby(code);
  const lineNo = code.split('\n').findIndex((l) => l.includes(word));
  const derived = new Map<string, unknown>();
  try {
    return migrationDslHover.hover({
      file: path.join(APP_ROOT, FILE), text: code, kind: 'migration', tree, app,
      position: { line: lineNo, character: code.split('\n')[lineNo].indexOf(word) + 1 },
      derive: <T>(key: string, compute: () => T): T => {
        if (!derived.has(key)) derived.set(key, compute());
        return derived.get(key) as T;
      },
    })?.markdown;
  } finally {
    tree.delete();
  }
}

const SHOP_HELPERS = lines(
  'module Shop',
  '  module SafeMigration',
  '    def add_check_constraint(table, expression, name)',
  '      execute "ALTER TABLE #{table} ADD CONSTRAINT #{name} CHECK (#{expression}) NOT VALID"',
  '      execute "ALTER TABLE #{table} VALIDATE CONSTRAINT #{name}"',
  '    end',
  '',
  '    def add_concurrent_index(table, columns, **options)',
  '      raise "disable_ddl_transaction! first" if transaction_open?',
  '      add_index(table, columns, **options.merge(algorithm: :concurrently))',
  '    end',
  '',
  '    def backfill(table, column, value)',
  '      each_batch(table) { |batch| batch.update_all(column => value) }',
  '    end',
  '',
  '    def swap_type(table, column, type)',
  '      add_column(table, "#{column}_new", type)',
  '      install_rename_triggers(table, column, "#{column}_new")',
  '      backfill(table, "#{column}_new", nil)',
  '    end',
  '  end',
  'end',
);

describe('app-defined migration helpers: summaries', () => {
  test('each helper is summarised from its body, through the sibling helpers it calls', () => {
    const tree = parseRuby(SHOP_HELPERS);
    try {
      const summary = summariseHelperFile(tree, path.join(APP_ROOT, 'lib/shop/safe_migration.rb'));
      const methods = summary.owners.find((o) => o.name === 'Shop::SafeMigration')!.methods;
      assert.deepEqual(methods.get('add_check_constraint')!.traits, ['not-valid-then-validate']);
      assert.deepEqual(methods.get('add_concurrent_index')!.traits.sort(), ['concurrent', 'raises-in-transaction']);
      assert.deepEqual(methods.get('backfill')!.traits, ['batched']);
      assert.deepEqual(methods.get('swap_type')!.traits.sort(), ['batched', 'column-copy']);
      assert.equal(methods.get('add_concurrent_index')!.line, 7);
    } finally {
      tree.delete();
    }
  });

  test('resolution: included module, app base class and its modules, global include in an initializer, adapter patch', () => {
    const files: Record<string, string> = {
      'lib/shop/safe_migration.rb': SHOP_HELPERS,
      'lib/shop/base_migration.rb': lines('module Shop', '  class BaseMigration < ActiveRecord::Migration[7.1]', '    include SafeMigration', '  end', 'end'),
      'config/initializers/retries.rb': lines(
        'module LockRetries', '  def with_lock_retries', '    execute "SET lock_timeout = \'1s\'"', '    yield', '  end', 'end',
        'ActiveSupport.on_load(:active_record) { ActiveRecord::Migration.prepend(LockRetries) }'),
      'lib/patches/pg.rb': lines('module ActiveRecord::ConnectionAdapters::SchemaStatements', '  def rename_index(*args)', '    super', '  end', 'end'),
    };
    const index = buildHelperIndex(Object.entries(files).map(([rel, text]) => {
      const tree = parseRuby(text);
      try { return summariseHelperFile(tree, path.join(APP_ROOT, rel)); } finally { tree.delete(); }
    }));
    const viaBase = helperScope(index, undefined, { name: 'X', superclass: 'Shop::BaseMigration', includes: [] });
    assert.deepEqual([...viaBase.methods.keys()].sort(), ['add_check_constraint', 'add_concurrent_index', 'backfill', 'rename_index', 'swap_type', 'with_lock_retries']);
    assert.deepEqual(viaBase.unreadable, []);
    const plain = helperScope(index, undefined, { name: 'X', superclass: 'ActiveRecord::Migration[7.1]', includes: [] });
    assert.deepEqual([...plain.methods.keys()].sort(), ['rename_index', 'with_lock_retries']);
    assert.deepEqual(plain.methods.get('with_lock_retries')!.traits, ['lock-retries']);
    const gem = helperScope(index, undefined, { name: 'X', superclass: 'ActiveRecord::Migration[7.1]', includes: ['SomeGem::MigrationHelpers'] });
    assert.deepEqual(gem.unreadable, ['SomeGem::MigrationHelpers']);
  });
});

describe('app-defined migration helpers: rules judge the body, not the name', () => {
  const app = () => helperApp({ 'lib/shop/safe_migration.rb': SHOP_HELPERS });
  const withInclude = (body: string[], extra: string[] = []) => lines(
    'class AddPriceCheck < ActiveRecord::Migration[7.2]',
    ...extra,
    '  include Shop::SafeMigration',
    '',
    '  def change',
    ...body.map((l) => `    ${l}`),
    '  end',
    'end',
  );

  test('an included add_check_constraint that adds NOT VALID then validates: no finding, no validate: or name: fix', () => {
    const code = withInclude(['add_check_constraint :products, "price > 0", "price_positive"']);
    assert.deepEqual(run(addCheckConstraintValidated, code, { app: app() }), []);
    const all = runAll(code, app());
    assert.deepEqual(all.map((f) => f.ruleId), []);
  });

  test('near miss: the same call without the include is Rails\' add_check_constraint and is reported', () => {
    const code = lines(
      'class AddPriceCheck < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_check_constraint :products, "price > 0", name: "price_positive"',
      '  end',
      'end',
    );
    assert.deepEqual(run(addCheckConstraintValidated, code, { app: app() }).map(at), [{ rule: 'migrations/add-check-constraint-validated', line: 3, column: 5 }]);
  });

  test('an app add_concurrent_index (and an app override of add_index) is never add-index-non-concurrent', () => {
    const code = withInclude(['add_concurrent_index :users, :email'], ['  disable_ddl_transaction!']);
    assert.deepEqual(runAll(code, app()).map((f) => f.ruleId), []);
    const override = helperApp({
      'lib/concurrent_by_default.rb': lines('module ConcurrentByDefault', '  def add_index(table, columns, **opts)', '    super(table, columns, **opts, algorithm: :concurrently)', '  end', 'end'),
    });
    const code2 = lines('class AddEmailIndex < ActiveRecord::Migration[7.2]', '  include ConcurrentByDefault', '  disable_ddl_transaction!', '  def change', '    add_index :users, :email', '  end', 'end');
    assert.deepEqual(run(addIndexNonConcurrent, code2, { app: override }), []);
  });

  test('an app helper that raises inside a transaction, called without disable_ddl_transaction!, fails the deploy', () => {
    const code = withInclude(['add_concurrent_index :users, :email']);
    const findings = run(concurrentInTransaction, code, { app: app() });
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/concurrent-in-transaction', line: 5, column: 5 }]);
    assert.match(findings[0].message, /the app's own add_concurrent_index \(Shop::SafeMigration\), whose body raises inside a transaction/);
    assert.deepEqual(findings[0].fixes[0].edits.map((e) => e.newText.trim()), ['disable_ddl_transaction!']);
  });

  test('a module the app does not define (a gem): its class stays silent, and the hover says why', () => {
    const code = lines(
      'class AddPriceCheck < ActiveRecord::Migration[7.2]',
      '  include SomeGem::MigrationHelpers',
      '  def change',
      '    add_check_constraint :products, "price > 0"',
      '    add_index :users, :email',
      '  end',
      'end',
    );
    assert.deepEqual(runAll(code, app()).map((f) => f.ruleId), []);
    assert.match(hoverAt(code, 'add_check_constraint', app())!, /not Rails' add_check_constraint; its body could not be read: this class includes `SomeGem::MigrationHelpers`/);
  });

  test('the hover of an app helper names its file, line and summary', () => {
    const code = withInclude(['add_check_constraint :products, "price > 0", "price_positive"']);
    assert.match(hoverAt(code, 'add_check_constraint', app())!,
      /\*\*add_check_constraint\*\* is defined by the app in lib\/shop\/safe_migration\.rb:3 \(`Shop::SafeMigration`\): adds the constraint NOT VALID, then validates it\./);
  });

  test('without any helper the plain app facts still report (the index is optional)', () => {
    const code = lines('class AddEmailIndex < ActiveRecord::Migration[7.2]', '  def change', '    add_index :users, :email', '  end', 'end');
    assert.equal(run(addIndexNonConcurrent, code, { app: appFacts() }).length, 1);
  });

  test('framework modules (view helpers) do not make a class unreadable; a module in the migration file is read', () => {
    const code = lines(
      'module LegacySecret',
      '  def add_index(*) = nil',
      'end',
      'class AddEmailIndex < ActiveRecord::Migration[7.2]',
      '  include ActionView::Helpers::NumberHelper',
      '  def change',
      '    add_index :users, :email',
      '  end',
      'end',
      'class AddNameIndex < ActiveRecord::Migration[7.2]',
      '  include LegacySecret',
      '  def change',
      '    add_index :users, :name',
      '  end',
      'end',
    );
    assert.deepEqual(run(addIndexNonConcurrent, code, { app: app() }).map(at), [{ rule: 'migrations/add-index-non-concurrent', line: 7, column: 5 }]);
  });

  test('which files the project reads for helpers: lib, initializers, concerns, app helpers, db helper folders; never migrations', () => {
    const yes = ['lib/shop/safe_migration.rb', 'config/initializers/migrations.rb', 'app/models/concerns/redisable.rb', 'app/helpers/routing_helper.rb', 'db/migrate_helpers/logging.rb'];
    const no = ['db/migrate/20250101000000_x.rb', 'db/post_migrate/20250101000000_x.rb', 'db/schema.rb', 'db/seeds.rb', 'app/models/user.rb', 'lib/tasks/x.rake'];
    for (const rel of yes) assert.equal(isHelperSourceFile(APP_ROOT, path.join(APP_ROOT, rel)), true, rel);
    for (const rel of no) assert.equal(isHelperSourceFile(APP_ROOT, path.join(APP_ROOT, rel)), false, rel);
  });
});
