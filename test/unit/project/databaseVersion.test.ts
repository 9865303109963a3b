// Where the database server version comes from: each source in a temporary app directory, their
// precedence, and that a malformed file is ignored.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppProject } from '../../../server/src/project/appProject';
import { diskFiles } from '../../../server/src/project/files';
import { imagesIn, versionFromImage, versionFromStructureSql, versionFromToolVersions } from '../../../server/src/project/database';
import { initParsers } from '../../helpers/ruleTester';

before(initParsers);

const roots: string[] = [];
after(() => { for (const r of roots) fs.rmSync(r, { recursive: true, force: true }); });

function app(files: Record<string, string>, adapter = 'postgresql'): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-dbversion-'));
  roots.push(root);
  const all: Record<string, string> = { 'config/database.yml': `production:\n  adapter: ${adapter}\n`, ...files };
  for (const [rel, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const versionOf = (root: string) => new AppProject(root, diskFiles).getFacts().databaseVersion;

const COMPOSE = 'services:\n  db:\n    image: postgres:14-alpine\n  redis:\n    image: redis:7\n';
const WORKFLOW = 'jobs:\n  test:\n    runs-on: ubuntu-latest\n    services:\n      postgres:\n        image: postgres:10\n        ports: ["5432:5432"]\n';

describe('database version sources', () => {
  test('image tags: postgres, postgis, timescaledb, variables with defaults; other adapters and untagged images are ignored', () => {
    assert.equal(versionFromImage('postgres:14-alpine', 'postgresql'), '14');
    assert.equal(versionFromImage('postgis/postgis:15-3.4', 'postgresql'), '15');
    assert.equal(versionFromImage('timescale/timescaledb:2.11.0-pg15', 'postgresql'), '15');
    assert.equal(versionFromImage('timescale/timescaledb:2.11.0', 'postgresql'), undefined);
    assert.equal(versionFromImage('cimg/postgres:12.2', 'unknown'), '12.2');
    assert.equal(versionFromImage('postgres:${PG_VERSION:-13}', 'postgresql'), '13');
    assert.equal(versionFromImage('postgres:${PG_VERSION}', 'postgresql'), undefined);
    assert.equal(versionFromImage('postgres', 'postgresql'), undefined);
    assert.equal(versionFromImage('postgres:latest', 'postgresql'), undefined);
    assert.equal(versionFromImage('mysql:8.0', 'mysql'), '8.0');
    assert.equal(versionFromImage('mariadb:10.6', 'mysql'), '10.6');
    assert.equal(versionFromImage('mysql:8.0', 'postgresql'), undefined);
    assert.equal(versionFromImage('postgres:16', 'mysql'), undefined);
    assert.equal(versionFromImage('ghcr.io/acme/postgres-tools:3', 'postgresql'), undefined);
  });

  test('images in compose files, GitHub services, GitLab service lists and CircleCI docker lists', () => {
    assert.deepEqual(imagesIn(COMPOSE), ['postgres:14-alpine', 'redis:7']);
    assert.deepEqual(imagesIn(WORKFLOW), ['postgres:10']);
    assert.deepEqual(imagesIn('image: ruby:3.3\nservices:\n  - postgres:12\n  - name: mysql:8.0\n    alias: db\n'), ['ruby:3.3', 'postgres:12', 'mysql:8.0']);
    assert.deepEqual(imagesIn('jobs:\n  build:\n    docker:\n      - image: cimg/ruby:3.3\n      - image: cimg/postgres:14.2\n'), ['cimg/ruby:3.3', 'cimg/postgres:14.2']);
    assert.deepEqual(imagesIn('services: [unclosed'), []);
  });

  test('structure.sql header and .tool-versions', () => {
    assert.equal(versionFromStructureSql('--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 14.2 (Debian 14.2-1.pgdg110+1)\n-- Dumped by pg_dump version 16.1\n', 'postgresql'), '14.2');
    assert.equal(versionFromStructureSql('-- MySQL dump 10.13\n-- Server version\t8.0.36\n', 'mysql'), '8.0.36');
    assert.equal(versionFromStructureSql('SET statement_timeout = 0;\n', 'postgresql'), undefined);
    assert.equal(versionFromToolVersions('ruby 3.3.0\npostgres 15.4\n', 'postgresql'), '15.4');
    assert.equal(versionFromToolVersions('ruby 3.3.0\npostgres 15.4\n', 'mysql'), undefined);
  });

  test('docker-compose.yml: PostgreSQL 14 from docker-compose.yml', () => {
    assert.deepEqual(versionOf(app({ 'docker-compose.yml': COMPOSE })), { value: '14', source: 'docker-compose.yml (image postgres:14-alpine)' });
  });

  test('.devcontainer compose file and a JSONC devcontainer.json with comments', () => {
    assert.equal(versionOf(app({ '.devcontainer/compose.yaml': 'services:\n  db:\n    image: postgis/postgis:15-3.4\n' }))?.value, '15');
    const root = app({ '.devcontainer/devcontainer.json': '{\n  // dev database\n  "image": "postgres:13", "name": "x"\n}\n' });
    assert.deepEqual(versionOf(root), { value: '13', source: '.devcontainer/devcontainer.json (image postgres:13)' });
  });

  test('CI service images: GitHub workflow, GitLab, CircleCI; disagreeing images give the lowest and say so', () => {
    assert.deepEqual(versionOf(app({ '.github/workflows/ci.yml': WORKFLOW })), { value: '10', source: '.github/workflows/ci.yml (service image postgres:10)' });
    assert.equal(versionOf(app({ '.gitlab-ci.yml': 'test:\n  services:\n    - postgres:12-alpine\n' }))?.value, '12');
    assert.equal(versionOf(app({ '.circleci/config.yml': 'jobs:\n  build:\n    docker:\n      - image: cimg/postgres:14.2\n' }))?.value, '14.2');
    const v = versionOf(app({ '.github/workflows/ci.yml': WORKFLOW, '.github/workflows/nightly.yml': WORKFLOW.replace('postgres:10', 'postgres:16') }));
    assert.equal(v?.value, '10');
    assert.match(v!.source, /the lowest: 16 in \.github\/workflows\/nightly\.yml disagree/);
  });

  test('only images of the app\'s adapter count', () => {
    assert.equal(versionOf(app({ 'docker-compose.yml': 'services:\n  db:\n    image: mysql:8.0\n' })), undefined);
    assert.equal(versionOf(app({ 'docker-compose.yml': 'services:\n  db:\n    image: mysql:8.0\n  pg:\n    image: postgres:15\n' }, 'mysql2'))?.value, '8.0');
    assert.equal(versionOf(app({ 'docker-compose.yml': COMPOSE }, 'sqlite3')), undefined);
  });

  test('precedence: .rails-hazards.yml, target_version, structure.sql, compose, CI, .tool-versions', () => {
    const files: Record<string, string> = {
      '.tool-versions': 'postgres 15.4\n',
      '.github/workflows/ci.yml': WORKFLOW,
      'docker-compose.yml': COMPOSE,
      'db/structure.sql': '-- Dumped from database version 14.2\n',
      'config/initializers/strong_migrations.rb': 'StrongMigrations.target_version = 13\n',
      '.rails-hazards.yml': 'database:\n  version: "12"\n',
    };
    const order = ['.rails-hazards.yml', 'config/initializers/strong_migrations.rb', 'db/structure.sql', 'docker-compose.yml', '.github/workflows/ci.yml', '.tool-versions'];
    const expected = ['12', '13', '14.2', '14', '10', '15.4'];
    for (let i = 0; i < order.length; i++) {
      const subset = Object.fromEntries(order.slice(i).map((k) => [k, files[k]]));
      assert.equal(versionOf(app(subset))?.value, expected[i], `with ${order[i]} first`);
    }
    assert.equal(versionOf(app({ 'db/structure.sql': '-- Dumped from database version 14.2\n' }))?.source, 'db/structure.sql header');
    assert.equal(versionOf(app({ '.tool-versions': 'postgres 15.4\n' }))?.source, '.tool-versions');
  });

  test('malformed files are ignored, no crash', () => {
    const root = app({ 'docker-compose.yml': 'services: [\n  - {{{', '.github/workflows/ci.yml': ':\n\t- ]', '.tool-versions': 'postgres\n', '.devcontainer/devcontainer.json': '{ "image": ' });
    assert.equal(versionOf(root), undefined);
    assert.equal(versionOf(app({ 'docker-compose.yml': '- just\n- a list\n', '.tool-versions': '\u0000\u0001' })), undefined);
  });

  test('a changed compose file drops the facts', () => {
    const root = app({ 'docker-compose.yml': COMPOSE });
    const project = new AppProject(root, diskFiles);
    assert.equal(project.getFacts().databaseVersion?.value, '14');
    fs.writeFileSync(path.join(root, 'docker-compose.yml'), COMPOSE.replace('14-alpine', '16'));
    assert.equal(project.fileChanged(path.join(root, 'docker-compose.yml')), true);
    assert.equal(project.getFacts().databaseVersion?.value, '16');
  });
});
