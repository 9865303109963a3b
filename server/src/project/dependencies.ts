// The dependency facts of one app (lockfile/facts.ts DependencyFacts): the parsed Gemfile and the
// lockfile at the base revision, read lazily and dropped when their files change. All IO of the
// lockfile pack lives here and in git.ts; rules and hovers only call these getters.
import * as path from 'node:path';
import { CONFIG_FILE_NAME, type HazardsConfig } from '../config/config';
import type { AppFacts } from '../core/appFacts';
import type { FileNotice } from '../core/types';
import { readGemfile, type Gemfile } from '../lockfile/gemfile';
import {
  dependencyFacts, readDependencySettings, type BaseLockfile, type DependencyFacts, type DependencySettings,
} from '../lockfile/facts';
import { parseLockfile } from '../lockfile/lockfileParser';
import { parseRuby } from '../parsing/treeSitter';
import type { FileSource } from './files';
import { filesUnder } from './appFolders';
import { fileAtCommit, resolveBase } from './git';

export interface DependencyProviderOptions {
  /** The CLI's --base (wins over dependencies.baseRef). */
  baseRef?: string;
  /** The CLI's --config. */
  configFile?: string;
  trusted: boolean;
}

/** Base lockfiles are looked up at most this often per app and ref (typing in Gemfile.lock reloads facts). */
const BASE_CACHE_MS = 10_000;
const baseCache = new Map<string, { at: number; value: BaseLockfile | undefined; problem?: string }>();
const loggedOff = new Set<string>();

/** Files whose change drops the cached Gemfile model. */
const GEMFILES = ['Gemfile', 'gems.rb'];

export class DependencyProvider implements DependencyFacts {
  readonly settings: DependencySettings;
  readonly gemfilePath: string;
  private gemfileCache: { value: Gemfile | undefined } | undefined;
  private requiresCache: Set<string> | undefined;
  /** Why base comparisons are off, when the user asked for a base explicitly and it failed. */
  baseProblem: string | undefined;

  constructor(private readonly root: string, private readonly files: FileSource, private readonly log: (m: string) => void,
    config: HazardsConfig, private readonly options: DependencyProviderOptions) {
    this.settings = readDependencySettings(config.sections.dependencies);
    const gemsRb = path.join(root, 'gems.rb');
    this.gemfilePath = !files.exists(path.join(root, 'Gemfile')) && files.exists(gemsRb) ? gemsRb : path.join(root, 'Gemfile');
  }

  /** A base was asked for (--base or dependencies.baseRef): its failure is worth a notice. */
  hasExplicitBase(): boolean {
    return this.options.trusted && (this.options.baseRef ?? this.settings.baseRef) !== undefined;
  }

  /** Drops what depends on `rel` (relative to the app root); true when something was dropped. */
  fileChanged(rel: string): boolean {
    if (/^(app|lib|config)\/.*\.rb$/.test(rel)) this.requiresCache = undefined;
    if (GEMFILES.includes(rel)) {
      this.gemfileCache = undefined;
      return true;
    }
    return false;
  }

  gemfile(): Gemfile | undefined {
    if (!this.gemfileCache) this.gemfileCache = { value: this.readGemfileNow() };
    return this.gemfileCache.value;
  }

  private readGemfileNow(): Gemfile | undefined {
    const text = this.files.read(this.gemfilePath);
    if (text === undefined) return undefined;
    let tree;
    try {
      tree = parseRuby(text);
      return readGemfile(tree, text);
    } catch (error) {
      this.log(`could not read ${this.gemfilePath}: ${String(error)}`);
      return undefined;
    } finally {
      tree?.delete();
    }
  }

