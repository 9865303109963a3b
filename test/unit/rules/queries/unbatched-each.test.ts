import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/queries/unbatched-each';
import { at, initParsers } from '../../../helpers/ruleTester';
import { BLOG, applyFixToApp, check } from '../../../helpers/queryApp';

before(initParsers);

const JOB = 'app/jobs/reindex_job.rb';
const job = (body: string) => `class ReindexJob < ApplicationJob\n  def perform\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n  end\nend\n`;
const run = (code: string, file = JOB) => check(rule, { ...BLOG, [file]: code }, file);

describe('queries/unbatched-each', () => {
  test('reports .each over where/scope/all at the method name, with an unsafe find_each fix', () => {
    const code = job('Post.where(published: true).each { |post| post.touch }\nPost.published.each do |post|\n  post.touch\nend\nPost.all.each(&:touch)');
    const findings = run(code);
    assert.deepEqual(findings.map(at), [
      { rule: 'queries/unbatched-each', line: 3, column: 33 },
      { rule: 'queries/unbatched-each', line: 4, column: 20 },
    ]);
    assert.match(findings[0].message, /`Post\.where\(published: true\)\.each` loads every matching Post into memory at once/);
    assert.match(findings[0].message, /`Post\.where\(published: true\)\.find_each`/);
    assert.equal(findings[0].fixes[0].safety, 'unsafe');
    assert.equal(findings[0].severity, 'warning');
    assert.match(findings[0].message, /unbounded: every Post in `Post\.where\(published: true\)`/);
    assert.match(findings[0].fixes[0].changes ?? '', /primary-key order/);
    const fixed = applyFixToApp({ [JOB]: code }, findings[0].fixes[0])[JOB];
    assert.equal(fixed, job('Post.where(published: true).find_each { |post| post.touch }\nPost.published.each do |post|\n  post.touch\nend\nPost.all.each(&:touch)'));
    assert.equal(run(fixed).length, 1, 'only the other one is left');
  });

  test('locals, rake tasks, model class methods and services are checked', () => {
    assert.equal(run(job('posts = Post.where(published: true)\nposts.each { |p| p.touch }')).length, 1);
    assert.equal(run('namespace :posts do\n  task touch: :environment do\n    Post.where(published: false).each(&:touch)\n    Post.where(published: true).each { |p| p.touch }\n  end\nend\n', 'lib/tasks/posts.rake').length, 1);
    // (A Post that belongs to nothing would be a lookup table of unknown size: see tableSize.ts.)
    assert.equal(run('class Post < ApplicationRecord\n  belongs_to :author, class_name: "User"\n\n  def self.touch_all\n    where(published: true).each { |p| p.touch }\n  end\nend\n', 'app/models/post.rb').length, 1);
  });

  test('near misses: order, limit(10), select, lock, find_each, used return value, arrays, associations, views and controllers', () => {
    assert.deepEqual(run(job([
      'Post.where(published: true).limit(10).each { |p| p.touch }',
      'Post.select(:id).where(published: true).each { |p| p.touch }',
      'Post.where(published: true).lock.each { |p| p.touch }',
      'Post.where(published: true).find_each { |p| p.touch }',
      'touched = Post.where(published: true).each { |p| p.touch }',
      'Post.where(published: true).to_a.each { |p| p.touch }',
      'User.find(1).posts.each { |p| p.touch }',
      '[Post.first].each { |p| p.touch }',
    ].join('\n'))), []);
    assert.deepEqual(check(rule, { ...BLOG, 'app/views/posts/index.html.erb': '<% Post.where(published: true).each do |p| %><% end %>\n' }, 'app/views/posts/index.html.erb'), []);
  });
});
