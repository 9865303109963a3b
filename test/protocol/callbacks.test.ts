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

  // The server reads again only the methods a keystroke changed (core/definitionMemo.ts): the others' facts are kept
  // by their text and start, so an edit elsewhere must neither leave a stale finding nor a finding at its old line.
  test('typing in one method: its finding follows the text, the other methods\' findings stay or move with their lines', async () => {
    const uri = uriOf(path.join(root, 'app/models/appointment.rb'));
    const codesAt = async (version: number, change: object) => {
      const pending = client.nextDiagnostics(uri, (p) => p.version === version);
      client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
      return (await pending).diagnostics.map((d: any) => [d.code, d.range.start.line]);
    };
    const replace = (line: number, from: number, to: number, text: string) => ({ range: { start: { line, character: from }, end: { line, character: to } }, text });
    // `.perform_later(id)` → `.perform_now(id)` in schedule_reminder: nothing is enqueued any more.
    const later = '    ReminderJob.set(wait_until: starts_at - 1.day).'.length;
    assert.deepEqual(await codesAt(2, replace(19, later, later + 'perform_later'.length, 'perform_now')), [
      ['callbacks/external-call-in-callback', 14], ['capacity/http-without-timeout', 14],
    ]);
    // A comment line above sync_calendar moves both methods down a line.
    assert.deepEqual(await codesAt(3, replace(13, 0, 0, '  # pushes the slot to the clinic calendar\n')), [
      ['callbacks/external-call-in-callback', 15], ['capacity/http-without-timeout', 15],
    ]);
    // Typed back: the job is enqueued again, a line lower than at first.
    assert.deepEqual(await codesAt(4, replace(20, later, later + 'perform_now'.length, 'perform_later')), [
      ['callbacks/external-call-in-callback', 15], ['capacity/http-without-timeout', 15], ['callbacks/job-enqueued-before-commit', 20],
    ]);
  });
});