  /** `require "minitest"` (or `require "minitest/autorun"`) in app/, lib/ or config/: the gem is loaded at run time. */
  requiredOutsideTests(gem: string): boolean {
    if (!this.requiresCache) {
      this.requiresCache = new Set();
      for (const dir of ['app', 'lib', 'config']) {
        for (const file of filesUnder(path.join(this.root, dir), (n) => n.endsWith('.rb')).slice(0, 20000)) {
          const text = this.files.read(file);
          if (!text || !text.includes('require')) continue;
          for (const m of text.matchAll(/^\s*require\s*\(?\s*["']([\w.-]+)(?:\/[^"']*)?["']/gm)) this.requiresCache.add(m[1]);
        }
      }
    }
    return this.requiresCache.has(gem) || this.requiresCache.has(gem.replace(/-/g, '/'));
  }

  configFile(): { path: string; text: string | undefined } {
    const file = this.options.configFile ? path.resolve(this.options.configFile) : path.join(this.root, CONFIG_FILE_NAME);
    return { path: file, text: this.files.read(file) };
  }

  currentLockfile(): { text: string; file: string } | undefined {
    for (const name of ['Gemfile.lock', 'gems.locked']) {
      const file = path.join(this.root, name);
      const text = this.files.read(file);
      if (text !== undefined) return { text, file };
    }
    return undefined;
  }

  baseLockfile(lockfileName: string): BaseLockfile | undefined {
    const ref = this.options.baseRef ?? this.settings.baseRef;
    const origin = this.options.baseRef !== undefined ? '--base' : 'dependencies.baseRef';
    if (!this.options.trusted) {
      this.logOnce('the workspace is not trusted, so git is not run');
      return undefined;
    }
    const key = `${this.root}\u0000${ref ?? ''}\u0000${lockfileName}`;
    const cached = baseCache.get(key);
    if (cached && Date.now() - cached.at < BASE_CACHE_MS) {
      this.baseProblem = cached.problem;
      return cached.value;
    }
    let value: BaseLockfile | undefined;
    let problem: string | undefined;
    const base = resolveBase(this.root, ref, origin);
    if ('error' in base) {
      this.logOnce(base.error);
      if (base.explicit) problem = `Base comparison is off: ${base.error}`;
    } else {
      const text = fileAtCommit(this.root, base.commit, lockfileName);
      if (text === undefined) this.log(`no ${lockfileName} at ${base.label} (${base.commit.slice(0, 12)}): every locked gem is new, nothing to compare`);
      else value = { label: base.label, commit: base.commit, lock: parseLockfile(text) };
    }
    baseCache.set(key, { at: Date.now(), value, problem });
    this.baseProblem = problem;
    return value;
  }

  private logOnce(reason: string): void {
    const key = `${this.root}\u0000${reason}`;
    if (loggedOff.has(key)) return;
    loggedOff.add(key);
    this.log(`dependencies: base comparisons are off for ${this.root}: ${reason}`);
  }
}

/** Forgets cached base lockfiles (tests, or after a branch switch the caller knows about). */
export function clearBaseCache(): void {
  baseCache.clear();
}

/**
 * Notices for a lockfile beside the rules' findings: its malformed lines (one per line, never a crash)
 * and, when a base was asked for explicitly and cannot be used, why base comparisons are off.
 */
export function lockfileNotices(file: string, text: string, facts: AppFacts): FileNotice[] {
  const notices: FileNotice[] = parseLockfile(text).problems.map((p) => ({
    file, message: `Gemfile.lock: ${p.message}`,
    range: { start: { line: p.line, character: p.startCol }, end: { line: p.line, character: p.endCol } },
  }));
  const deps = dependencyFacts(facts);
  if (deps instanceof DependencyProvider && deps.hasExplicitBase()) {
    deps.baseLockfile(path.basename(file));
    if (deps.baseProblem) notices.push({ file, severity: 'info', message: deps.baseProblem, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
  }
  return notices;
}

/** Notices for invalid values in the `dependencies:` section of `.rails-hazards.yml`, on their lines. */
export function dependencyConfigNotices(section: unknown, text: string, file: string): FileNotice[] {
  const problems = readDependencySettings(section).problems;
  if (problems.length === 0) return [];
  const lines = text.split(/\r\n|\r|\n/);
  const sectionLine = Math.max(0, lines.findIndex((l) => /^dependencies\s*:/.test(l)));
  return problems.map((p) => {
    let line = sectionLine;
    for (let i = sectionLine + 1; i < lines.length && !/^\S/.test(lines[i]); i++) {
      if (new RegExp(`^\\s+${p.key}\\s*:`).test(lines[i])) { line = i; break; }
    }
    return {
      file, message: `${p.message} (${CONFIG_FILE_NAME}: using the default instead)`,
      range: { start: { line, character: 0 }, end: { line, character: lines[line]?.length ?? 0 } },
    };
  });
}
