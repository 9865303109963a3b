import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const SAMPLE_APP = path.resolve(__dirname, '../../../examples/sample-app');

/** A throwaway copy of the sample app (tests edit files). */
export function copySampleApp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-sample-'));
  fs.cpSync(SAMPLE_APP, dir, { recursive: true });
  return dir;
}

/** A temporary app made of the given files (relative path → content). */
export function makeApp(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-app-'));
  if (!('Gemfile' in files)) files = { Gemfile: 'source "https://rubygems.org"\n', ...files };
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(dir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return dir;
}
