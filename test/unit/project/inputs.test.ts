// The file-system reads of a check (inputs.ts): inside a snapshot each file, listing, path kind and directory
// identity comes from disk once, so every index sees the same tree even when a file changes mid-run; reads are
// still recorded for the result cache; outside a snapshot (the server) every read goes to disk.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  contentHash, directoryId, pathKind, readDirectory, readRaw, startRecording, startSnapshot, stopRecording, stopSnapshot,
} from '../../../server/src/project/inputs';

const text = (r: ReturnType<typeof readRaw>) => ('bytes' in r ? Buffer.from(r.bytes).toString('utf8') : JSON.stringify(r));

function tree(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-inputs-'));
  fs.mkdirSync(path.join(root, 'app', 'models'), { recursive: true });
  fs.writeFileSync(path.join(root, 'app', 'models', 'post.rb'), 'class Post < ApplicationRecord\nend\n');
  fs.writeFileSync(path.join(root, 'app', 'models', 'comment.rb'), 'class Comment < ApplicationRecord\nend\n');
  return root;
}

describe('file-system snapshot of a check', () => {
  afterEach(() => { stopSnapshot(); stopRecording(); });

  test('a file changed, added or removed mid-check is seen as it was first read, until the snapshot ends', () => {
    const root = tree();
    const post = path.join(root, 'app', 'models', 'post.rb');
    const models = path.join(root, 'app', 'models');
    const names = () => readDirectory(models).map((e) => e.name).sort();
    startSnapshot();
    assert.equal(text(readRaw(post, 1 << 20)), 'class Post < ApplicationRecord\nend\n');
    assert.deepEqual(names(), ['comment.rb', 'post.rb']);
    assert.equal(pathKind(path.join(models, 'tag.rb')), '-');
    const id = directoryId(models);
    fs.writeFileSync(post, 'class Post < ApplicationRecord\n  has_many :comments\nend\n');
    fs.writeFileSync(path.join(models, 'tag.rb'), 'class Tag < ApplicationRecord\nend\n');
    assert.equal(text(readRaw(post, 1 << 20)), 'class Post < ApplicationRecord\nend\n');
    assert.deepEqual(names(), ['comment.rb', 'post.rb']);
    assert.equal(pathKind(path.join(models, 'tag.rb')), '-');
    assert.equal(directoryId(models), id);
    stopSnapshot();
    assert.equal(text(readRaw(post, 1 << 20)), 'class Post < ApplicationRecord\n  has_many :comments\nend\n');
    assert.deepEqual(names(), ['comment.rb', 'post.rb', 'tag.rb']);
    assert.equal(pathKind(path.join(models, 'tag.rb')), 'f');
  });

  test('a size limit is part of what was read: the same file under another limit is read again', () => {
    const root = tree();
    const post = path.join(root, 'app', 'models', 'post.rb');
    startSnapshot();
    assert.deepEqual(readRaw(post, 4), { size: 35 });
    assert.equal(text(readRaw(post, 1 << 20)), 'class Post < ApplicationRecord\nend\n');
  });

  test('a missing folder throws on every listing, as readdir does', () => {
    const root = tree();
    startSnapshot();
    for (let i = 0; i < 2; i++) assert.throws(() => readDirectory(path.join(root, 'app', 'jobs')), { code: 'ENOENT' });
    for (let i = 0; i < 2; i++) assert.throws(() => directoryId(path.join(root, 'app', 'jobs')), { code: 'ENOENT' });
  });

  test('a caller sorting or emptying a listing does not change what the next caller gets', () => {
    const root = tree();
    const models = path.join(root, 'app', 'models');
    startSnapshot();
    const first = readDirectory(models);
    const order = first.map((e) => e.name);
    first.reverse();
    first.length = 0;
    assert.deepEqual(readDirectory(models).map((e) => e.name), order);
  });

  test('reads answered from the snapshot are recorded once, with the digest of what was read', () => {
    const root = tree();
    const post = path.join(root, 'app', 'models', 'post.rb');
    startRecording();
    startSnapshot();
    readRaw(post, 1 << 20);
    readRaw(post, 1 << 20);
    readDirectory(path.join(root, 'app', 'models'));
    const { inputs, unstable } = stopRecording();
    assert.equal(unstable, undefined);
    assert.deepEqual(inputs.filter(([op]) => op === 'read'), [['read', post, String(1 << 20), contentHash(fs.readFileSync(post))]]);
    assert.equal(inputs.filter(([op]) => op === 'list').length, 1);
  });
});
