import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../server/src/rules/migrations/remove-index-non-concurrent';
import * as g from '../../../server/src/migrations/gating';
import { camelize, nextVersion, snakeName, sym } from '../../../server/src/migrations/gating';
import { compareMigrationVersions, migrationVersionOf } from '../../../server/src/migrations/model';
import { migratedSchemaVersion } from '../../../server/src/project/appProject';
import { readStrongMigrations } from '../../../server/src/project/rubyConfig';
import { parseRuby } from '../../../server/src/parsing/treeSitter';
import addColumnJson from '../../../server/src/rules/migrations/add-column-json';
import { appFacts, initParsers, migration, run } from '../../helpers/ruleTester';

before(initParsers);

describe('migration gating helpers', () => {
  test('versions: 14-digit and numbered files, numeric comparison, +/- seconds across days', () => {
    assert.equal(migrationVersionOf('/x/db/migrate/20250101000000_a.rb'), '20250101000000');
    assert.equal(migrationVersionOf('/x/db/migrate/002_cleanup.rb'), '002');
    assert.equal(compareMigrationVersions('002', '20190518115041'), -1);
    assert.equal(compareMigrationVersions('2019_05_18_115041', '20190518115041'), 0);
    assert.equal(nextVersion('20251231235959'), '20260101000000');
    assert.equal(nextVersion('20250101000000', -1), '20241231235959');
    assert.equal(nextVersion('002'), '003');
  });

  test('names: camelize, snake names, Ruby symbols', () => {
    assert.equal(camelize('validate_orders_users_fk'), 'ValidateOrdersUsersFk');
    assert.equal(snakeName('validate', 'Public.Orders', 'users'), 'validate_public_orders_users');
    assert.equal(sym('users'), ':users');
    assert.equal(sym('public.users'), '"public.users"');
  });

  test('.rubocop.yml AllCops: MigratedSchemaVersion is a start_after', () => {
    assert.equal(migratedSchemaVersion('AllCops:\n  MigratedSchemaVersion: 20240101000000\n'), '20240101000000');
    assert.equal(migratedSchemaVersion('AllCops:\n  TargetRubyVersion: 3.3\n'), undefined);
    assert.equal(migratedSchemaVersion(': not yaml ['), undefined);
    const app = appFacts({ migratedSchemaVersion: '20250101000000' });
    assert.equal(run(rule, migration('remove_index :users, :email'), { app }).length, 0);
    assert.equal(run(rule, migration('remove_index :users, :email'), { app, file: 'db/migrate/20250101000001_x.rb' }).length, 1);
  });

  test('numbered migrations are compared with start_after numerically', () => {
    const app = appFacts({ strongMigrations: { startAfter: '20190518115041', safeByDefault: false, disabledChecks: [], checkDown: false } });
    assert.equal(run(rule, migration('remove_index :users, :email'), { app, file: 'db/migrate/002_cleanup.rb' }).length, 0);
  });

  test('online_migrations initializer: start_after, disable_check, small_tables (lock checks only)', () => {
    const tree = parseRuby('OnlineMigrations.configure do |config|\n  config.start_after = 20240101000000\n  config.small_tables = [:settings, "flags"]\n  config.disable_check(:remove_index)\nend\n');
    const om = readStrongMigrations(tree);
    tree.delete();
    assert.equal(om.startAfter, '20240101000000');
    assert.deepEqual(om.smallTables, ['settings', 'flags']);
    assert.deepEqual(om.disabledChecks, ['remove_index']);
    const app = appFacts({ strongMigrations: { safeByDefault: false, disabledChecks: [], checkDown: false, smallTables: ['settings'] } });
    assert.equal(run(rule, migration('remove_index :settings, :key'), { app }).length, 0);
    assert.equal(run(rule, migration('remove_index :users, :key'), { app }).length, 1);
    // json is not a lock problem: small tables stay checked.
    assert.equal(run(addColumnJson, migration('add_column :settings, :value, :json'), { app }).length, 1);
  });

  test('deployed migrations are skipped by every rule; others, and audit mode, are checked', () => {
    const deployedPath = (source: 'git' | 'audit') => appFacts({
      deployedMigrations: { source, count: 1, reason: 'in origin/main', isDeployed: (rel) => source === 'git' && rel === 'db/migrate/20250101000000_test_migration.rb' },
    });
    assert.equal(run(rule, migration('remove_index :users, :email'), { app: deployedPath('git') }).length, 0);
    assert.equal(run(addColumnJson, migration('add_column :users, :value, :json'), { app: deployedPath('git') }).length, 0);
    assert.equal(run(rule, migration('remove_index :users, :email'), { app: deployedPath('git'), file: 'db/migrate/20250101000001_x.rb' }).length, 1);
    assert.equal(run(rule, migration('remove_index :users, :email'), { app: deployedPath('audit') }).length, 1);
  });
});

describe('version ranges: a major only is "some 14.x"', () => {
  test('known below / at least / within answer only when every release of the range agrees', () => {
    assert.deepEqual(g.versionRange('14'), { low: '14', high: '15' });
    assert.deepEqual(g.versionRange('9.6'), { low: '9.6', high: '9.7' });
    assert.deepEqual(g.versionRange('14.2 (Debian)'), { low: '14.2', high: '14.3' });
    assert.equal(g.versionRange('latest'), undefined);
    assert.equal(g.versionKnownBelow('10', '11'), true);
    assert.equal(g.versionKnownBelow('14', '14.4'), false);
    assert.equal(g.versionKnownBelow('8.0', '8.0.12'), false);
    assert.equal(g.versionKnownBelow('8.0.11', '8.0.12'), true);
    assert.equal(g.versionKnownBelow(undefined, '11'), false);
    assert.equal(g.versionKnownWithin('14.2', '14', '14.4'), true);
    assert.equal(g.versionKnownWithin('14', '14', '14.4'), false);
    assert.equal(g.versionKnownWithin('14.4', '14', '14.4'), false);
    assert.equal(g.versionMayBeWithin('14', '14', '14.4'), true);
    assert.equal(g.versionMayBeWithin('15', '14', '14.4'), false);
    assert.equal(g.versionMayBeWithin('13', '14', '14.4'), false);
    assert.equal(g.isMajorOnly('14', 'postgresql'), true);
    assert.equal(g.isMajorOnly('14.2', 'postgresql'), false);
    assert.equal(g.isMajorOnly('9.6', 'postgresql'), true);
    assert.equal(g.isMajorOnly('8.0', 'mysql'), true);
  });
});
