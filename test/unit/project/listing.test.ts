// The file listing `check` and the server's scan share (Workspace.listAnalyzableFiles): symlinked
// directories are followed once, symlink loops end, and each directory's app root is the nearest
// Gemfile above it, also after a Gemfile appears.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Workspace } from '../../../server/src/project/workspace';
import { allRules } from '../../../server/src/rules';
import { appFolders } from '../../../server/src/project/appFolders';
import { makeApp } from '../../helpers/fixtures';

const MODEL = 'class Post < ApplicationRecord\nend\n';
const list = (root: string, log?: (m: string) => void) =>
  new Workspace({ rules: allRules, log }).listAnalyzableFiles(root).map((f) => path.relative(root, f).split(path.sep).join('/'));

describe('listing files through symlinks', () => {
  test('a directory symlink pointing to its parent ends and lists each file once', () => {
    const root = makeApp({ 'app/models/post.rb': MODEL, 'app/models/concerns/taggable.rb': 'module Taggable\nend\n' });
    fs.symlinkSync('..', path.join(root, 'app', 'models', 'concerns', 'back'));
    const logs: string[] = [];
    assert.deepEqual(list(root, (m) => logs.push(m)), ['Gemfile', 'app/models/concerns/taggable.rb', 'app/models/post.rb']);
    assert.ok(logs.some((l) => l.includes(path.join('concerns', 'back')) && /symlink loop/.test(l)), logs.join('\n'));
  });

  test('a symlinked directory outside the app is listed, under the link', () => {
    const root = makeApp({ 'app/models/post.rb': MODEL });
    const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-shared-'));
    fs.writeFileSync(path.join(shared, 'comment.rb'), 'class Comment < ApplicationRecord\nend\n');
    fs.symlinkSync(shared, path.join(root, 'app', 'models', 'shared'));
    assert.deepEqual(list(root), ['Gemfile', 'app/models/post.rb', 'app/models/shared/comment.rb']);
  });

  test('a directory reached through two symlinks is listed once', () => {
    const root = makeApp({ 'app/models/post.rb': MODEL });
    const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-shared-'));
    fs.writeFileSync(path.join(shared, 'comment.rb'), 'class Comment < ApplicationRecord\nend\n');
    fs.symlinkSync(shared, path.join(root, 'app', 'models', 'shared'));
    fs.symlinkSync(shared, path.join(root, 'app', 'models', 'again'));
    const files = list(root);
    assert.equal(files.filter((f) => f.endsWith('/comment.rb')).length, 1, files.join('\n'));
    assert.equal(files.length, 3, files.join('\n'));
  });

  test('appFolders ends on a loop and finds the engines inside the app', () => {
    const root = makeApp({ 'app/models/post.rb': MODEL, 'engines/billing/app/models/invoice.rb': MODEL });
    fs.symlinkSync('..', path.join(root, 'engines', 'up'));
    assert.deepEqual(appFolders(root, ['models']).map((f) => path.relative(root, f).split(path.sep).join('/')),
      ['app/models', 'engines/billing/app/models']);
  });
});

describe('app roots by directory', () => {
  test('files below an engine with its own Gemfile belong to the engine, files beside it to the app', () => {
    const root = makeApp({ 'app/models/post.rb': MODEL, 'engines/billing/Gemfile': '', 'engines/billing/app/models/invoice.rb': MODEL });
    const ws = new Workspace({ rules: allRules });
    assert.equal(ws.appFor(path.join(root, 'engines/billing/app/models/invoice.rb')).root, path.join(root, 'engines/billing'));
    assert.equal(ws.appFor(path.join(root, 'app/models/post.rb')).root, root);
    assert.equal(ws.appFor(path.join(root, 'engines/README.rb')).root, root);
  });

  test('a Gemfile added later makes its folder an app root once the change is reported', () => {
    const root = makeApp({ 'app/models/post.rb': MODEL, 'components/admin/app/models/user.rb': MODEL });
    const ws = new Workspace({ rules: allRules });
    const user = path.join(root, 'components/admin/app/models/user.rb');
    assert.equal(ws.appFor(user).root, root);
    fs.writeFileSync(path.join(root, 'components/admin/Gemfile'), '');
    ws.fileChanged(path.join(root, 'components/admin/Gemfile'));
    assert.equal(ws.appFor(user).root, path.join(root, 'components/admin'));
  });
});

// The server starts its scan when the editor says it is initialized, and the didOpen of the files on screen arrives
// in the same breath. The listing yields to the event loop before its first directory, so that didOpen is analysed
// first; it used to yield only after 50 directories (300 ms into a 17,000-file app).
describe('the server\'s async listing', () => {
  test('yields before walking: a message handled on that turn (here a cancel) comes before any directory is read', async () => {
    const root = makeApp({ 'app/models/post.rb': MODEL, 'app/models/comment.rb': MODEL });
    const ws = new Workspace({ rules: allRules });
    let cancelled = false;
    const listing = ws.listAnalyzableFilesAsync(root, () => cancelled);
    // Runs while the listing waits for its first turn, as a message handler would.
    cancelled = true;
    assert.deepEqual(await listing, []);
    // Near miss: not cancelled, the same listing finds every file.
    assert.deepEqual((await ws.listAnalyzableFilesAsync(root)).map((f) => path.relative(root, f).split(path.sep).join('/')),
      ['Gemfile', 'app/models/comment.rb', 'app/models/post.rb']);
  });
});
