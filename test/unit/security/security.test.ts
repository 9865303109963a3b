// Nothing from the workspace executes: no process is started except git (in server/src/project/git.ts,
// without a shell), nothing is eval'd; the scan skips symlink loops and unreadable files with a log line;
// fixes never write outside the workspace folders.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Workspace } from '../../../server/src/project/workspace';
import { allRules } from '../../../server/src/rules';
import { initParsers } from '../../../server/src/parsing/treeSitter';
import { fixesInside, isInside } from '../../../server/src/lsp/fixScope';
import { makeApp, copySampleApp } from '../../helpers/fixtures';
import { LspClient, uriOf } from '../../helpers/lspClient';

const REPO = path.resolve(__dirname, '../../../..');
const GIT_MODULE = 'server/src/project/git.ts';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (/\.ts$/.test(e.name)) out.push(rel.replace(/\\/g, '/'));
  }
  return out;
}

describe('nothing from the workspace executes', () => {
  const files = [...sources('server/src'), ...sources('client/src')];

  test('child_process is used only by the git module', () => {
    const users = files.filter((f) => /\bchild_process\b/.test(fs.readFileSync(path.join(REPO, f), 'utf8').replace(/^\s*\/\/.*$/gm, '')));
    assert.deepEqual(users.filter((f) => f !== GIT_MODULE), []);
  });

  test('the git module runs only `git`, with an argument list and no shell', () => {
    const file = path.join(REPO, GIT_MODULE);
    if (!fs.existsSync(file)) return;
    const text = fs.readFileSync(file, 'utf8');
    const calls = [...text.matchAll(/\b(execFileSync|execFile|spawnSync|spawn|exec|execSync|fork)\s*\(\s*([^,)]*)/g)];
    assert.ok(calls.length > 0);
    for (const [, fn, program] of calls) {
      assert.ok(fn === 'execFileSync' || fn === 'execFile' || fn === 'spawn' || fn === 'spawnSync', `${fn} starts a shell`);
      assert.equal(program.trim(), "'git'", `${fn}(${program}) runs something other than git`);
    }
    assert.doesNotMatch(text, /shell:\s*true/);
  });

  test('no eval, new Function, vm or dynamic require in the server and client', () => {
    for (const f of files) {
      const text = fs.readFileSync(path.join(REPO, f), 'utf8').replace(/^\s*\/\/.*$/gm, '');
      assert.doesNotMatch(text, /\beval\s*\(|new Function\s*\(|\bvm\.run|from 'node:vm'|require\('vm'\)|process\.binding|process\.dlopen/, f);
      for (const m of text.matchAll(/(?<![.\w])require\s*\(([^)]*)\)/g)) assert.match(m[1].trim(), /^['"`][^'"`$]*['"`]$/, `${f}: require(${m[1]}) is dynamic`);
    }
  });

  test('the bundle starts processes only in the git module and in library code the server never calls', () => {
    const bundle = path.join(REPO, 'dist', 'rails-hazards.js');
    if (!fs.existsSync(bundle)) return; // built by `npm run build` (npm test builds first)
    const text = fs.readFileSync(bundle, 'utf8');
    const sites = [...text.matchAll(/require\("(node:)?child_process"\)/g)].map((m) => m.index!);
    for (const at of sites) {
      const around = text.slice(Math.max(0, at - 3000), at + 6000);
      assert.ok(/GIT_PREFIX/.test(around) || /resolveGlobalNodePath|resolveModulePath/.test(around),
        `child_process required outside the git module: ${text.slice(at - 200, at + 100)}`);
    }
    // vscode-languageserver's Files.resolve* (which can spawn npm/yarn) is never called by our code.
    for (const f of files) assert.doesNotMatch(fs.readFileSync(path.join(REPO, f), 'utf8'), /Files\.resolve|resolveGlobalNodePath|resolveModulePath/, f);
  });
});

describe('the scan skips what it cannot read', () => {
  before(initParsers);

  test('a symlink loop is skipped with a log line and the rest is listed', () => {
    const root = makeApp({ 'app/models/user.rb': 'class User < ApplicationRecord\nend\n' });
    fs.symlinkSync(path.join(root, 'app'), path.join(root, 'app', 'models', 'loop'));
    fs.symlinkSync(root, path.join(root, 'app', 'up'));
    const logs: string[] = [];
    const files = new Workspace({ rules: allRules, log: (m) => logs.push(m) }).listAnalyzableFiles(root);
    assert.deepEqual(files.map((f) => path.relative(root, f)).sort(), ['Gemfile', path.join('app', 'models', 'user.rb')]);
    assert.ok(logs.some((l) => /symlink loop/.test(l)), logs.join('\n'));
  });

  test('a dangling symlink directory is skipped with a log line', async () => {
    const root = makeApp({ 'app/models/user.rb': 'class User < ApplicationRecord\nend\n' });
    fs.symlinkSync(path.join(root, 'nowhere'), path.join(root, 'app', 'gone'));
    const logs: string[] = [];
    const ws = new Workspace({ rules: allRules, log: (m) => logs.push(m) });
    const files = await ws.listAnalyzableFilesAsync(root);
    assert.equal(files.length, 2);
  });

  test('an unreadable directory and an unreadable file are skipped with a log line or a notice', () => {
    const root = makeApp({
      'app/models/user.rb': 'class User < ApplicationRecord\nend\n',
      'app/models/secret/x.rb': 'class X\nend\n',
      'db/migrate/20250101000000_x.rb': 'class X < ActiveRecord::Migration[7.2]\nend\n',
    });
    const logs: string[] = [];
    const ws = new Workspace({ rules: allRules, log: (m) => logs.push(m) });
    // A file that vanishes (or cannot be opened) between the listing and the read.
    fs.symlinkSync(path.join(root, 'missing.rb'), path.join(root, 'app', 'models', 'dangling.rb'));
    const dangling = ws.analyzeFile(path.join(root, 'app', 'models', 'dangling.rb'));
    assert.deepEqual(dangling.findings, []);
    assert.match(dangling.notices[0].message, /skipped: cannot read \(ENOENT\)/);
    if (process.getuid?.() === 0) return; // root reads everything: permissions cannot be tested
    fs.chmodSync(path.join(root, 'app', 'models', 'secret'), 0o000);
    fs.chmodSync(path.join(root, 'db', 'migrate', '20250101000000_x.rb'), 0o000);
    try {
      const files = ws.listAnalyzableFiles(root).map((f) => path.relative(root, f));
      assert.ok(!files.some((f) => f.includes('secret')));
      assert.ok(logs.some((l) => /skipped .*secret.*EACCES/.test(l)), logs.join('\n'));
      const r = ws.analyzeFile(path.join(root, 'db', 'migrate', '20250101000000_x.rb'));
      assert.match(r.notices[0].message, /skipped: cannot read \(EACCES\)/);
    } finally {
      fs.chmodSync(path.join(root, 'app', 'models', 'secret'), 0o755);
      fs.chmodSync(path.join(root, 'db', 'migrate', '20250101000000_x.rb'), 0o644);
    }
  });
});

describe('fixes never write outside the workspace', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-scope-'));
  const folder = path.join(root, 'app');
  fs.mkdirSync(path.join(folder, 'db'), { recursive: true });
  fs.mkdirSync(path.join(root, 'outside'));
  fs.symlinkSync(path.join(root, 'outside'), path.join(folder, 'link-out'));
  const edit = (file: string) => ({ file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: 'x' });

  test('isInside: paths in the folder, new files in new directories; not .., absolute, or symlinked out', () => {
    assert.ok(isInside(path.join(folder, 'db', 'x.rb'), [folder]));
    assert.ok(isInside(path.join(folder, 'new', 'dir', 'x.rb'), [folder]));
    assert.ok(!isInside(path.join(folder, '..', 'outside', 'x.rb'), [folder]));
    assert.ok(!isInside('/etc/passwd', [folder]));
    assert.ok(!isInside(path.join(folder, 'link-out', 'x.rb'), [folder]));
    assert.ok(!isInside(path.join(root, 'app-other', 'x.rb'), [folder]), 'a sibling with the same prefix');
  });

  test('fixesInside drops a fix when any of its edits leaves the folders', () => {
    const ok = { title: 'ok', safety: 'safe' as const, edits: [edit(path.join(folder, 'db', 'a.rb'))] };
    const bad = { title: 'bad', safety: 'safe' as const, edits: [edit(path.join(folder, 'db', 'a.rb')), edit(path.join(folder, '..', 'outside', 'b.rb'))] };
    const { kept, dropped } = fixesInside([ok, bad], [folder]);
    assert.deepEqual(kept.map((f) => f.title), ['ok']);
    assert.deepEqual(dropped.map((f) => f.title), ['bad']);
  });

  describe('through the server', () => {
    let app: string;
    let client: LspClient;
    after(() => client?.shutdown());

    test('a migration outside the workspace folder gets no fix that creates files next to it', async () => {
      app = copySampleApp();
      const migration = path.join(app, 'db', 'migrate', '20250401000000_add_patient_fk_to_appointments.rb');
      const text = 'class AddPatientFkToAppointments < ActiveRecord::Migration[7.2]\n  def change\n    add_foreign_key :appointments, :patients\n  end\nend\n';
      fs.writeFileSync(migration, text);
      const actionsWith = async (workspaceFolder: string) => {
        client = new LspClient();
        await client.initialize(workspaceFolder);
        const uri = uriOf(migration);
        const published = client.nextDiagnostics(uri);
        client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ruby', version: 1, text } });
        const { diagnostics } = await published;
        const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } }, context: { diagnostics } });
        await client.shutdown();
        return actions.flatMap((a: any) => (a.edit?.documentChanges ?? []).map((c: any) => c.kind === 'create' ? c.uri : c.textDocument.uri)) as string[];
      };
      const inRoot = await actionsWith(app);
      const inSubfolder = await actionsWith(path.join(app, 'app'));
      const outside = inSubfolder.filter((u) => u !== uriOf(migration) && !u.startsWith(uriOf(path.join(app, 'app')) + '/'));
      assert.deepEqual(outside, []);
      // With the app as the folder, the same fixes are offered (when some rule creates a follow-up file).
      const created = inRoot.filter((u) => u !== uriOf(migration));
      if (created.length > 0) assert.ok(created.every((u) => u.startsWith(uriOf(app) + '/')));
    });
  });
});
