import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { BIN } from './lspClient';

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

/** `[rule, line, column]` of what `rails-hazards check --format json` reports in db/migrate of an app made of `files`. */
export function migrationFindings(files: Record<string, string>): [string, number, number][] {
  const root = makeApp(files);
  const r = spawnSync(process.execPath, [BIN, 'check', root, '--format', 'json', '--fail-on', 'never', '--no-cache'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout).findings as { file: string; rule: string; line: number; column: number }[])
    .filter((f) => f.file.includes('db/migrate/')).map((f) => [f.rule, f.line, f.column]);
}
