// Git, safely: the only process Rails Hazards ever starts, and only for trusted workspaces (the caller
// checks). No shell (execFileSync with an argument list), fsmonitor and hooks off, no pager, no prompt,
// a timeout, and only plumbing commands that run nothing from the repository (rev-parse, merge-base,
// symbolic-ref, cat-file: no textconv, no filters, no external diff).
import { execFileSync } from 'node:child_process';
import { isSafeGitRef } from '../lockfile/facts';
import { contentHash, markUnstable, noteInput } from './inputs';

export const GIT_TIMEOUT_MS = 5000;
const GIT_PREFIX = ['-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null', '--no-pager'];

export type GitResult = { ok: true; stdout: string } | { ok: false; error: string; missing?: boolean; timedOut?: boolean };

/** Runs `git <args>` in `cwd`. Never throws. Recorded as an input of the analysis (see inputs.ts). */
export function runGit(cwd: string, args: string[], timeoutMs = GIT_TIMEOUT_MS): GitResult {
  const result = execGit(cwd, args, timeoutMs);
  if (!result.ok && result.timedOut) markUnstable(`git ${args[0]} timed out`);
  noteInput('git', cwd, JSON.stringify(args), () => gitDigest(result));
  return result;
}

export const gitDigest = (result: GitResult) => `${result.ok ? 'ok' : 'failed'} ${contentHash(JSON.stringify(result))}`;

/**
 * Whether a recorded git answer can never change: a successful read of objects named by a full commit id
 * (no ref such as HEAD or a branch), which git addresses by content. A failure is not final (a shallow
 * clone may fetch the object later), nor is `log` (its history ends at a shallow clone's boundary).
 */
export function isImmutableGitAnswer(args: readonly string[], digest: string): boolean {
  return digest.startsWith('ok ') && ['cat-file', 'ls-tree', 'rev-parse'].includes(args[0])
    && args.some((a) => /(^|[^0-9a-f])[0-9a-f]{40}([0-9a-f]{24})?($|[^0-9a-f])/.test(a)) && !args.some((a) => /HEAD|refs\//.test(a));
}

/** The object a failed `cat-file -e|blob <commit>:<path>` asked for: if it is still missing, the answer is the same. */
export function missingObjectOf(args: readonly string[], digest: string): string | undefined {
  return digest.startsWith('failed ') && args.length === 3 && args[0] === 'cat-file' && (args[1] === '-e' || args[1] === 'blob')
    && /^[0-9a-f]{40}([0-9a-f]{24})?:/.test(args[2]) ? args[2] : undefined;
}

/** Whether each object name (`<commit>:<path>`) is missing from the repository, with one `git cat-file --batch-check`; undefined when git fails. */
export function missingObjects(cwd: string, names: readonly string[]): boolean[] | undefined {
  if (names.some((n) => n.includes('\n'))) return undefined;
  const r = execGit(cwd, ['cat-file', '--batch-check'], GIT_TIMEOUT_MS, names.map((n) => `${n}\n`).join(''));
  if (!r.ok) return undefined;
  const lines = r.stdout.split('\n');
  if (lines.length < names.length) return undefined;
  return names.map((n, i) => lines[i] === `${n} missing`);
}

function execGit(cwd: string, args: string[], timeoutMs: number, input?: string): GitResult {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', GIT_PAGER: 'cat', LC_ALL: 'C' };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_EXTERNAL_DIFF', 'GIT_SSH_COMMAND']) delete env[k];
  try {
    const stdout = execFileSync('git', [...GIT_PREFIX, ...args], {
      cwd, env, timeout: timeoutMs, encoding: 'utf8', stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], input, maxBuffer: 32 * 1024 * 1024, windowsHide: true,
    });
    return { ok: true, stdout };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string; signal?: string };
    if (e.code === 'ENOENT') return { ok: false, error: 'git is not installed (or not on PATH)', missing: true };
    if (e.code === 'ETIMEDOUT' || e.signal === 'SIGTERM') return { ok: false, error: `git ${args[0]} timed out after ${timeoutMs} ms`, timedOut: true };
    const stderr = typeof e.stderr === 'string' ? e.stderr.trim().split('\n')[0] : '';
    return { ok: false, error: stderr || e.message };
  }
}

