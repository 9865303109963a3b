// SARIF for code scanning: the 2.1.0 required structure, rule help from the docs pages, and fingerprints
// that survive unrelated edits.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN } from '../../helpers/lspClient';
import { copySampleApp } from '../../helpers/fixtures';
import { enclosingScopes } from '../../../server/src/cli/fingerprint';

function sarif(app: string): any {
  const r = spawnSync(process.execPath, [BIN, 'check', '.', '--format', 'sarif', '--fail-on', 'never'], { cwd: app, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
const message = (m: any, where: string) => assert.ok(isObject(m) && (typeof m.text === 'string' || typeof m.id === 'string'), `${where}: a message has text or id`);
const multiformat = (m: any, where: string) => assert.ok(isObject(m) && typeof m.text === 'string' && m.text.length > 0, `${where}: multiformatMessageString.text`);

/** The properties SARIF 2.1.0's schema requires, and the types of the optional ones we emit. */
function assertValidSarif(log: any): void {
  assert.equal(log.version, '2.1.0');
  assert.ok(Array.isArray(log.runs) && log.runs.length === 1);
  for (const run of log.runs) {
    assert.ok(isObject(run.tool) && isObject(run.tool.driver) && typeof run.tool.driver.name === 'string', 'run.tool.driver.name');
    const rules = run.tool.driver.rules;
    for (const rule of rules) {
      assert.equal(typeof rule.id, 'string');
      multiformat(rule.shortDescription, rule.id);
      multiformat(rule.fullDescription, rule.id);
      multiformat(rule.help, rule.id);
      assert.equal(typeof rule.help.markdown, 'string');
      assert.ok(Array.isArray(rule.properties.tags) && rule.properties.tags.every((t: unknown) => typeof t === 'string'));
      assert.match(rule.defaultConfiguration.level, /^(none|note|warning|error)$/);
    }
    for (const result of run.results) {
      message(result.message, result.ruleId);
      assert.equal(rules[result.ruleIndex].id, result.ruleId, 'ruleIndex points at the rule');
      assert.match(result.level, /^(none|note|warning|error)$/);
      for (const loc of result.locations) {
        const region = loc.physicalLocation.region;
        assert.ok(region.startLine >= 1 && region.startColumn >= 1 && region.endLine >= region.startLine);
        assert.equal(typeof loc.physicalLocation.artifactLocation.uri, 'string');
        assert.ok(run.originalUriBaseIds[loc.physicalLocation.artifactLocation.uriBaseId], 'uriBaseId is declared');
      }
      assert.ok(isObject(result.partialFingerprints) && Object.values(result.partialFingerprints).every((v) => typeof v === 'string'));
    }
    for (const inv of run.invocations) assert.equal(typeof inv.executionSuccessful, 'boolean');
  }
}

describe('SARIF', () => {
  test('has the 2.1.0 required structure; each rule has fullDescription, help from its docs page and tags', () => {
    const log = sarif(copySampleApp());
    assertValidSarif(log);
    const rule = log.runs[0].tool.driver.rules.find((r: any) => r.id === 'migrations/add-index-non-concurrent');
    assert.equal(rule.fullDescription.text, 'add_index on an existing PostgreSQL table without algorithm: :concurrently.');
    assert.match(rule.help.markdown, /^# migrations\/add-index-non-concurrent\n\n`add_index` on an existing PostgreSQL table/);
    assert.match(rule.help.markdown, /## Bad\n\n```ruby/);
    assert.doesNotMatch(rule.help.text, /```|`/, 'the text help has no markdown marks');
    assert.deepEqual(rule.properties.tags, ['rails', 'migrations', 'database', 'availability']);
    const result = log.runs[0].results.find((r: any) => r.ruleId === 'migrations/add-index-non-concurrent');
    assert.equal(result.message.text, 'add_index builds an index on existing table patients with a SHARE lock on PostgreSQL 16');
    assert.match(result.properties.detail, /^every INSERT, UPDATE and DELETE on patients waits/);
  });

  test('fingerprints are unique and survive lines inserted above the hazard', () => {
    const app = copySampleApp();
    const before = sarif(app).runs[0].results;
    const prints = before.map((r: any) => r.partialFingerprints['railsHazards/v1']);
    assert.equal(new Set(prints.map((p: string, i: number) => `${before[i].locations[0].physicalLocation.artifactLocation.uri} ${p}`)).size, prints.length);

    const migration = path.join(app, 'db/migrate/20250310120000_add_doctor_to_appointments.rb');
    const text = fs.readFileSync(migration, 'utf8');
    fs.writeFileSync(migration, text.replace(/^(class .*\n)/, '# Reviewed in PR 42.\n\n$1  # a note\n\n'));
    const after = sarif(app).runs[0].results;
    const key = (r: any) => `${r.ruleId} ${r.locations[0].physicalLocation.artifactLocation.uri}`;
    const moved = before.filter((r: any) => r.locations[0].physicalLocation.artifactLocation.uri.endsWith('add_doctor_to_appointments.rb'));
    assert.ok(moved.length >= 2);
    for (const r of moved) {
      const same = after.filter((a: any) => key(a) === key(r) && a.partialFingerprints['railsHazards/v1'] === r.partialFingerprints['railsHazards/v1']);
      assert.equal(same.length, 1, `${key(r)} keeps its fingerprint`);
      assert.equal(same[0].locations[0].physicalLocation.region.startLine, r.locations[0].physicalLocation.region.startLine + 4, 'the hazard moved down 4 lines');
    }
  });

  test('the enclosing scope is read from indentation: class, then method', () => {
    const lines = ['class AddX < ActiveRecord::Migration[7.2]', '  def change', '    add_index :a, :b', '  end', 'end'];
    assert.deepEqual(enclosingScopes(lines, 2), ['class AddX', 'def change']);
  });
});
