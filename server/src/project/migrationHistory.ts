// Reads an app's migration files (db/migrate, db/post_migrate, `migrations.paths`) into the history
// model: each file is parsed once and summarised; a changed file is re-read on the next access.
import { parseForIndex } from './treeShare';
import { cachedSummary } from './summaryStore';
import * as path from 'node:path';
import { buildMigrationModel, migrationVersionOf } from '../migrations/model';
import { historyOpsOf } from '../migrations/historyOps';
import { MigrationHistory, type MigrationSummary } from '../migrations/history';
import type { FileSource } from './files';
import { filesUnder } from './appFolders';
import { FileSummaries } from './fileSummaries';

export const DEFAULT_MIGRATION_PATHS = ['db/migrate', 'db/post_migrate'];

export function summarizeMigration(file: string, text: string): MigrationSummary | undefined {
  const version = migrationVersionOf(file);
  if (!version) return undefined;
  const tree = parseForIndex(file, text);
  try {
    return { version, file, ops: historyOpsOf(buildMigrationModel(tree, file)) };
  } finally {
    tree.delete();
  }
}

/** Builds a history from file texts (tests, and the loader below). */
export function historyFromTexts(files: { file: string; text: string }[]): MigrationHistory {
  return new MigrationHistory(files.map((f) => summarizeMigration(f.file, f.text)).filter((s): s is MigrationSummary => !!s));
}

export class MigrationHistoryLoader {
  private readonly migrations: FileSummaries<MigrationSummary, MigrationHistory>;

  constructor(private readonly root: string, private readonly files: FileSource, private readonly log: (m: string) => void,
    private readonly paths: () => string[] = () => DEFAULT_MIGRATION_PATHS) {
    this.migrations = new FileSummaries(
      () => this.directories().flatMap((dir) => filesUnder(dir, (name) => /^\d+_.*\.rb$/.test(name))),
      (file) => this.summarise(file),
      (summaries) => new MigrationHistory([...summaries]),
    );
  }

  get(): MigrationHistory {
    return this.migrations.get();
  }

  /** Forgets everything (the configured paths changed). */
  reset(): void {
    this.migrations.reset();
  }

  /** Marks a changed, created or deleted migration file; returns true when it belongs to the history. */
  changed(file: string): boolean {
    if (!this.isMigrationFile(file)) return false;
    this.migrations.changed(file);
    return true;
  }

  /** The configured folders inside the app root (a path leading outside it is ignored). */
  private directories(): string[] {
    const root = path.resolve(this.root);
    const inside = (d: string) => d === root || d.startsWith(root + path.sep);
    return [...new Set(this.paths().map((p) => path.resolve(root, p)).filter(inside))];
  }

  private isMigrationFile(file: string): boolean {
    if (!/^\d+_.*\.rb$/.test(path.basename(file))) return false;
    const dir = path.resolve(path.dirname(file));
    return this.directories().some((d) => dir === d || dir.startsWith(d + path.sep));
  }

  private summarise(file: string): MigrationSummary | undefined {
    const text = this.files.read(file);
    if (text === undefined) return undefined;
    try {
      return cachedSummary('migrationHistory', file, text, () => summarizeMigration(file, text));
    } catch (error) {
      this.log(`migration history: skipped ${file}: ${String(error)}`);
      return undefined;
    }
  }
}
