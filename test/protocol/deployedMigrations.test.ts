// Deployed migrations through the real server, in a temporary git repository: an open migration that is
// already on main gets no diagnostics, a migration added on the branch does, the status notification
// says how many were skipped and why; audit mode checks them all. Plus configuration problems shown on
// .rails-hazards.yml when the workspace folder is only a part of the app.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, uriOf } from '../helpers/lspClient';
import { makeApp } from '../helpers/fixtures';
import { BRANCH, makeGitApp, OLD, WIP } from '../helpers/gitApp';

async function openMigration(client: LspClient, root: string, rel: string): Promise<string[]> {
  const file = path.join(root, rel);
  const uri = uriOf(file);
  const pending = client.nextDiagnostics(uri, (p) => p.version === 1);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ruby', version: 1, text: fs.readFileSync(file, 'utf8') } });
  const { diagnostics } = await pending;
  return diagnostics.map((d: any) => `${d.code}@${d.range.start.line}:${d.range.start.character}`);
}

describe('deployed migrations over stdio (trusted git workspace)', () => {
  let client: LspClient;
  let root: string;

  before(async () => {
    root = makeGitApp();
    client = new LspClient();
    await client.initialize(root, {}, { trusted: true });
  });
  after(() => client.shutdown());

  test('a migration already on main has no diagnostics; the branch\'s and the uncommitted one have', async () => {
    assert.deepEqual(await openMigration(client, root, OLD), []);
    assert.deepEqual(await openMigration(client, root, BRANCH), ['migrations/add-index-non-concurrent@2:4']);
    assert.deepEqual(await openMigration(client, root, WIP), ['migrations/add-index-non-concurrent@2:4']);
  });

  test('the status notification carries the skipped count and why', async () => {
    const status = await client.waitFor('railsHazards/status', (p) => p.scanning === false && p.apps.length > 0);
    assert.equal(status.skippedDeployedMigrations, 1);
    // Every area appears with its default rule count, the new ones included.
    assert.deepEqual(Object.keys(status.rulesByArea), ['migrations', 'dependencies', 'callbacks', 'queries', 'capacity', 'redis', 'concurrency', 'jobs']);
    assert.ok(status.rulesByArea.redis >= 4 && status.rulesByArea.capacity >= 2 && status.rulesByArea.concurrency >= 2, JSON.stringify(status.rulesByArea));
    assert.deepEqual(status.apps.map((a: any) => [a.root, a.deployedMigrations]), [[root, { source: 'git', skipped: 1, reason: 'in main' }]]);
  });
});

describe('deployed migrations over stdio: audit mode and untrusted workspaces', () => {
  test('migrations: { audit: true } checks the deployed migration too', async () => {
    const root = makeGitApp();
    fs.writeFileSync(path.join(root, '.rails-hazards.yml'), 'migrations:\n  audit: true\n');
    const client = new LspClient();
    try {
      await client.initialize(root, {}, { trusted: true });
      assert.deepEqual(await openMigration(client, root, OLD), ['migrations/add-index-non-concurrent@2:4']);
      const status = await client.waitFor('railsHazards/status', (p) => p.scanning === false && p.apps.length > 0);
      assert.deepEqual(status.apps[0].deployedMigrations, { source: 'audit', skipped: 0, reason: 'audit mode: every migration is checked' });
    } finally {
      await client.shutdown();
    }
  });

  test('untrusted: git is not run, db/schema.rb\'s version decides', async () => {
    const root = makeGitApp();
    fs.writeFileSync(path.join(root, 'db/schema.rb'), 'ActiveRecord::Schema[7.1].define(version: 2024_03_01_000000) do\nend\n');
    const client = new LspClient();
    try {
      await client.initialize(root, {}, { trusted: false });
      assert.deepEqual(await openMigration(client, root, BRANCH), []);
      assert.deepEqual(await openMigration(client, root, WIP), ['migrations/add-index-non-concurrent@2:4']);
      const status = await client.waitFor('railsHazards/status', (p) => p.scanning === false && p.apps.length > 0);
      assert.equal(status.skippedDeployedMigrations, 2);
    } finally {
      await client.shutdown();
    }
  });
});

describe('configuration problems over stdio', () => {
  test('a bad .rails-hazards.yml gets a diagnostic even when the workspace folder is app/models', async () => {
    const root = makeApp({
      '.rails-hazards.yml': 'migrations:\n  startAfter: last-tuesday\n',
      'app/models/user.rb': 'class User < ApplicationRecord\nend\n',
    });
    const config = uriOf(path.join(root, '.rails-hazards.yml'));
    const client = new LspClient();
    try {
      const pending = client.nextDiagnostics(config, (p) => p.diagnostics.length > 0);
      await client.initialize(path.join(root, 'app/models'));
      const { diagnostics } = await pending;
      assert.deepEqual(diagnostics.map((d: any) => [d.range.start.line, d.message.split(' (')[0]]),
        [[0, 'migrations.startAfter must be a 14-digit migration version or 0']]);
    } finally {
      await client.shutdown();
    }
  });
});
