// One Rails app root and the facts read from its files. Each fact is read lazily and dropped when
// one of the files it came from changes, so a file-change event never rescans the workspace.
import * as path from 'node:path';
import { emptyAppFacts, type AppFacts } from '../core/appFacts';
import type { FileNotice } from '../core/types';
import { CONFIG_FILE_NAME, defaultConfig, parseConfig, type HazardsConfig } from '../config/config';
import { parseRuby, type Tree } from '../parsing/treeSitter';
import { parseLockfile } from '../lockfile/lockfileParser';
import type { FileSource } from './files';
import { adapterFromDatabaseYml } from './database';
import { readApplication, readStrongMigrations, readSidekiqInitializer } from './rubyConfig';
import { readSchema } from './schema';
import { parse as parseYaml } from 'yaml';
import { ModelIndexLoader } from './modelFiles';
import { ControllerIndexLoader } from './controllerFiles';
import { normalizeAdapter } from '../migrations/gating';
import { DEPENDENCY_FACTS_KEY } from '../lockfile/facts';
import { DependencyProvider } from './dependencies';
import { APP_CLASSES_KEY } from '../callbacks/appClasses';
import { appClassResolver } from './appClassFiles';

/** Relative paths whose contents feed AppFacts. */
export const FACT_FILES = [
  CONFIG_FILE_NAME, 'config/database.yml', 'Gemfile.lock', 'gems.locked', 'config/initializers/strong_migrations.rb', '.rubocop.yml',
  'config/initializers/online_migrations.rb',
  'config/application.rb', 'config/environments/production.rb', 'config/initializers/sidekiq.rb', 'db/schema.rb',
];

export interface AppProjectOptions { configFile?: string; baseRef?: string; trusted?: boolean }

export class AppProject {
  private facts: AppFacts | undefined;
  private dependencies: DependencyProvider | undefined;
  private readonly modelLoader: ModelIndexLoader;
  private readonly controllerLoader: ControllerIndexLoader;
  private configNotices: FileNotice[] = [];
  /** Listeners that drop app-wide derived models (model index, lockfile graph) when a file changes. */
  readonly onInvalidate: ((file: string) => void)[] = [];

  constructor(readonly root: string, private readonly files: FileSource, private readonly log: (m: string) => void = () => undefined,
    private readonly options: AppProjectOptions = {}) {
    this.modelLoader = new ModelIndexLoader(root, files, log);
    this.controllerLoader = new ControllerIndexLoader(root, files, log);
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
    // The Gemfile model is dropped alone: the lockfile's findings depend on it, the other facts do not.
    if (this.dependencies?.fileChanged(rel)) return true;
    if (FACT_FILES.includes(rel)) {
      this.facts = undefined;
      return true;
    }
    return false;
  }

  private read(rel: string): string | undefined {
    return this.files.read(path.join(this.root, rel));
  }

  private withTree<T>(rel: string, read: (tree: Tree) => T): T | undefined {
    const text = this.read(rel);
    if (text === undefined) return undefined;
    let tree: Tree | undefined;
    try {
      tree = parseRuby(text);
      return read(tree);
    } catch (error) {
      this.log(`could not read ${rel} in ${this.root}: ${String(error)}`);
      return undefined;
    } finally {
      tree?.delete();
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
    facts.baseRef = this.options.baseRef;
    facts.trusted = this.options.trusted ?? false;
    this.dependencies = new DependencyProvider(this.root, this.files, this.log, config, { baseRef: this.options.baseRef, configFile: this.options.configFile, trusted: facts.trusted });
    facts.shared.set(DEPENDENCY_FACTS_KEY, this.dependencies);
    const appClasses = appClassResolver(this.root, this.files);
    facts.shared.set(APP_CLASSES_KEY, appClasses);
    this.onInvalidate.push((file) => { if (file.endsWith('.rb')) appClasses.clear(); });

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

    facts.strongMigrations = this.withTree('config/initializers/strong_migrations.rb', readStrongMigrations);
    if (facts.strongMigrations) facts.strongMigrations.source = 'config/initializers/strong_migrations.rb';
    else {
      // online_migrations has the same settings under `OnlineMigrations.configure do |config|`.
      facts.strongMigrations = this.withTree('config/initializers/online_migrations.rb', readStrongMigrations);
      if (facts.strongMigrations) facts.strongMigrations.source = 'config/initializers/online_migrations.rb';
    }
    const rubocop = this.read('.rubocop.yml');
    if (rubocop !== undefined) facts.migratedSchemaVersion = migratedSchemaVersion(rubocop);
    const app = this.withTree('config/application.rb', readApplication);
    if (app) {
      facts.loadDefaults = app.loadDefaults;
      facts.partialInserts = app.partialInserts;
    }
    const production = this.withTree('config/environments/production.rb', readApplication);
    const queueAdapter = production?.queueAdapter ?? app?.queueAdapter;
    const enqueueAfterCommit = production?.enqueueAfterTransactionCommit ?? app?.enqueueAfterTransactionCommit;
    if (queueAdapter || enqueueAfterCommit) facts.activeJob = { queueAdapter, enqueueAfterTransactionCommit: enqueueAfterCommit };
    if (this.withTree('config/initializers/sidekiq.rb', readSidekiqInitializer)?.transactionalPush) facts.sidekiqTransactionalPush = true;
    facts.schema = this.withTree('db/schema.rb', readSchema);

    if (config.database.version) {
      facts.databaseVersion = { value: config.database.version, source: '.rails-hazards.yml database.version' };
    } else if (facts.strongMigrations?.targetVersion) {
      facts.databaseVersion = { value: facts.strongMigrations.targetVersion, source: 'StrongMigrations.target_version' };
    }
    if (config.database.adapter) {
      facts.adapter = { value: normalizeAdapter(config.database.adapter), source: '.rails-hazards.yml database.adapter' };
    }
    return facts;
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
