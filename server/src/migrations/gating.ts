// Which migration operations a rule should look at: the escape hatches and gates of research §1.5
// applied once, so every rule honours `safety_assured`, start_after, directions and adapters alike.
import * as path from 'node:path';
import type { RuleContext } from '../core/rule';
import type { AdapterName } from '../core/appFacts';
import type { FileEdit } from '../core/types';
import { insertAfterClassLine } from '../parsing/rubyEdits';
import { compareVersionStrings } from '../lockfile/gemVersion';
import { helperScopeResolver } from './appHelpers';
import { isSelfContained } from './followUps';
import { buildMigrationModel, compareMigrationVersions, type MigrationClass, type MigrationModel, type MigrationOp } from './model';

export function migrationModel(ctx: RuleContext): MigrationModel {
  return ctx.derive('migrations/model', () => buildMigrationModel(ctx.tree!, ctx.file, helperScopeResolver(ctx)));
}

/** The start_after cut-off in force and where it came from. */
export function startAfter(ctx: RuleContext): { version: string; source: string } | undefined {
  const own = ctx.app.config.migrations.startAfter;
  if (own) return { version: own, source: '.rails-hazards.yml migrations.startAfter' };
  const sm = ctx.app.strongMigrations?.startAfter;
  if (sm) return { version: sm, source: 'StrongMigrations.start_after' };
  const rubocop = ctx.app.migratedSchemaVersion;
  if (rubocop) return { version: rubocop, source: '.rubocop.yml AllCops: MigratedSchemaVersion' };
  return undefined;
}

/** The migration already ran (see project/deployedMigrations.ts); audit mode and unknown history: false. */
export function isDeployedMigration(ctx: RuleContext, version = migrationModel(ctx).version): boolean {
  const deployed = ctx.app.deployedMigrations;
  return !!deployed && deployed.isDeployed(path.relative(ctx.app.root, ctx.file), version);
}

export interface OpFilter {
  /** Checks that are never silenced by safety_assured (they fail at run time regardless). */
  ignoreSafetyAssured?: boolean;
  /** strong_migrations check keys (`disable_check(:add_index)`) that turn this rule off. */
  strongMigrationsKeys?: string[];
  /** Keep calls to app-defined helpers (for rules that judge them by their body's summary). */
  includeAppHelpers?: boolean;
}

