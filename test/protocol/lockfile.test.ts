// The lockfile pack through the real server: diagnostics in Gemfile.lock, its code actions (the pin and
// "Ignore <gem> in .rails-hazards.yml", never "Disable for this line"), hover in Gemfile.lock and the
// Gemfile, and a Gemfile edit that bounds the gem clearing the lockfile diagnostic.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, uriOf } from '../helpers/lspClient';
import { copySampleApp } from '../helpers/fixtures';

describe('lockfile pack over stdio', () => {
  let client: LspClient;
  let root: string;
  let lockUri: string;
  let gemfileUri: string;

  before(async () => {
    root = copySampleApp();
    // No configuration file yet: the Ignore fix must create one.
    fs.rmSync(path.join(root, '.rails-hazards.yml'), { force: true });
    client = new LspClient();
    await client.initialize(root, {}, { trusted: false });
    lockUri = uriOf(path.join(root, 'Gemfile.lock'));
    gemfileUri = uriOf(path.join(root, 'Gemfile'));
  });
  after(() => client.shutdown());

  test('diagnostics and code actions in Gemfile.lock', async () => {
    const pending = client.nextDiagnostics(lockUri, (p) => p.version === 1);
    client.notify('textDocument/didOpen', { textDocument: { uri: lockUri, languageId: 'gemfile-lock', version: 1, text: fs.readFileSync(path.join(root, 'Gemfile.lock'), 'utf8') } });
    const { diagnostics } = await pending;
    const pool = diagnostics.find((d: any) => d.code === 'dependencies/floating-runtime-gem' && d.range.start.line === 36);
    assert.ok(pool, JSON.stringify(diagnostics));
    assert.equal(pool.severity, 2);
    assert.deepEqual(pool.range, { start: { line: 36, character: 4 }, end: { line: 36, character: 19 } });
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri: lockUri }, range: pool.range, context: { diagnostics: [pool] } });
    assert.deepEqual(actions.map((a: any) => a.title), [
      'Pin connection_pool in Gemfile (gem "connection_pool", "< 3"), then run `bundle lock --update connection_pool` (unsafe)',
      'Ignore connection_pool in .rails-hazards.yml (dependencies.ignore)',
      'Show documentation for dependencies/floating-runtime-gem',
    ]);
    const ignore = actions[1].edit.documentChanges;
    assert.deepEqual(ignore[0], { kind: 'create', uri: uriOf(path.join(root, '.rails-hazards.yml')), options: { ignoreIfExists: true } });
    assert.equal(ignore[1].edits[0].newText, 'dependencies:\n  ignore:\n    - connection_pool\n');
  });

  test('hover in Gemfile.lock and on a gem line in the Gemfile', async () => {
    const hover = await client.request('textDocument/hover', { textDocument: { uri: lockUri }, position: { line: 36, character: 8 } });
    assert.match(hover.contents.value, /^\*\*connection_pool 3\.0\.2\*\* · runtime\n/);
    assert.match(hover.contents.value, /\n- sidekiq 7\.3\.9: `>= 2\.3\.0` \(floor only\)\n/);
    client.notify('textDocument/didOpen', { textDocument: { uri: gemfileUri, languageId: 'ruby', version: 1, text: fs.readFileSync(path.join(root, 'Gemfile'), 'utf8') } });
    const g = await client.request('textDocument/hover', { textDocument: { uri: gemfileUri }, position: { line: 7, character: 6 } });
    assert.match(g.contents.value, /^\*\*sidekiq 7\.3\.9\*\* · runtime\n\n- Source: rubygems https:\/\/rubygems\.org\/\n- Gemfile: `~> 7\.3` \(line 8, groups: default\)\n/);
  });

  test('pinning in the (unsaved) Gemfile clears the lockfile diagnostic', async () => {
    const text = fs.readFileSync(path.join(root, 'Gemfile'), 'utf8') + 'gem "connection_pool", "~> 2.5"\n';
    client.notify('textDocument/didChange', { textDocument: { uri: gemfileUri, version: 2 }, contentChanges: [{ text }] });
    const pending = client.nextDiagnostics(lockUri, (p) => p.version === 2);
    const lockText = fs.readFileSync(path.join(root, 'Gemfile.lock'), 'utf8');
    client.notify('textDocument/didChange', { textDocument: { uri: lockUri, version: 2 }, contentChanges: [{ text: lockText }] });
    const { diagnostics } = await pending;
    assert.equal(diagnostics.filter((d: any) => d.message.startsWith('connection_pool')).length, 0, JSON.stringify(diagnostics));
  });
});
