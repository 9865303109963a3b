import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeFiles, workerCountFor, PARALLEL_THRESHOLD } from '../../../server/src/project/parallel';
import { Workspace } from '../../../server/src/project/workspace';
import { allRules } from '../../../server/src/rules';
import { initParsers, parseStats } from '../../../server/src/parsing/treeSitter';
import { nextFileWithIndexTree, parseForIndex, shareIndexTrees, stopSharingTrees, takeIndexTree } from '../../../server/src/project/treeShare';
import { generateApp } from '../../../bench/synth';

before(initParsers);

describe('analysis on worker threads', () => {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rh-par-')), 'app');
  generateApp(root, { files: 400 });
  const ws = new Workspace({ rules: allRules });
  const files = ws.listAnalyzableFiles(root);

  test('small inputs stay on the calling thread; RAILS_HAZARDS_WORKERS overrides', () => {
    const saved = process.env.RAILS_HAZARDS_WORKERS;
    delete process.env.RAILS_HAZARDS_WORKERS;
    try {
      assert.equal(workerCountFor(PARALLEL_THRESHOLD - 1), 0);
      assert.equal(workerCountFor(PARALLEL_THRESHOLD - 1, 'background'), 0);
      assert.equal(workerCountFor(5000), 0, 'the CLI stays on one thread by default');
      assert.equal(workerCountFor(5000, 'background'), 1, 'the server scan uses one worker');
      process.env.RAILS_HAZARDS_WORKERS = '3';
      assert.equal(workerCountFor(10), 3);
    } finally {
      if (saved === undefined) delete process.env.RAILS_HAZARDS_WORKERS; else process.env.RAILS_HAZARDS_WORKERS = saved;
    }
  });

  test('two workers give exactly the single-threaded results, in file order', async () => {
    const single = await analyzeFiles(files, { workers: 0, inline: () => new Workspace({ rules: allRules }) });
    const seen: number[] = [];
    const parallel = await analyzeFiles(files, { workers: 2, inline: () => new Workspace({ rules: allRules }), onResult: (_f, _r, i) => seen.push(i) });
    assert.equal(parallel.length, files.length);
    assert.deepEqual(parallel, single);
    assert.equal(new Set(seen).size, files.length);
    assert.ok(single.some((r) => r!.findings.length > 0));
  });

  test('cancelling stops the pool and resolves', async () => {
    let n = 0;
    const results = await analyzeFiles(files, { workers: 2, inline: () => ws, onResult: () => { n++; }, isCancelled: () => n >= 30 });
    assert.ok(results.filter(Boolean).length < files.length);
  });

  test('a file over the time budget is reported and skipped; the rest is analysed by a fresh worker', async () => {
    const logs: string[] = [];
    const results = await analyzeFiles(files.slice(0, 20), { workers: 1, fileBudgetMs: 1, inline: () => ws, log: (m) => logs.push(m) });
    assert.equal(results.filter(Boolean).length, 20, 'every file has a result or a notice');
    const skipped = results.filter((r) => r!.notices.some((x) => /per-file budget/.test(x.message)));
    assert.equal(skipped.length, logs.filter((l) => /per-file budget/.test(l)).length);
  });
});

describe('index trees shared with the files own analysis (one-thread check)', () => {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rh-share-')), 'app');
  generateApp(root, { files: 120 });
  const files = new Workspace({ rules: allRules }).listAnalyzableFiles(root);

  test('same results as without sharing, in file order, with fewer parses', async () => {
    const before = parseStats.parsed;
    const plain = await analyzeFiles(files, { workers: 0, inline: () => new Workspace({ rules: allRules }) });
    const plainParses = parseStats.parsed - before;
    const order: number[] = [];
    const shared = await analyzeFiles(files, { workers: 0, inline: () => new Workspace({ rules: allRules }), shareIndexTreesChars: 1_000_000, onResult: (_f, _r, i) => order.push(i) });
    const sharedParses = parseStats.parsed - before - plainParses;
    assert.deepEqual(shared, plain);
    assert.equal(new Set(order).size, files.length, 'every file analysed once');
    assert.notDeepEqual(order, [...order].sort((a, b) => a - b), 'files whose tree waits go first');
    assert.ok(sharedParses < plainParses, `${sharedParses} parses with sharing, ${plainParses} without`);
  });

  test('a kept tree is used only for the exact text it was parsed from, and only once', () => {
    shareIndexTrees(1000);
    try {
      const file = path.join(root, 'app/models/kept.rb');
      const tree = parseForIndex(file, 'class Kept < ApplicationRecord\nend\n');
      assert.equal(takeIndexTree(file, 'class Kept < ApplicationRecord\n  has_many :notes\nend\n'), undefined, 'the file changed since the index read it');
      assert.equal(takeIndexTree(file, 'class Kept < ApplicationRecord\nend\n'), undefined, 'handed over (or dropped) once');
      const again = parseForIndex(file, 'class Kept < ApplicationRecord\nend\n');
      assert.equal(takeIndexTree(file, 'class Kept < ApplicationRecord\nend\n'), again);
      assert.notEqual(again, tree);
      parseForIndex(path.join(root, 'app/models/large.rb'), `# ${'x'.repeat(2000)}\n`);
      assert.equal(nextFileWithIndexTree(() => true), undefined, 'over the budget: not kept');
    } finally {
      stopSharingTrees();
    }
  });
});
