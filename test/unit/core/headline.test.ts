// Messages become a short headline (the Problems panel line) and a detail (the hover, the CLI's `detail`).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { analyze } from '../../../server/src/core/engine';
import { splitMessage } from '../../../server/src/core/headline';
import { defineRule, type Report } from '../../../server/src/core/rule';
import { appFacts, initParsers, migration } from '../../helpers/ruleTester';
import { parseRuby } from '../../../server/src/parsing/treeSitter';
import { BIN } from '../../helpers/lspClient';
import { SAMPLE_APP } from '../../helpers/fixtures';

before(initParsers);

describe('splitMessage', () => {
  test('the headline ends at the last clause boundary within 100 characters; the rest is the detail', () => {
    const m = 'add_index builds an index on existing table patients with a SHARE lock on PostgreSQL 16: every INSERT, UPDATE and DELETE on patients waits until the whole index is built. Build it concurrently.';
    assert.deepEqual(splitMessage(m), {
      headline: 'add_index builds an index on existing table patients with a SHARE lock on PostgreSQL 16',
      detail: 'every INSERT, UPDATE and DELETE on patients waits until the whole index is built. Build it concurrently.',
    });
  });

  test('a short message is its own headline, with no detail', () => {
    assert.deepEqual(splitMessage('add_column adds json column metadata to appointments.'), { headline: 'add_column adds json column metadata to appointments.' });
  });

  test('colons inside `code`, "quotes" and parentheses are not boundaries', () => {
    const m = '`Appointment.where(status: "x").each` loads every row (status: "x", all of them) into memory at once, and on a large table that is slow; use find_each.';
    const { headline } = splitMessage(m);
    assert.equal(headline, '`Appointment.where(status: "x").each` loads every row (status: "x", all of them) into memory at once, and on a large table that is slow');
  });

  test('"e.g. " and version numbers do not end a sentence', () => {
    const m = 'Pin the gem below the next major version, e.g. Rails 7.2 keeps working with connection_pool 2.4 but not with it. Pin it: gem "connection_pool", "< 3", then run bundle lock.';
    assert.equal(splitMessage(m).headline, 'Pin the gem below the next major version, e.g. Rails 7.2 keeps working with connection_pool 2.4 but not with it');
  });

  test('without a boundary the text is cut at a word, never inside a parenthetical', () => {
    const m = `${'word '.repeat(15)}(built in app/controllers/appointments_controller.rb:3 and more words here to make it long) and on and on ${'x '.repeat(40)}`;
    const { headline, detail } = splitMessage(m);
    assert.equal(headline, `${'word '.repeat(15).trim()}…`);
    assert.match(detail ?? '', /^…\(built in/);
  });
});

describe('engine: headline and detail on findings', () => {
  const code = migration('add_index :users, :email');
  const analyzeWith = (report: Report) => {
    const rule = defineRule({
      meta: { id: 'migrations/headline-test', description: 'test', defaultSeverity: 'warning', fix: 'none', fileKinds: ['migration'] },
      create: (ctx) => ({ call: (node) => { if (node.text.startsWith('add_index')) ctx.report({ node, ...report }); } }),
    });
    const tree = parseRuby(code);
    try { return analyze({ file: '/app/db/migrate/20250101000000_x.rb', text: code, kind: 'migration', tree }, appFacts(), [rule]).findings[0]; } finally { tree.delete(); }
  };

  test('a long message is split; `message` keeps the whole text', () => {
    const message = `add_index blocks writes on users until the build ends (SHARE lock, PostgreSQL 16): ${'because '.repeat(20)}the end.`;
    const f = analyzeWith({ message });
    assert.equal(f.message, message);
    assert.equal(f.headline, 'add_index blocks writes on users until the build ends (SHARE lock, PostgreSQL 16)');
    assert.equal(f.detail, `${'because '.repeat(20)}the end.`);
  });

  test('an explicit headline and detail are kept as given', () => {
    const f = analyzeWith({ headline: 'add_index blocks writes on users', detail: 'Build it concurrently.' });
    assert.deepEqual([f.headline, f.detail, f.message], ['add_index blocks writes on users', 'Build it concurrently.', 'add_index blocks writes on users: Build it concurrently.']);
  });
});

describe('the sample app', () => {
  test('the median diagnostic headline is at most 100 characters, and every long message keeps its detail', () => {
    const r = spawnSync(process.execPath, [BIN, 'check', SAMPLE_APP, '--format', 'json', '--fail-on', 'never'], { cwd: path.resolve(SAMPLE_APP, '../..'), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const findings: { message: string; detail?: string }[] = JSON.parse(r.stdout).findings;
    assert.ok(findings.length >= 10, `the sample app has hazards (${findings.length})`);
    const lengths = findings.map((f) => f.message.length).sort((a, b) => a - b);
    const median = lengths.length % 2 ? lengths[(lengths.length - 1) / 2] : (lengths[lengths.length / 2 - 1] + lengths[lengths.length / 2]) / 2;
    assert.ok(median <= 100, `median headline length ${median}: ${lengths.join(', ')}`);
    assert.ok(findings.filter((f) => f.detail).length >= findings.length / 2, 'the explanations moved to detail, not away');
  });
});
