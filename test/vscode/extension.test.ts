// The extension in a real VS Code extension host, on a copy of examples/sample-app and of the
// monorepo fixture (test/fixtures/monorepo): activation, diagnostics, quick fixes, suppression,
// hover, status and settings. Run by test/e2e/codeserver.mjs (code-server) or runTest.ts (desktop).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  EXTENSION_ID, applyAction, codeOf, hoverText, open, pickAction, text, until, waitForDiagnostics, waitForNoRule, waitForRule, withCode, wsPath, wsUri,
} from './helpers';

const ADD_INDEX = 'migrations/add-index-non-concurrent';
const EMAIL_INDEX = ['sample-app', 'db', 'migrate', '20250301090000_add_email_index_to_patients.rb'];
const DOCTOR_INDEX = ['sample-app', 'db', 'migrate', '20250310120000_add_doctor_to_appointments.rb'];
const BILLING = ['monorepo', 'apps', 'billing', 'db', 'migrate', '20250401100000_add_invoice_number_index.rb'];
const STOREFRONT = ['monorepo', 'apps', 'storefront', 'db', 'migrate', '20250402110000_add_sku_index_to_products.rb'];

interface Api {
  client: { isRunning(): boolean } | undefined;
  lastStatus(): { scanning: boolean; rulesActive: number; apps: { root: string; rails?: string; adapter: string }[] } | undefined;
}

let api: Api;
let activated = false;

// A broken extension or server fails the activation test; every other test then fails at once
// instead of each waiting for diagnostics that cannot come.
setup(function () {
  if (!activated && this.currentTest?.parent?.title !== 'Activation') {
    throw new Error('the extension did not activate or its server is not running (see the Activation failure)');
  }
});

suite('Activation', () => {
  test('activates on a Rails app and exposes its API', async () => {
    const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    api = await Promise.race([
      ext.activate(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('activate() did not finish within 30 s')), 30_000)),
    ]);
    assert.ok(ext.isActive);
    assert.equal(typeof api.lastStatus, 'function');
    await until(() => api.client?.isRunning(), 'the language server to be running', 15_000);
    console.log(`extension under test: ${ext.extensionPath} (${ext.packageJSON.version})`);
    if (process.env.RAILS_HAZARDS_EXPECT_EXTENSION_PATH) {
      // The code-server runner installs the VSIX and says where: prove that is what we are testing.
      assert.equal(fs.realpathSync(ext.extensionPath), fs.realpathSync(process.env.RAILS_HAZARDS_EXPECT_EXTENSION_PATH));
    }
    activated = true;
  });
});

suite('Migrations', () => {
  test('a non-concurrent add_index gets a diagnostic on the call', async () => {
    const uri = wsUri(...EMAIL_INDEX);
    await open(uri);
    const [d] = await waitForRule(uri, ADD_INDEX);
    assert.equal(d.range.start.line, 2);
    assert.equal(d.range.start.character, 4);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.source, 'rails-hazards');
    // The Problems panel gets the headline; the hover over the squiggle has the explanation and the safe code.
    assert.equal(d.message, 'add_index builds an index on existing table patients with a SHARE lock on PostgreSQL 16');
    const hover = await hoverText(uri, d.range.start);
    assert.match(hover, /every INSERT, UPDATE and DELETE on patients waits until the whole index is built/);
    assert.match(hover, /`add_index :patients, :email, unique: true, algorithm: :concurrently`/);
  });

  test('the add-index quick fix rewrites the migration and the diagnostic goes away', async () => {
    const uri = wsUri(...EMAIL_INDEX);
    const [d] = await waitForRule(uri, ADD_INDEX);
    const fix = await pickAction(uri, d, (t) => t.startsWith('Add `algorithm: :concurrently`'));
    // VS Code supports change annotations: the fix asks for confirmation instead of saying "(unsafe)".
    assert.equal(fix.title, 'Add `algorithm: :concurrently` and `disable_ddl_transaction!`');
    await applyAction(fix);
    assert.equal(text(uri), [
      'class AddEmailIndexToPatients < ActiveRecord::Migration[7.2]',
      '  disable_ddl_transaction!',
      '',
      '  def change',
      '    add_index :patients, :email, unique: true, algorithm: :concurrently',
      '  end',
      'end',
      '',
    ].join('\n'));
    await waitForNoRule(uri, ADD_INDEX);
    const doc = vscode.workspace.textDocuments.find((x) => x.uri.toString() === uri.toString());
    await doc?.save();
    await until(() => fs.readFileSync(uri.fsPath, 'utf8') === text(uri), 'the fixed migration on disk', 10_000);
  });

  test('"Disable for this line" adds the directive and silences only that rule', async () => {
    const uri = wsUri(...DOCTOR_INDEX);
    await open(uri);
    const [d] = await waitForRule(uri, ADD_INDEX);
    assert.equal(d.range.start.line, 4);
    const action = await pickAction(uri, d, (t) => t === `Disable ${ADD_INDEX} for this line`);
    await applyAction(action);
    const lines = text(uri)!.split('\n');
    assert.equal(lines[4], `    # rails-hazards:disable-next-line ${ADD_INDEX}`);
    assert.equal(lines[5], '    add_index :appointments, [:doctor_id, :starts_at]');
    await waitForNoRule(uri, ADD_INDEX);
  });

  test('every diagnostic offers its documentation', async () => {
    const uri = wsUri(...STOREFRONT);
    await open(uri);
    const [d] = await waitForRule(uri, ADD_INDEX);
    await pickAction(uri, d, (t) => t === `Show documentation for ${ADD_INDEX}`);
    const code = d.code as { value: string; target: vscode.Uri };
    assert.equal(codeOf(d), ADD_INDEX);
    assert.match(code.target.toString(), /add-index-non-concurrent/);
  });
});

