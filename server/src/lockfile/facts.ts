/**
 * What the dependency rules and hovers read about an app besides the lockfile text they analyse: the
 * parsed Gemfile, the lockfile at the base revision, and the `dependencies` section of
 * `.rails-hazards.yml`. The project layer (server/src/project/dependencies.ts) provides it lazily in
 * `AppFacts.shared` under DEPENDENCY_FACTS_KEY; this module only defines the shape and the settings.
 *
 * Pure module: no IO.
 */
import type { AppFacts } from '../core/appFacts';
import type { Gemfile } from './gemfile';
import { buildGraph, type DependencyGraph } from './graph';
import { parseLockfile, type Lockfile } from './lockfileParser';

export const DEPENDENCY_FACTS_KEY = 'dependencies';

/** Low-level gems whose major releases have broken running Rails apps (docs/rules/dependencies/floating-runtime-gem.md). */
export const DEFAULT_RUNTIME_PRIMITIVES: readonly string[] = [
  'concurrent-ruby', 'connection_pool', 'faraday', 'i18n', 'json', 'logger', 'mail', 'minitest', 'mysql2', 'net-smtp',
  'nio4r', 'nokogiri', 'pg', 'psych', 'puma', 'rack', 'redis', 'redis-client', 'sidekiq', 'sprockets', 'trilogy', 'tzinfo',
];

/**
 * Gems that only tests load (activesupport declares minitest, but only `require "minitest"` in a test
 * loads it): not runtime primitives unless the app requires them outside test/ and spec/, or the
 * user names them in `dependencies.runtimePrimitives`.
 */
const TEST_ONLY_GEMS = new Set(['minitest', 'test-unit', 'rspec', 'power_assert', 'mocha', 'shoulda-matchers', 'shoulda-context']);

export function isTestOnlyGem(name: string): boolean {
  return TEST_ONLY_GEMS.has(name) || /^(rspec|minitest|test-unit)-/.test(name);
}

/** A test-only gem the user did not name as a runtime primitive and app code does not require outside tests. */
export function loadedOnlyByTests(name: string, settings: DependencySettings, facts: DependencyFacts | undefined): boolean {
  return isTestOnlyGem(name) && !settings.configuredPrimitives?.has(name) && !(facts?.requiredOutsideTests?.(name) ?? false);
}

/** A runtime primitive for the rules: listed, and not loaded only by tests. */
export function isRuntimePrimitive(name: string, settings: DependencySettings, facts: DependencyFacts | undefined): boolean {
  return settings.runtimePrimitives.has(name) && !loadedOnlyByTests(name, settings, facts);
}

export interface DependencySettings {
  runtimePrimitives: ReadonlySet<string>;
  /** Names the user listed in `dependencies.runtimePrimitives` (list, only or add). */
  configuredPrimitives?: ReadonlySet<string>;
  /** Gems both rules skip (`dependencies.ignore`). */
  ignore: ReadonlySet<string>;
  /** `dependencies.baseRef`. */
  baseRef?: string;
  /** Invalid values, each with the key it concerns; the defaults apply for them. */
  problems: { key: string; message: string }[];
}

export interface BaseLockfile {
  /** What the user asked for or what was found (`--base origin/main`, `merge-base of HEAD and main`). */
  label: string;
  /** The resolved commit. */
  commit: string;
  lock: Lockfile;
}

export interface DependencyFacts {
  readonly settings: DependencySettings;
  /** Absolute path of the Gemfile (or gems.rb), whether or not it exists. */
  readonly gemfilePath: string;
  /** The parsed Gemfile, or undefined when there is none. */
  gemfile(): Gemfile | undefined;
  /** The lockfile (`Gemfile.lock` / `gems.locked`, relative to the app root) at the base revision, if any. */
  baseLockfile(lockfileName: string): BaseLockfile | undefined;
  /** The current lockfile of the app, as the editor or disk has it (for Gemfile hovers). */
  currentLockfile(): { text: string; file: string } | undefined;
  /** `.rails-hazards.yml` (or the CLI's --config): its path and text (undefined when it does not exist). */
  configFile(): { path: string; text: string | undefined };
  /** App code outside test/ and spec/ (app/, lib/, config/) has `require "<gem>"` (or a file of it). */
  requiredOutsideTests?(gem: string): boolean;
}

export function dependencyFacts(app: AppFacts): DependencyFacts | undefined {
  return app.shared.get(DEPENDENCY_FACTS_KEY) as DependencyFacts | undefined;
}

/** Settings without a provider (rule tests, untrusted or odd setups): the defaults plus the config section. */
export function settingsOf(app: AppFacts): DependencySettings {
  return dependencyFacts(app)?.settings ?? readDependencySettings(app.config.sections.dependencies);
}

