// Diagnostics, fixes and hovers of the model, view and Gemfile.lock packs in the real extension host.
// Each test runs once its rule (or hover) is registered in this checkout, and is skipped before that.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { applyAction, hoverText, open, pickAction, text, until, waitForDiagnostics, waitForRule, withCode, wsUri } from './helpers';

const REPO = path.resolve(__dirname, '../../..');

/** Whether `<area>/<name>` is registered in this checkout's rule registry (what the bundled server runs). */
function registered(id: string): boolean {
  const [area, name] = id.split('/');
  const read = (p: string) => { try { return fs.readFileSync(path.join(REPO, p), 'utf8'); } catch { return ''; } };
  return read('server/src/rules/index.ts').includes(`'./${area}'`)
    && new RegExp(`from '\\./${name}'`).test(read(`server/src/rules/${area}/index.ts`));
}
const hoverRegistered = (name: string) => {
  try { return fs.readFileSync(path.join(REPO, 'server/src/hovers/index.ts'), 'utf8').includes(`'./${name}'`); } catch { return false; }
};

function needs(ctx: Mocha.Context, ok: boolean, what: string): void {
  if (!ok) { console.log(`  skipped: ${what} is not in this checkout yet`); ctx.skip(); }
}

const EXTERNAL_CALL = 'callbacks/external-call-in-callback';
const ASSOCIATION_IN_LOOP = 'queries/association-in-loop';
const FLOATING = 'dependencies/floating-runtime-gem';

suite('Models', () => {
  test('an HTTP call in after_save is reported on the call', async function () {
    needs(this, registered(EXTERNAL_CALL), EXTERNAL_CALL);
    const uri = wsUri('sample-app', 'app', 'models', 'appointment.rb');
    await open(uri);
    const [d] = await waitForRule(uri, EXTERNAL_CALL);
    assert.equal(d.range.start.line, 14);
    assert.equal(d.range.start.character, 15);
    assert.match(d.message, /Faraday\.post/);
    assert.match(d.message, /after_save :sync_calendar/);
  });
});

suite('Views (ERB)', () => {
  test('an association read per row in a view is reported, and "Disable for this line" writes an ERB comment', async function () {
    needs(this, registered(ASSOCIATION_IN_LOOP), ASSOCIATION_IN_LOOP);
    const uri = wsUri('sample-app', 'app', 'views', 'appointments', 'index.html.erb');
    await open(uri);
    const ds = await waitForRule(uri, ASSOCIATION_IN_LOOP);
    const patient = ds.find((d) => d.range.start.line === 5);
    assert.ok(patient, 'appointment.patient on line 6');
    assert.equal(patient.range.start.character, 14);
    assert.match(patient.message, /appointment\.patient/);
    const action = await pickAction(uri, patient, (t) => t === `Disable ${ASSOCIATION_IN_LOOP} for this line`);
    await applyAction(action);
    const lines = text(uri)!.split('\n');
    assert.equal(lines[5], `      <%# rails-hazards:disable-next-line ${ASSOCIATION_IN_LOOP} %>`);
    assert.equal(lines[6], '      <td><%= appointment.patient.name %></td>');
    // appointment.patient is silenced; appointment.doctor (now line 8) is still reported
    await waitForDiagnostics(uri, (x) => withCode(ASSOCIATION_IN_LOOP)(x).map((d) => d.range.start.line).join() === '7',
      `${ASSOCIATION_IN_LOOP} on line 8 only`);
  });
});

suite('Gemfile.lock', () => {
  const lock = () => wsUri('sample-app', 'Gemfile.lock');
  const gemfile = () => wsUri('sample-app', 'Gemfile');
  const lineOf = (re: RegExp) => fs.readFileSync(lock().fsPath, 'utf8').split('\n').findIndex((l) => re.test(l));

  test('a floating runtime gem is reported on its spec line', async function () {
    needs(this, registered(FLOATING), FLOATING);
    await open(lock());
    const ds = await waitForRule(lock(), FLOATING);
    const pool = ds.find((d) => d.message.startsWith('connection_pool 3.0.2'));
    assert.ok(pool, 'connection_pool is reported');
    assert.equal(pool.range.start.line, lineOf(/^ {4}connection_pool \(3\.0\.2\)/));
    assert.equal(pool.range.start.character, 4);
    assert.equal(pool.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(pool.message, 'connection_pool 3.0.2 floats');
    // The dependants and the known break are in the hover over the diagnostic.
    const hover = await hoverText(lock(), pool.range.start);
    assert.match(hover, /can move it to 4\.x unnoticed: activesupport \(>= 2\.2\.5\), redis-client \(>= 0\), sidekiq \(>= 2\.3\.0\)/);
  });

  test('the hover on a gem shows its version, dependants and allowed range', async function () {
    needs(this, hoverRegistered('lockfile'), 'the Gemfile.lock hover');
    await open(lock());
    const line = lineOf(/^ {6}connection_pool \(>= 2\.2\.5\)/); // activesupport's dependency line
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', lock(), new vscode.Position(line, 8));
    const markdown = hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
    assert.match(markdown, /connection_pool 3\.0\.2/);
    assert.match(markdown, /activesupport/);
    assert.match(markdown, /sidekiq/);
    assert.match(markdown, /Allowed range/);
    assert.match(markdown, />= 2\.3\.0/);
  });

  test('the pin quick fix adds the bound to the Gemfile', async function () {
    needs(this, registered(FLOATING), FLOATING);
    const before = fs.readFileSync(gemfile().fsPath, 'utf8');
    await open(lock());
    const ds = await waitForRule(lock(), FLOATING);
    const pool = ds.find((d) => d.message.startsWith('connection_pool 3.0.2'))!;
    const pin = await pickAction(lock(), pool, (t) => t.startsWith('Pin connection_pool in Gemfile'));
    await applyAction(pin);
    const doc = await vscode.workspace.openTextDocument(gemfile());
    const anchor = 'gem "strong_migrations", "~> 2.1"\n';
    assert.ok(before.includes(anchor));
    // The whole Gemfile: unchanged around one inserted pin (a comment saying why, then the gem line).
    const after = doc.getText();
    const head = before.slice(0, before.indexOf(anchor) + anchor.length);
    const tail = before.slice(head.length);
    assert.ok(after.startsWith(head) && after.endsWith(tail), `only an insertion after ${anchor.trim()}:\n${after}`);
    assert.match(after.slice(head.length, after.length - tail.length),
      /^# Pin: connection_pool 3\.0 breaks sidekiq 7\.3\.9[^\n]*\ngem "connection_pool", "< 3"\n$/);
    await doc.save();
    await until(() => /^gem "connection_pool", "< 3"$/m.test(fs.readFileSync(gemfile().fsPath, 'utf8')), 'the pin on disk', 10_000);
  });
});