suite('Two app roots in one workspace (monorepo)', () => {
  test('each app gets its own diagnostics and fix', async () => {
    const billing = wsUri(...BILLING);
    const storefront = wsUri(...STOREFRONT);
    await open(billing);
    await open(storefront);
    const [b] = await waitForRule(billing, ADD_INDEX);
    const [s] = await waitForRule(storefront, ADD_INDEX);
    assert.match(b.message, /existing table invoices/);
    assert.match(s.message, /existing table products/);
    assert.match(await hoverText(storefront, s.range.start), /`add_index :products, :sku, unique: true, algorithm: :concurrently`/);
  });

  test('the status item knows both app roots and the sample app', async () => {
    const want = [wsPath('sample-app'), wsPath('monorepo', 'apps', 'billing'), wsPath('monorepo', 'apps', 'storefront')]
      .map((p) => fs.realpathSync(p));
    const status = await until(() => {
      const s = api.lastStatus();
      if (!s || s.scanning) return undefined;
      const roots = s.apps.map((a) => fs.realpathSync(a.root));
      return want.every((w) => roots.includes(w)) ? s : undefined;
    }, `a finished scan whose status lists ${want.join(', ')} (last: ${JSON.stringify(api.lastStatus())})`);
    assert.ok(status.rulesActive >= 1, 'rules active');
    const sample = status.apps.find((a) => fs.realpathSync(a.root) === want[0])!;
    assert.equal(sample.adapter, 'postgresql');
    assert.equal(sample.rails, '7.2.2.1');
  });
});

suite('Settings', () => {
  test('railsHazards.rules turning a rule off takes effect, and back on', async () => {
    const uri = wsUri(...BILLING);
    await open(uri);
    await waitForRule(uri, ADD_INDEX);
    const config = vscode.workspace.getConfiguration('railsHazards', uri);
    try {
      await config.update('rules', { [ADD_INDEX]: 'off' }, vscode.ConfigurationTarget.Workspace);
      await waitForNoRule(uri, ADD_INDEX);
      await config.update('rules', { [ADD_INDEX]: 'warning' }, vscode.ConfigurationTarget.Workspace);
      await waitForDiagnostics(uri, (x) => withCode(ADD_INDEX)(x).some((d) => d.severity === vscode.DiagnosticSeverity.Warning),
        `${ADD_INDEX} as a warning`);
    } finally {
      await config.update('rules', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitForDiagnostics(uri, (x) => withCode(ADD_INDEX)(x).some((d) => d.severity === vscode.DiagnosticSeverity.Error),
      `${ADD_INDEX} back at its default severity (error)`);
  });
});
