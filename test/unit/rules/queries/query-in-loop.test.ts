import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/queries/query-in-loop';
import { at, initParsers } from '../../../helpers/ruleTester';
import { BLOG, check } from '../../../helpers/queryApp';

before(initParsers);

const JOB = 'app/jobs/digest_job.rb';
function job(body: string): string {
  return `class DigestJob < ApplicationJob\n  def perform(ids)\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n  end\nend\n`;
}
const run = (code: string, file = JOB) => check(rule, { ...BLOG, [file]: code }, file);

describe('queries/query-in-loop', () => {
  test('N2: a filtered query on an association of the loop element', () => {
    const findings = run(job('Post.where(published: true).each do |post|\n  puts post.comments.where(spam: false).count\n  puts post.tags.exists?\nend'));
    assert.deepEqual(findings.map(at), [
      { rule: 'queries/query-in-loop', line: 4, column: 12 },
      { rule: 'queries/query-in-loop', line: 5, column: 12 },
    ]);
    assert.match(findings[0].message, /`post\.comments\.where` runs a query per post in the loop \(N\+1; unbounded: every Post in `Post\.where\(published: true\)`\)\. includes cannot preload a filtered query/);
    assert.equal(findings[0].severity, 'warning');
  });

  test('N3: count on an association per element; the counter cache is suggested when there is one', () => {
    const [withCache] = run(job('Post.all.each { |post| post.comments.count }'));
    assert.match(withCache.message, /`comments\.size` reads the counter cache/);
    const [without] = run(job('Post.all.each { |post| post.tags.count }'));
    assert.match(without.message, /counter cache \(`belongs_to :post, counter_cache: true`\)/);
  });

  test('N4: a model finder whose arguments depend on the loop variable', () => {
    const findings = run(job('ids.each do |id|\n  user = User.find_by(id: id)\n  Comment.where(user_id: user.id).first\n  Post.count\nend'));
    assert.deepEqual(findings.map(at), [
      { rule: 'queries/query-in-loop', line: 4, column: 14 },
      { rule: 'queries/query-in-loop', line: 5, column: 7 },
    ]);
    assert.equal(findings[0].severity, 'hint', 'a loop over a parameter: size unknown');
    assert.match(findings[0].message, /`User\.find_by` runs a query per iteration \(N\+1; size unknown: how many `ids` holds\)\. Load the user rows for all elements before the loop \(e\.g\. `User\.where\(id: ids\)\.index_by\(&:id\)`\)/);
  });

  // hcb's User#redeem_backup_code!: the lookup inside the loop is followed by `return true`, so only the one
  // iteration whose code matches reaches it. A conditional exit, or a `next` before the exit, keeps it per row.
  test('near miss: a query followed by an unconditional return (or a break out of the only loop) runs once', () => {
    const loop = (tail: string) => job(`ids.each do |id|\n  next unless id.positive?\n  post = Post.find(id)\n  post.touch\n${tail}\nend`);
    assert.deepEqual(run(loop('  return true')), []);
    assert.deepEqual(run(loop('  break')), []);
    assert.deepEqual(run(job('ids.each do |id|\n  Post.transaction do\n    post = Post.lock.find(id)\n    post.touch\n    return post\n  end\nend')), [], 'through a block that runs once');
    assert.deepEqual(run(loop('  return true if post.published?')).map(at), [{ rule: 'queries/query-in-loop', line: 5, column: 14 }]);
    assert.deepEqual(run(loop('  next if post.draft?\n  return true')).map(at), [{ rule: 'queries/query-in-loop', line: 5, column: 14 }]);
    const nested = job('ids.each do |id|\n  Post.where(category_id: id).each do |post|\n    Comment.find_by(post_id: post.id)\n    break\n  end\nend');
    assert.deepEqual(run(nested).map(at), [{ rule: 'queries/query-in-loop', line: 4, column: 7 }, { rule: 'queries/query-in-loop', line: 5, column: 9 }], 'break leaves the inner loop only');
  });

  test('near misses: literal arrays and constants, loop-invariant queries, preloaded counts, scalar methods', () => {
    assert.deepEqual(run(job('%w[a b].each { |name| User.find_by(name: name) }\n[1, 2].map { |id| Post.find(id) }\nSTATUSES.each { |s| Post.where(status: s).count }')), []);
    assert.deepEqual(run(job('ids.each { |id| Post.published.count }')), []);
    assert.deepEqual(run(job('Post.includes(:comments).each { |post| post.comments.count }')), [], 'count-on-loaded-relation reports this');
    assert.deepEqual(run(job('Post.all.each { |post| post.comments.size }\nPost.all.each { |post| post.comments.build }')), []);
    assert.deepEqual(run(job('rel = Post.where(id: ids)\nids.each { |id| rel.count }')), [], 'a relation held in a variable is reported where built');
  });

  // Mastodon's FeedManager#populate_home (nutshell b93e2ae0a, the fixed version): for each followed account it reads
  // that account's latest statuses, `.limit(limit)`. A preload cannot take N rows per owner and loading every status
  // of every account reads more, so the per-row query is the design, not an N+1 to fix. One row per element is
  // different: a scoped has_one preloads it.
  test('near miss: the first N rows of each element\'s association (top-N per element) are not reported; one row is', () => {
    assert.deepEqual(run(job('Post.where(published: true).each do |post|\n  post.comments.where(spam: false).limit(limit).each { |c| puts c }\n  puts post.comments.where(spam: false).first(3)\nend')), []);
    assert.deepEqual(run(job('ids.each { |id| Comment.where(post_id: id).order(:id).limit(20).to_a }')), [], 'a finder per element that takes N rows');
    assert.deepEqual(run(job('Post.where(published: true).each do |post|\n  puts post.comments.where(spam: false).first\n  puts post.tags.where(name: "x").limit(1).to_a\nend')).map(at), [
      { rule: 'queries/query-in-loop', line: 4, column: 12 },
      { rule: 'queries/query-in-loop', line: 5, column: 12 },
    ]);
  });

  // pupilfirst 2333e0e15: the exports page listed each course export's `tag_list`. acts-as-taggable-on's reader runs
  // `base_tags.where(context: …)` every time, so `includes(:tags)` alone does not help; the fix preloaded `tags` and
  // read `export.tags.collect(&:name)`.
  describe('acts-as-taggable-on tag lists', () => {
    const EXPORT = 'class CourseExport < ApplicationRecord\n  belongs_to :category\n  acts_as_taggable\n  acts_as_taggable_on :skills\nend\n';
    const SCHEMA = (extra: string) => `ActiveRecord::Schema[7.2].define(version: 2025_01_01_000000) do\n  create_table "course_exports", force: :cascade do |t|\n    t.boolean "done"\n${extra}  end\nend\n`;
    const files = (body: string, extra = '') => ({ ...BLOG, 'app/models/course_export.rb': EXPORT, 'db/schema.rb': SCHEMA(extra), [JOB]: job(body) });

    test('`tag_list` (and a context\'s `skill_list`) per element runs a query, preloaded or not', () => {
      const findings = check(rule, files('CourseExport.where(done: true).includes(:tags).each do |export|\n  puts export.tag_list\n  puts export.skill_list\nend'), JOB);
      assert.deepEqual(findings.map(at), [
        { rule: 'queries/query-in-loop', line: 4, column: 12 },
        { rule: 'queries/query-in-loop', line: 5, column: 12 },
      ]);
      assert.match(findings[0].message, /^`export\.tag_list` runs a query per course export in the loop \(N\+1; unbounded: every CourseExport in `CourseExport\.where\(done: true\)\.includes\(:tags\)`\)\. acts-as-taggable-on reads the tags with a query of its own each time, preloaded or not: preload `tags` where the course exports are loaded and read `export\.tags\.map\(&:name\)`, or add a `cached_tag_list` column\.$/);
    });

    test('near misses: a cached_tag_list column, the preloaded association, a list the app defines itself', () => {
      assert.deepEqual(check(rule, files('CourseExport.where(done: true).each { |export| puts export.tag_list }', '    t.string "cached_tag_list"\n'), JOB), []);
      assert.deepEqual(check(rule, files('CourseExport.where(done: true).includes(:tags).each { |export| puts export.tags.map(&:name) }'), JOB), []);
      assert.deepEqual(check(rule, { ...files('Post.where(published: true).each { |post| puts post.tag_list }') }, JOB), [], 'Post is not taggable');
    });
  });

  test('views: a query per element of a partial rendered for a collection', () => {
    const files = {
      ...BLOG,
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n    @posts = Post.all\n  end\nend\n',
      'app/views/posts/index.html.erb': '<%= render partial: "post", collection: @posts %>\n',
      'app/views/posts/_post.html.erb': '<%= post.comments.where(spam: false).size %> <%= User.find_by(id: post.author_id)&.name %>\n',
    };
    const findings = check(rule, files, 'app/views/posts/_post.html.erb');
    assert.deepEqual(findings.map(at).map((f) => f.column), [5, 50]);
  });
});
