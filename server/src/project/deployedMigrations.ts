// Which migrations already ran in production, so the migration rules report only what is still to
// deploy (issue 11 item 1). In a trusted git work tree a migration file that exists at the merge-base
// of HEAD with the base branch is deployed (one `git ls-tree` per app); without git, a migration at or
// before the version of db/schema.rb (or the last schema_migrations insert of db/structure.sql) is.
import * as path from 'node:path';
import type { DeployedMigrations } from '../core/appFacts';
import { compareMigrationVersions, migrationVersionOf } from '../migrations/model';
import { mergeBaseWith, runGit } from './git';
import type { FileSource } from './files';
import { pathKind, readDirectory } from './inputs';

export interface DeployedMigrationsInput {
  root: string;
  files: FileSource;
  trusted: boolean;
  /** `--all-migrations` or `migrations.audit`: nothing counts as deployed. */
  audit: boolean;
  /** The base ref and where it came from (--base, migrations.baseRef, dependencies.baseRef). */
  baseRef?: { ref: string; origin: string };
  /** db/schema.rb's `define(version: …)`, already read by the project model. */
  schemaVersion?: string;
  log?: (message: string) => void;
}

const MIGRATION_DIR = /^(migrate|post_migrate|[a-z_]+_migrate)$/;

/** The app's migration folders relative to its root (db/migrate, db/post_migrate, db/<name>_migrate). */
export function migrationDirs(root: string): string[] {
  const dirs = new Set(['db/migrate', 'db/post_migrate']);
  try {
    for (const e of readDirectory(path.join(root, 'db'))) {
      if (e.isDirectory() && MIGRATION_DIR.test(e.name)) dirs.add(`db/${e.name}`);
    }
  } catch { /* no db folder */ }
  return [...dirs];
}

export function hasMigrationFolder(root: string): boolean {
  return migrationDirs(root).some((dir) => pathKind(path.join(root, dir)) !== '-');
}

function isMigrationPath(rel: string): boolean {
  return /(^|\/)db\/(migrate|post_migrate|[a-z_]+_migrate)\/\d+_[^/]+\.rb$/.test(rel);
}

/** Every migration file on disk (relative paths). */
function migrationFilesOnDisk(root: string): string[] {
  const out: string[] = [];
  for (const dir of migrationDirs(root)) {
    let names: string[];
    try { names = readDirectory(path.join(root, dir)).map((e) => e.name); } catch { continue; }
    for (const n of names) if (isMigrationPath(`${dir}/${n}`)) out.push(`${dir}/${n}`);
  }
  return out;
}

/** The highest version in db/structure.sql's `INSERT INTO "schema_migrations"` statements. */
export function structureSqlVersion(text: string): string | undefined {
  let best: string | undefined;
  const insert = /INSERT\s+INTO\s+(?:"?public"?\.)?[`"]?schema_migrations[`"]?\s*\(\s*[`"]?version[`"]?\s*\)\s*VALUES\s*([^;]*);/gi;
  for (const m of text.matchAll(insert)) {
    for (const v of m[1].matchAll(/'(\d+)'/g)) if (!best || compareMigrationVersions(v[1], best) > 0) best = v[1];
  }
  return best;
}

const normalize = (rel: string) => rel.replace(/\\/g, '/').replace(/^\.\//, '');

function everything(reason: string): DeployedMigrations {
  return { source: 'none', count: 0, reason, isDeployed: () => false };
}

/** Never throws; every failure falls back to the next source and says why in `reason`. */
export function readDeployedMigrations(input: DeployedMigrationsInput): DeployedMigrations & { head?: string } {
  if (input.audit) return { source: 'audit', count: 0, reason: 'audit mode: every migration is checked', isDeployed: () => false };
  let gitProblem: string | undefined;
  if (input.trusted) {
    const fromGit = deployedFromGit(input);
    if ('error' in fromGit) gitProblem = fromGit.error; else return fromGit;
  } else gitProblem = 'the workspace is not trusted, so git is not run';
  const fallback = deployedFromSchema(input);
  if (gitProblem) {
    input.log?.(`deployed migrations in ${input.root}: ${gitProblem}; ${fallback.reason}`);
    if (fallback.source === 'none') return everything(`${fallback.reason} (${gitProblem})`);
    // A base that was asked for and failed (a shallow CI clone, a typo) must not pass unnoticed.
    if (input.trusted && input.baseRef) fallback.reason += ` (${gitProblem})`;
  }
  return fallback;
}

function deployedFromGit(input: DeployedMigrationsInput): (DeployedMigrations & { head?: string }) | { error: string } {
  const { root } = input;
  const base = mergeBaseWith(root, input.baseRef);
  if ('error' in base) return { error: base.error };
  const { commit: mergeBase, label } = base;
  const listed = runGit(root, ['ls-tree', '-r', '-z', '--name-only', mergeBase, '--', ...migrationDirs(root)]);
  if (!listed.ok) return { error: `git ls-tree failed: ${listed.error}` };
  const deployed = new Set(listed.stdout.split('\0').map(normalize).filter(isMigrationPath));
  return {
    source: 'git', count: deployed.size, reason: `in ${label}`, head: headCommit(root),
    isDeployed: (relPath) => deployed.has(normalize(relPath)),
  };
}

/** HEAD's commit and branch ("<sha> refs/heads/main"), to notice a checkout, merge or rebase under a long-running server. */
export function headCommit(root: string): string | undefined {
  const r = runGit(root, ['rev-parse', 'HEAD', '--symbolic-full-name', 'HEAD']);
  return r.ok ? r.stdout.trim().split('\n').join(' ') || undefined : undefined;
}

function deployedFromSchema(input: DeployedMigrationsInput): DeployedMigrations {
  let version = input.schemaVersion?.replace(/_/g, '');
  let source: 'schema.rb' | 'structure.sql' = 'schema.rb';
  if (!version || !/^\d+$/.test(version)) {
    version = undefined;
    const sql = input.files.read(path.join(input.root, 'db/structure.sql'));
    if (sql !== undefined) { version = structureSqlVersion(sql); source = 'structure.sql'; }
  }
  if (!version || /^0+$/.test(version)) return everything('no git history and no version in db/schema.rb or db/structure.sql: every migration is checked');
  const cutoff = version;
  const deployed = (v: string | undefined) => !!v && compareMigrationVersions(v, cutoff) <= 0;
  let count: number | undefined;
  return {
    source, reason: `at or before db/${source} version ${cutoff}`,
    get count() { return count ??= migrationFilesOnDisk(input.root).filter((f) => deployed(migrationVersionOf(f))).length; },
    isDeployed: (relPath, v) => deployed(v ?? migrationVersionOf(relPath)),
  };
}