export type BaseResolution = { commit: string; label: string } | { error: string; explicit: boolean };

/**
 * The base revision: `ref` when given (the CLI's --base or dependencies.baseRef), else the merge-base
 * of HEAD with the default branch (origin/HEAD, else main, master, origin/main, origin/master).
 */
export function resolveBase(cwd: string, ref: string | undefined, refOrigin = '--base'): BaseResolution {
  const inside = runGit(cwd, ['rev-parse', '--is-inside-work-tree']);
  if (!inside.ok) {
    return { error: inside.missing ? inside.error : `not inside a git repository (${inside.error})`, explicit: ref !== undefined };
  }
  if (ref !== undefined) {
    if (!isSafeGitRef(ref)) return { error: `${JSON.stringify(ref)} via ${refOrigin} is not a branch, tag or commit`, explicit: true };
    const r = runGit(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
    if (!r.ok || !r.stdout.trim()) return { error: `${ref} via ${refOrigin}: no such commit in this repository`, explicit: true };
    return { commit: r.stdout.trim(), label: `${ref} via ${refOrigin}` };
  }
  const head = runGit(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (!head.ok || !head.stdout.trim()) return { error: 'the repository has no commits yet', explicit: false };
  for (const branch of defaultBranchCandidates(cwd)) {
    const mb = runGit(cwd, ['merge-base', 'HEAD', branch]);
    if (mb.ok && mb.stdout.trim()) return { commit: mb.stdout.trim(), label: `merge-base of HEAD and ${branch}` };
  }
  return { error: 'no default branch found (origin/HEAD, main, master); set dependencies.baseRef or pass --base', explicit: false };
}

/**
 * The commit the running code is at: the merge-base of HEAD with `baseRef` (an explicit ref), else with the default
 * branch (origin/HEAD, main, master). `label` names it for messages ("origin/main", "main via --base").
 */
export function mergeBaseWith(cwd: string, baseRef: { ref: string; origin: string } | undefined): { commit: string; label: string } | { error: string } {
  const base = resolveBase(cwd, baseRef?.ref, baseRef?.origin);
  if ('error' in base) return { error: base.error };
  if (!baseRef) return { commit: base.commit, label: base.label.replace(/^merge-base of HEAD and /, '') };
  const mb = runGit(cwd, ['merge-base', 'HEAD', base.commit]);
  if (!mb.ok || !mb.stdout.trim()) return { error: `no merge-base of HEAD and ${baseRef.ref}` };
  return { commit: mb.stdout.trim(), label: base.label };
}

function defaultBranchCandidates(cwd: string): string[] {
  const out: string[] = [];
  const sym = runGit(cwd, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']);
  if (sym.ok && isSafeGitRef(sym.stdout.trim())) out.push(sym.stdout.trim());
  for (const b of ['refs/heads/main', 'refs/heads/master', 'refs/remotes/origin/main', 'refs/remotes/origin/master']) {
    const r = runGit(cwd, ['rev-parse', '--verify', '--quiet', b]);
    if (r.ok && r.stdout.trim()) out.push(b.replace(/^refs\/(heads|remotes)\//, ''));
  }
  return Array.from(new Set(out));
}

/** A file's content at `commit` (path relative to `cwd`), or undefined when it does not exist there. */
export function fileAtCommit(cwd: string, commit: string, relPath: string): string | undefined {
  if (!/^[0-9a-f]{7,64}$/.test(commit) || relPath.includes('\n')) return undefined;
  const r = runGit(cwd, ['cat-file', 'blob', `${commit}:./${relPath.replace(/\\/g, '/')}`]);
  return r.ok ? r.stdout : undefined;
}
