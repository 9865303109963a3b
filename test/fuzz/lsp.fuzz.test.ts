// Fuzzes the language server over stdio: malformed JSON-RPC is answered with errors and the server
// keeps serving; mutated documents and random incremental edits always get diagnostics inside the
// document; a 10,000-edit session keeps memory flat.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspClient, uriOf } from '../helpers/lspClient';
import { copySampleApp } from '../helpers/fixtures';
import { mutate, rangeInside, rng } from './mutate';

const BUDGET_MS = Number(process.env.RAILS_HAZARDS_FUZZ_MS ?? 45_000);
const SEED = Number(process.env.RAILS_HAZARDS_FUZZ_SEED ?? 20261122);
const SOAK_EDITS = Number(process.env.RAILS_HAZARDS_SOAK_EDITS ?? 10_000);

/** The client's frames as raw bytes, and the error replies (id null) that arrive for malformed ones. */
function frame(body: string | Buffer, header?: string): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(header ?? `Content-Length: ${b.length}\r\n\r\n`), b]);
}

function rssOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

describe('language server: malformed JSON-RPC', () => {
  let client: LspClient;
  let root: string;
  const errors: { id: unknown; code: number; message: string }[] = [];

  before(async () => {
    root = copySampleApp();
    client = new LspClient();
    // The helper drops responses without a pending id; record the id-null error replies here.
    const dispatch = (client as unknown as { dispatch: (m: any) => void }).dispatch.bind(client);
    (client as unknown as { dispatch: (m: any) => void }).dispatch = (m: any) => {
      if ((m.id === null || m.id === 'not-pending') && m.error) errors.push({ id: m.id, code: m.error.code, message: m.error.message });
      dispatch(m);
    };
    await client.initialize(root);
  });
  after(() => client.shutdown());

  const alive = async () => {
    const r = await client.request('textDocument/hover', { textDocument: { uri: uriOf(path.join(root, 'nope.rb')) }, position: { line: 0, character: 0 } }, 5000);
    assert.equal(r, null);
  };
  const nextError = async (count: number) => {
    for (let i = 0; i < 100 && errors.length < count; i++) await new Promise((r) => setTimeout(r, 20));
    return errors[count - 1];
  };

  test('a body that is not JSON gets a Parse error (-32700) and the server keeps serving', async () => {
    client.writeRaw(frame('{"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover", "params": {'));
    const e = await nextError(1);
    assert.equal(e?.code, -32700);
    await alive();
  });

  test('a header without Content-Length, and a huge Content-Length, get Parse errors', async () => {
    client.writeRaw('Content-Type: application/vscode-jsonrpc\r\n\r\n{}');
    client.writeRaw(frame('{}', 'Content-Length: 99999999999999999999\r\n\r\n'));
    const e = await nextError(3);
    assert.equal(errors[1].code, -32700);
    assert.equal(e?.code, -32700);
    await alive();
  });

  test('valid JSON that is not a JSON-RPC message gets Invalid request (-32600)', async () => {
    for (const body of ['[]', '42', '"hello"', '{"id": "not-pending"}', '{"jsonrpc": "1.0", "method": "x"}', '{"jsonrpc": "2.0", "method": 5}', 'null']) {
      client.writeRaw(frame(body));
    }
    await nextError(10);
    assert.deepEqual(errors.slice(3).map((e) => e.code), Array(7).fill(-32600));
    await alive();
  });

  test('invalid UTF-8 and NUL bytes in a body do not stop the server', async () => {
    client.writeRaw(frame(Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d])));
    await nextError(11);
    await alive();
  });

  test('an unknown method is answered with MethodNotFound; unknown notifications are ignored', async () => {
    await assert.rejects(client.request('rails/doesNotExist', {}, 5000), (e: any) => e.code === -32601);
    client.notify('$/unknownNotification', { x: 1 });
    client.notify('textDocument/didChange', { textDocument: { uri: 'file:///never/opened.rb', version: 2 }, contentChanges: [{ text: 'x' }] });
    client.notify('textDocument/didClose', { textDocument: { uri: 'file:///never/opened.rb' } });
    await alive();
  });

  test('wrong params are answered with an error or an empty result, never a crash', async () => {
    const calls: [string, unknown][] = [
      ['textDocument/hover', null],
      ['textDocument/hover', { textDocument: { uri: 42 }, position: { line: -1, character: 'x' } }],
      ['textDocument/codeAction', { textDocument: { uri: 'not a uri' } }],
      ['textDocument/codeAction', { textDocument: { uri: uriOf(path.join(root, 'x.rb')) }, range: null, context: null }],
      ['textDocument/diagnostic', { textDocument: {} }],
      ['workspace/executeCommand', { command: 'railsHazards.showDocumentation', arguments: [{}] }],
      ['workspace/executeCommand', { command: 'nope' }],
    ];
    for (const [method, params] of calls) {
      try { await client.request(method, params, 5000); } catch (e: any) { assert.ok(typeof e.code === 'number', `${method}: ${e.message}`); }
    }
    client.notify('textDocument/didOpen', { textDocument: { uri: uriOf(path.join(root, 'app/models/bad.rb')), languageId: 'ruby', version: 1 } });
    client.notify('textDocument/didOpen', null);
    client.notify('textDocument/didChange', { textDocument: { uri: uriOf(path.join(root, 'app/models/bad.rb')), version: 2 }, contentChanges: [{ range: { start: { line: 99, character: 99 }, end: { line: -5, character: 0 } }, text: 'x' }] });
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: 'file:///nowhere/Gemfile.lock', type: 2 }, { uri: 'bogus', type: 9 }] });
    await alive();
    assert.equal(client.proc.exitCode, null);
  });
});

