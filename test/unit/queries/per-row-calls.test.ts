// Loops that hand their element to a method which reads one of its associations: the read happens once
// per row, one call (and one file) away. Multi-file fixtures: the loop in one file, the read in another.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import associationInLoop from '../../../server/src/rules/queries/association-in-loop';
import { at, initParsers } from '../../helpers/ruleTester';
import { BLOG, check, type Files } from '../../helpers/queryApp';

before(initParsers);

const app = (files: Files): Files => ({ ...BLOG, ...files });

const CONTROLLER = 'class PostsController < ApplicationController\n  def index\n    @posts = Post.where(published: true)\n  end\nend\n';
const VIEW = 'app/views/posts/index.html.erb';
const HELPER = 'app/helpers/posts_helper.rb';
const BYLINE = 'module PostsHelper\n  def byline(post)\n    "by #{post.author.name}"\n  end\nend\n';

describe('a view helper called per row with the element', () => {
  test('reports the call in the view, names the helper and where it reads, and links the hop', () => {
    const files = app({
      'app/controllers/posts_controller.rb': CONTROLLER,
      [HELPER]: BYLINE,
      [VIEW]: '<% @posts.each do |post| %>\n  <p><%= post.title %> <%= byline(post) %></p>\n<% end %>\n',
    });
    const findings = check(associationInLoop, files, VIEW);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 2, column: 28 }]);
    const f = findings[0];
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /^`byline` reads `author` of the post it is passed: read in `PostsHelper#byline` at app\/helpers\/posts_helper\.rb:3, called per row here/);
    assert.ok(f.related?.some((r) => r.file.endsWith(HELPER) && r.range.start.line === 2), 'the read is a related location');
    assert.equal(f.fixes?.[0]?.edits[0].file.endsWith('app/controllers/posts_controller.rb'), true);
  });

  test('a helper of the passed model\'s module (`PostsHelper`) called from another folder\'s view', () => {
    const files = app({
      'app/controllers/dashboard_controller.rb': CONTROLLER.replace('PostsController', 'DashboardController'),
      [HELPER]: BYLINE,
      'app/views/dashboard/index.html.erb': '<% @posts.each do |post| %>\n  <%= byline(post) %>\n<% end %>\n',
    });
    const findings = check(associationInLoop, files, 'app/views/dashboard/index.html.erb');
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 2, column: 7 }]);
  });

  test('silent when the collection preloads what the helper reads', () => {
    const files = app({
      'app/controllers/posts_controller.rb': CONTROLLER.replace('where(published: true)', 'where(published: true).includes(:author)'),
      [HELPER]: BYLINE,
      [VIEW]: '<% @posts.each do |post| %>\n  <%= byline(post) %>\n<% end %>\n',
    });
    assert.deepEqual(check(associationInLoop, files, VIEW), []);
  });

  test('silent when what the view loops over is unknown (a method of the app the analysis does not read)', () => {
    const files = app({
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n    @posts = PostFeed.new(current_user).entries\n  end\nend\n',
      [HELPER]: BYLINE,
      [VIEW]: '<% @posts.each do |post| %>\n  <%= byline(post) %>\n<% end %>\n',
    });
    assert.deepEqual(check(associationInLoop, files, VIEW), []);
  });

  test('silent when the helper reads the association only on some paths', () => {
    const files = app({
      'app/controllers/posts_controller.rb': CONTROLLER,
      [HELPER]: 'module PostsHelper\n  def byline(post)\n    return "" unless post.published?\n    "by #{post.author.name}" if post.author_id\n  end\nend\n',
      [VIEW]: '<% @posts.each do |post| %>\n  <%= byline(post) %>\n<% end %>\n',
    });
    assert.deepEqual(check(associationInLoop, files, VIEW), []);
  });
});

describe('a method of the same class or of a service called per row', () => {
  const JOB = 'app/jobs/digest_job.rb';
  /** A job that hands each published post to `line_for`, with `methods` (lines) after `perform`. */
  const digestJob = (...methods: string[]): string => [
    'class DigestJob < ApplicationJob',
    '  def perform',
    '    Post.where(published: true).each do |post|',
    '      Rails.logger.info(line_for(post))',
    '    end',
    '  end',
    '',
    ...methods,
    'end',
    '',
  ].join('\n');

  test('a private method of the job, passing the element on to another method', () => {
    const job = digestJob(
      '  private',
      '',
      '  def line_for(post)',
      '    "#{post.title}: #{signature(post)}"',
      '  end',
      '',
      '  def signature(entry)',
      '    entry.category.name',
      '  end',
    );
    const findings = check(associationInLoop, app({ [JOB]: job }), JOB);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 4, column: 25 }]);
    assert.match(findings[0].message, /^`line_for` reads `category` of the post it is passed: read in `line_for` \(through `signature`\) at app\/jobs\/digest_job\.rb:15/);
    assert.deepEqual(findings[0].related?.map((r) => r.range.start.line + 1), [10, 14, 15]);
  });

  test('a private method written `private def line_for(post)`: the loop inherits its reads as from a plain def', () => {
    const job = digestJob(
      '  private def line_for(post)',
      '    "#{post.title}: #{post.category.name}"',
      '  end',
    );
    const findings = check(associationInLoop, app({ [JOB]: job }), JOB);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 4, column: 25 }]);
    assert.match(findings[0].message, /^`line_for` reads `category` of the post it is passed: read in `line_for` at app\/jobs\/digest_job\.rb:9/);
  });

  test('a service object in another file (`Notifier.new.call(post)`)', () => {
    const job = 'class DigestJob < ApplicationJob\n  def perform\n    Post.where(published: true).each do |post|\n      Summary.new.text_for(post)\n    end\n  end\nend\n';
    const service = 'class Summary\n  def text_for(post)\n    [post.title, post.author.name].join(" ")\n  end\nend\n';
    const findings = check(associationInLoop, app({ [JOB]: job, 'app/services/summary.rb': service }), JOB);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 4, column: 7 }]);
    assert.match(findings[0].message, /read in `Summary#text_for` at app\/services\/summary\.rb:3/);
  });

  test('silent when the method reassigns its parameter before reading it, or is passed something else', () => {
    const job = [
      'class DigestJob < ApplicationJob',
      '  def perform',
      '    Post.where(published: true).each do |post|',
      '      Summary.new.text_for(post)',
      '      Summary.new.text_for(Post.last)',
      '    end',
      '  end',
      'end',
      '',
    ].join('\n');
    const service = 'class Summary\n  def text_for(post)\n    post = Post.includes(:author).find(post.id)\n    post.author.name\n  end\nend\n';
    assert.deepEqual(check(associationInLoop, app({ [JOB]: job, 'app/services/summary.rb': service }), JOB), []);
  });
});
