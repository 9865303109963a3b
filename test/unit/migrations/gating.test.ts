import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../server/src/rules/migrations/remove-index-non-concurrent';
import { camelize, nextVersion, snakeName, sym } from '../../../server/src/migrations/gating';
import { compareMigrationVersions, migrationVersionOf } from '../../../server/src/migrations/model';
import { migratedSchemaVersion } from '../../../server/src/project/appProject';
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
});
