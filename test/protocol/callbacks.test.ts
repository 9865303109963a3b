// The callback chain view through the real server: hover on a model's class name and on a save call
// site, and workspace/executeCommand railsHazards.showCallbackChain, on a copy of the sample app.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, uriOf } from '../helpers/lspClient';
import { copySampleApp } from '../helpers/fixtures';

describe('callback chain view over stdio', () => {
  let client: LspClient;
  let root: string;

  before(async () => {
    root = copySampleApp();
    client = new LspClient();
    const init = await client.initialize(root);
    assert.ok(init.capabilities.executeCommandProvider.commands.includes('railsHazards.showCallbackChain'));
  });
  after(() => client.shutdown());

  test('diagnostics of the sample app\'s callbacks', async () => {
    const file = path.join(root, 'app/models/appointment.rb');
    const uri = uriOf(file);
    const pending = client.nextDiagnostics(uri, (p) => p.version === 1);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ruby', version: 1, text: fs.readFileSync(file, 'utf8') } });
    const { diagnostics } = await pending;
    assert.deepEqual(diagnostics.map((d: any) => [d.code, d.range.start.line]), [
      ['callbacks/external-call-in-callback', 14], ['capacity/http-without-timeout', 14], ['callbacks/job-enqueued-before-commit', 19],
    ]);
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics: [diagnostics[0]] } });
    assert.equal(actions[0].title, 'Run it after commit: `after_save_commit` (unsafe)');
  });

  test('hover on the class name and on @appointment.save in the controller', async () => {
    const model = uriOf(path.join(root, 'app/models/appointment.rb'));
    const hover = await client.request('textDocument/hover', { textDocument: { uri: model }, position: { line: 0, character: 8 } });
    assert.match(hover.contents.value, /^### Appointment callback chains\n\n\*\*create \(`create`, `save` on a new record\)\*\*: 4 callbacks in the transaction, 2 external calls\n/);
    assert.match(hover.contents.value, /`after_create :send_confirmation` \(concern Notifiable\) · .* · mail now `AppointmentMailer\.confirmation\(…\)\.deliver_now`/);
    const controller = path.join(root, 'app/controllers/appointments_controller.rb');
    const uri = uriOf(controller);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ruby', version: 1, text: fs.readFileSync(controller, 'utf8') } });
    const save = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 11, character: 22 } });
    assert.match(save.contents.value, /^### `save` on Appointment runs these callbacks\n\n\*\*create/);
  });

  test('showCallbackChain returns the chain document', async () => {
    const uri = uriOf(path.join(root, 'app/models/appointment.rb'));
    const result = await client.request('workspace/executeCommand', { command: 'railsHazards.showCallbackChain', arguments: [uri, { line: 14, character: 4 }] });
    assert.match(result.markdown, /^# Callback chain of Appointment\n\n\*\*create/);
    assert.match(result.markdown, /\*\*destroy \(`destroy`\)\*\*/);
  });
});