const GEM_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Branch, tag, commit, `HEAD~2`, `origin/main`, `@{upstream}`: never an option (`-…`), a range or a pathspec. */
const REF_RE = /^(?!-)[A-Za-z0-9_./@{}~^+-]+$/;

/** Reads and validates `dependencies:` from `.rails-hazards.yml`. Never throws. */
export function readDependencySettings(section: unknown): DependencySettings {
  const problems: DependencySettings['problems'] = [];
  const primitives = new Set(DEFAULT_RUNTIME_PRIMITIVES);
  const configured = new Set<string>();
  const ignore = new Set<string>();
  let baseRef: string | undefined;
  if (section === undefined || section === null) return { runtimePrimitives: primitives, ignore, problems };
  if (typeof section !== 'object' || Array.isArray(section)) {
    problems.push({ key: 'dependencies', message: '"dependencies" must be a mapping with runtimePrimitives, ignore and baseRef' });
    return { runtimePrimitives: primitives, ignore, problems };
  }
  const s = section as Record<string, unknown>;
  const names = (key: string, v: unknown): string[] | undefined => {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && GEM_NAME_RE.test(x))) {
      problems.push({ key, message: `dependencies.${key} must be a list of gem names` });
      return undefined;
    }
    return v as string[];
  };
  for (const [key, value] of Object.entries(s)) {
    switch (key) {
      case 'runtimePrimitives': {
        if (Array.isArray(value)) {
          for (const n of names(key, value) ?? []) { primitives.add(n); configured.add(n); }
        } else if (value && typeof value === 'object') {
          const v = value as Record<string, unknown>;
          const unknownKeys = Object.keys(v).filter((k) => !['only', 'add', 'remove'].includes(k));
          if (unknownKeys.length > 0) {
            problems.push({ key, message: `dependencies.runtimePrimitives accepts a list of gem names, or only/add/remove lists (not ${unknownKeys.join(', ')})` });
            break;
          }
          if (v.only !== undefined) {
            const only = names(key, v.only);
            if (only) { primitives.clear(); for (const n of only) { primitives.add(n); configured.add(n); } }
          }
          if (v.add !== undefined) for (const n of names(key, v.add) ?? []) { primitives.add(n); configured.add(n); }
          if (v.remove !== undefined) for (const n of names(key, v.remove) ?? []) primitives.delete(n);
        } else {
          problems.push({ key, message: 'dependencies.runtimePrimitives must be a list of gem names (added to the defaults) or a mapping with only/add/remove' });
        }
        break;
      }
      case 'ignore':
        for (const n of names(key, value) ?? []) ignore.add(n);
        break;
      case 'baseRef':
        if (typeof value === 'string' && REF_RE.test(value) && !value.includes('..') && value.length <= 200) baseRef = value;
        else problems.push({ key, message: `dependencies.baseRef must be a git branch, tag or commit (e.g. origin/main), not ${JSON.stringify(value)}` });
        break;
      default:
        problems.push({ key, message: `Unknown setting "dependencies.${key}" (known: runtimePrimitives, ignore, baseRef)` });
    }
  }
  const out: DependencySettings = { runtimePrimitives: primitives, ignore, problems };
  if (configured.size > 0) out.configuredPrimitives = configured;
  if (baseRef !== undefined) out.baseRef = baseRef;
  return out;
}

/** A git revision that is safe to pass as an argument: no option, no range, no pathspec. */
export function isSafeGitRef(ref: string): boolean {
  return typeof ref === 'string' && ref.length > 0 && ref.length <= 200 && REF_RE.test(ref) && !ref.includes('..');
}

/** The lockfile analysis shared by rules and hovers of one file version (memoized through `derive`). */
export interface LockAnalysis {
  lock: Lockfile;
  graph: DependencyGraph;
  /** Locked versions by name (first spec wins). */
  locked: Map<string, string>;
}

export function analyzeLock(text: string, gemfile: Gemfile | undefined): LockAnalysis {
  const lock = parseLockfile(text);
  const graph = buildGraph(lock, gemfile);
  const locked = new Map<string, string>();
  for (const s of lock.specs) if (!locked.has(s.name)) locked.set(s.name, s.version);
  return { lock, graph, locked };
}

export const LOCK_ANALYSIS_KEY = 'dependencies/lock-analysis';

/** The lockfile analysis of a rule's or hover's file, once per file version. */
export function lockAnalysis(input: { text: string; app: AppFacts; derive<T>(key: string, compute: () => T): T }): LockAnalysis {
  return input.derive(LOCK_ANALYSIS_KEY, () => analyzeLock(input.text, dependencyFacts(input.app)?.gemfile()));
}
