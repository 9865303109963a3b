// What the project model knows about one Rails app, as plain data the rules read. Filled by
// server/src/project without executing anything from the workspace.
import type { HazardsConfig } from '../config/config';
import type { Schema } from '../project/schema';
import type { ModelIndex } from '../models/modelIndex';
import type { ControllerIndex } from '../queries/controllerIndex';
import type { MigrationHistory } from '../migrations/history';
import type { ThreadSource } from '../capacity/threadCount';
import type { HttpClientDefaults } from '../capacity/httpClients';

export type AdapterName = 'postgresql' | 'mysql' | 'sqlite' | 'unknown';

/** A fact and where it came from, so hovers and messages can say which assumption was used. */
export interface Sourced<T> { value: T; source: string }

export interface StrongMigrationsSettings {
  startAfter?: string;
  targetVersion?: string;
  targetSqlMode?: string;
  safeByDefault: boolean;
  disabledChecks: string[];
  checkDown: boolean;
  /** online_migrations' `config.small_tables`: lock and rewrite checks skip these tables. */
  smallTables?: string[];
  /** Which initializer the settings came from (strong_migrations.rb or online_migrations.rb). */
  source?: string;
}

/** Migrations that already ran (issue 11): the migration rules skip them unless in audit mode. */
export interface DeployedMigrations {
  /** git: the file exists at the merge-base with the base branch; schema.rb/structure.sql: its version is not newer. */
  source: 'git' | 'schema.rb' | 'structure.sql' | 'none' | 'audit';
  /** How many migration files count as deployed (and are skipped). */
  readonly count: number;
  /** Why, for the status item and hovers: "in origin/main", "at or before db/schema.rb version 20240102030405". */
  reason: string;
  /** `relPath` relative to the app root; `version` from the file name when known. */
  isDeployed(relPath: string, version?: string): boolean;
}

export interface AppFacts {
  root: string;
  config: HazardsConfig;
  adapter: Sourced<AdapterName>;
  /** Database server version ("16", "8.0.36"); undefined means "assume the newest". */
  databaseVersion?: Sourced<string>;
  railsVersion?: Sourced<string>;
  /** Locked gem versions by name from Gemfile.lock. */
  gems: ReadonlyMap<string, string>;
  strongMigrations?: StrongMigrationsSettings;
  /** rubocop-rails' `AllCops: MigratedSchemaVersion` from .rubocop.yml: migrations at or before it are done. */
  migratedSchemaVersion?: string;
  loadDefaults?: string;
  partialInserts?: boolean;
  /** Active Job settings from config/application.rb (config/environments/production.rb wins). */
  activeJob?: { queueAdapter?: string; enqueueAfterTransactionCommit?: string };
  /** `Sidekiq.transactional_push!` in config/initializers/sidekiq.rb. */
  sidekiqTransactionalPush?: boolean;
  /** ActiveModelSerializers' `default_includes` from config/initializers/active_model_serializers.rb (`'**'`: every level). */
  amsDefaultIncludes?: string;
  /** The primary database's db/schema.rb, else its db/structure.sql. */
  schema?: Schema;
  /** Every database's schema by name ("primary" is `schema`; db/<name>_schema.rb or db/<name>_structure.sql the others); lazy. */
  readonly schemas?: ReadonlyMap<string, Schema>;
  /** Git revision to compare with (CLI --base); packs may also read their own config section. */
  baseRef?: string;
  /** The workspace is trusted: only then may the server run git (never anything from the workspace). */
  trusted: boolean;
  /** The app's models, concerns and associations (built lazily on first access, kept current per file). */
  readonly models?: ModelIndex;
  /** Controllers (actions, instance variables they assign, templates they render) and views' collection renders; lazy like `models`. */
  readonly controllers?: ControllerIndex;
  /** Which migrations already ran (lazy: git runs on first access); undefined in tests that build facts by hand. */
  readonly deployedMigrations?: DeployedMigrations;
  /** The app's migrations replayed in version order (tables as they were before each migration); lazy like `models`. */
  readonly migrationHistory?: MigrationHistory;
  /** Threads of the production processes (Puma, Sidekiq, GoodJob, Solid Queue) sharing a connection pool; lazy. */
  readonly processThreads?: ThreadSource[];
  /** HTTP client defaults set in config/initializers (Faraday default connection options, Excon defaults); lazy. */
  readonly httpClientDefaults?: HttpClientDefaults;
  /** Extension points for rule packs: derived app-wide models (model index, lockfile graph) keyed by name. */
  shared: Map<string, unknown>;
}

export function emptyAppFacts(root: string, config: HazardsConfig): AppFacts {
  return {
    root, config, adapter: { value: 'unknown', source: 'no config/database.yml' },
    gems: new Map(), shared: new Map(), trusted: false,
  };
}
