import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN } from '../../helpers/lspClient';
import { SAMPLE_APP, makeApp } from '../../helpers/fixtures';

// A copy outside this repository's git work tree: inside it, every committed sample migration would
// count as deployed (see deployedMigrations.test.ts); the copy falls back to db/schema.rb's version.
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-cli-'));
fs.cpSync(SAMPLE_APP, path.join(WORK, 'examples/sample-app'), { recursive: true });

function cli(args: string[], cwd = WORK) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ADD_INDEX_FILE = path.join(WORK, 'examples/sample-app/db/migrate/20250301090000_add_email_index_to_patients.rb');

describe('rails-hazards check', () => {
  test('text output: path:line:col: severity rule-id message, exit 1 on warnings or worse', () => {
    const r = cli(['check', 'examples/sample-app']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^examples\/sample-app\/db\/migrate\/20250301090000_add_email_index_to_patients\.rb:3:5: error migrations\/add-index-non-concurrent add_index builds an index/m);
    assert.doesNotMatch(r.stdout, /20231201000000_legacy_index/, 'start_after in the strong_migrations initializer is honoured');
    assert.doesNotMatch(r.stdout, /20250312080000_add_status_index_concurrently/);
  });

  test('json output follows the contract', () => {
    const r = cli(['check', 'examples/sample-app', '--format', 'json', '--fail-on', 'never']);
    assert.equal(r.code, 0);
    const out = JSON.parse(r.stdout);
    assert.equal(out.version, 1);
    assert.ok(Array.isArray(out.errors));
    const f = out.findings.find((x: any) => x.file === ADD_INDEX_FILE && x.rule === 'migrations/add-index-non-concurrent');
    assert.ok(f, 'finding for the add_index migration');
    assert.deepEqual([f.severity, f.line, f.column, f.endLine, f.endColumn], ['error', 3, 5, 3, 14]);
    assert.equal(f.fixes[0].safety, 'unsafe');
    assert.deepEqual(f.fixes[0].edits.map((e: any) => [e.file, e.line, e.column, e.text]), [
      [ADD_INDEX_FILE, 3, 46, ', algorithm: :concurrently'],
      [ADD_INDEX_FILE, 1, 61, '\n  disable_ddl_transaction!\n'],
    ]);
  });

  test('sarif output is SARIF 2.1.0 with rule metadata and regions', () => {
    const r = cli(['check', 'examples/sample-app', '--format=sarif']);
    const sarif = JSON.parse(r.stdout);
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.equal(run.tool.driver.name, 'rails-hazards');
    assert.ok(run.tool.driver.rules.some((x: any) => x.id === 'migrations/add-index-non-concurrent' && x.helpUri.endsWith('docs/rules/migrations/add-index-non-concurrent.md')));
    const result = run.results.find((x: any) => x.locations[0].physicalLocation.artifactLocation.uri === 'examples/sample-app/db/migrate/20250301090000_add_email_index_to_patients.rb');
    assert.equal(result.level, 'error');
    assert.deepEqual(result.locations[0].physicalLocation.region, { startLine: 3, startColumn: 5, endLine: 3, endColumn: 14 });
  });

  test('exit codes: 0 below --fail-on, 0 on a clean app, 2 on usage errors', () => {
    const clean = makeApp({ 'db/migrate/20250101000000_ok.rb': 'class Ok < ActiveRecord::Migration[7.2]\n  def change\n    add_column :users, :bio, :text\n  end\nend\n' });
    const r = cli(['check', clean]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /No hazards found/);
    assert.equal(cli(['check', 'examples/sample-app', '--fail-on', 'never']).code, 0);
    assert.equal(cli(['check', '--format', 'xml']).code, 2);
    assert.match(cli(['check', '--format', 'xml']).stderr, /^rails-hazards: --format must be text, json, sarif or github, not "xml"\nRun "rails-hazards check --help" for the options\.\n$/);
    assert.equal(cli(['check', '/no/such/dir']).code, 2);
    assert.equal(cli(['frobnicate']).code, 2);
  });

  test('--config points at another configuration file', () => {
    const cfg = makeApp({ 'custom.yml': 'rules:\n  migrations/add-index-non-concurrent: "off"\n' });
    const r = cli(['check', 'examples/sample-app', '--config', path.join(cfg, 'custom.yml'), '--format', 'json']);
    const out = JSON.parse(r.stdout);
    assert.equal(out.findings.filter((f: any) => f.rule === 'migrations/add-index-non-concurrent').length, 0);
  });
});
