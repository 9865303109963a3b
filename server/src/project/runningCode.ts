// App files as the processes running before a migration have them, read from git (trusted workspaces only):
// the model at the merge-base for a migration added on the branch, the model just before the main-line commit
// (merge or direct) that added a deployed migration. remove-column reads its `ignored_columns` there: the usual safe sequence removes the
// ignore in the same commit that drops the column, so today's model no longer shows it.
import * as path from 'node:path';
import { fileAtCommit, mergeBaseWith, runGit } from './git';
import type { RunningCode } from '../migrations/runningCode';


export class GitRunningCode implements RunningCode {
  private mergeBase: string | null | undefined;
  private readonly cache = new Map<string, string | undefined>();
  /** Files at a commit (`<commit>\0<path>`): many migrations ask for the same model at the same merge-base. */
  private readonly files = new Map<string, string | undefined>();
  /** Files of a folder at a commit (`<commit>\0<folder>`; null: git could not list it): one `ls-tree` answers whether
   *  each migration is deployed and whether a model existed, instead of a `git` process per question. */
  private readonly listings = new Map<string, Set<string> | null>();

  constructor(private readonly root: string, private readonly trusted: boolean,
    private readonly baseRef: { ref: string; origin: string } | undefined) {}

  fileBefore(migrationRel: string, fileRel: string): string | undefined {
    if (!this.trusted) return undefined;
    const key = `${migrationRel}\0${fileRel}`;
    if (!this.cache.has(key)) this.cache.set(key, this.read(migrationRel, fileRel));
    return this.cache.get(key);
  }

  private read(migrationRel: string, fileRel: string): string | undefined {
    const base = this.base();
    if (!base) return undefined;
    if (!this.inBase(base, migrationRel)) return this.fileAt(base, fileRel);
    // The commit of the main line that brought the migration in (a pull request's merge commit, or a direct commit):
    // the code running before it is its first parent, not a commit inside the same pull request.
    const added = runGit(this.root, ['log', '-1', '--first-parent', '--format=%H', '--diff-filter=A', base, '--', migrationRel]);
    const commit = added.ok ? added.stdout.trim() : '';
    if (!/^[0-9a-f]{7,64}$/.test(commit)) return undefined;
    const parent = runGit(this.root, ['rev-parse', '--verify', '--quiet', `${commit}^1`]);
    const before = parent.ok ? parent.stdout.trim() : '';
    return /^[0-9a-f]{7,64}$/.test(before) ? this.fileAt(before, fileRel) : undefined;
  }

  private inBase(base: string, migrationRel: string): boolean {
    return this.existsAt(base, migrationRel) ?? runGit(this.root, ['cat-file', '-e', `${base}:./${migrationRel}`]).ok;
  }

  private fileAt(commit: string, fileRel: string): string | undefined {
    const key = `${commit}\0${fileRel}`;
    if (!this.files.has(key)) this.files.set(key, this.existsAt(commit, fileRel) === false ? undefined : fileAtCommit(this.root, commit, fileRel));
    return this.files.get(key);
  }

  /** Whether `fileRel` is in `commit`, from one listing of its folder there; undefined when git cannot list it. */
  private existsAt(commit: string, fileRel: string): boolean | undefined {
    const key = `${commit}\0${path.posix.dirname(fileRel)}`;
    let names = this.listings.get(key);
    if (names === undefined) {
      const listed = runGit(this.root, ['ls-tree', '-z', '--name-only', commit, '--', `./${path.posix.dirname(fileRel)}/`]);
      names = listed.ok ? new Set(listed.stdout.split('\0').filter(Boolean)) : null;
      this.listings.set(key, names);
    }
    return names ? names.has(fileRel) : undefined;
  }

  private base(): string | undefined {
    if (this.mergeBase === undefined) {
      const base = mergeBaseWith(this.root, this.baseRef);
      this.mergeBase = 'error' in base ? null : base.commit;
    }
    return this.mergeBase ?? undefined;
  }
}
