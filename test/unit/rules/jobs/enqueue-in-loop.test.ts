import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import rule from '../../../../server/src/rules/jobs/enqueue-in-loop';
import { APP_CLASSES_KEY, extractAppClasses, type AppClass } from '../../../../server/src/callbacks/appClasses';
import { fileKindOf } from '../../../../server/src/core/fileKind';
import type { Finding } from '../../../../server/src/core/types';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';
import { APP_ROOT, applyFix, at, initParsers, run } from '../../../helpers/ruleTester';
import { BLOG, queryApp, type Files } from '../../../helpers/queryApp';

before(initParsers);

interface Versions { rails?: string; sidekiq?: string; classes?: Files }

function check(rel: string, code: string, versions: Versions = { rails: '7.2.1' }): Finding[] {
  const app = queryApp({ ...BLOG, [rel]: code });
  if (versions.rails) app.railsVersion = { value: versions.rails, source: 'Gemfile.lock' };
  app.gems = new Map([...(versions.rails ? [['rails', versions.rails]] : []), ...(versions.sidekiq ? [['sidekiq', versions.sidekiq]] : [])] as [string, string][]);
  const classes: AppClass[] = [];
  for (const [file, text] of Object.entries(versions.classes ?? {})) {
    const tree = parseRuby(text);
    try { classes.push(...extractAppClasses(tree.rootNode, path.join(APP_ROOT, file))); } finally { tree.delete(); }
  }
  app.shared.set(APP_CLASSES_KEY, { find: (name: string) => classes.find((c) => c.name === name), ownsNamespace: () => false });
  return run(rule, code, { file: rel, kind: fileKindOf(rel), app });
}

function fixed(rel: string, code: string, finding: Finding): string {
  assert.equal(finding.fixes.length, 1);
  const text = applyFix(code, finding.fixes[0], rel);
  const tree = parseRuby(text);
  try { assert.equal(tree.rootNode.hasError, false, text); } finally { tree.delete(); }
  return text;
}

const JOB = 'app/jobs/welcome_all_job.rb';
const job = (body: string): string => `class WelcomeAllJob < ApplicationJob\n  def perform\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n  end\nend\n`;
const SERVICE = 'app/services/digest.rb';
const service = (body: string): string => `class Digest\n  def self.call(user)\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n  end\nend\n`;

