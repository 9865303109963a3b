import { before, describe, test } from 'node:test';
import { effectiveSeverity } from '../../../../server/src/core/engine';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/queries/pluck-instead-of-map';
import { appFacts, at, initParsers } from '../../../helpers/ruleTester';
import { BLOG, applyFixToApp, check } from '../../../helpers/queryApp';

before(initParsers);

const FILE = 'app/controllers/posts_controller.rb';
const ctrl = (body: string) => `class PostsController < ApplicationController\n  def index\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n  end\nend\n`;
const run = (code: string, file = FILE, files = BLOG) => check(rule, { ...files, [file]: code }, file);

describe('queries/pluck-instead-of-map', () => {
  test('style, not a hazard: off unless enabled in .rails-hazards.yml', () => {
    assert.equal(effectiveSeverity(rule, appFacts()), 'off');
    assert.equal(effectiveSeverity(rule, appFacts({ config: { ...appFacts().config, rules: { [rule.meta.id]: 'info' } } })), 'info');
  });

  test('map(&:column) on a relation → pluck(:column), map(&:id) → ids', () => {
    const code = ctrl('titles = Post.where(published: true).map(&:title)\nids = Post.published.collect(&:id)');
    const findings = run(code);
    assert.deepEqual(findings.map(at), [
      { rule: 'queries/pluck-instead-of-map', line: 3, column: 42 },
      { rule: 'queries/pluck-instead-of-map', line: 4, column: 26 },
    ]);
    assert.match(findings[0].message, /`Post\.where\(published: true\)\.map\(&:title\)` loads every Post with all its columns to read `title`; `Post\.where\(published: true\)\.pluck\(:title\)` selects only that column/);
    let fixed = applyFixToApp({ [FILE]: code }, findings[0].fixes[0])[FILE];
    fixed = applyFixToApp({ [FILE]: fixed }, run(fixed)[0].fixes[0])[FILE];
    assert.equal(fixed, ctrl('titles = Post.where(published: true).pluck(:title)\nids = Post.published.ids'));
    assert.deepEqual(run(fixed), []);
  });

  test('class methods using a scope on self', () => {
    const findings = run(BLOG['app/models/post.rb'], 'app/models/post.rb');
    assert.deepEqual(findings.map(at), [{ rule: 'queries/pluck-instead-of-map', line: 10, column: 15 }]);
  });

  test('near misses: not a column, an association, a loaded relation, a variable, inside a loop, no schema', () => {
    assert.deepEqual(run(ctrl('Post.where(published: true).map(&:author)\nPost.where(published: true).map(&:summary)\nPost.where(published: true).to_a.map(&:title)')), []);
    assert.deepEqual(run(ctrl('posts = Post.where(published: true)\nposts.map(&:title)\nUser.find(1).posts.map(&:title)\nPost.all.map { |p| p.title }')), []);
    assert.deepEqual(run(ctrl('User.all.each { |u| u.posts.where(published: true).map(&:title) }')), []);
    const { 'db/schema.rb': _schema, ...noSchema } = BLOG;
    assert.deepEqual(run(ctrl('Post.where(published: true).map(&:title)'), FILE, noSchema), [], 'no schema: only id is known to be a column');
    assert.equal(run(ctrl('Post.where(published: true).map(&:id)'), FILE, noSchema).length, 1);
    const overridden = { ...BLOG, 'app/models/post.rb': BLOG['app/models/post.rb'].replace('  def self.titles', '  def title\n    super.titleize\n  end\n\n  def self.titles') };
    assert.deepEqual(run(ctrl('Post.where(published: true).map(&:title)'), FILE, overridden), [], 'a reader the model overrides');
  });
});
