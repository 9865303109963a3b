#!/usr/bin/env node
// Neovim and Emacs/eglot, headless, as real LSP clients of `bin/rails-hazards lsp --stdio` on a copy of
// examples/sample-app: diagnostics, hover, a code action applied, the diagnostic cleared, the file on disk.
// Usage: node test/e2e/editors.mjs [nvim|emacs ...]   (default: both)
// Env: RAILS_HAZARDS_OUT (compiled output the server runs from, else dist/), NVIM, EMACS (binaries).
// Exit code 0 = passed, 1 = failed, 3 = an editor is missing (the message says which).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const which = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).stdout.trim() || undefined;
const found = (p) => (p && fs.existsSync(p) ? p : undefined);
const eglot = () => ['/usr/share/emacs/site-lisp/elpa-src', '/usr/share/emacs/site-lisp/elpa']
  .some((d) => fs.existsSync(d) && fs.readdirSync(d).some((x) => x.startsWith('eglot')));
const editors = {
  nvim: { bin: found(process.env.NVIM || which('nvim')), install: 'apt-get install neovim (0.7+)' },
  // eglot ships with Emacs 29+; on Debian 12 (Emacs 28) it is the elpa-eglot package
  emacs: { bin: found(process.env.EMACS || which('emacs')), install: 'apt-get install emacs-nox elpa-eglot (eglot 1.9+, Emacs 28+)' },
};
if (editors.emacs.bin && !process.env.EMACS && !eglot()) {
  const v = spawnSync(editors.emacs.bin, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  if (!/GNU Emacs (29|[3-9]\d)/.test(v)) editors.emacs.bin = undefined;
}
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(editors);

const RULE = 'migrations/add-index-non-concurrent';
const MIGRATION = 'db/migrate/20250301090000_add_email_index_to_patients.rb';
const EXPECTED = [
  'class AddEmailIndexToPatients < ActiveRecord::Migration[7.2]',
  '  disable_ddl_transaction!',
  '',
  '  def change',
  '    add_index :patients, :email, unique: true, algorithm: :concurrently',
  '  end',
  'end',
  '',
].join('\n');

function runOne(name) {
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `rh-${name}-`));
  const app = path.join(tmp, 'sample-app');
  fs.cpSync(path.join(REPO, 'examples', 'sample-app'), app, { recursive: true });
  const xdg = Object.fromEntries(['CONFIG', 'DATA', 'CACHE', 'STATE'].map((k) => [`XDG_${k}_HOME`, path.join(tmp, 'xdg', k.toLowerCase())]));
  [...Object.values(xdg), path.join(tmp, 'home')].forEach((d) => fs.mkdirSync(d, { recursive: true }));
  const file = path.join(app, MIGRATION);
  const env = {
    ...process.env, ...xdg, HOME: path.join(tmp, 'home'), // editors keep their state out of the real home
    RH_LSP_CMD: JSON.stringify([process.execPath, path.join(REPO, 'bin', 'rails-hazards'), 'lsp', '--stdio']),
    RH_ROOT: app, RH_FILE: file, RH_RULE: RULE, RH_FIX: 'Add `algorithm: :concurrently`', RH_MATCH: 'SHARE lock',
  };
  const { bin } = editors[name];
  const r = name === 'nvim'
    ? spawnSync(bin, ['--headless', '--clean', '-n', '-c', `luafile ${path.join(REPO, 'test', 'e2e', 'nvim-lsp.lua')}`, file],
      { env, encoding: 'utf8', timeout: 120_000, cwd: app })
    : spawnSync(bin, ['--batch', '-l', path.join(REPO, 'test', 'e2e', 'emacs-eglot.el')], { env, encoding: 'utf8', timeout: 120_000, cwd: app });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const lines = output.split('\n').filter((l) => /^(DIAGNOSTIC|HOVER|CODE_ACTION|APPLIED|OK|FAIL)/.test(l));
  for (const l of lines) console.log(`  [${name}] ${l}`);
  const onDisk = fs.readFileSync(file, 'utf8');
  const problems = [];
  if (r.error) problems.push(String(r.error));
  if (r.status !== 0) problems.push(`exit ${r.status ?? r.signal}`);
  if (!lines.some((l) => l.startsWith('OK'))) problems.push('no OK line');
  if (onDisk !== EXPECTED) problems.push(`file on disk after the fix:\n${onDisk}`);
  if (problems.length) {
    console.log(`  [${name}] output:\n${output.split('\n').slice(-40).join('\n')}`);
    console.log(`${name} suite: FAILED (${problems.join('; ')})`);
    return false;
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`${name} suite: passed in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return true;
}

let missing = false;
let failed = false;
for (const name of wanted) {
  const e = editors[name];
  if (!e) { console.log(`unknown editor ${name}`); failed = true; continue; }
  if (!e.bin) { console.log(`${name} suite: ${name} not found; install with ${e.install}`); missing = true; continue; }
  if (!runOne(name)) failed = true;
}
process.exit(failed ? 1 : missing ? 3 : 0);
