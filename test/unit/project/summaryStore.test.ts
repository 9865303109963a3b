// The per-file summary store: a file summarised once (by a check, the server or its scan worker) is read back
// when its text is unchanged, by the same build only; a damaged entry is discarded and summarised again. The
// app indexes built from stored summaries give the same findings as those built from parses.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN } from '../../helpers/lspClient';
import { copySampleApp } from '../../helpers/fixtures';
import { cachedSummary, flushSummaryStore, summaryStoreStats, useSummaryStore } from '../../../server/src/project/summaryStore';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rh-summaries-'));

function entriesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name)); else out.push(path.join(d, e.name));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

describe('summary store', () => {
  afterEach(() => useSummaryStore(undefined));

  const summary = () => ({ name: 'Post', associations: new Map([['author', { macro: 'belongs_to', scoped: false }]]), scopes: new Set(['recent']), nothing: undefined });

  test('a file summarised once is read back, Maps and Sets intact, without computing again', () => {
    const dir = tempDir();
    useSummaryStore({ dir, tool: 'build-a' });
    let computed = 0;
    const first = cachedSummary('models', '/app/models/post.rb', 'class Post; end', () => { computed++; return summary(); });
    useSummaryStore({ dir, tool: 'build-a' });
    const second = cachedSummary('models', '/app/models/post.rb', 'class Post; end', () => { computed++; return summary(); });
    assert.equal(computed, 1);
    assert.deepEqual(second, first);
    assert.ok(second.associations instanceof Map && second.scopes instanceof Set);
    assert.deepEqual(summaryStoreStats(), { hits: 1, misses: 0, written: 0, discarded: 0 });
  });

  test('another text, file, kind or build is summarised again', () => {
    const dir = tempDir();
    useSummaryStore({ dir, tool: 'build-a' });
    cachedSummary('models', '/app/models/post.rb', 'class Post; end', summary);
    let computed = 0;
    const again = () => { computed++; return summary(); };
    cachedSummary('models', '/app/models/post.rb', 'class Post < ApplicationRecord; end', again);
    cachedSummary('models', '/app/models/other.rb', 'class Post; end', again);
    cachedSummary('views', '/app/models/post.rb', 'class Post; end', again);
    useSummaryStore({ dir, tool: 'build-b' });
    cachedSummary('models', '/app/models/post.rb', 'class Post; end', again);
    assert.equal(computed, 4);
  });

  test('a damaged or truncated entry is discarded and the summary computed again', () => {
    for (const damage of [(b: Buffer) => { b[b.length - 3] ^= 0xff; return b; }, (b: Buffer) => b.subarray(0, b.length - 5), () => Buffer.from('not an entry')]) {
      const dir = tempDir();
      useSummaryStore({ dir, tool: 'build-a' });
      cachedSummary('models', '/app/models/post.rb', 'x', summary);
      const [entry] = entriesUnder(path.join(dir, 'summaries'));
      fs.writeFileSync(entry, damage(fs.readFileSync(entry)));
      useSummaryStore({ dir, tool: 'build-a' });
      let computed = 0;
      const value = cachedSummary('models', '/app/models/post.rb', 'x', () => { computed++; return summary(); });
      assert.equal(computed, 1);
      assert.deepEqual(value, summary());
      assert.equal(summaryStoreStats()!.discarded, 1);
      useSummaryStore({ dir, tool: 'build-a' });
      cachedSummary('models', '/app/models/post.rb', 'x', () => assert.fail('the recomputed summary was stored again'));
    }
  });

  test('a summary that is not plain data (a class instance, a function) is computed every time, never stored', () => {
    const dir = tempDir();
    class Located { constructor(readonly line: number) {} where() { return `line ${this.line}`; } }
    for (const [file, make] of [['/a.rb', () => ({ at: new Located(3) })], ['/b.rb', () => ({ calls: new Map([['x', () => 1]]) })]] as [string, () => unknown][]) {
      useSummaryStore({ dir, tool: 'build-a' });
      cachedSummary('models', file, 'x', make);
      useSummaryStore({ dir, tool: 'build-a' });
      let computed = 0;
      cachedSummary('models', file, 'x', () => { computed++; return make(); });
      assert.equal(computed, 1, file);
    }
    assert.deepEqual(entriesUnder(path.join(dir, 'summaries')), []);
  });

  test('a cache folder that cannot be written still gives every summary', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'summaries'), 'a file where the folder would be');
    useSummaryStore({ dir, tool: 'build-a' });
    assert.deepEqual(cachedSummary('models', '/f.rb', 'x', summary), summary());
    assert.deepEqual(cachedSummary('models', '/g.rb', 'y', () => 42), 42);
  });

  test('without a store (tests, --no-cache) every summary is computed', () => {
    let computed = 0;
    cachedSummary('models', '/f.rb', 'x', () => computed++);
    cachedSummary('models', '/f.rb', 'x', () => computed++);
    assert.equal(computed, 2);
  });

  test('deferred writes (the server): on disk only after the task, read from memory meanwhile, then read back by the next store', async () => {
    const dir = tempDir();
    useSummaryStore({ dir, tool: 'build-a' }, { deferWrites: true });
    let computed = 0;
    const first = cachedSummary('models', '/app/models/post.rb', 'class Post; end', () => { computed++; return summary(); });
    assert.deepEqual(entriesUnder(path.join(dir, 'summaries')), [], 'nothing written while the task runs');
    const again = cachedSummary('models', '/app/models/post.rb', 'class Post; end', () => { computed++; return summary(); });
    assert.equal(computed, 1, 'the deferred entry answers from memory');
    assert.deepEqual(again, first);
    assert.ok(again.associations instanceof Map && again !== first, 'a copy, as a read from disk would be');
    await flushSummaryStore();
    assert.equal(entriesUnder(path.join(dir, 'summaries')).length, 1);
    useSummaryStore({ dir, tool: 'build-a' });
    cachedSummary('models', '/app/models/post.rb', 'class Post; end', () => assert.fail('the deferred entry was not stored'));
    assert.deepEqual(summaryStoreStats(), { hits: 1, misses: 0, written: 0, discarded: 0 });
  });

  test('deferred writes of many files all land, and a store replaced before they ran writes them first', async () => {
    const dir = tempDir();
    useSummaryStore({ dir, tool: 'build-a' }, { deferWrites: true });
    for (let i = 0; i < 40; i++) cachedSummary('models', `/app/models/m${i}.rb`, 'x', () => i);
    await flushSummaryStore();
    assert.equal(entriesUnder(path.join(dir, 'summaries')).filter((e) => !e.endsWith('.tmp')).length, 40);
    useSummaryStore({ dir, tool: 'build-b' }, { deferWrites: true });
    cachedSummary('models', '/app/models/late.rb', 'x', () => 'late');
    useSummaryStore({ dir, tool: 'build-b' });
    assert.equal(cachedSummary('models', '/app/models/late.rb', 'x', () => 'computed again'), 'late');
    for (let i = 0; i < 40; i++) assert.equal(cachedSummary('models', `/app/models/m${i}.rb`, 'x', () => -1), -1, 'another build');
    assert.ok(!entriesUnder(dir).some((e) => e.endsWith('.tmp')), 'no temporary file left');
  });

  test('a cache folder that cannot be written, with deferred writes, still gives every summary', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'summaries'), 'a file where the folder would be');
    useSummaryStore({ dir, tool: 'build-a' }, { deferWrites: true });
    assert.deepEqual(cachedSummary('models', '/f.rb', 'x', summary), summary());
    await flushSummaryStore();
    assert.deepEqual(cachedSummary('models', '/g.rb', 'y', () => 42), 42);
    await flushSummaryStore();
  });

  test('opening a store removes other builds untouched for a day, and keeps recent ones', () => {
    const dir = tempDir();
    for (const tool of ['old', 'recent']) {
      useSummaryStore({ dir, tool });
      cachedSummary('models', '/f.rb', 'x', summary);
    }
    const folderOf = (tool: string) => path.join(dir, 'summaries', createHash('sha256').update(tool).digest('hex').slice(0, 16));
    assert.ok(fs.existsSync(folderOf('old')) && fs.existsSync(folderOf('recent')));
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    fs.utimesSync(folderOf('old'), twoDaysAgo, twoDaysAgo);
    useSummaryStore({ dir, tool: 'current' }, { prune: true });
    assert.ok(!fs.existsSync(folderOf('old')), 'the stale build is gone');
    assert.ok(fs.existsSync(folderOf('recent')), 'a build used today stays');
  });
});

