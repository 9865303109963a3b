// The query pack over the protocol: a view's N+1 gets a quick fix whose WorkspaceEdit changes the
// controller, and the view's diagnostics follow when the controller changes on disk.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, uriOf } from '../helpers/lspClient';
import { copySampleApp } from '../helpers/fixtures';
import { applyEdits } from '../../server/src/parsing/rubyEdits';

describe('query pack over stdio', () => {
  let client: LspClient;
  let root: string;
  before(async () => {
    root = copySampleApp();
    client = new LspClient();
    client.onRequest = (method) => (method === 'workspace/configuration' ? [{ rules: {} }] : null);
    await client.initialize(root, { workspace: { configuration: true } });
  });
  after(() => client.shutdown());

  test('the fix for appointment.patient in the view edits the controller; the view follows the change', async () => {
    const view = path.join(root, 'app/views/appointments/index.html.erb');
    const controller = path.join(root, 'app/controllers/appointments_controller.rb');
    const uri = uriOf(view);
    const pending = client.nextDiagnostics(uri, (p) => p.version === 1);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'erb', version: 1, text: fs.readFileSync(view, 'utf8') } });
    const { diagnostics } = await pending;
    const n1 = diagnostics.filter((d: any) => d.code === 'queries/association-in-loop');
    assert.deepEqual(n1.map((d: any) => d.range.start), [{ line: 5, character: 14 }, { line: 6, character: 14 }]);
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: n1[0].range, context: { diagnostics: [n1[0]] } });
    const change = actions[0].edit.documentChanges[0];
    assert.equal(change.textDocument.uri, uriOf(controller));
    const fixed = applyEdits(fs.readFileSync(controller, 'utf8'), change.edits);
    assert.match(fixed, /@appointments = Appointment\.where\(clinic_id: params\[:clinic_id\]\)\.order\(:starts_at\)\.includes\(:patient\)\n/);
    fs.writeFileSync(controller, fixed);
    const next = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri
      && p.diagnostics.filter((d: any) => d.code === 'queries/association-in-loop').length === 1);
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(controller), type: 2 }] });
    const after = await next;
    assert.match(after.diagnostics.find((d: any) => d.code === 'queries/association-in-loop').message, /appointment\.doctor/);
  });
});
