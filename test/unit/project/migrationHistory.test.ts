import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initParsers } from '../../../server/src/parsing/treeSitter';
import { AppProject } from '../../../server/src/project/appProject';
import { parseConfig } from '../../../server/src/config/config';
import type { FileSource } from '../../../server/src/project/files';

before(initParsers);

const disk: FileSource = {
  read: (p) => { try { return fs.readFileSync(p, 'utf8'); } catch { return undefined; } },
  exists: (p) => fs.existsSync(p),
};

function write(root: string, rel: string, text: string): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

const create = (table: string, column: string) =>
  `class Create${table} < ActiveRecord::Migration[7.1]\n  def change\n    create_table :${table} do |t|\n      t.string :${column}\n    end\n  end\nend\n`;

describe('project: the migration history of an app', () => {
  test('reads db/migrate, db/post_migrate and migrations.paths lazily, and re-reads a changed migration', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-history-'));
    try {
      const outside = `${path.basename(root)}-outside`;
      write(root, '.rails-hazards.yml', `migrations:\n  paths: ["db/archive", "../${outside}"]\n`);
      write(path.dirname(root), `${outside}/20180101000000_create_secrets.rb`, create('secrets', 'value'));
      const first = write(root, 'db/migrate/20200101000000_create_posts.rb', create('posts', 'title'));
      write(root, 'db/post_migrate/20200201000000_create_tags.rb', create('tags', 'name'));
      write(root, 'db/archive/20190101000000_create_users.rb', create('users', 'email'));
      const project = new AppProject(root, disk);
      const history = project.getFacts().migrationHistory!;
      assert.deepEqual(history.versions, ['20190101000000', '20200101000000', '20200201000000']);
      assert.ok(history.tableBefore('tags', '20210101000000'));
      assert.equal(history.tableBefore('secrets', '20210101000000'), undefined, 'folders outside the app are not read');
      assert.ok(history.tableBefore('posts', '20210101000000')?.table.columns.has('title'));

      fs.writeFileSync(first, create('posts', 'headline'));
      project.fileChanged(first);
      const after = project.getFacts().migrationHistory!;
      assert.equal(after.tableBefore('posts', '20210101000000')?.table.columns.has('headline'), true);
      assert.equal(after.tableBefore('posts', '20210101000000')?.table.columns.has('title'), false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(`${root}-outside`, { recursive: true, force: true });
    }
  });

  test('migrations.paths must be a list of folders', () => {
    assert.deepEqual(parseConfig('migrations:\n  paths: [db/archive]\n', 'x').config.migrations.paths, ['db/archive']);
    assert.match(parseConfig('migrations:\n  paths: db/archive\n', 'x').notices[0].message, /migrations\.paths must be a list/);
  });
});
