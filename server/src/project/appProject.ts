// One Rails app root and the facts read from its files. Each fact is read lazily and dropped when
// one of the files it came from changes, so a file-change event never rescans the workspace.
import * as path from 'node:path';
import { emptyAppFacts, type AppFacts } from '../core/appFacts';
import type { FileNotice } from '../core/types';
import { CONFIG_FILE_NAME, defaultConfig, parseConfig, type HazardsConfig } from '../config/config';
import { parseRuby, type Tree } from '../parsing/treeSitter';
import { parseLockfile } from '../lockfile/lockfileParser';
import type { FileSource } from './files';
import { adapterFromDatabaseYml, adapterFromLockedGems, adapterFromSchemaDump, databaseVersionFromFiles, isDatabaseVersionFile } from './database';
import { readDirectory, readHead } from './inputs';
import { readAmsInitializer, readApplication, readStrongMigrations, readSidekiqInitializer } from './rubyConfig';
import { readSchema, readSchemaByTable, type Schema } from './schema';
import { cachedSummary, storeSummary, storedSummary } from './summaryStore';
import { readStructureSql } from './structureSql';
import { parse as parseYaml } from 'yaml';
import { ModelIndexLoader } from './modelFiles';
import { ControllerIndexLoader } from './controllerFiles';
import { DEFAULT_MIGRATION_PATHS, MigrationHistoryLoader } from './migrationHistory';
import { normalizeAdapter } from '../migrations/gating';
import { DEPENDENCY_FACTS_KEY } from '../lockfile/facts';
import { DependencyProvider } from './dependencies';
import { headCommit, readDeployedMigrations } from './deployedMigrations';
import { GitRunningCode } from './runningCode';
import { RUNNING_CODE_KEY } from '../migrations/runningCode';

const HEAD_RECHECK_MS = 5000;
/** db/<name>_schema.rb / db/<name>_structure.sql: another database of a multi-database app. */
const OTHER_DATABASE_SCHEMA = /^db\/\w+_(?:schema\.rb|structure\.sql)$/;
import type { DeployedMigrations } from '../core/appFacts';
import { AppHelperLoader } from './appHelperFiles';
import { APP_HELPERS_KEY } from '../migrations/appHelpers';
import { APP_CLASSES_KEY } from '../callbacks/appClasses';
import { appClassResolver } from './appClassFiles';
import { isProcessThreadsFile, readProcessThreads } from './processThreads';
import type { ThreadSource } from '../capacity/threadCount';
import { httpClientDefaultsIn, type HttpClientDefaults } from '../capacity/httpClients';
import { RedisClientLoader } from './redisClients';
import { REDIS_APP_CLIENTS_KEY } from '../redis/clients';

/** Relative paths whose contents feed AppFacts. */
export const FACT_FILES = [
  CONFIG_FILE_NAME, 'config/database.yml', 'Gemfile.lock', 'gems.locked', 'config/initializers/strong_migrations.rb', '.rubocop.yml',
  'config/initializers/online_migrations.rb',
  'config/application.rb', 'config/environments/production.rb', 'config/initializers/sidekiq.rb', 'db/schema.rb',
  'config/initializers/active_model_serializers.rb',
  'db/structure.sql',
];

export interface AppProjectOptions {
  configFile?: string; baseRef?: string; trusted?: boolean;
  /** The CLI's --all-migrations: deployed migrations are checked too (audit mode). */
  allMigrations?: boolean;
  /** How often a long-running process compares HEAD again for deployed migrations (default 5 s). */
  headRecheckMs?: number;
}

export class AppProject {
  private facts: AppFacts | undefined;
  private dependencies: DependencyProvider | undefined;
  private readonly modelLoader: ModelIndexLoader;
  private readonly controllerLoader: ControllerIndexLoader;
  private readonly historyLoader: MigrationHistoryLoader;
  private readonly helperLoader: AppHelperLoader;
  private readonly redisLoader: RedisClientLoader;
  private configNotices: FileNotice[] = [];
  /** Listeners that drop app-wide derived models (model index, lockfile graph) when a file changes. */
  readonly onInvalidate: ((file: string) => void)[] = [];

  constructor(readonly root: string, private readonly files: FileSource, private readonly log: (m: string) => void = () => undefined,
    private readonly options: AppProjectOptions = {}) {
    this.modelLoader = new ModelIndexLoader(root, files, log);
    this.controllerLoader = new ControllerIndexLoader(root, files, log);
    this.historyLoader = new MigrationHistoryLoader(root, files, log,
      () => [...DEFAULT_MIGRATION_PATHS, ...(this.facts?.config.migrations.paths ?? [])]);
    this.helperLoader = new AppHelperLoader(root, files, log);
    this.redisLoader = new RedisClientLoader(root, files, log);
  }

