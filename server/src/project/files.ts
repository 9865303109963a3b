// Reading workspace files safely: size limits, binary detection and invalid UTF-8 become notices.
import { isFile, readRaw } from './inputs';

export { directoryId } from './inputs';

export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

export type ReadResult = { text: string; notice?: string } | { text?: undefined; notice: string };

/** Where the project model reads files from: disk, or the editor's unsaved buffers first. */
export interface FileSource {
  read(path: string): string | undefined;
  exists(path: string): boolean;
}

export function decodeSource(bytes: Uint8Array, maxBytes = DEFAULT_MAX_FILE_BYTES): ReadResult {
  if (bytes.length > maxBytes) {
    return { notice: `skipped: ${(bytes.length / 1048576).toFixed(1)} MB is over the ${(maxBytes / 1048576).toFixed(1)} MB limit (railsHazards.maxFileSizeKb)` };
  }
  const head = bytes.subarray(0, 8000);
  if (head.includes(0)) return { notice: 'skipped: the file looks binary (it contains NUL bytes)' };
  try {
    return { text: stripBom(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch {
    return {
      text: stripBom(new TextDecoder('utf-8').decode(bytes)),
      notice: 'the file is not valid UTF-8; invalid bytes were read as U+FFFD and positions near them may be off',
    };
  }
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function readSourceFile(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): ReadResult {
  const r = readRaw(path, maxBytes);
  if ('bytes' in r) return decodeSource(r.bytes, maxBytes);
  if ('notFile' in r) return { notice: 'skipped: not a regular file' };
  if ('size' in r) return decodeSource(new Uint8Array(r.size), maxBytes);
  return { notice: `skipped: cannot read (${(r.error as NodeJS.ErrnoException).code ?? String(r.error)})` };
}

export const diskFiles: FileSource = {
  read(path) {
    const r = readSourceFile(path);
    return r.text;
  },
  exists(path) {
    // No exception for a missing file: the app-root lookup asks about many files that do not exist.
    return isFile(path);
  },
};
