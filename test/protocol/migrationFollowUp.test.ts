// The follow-up migration quick fix end to end: the server's code action creates the new file through
// a WorkspaceEdit (a `create` resource operation followed by its text) and edits the current file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, uriOf } from '../helpers/lspClient';
import { copySampleApp } from '../helpers/fixtures';

const MIGRATION = 'db/migrate/20250310120000_add_doctor_to_appointments.rb';

describe('language server: follow-up migration quick fix', () => {
  let client: LspClient;
  let root: string;
  let uri: string;

  before(async () => {
    root = copySampleApp();
    const file = path.join(root, MIGRATION);
    uri = uriOf(file);
    client = new LspClient();
    client.onRequest = (method) => (method === 'workspace/configuration' ? [{ rules: {} }] : null);
    await client.initialize(root, { workspace: { configuration: true, workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } } });
    const pending = client.nextDiagnostics(uri, (p) => p.version === 1);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ruby', version: 1, text: fs.readFileSync(file, 'utf8') } });
    await pending;
  });
  after(() => client.shutdown());

  test('validate: false plus a new db/migrate/<version + 1 s>_validate_appointments_doctors_fk.rb', async () => {
    const { diagnostics } = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 1);
    const fk = diagnostics.find((d: any) => d.code === 'migrations/add-foreign-key-validated');
    assert.ok(fk, 'the foreign key is reported');
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: fk.range, context: { diagnostics: [fk] } });
    const followUp = actions.find((a: any) => /follow-up migration/.test(a.title));
    assert.ok(followUp, `a follow-up action among ${actions.map((a: any) => a.title).join(' | ')}`);
    const changes = followUp.edit.documentChanges;
    const created = uriOf(path.join(root, 'db/migrate/20250310120001_validate_appointments_doctors_fk.rb'));
    assert.ok(changes.some((c: any) => c.kind === 'create' && c.uri === created), 'creates the file');
    const text = changes.find((c: any) => c.textDocument?.uri === created).edits[0].newText;
    assert.equal(text, [
      'class ValidateAppointmentsDoctorsFk < ActiveRecord::Migration[7.2]',
      '  def change',
      '    validate_foreign_key :appointments, :doctors',
      '  end',
      'end',
      '',
    ].join('\n'));
    const own = changes.find((c: any) => c.textDocument?.uri === uri).edits[0];
    assert.equal(own.newText, ', validate: false');
  });
});