  /** An open model's fresh tree feeds the model index directly (no second parse per keystroke). */
  modelTreeUpdated(file: string, tree: Tree): void {
    this.modelLoader.updateFromTree(file, tree);
  }

  getFacts(): AppFacts {
    if (!this.facts) this.facts = this.load();
    return this.facts;
  }

  get configFileNotices(): FileNotice[] {
    this.getFacts();
    return this.configNotices;
  }

  /** Called for every changed, created or deleted file; returns true when app facts were dropped. */
  fileChanged(file: string): boolean {
    const rel = path.relative(this.root, file).replace(/\\/g, '/');
    for (const listener of this.onInvalidate) listener(file);
    this.modelLoader.changed(file);
    this.controllerLoader.changed(file);
    this.historyLoader.changed(file);
    this.helperLoader.changed(file);
    this.redisLoader.changed(file);
    // The Gemfile model is dropped alone: the lockfile's findings depend on it, the other facts do not.
    if (this.dependencies?.fileChanged(rel)) return true;
    if (FACT_FILES.includes(rel) || isDatabaseVersionFile(rel) || OTHER_DATABASE_SCHEMA.test(rel) || isProcessThreadsFile(rel)) {
      if (rel === CONFIG_FILE_NAME) this.historyLoader.reset();
      this.facts = undefined;
      return true;
    }
    return false;
  }

  private read(rel: string): string | undefined {
    return this.files.read(path.join(this.root, rel));
  }

  /** The first 8 KB of a file that may be over the size limit (the structure.sql header); the editor's buffer first. */
  private readHead(rel: string): string | undefined {
    const text = this.read(rel);
    if (text !== undefined) return text.slice(0, 8192);
    const head = readHead(path.join(this.root, rel), 8192);
    return head === undefined ? undefined : Buffer.from(head).toString('utf8');
  }

  /** File names in a directory of the app (for compose files and CI workflows); none when unreadable. */
  private listDir(rel: string): string[] {
    try {
      return readDirectory(path.join(this.root, rel)).map((e) => e.name);
    } catch {
      return [];
    }
  }

  /** What `read` finds in the tree of `rel`; with `summaryKind`, kept in the summary store by the file's text. */
  private withTree<T>(rel: string, read: (tree: Tree) => T, summaryKind?: string, text = this.read(rel)): T | undefined {
    if (text === undefined) return undefined;
    const readText = () => {
      const tree = parseRuby(text);
      try { return read(tree); } finally { tree.delete(); }
    };
    try {
      return summaryKind ? cachedSummary(summaryKind, path.join(this.root, rel), text, readText) : readText();
    } catch (error) {
      this.log(`could not read ${rel} in ${this.root}: ${String(error)}`);
      return undefined;
    }
  }

