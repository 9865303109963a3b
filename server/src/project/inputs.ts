// Every file-system read of the project model goes through here, so that a check can record what its
// result depended on and a later run can tell, without analysing again, whether any of it changed
// (the CLI's result cache, cli/resultCache.ts). Recording is off unless a caller starts it; git reads
// are recorded by project/git.ts through `noteInput`.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

/**
 * What a read asked and a digest of what came back: the content hash of a file (or why it was not read),
 * a directory's entries with their types, what a path is, a directory's identity, a git command's output.
 */
export type InputOp = 'read' | 'head' | 'kind' | 'list' | 'dirId' | 'git';
export type Input = [op: InputOp, path: string, arg: string, digest: string];

interface Recording { inputs: Map<string, Input>; unstable?: string }
let recording: Recording | undefined;

export function startRecording(): void {
  recording = { inputs: new Map() };
}

/** The inputs read since `startRecording`; `unstable` says why they cannot stand for the result (a file changed mid-run). */
export function stopRecording(): { inputs: Input[]; unstable?: string } {
  const r = recording;
  recording = undefined;
  return { inputs: r ? [...r.inputs.values()] : [], unstable: r?.unstable };
}

export function markUnstable(reason: string): void {
  if (recording && recording.unstable === undefined) recording.unstable = reason;
}

/** Records one read; the digest is computed only while recording. The same read answered differently twice makes the run unstable. */
export function noteInput(op: InputOp, path: string, arg: string, digest: () => string): void {
  if (!recording) return;
  const key = `${op}\0${path}\0${arg}`;
  const seen = recording.inputs.get(key);
  if (seen && snapshot) return; // answered from the snapshot: the same as when it was recorded
  const d = digest();
  if (!seen) recording.inputs.set(key, [op, path, arg, d]);
  else if (seen[3] !== d) markUnstable(`${path} changed during the check`);
}

/**
 * A check reads a tree that does not change under it. While a snapshot is on, each file, folder listing, path kind
 * and directory identity is read from disk once and answered from memory afterwards: the app indexes, the
 * dependency facts and each file's own analysis read the same files (openfoodnetwork's check opened 1,921 files
 * 5,465 times and listed 482 folders 1,822 times). Reads are recorded for the result cache as before. The server
 * never takes a snapshot: its files change while it runs.
 */
interface Snapshot {
  reads: Map<string, RawRead>;
  lists: Map<string, fs.Dirent[] | { error: unknown }>;
  kinds: Map<string, PathKind>;
  ids: Map<string, string | { error: unknown }>;
}
let snapshot: Snapshot | undefined;

export function startSnapshot(): void {
  snapshot = { reads: new Map(), lists: new Map(), kinds: new Map(), ids: new Map() };
}

export function stopSnapshot(): void {
  snapshot = undefined;
}

/** crypto.hash (Node 20.12+) is the one-shot form: no Hash object per file, which a warm check makes thousands of. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'base64') => string }).hash;

export function contentHash(data: string | Uint8Array): string {
  return oneShot ? oneShot('sha1', data, 'base64') : crypto.createHash('sha1').update(data).digest('base64');
}

const errorDigest = (error: unknown) => `!${(error as NodeJS.ErrnoException).code ?? String(error)}`;

/** A file's bytes when it is a regular file of at most `maxBytes`; otherwise why not (its size when too big). */
export type RawRead = { bytes: Uint8Array } | { notFile: true } | { size: number } | { error: unknown };

const READ_NONBLOCKING = fs.constants.O_NONBLOCK === undefined ? 'r' : fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;

