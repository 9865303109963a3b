// remove_column's quick fix edits the model file: the real server offers a WorkspaceEdit on
// app/models/patient.rb, on a copy of the sample app.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, uriOf } from '../helpers/lspClient';
import { copySampleApp } from '../helpers/fixtures';

describe('migrations: cross-file ignored_columns fix over stdio', () => {
  let client: LspClient;
  let root: string;

  before(async () => {
    root = copySampleApp();
    client = new LspClient();
    await client.initialize(root);
  });
  after(() => client.shutdown());

  test('the remove-column code action edits the model file', async () => {
    const file = path.join(root, 'db/migrate/20250315090000_remove_phone_from_patients.rb');
    const uri = uriOf(file);
    const pending = client.nextDiagnostics(uri, (p) => p.version === 1);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ruby', version: 1, text: fs.readFileSync(file, 'utf8') } });
    const { diagnostics } = await pending;
    const removal = diagnostics.find((d: any) => d.code === 'migrations/remove-column');
    assert.ok(removal, 'remove-column is reported');
    assert.equal(removal.message, 'Removing patients.phone breaks the app during the deploy');
    // The explanation and the safe order of steps are in the hover over the diagnostic's range.
    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: removal.range.start });
    assert.match(hover.contents.value, /\*\*Removing patients\.phone breaks the app during the deploy\*\* \(migrations\/remove-column\)\n\nprocesses started before the migration/);
    assert.match(hover.contents.value, /Patient \(app\/models\/patient\.rb\)/);
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: removal.range, context: { diagnostics: [removal] } });
    const fix = actions.find((a: any) => /ignored_columns/.test(a.title));
    assert.ok(fix, `an ignored_columns action among ${actions.map((a: any) => a.title).join(' | ')}`);
    const changes = fix.edit.documentChanges ?? Object.entries(fix.edit.changes ?? {}).map(([u, edits]) => ({ textDocument: { uri: u }, edits }));
    const model = uriOf(path.join(root, 'app/models/patient.rb'));
    const edit = changes.find((c: any) => c.textDocument?.uri === model);
    assert.ok(edit, 'the edit targets app/models/patient.rb');
    assert.deepEqual(edit.edits.map((e: any) => e.newText), ['\n  self.ignored_columns += ["phone"]\n']);
    assert.deepEqual(edit.edits[0].range.start, { line: 0, character: 33 });
  });
});
