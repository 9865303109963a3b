// Fuzzes the analysis engine with every registered rule: mutated Ruby, ERB, YAML and lockfile inputs
// (byte flips, truncations, splices, deep nesting, huge lines) must never throw, never hang, never make
// a rule crash, and every finding, notice and fix range must lie inside the document.
// Bounded by time (RAILS_HAZARDS_FUZZ_MS, default 45 s) and seeded (RAILS_HAZARDS_FUZZ_SEED) so a
// failure can be replayed.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Workspace } from '../../server/src/project/workspace';
import { allRules } from '../../server/src/rules';
import { initParsers } from '../../server/src/parsing/treeSitter';
import { copySampleApp } from '../helpers/fixtures';
import { mutate, rangeInside, rng, MUTATIONS } from './mutate';

const BUDGET_MS = Number(process.env.RAILS_HAZARDS_FUZZ_MS ?? 45_000);
const SEED = Number(process.env.RAILS_HAZARDS_FUZZ_SEED ?? 20261122);
/**
 * A file may take at most this much CPU time (the parse budget is 3 s here; rules must not add a hang).
 * CPU time, not wall time, so a loaded CI machine does not fail the test.
 */
const PER_FILE_MS = 8_000;
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

before(initParsers);

interface Seed { rel: string; text: string }

function seeds(root: string): Seed[] {
  const out: Seed[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(rb|erb|yml|lock)$|^Gemfile$/.test(e.name)) out.push({ rel: path.relative(root, full), text: fs.readFileSync(full, 'utf8') });
    }
  };
  walk(root);
  out.push({ rel: '.rails-hazards.yml', text: 'database:\n  adapter: postgresql\n  version: "16"\nrules:\n  migrations/add-index-non-concurrent: warning\nmigrations:\n  startAfter: 20240101000000\nexclude:\n  - "db/migrate/2019*"\n' });
  return out;
}

/** Checks one analysis result; returns a failure description or undefined. */
function problems(file: string, text: string, result: ReturnType<Workspace['analyzeText']>): string[] {
  const out: string[] = [];
  for (const f of result.findings) {
    if (!rangeInside(text, f.range)) out.push(`${f.ruleId} range ${JSON.stringify(f.range)} outside the document`);
    for (const fix of f.fixes) {
      for (const e of fix.edits) {
        if (e.file === file && !e.createFile && !rangeInside(text, e.range)) out.push(`${f.ruleId} fix "${fix.title}" edit ${JSON.stringify(e.range)} outside the document`);
      }
    }
  }
  for (const n of result.notices) {
    if (n.range && !rangeInside(text, n.range)) out.push(`notice range ${JSON.stringify(n.range)} outside the document: ${n.message}`);
    if (/failed on this file|analysis failed/.test(n.message)) out.push(n.message);
  }
  return out;
}

/** Inputs over the per-file CPU budget (checked in their own test, below). */
const slow: string[] = [];

describe('fuzzing the engine with all registered rules', () => {
  test(`mutated inputs never crash, hang or report outside the document (${allRules.length} rules)`, () => {
    const root = copySampleApp();
    const logs: string[] = [];
    const ws = new Workspace({ rules: allRules, log: (m) => logs.push(m), parseBudgetMs: 3000 });
    const all = seeds(root);
    const rand = rng(SEED);
    const started = Date.now();
    let runs = 0;
    const failures: string[] = [];
    // Each mutation kind at least once on every seed, then random combinations until the budget is spent.
    const plan: { seed: Seed; kind?: string }[] = [];
    for (const seed of all) for (const kind of Object.keys(MUTATIONS)) plan.push({ seed, kind });
    while (Date.now() - started < BUDGET_MS && failures.length < 20) {
      const step = plan.shift() ?? { seed: all[Math.floor(rand() * all.length)] };
      const mutated = step.kind ? { text: MUTATIONS[step.kind](step.seed.text, rand), steps: [step.kind] } : mutate(step.seed.text, rand);
      const file = path.join(root, step.seed.rel);
      let t = cpuMs();
      let result;
      try {
        // Fact files (database.yml, Gemfile.lock, schema.rb, initializers) are read through the app's facts,
        // each within the parse budget; then the file is analysed, within the per-file budget.
        fs.writeFileSync(file, mutated.text);
        ws.fileChanged(file);
        ws.appFor(file).getFacts();
        const factsMs = cpuMs() - t;
        if (factsMs > PER_FILE_MS) slow.push(`${step.seed.rel} after ${mutated.steps.join('+')}: reading app facts took ${Math.round(factsMs)} ms CPU`);
        t = cpuMs();
        result = ws.analyzeText(file, mutated.text);
      } catch (error) {
        failures.push(`${step.seed.rel} after ${mutated.steps.join('+')}: threw ${error instanceof Error ? error.stack : String(error)}`);
        continue;
      } finally {
        fs.writeFileSync(file, step.seed.text);
        ws.fileChanged(file);
      }
      const ms = cpuMs() - t;
      if (ms > PER_FILE_MS) slow.push(`${step.seed.rel} after ${mutated.steps.join('+')}: took ${Math.round(ms)} ms CPU`);
      for (const p of problems(file, mutated.text, result)) failures.push(`${step.seed.rel} after ${mutated.steps.join('+')}: ${p}`);
      runs++;
    }
    const crashes = logs.filter((l) => /crashed|failed/.test(l)).slice(0, 5);
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} failures in ${runs} runs (seed ${SEED})\n${crashes.join('\n')}`);
    assert.ok(runs >= 20, `only ${runs} inputs ran in ${BUDGET_MS} ms`);
  });

  // The migration model was once quadratic on a 20k–80k-token line of ERROR nodes (`add_<%= y %>…`):
  // it asked tree-sitter for `node.parent`, which searches from the root.
  test('every mutated input stays within the per-file CPU budget', () => {
    assert.deepEqual(slow, []);
  });

  test('deeply nested and huge-line files finish within the per-file budget or are skipped with a notice', () => {
    const root = copySampleApp();
    const ws = new Workspace({ rules: allRules, parseBudgetMs: 2000 });
    const cases: [string, string][] = [
      ['app/models/deep.rb', 'class Deep < ApplicationRecord\n' + 'foo do\n'.repeat(20_000) + 'end\n'.repeat(20_000) + 'end\n'],
      ['app/views/patients/huge.html.erb', '<% @patients.each do |p| %>' + '<%= p.doctor.name %>'.repeat(10_000) + '<% end %>\n'],
      ['db/migrate/20250101000000_long.rb', 'class Long < ActiveRecord::Migration[7.2]\n  def change\n    add_index :patients, ' + ':c, '.repeat(100_000) + ':d\n  end\nend\n'],
      ['app/controllers/unclosed_controller.rb', 'class UnclosedController < ApplicationController\n' + '  def x\n    [' + '(['.repeat(30_000) + '\n'],
      ['Gemfile.lock', 'GEM\n  remote: https://rubygems.org/\n  specs:\n' + '    rack (3.0.0)\n      x (>= 1)\n'.repeat(50_000)],
    ];
    for (const [rel, text] of cases) {
      const file = path.join(root, rel);
      const t = cpuMs();
      const result = ws.analyzeText(file, text);
      const ms = cpuMs() - t;
      assert.ok(ms < PER_FILE_MS, `${rel} took ${ms} ms`);
      assert.deepEqual(problems(file, text, result), [], rel);
    }
  });
});
