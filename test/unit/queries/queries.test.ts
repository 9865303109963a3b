// The query pack end to end: the CLI on the sample app, and the controller index kept current when
// a controller changes on disk.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN } from '../../helpers/lspClient';
import { SAMPLE_APP, makeApp } from '../../helpers/fixtures';
import { initParsers } from '../../../server/src/parsing/treeSitter';
import { Workspace } from '../../../server/src/project/workspace';
import { allRules } from '../../../server/src/rules';
import { extractView, partialKey, templateKey } from '../../../server/src/queries/controllerIndex';
import { parseRuby, erbToRuby } from '../../../server/src/parsing/treeSitter';

before(initParsers);

describe('query pack on the sample app (CLI)', () => {
  test('appointments index: two N+1s with fixes in the controller, unbounded render; patients preload; the job batches', () => {
    const r = spawnSync(process.execPath, [BIN, 'check', SAMPLE_APP, '--format', 'json', '--fail-on', 'never'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const findings = JSON.parse(r.stdout).findings.filter((f: any) => f.rule.startsWith('queries/'));
    const rel = (f: any) => `${path.relative(SAMPLE_APP, f.file)}:${f.line}:${f.column} ${f.rule}`;
    assert.deepEqual(findings.map(rel).sort(), [
      'app/controllers/api/appointments_controller.rb:6:20 queries/unbounded-serialization',
      'app/jobs/nightly_reminders_job.rb:3:44 queries/unbatched-each',
      'app/views/appointments/index.html.erb:3:6 queries/unbounded-render',
      'app/views/appointments/index.html.erb:6:15 queries/association-in-loop',
      'app/views/appointments/index.html.erb:7:15 queries/association-in-loop',
    ]);
    const patient = findings.find((f: any) => f.line === 6 && f.rule === 'queries/association-in-loop');
    const controller = path.join(SAMPLE_APP, 'app/controllers/appointments_controller.rb');
    assert.deepEqual(patient.fixes[0].edits.map((e: any) => [e.file, e.line, e.column, e.text]), [[controller, 3, 87, '.includes(:patient)']]);
  });
});

describe('controller index in the workspace', () => {
  test('a view sees what its controller assigns, and sees it again after the controller changes', () => {
    const dir = makeApp({
      'app/models/application_record.rb': 'class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\nend\n',
      'app/models/post.rb': 'class Post < ApplicationRecord\n  belongs_to :author, class_name: "User"\nend\n',
      'app/models/user.rb': 'class User < ApplicationRecord\nend\n',
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n    @posts = Post.order(:id)\n  end\nend\n',
      'app/views/posts/index.html.erb': '<% @posts.each do |post| %><%= post.author.name %><% end %>\n',
    });
    const ws = new Workspace({ rules: allRules });
    const view = path.join(dir, 'app/views/posts/index.html.erb');
    const ids = () => ws.analyzeFile(view).findings.map((f) => f.ruleId).filter((id) => id.startsWith('queries/')).sort();
    assert.deepEqual(ids(), ['queries/association-in-loop', 'queries/unbounded-render']);
    const controller = path.join(dir, 'app/controllers/posts_controller.rb');
    fs.writeFileSync(controller, fs.readFileSync(controller, 'utf8').replace('Post.order(:id)', 'Post.includes(:author).order(:id).page(params[:page])'));
    ws.fileChanged(controller);
    assert.deepEqual(ids(), []);
  });

  test('template keys, partial names and the collection renders of a view', () => {
    assert.equal(templateKey('/app/app/views/admin/posts/index.html.erb'), 'admin/posts/index');
    assert.equal(templateKey('/app/engines/blog/app/views/posts/_post.json.erb'), 'posts/_post');
    assert.equal(partialKey('post', 'posts'), 'posts/_post');
    assert.equal(partialKey('shared/card', 'posts'), 'shared/_card');
    const text = '<%= render @posts %>\n<%= render partial: "row", collection: @posts, as: :item %>\n<% @posts.each do |p| %><%= render "card", post: p %><% end %>\n';
    const tree = parseRuby(erbToRuby(text));
    const view = extractView(tree, '/app/app/views/posts/index.html.erb')!;
    tree.delete();
    assert.deepEqual(view.collectionRenders.map((r) => [r.partial, r.local, r.collection.root]), [
      [undefined, undefined, { kind: 'ivar', name: '@posts' }],
      ['posts/_row', 'item', { kind: 'ivar', name: '@posts' }],
      ['posts/_card', 'post', { kind: 'ivar', name: '@posts' }],
    ]);
  });
});