  private load(): AppFacts {
    let config: HazardsConfig = defaultConfig();
    this.configNotices = [];
    const configPath = this.options.configFile ? path.resolve(this.options.configFile) : path.join(this.root, CONFIG_FILE_NAME);
    const configText = this.files.read(configPath);
    if (configText !== undefined) {
      const parsed = parseConfig(configText, configPath);
      config = parsed.config;
      this.configNotices = parsed.notices;
    }
    const facts = emptyAppFacts(this.root, config);
    const loader = this.modelLoader;
    Object.defineProperty(facts, 'models', { get: () => loader.get(), enumerable: false });
    const controllerLoader = this.controllerLoader;
    Object.defineProperty(facts, 'controllers', { get: () => controllerLoader.get(), enumerable: false });
    const historyLoader = this.historyLoader;
    Object.defineProperty(facts, 'migrationHistory', { get: () => historyLoader.get(), enumerable: false });
    facts.baseRef = this.options.baseRef;
    facts.trusted = this.options.trusted ?? false;
    this.dependencies = new DependencyProvider(this.root, this.files, this.log, config, { baseRef: this.options.baseRef, configFile: this.options.configFile, trusted: facts.trusted });
    facts.shared.set(DEPENDENCY_FACTS_KEY, this.dependencies);
    facts.shared.set(APP_HELPERS_KEY, this.helperLoader);
    facts.shared.set(REDIS_APP_CLIENTS_KEY, this.redisLoader);
    const appClasses = appClassResolver(this.root, this.files);
    facts.shared.set(APP_CLASSES_KEY, appClasses);
    this.onInvalidate.push((file) => { if (file.endsWith('.rb')) appClasses.forget(path.resolve(file)); });

    const db = this.read('config/database.yml');
    const adapter = db !== undefined ? adapterFromDatabaseYml(db) : undefined;
    if (adapter) facts.adapter = adapter;

    const lockText = this.read('Gemfile.lock') ?? this.read('gems.locked');
    if (lockText !== undefined) {
      const gems = new Map<string, string>();
      for (const spec of parseLockfile(lockText).specs) if (!gems.has(spec.name)) gems.set(spec.name, spec.version);
      facts.gems = gems;
      const rails = gems.get('rails') ?? gems.get('activerecord');
      if (rails) facts.railsVersion = { value: rails, source: 'Gemfile.lock' };
    }
    // database.yml is often kept out of the repository: the schema dump, then the bundled adapter gem, say which.
    if (!adapter) {
      const dumped = ['db/schema.rb', 'db/structure.sql'].map((rel) => {
        const text = rel.endsWith('.sql') ? this.readHead(rel) : this.read(rel);
        return text !== undefined ? adapterFromSchemaDump(text, rel) : undefined;
      }).find((a) => a !== undefined);
      const fromGems = dumped ?? (facts.gems ? adapterFromLockedGems(facts.gems) : undefined);
      if (fromGems) facts.adapter = fromGems;
    }

    facts.strongMigrations = this.withTree('config/initializers/strong_migrations.rb', readStrongMigrations, 'strongMigrations');
    if (facts.strongMigrations) facts.strongMigrations.source = 'config/initializers/strong_migrations.rb';
    else {
      // online_migrations has the same settings under `OnlineMigrations.configure do |config|`.
      facts.strongMigrations = this.withTree('config/initializers/online_migrations.rb', readStrongMigrations, 'strongMigrations');
      if (facts.strongMigrations) facts.strongMigrations.source = 'config/initializers/online_migrations.rb';
    }
    const rubocop = this.read('.rubocop.yml');
    if (rubocop !== undefined) facts.migratedSchemaVersion = migratedSchemaVersion(rubocop);
    const app = this.withTree('config/application.rb', readApplication, 'application');
    if (app) {
      facts.loadDefaults = app.loadDefaults;
      facts.partialInserts = app.partialInserts;
    }
    const production = this.withTree('config/environments/production.rb', readApplication, 'application');
    const queueAdapter = production?.queueAdapter ?? app?.queueAdapter;
    const enqueueAfterCommit = production?.enqueueAfterTransactionCommit ?? app?.enqueueAfterTransactionCommit;
    if (queueAdapter || enqueueAfterCommit) facts.activeJob = { queueAdapter, enqueueAfterTransactionCommit: enqueueAfterCommit };
    if (this.withTree('config/initializers/sidekiq.rb', readSidekiqInitializer, 'sidekiqInitializer')?.transactionalPush) facts.sidekiqTransactionalPush = true;
    const amsIncludes = this.withTree('config/initializers/active_model_serializers.rb', readAmsInitializer, 'amsInitializer')?.defaultIncludes;
    if (amsIncludes !== undefined) facts.amsDefaultIncludes = amsIncludes;
    facts.schema = this.readPrimarySchema();
    const schemas = this.otherDatabaseSchemas.bind(this);
    let byDatabase: Map<string, Schema> | undefined;
    Object.defineProperty(facts, 'schemas', { get: () => (byDatabase ??= schemas(facts.schema)), enumerable: false });
    let httpDefaults: HttpClientDefaults | undefined;
    Object.defineProperty(facts, 'httpClientDefaults', {
      enumerable: false,
      get: () => (httpDefaults ??= this.listDir('config/initializers').filter((f) => f.endsWith('.rb'))
        .reduce((acc, f) => httpClientDefaultsIn(this.read(`config/initializers/${f}`) ?? '', acc), {} as HttpClientDefaults)),
    });
    this.onInvalidate.push((file) => { if (/[\\/]config[\\/]initializers[\\/]/.test(file)) httpDefaults = undefined; });
    let threads: ThreadSource[] | undefined;
    Object.defineProperty(facts, 'processThreads', {
      enumerable: false,
      get: () => (threads ??= readProcessThreads({ read: (rel) => this.read(rel), rootFiles: () => this.listDir('.') }, facts.gems)),
    });
    this.defineDeployedMigrations(facts, config);
    facts.shared.set(RUNNING_CODE_KEY, new GitRunningCode(this.root, facts.trusted, this.migrationBaseRef(config)));

    if (config.database.version) {
      facts.databaseVersion = { value: config.database.version, source: '.rails-hazards.yml database.version' };
    } else if (facts.strongMigrations?.targetVersion) {
      facts.databaseVersion = { value: facts.strongMigrations.targetVersion, source: 'StrongMigrations.target_version' };
    } else {
      const adapterName = config.database.adapter ? normalizeAdapter(config.database.adapter) : facts.adapter.value;
      facts.databaseVersion = databaseVersionFromFiles({ read: (rel) => (rel === 'db/structure.sql' ? this.readHead(rel) : this.read(rel)), list: (rel) => this.listDir(rel) }, adapterName);
    }
    if (config.database.adapter) {
      facts.adapter = { value: normalizeAdapter(config.database.adapter), source: '.rails-hazards.yml database.adapter' };
    }
    return facts;
  }

