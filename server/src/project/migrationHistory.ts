// Reads an app's migration files (db/migrate, db/post_migrate, `migrations.paths`) into the history
// model: each file is parsed once and summarised; a changed file is re-read on the next access.
import * as path from 'node:path';
import { parseRuby } from '../parsing/treeSitter';
import { buildMigrationModel, migrationVersionOf } from '../migrations/model';
import { historyOpsOf } from '../migrations/historyOps';
import { MigrationHistory, type MigrationSummary } from '../migrations/history';
import type { FileSource } from './files';
import { filesUnder } from './appFolders';

export const DEFAULT_MIGRATION_PATHS = ['db/migrate', 'db/post_migrate'];

export function summarizeMigration(file: string, text: string): MigrationSummary | undefined {
  const version = migrationVersionOf(file);
  if (!version) return undefined;
  const tree = parseRuby(text);
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
  private summaries: Map<string, MigrationSummary | undefined> | undefined;
  private history: MigrationHistory | undefined;
  private readonly dirty = new Set<string>();

  constructor(private readonly root: string, private readonly files: FileSource, private readonly log: (m: string) => void,
    private readonly paths: () => string[] = () => DEFAULT_MIGRATION_PATHS) {}

  get(): MigrationHistory {
    if (!this.summaries) {
      this.summaries = new Map();
      for (const dir of this.directories()) {
        for (const file of filesUnder(dir, (name) => /^\d+_.*\.rb$/.test(name))) this.load(file);
      }
      this.dirty.clear();
      this.history = undefined;
    }
    if (this.dirty.size) {
      for (const file of this.dirty) this.load(file);
      this.dirty.clear();
      this.history = undefined;
    }
    if (!this.history) this.history = new MigrationHistory([...this.summaries.values()].filter((s): s is MigrationSummary => !!s));
    return this.history;
  }

  /** Forgets everything (the configured paths changed). */
  reset(): void {
    this.summaries = undefined;
    this.history = undefined;
    this.dirty.clear();
  }

  /** Marks a changed, created or deleted migration file; returns true when it belongs to the history. */
  changed(file: string): boolean {
    if (!this.isMigrationFile(file)) return false;
    if (this.summaries) this.dirty.add(file);
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

  private load(file: string): void {
    const text = this.files.read(file);
    if (text === undefined) { this.summaries!.delete(file); return; }
    try {
      this.summaries!.set(file, summarizeMigration(file, text));
    } catch (error) {
      this.log(`migration history: skipped ${file}: ${String(error)}`);
      this.summaries!.delete(file);
    }
  }
}