describe('jobs/enqueue-in-loop', () => {
  test('ActiveJob perform_later per user in a job (Rails 7.1+): warning, fix to perform_all_later', () => {
    const code = job('User.all.each { |u| WelcomeJob.perform_later(u) }');
    const findings = check(JOB, code);
    assert.deepEqual(findings.map(at), [{ rule: 'jobs/enqueue-in-loop', line: 3, column: 25 }]);
    assert.equal(findings[0].severity, 'warning');
    assert.match(findings[0].message, /^`WelcomeJob\.perform_later` runs once per row of the `each` loop: one queue round trip per User/);
    assert.match(findings[0].message, /unbounded: every User/);
    assert.match(findings[0].message, /Rails 7\.2\.1 in Gemfile\.lock has `ActiveJob\.perform_all_later`/);
    assert.equal(findings[0].fixes[0].title, 'Enqueue in bulk with `ActiveJob.perform_all_later` (skips enqueue callbacks)');
    assert.equal(findings[0].fixes[0].safety, 'unsafe');
    assert.equal(fixed(JOB, code, findings[0]), job('ActiveJob.perform_all_later(User.all.map { |u| WelcomeJob.new(u) })'));
  });

  test('find_each keeps its batches: find_in_batches with one bulk call per batch', () => {
    const code = job('User.find_each(batch_size: 500) do |user|\n  WelcomeJob.perform_later(user, source: "digest")\nend');
    const findings = check(JOB, code);
    assert.deepEqual(findings.map(at), [{ rule: 'jobs/enqueue-in-loop', line: 4, column: 7 }]);
    assert.equal(fixed(JOB, code, findings[0]),
      job('User.find_in_batches(batch_size: 500) { |batch| ActiveJob.perform_all_later(batch.map { |user| WelcomeJob.new(user, source: "digest") }) }'));
  });

  test('Sidekiq worker: perform_bulk with the arguments as arrays (Sidekiq 6.3+), push_bulk before', () => {
    const code = service('Post.published.each do |post|\n  IndexWorker.perform_async(post.id)\nend');
    const worker = { 'app/workers/index_worker.rb': 'class IndexWorker\n  include Sidekiq::Job\n\n  def perform(id); end\nend\n' };
    const findings = check(SERVICE, code, { rails: '7.0.8', sidekiq: '7.2.0', classes: worker });
    assert.deepEqual(findings.map(at), [{ rule: 'jobs/enqueue-in-loop', line: 4, column: 7 }]);
    assert.equal(findings[0].severity, 'warning');
    assert.equal(findings[0].fixes[0].title, 'Enqueue in bulk with `IndexWorker.perform_bulk`');
    assert.equal(fixed(SERVICE, code, findings[0]), service('IndexWorker.perform_bulk(Post.published.map { |post| [post.id] })'));
    const old = check(SERVICE, code, { rails: '7.0.8', sidekiq: '6.2.1', classes: worker });
    assert.equal(fixed(SERVICE, code, old[0]), service("Sidekiq::Client.push_bulk('class' => IndexWorker, 'args' => Post.published.map { |post| [post.id] })"));
  });

  test('ids plucked from an unbounded relation count as its rows', () => {
    const code = service('Post.where(published: true).pluck(:id).each { |id| IndexWorker.perform_async(id) }');
    const findings = check(SERVICE, code, { sidekiq: '7.2.0' });
    assert.deepEqual(findings.map((f) => [at(f).line, f.severity]), [[3, 'warning']]);
  });

  test('mail deliver_later per row only where ActionMailer.deliver_all_later exists (Rails 8.1)', () => {
    const code = job('User.find_each { |user| UserMailer.with(user: user).digest.deliver_later }');
    const findings = check(JOB, code, { rails: '8.1.0' });
    assert.deepEqual(findings.map(at), [{ rule: 'jobs/enqueue-in-loop', line: 3, column: 29 }]);
    assert.equal(fixed(JOB, code, findings[0]),
      job('User.find_in_batches { |batch| ActionMailer.deliver_all_later(batch.map { |user| UserMailer.with(user: user).digest }) }'));
    assert.deepEqual(check(JOB, code, { rails: '8.0.2' }), []);
    const shorthand = job('User.all.each { |user| UserMailer.with(user:).digest.deliver_later }');
    assert.equal(fixed(JOB, shorthand, check(JOB, shorthand, { rails: '8.1.0' })[0]),
      job('ActionMailer.deliver_all_later(User.all.map { |user| UserMailer.with(user:).digest })'));
    const other = job('User.all.each { |u| UserMailer.with(user:).digest.deliver_later }');
    assert.deepEqual(check(JOB, other, { rails: '8.1.0' }).map((f) => f.fixes.length), [0]);
  });

  test('hint: one owner\'s rows, a large limit, or offline code', () => {
    const owner = check(SERVICE, service('author = User.find(user)\nauthor.posts.each { |post| IndexJob.perform_later(post) }'));
    assert.deepEqual(owner.map((f) => [at(f).line, f.severity]), [[4, 'hint']]);
    assert.match(owner[0].message, /size unknown: as many as one User has in `posts`/);
    const large = check(SERVICE, service('Post.order(:id).limit(5000).each { |post| IndexJob.perform_later(post) }'));
    assert.deepEqual(large.map((f) => f.severity), ['hint']);
    const rake = check('lib/tasks/digest.rake', 'task digest: :environment do\n  User.find_each { |u| WelcomeJob.perform_later(u) }\nend\n');
    assert.deepEqual(rake.map((f) => [at(f).line, f.severity]), [[2, 'hint']]);
  });

  test('a captured local, a second statement or a fixed delay: still reported, no fix', () => {
    const captured = check(SERVICE, service('User.all.each { |u| WelcomeJob.perform_later(u, user) }'));
    assert.deepEqual(captured.map((f) => [at(f).line, f.fixes.length]), [[3, 0]]);
    const ivar = check(SERVICE, service('User.all.each { |u| WelcomeJob.perform_later(u, @actor) }'));
    assert.deepEqual(ivar.map((f) => f.fixes.length), [0]);
    const two = check(SERVICE, service('User.all.each do |u|\n  u.touch\n  WelcomeJob.perform_later(u)\nend'));
    assert.deepEqual(two.map((f) => [at(f).line, f.fixes.length]), [[5, 0]]);
    assert.match(two[0].message, /Enqueue in bulk: `ActiveJob\.perform_all_later\(User\.all\.map \{ \|u\| WelcomeJob\.new\(u\) \}\)`\.$/);
    const delayed = check(SERVICE, service('User.all.each { |u| WelcomeJob.set(wait: 5.minutes).perform_later(u) }'));
    assert.deepEqual(delayed.map((f) => [at(f).line, f.fixes.length]), [[3, 0]]);
    const assigned = check(SERVICE, service('users = User.all.each { |u| WelcomeJob.perform_later(u) }'));
    assert.deepEqual(assigned.map((f) => f.fixes.length), [0]);
  });

  test('near miss: enqueue outside a loop, or once per batch', () => {
    assert.deepEqual(check(JOB, job('WelcomeJob.perform_later(User.first)')), []);
    assert.deepEqual(check(JOB, job('User.all.each_slice(100) { |batch| WelcomeJob.perform_later(batch.map(&:id)) }')), []);
    assert.deepEqual(check(JOB, job('User.in_batches { |batch| WelcomeJob.perform_later(batch.ids) }')), []);
  });

  test('near miss: a literal list of three, a small limit, values of unknown type', () => {
    assert.deepEqual(check(JOB, job('[1, 2, 3].each { |id| WelcomeJob.perform_later(id) }')), []);
    assert.deepEqual(check(JOB, job('%w[a b c].each { |k| WelcomeJob.perform_later(k) }')), []);
    assert.deepEqual(check(JOB, job('User.order(:id).first(5).each { |u| WelcomeJob.perform_later(u) }')), []);
    assert.deepEqual(check(SERVICE, service('user.emails.each { |e| WelcomeJob.perform_later(e) }')), []);
    // A lookup table (belongs to no other model): few rows by design.
    assert.deepEqual(check(JOB, job('Category.all.each { |c| WelcomeJob.perform_later(c) }')), []);
  });

  test('near miss: a delay that depends on the row (staggered on purpose) is not reported', () => {
    const code = job('User.all.each_with_index { |u, i| WelcomeJob.set(wait: i * 10.seconds).perform_later(u) }');
    assert.deepEqual(check(JOB, code), []);
    assert.deepEqual(check(SERVICE, service('User.all.each_with_index { |u, i| IndexWorker.perform_in(i * 10, u.id) }'), { sidekiq: '7.2.0' }), []);
  });

  test('near miss: no bulk API (Rails 7.0 with ActiveJob only, perform_async without the sidekiq gem)', () => {
    const code = job('User.all.each { |u| WelcomeJob.perform_later(u) }');
    assert.deepEqual(check(JOB, code, { rails: '7.0.8' }), []);
    // Without Gemfile.lock the Rails version counts as current, as the migration rules assume.
    assert.match(check(JOB, code, {})[0].message, /Rails \(version unknown, assumed current\) has `ActiveJob\.perform_all_later`/);
    assert.deepEqual(check(JOB, job('User.all.each { |u| IndexWorker.perform_async(u.id) }'), { rails: '7.2.1' }), []);
  });

  test('near miss: an app class with its own perform_later, a per-row locale block', () => {
    const own = { 'app/models/welcome_job.rb': 'class WelcomeJob\n  def self.perform_later(user); end\nend\n' };
    assert.deepEqual(check(JOB, job('User.all.each { |u| WelcomeJob.perform_later(u) }'), { rails: '7.2.1', classes: own }), []);
    const locale = job('User.all.each do |u|\n  I18n.with_locale(u.locale) { UserMailer.digest(u).deliver_later }\nend');
    assert.deepEqual(check(JOB, locale, { rails: '8.1.0' }), []);
  });

  test('near miss: test code', () => {
    assert.deepEqual(check('spec/jobs/welcome_spec.rb', 'User.all.each { |u| WelcomeJob.perform_later(u) }\n'), []);
    assert.deepEqual(check('test/jobs/welcome_test.rb', 'User.all.each { |u| WelcomeJob.perform_later(u) }\n'), []);
  });
});
