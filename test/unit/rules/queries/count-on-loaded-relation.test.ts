import { before, describe, test } from 'node:test';
import { effectiveSeverity } from '../../../../server/src/core/engine';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/queries/count-on-loaded-relation';
import { appFacts, at, initParsers } from '../../../helpers/ruleTester';
import { BLOG, applyFixToApp, check } from '../../../helpers/queryApp';

before(initParsers);

const CONTROLLER = 'app/controllers/posts_controller.rb';
const INDEX = 'app/views/posts/index.html.erb';
const files = (view: string, assign = 'Post.includes(:comments).order(:id)') => ({
  ...BLOG,
  [CONTROLLER]: `class PostsController < ApplicationController\n  def index\n    @posts = ${assign}\n  end\nend\n`,
  [INDEX]: view,
});

describe('queries/count-on-loaded-relation', () => {
  test('style, not a hazard: off unless enabled in .rails-hazards.yml', () => {
    assert.equal(effectiveSeverity(rule, appFacts()), 'off');
    assert.equal(effectiveSeverity(rule, appFacts({ config: { ...appFacts().config, rules: { [rule.meta.id]: 'info' } } })), 'info');
  });

  test('count of a preloaded association per element, and of a relation iterated above', () => {
    const view = '<% @posts.each do |post| %>\n  <%= post.comments.count %>\n<% end %>\n<%= @posts.count %> posts\n';
    const findings = check(rule, files(view), INDEX);
    assert.deepEqual(findings.map(at), [
      { rule: 'queries/count-on-loaded-relation', line: 2, column: 21 },
      { rule: 'queries/count-on-loaded-relation', line: 4, column: 12 },
    ]);
    assert.match(findings[0].message, /`post\.comments\.count` runs SELECT COUNT\(\*\) although `post\.comments` is preloaded/);
    assert.match(findings[1].message, /`@posts` was already loaded above/);
    let fixed = applyFixToApp(files(view), findings[1].fixes[0]);
    fixed = applyFixToApp(fixed, findings[0].fixes[0]);
    assert.equal(fixed[INDEX], '<% @posts.each do |post| %>\n  <%= post.comments.size %>\n<% end %>\n<%= @posts.size %> posts\n');
    assert.deepEqual(check(rule, fixed, INDEX), []);
  });

  test('locals in a job', () => {
    const job = 'app/jobs/stats_job.rb';
    const code = 'class StatsJob < ApplicationJob\n  def perform\n    posts = Post.published.to_a\n    posts.count\n    drafts = Post.where(published: false)\n    drafts.each(&:touch)\n    puts drafts.count\n  end\nend\n';
    const findings = check(rule, { ...BLOG, [job]: code }, job);
    assert.deepEqual(findings.map(at).map((f) => f.line), [7], 'Array#count on to_a is in memory; drafts was iterated');
  });

  test('near misses: count before the loop, count with arguments, not preloaded', () => {
    assert.deepEqual(check(rule, files('<%= @posts.count %>\n<% @posts.each do |post| %><% end %>\n'), INDEX), []);
    assert.deepEqual(check(rule, files('<% @posts.each do |post| %><% end %>\n<%= @posts.count(:id) %>\n'), INDEX), []);
    assert.deepEqual(check(rule, files('<% @posts.each do |post| %><%= post.tags.count %><% end %>\n'), INDEX), []);
  });
});
