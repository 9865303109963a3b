import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, uriOf } from '../helpers/lspClient';
import { copySampleApp } from '../helpers/fixtures';
import { applyEdits } from '../../server/src/parsing/rubyEdits';

const MIGRATION = 'db/migrate/20250301090000_add_email_index_to_patients.rb';

describe('language server over stdio (push diagnostics)', () => {
  let client: LspClient;
  let root: string;
  let file: string;
  let uri: string;
  let text: string;

  before(async () => {
    root = copySampleApp();
    file = path.join(root, MIGRATION);
    uri = uriOf(file);
    text = fs.readFileSync(file, 'utf8');
    client = new LspClient();
    client.onRequest = (method) => (method === 'workspace/configuration' ? [{ rules: {} }] : null);
    const init = await client.initialize(root, { workspace: { configuration: true } });
    assert.equal(init.capabilities.textDocumentSync.change, 2, 'incremental sync');
    assert.equal(init.capabilities.diagnosticProvider, undefined, 'no pull diagnostics for a client without support');
  });
  after(() => client.shutdown());

  test('the background scan publishes diagnostics for files that are not open', async () => {
    const d = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uriOf(path.join(root, 'db/migrate/20250310120000_add_doctor_to_appointments.rb')) && p.diagnostics.length > 0);
    assert.ok(d.diagnostics.some((x: any) => x.code === 'migrations/add-index-non-concurrent' && x.range.start.line === 4));
  });

  test('publishDiagnostics on open: code, docs link, source, narrow range', async () => {
    const pending = client.nextDiagnostics(uri, (p) => p.version === 1);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ruby', version: 1, text } });
    const d = (await pending).diagnostics[0];
    assert.equal(d.code, 'migrations/add-index-non-concurrent');
    assert.equal(d.source, 'rails-hazards');
    assert.equal(d.severity, 1);
    assert.equal(d.codeDescription.href, 'https://github.com/rails-hazards/rails-hazards/blob/main/docs/rules/migrations/add-index-non-concurrent.md');
    assert.deepEqual(d.range, { start: { line: 2, character: 4 }, end: { line: 2, character: 13 } });
  });

  test('code actions answer from context.diagnostics: the fix edit, disable, docs', async () => {
    const { diagnostics } = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 1);
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics } });
    assert.deepEqual(actions.map((a: any) => a.title), [
      'Add `algorithm: :concurrently` and `disable_ddl_transaction!` (unsafe)',
      'Disable migrations/add-index-non-concurrent for this line',
      'Show documentation for migrations/add-index-non-concurrent',
    ]);
    const edits = actions[0].edit.documentChanges[0].edits;
    assert.equal(applyEdits(text, edits), [
      'class AddEmailIndexToPatients < ActiveRecord::Migration[7.2]',
      '  disable_ddl_transaction!',
      '',
      '  def change',
      '    add_index :patients, :email, unique: true, algorithm: :concurrently',
      '  end',
      'end',
      '',
    ].join('\n'));
    assert.equal(actions[2].command.command, 'railsHazards.showDocumentation');
  });

  test('hover on a migration DSL call shows the lock and the assumptions', async () => {
    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 6 } });
    assert.match(hover.contents.value, /\*\*add_index\*\* on `patients`/);
    assert.match(hover.contents.value, /Lock: \*\*SHARE\*\*, blocks writes/);
    assert.match(hover.contents.value, /adapter postgresql \(config\/database\.yml \(adapter: postgresql\)\); database version PostgreSQL 16 from StrongMigrations\.target_version/);
  });

  test('incremental edits: a suppression comment typed above the call removes the diagnostic', async () => {
    const pending = client.nextDiagnostics(uri, (p) => p.version === 2);
    client.notify('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: '    # rails-hazards:disable-next-line migrations/add-index-non-concurrent\n' }],
    });
    assert.deepEqual((await pending).diagnostics, []);
    const back = client.nextDiagnostics(uri, (p) => p.version === 3);
    client.notify('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } }, text: '' }],
    });
    assert.equal((await back).diagnostics.length, 1);
  });

  test('a config change (rule turned off in settings) takes effect', async () => {
    client.onRequest = (method) => (method === 'workspace/configuration' ? [{ rules: { 'migrations/add-index-non-concurrent': 'off' } }] : null);
    const pending = client.nextDiagnostics(uri, (p) => p.diagnostics.length === 0);
    client.notify('workspace/didChangeConfiguration', { settings: {} });
    await pending;
    client.onRequest = (method) => (method === 'workspace/configuration' ? [{ rules: {} }] : null);
    const restored = client.nextDiagnostics(uri, (p) => p.diagnostics.length === 1);
    client.notify('workspace/didChangeConfiguration', { settings: {} });
    await restored;
  });

  test('a .rails-hazards.yml change on disk takes effect through didChangeWatchedFiles', async () => {
    const config = path.join(root, '.rails-hazards.yml');
    fs.writeFileSync(config, 'rules:\n  migrations/add-index-non-concurrent: hint\n');
    const pending = client.nextDiagnostics(uri, (p) => p.diagnostics[0]?.severity === 4);
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(config), type: 1 }] });
    await pending;
  });
});

describe('language server over stdio (pull diagnostics)', () => {
  let client: LspClient;
  let root: string;
  before(async () => {
    root = copySampleApp();
    client = new LspClient();
    const init = await client.initialize(root, { textDocument: { diagnostic: { dynamicRegistration: false } } });
    assert.deepEqual(init.capabilities.diagnosticProvider, { interFileDependencies: true, workspaceDiagnostics: false });
  });
  after(() => client.shutdown());

  test('textDocument/diagnostic returns the findings of an open document', async () => {
    const file = path.join(root, MIGRATION);
    const uri = uriOf(file);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ruby', version: 1, text: fs.readFileSync(file, 'utf8') } });
    const report = await client.request('textDocument/diagnostic', { textDocument: { uri } });
    assert.equal(report.kind, 'full');
    assert.deepEqual(report.items.map((d: any) => [d.code, d.range.start.line, d.range.start.character]), [['migrations/add-index-non-concurrent', 2, 4]]);
  });
});
