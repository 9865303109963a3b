import { pathToFileURL, fileURLToPath } from 'node:url';

export const URI = {
  fromFile(file: string): string { return pathToFileURL(file).toString(); },
  toFile(uri: string): string | undefined {
    try { return uri.startsWith('file:') ? fileURLToPath(uri) : undefined; } catch { return undefined; }
  },
};
