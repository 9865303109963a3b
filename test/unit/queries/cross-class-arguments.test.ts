// Values that cross a class boundary as arguments: a parameter whose YARD tag names its model, and a collection
// handed to another class's method that loops over it. Multi-file fixtures: the call in one file, the loop or the
// read in another.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import associationInLoop from '../../../server/src/rules/queries/association-in-loop';
import { at, initParsers } from '../../helpers/ruleTester';
import { BLOG, check, type Files } from '../../helpers/queryApp';

before(initParsers);

const app = (files: Files): Files => ({ ...BLOG, ...files });
const SERVICE = 'app/services/unpublish_service.rb';

describe('a parameter typed by its YARD tag', () => {
  const service = (tag: string): string => [
    'class UnpublishService',
    tag,
    '  def call(user)',
    '    @user = user',
    '    notify_readers',
    '  end',
    '',
    '  private',
    '',
    '  def notify_readers',
    '    @user.posts.each do |post|',
    '      Mailer.notice(post.category.name)',
    '    end',
    '  end',
    'end',
    '',
  ].join('\n');

  test('`# @param [User] user` makes the parameter (and the ivar set from it) a User: the loop over its posts is read', () => {
    const findings = check(associationInLoop, app({ [SERVICE]: service('  # @param [User] user the author') }), SERVICE);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 12, column: 21 }]);
    assert.match(findings[0].message, /^`post\.category` runs one query per post in the loop \(N\+1; /);
  });

  test('the `@param name [Type]` order, and a nil alternative, are read too', () => {
    for (const tag of ['  # @param user [User]', '  # @param [User, nil] user']) {
      const findings = check(associationInLoop, app({ [SERVICE]: service(tag) }), SERVICE);
      assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 12, column: 21 }], tag);
    }
  });

  test('silent without a tag, with a tag naming a class that is not a model, several types or an Array, or a tag of another comment block', () => {
    for (const tag of ['', '  # @param [Account] user', '  # @param [User, Account] user', '  # @param [Array<User>] user',
      '  # @param [User] user\n\n  # Unpublishes.']) {
      assert.deepEqual(check(associationInLoop, app({ [SERVICE]: service(tag) }), SERVICE), [], tag);
    }
  });
});

describe('a collection passed to a method that loops over it', () => {
  const JOB = 'app/jobs/digest_job.rb';
  const BYLINES = 'lib/bylines.rb';
  const bylines = (body: string): string => `class Bylines\n  def self.for(posts)\n${body}\n  end\nend\n`;
  const job = (arg: string): string => `class DigestJob < ApplicationJob\n  def perform\n    Bylines.for(${arg})\n  end\nend\n`;

  test('reports the call, names the loop and the read in the other class, links both as hops', () => {
    const files = app({ [JOB]: job('Post.where(published: true)'), [BYLINES]: bylines('    return [] if posts.empty?\n    posts.map { |post| post.author.name }') });
    const findings = check(associationInLoop, files, JOB);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 3, column: 5 }]);
    assert.match(findings[0].message,
      /^`Bylines\.for` loops over the posts it is passed \(`map` at lib\/bylines\.rb:4\) and reads `author` of each at lib\/bylines\.rb:4: one query per post \(N\+1; /);
    assert.deepEqual(findings[0].related?.map((r) => [r.file.endsWith(BYLINES), r.range.start.line + 1]), [[true, 4], [true, 4]]);
    assert.match(findings[0].fixes?.[0]?.title ?? '', /includes\(:author\)/);
  });

  test('silent when the collection preloads the read, is unknown, or the loop runs on one path only', () => {
    const cases: [string, string][] = [
      ['Post.where(published: true).includes(:author)', '    posts.map { |post| post.author.name }'],
      ['PostFeed.new.entries', '    posts.map { |post| post.author.name }'],
      ['Post.where(published: true)', '    posts.map { |post| post.author.name } if posts.size > 1'],
      ['Post.where(published: true)', '    posts.map { |post| post.author_id }'],
      ['Post.where(published: true)', '    posts.size'],
      ['Post.where(published: true)', '    posts.each_slice(100) { |batch| batch.author }'],
      ['Post.where(published: true)', '    posts = posts.includes(:author)\n    posts.map { |post| post.author.name }'],
    ];
    for (const [arg, body] of cases) assert.deepEqual(check(associationInLoop, app({ [JOB]: job(arg), [BYLINES]: bylines(body) }), JOB), [], `${arg} / ${body}`);
  });
});

describe('a collection passed to another class\'s constructor', () => {
  const JOB = 'app/jobs/digest_job.rb';
  const DIGEST = 'app/services/digest.rb';
  const job = (arg: string): string => `class DigestJob < ApplicationJob\n  def perform\n    Digest.new(Current.user, ${arg}).deliver\n  end\nend\n`;
  const digest = (init: string, rest = ''): string => [
    'class Digest',
    '  attr_reader :posts',
    '',
    '  def initialize(user, posts)',
    '    @user = user',
    '    @posts = posts',
    init,
    '  end',
    '',
    '  def build',
    '    posts.each { |post| line_for(post) }',
    '  end',
    '',
    '  def line_for(post)',
    '    post.category.name',
    '  end',
    rest,
    'end',
    '',
  ].join('\n');

  test('stored in an ivar and looped over in a method initialize calls: reported at `new`, with the loop and the read as hops', () => {
    const files = app({ [JOB]: job('Post.where(published: true)'), [DIGEST]: digest('    build') });
    const findings = check(associationInLoop, files, JOB);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 3, column: 5 }]);
    assert.match(findings[0].message,
      /^`Digest\.new` loops over the posts it is passed \(`each` at app\/services\/digest\.rb:11\) and reads `category` of each at app\/services\/digest\.rb:15: one query per post \(N\+1; /);
    assert.deepEqual(findings[0].related?.map((r) => r.range.start.line + 1), [11, 14, 15]);
  });

  test('silent when initialize does not call the looping method, the ivar is assigned again, or the collection preloads the read', () => {
    const cases: [string, string, string][] = [
      ['Post.where(published: true)', '', ''],
      ['Post.where(published: true)', '    build', '  def reset\n    @posts = []\n  end'],
      ['Post.where(published: true)', '    build if user', ''],
      ['Post.where(published: true).includes(:category)', '    build', ''],
    ];
    for (const [arg, init, rest] of cases) assert.deepEqual(check(associationInLoop, app({ [JOB]: job(arg), [DIGEST]: digest(init, rest) }), JOB), [], `${arg} / ${init} / ${rest}`);
  });
});