function rawRead(path: string, maxBytes: number): RawRead {
  let fd: number | undefined;
  try {
    // One open and an fstat of the descriptor: the path is resolved once. Non-blocking, so a FIFO named like a
    // source file is reported as not a file instead of waiting for a writer.
    fd = fs.openSync(path, READ_NONBLOCKING);
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { notFile: true };
    if (stat.size > maxBytes) return { size: stat.size };
    return { bytes: fs.readFileSync(fd) };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EISDIR' ? { notFile: true } : { error };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

const rawDigest = (r: RawRead) => ('bytes' in r ? contentHash(r.bytes) : 'notFile' in r ? '!notfile' : 'size' in r ? `!size ${r.size}` : errorDigest(r.error));

export function readRaw(path: string, maxBytes: number): RawRead {
  const r = snapshot ? snapshotted(snapshot.reads, `${maxBytes}\0${path}`, () => rawRead(path, maxBytes)) : rawRead(path, maxBytes);
  noteInput('read', path, String(maxBytes), () => rawDigest(r));
  return r;
}

/** The first `bytes` bytes of a file, whatever its size. */
export function readHead(path: string, bytes: number): Uint8Array | undefined {
  const r = rawHead(path, bytes);
  noteInput('head', path, String(bytes), () => (r ? contentHash(r) : '!'));
  return r;
}

function rawHead(path: string, bytes: number): Uint8Array | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, 'r');
    const buffer = Buffer.alloc(bytes);
    const n = fs.readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, n);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** What a path is, following symlinks: f(ile), d(irectory), o(ther) or - (missing or unreadable). */
export type PathKind = 'f' | 'd' | 'o' | '-';

function rawKind(path: string): PathKind {
  try {
    const s = fs.statSync(path, { throwIfNoEntry: false });
    return !s ? '-' : s.isFile() ? 'f' : s.isDirectory() ? 'd' : 'o';
  } catch {
    return '-';
  }
}

function snapshotted<T>(map: Map<string, T>, key: string, read: () => T): T {
  let value = map.get(key);
  if (value === undefined) { value = read(); map.set(key, value); }
  return value;
}

export function pathKind(path: string): PathKind {
  const k = snapshot ? snapshotted(snapshot.kinds, path, () => rawKind(path)) : rawKind(path);
  noteInput('kind', path, '', () => k);
  return k;
}

export const isDirectory = (path: string) => pathKind(path) === 'd';
export const isFile = (path: string) => pathKind(path) === 'f';

const direntKind = (e: fs.Dirent) => (e.isFile() ? 'f' : e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : 'o');
/** Entries in the order the directory gives them: callers walk them in that order. */
const direntsDigest = (entries: fs.Dirent[]) => contentHash(entries.map((e) => `${direntKind(e)}${e.name}`).join('\0'));

/** fs.readdirSync(dir, { withFileTypes: true }), recorded; throws as it does. */
export function readDirectory(dir: string): fs.Dirent[] {
  const listed = snapshot ? snapshotted(snapshot.lists, dir, () => rawList(dir)) : rawList(dir);
  if (!Array.isArray(listed)) {
    noteInput('list', dir, '', () => errorDigest(listed.error));
    throw listed.error;
  }
  noteInput('list', dir, '', () => direntsDigest(listed));
  // A copy: callers may sort or filter the entries in place.
  return snapshot ? listed.slice() : listed;
}

function rawList(dir: string): fs.Dirent[] | { error: unknown } {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    return { error };
  }
}

/**
 * A directory's identity, device and inode, following symlinks: how the listings detect symlink loops
 * and directories reached twice with one stat instead of a realpath (an lstat per path component).
 * Bigint, as 64-bit inodes (Windows file ids, some Linux filesystems) do not fit a double. Throws as statSync does.
 */
export function directoryId(dir: string): string {
  const id = snapshot ? snapshotted(snapshot.ids, dir, () => rawDirectoryId(dir)) : rawDirectoryId(dir);
  if (typeof id !== 'string') {
    noteInput('dirId', dir, '', () => errorDigest(id.error));
    throw id.error;
  }
  noteInput('dirId', dir, '', () => id);
  return id;
}

function rawDirectoryId(dir: string): string | { error: unknown } {
  try {
    const s = fs.statSync(dir, { bigint: true });
    return `${s.dev}:${s.ino}`;
  } catch (error) {
    return { error };
  }
}

/** The digest a file-system input has now (git inputs are replayed by the caller, who knows git). */
export function currentDigest(op: Exclude<InputOp, 'git'>, path: string, arg: string): string {
  switch (op) {
    case 'read': return rawDigest(rawRead(path, Number(arg)));
    case 'head': { const r = rawHead(path, Number(arg)); return r ? contentHash(r) : '!'; }
    case 'kind': return rawKind(path);
    case 'list':
      try { return direntsDigest(fs.readdirSync(path, { withFileTypes: true })); } catch (error) { return errorDigest(error); }
    case 'dirId':
      try { const s = fs.statSync(path, { bigint: true }); return `${s.dev}:${s.ino}`; } catch (error) { return errorDigest(error); }
  }
}
