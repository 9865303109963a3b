#!/usr/bin/env node
// The end-to-end suites in real editors, run by `npm test` (scripts/test.mjs) after the unit tests:
//   code-server  the extension-host suite (test/vscode) against the installed VSIX + the UI smoke test
//   nvim         Neovim headless as an LSP client (test/e2e/nvim-lsp.lua)
//   emacs        Emacs + eglot in batch mode as an LSP client (test/e2e/emacs-eglot.el)
// RAILS_HAZARDS_E2E=required (set by .ci/run): a suite that cannot run is a FAILURE.
// RAILS_HAZARDS_E2E=off: skip them all. Otherwise a missing tool skips its suite with a message.
// Usage: node scripts/e2e.mjs [code-server] [nvim] [emacs]
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.env.RAILS_HAZARDS_E2E ?? 'auto';
const MISSING = 3; // exit code of the drivers when a tool is not installed

const suites = [
  { name: 'code-server', argv: ['test/e2e/codeserver.mjs'], how: '.ci/install-e2e (apt chromium libkrb5-dev pkg-config; Node 24, code-server, playwright-core into $E2E_HOME), then node test/e2e/codeserver.mjs' },
  { name: 'nvim', argv: ['test/e2e/editors.mjs', 'nvim'], how: 'apt-get install neovim, then node test/e2e/editors.mjs nvim' },
  { name: 'emacs', argv: ['test/e2e/editors.mjs', 'emacs'], how: 'apt-get install emacs-nox elpa-eglot, then node test/e2e/editors.mjs emacs' },
];
const only = process.argv.slice(2);
const selected = only.length ? suites.filter((s) => only.includes(s.name)) : suites;

if (mode === 'off') {
  console.log(`end-to-end suites skipped (RAILS_HAZARDS_E2E=off): ${selected.map((s) => s.name).join(', ')}`);
  process.exit(0);
}

const results = [];
for (const suite of selected) {
  const started = Date.now();
  console.log(`\n=== end-to-end: ${suite.name} ===`);
  const r = spawnSync(process.execPath, suite.argv, { cwd: REPO, stdio: 'inherit', env: process.env });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status === 0) results.push({ suite, status: 'passed', secs });
  else if (r.status === MISSING && mode !== 'required') results.push({ suite, status: 'skipped', secs });
  else results.push({ suite, status: r.status === MISSING ? 'FAILED (tools missing; RAILS_HAZARDS_E2E=required)' : 'FAILED', secs });
}

console.log('\nend-to-end summary:');
for (const { suite, status, secs } of results) {
  console.log(`  ${suite.name}: ${status}${status === 'skipped' ? `; to run it: ${suite.how}` : ` (${secs}s)`}`);
}
const count = (s) => results.filter((r) => r.status.startsWith(s)).length;
console.log(`${count('passed')} passed, ${count('FAILED')} failed, ${count('skipped')} skipped (end-to-end suites)`);
process.exit(count('FAILED') ? 1 : 0);