describe('language server: fuzzed documents and edits', () => {
  let client: LspClient;
  let root: string;
  before(async () => {
    root = copySampleApp();
    client = new LspClient();
    await client.initialize(root);
  });
  after(() => client.shutdown());

  test('mutated documents under random incremental edits: diagnostics stay inside the document', async () => {
    const rand = rng(SEED);
    const seedFiles = ['app/models/patient.rb', 'app/models/appointment.rb', 'app/controllers/patients_controller.rb', 'app/views/patients/index.html.erb',
      'db/migrate/20250301090000_add_email_index_to_patients.rb', 'app/jobs/reminder_job.rb', 'Gemfile.lock', 'Gemfile', 'config/database.yml', 'db/schema.rb']
      .filter((f) => fs.existsSync(path.join(root, f)));
    const started = Date.now();
    const failures: string[] = [];
    let docsOpened = 0;
    let edits = 0;
    while (Date.now() - started < BUDGET_MS / 2 && failures.length < 10) {
      const rel = seedFiles[docsOpened % seedFiles.length];
      const file = path.join(root, rel);
      const uri = uriOf(file);
      const languageId = rel.endsWith('.erb') ? 'erb' : rel.endsWith('.lock') ? 'gemfile-lock' : 'ruby';
      let doc = TextDocument.create(uri, languageId, 1, mutate(fs.readFileSync(file, 'utf8'), rand).text);
      const opened = client.nextDiagnostics(uri, (p) => p.version === 1);
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text: doc.getText() } });
      const check = (p: any, text: string, label: string) => {
        for (const d of p.diagnostics) if (!rangeInside(text, d.range)) failures.push(`${rel} ${label}: ${d.code ?? ''} ${JSON.stringify(d.range)} outside the document`);
      };
      check(await opened, doc.getText(), 'open');
      for (let i = 0; i < 15; i++) {
        const text = doc.getText();
        const a = Math.floor(rand() * (text.length + 1));
        const b = Math.min(text.length, a + Math.floor(rand() * (rand() < 0.2 ? 400 : 8)));
        const insert = ['', 'x', 'end\n', '\n', 'do |x|\n', '<%= y %>', '😀', '"', '\r\n', ' '.repeat(50)][Math.floor(rand() * 10)];
        const range = { start: doc.positionAt(a), end: doc.positionAt(b) };
        const version = doc.version + 1;
        doc = TextDocument.update(doc, [{ range, text: insert }], version);
        const published = client.nextDiagnostics(uri, (p) => p.version === version);
        client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: insert }] });
        check(await published, doc.getText(), `edit ${i}`);
        edits++;
      }
      // Code actions and hovers on the fuzzed document answer without error.
      await client.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) }, context: { diagnostics: [] } });
      await client.request('textDocument/hover', { textDocument: { uri }, position: doc.positionAt(Math.floor(rand() * doc.getText().length)) });
      client.notify('textDocument/didClose', { textDocument: { uri } });
      docsOpened++;
    }
    assert.deepEqual(failures, [], `seed ${SEED}`);
    assert.ok(edits >= 15, `only ${edits} edits ran`);
    assert.equal(client.proc.exitCode, null, client.stderr);
  });
});

describe('language server: soak', () => {
  test(`${SOAK_EDITS} edits in one session keep memory flat`, async () => {
    const root = copySampleApp();
    const client = new LspClient();
    try {
      await client.initialize(root);
      const file = path.join(root, 'app/models/patient.rb');
      const uri = uriOf(file);
      let doc = TextDocument.create(uri, 'ruby', 1, fs.readFileSync(file, 'utf8'));
      const opened = client.nextDiagnostics(uri, (p) => p.version === 1);
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ruby', version: 1, text: doc.getText() } });
      await opened;
      const samples: number[] = [];
      const line = Math.max(1, Math.floor(doc.lineCount / 2));
      for (let i = 0; i < SOAK_EDITS; i++) {
        const insert = i % 2 === 0;
        const pos = { line, character: 0 };
        const range = insert ? { start: pos, end: pos } : { start: pos, end: { line, character: 1 } };
        const version = doc.version + 1;
        doc = TextDocument.update(doc, [{ range, text: insert ? 'x' : '' }], version);
        client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: insert ? 'x' : '' }] });
        if (i % 50 === 49) {
          // Wait for this version's diagnostics so edits do not just pile up in the pipe.
          await client.nextDiagnostics(uri, (p) => p.version === version, 30_000);
          if (i % 1000 === 999) {
            await client.request('textDocument/codeAction', { textDocument: { uri }, range: { start: pos, end: pos }, context: { diagnostics: [] } });
            const rss = rssOf(client.proc.pid!);
            if (rss !== undefined) samples.push(rss);
          }
        }
      }
      if (samples.length >= 4) {
        // After warm-up (the first two samples), RSS may wobble with the GC but must not keep growing.
        const warm = samples.slice(2);
        const growth = warm[warm.length - 1] - warm[0];
        assert.ok(growth < 40, `RSS grew ${growth.toFixed(1)} MB over ${SOAK_EDITS} edits: ${samples.map((s) => s.toFixed(0)).join(', ')} MB`);
        assert.ok(Math.max(...samples) < 300, `RSS peaked at ${Math.max(...samples).toFixed(0)} MB`);
      }
      assert.equal(client.proc.exitCode, null, client.stderr);
    } finally {
      await client.shutdown();
    }
  });
});
