// Fix-all is reachable from the lightbulb: besides source.fixAll.railsHazards (Source Action…, fix on save),
// the server offers it as a quick fix on each diagnostic when the file has more than one safe fix.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, uriOf } from '../helpers/lspClient';
import { makeApp } from '../helpers/fixtures';
import { applyEdits } from '../../server/src/parsing/rubyEdits';

const POST = [
  'class Post < ApplicationRecord',
  '  def self.published_ids',
  '    where(published: true).map(&:id)',
  '  end',
  '',
  '  def self.draft_ids',
  '    where(published: false).map(&:id)',
  '  end',
  'end',
  '',
].join('\n');

describe('fix all safe hazards in a file', () => {
  let client: LspClient;
  let root: string;
  let init: any;

  before(async () => {
    // pluck-instead-of-map is an opt-in style rule: the app turns it on.
    root = makeApp({ '.rails-hazards.yml': 'rules:\n  queries/pluck-instead-of-map: info\n', 'app/models/post.rb': POST, 'app/models/application_record.rb': 'class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\nend\n' });
    client = new LspClient();
    init = await client.initialize(root);
  });
  after(() => client.shutdown());

  test('the server declares both kinds, and the quick fix applies every safe fix of the file', async () => {
    assert.deepEqual(init.capabilities.codeActionProvider.codeActionKinds, ['quickfix', 'quickfix.railsHazards.fixAll', 'source.fixAll.railsHazards']);
    const file = path.join(root, 'app/models/post.rb');
    const uri = uriOf(file);
    const pending = client.nextDiagnostics(uri, (p) => p.version === 1);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ruby', version: 1, text: fs.readFileSync(file, 'utf8') } });
    const { diagnostics } = await pending;
    const pluck = diagnostics.filter((d: any) => d.code === 'queries/pluck-instead-of-map');
    assert.deepEqual(pluck.map((d: any) => d.range.start.line), [2, 6]);
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: pluck[0].range, context: { diagnostics: [pluck[0]] } });
    const fixAll = actions.find((a: any) => a.kind === 'quickfix.railsHazards.fixAll');
    assert.ok(fixAll, actions.map((a: any) => `${a.kind} ${a.title}`).join(' | '));
    assert.equal(fixAll.title, 'Fix all safe hazards in this file (2)');
    const [change] = fixAll.edit.documentChanges;
    const fixed = applyEdits(POST, change.edits.map((e: any) => ({ file, ...e })));
    assert.equal(fixed, POST.replace('where(published: true).map(&:id)', 'where(published: true).ids').replace('where(published: false).map(&:id)', 'where(published: false).ids'));
  });
});
