// A client that supports change annotations (VS Code does) gets unsafe fixes as annotated edits that
// need confirmation, with no "(unsafe)" in the title.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, uriOf } from '../helpers/lspClient';
import { copySampleApp } from '../helpers/fixtures';

const MIGRATION = 'db/migrate/20250301090000_add_email_index_to_patients.rb';

describe('unsafe fixes with change annotations', () => {
  let client: LspClient;
  let uri: string;
  let text: string;

  before(async () => {
    const root = copySampleApp();
    const file = path.join(root, MIGRATION);
    uri = uriOf(file);
    text = fs.readFileSync(file, 'utf8');
    client = new LspClient();
    client.onRequest = (method) => (method === 'workspace/configuration' ? [{ rules: {} }] : null);
    await client.initialize(root, { workspace: { configuration: true, workspaceEdit: { documentChanges: true, changeAnnotationSupport: { groupsOnLabel: true } } } });
  });
  after(() => client.shutdown());

  test('the fix is annotated with needsConfirmation and its title has no "(unsafe)"', async () => {
    const pending = client.nextDiagnostics(uri, (p) => p.version === 1);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ruby', version: 1, text } });
    const { diagnostics } = await pending;
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics } });
    assert.equal(actions[0].title, 'Add `algorithm: :concurrently` and `disable_ddl_transaction!`');
    const annotations = Object.values(actions[0].edit.changeAnnotations) as { needsConfirmation: boolean; label: string }[];
    assert.equal(annotations.length, 1);
    assert.equal(annotations[0].needsConfirmation, true);
    assert.match(annotations[0].label, /^Changes behaviour: /);
    const edits = actions[0].edit.documentChanges[0].edits;
    assert.ok(edits.length > 0 && edits.every((e: { annotationId?: string }) => e.annotationId === Object.keys(actions[0].edit.changeAnnotations)[0]));
  });
});