  /** db/schema.rb, else db/structure.sql (pg_dump or mysqldump). */
  private readPrimarySchema(): Schema | undefined {
    const text = this.read('db/schema.rb');
    if (text !== undefined) {
      const file = path.join(this.root, 'db/schema.rb');
      const stored = storedSummary<Schema>('schema', file, text);
      if (stored) return stored;
      try {
        const byTable = readSchemaByTable(text, (ruby) => parseRuby(ruby), (complete) => storeSummary('schema', file, text, complete));
        if (byTable) return byTable;
      } catch (error) {
        this.log(`could not read db/schema.rb in ${this.root} table by table: ${String(error)}`);
      }
    }
    const rb = this.withTree('db/schema.rb', readSchema, 'schema', text);
    if (rb) return rb;
    const sql = this.read('db/structure.sql');
    if (sql === undefined) return undefined;
    try {
      return readStructureSql(sql);
    } catch (error) {
      this.log(`could not read db/structure.sql in ${this.root}: ${String(error)}`);
      return undefined;
    }
  }

  /** Multi-database apps: db/<name>_schema.rb or db/<name>_structure.sql per database, keyed by name; "primary" is `schema`. */
  private otherDatabaseSchemas(primary: Schema | undefined): Map<string, Schema> {
    const out = new Map<string, Schema>();
    if (primary) out.set('primary', primary);
    for (const file of this.listDir('db').sort()) {
      const m = /^(\w+)_(schema\.rb|structure\.sql)$/.exec(file);
      if (!m || out.has(m[1])) continue;
      const rel = `db/${file}`;
      let schema: Schema | undefined;
      if (m[2] === 'schema.rb') schema = this.withTree(rel, readSchema, 'schema');
      else {
        const sql = this.read(rel);
        try { schema = sql === undefined ? undefined : readStructureSql(sql); } catch { schema = undefined; }
      }
      if (schema) out.set(m[1], { ...schema, source: rel });
    }
    return out;
  }

  /** Lazy: git runs (once per loaded facts) only when a migration rule or the status item asks. */
  private defineDeployedMigrations(facts: AppFacts, config: HazardsConfig): void {
    let deployed: (DeployedMigrations & { head?: string }) | undefined;
    let checkedHead = Date.now();
    const baseRef = this.migrationBaseRef(config);
    Object.defineProperty(facts, 'deployedMigrations', {
      enumerable: false,
      get: () => {
        // A server outlives checkouts: HEAD is compared again at most every few seconds (one git call).
        if (deployed?.head && Date.now() - checkedHead >= (this.options.headRecheckMs ?? HEAD_RECHECK_MS)) {
          checkedHead = Date.now();
          if (headCommit(this.root) !== deployed.head) deployed = undefined;
        }
        if (!deployed) {
          deployed = this.readDeployed(facts, config, baseRef);
          checkedHead = Date.now();
        }
        return deployed;
      },
    });
  }

  /** The base branch for migrations: --base, else migrations.baseRef, else dependencies.baseRef (else git's default branch). */
  private migrationBaseRef(config: HazardsConfig): { ref: string; origin: string } | undefined {
    const dependencyBase = (config.sections.dependencies as { baseRef?: unknown } | undefined)?.baseRef;
    return this.options.baseRef !== undefined ? { ref: this.options.baseRef, origin: '--base' }
      : config.migrations.baseRef ? { ref: config.migrations.baseRef, origin: '.rails-hazards.yml migrations.baseRef' }
        : typeof dependencyBase === 'string' && dependencyBase ? { ref: dependencyBase, origin: '.rails-hazards.yml dependencies.baseRef' }
          : undefined;
  }

  private readDeployed(facts: AppFacts, config: HazardsConfig, baseRef: { ref: string; origin: string } | undefined) {
    return readDeployedMigrations({
      root: this.root, files: this.files, trusted: facts.trusted, audit: !!this.options.allMigrations || !!config.migrations.audit,
      baseRef, schemaVersion: facts.schema?.source === 'db/schema.rb' ? facts.schema.version : undefined, log: this.log,
    });
  }
}

/** rubocop-rails' `AllCops: MigratedSchemaVersion` (its start_after), or undefined; never throws. */
export function migratedSchemaVersion(text: string): string | undefined {
  try {
    const doc = parseYaml(text) as { AllCops?: { MigratedSchemaVersion?: unknown } } | null;
    const v = doc?.AllCops?.MigratedSchemaVersion;
    const digits = typeof v === 'number' || typeof v === 'string' ? String(v).replace(/_/g, '') : '';
    return /^\d+$/.test(digits) ? digits : undefined;
  } catch {
    return undefined;
  }
}