/** Operations that run on migrate and are not covered by an escape hatch. */
export function checkedOps(ctx: RuleContext, filter: OpFilter = {}): MigrationOp[] {
  if (!ctx.tree) return [];
  const model = migrationModel(ctx);
  const cutoff = startAfter(ctx);
  if (cutoff && model.version && compareMigrationVersions(model.version, cutoff.version) <= 0) return [];
  if (isDeployedMigration(ctx, model.version)) return [];
  const sm = ctx.app.strongMigrations;
  if (sm && filter.strongMigrationsKeys?.some((k) => sm.disabledChecks.includes(k))) return [];
  const respectSafetyAssured = ctx.app.config.migrations.respectSafetyAssured && !filter.ignoreSafetyAssured;
  // An app helper is judged by its body (appHelpers.ts), never by Rails' semantics for its name.
  return model.ops.filter((op) => (op.phase === 'up' || sm?.checkDown) && !(respectSafetyAssured && op.safetyAssured) && (!op.helper || !!filter.includeAppHelpers));
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

// ---------------------------------------------------------------------------------------------------
// Version gating (issue 3 item 4). Every helper answers with "assume the newest" when a fact is
// unknown, and `assumptions(ctx)` says which facts were assumed, for messages and hovers.

/** Numeric comparison of dotted versions ("14.2" vs "14"); missing segments count as 0. */
export function compareVersions(a: string, b: string): number {
  return compareVersionStrings(a, b);
}

/**
 * A version as the range of releases it stands for: a major-only "14" is "some 14.x" ([14, 15)),
 * "14.2" is [14.2, 14.3), "8.0.36" is [8.0.36, 8.0.37). A claim is made only when the whole range
 * agrees, so no claim that needs a minor is made from a major.
 */
export function versionRange(v: string): { low: string; high: string } | undefined {
  const m = /^\d+(?:\.\d+)*/.exec(v.trim());
  if (!m) return undefined;
  const parts = m[0].split('.').map(Number);
  const high = [...parts];
  high[high.length - 1] += 1;
  return { low: parts.join('.'), high: high.join('.') };
}

/** Every release the version stands for is below `max`; unknown or partly below: false. */
export function versionKnownBelow(v: string | undefined, max: string | number): boolean {
  const r = v ? versionRange(v) : undefined;
  return !!r && compareVersionStrings(r.high, String(max)) <= 0;
}

/** Every release the version stands for is at least `min`; unknown or partly below: false. */
export function versionKnownAtLeast(v: string | undefined, min: string | number): boolean {
  const r = v ? versionRange(v) : undefined;
  return !!r && compareVersionStrings(r.low, String(min)) >= 0;
}

/** Every release the version stands for is in [min, max): "14.2" is within 14–14.4, "14" is not. */
export function versionKnownWithin(v: string | undefined, min: string | number, max: string | number): boolean {
  return versionKnownAtLeast(v, min) && versionKnownBelow(v, max);
}

/** Some release the version stands for is in [min, max) (for hovers: "if the server is 14.0–14.3"). */
export function versionMayBeWithin(v: string | undefined, min: string | number, max: string | number): boolean {
  const r = v ? versionRange(v) : undefined;
  return !!r && compareVersionStrings(r.high, String(min)) > 0 && compareVersionStrings(r.low, String(max)) < 0;
}

/** The version names only a major (or major.minor for pre-10 PostgreSQL / MySQL): "some 14.x". */
export function isMajorOnly(v: string, adapterName: AdapterName): boolean {
  const segments = (/^\d+(?:\.\d+)*/.exec(v.trim())?.[0] ?? '').split('.').length;
  const first = Number(v.split('.')[0]);
  const majorSegments = adapterName === 'mysql' || (adapterName !== 'sqlite' && first < 10) ? 2 : 1;
  return segments <= majorSegments;
}

/** MariaDB shares the mysql2/trilogy adapters; its server versions start at 10. */
export function isMariaDb(ctx: RuleContext): boolean {
  const v = ctx.app.databaseVersion?.value;
  return adapter(ctx) === 'mysql' && versionKnownAtLeast(v, 10);
}

/**
 * The database server version may be `min` or newer (for the current adapter). Unknown version, or a
 * version that spans `min` (a major only): the newest is assumed, so this answers true.
 */
export function dbVersionAtLeast(ctx: RuleContext, min: string | number): boolean {
  const v = ctx.app.databaseVersion?.value;
  if (!v) return true;
  return !versionKnownBelow(v, min);
}

/** Every release the known version stands for is below `max` (exclusive). Unknown or spanning `max`: false. */
export function dbVersionBelow(ctx: RuleContext, max: string | number): boolean {
  return versionKnownBelow(ctx.app.databaseVersion?.value, max);
}

/** PostgreSQL (or unknown adapter, assumed PostgreSQL) at version `major` or newer (unknown = newest). */
export function pgVersionAtLeast(ctx: RuleContext, major: string | number): boolean {
  return mayBePostgres(ctx) && dbVersionAtLeast(ctx, major);
}

/** Rails (Gemfile.lock `rails`/`activerecord`) at least `min`; unknown = newest. */
export function railsVersionAtLeast(ctx: RuleContext, min: string): boolean {
  const v = ctx.app.railsVersion?.value;
  return !v || compareVersionStrings(v, min) >= 0;
}

/**
 * The compatibility version a migration class runs with: its `[x.y]` wins; a bare
 * `ActiveRecord::Migration` is Rails 4.2 behaviour; a project base class (`Gitlab::Database::Migration[2.1]`)
 * behaves as the Rails version in Gemfile.lock; unknown = the newest.
 */
export function migrationCompat(ctx: RuleContext, klass: MigrationClass): { version?: string; source: string } {
  if (klass.compatVersion && /^ActiveRecord::Migration\[/.test(klass.superclass)) {
    return { version: klass.compatVersion, source: `${klass.superclass} in the class header` };
  }
  if (/^(::)?ActiveRecord::Migration$/.test(klass.superclass)) {
    return { version: '4.2', source: 'bare ActiveRecord::Migration (Rails 4.2 behaviour)' };
  }
  const rails = ctx.app.railsVersion;
  if (rails) return { version: rails.value.split('.').slice(0, 2).join('.'), source: `Rails ${rails.value} from ${rails.source}` };
  return { version: undefined, source: 'newest Rails assumed (no version in the class header or Gemfile.lock)' };
}

export function migrationCompatAtLeast(ctx: RuleContext, klass: MigrationClass, min: string): boolean {
  const v = migrationCompat(ctx, klass).version;
  return !v || compareVersionStrings(v, min) >= 0;
}

/** Human-readable adapter/version assumptions: "PostgreSQL 16 (StrongMigrations.target_version)". */
export function assumptions(ctx: RuleContext | { app: RuleContext['app'] }): { adapter: string; version: string } {
  const a = ctx.app.adapter;
  const names: Record<AdapterName, string> = { postgresql: 'PostgreSQL', mysql: 'MySQL/MariaDB', sqlite: 'SQLite', unknown: 'PostgreSQL' };
  const adapterText = a.value === 'unknown' ? `PostgreSQL (assumed: ${a.source})` : `${names[a.value]} (from ${a.source})`;
  const v = ctx.app.databaseVersion;
  const name = a.value === 'mysql' ? 'MySQL/MariaDB' : a.value === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const versionText = v ? `${name} ${v.value} from ${v.source}${isMajorOnly(v.value, a.value) ? ` (some ${v.value}.x: no claim that needs a minor)` : ''}`
    : 'newest (assumed: no version in .rails-hazards.yml, StrongMigrations.target_version, db/structure.sql, docker-compose, CI service images or .tool-versions)';
  return { adapter: adapterText, version: versionText };
}

/** Short "on PostgreSQL 16" / "on PostgreSQL (newest assumed)" for messages. */
export function onDatabase(ctx: RuleContext): string {
  const a = adapter(ctx);
  const name = a === 'mysql' ? (isMariaDb(ctx) ? 'MariaDB' : 'MySQL') : a === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const v = ctx.app.databaseVersion?.value;
  return v ? `${name} ${v}` : name;
}

// ---------------------------------------------------------------------------------------------------
// strong_migrations `disable_check(:key)` keys per rule (research §6). `checkedOps(ctx, { rule })`
// reads this table, so a project that disabled a check in its initializer gets no finding from us either.

export const STRONG_MIGRATIONS_KEYS: Record<string, string[]> = {
  'migrations/add-index-non-concurrent': ['add_index'],
  'migrations/remove-index-non-concurrent': ['remove_index'],
  'migrations/concurrent-in-transaction': [],
  'migrations/add-reference-index-non-concurrent': ['add_reference'],
  'migrations/add-foreign-key-validated': ['add_foreign_key'],
  'migrations/add-foreign-key-mysql': ['add_foreign_key'],
  'migrations/add-check-constraint-validated': ['add_check_constraint'],
  'migrations/add-check-constraint-mysql': ['add_check_constraint', 'add_check_constraint_mysql'],
  'migrations/validate-in-locking-transaction': ['validate_foreign_key', 'validate_check_constraint'],
  'migrations/add-unique-constraint-non-concurrent': ['add_unique_constraint'],
  'migrations/add-exclusion-constraint': ['add_exclusion_constraint'],
  'migrations/change-column-null-not-null': ['change_column_null', 'change_column_null_postgresql', 'change_column_with_not_null'],
  'migrations/change-column-null-default-backfill': ['change_column_null'],
  'migrations/add-column-not-null-without-default': [],
  'migrations/add-column-volatile-default': ['add_column_default_callable', 'add_column_default'],
  'migrations/add-column-default-table-rewrite-legacy': ['add_column_default'],
  'migrations/add-column-json': ['add_column_json'],
  'migrations/add-column-stored-generated': ['add_column_generated_stored'],
  'migrations/add-column-auto-increment': ['add_column_auto_incrementing'],
  'migrations/change-column-type': ['change_column'],
};

/**
 * Lock and rewrite checks: online_migrations' `small_tables` exempts their tables (renames, removals, json,
 * NOT NULL failures and raw SQL stay checked, as in online_migrations).
 */
export const LOCK_RULES = new Set([
  'migrations/add-index-non-concurrent', 'migrations/remove-index-non-concurrent', 'migrations/add-reference-index-non-concurrent',
  'migrations/add-foreign-key-validated', 'migrations/add-foreign-key-mysql', 'migrations/add-check-constraint-validated',
  'migrations/add-check-constraint-mysql', 'migrations/validate-in-locking-transaction', 'migrations/add-unique-constraint-non-concurrent',
  'migrations/add-exclusion-constraint', 'migrations/change-column-null-not-null', 'migrations/change-column-null-default-backfill',
  'migrations/add-column-volatile-default', 'migrations/add-column-default-table-rewrite-legacy', 'migrations/add-column-stored-generated',
  'migrations/add-column-auto-increment', 'migrations/change-column-type',
]);

export function isSmallTable(ctx: RuleContext, table: string | undefined): boolean {
  return !!table && !!ctx.app.strongMigrations?.smallTables?.includes(table);
}

/** Operations a rule checks, with its strong_migrations keys looked up by rule id. */
export function opsFor(ctx: RuleContext, ruleId: string, filter: OpFilter = {}): MigrationOp[] {
  const ops = checkedOps(ctx, { ...filter, strongMigrationsKeys: [...(filter.strongMigrationsKeys ?? []), ...(STRONG_MIGRATIONS_KEYS[ruleId] ?? [])] });
  return LOCK_RULES.has(ruleId) && ctx.app.strongMigrations?.smallTables?.length ? ops.filter((op) => !isSmallTable(ctx, op.table)) : ops;
}

/** The table was created earlier in this migration (or the op is inside its create_table). */
export function isNewTable(ctx: RuleContext, op: MigrationOp, table = op.table): boolean {
  return !!op.createTable || migrationModel(ctx).createdBefore(table, op) || createdInThisDeploy(ctx, table);
}

/**
 * The table was created by another migration that is not deployed either (the same branch): it ships empty with
 * this one. Only when deployment is known (git or the schema version), never in audit mode, where every migration
 * counts as not deployed.
 */
export function createdInThisDeploy(ctx: RuleContext, table: string | undefined): boolean {
  const version = migrationModel(ctx).version;
  const deployed = ctx.app.deployedMigrations;
  if (!table || !version || !deployed || !['git', 'schema.rb', 'structure.sql'].includes(deployed.source)) return false;
  const creator = ctx.app.migrationHistory?.creatorBefore(table, version);
  if (!creator) return false;
  return !deployed.isDeployed(path.relative(ctx.app.root, creator.file).replace(/\\/g, '/'), creator.version);
}

// ---------------------------------------------------------------------------------------------------
// Follow-up migration files (research §2.2): `db/migrate/<timestamp + 1 s>_<snake>.rb`, class name
// camelized, superclass copied from the current class.

/** Adds seconds to a 14-digit UTC version (`20250101235959` + 1 → `20250102000000`). */
export function nextVersion(version: string, seconds = 1): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(version);
  if (!m) return (BigInt(version) + BigInt(seconds)).toString().padStart(version.length, '0');
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) + seconds * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** A Ruby literal for a table/column name: `:users`, or `"schema.users"` when it is no plain symbol. */
export function sym(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `:${name}` : JSON.stringify(name);
}

export function camelize(snake: string): string {
  return snake.split('_').filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

/** `validate_users_orders_fk` style names: lower snake, only [a-z0-9_]. */
export function snakeName(...parts: string[]): string {
  return parts.join('_').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').replace(/_+/g, '_');
}

/**
 * A FileEdit creating `db/migrate/<version+1s>_<name>.rb` next to the current migration, whose
 * `change` (or given body) holds `bodyLines`. Returns undefined when the file has no version prefix.
 */
export function followUpMigrationEdit(ctx: RuleContext, klass: MigrationClass, name: string, bodyLines: string[],
  options: { disableDdlTransaction?: boolean; method?: string; classBody?: string[]; seconds?: number } = {}): FileEdit | undefined {
  const version = migrationModel(ctx).version;
  if (!version) return undefined;
  const dir = path.dirname(ctx.file);
  const file = path.join(dir, `${nextVersion(version, options.seconds ?? 1)}_${name}.rb`);
  const lines = [`class ${camelize(name)} < ${klass.superclass}`];
  if (options.disableDdlTransaction) lines.push('  disable_ddl_transaction!', '');
  if (options.classBody) {
    for (const l of options.classBody) lines.push(l ? `  ${l}` : '');
  } else {
    lines.push(`  def ${options.method ?? 'change'}`);
    for (const l of bodyLines) lines.push(l ? `    ${l}` : '');
    lines.push('  end');
  }
  lines.push('end', '');
  // A follow-up that needs a local, constant or method of the original file cannot run on its own.
  if (!isSelfContained(ctx, lines.join('\n'))) return undefined;
  return { file, createFile: true, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: lines.join('\n') };
}

/**
 * db/schema.rb as the state BEFORE this migration: only when the schema's version is older than the
 * migration's (a pending migration). Once a migration has run, schema.rb shows its result, so facts
 * such as a column's old type cannot be read from it.
 */
export function preMigrationSchema(ctx: RuleContext) {
  const schema = ctx.app.schema;
  const version = migrationModel(ctx).version;
  if (!schema || !version) return undefined;
  if (schema.version && compareMigrationVersions(schema.version, version) >= 0) return undefined;
  return schema;
}