describe('check with stored summaries', () => {
  function check(app: string, cacheDir: string, ...flags: string[]): { stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [BIN, 'check', app, '--format', 'json', '--fail-on', 'never', ...flags], {
      cwd: app, encoding: 'utf8', env: { ...process.env, RAILS_HAZARDS_CACHE_DIR: cacheDir, RAILS_HAZARDS_DEBUG: '1' },
    });
    assert.equal(r.status, 0, r.stderr);
    return { stdout: r.stdout, stderr: r.stderr };
  }
  const readCount = (stderr: string) => Number(/^summaries: (\d+) read/m.exec(stderr)?.[1] ?? NaN);

  test('after one file changes, the other files come from their summaries and the report equals a check without cache', () => {
    const app = copySampleApp();
    const cache = tempDir();
    const cold = check(app, cache);
    assert.equal(readCount(cold.stderr), 0);
    const loops = (stdout: string) => (JSON.parse(stdout).findings as { rule: string }[]).filter((f) => f.rule === 'queries/association-in-loop').length;
    assert.equal(loops(cold.stdout), 2);
    const controller = path.join(app, 'app', 'controllers', 'appointments_controller.rb');
    fs.writeFileSync(controller, fs.readFileSync(controller, 'utf8').replace('Appointment.where(clinic_id: params[:clinic_id])', 'Appointment.includes(:patient, :doctor).where(clinic_id: params[:clinic_id])'));
    const warm = check(app, cache);
    assert.doesNotMatch(warm.stderr, /^cache: reused/m, 'the changed controller invalidates the stored report');
    assert.ok(readCount(warm.stderr) > 10, `stored summaries were read:\n${warm.stderr}`);
    assert.equal(loops(warm.stdout), 0, 'the view sees the preload the controller now makes');
    assert.equal(warm.stdout, check(app, cache, '--no-cache').stdout);
  });
});
