// App files as the processes running before a migration have them, read from git (trusted workspaces only):
// the model at the merge-base for a migration added on the branch, the model just before the main-line commit
// (merge or direct) that added a deployed migration. remove-column reads its `ignored_columns` there: the usual safe sequence removes the
// ignore in the same commit that drops the column, so today's model no longer shows it.
import { fileAtCommit, mergeBaseWith, runGit } from './git';
import type { RunningCode } from '../migrations/runningCode';


export class GitRunningCode implements RunningCode {
  private mergeBase: string | null | undefined;
  private readonly cache = new Map<string, string | undefined>();

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
    const deployed = runGit(this.root, ['cat-file', '-e', `${base}:./${migrationRel}`]).ok;
    if (!deployed) return fileAtCommit(this.root, base, fileRel);
    // The commit of the main line that brought the migration in (a pull request's merge commit, or a direct commit):
    // the code running before it is its first parent, not a commit inside the same pull request.
    const added = runGit(this.root, ['log', '-1', '--first-parent', '--format=%H', '--diff-filter=A', base, '--', migrationRel]);
    const commit = added.ok ? added.stdout.trim() : '';
    if (!/^[0-9a-f]{7,64}$/.test(commit)) return undefined;
    const parent = runGit(this.root, ['rev-parse', '--verify', '--quiet', `${commit}^1`]);
    const before = parent.ok ? parent.stdout.trim() : '';
    return /^[0-9a-f]{7,64}$/.test(before) ? fileAtCommit(this.root, before, fileRel) : undefined;
  }

  private base(): string | undefined {
    if (this.mergeBase === undefined) {
      const base = mergeBaseWith(this.root, this.baseRef);
      this.mergeBase = 'error' in base ? null : base.commit;
    }
    return this.mergeBase ?? undefined;
  }
}
