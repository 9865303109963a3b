import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readDeployedMigrations, structureSqlVersion } from '../../../server/src/project/deployedMigrations';
import { parseConfig } from '../../../server/src/config/config';
import { diskFiles } from '../../../server/src/project/files';
import { makeApp } from '../../helpers/fixtures';
import { BRANCH, git, makeGitApp, OLD, WIP } from '../../helpers/gitApp';
import { AppProject } from '../../../server/src/project/appProject';

describe('deployed migrations', () => {
  test('structure.sql: the highest version of the schema_migrations inserts (PostgreSQL and MySQL dumps)', () => {
    assert.equal(structureSqlVersion("INSERT INTO \"schema_migrations\" (version) VALUES\n('20240101000000'),\n('20240301000000'),\n('20231201000000');\n"), '20240301000000');
    assert.equal(structureSqlVersion("INSERT INTO `schema_migrations` (version) VALUES\n('20240105000000');\n"), '20240105000000');
    assert.equal(structureSqlVersion("INSERT INTO public.schema_migrations (version) VALUES ('20240101000000');\nINSERT INTO public.schema_migrations (version) VALUES ('20240202000000');\n"), '20240202000000');
    assert.equal(structureSqlVersion('CREATE TABLE public.schema_migrations (version character varying NOT NULL);\n'), undefined);
  });

  test('git: files at the merge-base are deployed, by path; a git failure falls back to the schema version', () => {
    const repo = makeGitApp();
    const git = readDeployedMigrations({ root: repo, files: diskFiles, trusted: true, audit: false });
    assert.deepEqual([git.source, git.count, git.reason], ['git', 1, 'in main']);
    assert.deepEqual([OLD, BRANCH, WIP].map((f) => git.isDeployed(f)), [true, false, false]);
    // Another base: nothing on `feature` is new but the untracked file.
    const head = readDeployedMigrations({ root: repo, files: diskFiles, trusted: true, audit: false, baseRef: { ref: 'feature', origin: '--base' } });
    assert.deepEqual([OLD, BRANCH, WIP].map((f) => head.isDeployed(f)), [true, true, false]);
    const missing = readDeployedMigrations({ root: repo, files: diskFiles, trusted: true, audit: false, baseRef: { ref: 'no-such-branch', origin: '--base' }, schemaVersion: '20240101000000' });
    assert.deepEqual([missing.source, missing.count], ['schema.rb', 1]);
    assert.equal(missing.reason, 'at or before db/schema.rb version 20240101000000 (no-such-branch via --base: no such commit in this repository)');
  });

  test('the app facts notice a new HEAD (checkout, merge, rebase) and read the history again', () => {
    const repo = makeGitApp();
    const project = new AppProject(repo, diskFiles, () => undefined, { trusted: true, headRecheckMs: 0 });
    const MAIN = 'db/migrate/20240201000000_add_email_index_to_staff.rb';
    assert.equal(project.getFacts().deployedMigrations!.isDeployed(BRANCH), false);
    // main moves on; the branch is rebased onto it: MAIN is now deployed.
    git(repo, 'stash', '-q', '--include-untracked');
    git(repo, 'checkout', '-q', 'main');
    fs.writeFileSync(path.join(repo, MAIN), 'class AddEmailIndexToStaff < ActiveRecord::Migration[7.1]; end\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'main moves on');
    git(repo, 'checkout', '-q', 'feature');
    git(repo, 'rebase', '-q', 'main');
    assert.deepEqual([MAIN, BRANCH].map((f) => project.getFacts().deployedMigrations!.isDeployed(f)), [true, false]);
    assert.equal(project.getFacts().deployedMigrations!.count, 2);
    // A fast-forward of main to the branch keeps HEAD's commit but changes its branch: read again too.
    git(repo, 'checkout', '-q', 'main');
    git(repo, 'merge', '-q', '--ff-only', 'feature');
    assert.equal(project.getFacts().deployedMigrations!.isDeployed(BRANCH), true);
  });

  test('not a git work tree, no schema version: nothing is deployed, and the reason says so', () => {
    const app = makeApp({ [OLD]: 'class A < ActiveRecord::Migration[7.1]; end\n' });
    const none = readDeployedMigrations({ root: app, files: diskFiles, trusted: true, audit: false });
    assert.equal(none.source, 'none');
    assert.equal(none.isDeployed(OLD), false);
    assert.match(none.reason, /every migration is checked/);
    fs.writeFileSync(path.join(app, 'db/schema.rb'), 'ActiveRecord::Schema[7.1].define(version: 0) do\nend\n');
    assert.equal(readDeployedMigrations({ root: app, files: diskFiles, trusted: false, audit: false, schemaVersion: '0' }).source, 'none');
  });

  test('config: startAfter 0 and 14-digit numbers are accepted; audit and baseRef are validated', () => {
    const ok = (yaml: string) => parseConfig(yaml, '.rails-hazards.yml');
    assert.equal(ok('migrations:\n  startAfter: 0\n').config.migrations.startAfter, '0');
    assert.equal(ok('migrations:\n  startAfter: "0"\n').config.migrations.startAfter, '0');
    assert.equal(ok('migrations:\n  startAfter: 20240101000000\n').config.migrations.startAfter, '20240101000000');
    assert.equal(ok('migrations:\n  startAfter: "2024_01_01_000000"\n').config.migrations.startAfter, '20240101000000');
    const bad = ok('migrations:\n  startAfter: 2024\n  audit: sometimes\n  baseRef: "--upload-pack=x"\n');
    assert.deepEqual(bad.notices.map((n) => n.message.split(' (')[0]), [
      'migrations.startAfter must be a 14-digit migration version or 0', 'migrations.audit must be true or false',
      'migrations.baseRef must be a branch, tag or commit, got "--upload-pack=x"',
    ]);
    assert.deepEqual(bad.config.migrations, { respectSafetyAssured: true });
    const good = ok('migrations:\n  audit: true\n  baseRef: origin/develop\n');
    assert.deepEqual([good.notices, good.config.migrations.audit, good.config.migrations.baseRef], [[], true, 'origin/develop']);
  });
});
