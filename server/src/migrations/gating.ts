// Which migration operations a rule should look at: the escape hatches and gates of research §1.5
// applied once, so every rule honours `safety_assured`, start_after, directions and adapters alike.
import type { RuleContext } from '../core/rule';
import type { AdapterName } from '../core/appFacts';
import type { FileEdit } from '../core/types';
import { insertAfterClassLine } from '../parsing/rubyEdits';
import { buildMigrationModel, type MigrationClass, type MigrationModel, type MigrationOp } from './model';

export function migrationModel(ctx: RuleContext): MigrationModel {
  return ctx.derive('migrations/model', () => buildMigrationModel(ctx.tree!, ctx.file));
}

/** The start_after cut-off in force and where it came from. */
export function startAfter(ctx: RuleContext): { version: string; source: string } | undefined {
  const own = ctx.app.config.migrations.startAfter;
  if (own) return { version: own, source: '.rails-hazards.yml migrations.startAfter' };
  const sm = ctx.app.strongMigrations?.startAfter;
  if (sm) return { version: sm, source: 'StrongMigrations.start_after' };
  return undefined;
}

export interface OpFilter {
  /** Checks that are never silenced by safety_assured (they fail at run time regardless). */
  ignoreSafetyAssured?: boolean;
  /** strong_migrations check keys (`disable_check(:add_index)`) that turn this rule off. */
  strongMigrationsKeys?: string[];
}

/** Operations that run on migrate and are not covered by an escape hatch. */
export function checkedOps(ctx: RuleContext, filter: OpFilter = {}): MigrationOp[] {
  if (!ctx.tree) return [];
  const model = migrationModel(ctx);
  const cutoff = startAfter(ctx);
  if (cutoff && model.version && model.version <= cutoff.version) return [];
  const sm = ctx.app.strongMigrations;
  if (sm && filter.strongMigrationsKeys?.some((k) => sm.disabledChecks.includes(k))) return [];
  const respectSafetyAssured = ctx.app.config.migrations.respectSafetyAssured && !filter.ignoreSafetyAssured;
  return model.ops.filter((op) => (op.phase === 'up' || sm?.checkDown) && !(respectSafetyAssured && op.safetyAssured));
}

export function adapter(ctx: RuleContext): AdapterName {
  return ctx.app.adapter.value;
}

export function normalizeAdapter(name: string): AdapterName {
  if (/^(postgres|postgresql|postgis|pg)/.test(name)) return 'postgresql';
  if (/^(mysql|mysql2|trilogy|mariadb)/.test(name)) return 'mysql';
  if (/^sqlite/.test(name)) return 'sqlite';
  return 'unknown';
}

/** PostgreSQL-only lock checks run when the adapter is PostgreSQL, or unknown (the common case). */
export function mayBePostgres(ctx: RuleContext): boolean {
  const a = adapter(ctx);
  return a === 'postgresql' || a === 'unknown';
}

/** Gems that make an operation safe at run time downgrade the finding to info (research §1.5). */
export function runtimeSafetyNet(ctx: RuleContext, coveredBySafeByDefault: boolean): string | undefined {
  if (ctx.app.gems.has('safe-pg-migrations')) return 'safe-pg-migrations (in Gemfile.lock) makes this safe at run time';
  if (coveredBySafeByDefault && ctx.app.strongMigrations?.safeByDefault) return 'StrongMigrations.safe_by_default rewrites this into its safe form at run time';
  return undefined;
}

/** The `disable_ddl_transaction!` insertion, once per class; undefined when the class already has it. */
export function disableDdlTransactionEdit(ctx: RuleContext, klass: MigrationClass): FileEdit | undefined {
  if (klass.disableDdlTransaction) return undefined;
  return insertAfterClassLine(ctx.file, ctx.text, klass.node, 'disable_ddl_transaction!');
}
