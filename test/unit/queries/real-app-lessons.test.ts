// The query-related patterns of real-app-lessons.md: findings that were true but not worth a squiggle
// (offline code, bounded loops, style) and quick fixes that made things worse. Minimal fixtures.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import associationInLoop from '../../../server/src/rules/queries/association-in-loop';
import queryInLoop from '../../../server/src/rules/queries/query-in-loop';
import unbatchedEach from '../../../server/src/rules/queries/unbatched-each';
import { queryRules } from '../../../server/src/rules/queries';
import { effectiveSeverity } from '../../../server/src/core/engine';
import { impactOf } from '../../../server/src/queries/impact';
import { validateQueriesSection } from '../../../server/src/queries/settings';
import { appFacts, at, initParsers } from '../../helpers/ruleTester';
import { BLOG, applyFixToApp, check, type Files } from '../../helpers/queryApp';

before(initParsers);

const app = (files: Files): Files => ({ ...BLOG, ...files });
const severities = (findings: { severity: string; range: { start: { line: number } } }[]) => findings.map((f) => [f.range.start.line + 1, f.severity]);

const N_PLUS_ONE = 'Post.where(published: true).each do |post|\n  puts post.author.name\n  puts User.find_by(id: post.author_id)&.name\nend\n';
const TASK = `namespace :posts do\n  task report: :environment do\n${N_PLUS_ONE.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n')}  end\nend\n`;

/** A scheduled job whose perform runs `body` (indented), for the evaluation rounds' near misses. */
const SWEEP_JOB = 'app/jobs/sweep_job.rb';
const sweepJob = (body: string) => `class SweepJob < ApplicationJob\n  def perform\n${body.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n')}\n  end\nend\n`;
/** The blog's Post model with `code` added at the end of its class body. */
const postWith = (code: string) => BLOG['app/models/post.rb'].replace(/\nend\n$/, `\n\n${code}\nend\n`);

describe('impact: where the code runs', () => {
  test('paths are classified as request, background, offline or test', () => {
    const cases: [string, string][] = [
      ['app/controllers/posts_controller.rb', 'request'], ['app/views/posts/index.html.erb', 'request'], ['app/models/post.rb', 'request'],
      ['app/serializers/post_serializer.rb', 'request'], ['app/jobs/digest_job.rb', 'background'], ['app/workers/digest_worker.rb', 'background'],
      ['lib/tasks/posts.rake', 'offline'], ['script/backfill_authors.rb', 'offline'], ['db/seeds.rb', 'offline'], ['db/seeds/users.rb', 'offline'],
      ['lib/importers/csv_import.rb', 'offline'], ['lib/export/posts.rb', 'offline'], ['bin/cleanup', 'offline'],
      ['app/services/maintenance/fix_counts.rb', 'offline'], ['app/jobs/one_time_jobs/fix_titles.rb', 'offline'], ['app/jobs/backfill_slugs_job.rb', 'offline'], ['lib/blog/cli/accounts.rb', 'offline'], ['app/models/seeders/demo_seeder.rb', 'offline'],
      ['spec/models/post_spec.rb', 'test'], ['test/jobs/digest_job_test.rb', 'test'], ['features/step_definitions/posts.rb', 'test'],
    ];
    for (const [p, impact] of cases) {
      const kind = p.includes('/jobs/') || p.includes('/workers/') ? 'job' : p.endsWith('.erb') ? 'view' : p.includes('controllers') ? 'controller' : 'ruby';
      assert.equal(impactOf(p, kind).impact, impact, p);
    }
    assert.equal(impactOf('app/services/one_off/fix_counts.rb', 'ruby', [/^app\/services\/one_off\/.*$/]).impact, 'offline', 'queries.offlinePaths');
  });

  test('an N+1 in a rake task is a hint, in a job a warning, in a spec nothing', () => {
    const inTask = [...check(associationInLoop, app({ 'lib/tasks/posts.rake': TASK }), 'lib/tasks/posts.rake'),
      ...check(queryInLoop, app({ 'lib/tasks/posts.rake': TASK }), 'lib/tasks/posts.rake')];
    assert.deepEqual(inTask.map((f) => f.severity), ['hint', 'hint']);
    assert.match(inTask[0].message, /in a rake task, which runs offline/);
    const job = `class ReportJob < ApplicationJob\n  def perform\n${N_PLUS_ONE.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n')}  end\nend\n`;
    assert.deepEqual(check(associationInLoop, app({ 'app/jobs/report_job.rb': job }), 'app/jobs/report_job.rb').map((f) => f.severity), ['warning']);
    assert.deepEqual(check(associationInLoop, app({ 'spec/jobs/report_spec.rb': job }), 'spec/jobs/report_spec.rb'), []);
  });

  test('seeds, scripts, imports and configured offline paths get hints only', () => {
    for (const file of ['db/seeds.rb', 'script/report.rb', 'lib/importers/posts_import.rb']) {
      assert.deepEqual(check(associationInLoop, app({ [file]: N_PLUS_ONE }), file).map((f) => f.severity), ['hint'], file);
    }
    const service = 'app/services/reports/monthly.rb';
    assert.deepEqual(check(associationInLoop, app({ [service]: N_PLUS_ONE }), service).map((f) => f.severity), ['warning']);
    assert.deepEqual(check(associationInLoop, app({ [service]: N_PLUS_ONE }), service, { queries: { offlinePaths: ['app/services/reports/**'] } })
      .map((f) => f.severity), ['hint']);
  });

  test('.each over an unbounded relation stays a warning in a rake task (loading a whole table is how backfills take production down)', () => {
    const task = 'task backfill: :environment do\n  Post.where(category_id: nil).each { |post| post.update!(category_id: 1) }\nend\n';
    const findings = check(unbatchedEach, app({ 'lib/tasks/backfill.rake': task }), 'lib/tasks/backfill.rake');
    assert.deepEqual(findings.map((f) => [at(f).line, f.severity]), [[2, 'warning']]);
  });
});

describe('cardinality: bounded loops are not per-row hazards', () => {
  const job = (body: string) => `class SyncJob < ApplicationJob\n  def perform(user)\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n  end\nend\n`;
  const JOB = 'app/jobs/sync_job.rb';

  test('a literal Hash held in a local', () => {
    const code = job('roles = { "admin" => 1, "editor" => 2 }\nroles.each { |name, id| User.find_by(name: name)&.touch }');
    assert.deepEqual(check(queryInLoop, app({ [JOB]: code }), JOB), []);
  });

  test('previous_changes and saved_changes (one entry per changed column)', () => {
    const model = 'class Post < ApplicationRecord\n  belongs_to :author, class_name: "User"\n  after_commit :log_changes\n\n  def log_changes\n    previous_changes.each { |attr, (was, now)| User.find_by(id: now) if attr == "author_id" }\n    saved_changes.each_key { |attr| Tag.find_by(name: attr) }\n  end\nend\n';
    assert.deepEqual(check(queryInLoop, app({ 'app/models/post.rb': model }), 'app/models/post.rb'), []);
  });

  test('one record\'s has_many through a has_one is of unknown size: a hint that says so, not a warning', () => {
    const files = app({
      'app/models/profile.rb': 'class Profile < ApplicationRecord\n  belongs_to :user\n  has_many :links\nend\n',
      'app/models/link.rb': 'class Link < ApplicationRecord\n  belongs_to :profile\n  belongs_to :site\nend\n',
      'app/models/site.rb': 'class Site < ApplicationRecord\nend\n',
      [JOB]: job('User.find(user).profile.links.each { |link| puts link.site.name }'),
    });
    const findings = check(associationInLoop, files, JOB);
    assert.deepEqual(severities(findings), [[3, 'hint']]);
    assert.match(findings[0].message, /size unknown: as many as one Profile has in `links`/);
  });

  test('limit inside a scope body bounds the loop: a hint that names the bound, and no unbatched-each', () => {
    const files = app({
      'app/models/post.rb': BLOG['app/models/post.rb'].replace('  scope :published', '  scope :recent, -> { order(created_at: :desc).limit(10) }\n  scope :published'),
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n    @posts = Post.recent\n  end\nend\n',
      'app/views/posts/index.html.erb': '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n',
      [JOB]: job('Post.recent.each { |post| PostMailer.digest(post).deliver_later }'),
    });
    const findings = check(associationInLoop, files, 'app/views/posts/index.html.erb');
    assert.deepEqual(severities(findings), [[2, 'hint']]);
    assert.match(findings[0].message, /bounded: bounded by `recent` \(`limit\(10\)` in its scope body\)/);
    assert.deepEqual(check(unbatchedEach, files, JOB), []);
  });

  test('the chunk of each_slice / in_batches is already a batch: one query per chunk is not an N+1', () => {
    const code = job('user.post_ids.each_slice(500) { |chunk| Post.where(id: chunk).each { |post| post.touch } }\nPost.where(published: true).in_batches(of: 200) { |batch| Comment.where(post_id: batch.ids).count }');
    assert.deepEqual(check(queryInLoop, app({ [JOB]: code }), JOB), []);
    assert.deepEqual(check(unbatchedEach, app({ [JOB]: code }), JOB), []);
  });

  test('where(id: a small literal list) is bounded; where(id: ids) is of unknown size (hint, never a warning)', () => {
    const code = job('Post.where(id: [1, 2, 3]).each { |post| puts post.author.name }\nPost.where(id: user.post_ids).each { |post| puts post.category.name }');
    const findings = check(associationInLoop, app({ [JOB]: code }), JOB);
    assert.deepEqual(severities(findings), [[3, 'hint'], [4, 'hint']]);
    assert.match(findings[0].message, /bounded: bounded by `where\(id: \[1, 2, 3\]\)`/);
    assert.match(findings[1].message, /size unknown: as many Post rows as `where\(id: user\.post_ids\)` selects/);
  });

  // hcb's `scope :uncanonized, -> { left_joins(:canonical_hashed_mapping).where(canonical_hashed_mappings: { id: nil }) }`:
  // the rows without a joined row, every one not yet imported; `{ id: nil }` is not a list of ids.
  test('a left join with `{ id: nil }` (rows without a joined row) is a filter of the whole table, not a list of ids', () => {
    const code = sweepJob('Post.left_joins(:taggings).where(taggings: { id: nil }).each { |post| post.touch }\nPost.joins(:taggings).where(taggings: { id: tag_ids }).each { |post| post.touch }');
    assert.deepEqual(check(unbatchedEach, app({ [SWEEP_JOB]: code }), SWEEP_JOB).map((f) => [at(f).line, f.severity]), [[3, 'warning']]);
  });

  test('style rules (where.first → find_by, map → pluck, count on loaded) are off by default', () => {
    const style = queryRules.filter((r) => ['queries/find-by-instead-of-where-first', 'queries/pluck-instead-of-map', 'queries/count-on-loaded-relation'].includes(r.meta.id));
    assert.equal(style.length, 3);
    for (const rule of style) assert.equal(effectiveSeverity(rule, appFacts()), 'off', rule.meta.id);
    for (const rule of queryRules.filter((r) => !style.includes(r))) assert.notEqual(effectiveSeverity(rule, appFacts()), 'off', rule.meta.id);
  });
});

describe('quick fixes that never make things worse', () => {
  const JOB = 'app/jobs/digest_job.rb';
  const job = (body: string) => `class DigestJob < ApplicationJob\n  def perform(category)\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n  end\nend\n`;

  test('includes goes where the relation is built on every path, not inside the if that refines it', () => {
    const code = job('posts = Post.where(published: true)\nposts = posts.where(category_id: category) if category\nposts.each { |post| puts post.author.name }');
    const [finding] = check(associationInLoop, app({ [JOB]: code }), JOB);
    assert.equal(finding.fixes[0].title, 'Add `.includes(:author)` in DigestJob#perform');
    const fixed = applyFixToApp({ [JOB]: code }, finding.fixes[0])[JOB];
    assert.equal(fixed, job('posts = Post.where(published: true).includes(:author)\nposts = posts.where(category_id: category) if category\nposts.each { |post| puts post.author.name }'));
    assert.deepEqual(check(associationInLoop, app({ [JOB]: fixed }), JOB), []);
  });

  test('a relation assigned in both branches gets includes in each', () => {
    const code = job('if category\n  posts = Post.where(category_id: category)\nelse\n  posts = Post.where(published: true)\nend\nposts.each { |post| puts post.author.name }');
    const [finding] = check(associationInLoop, app({ [JOB]: code }), JOB);
    const fixed = applyFixToApp({ [JOB]: code }, finding.fixes[0])[JOB];
    assert.equal(fixed, job('if category\n  posts = Post.where(category_id: category).includes(:author)\nelse\n  posts = Post.where(published: true).includes(:author)\nend\nposts.each { |post| puts post.author.name }'));
  });

  test('a targeted read per row (.first, .include?) gets no includes (it would load whole collections)', () => {
    const code = job('Post.where(published: true).each do |post|\n  puts post.comments.first&.body\n  puts post.tags.include?(category)\nend');
    const findings = check(associationInLoop, app({ [JOB]: code }), JOB);
    assert.deepEqual(findings.map((f) => [at(f).line, f.fixes.length]), [[4, 0], [5, 0]]);
    assert.match(findings[0].message, /Preloading would load every comment of each post to serve one `first`/);
  });

  test('find_each is not offered when a scope body orders or limits; the message says why batching needs a cursor', () => {
    const files = app({
      'app/models/post.rb': BLOG['app/models/post.rb'].replace('  scope :published', '  scope :newest_first, -> { order(created_at: :desc) }\n  scope :top_ten, -> { newest_first.limit(10) }\n  scope :published'),
      [JOB]: job('Post.top_ten.each { |post| post.touch }\nPost.newest_first.each { |post| post.touch }').replace('def perform(category)', 'def perform'),
    });
    const findings = check(unbatchedEach, files, JOB);
    assert.deepEqual(findings.map((f) => [at(f).line, f.fixes.length]), [[4, 0]], 'top_ten is bounded; newest_first is reported without a fix');
    assert.match(findings[0].message, /`find_each` would ignore `order\(created_at: :desc\)`/);
    assert.match(findings[0].message, /in_batches\(order: :desc\)` \(Rails 7\.1\+/);
  });

  test('includes is attached to the relation, not to the last argument of a call without parentheses', () => {
    const files = app({
      'app/controllers/users_controller.rb': 'class UsersController < ApplicationController\n  def index\n    @users = User.paginate :page => params[:page]\n  end\nend\n',
      'app/views/users/index.html.erb': '<% @users.each do |user| %>\n  <%= user.profile.id %>\n<% end %>\n',
    });
    const [finding] = check(associationInLoop, files, 'app/views/users/index.html.erb');
    assert.equal(finding.fixes[0].title, 'Add `.includes(:profile)` in UsersController#index');
    assert.match(finding.message, /Preload it there: `User\.includes\(:profile\)\.paginate :page => params\[:page\]`/);
    const fixed = applyFixToApp(files, finding.fixes[0]);
    assert.equal(fixed['app/controllers/users_controller.rb'], 'class UsersController < ApplicationController\n  def index\n    @users = User.includes(:profile).paginate :page => params[:page]\n  end\nend\n');
    assert.deepEqual(check(associationInLoop, fixed, 'app/views/users/index.html.erb'), []);
  });
});

describe('near misses found on the evaluation apps', () => {
  const JOB = 'app/jobs/cleanup_job.rb';
  const job = (body: string) => `class CleanupJob < ApplicationJob\n  def perform(user)\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n  end\nend\n`;

  test('rows of one owner (where(author_id: …), where(author: …)) are of unknown size: a hint, and no unbatched-each', () => {
    const code = job('posts = Post.where(author_id: user.id)\nposts.each { |post| puts post.category.name }\nPost.where(author: user, published: true).each { |post| post.touch }\ncategory_id = user.id\nPost.where(category_id:).each { |post| post.touch }');
    const findings = check(associationInLoop, app({ [JOB]: code }), JOB);
    assert.deepEqual(severities(findings), [[4, 'hint']]);
    assert.match(findings[0].message, /size unknown: as many Post rows as one owner has \(`where\(author_id: user\.id\)`\)/);
    assert.deepEqual(check(unbatchedEach, app({ [JOB]: code }), JOB), []);
    const scheduled = job('Post.where(category_id: nil).each { |post| post.touch }').replace('def perform(user)', 'def perform');
    assert.equal(check(unbatchedEach, app({ [JOB]: scheduled }), JOB).length, 1, 'nil is not an owner');
  });

  test('.each whose relation is used again after the loop (the loaded records are the point) is not unbatched-each', () => {
    const model = 'class Post < ApplicationRecord\n  def self.warmed(scoper)\n    items = where(published: true)\n    items.each { |post| scoper.scope(post) }\n    items\n  end\nend\n';
    assert.deepEqual(check(unbatchedEach, app({ 'app/models/post.rb': model }), 'app/models/post.rb'), []);
  });

  test('a query that depends only on an inner loop over a value of unknown size is a hint, even inside an unbounded loop', () => {
    const code = job('Post.where(published: true).find_each do |post|\n  fetch_titles(post).each { |title| Tag.find_or_create_by(name: title) }\nend');
    assert.deepEqual(severities(check(queryInLoop, app({ [JOB]: code }), JOB)), [[4, 'hint']]);
  });

  test('a method that prints to stdout is a console command: its N+1 is a hint even outside lib/tasks', () => {
    const file = 'lib/blog/sanitizer.rb';
    const code = 'class Sanitizer\n  def self.purge(stdout)\n    Post.where(published: false).find_each do |post|\n      stdout.puts "Discarding #{post.author.name}"\n    end\n  end\n\n  def self.report\n    Post.where(published: false).find_each { |post| post.author.name }\n  end\nend\n';
    const findings = check(associationInLoop, app({ [file]: code }), file);
    assert.deepEqual(severities(findings), [[4, 'hint'], [9, 'warning']]);
    assert.match(findings[0].message, /in a console command \(the method prints to stdout\), which runs offline/);
  });

  test('an upsert per element (find_or_initialize_by, then save) is a hint: the loop writes a row per element anyway', () => {
    const code = job('Post.where(published: true).find_each do |post|\n  tag = Tag.find_or_initialize_by(name: post.title)\n  tag.save! if tag.new_record?\n  Tag.find_by(name: post.body)\n  Tag.find_by(name: post.title)&.touch if post.title\nend');
    assert.deepEqual(severities(check(queryInLoop, app({ [JOB]: code }), JOB)), [[4, 'hint'], [6, 'warning'], [7, 'hint']], 'a row found and written at once is an upsert too');
  });

  test('a job run per event that iterates a relation its arguments do not select from: small by design, no unbatched-each', () => {
    const perEvent = 'class AnnounceJob < ApplicationJob\n  def perform(uri, event)\n    Category.where(name: "news").each { |c| c.touch }\n    Post.where(published: true, title: uri).each { |p| p.touch }\n  end\nend\n';
    const findings = check(unbatchedEach, app({ 'app/jobs/announce_job.rb': perEvent }), 'app/jobs/announce_job.rb');
    assert.deepEqual(findings.map((f) => at(f).line), [4], 'the relation that depends on the arguments is still reported');
    const scheduled = 'class SweepJob < ApplicationJob\n  def perform\n    Post.where(title: "news").each { |p| p.touch }\n  end\nend\n';
    assert.equal(check(unbatchedEach, app({ 'app/jobs/sweep_job.rb': scheduled }), 'app/jobs/sweep_job.rb').length, 1, 'a scheduled job without arguments scans it once per run');
  });
});

describe('near misses of the second evaluation round (ids in SQL, scope bodies, recent windows)', () => {
  const MODEL = 'app/models/post.rb';
  const withScopes = (scopes: string, methods: string) => ({
    [MODEL]: BLOG[MODEL].replace('  scope :published', `${scopes}\n  scope :published`).replace(/\nend\n$/, `\n\n${methods}\nend\n`),
  });
  const lines = (findings: { range: { start: { line: number } } }[]) => findings.map((f) => f.range.start.line + 1);
  const lineOf = (files: Files, text: string) => files[MODEL].split('\n').findIndex((l) => l.includes(text)) + 1;

  test('an id list spelled in SQL, through the table name, or in a scope body with a parameter is not a table scan', () => {
    const files = withScopes(
      '  scope :tallied_for, ->(post_ids) { select("posts.id, count(*) AS n").joins(:comments).where(posts: { id: post_ids }, comments: { spam: false }).group("posts.id") }',
      '  def self.refresh(ids)\n    Post.where("posts.id IN (?)", ids).each { |post| post.touch }\n    Post.tallied_for(ids).each { |post| post.touch }\n    Post.where(category: nil).where("posts.id NOT IN (?)", ids).each { |post| post.touch }\n  end',
    );
    assert.deepEqual(lines(check(unbatchedEach, app(files), MODEL)), [lineOf(files, 'NOT IN')], 'NOT IN is still every other row');
    const nPlusOne = withScopes('', '  def self.names(ids)\n    Post.where("id IN (?)", ids).each { |post| puts post.author.name }\n  end');
    const findings = check(associationInLoop, app(nPlusOne), MODEL);
    assert.deepEqual(severities(findings), [[lineOf(nPlusOne, 'post.author'), 'hint']]);
    assert.match(findings[0].message, /size unknown: as many Post rows as `where\("id IN \(\?\)", ids\)` selects/);
  });

  test('a column matched against a list of ids held in an argument picks the rows of those ids', () => {
    const files = withScopes('', '  def self.threads(root_ids)\n    Post.where(category_id: nil, title: root_ids).each { |post| post.touch }\n    Post.where(category_id: nil, title: titles).each { |post| post.touch }\n  end');
    assert.deepEqual(lines(check(unbatchedEach, app(files), MODEL)), [lineOf(files, 'title: titles')]);
  });

  test('an owner key in a scope body (hash or SQL string) makes the scope one owner\'s rows', () => {
    const files = withScopes(
      '  scope :by_writer, ->(user) { where("author_id = ? OR category_id IN (?)", user.id, user.category_ids) }\n  scope :in_category, ->(id) { where(category_id: id) }\n  scope :uncategorised, -> { where("category_id = ?", nil) }',
      '  def self.sweep(user)\n    by_writer(user).each { |post| puts post.category.name }\n    in_category(user.id).each { |post| post.touch }\n    uncategorised.each { |post| post.touch }\n  end',
    );
    assert.deepEqual(lines(check(unbatchedEach, app(files), MODEL)), [lineOf(files, 'uncategorised.each')], 'nil is not an owner');
    const findings = check(associationInLoop, app(files), MODEL);
    assert.deepEqual(severities(findings), [[lineOf(files, 'post.category.name'), 'hint']]);
    assert.match(findings[0].message, /as many Post rows as one owner has \(`by_writer` \(`where\("author_id = \?/);
  });

  test('rows written in a recent window (a week at most) are not a table scan; older rows or a long window are', () => {
    const files = withScopes('', [
      '  def self.resend',
      '    Post.where(published: false, created_at: 48.hours.ago..24.hours.ago).each { |post| post.touch }',
      '    Post.where(updated_at: 2.days.ago..).each { |post| post.touch }',
      '    Post.where(created_at: ...3.days.ago).each { |post| post.touch }',
      '    Post.where(created_at: 2.months.ago..).each { |post| post.touch }',
      '    Post.where("posts.created_at >= ?", 1.day.ago).each { |post| post.touch }',
      '    Post.where("posts.created_at < ?", 1.day.ago).each { |post| post.touch }',
      '  end',
    ].join('\n'));
    assert.deepEqual(lines(check(unbatchedEach, app(files), MODEL)), [lineOf(files, '...3.days.ago'), lineOf(files, '2.months.ago'), lineOf(files, 'created_at < ?')]);
  });
});

describe('near misses of the third evaluation round (table size, lib/tasks)', () => {
  const JOB = 'app/jobs/sweep_job.rb';
  const job = (body: string) => `class SweepJob < ApplicationJob\n  def perform\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n  end\nend\n`;
  const settingsModels: Files = {
    // A setting row refers to a category by role name and to a site it may lack: references, not owners.
    'app/models/setting.rb': "class Setting < ApplicationRecord\n  belongs_to :default_category, class_name: 'Category'\n  belongs_to :site, optional: true\n  has_many :posts\nend\n",
    'app/models/site.rb': 'class Site < ApplicationRecord\n  has_many :settings\nend\n',
    // A row owned by a site (a required belongs_to named after it) grows with the sites.
    'app/models/page.rb': 'class Page < ApplicationRecord\n  belongs_to :site\n  belongs_to :category\nend\n',
    // A required belongs_to under a role name is an owner too (a shift belongs to its coordinating site).
    'app/models/shift.rb': "class Shift < ApplicationRecord\n  belongs_to :coordinator, class_name: 'Admin::Site'\nend\n",
    'app/models/admin/site.rb': 'class Admin::Site < ApplicationRecord\nend\n',
    'app/models/login.rb': 'class Login < ApplicationRecord\n  devise :database_authenticatable\n  has_many :pages\n  scope :staff, -> { where(staff: true) }\nend\n',
  };

  test('every row of a table that belongs to no other model (lookup values, settings, tenants) is size unknown', () => {
    const files = app({ ...settingsModels, [JOB]: job('Category.all.each { |category| category.touch }\nSetting.all.each { |setting| setting.touch }\nCategory.all.each { |category| puts category.posts.map(&:title) }') });
    assert.deepEqual(check(unbatchedEach, files, JOB), [], 'no unbatched-each over lookup tables');
    const findings = check(associationInLoop, files, JOB);
    assert.deepEqual(severities(findings), [[5, 'hint']]);
    assert.match(findings[0].message, /size unknown: every Category, a table that belongs to no other model/);
    // The same through the other loop forms: `for … in`, `&:assoc`.
    const forms = app({ ...settingsModels, [JOB]: job('for category in Category.all\n  puts category.posts.map(&:title)\nend\nCategory.all.map(&:posts)') });
    assert.deepEqual(severities(check(associationInLoop, forms, JOB)), [[4, 'hint'], [6, 'hint']]);
  });

  test('a tree\'s parent named through `class_name: self.name` does not make a lookup table owned', () => {
    const files = app({
      'app/models/concerns/tree_node.rb': 'module TreeNode\n  extend ActiveSupport::Concern\n\n  included do\n    belongs_to :parent, class_name: self.name, optional: true\n  end\nend\n',
      'app/models/category.rb': 'class Category < ApplicationRecord\n  include TreeNode\n  has_many :posts\nend\n',
      [JOB]: job('Category.all.each { |category| category.touch }'),
    });
    assert.deepEqual(check(unbatchedEach, files, JOB), []);
  });

  test('rows owned by something, and the accounts table, are still every row', () => {
    const files = app({ ...settingsModels, [JOB]: job('Page.all.each { |page| page.touch }\nLogin.all.each { |login| login.touch }\nPost.all.each { |post| post.touch }\nPage.all.each { |page| puts page.site.id }\nShift.all.each { |shift| shift.touch }') });
    assert.deepEqual(check(unbatchedEach, files, JOB).map((f) => [f.range.start.line + 1, f.severity]), [[3, 'warning'], [4, 'warning'], [5, 'warning'], [6, 'warning'], [7, 'warning']]);
    assert.deepEqual(severities(check(associationInLoop, files, JOB)), [[6, 'warning']]);
  });

  // hcb's Ledger (`belongs_to :event, optional: true`, `belongs_to :card_grant, optional: true`: one ledger per event
  // and per card grant) and HashedTransaction (five optional `raw_*_transaction` references) were read as lookup tables
  // because no reference is required; a nightly job's `ledger.event` per ledger was a hint "usually few". A row that
  // links rows of two other tables grows with them. A tenant that many models belong to stays a tenant even when it
  // references two rows of its own (human-essentials' Organization: `account_request`, `ndbn_member`, both optional).
  test('a table with optional references to two other tables grows with them; a tenant with two such references does not', () => {
    const ledgers: Files = {
      ...settingsModels,
      'app/models/event.rb': 'class Event < ApplicationRecord\n  has_one :ledger\nend\n',
      'app/models/grant.rb': 'class Grant < ApplicationRecord\n  has_one :ledger\nend\n',
      'app/models/ledger.rb': 'class Ledger < ApplicationRecord\n  belongs_to :event, optional: true\n  belongs_to :grant, optional: true\nend\n',
      'app/models/tenant.rb': 'class Tenant < ApplicationRecord\n  belongs_to :event, optional: true\n  belongs_to :grant, optional: true\n  has_many :pages\nend\n',
      'app/models/shelf.rb': 'class Shelf < ApplicationRecord\n  belongs_to :tenant\nend\n',
      'app/models/bin.rb': 'class Bin < ApplicationRecord\n  belongs_to :tenant\nend\n',
      'app/models/crate.rb': 'class Crate < ApplicationRecord\n  belongs_to :tenant\nend\n',
    };
    const files = app({ ...ledgers, [JOB]: job('Ledger.find_each { |ledger| puts ledger.event.id }\nTenant.find_each { |tenant| puts tenant.event.id }') });
    const findings = check(associationInLoop, files, JOB);
    assert.deepEqual(severities(findings), [[3, 'warning'], [4, 'hint']]);
    assert.match(findings[0].message, /unbounded: every Ledger/);
    assert.match(findings[1].message, /size unknown: every Tenant, a table that belongs to no other model/);
  });

  test('accounts with a privileged role (a role condition, a role scope, an STI role class) are few by design', () => {
    const roles: Files = { ...settingsModels, 'app/models/moderator.rb': 'class Moderator < Login\nend\n' };
    const files = app({ ...roles, [JOB]: job('Login.where(admin: true).each { |l| l.touch }\nLogin.staff.each { |l| l.touch }\nModerator.all.each { |m| m.touch }\nLogin.where(confirmed: true).each { |l| l.touch }') });
    assert.deepEqual(check(unbatchedEach, files, JOB).map((f) => f.range.start.line + 1), [6], 'every confirmed account is still every row');
  });

  test('queries.largeTables and queries.smallTables override what the code suggests', () => {
    const files = app({ ...settingsModels, [JOB]: job('Category.all.each { |category| category.touch }\nPage.all.each { |page| page.touch }') });
    assert.deepEqual(check(unbatchedEach, files, JOB, { queries: { largeTables: ['categories'], smallTables: ['Page'] } }).map((f) => f.range.start.line + 1), [3]);
    assert.deepEqual(validateQueriesSection({ largeTables: 'Tag', smallTables: ['Partner'] }), ['queries.largeTables must be a list of model or table names']);
  });

  test('Ruby files under lib/tasks are loaded by rake tasks: offline', () => {
    assert.equal(impactOf('lib/tasks/populators/contact_populator.rb', 'ruby').impact, 'offline');
    const files = app({ 'lib/tasks/populators/post_populator.rb': `module PostPopulator\n  def self.run\n${N_PLUS_ONE.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n')}  end\nend\n` });
    const findings = check(associationInLoop, files, 'lib/tasks/populators/post_populator.rb');
    assert.deepEqual(severities(findings), [[4, 'hint']]);
    assert.match(findings[0].message, /in code rake tasks load \(lib\/tasks\), which runs offline/);
  });

  test('rows matching a given list in SQL (`tagname IN (?)`) are size unknown; NOT IN is still every other row', () => {
    const files = app({ [JOB]: job('Post.where("title IN (?)", titles).each { |post| post.touch }\nPost.where("title NOT IN (?)", titles).each { |post| post.touch }') });
    assert.deepEqual(check(unbatchedEach, files, JOB).map((f) => f.range.start.line + 1), [4]);
  });

  test('an owner key that names its table in a quoted key, or a joined record\'s id in SQL, is one owner\'s rows', () => {
    const files = app({ [JOB]: job('Post.joins(:category).where("posts.category_id": 1).each { |post| post.touch }\nPost.joins(:category).where("categories.name": "News").each { |post| post.touch }\nPost.joins(:category).where("categories.id = ?", category.id).each { |post| post.touch }') });
    assert.deepEqual(check(unbatchedEach, files, JOB).map((f) => f.range.start.line + 1), [4]);
  });

  // casa's org settings page: `ContactType.joins(:contact_type_group).where(contact_type_groups: { casa_org: org })`
  // was read as every contact type of every organisation (a warning); it is one organisation's.
  test("a nested condition on a joined table's reference (`where(categories: { owner: user })`) is one owner's rows", () => {
    const files = app({ [JOB]: job('Post.joins(:category).where(categories: { owner: user }).each { |post| puts post.author.name }\nPost.joins(:category).where(categories: { id: user.category_id }).each { |post| post.touch }\nPost.joins(:category).where(categories: { featured: true }).each { |post| post.touch }') });
    assert.deepEqual(severities(check(associationInLoop, files, JOB)), [[3, 'hint']]);
    assert.deepEqual(check(unbatchedEach, files, JOB).map((f) => f.range.start.line + 1), [5], 'a literal filter on the joined table is not an owner');
  });
});

describe('program model: an association read one or two method calls away (miss cause 2)', () => {
  const MODEL = 'app/models/post.rb';
  const JOB = 'app/jobs/digest_job.rb';
  const methods = '  def byline\n    "by #{author.name}"\n  end\n\n  def summary\n    [title, byline].join(" ")\n  end\n\n  def shout\n    title.upcase\n  end\n\n'
    + '  def approved_comment_count\n    comments.where(approved: true).count\n  end\n\n  def publish!\n    update!(published: true, title: "#{title} by #{author.name}")\n  end';
  const files = (body: string): Files => app({
    [MODEL]: BLOG[MODEL].replace(/\nend\n$/, `\n\n${methods}\nend\n`),
    [JOB]: `class DigestJob < ApplicationJob\n  def perform\n    ${body}\n  end\nend\n`,
  });

  test('near miss: a method that reads the association only on some paths (`contact || author`, a ternary) is not a read per row', () => {
    const conditional = app({
      [MODEL]: BLOG[MODEL].replace(/\nend\n$/, '\n\n  def contact\n    editor_name || author\n  end\n\n  def credit\n    anonymous? ? "anon" : author.name\n  end\n\n  def signed\n    author.name if author_id\n  end\nend\n'),
      [JOB]: 'class DigestJob < ApplicationJob\n  def perform\n    Post.where(published: true).each { |post| puts post.contact, post.credit, post.signed }\n  end\nend\n',
    });
    assert.deepEqual(check(associationInLoop, conditional, JOB), []);
  });

  test('a loop calling a model method that reads an association is an N+1 at the call, with the hops as evidence', () => {
    const app1 = files('Post.where(published: true).each { |post| puts post.summary }');
    const findings = check(associationInLoop, app1, JOB);
    assert.deepEqual(findings.map((f) => [at(f).rule, at(f).line, at(f).column, f.severity]), [['queries/association-in-loop', 3, 52, 'warning']]);
    assert.equal(findings[0].message, '`post.summary` reads `author` in `Post#summary` (app/models/post.rb:17) → `Post#byline` (app/models/post.rb:13): '
      + 'one query per post in the loop (N+1; unbounded: every Post in `Post.where(published: true)`). Preload it where the posts are loaded: '
      + '`Post.where(published: true).includes(:author)`.');
    assert.deepEqual(findings[0].related?.map((r) => [r.range.start.line + 1, r.message]), [
      [17, '`Post#summary` calls the next (app/models/post.rb:17)'], [13, '`Post#byline` reads `author` (app/models/post.rb:13)']]);
    const fixed = applyFixToApp(app1, findings[0].fixes[0]);
    assert.equal(fixed[JOB], app1[JOB].replace('Post.where(published: true).each', 'Post.where(published: true).includes(:author).each'));
    assert.deepEqual(check(associationInLoop, fixed, JOB), []);
  });

  test('near misses: the association is preloaded, or the method reads only columns', () => {
    assert.deepEqual(check(associationInLoop, files('Post.where(published: true).includes(:author).each { |post| puts post.byline }'), JOB), []);
    assert.deepEqual(check(associationInLoop, files('Post.where(published: true).each { |post| puts post.shout }'), JOB), []);
  });

  test('a method that loads a whole has_many at every use (`comments.map`) reads it per row: the preload loads the same rows in one query', () => {
    const files2 = app({
      [MODEL]: BLOG[MODEL].replace(/\nend\n$/, '\n\n  def comment_digest\n    comments.map(&:body).join\n  end\nend\n'),
      [JOB]: 'class DigestJob < ApplicationJob\n  def perform\n    Post.where(published: true).each { |post| puts post.comment_digest }\n  end\nend\n',
    });
    const findings = check(associationInLoop, files2, JOB);
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column]), [[3, 52]]);
    assert.match(findings[0].message, /^`post\.comment_digest` reads `comments` in `Post#comment_digest` \(app\/models\/post\.rb:\d+\): one query per post in the loop/);
  });

  test('near miss: a method that samples a has_many (`comments.first`) or also counts it (preloading would load every child of every row)', () => {
    for (const body of ['comments.first&.body', 'comments.map(&:body).join if comments.count > 2', '[comments.map(&:body), comments.count]']) {
      const files2 = app({
        [MODEL]: BLOG[MODEL].replace(/\nend\n$/, `\n\n  def comment_digest\n    ${body}\n  end\nend\n`),
        [JOB]: 'class DigestJob < ApplicationJob\n  def perform\n    Post.where(published: true).each { |post| puts post.comment_digest }\n  end\nend\n',
      });
      assert.deepEqual(check(associationInLoop, files2, JOB), [], body);
    }
  });

  test('near misses: a method that queries the association again (includes cannot serve it), or a bang method that writes per row', () => {
    assert.deepEqual(check(associationInLoop, files('Post.where(published: true).each { |post| puts post.approved_comment_count }'), JOB), []);
    assert.deepEqual(check(associationInLoop, files('Post.where(published: true).each { |post| post.publish! }'), JOB), []);
  });
});

describe('program model: the relation comes from a parent controller or a private method (miss cause 1)', () => {
  const VIEW = 'app/views/blog/posts/index.html.erb';
  const base = 'class Blog::BaseController < ApplicationController\n  before_action :load_posts\n\n  private\n\n  def load_posts\n    @posts = collection.order(:id)\n  end\n\n  def collection\n    @collection ||= Post.where(published: true)\n  end\nend\n';
  const files = (controller: string): Files => app({
    'app/controllers/blog/base_controller.rb': base,
    'app/controllers/blog/posts_controller.rb': controller,
    [VIEW]: '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n',
  });

  test('an ivar set by a parent controller\'s before_action from a memoised private method reaches the view', () => {
    const app1 = files('class Blog::PostsController < Blog::BaseController\n  def index\n  end\nend\n');
    const findings = check(associationInLoop, app1, VIEW);
    assert.deepEqual(findings.map((f) => [at(f).rule, at(f).line, at(f).column, f.severity]), [['queries/association-in-loop', 2, 7, 'warning']]);
    assert.match(findings[0].message, /unbounded: every Post in `collection\.order\(:id\)`\): nothing preloads `author` where the posts are loaded \(app\/controllers\/blog\/base_controller\.rb:7\)/);
    const fixed = applyFixToApp(app1, findings[0].fixes[0]);
    assert.equal(fixed['app/controllers/blog/base_controller.rb'], base.replace('collection.order(:id)', 'collection.order(:id).includes(:author)'));
    assert.deepEqual(check(associationInLoop, fixed, VIEW), []);
  });

  test('near misses: the child overrides the method with a preloading one, or the method refines a relation the caller does not know', () => {
    const overriding = files('class Blog::PostsController < Blog::BaseController\n  def index\n  end\n\n  private\n\n  def collection\n    Post.includes(:author).where(published: true)\n  end\nend\n');
    assert.deepEqual(check(associationInLoop, overriding, VIEW), []);
    const withArgs = app({
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n    @posts = collection(params[:q])\n  end\n\n  private\n\n  def collection(q)\n    Post.where(title: q)\n  end\nend\n',
      'app/views/posts/index.html.erb': '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n',
    });
    // A method with arguments returns what its body builds: here rows picked by a title, as many as that selects.
    assert.deepEqual(check(associationInLoop, withArgs, 'app/views/posts/index.html.erb').map((f) => [at(f).line, f.severity, f.headline]),
      [[2, 'hint', '`post.author` runs one query per post in the loop (N+1; size unknown: as many Post rows as `where(title: q)` selects)']]);
    const fromParameter = (argument: string): Files => app({
      'app/controllers/posts_controller.rb': `class PostsController < ApplicationController\n  def index\n    @posts = collection(${argument})\n  end\n\n  private\n\n  def collection(scope)\n    scope.order(:id)\n  end\nend\n`,
      'app/views/posts/index.html.erb': '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n',
    });
    assert.deepEqual(check(associationInLoop, fromParameter('current_scope'), 'app/views/posts/index.html.erb'), []);
    // The caller's relation is followed into the method: every post, ordered (its size not judged across the method).
    assert.deepEqual(check(associationInLoop, fromParameter('Post.all'), 'app/views/posts/index.html.erb').map((f) => [at(f).line, f.severity]), [[2, 'hint']]);
  });
});

describe('program model: relations through app class methods and pagination gems (miss cause 1)', () => {
  const VIEW = 'app/views/posts/index.html.erb';
  const loopView = '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n';
  const filterable = 'module Filterable\n  extend ActiveSupport::Concern\n\n  class_methods do\n    def filter_by(params)\n      results = where(nil)\n      params.each { |key, value| results = results.public_send(key, value) }\n      results\n    end\n  end\nend\n';

  test('a class method that returns a relation (a Filterable concern) works like a scope', () => {
    const files = app({
      'app/models/concerns/filterable.rb': filterable,
      'app/models/post.rb': BLOG['app/models/post.rb'].replace('class Post < ApplicationRecord\n', 'class Post < ApplicationRecord\n  include Filterable\n'),
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n    @posts = Post.filter_by(params.slice(:published))\n  end\nend\n',
      [VIEW]: loopView,
    });
    const findings = check(associationInLoop, files, VIEW);
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity]), [[2, 7, 'warning']]);
    assert.match(findings[0].message, /unbounded: every Post in `Post\.filter_by\(params\.slice\(:published\)\)`/);
  });

  test('near miss: a class method that returns titles (map) is not a relation', () => {
    const files = app({
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n    @posts = Post.titles\n  end\nend\n',
      [VIEW]: loopView,
    });
    assert.deepEqual(check(associationInLoop, files, VIEW), []);
  });

  test('`@pagy, @posts = pagy(relation)`: one page of the relation (a hint naming the bound); the fix preloads inside pagy(…)', () => {
    const controller = 'class PostsController < ApplicationController\n  def index\n    @pagy, @posts = pagy(Post.where(published: true))\n  end\nend\n';
    const files = app({ 'app/controllers/posts_controller.rb': controller, [VIEW]: loopView });
    const findings = check(associationInLoop, files, VIEW);
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity]), [[2, 7, 'hint']]);
    assert.match(findings[0].message, /bounded: bounded by `page\(pagy\)`/);
    const fixed = applyFixToApp(files, findings[0].fixes[0]);
    assert.equal(fixed['app/controllers/posts_controller.rb'], controller.replace('pagy(Post.where(published: true))', 'pagy(Post.where(published: true).includes(:author))'));
  });
});

describe('program model: a controller action reads what its (parent\'s) before_action assigned', () => {
  const CONTROLLER = 'app/controllers/api/posts_controller.rb';
  const base = 'class Api::BaseController < ApplicationController\n  before_action :load_posts\n\n  private\n\n  def load_posts\n    @posts = Post.where(published: true)\n  end\nend\n';

  test('the ivar is the before_action\'s relation in the action, so its N+1 is found; an ivar the action assigns itself wins', () => {
    const controller = 'class Api::PostsController < Api::BaseController\n  def index\n    render json: @posts.map { |post| post.author.name }\n  end\n\n  def drafts\n    @posts = Post.where(published: false).includes(:author)\n    render json: @posts.map { |post| post.author.name }\n  end\nend\n';
    const files = app({ 'app/controllers/api/base_controller.rb': base, [CONTROLLER]: controller });
    const findings = check(associationInLoop, files, CONTROLLER);
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity]), [[3, 38, 'warning']]);
    assert.match(findings[0].message, /unbounded: every Post in `Post\.where\(published: true\)`/);
  });

  test('near miss: a private helper the action calls after narrowing the ivar does not start from the before_action', () => {
    const controller = 'class Api::PostsController < Api::BaseController\n  def update\n    @posts = @posts.where(id: params[:ids])\n    publish_all\n  end\n\n  private\n\n  def publish_all\n    @posts.each { |post| post.author.touch }\n  end\n\n  private def unpublish_all\n    @posts.each { |post| post.author.touch }\n  end\nend\n';
    assert.deepEqual(check(associationInLoop, app({ 'app/controllers/api/base_controller.rb': base, [CONTROLLER]: controller }), CONTROLLER), []);
  });

  test('near miss: a before_action limited to other actions (`only:`) leaves the ivar unknown', () => {
    const limited = base.replace('before_action :load_posts', 'before_action :load_posts, only: :show');
    const controller = 'class Api::PostsController < Api::BaseController\n  def index\n    render json: @posts.map { |post| post.author.name }\n  end\nend\n';
    assert.deepEqual(check(associationInLoop, app({ 'app/controllers/api/base_controller.rb': limited, [CONTROLLER]: controller }), CONTROLLER), []);
  });
});

describe('program model: dynamic finders return one record', () => {
  test('`@post = Post.find_by_title(…)` in a before_action makes `@post.comments` one post\'s comments (a hint per row read)', () => {
    const CONTROLLER = 'app/controllers/comments_controller.rb';
    const controller = 'class CommentsController < ApplicationController\n  before_action :find_post\n\n  def index\n    render json: @post.comments.map { |comment| comment.user.name }\n  end\n\n  private\n\n  def find_post\n    @post = Post.find_by_title(params[:title])\n  end\nend\n';
    const findings = check(associationInLoop, app({ [CONTROLLER]: controller }), CONTROLLER);
    assert.deepEqual(findings.map((f) => [at(f).line, f.severity]), [[5, 'hint']]);
    assert.match(findings[0].message, /size unknown: as many as one Post has in `comments`/);
    const sql = controller.replace('Post.find_by_title(params[:title])', 'Post.find_by_sql(params[:sql])');
    assert.deepEqual(check(associationInLoop, app({ [CONTROLLER]: sql }), CONTROLLER), [], 'find_by_sql returns an Array of unknown rows');
  });
});

describe('near misses of the fourth evaluation round (calendar slices, run-time values, backlogs, per-row work)', () => {
  const JOB = 'app/jobs/sweep_job.rb';
  const job = (body: string) => `class SweepJob < ApplicationJob\n  def perform\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n  end\nend\n`;

  test("one day's birthdays (a calendar slice of a date column) are as many as the day holds, not every row", () => {
    const files = app({ [JOB]: job('profiles = Profile.where("EXTRACT(MONTH FROM birthday) = ?", Time.zone.today.month)\nprofiles.each do |profile|\n  puts profile.user.name\nend') });
    assert.deepEqual(check(unbatchedEach, files, JOB), []);
    assert.deepEqual(severities(check(associationInLoop, files, JOB)), [[5, 'hint']]);
    // Near miss: the same loop over every profile is still a warning.
    const every = app({ [JOB]: job('Profile.where.not(user_id: nil).each do |profile|\n  puts profile.user.name\nend') });
    assert.deepEqual(severities(check(associationInLoop, every, JOB)), [[4, 'warning']]);
  });

  test('a window between two times, or since a time the code computes, is not a table scan', () => {
    const files = app({ [JOB]: job('Post.where("created_at < ? AND created_at > ?", Time.zone.now - 2.days, Time.zone.now - 10.days).each { |post| post.touch }\nPost.where("posts.created_at >= ?", recent_time).each { |post| post.touch }\nPost.where(created_at: since..).each { |post| post.touch }\nPost.where("date >= ?", @start_date).each { |post| post.touch }') });
    assert.deepEqual(check(unbatchedEach, files, JOB), []);
  });

  test('rows matching one value computed at run time (an address, a URL) are a few, not every row; a literal filter is not', () => {
    const files = app({ [JOB]: job('Post.where(title: title_for(user)).each { |post| puts post.author.name }\nPost.where(body: url).each { |post| post.touch }\nPost.where(published: false).each { |post| puts post.author.name }') });
    assert.deepEqual(severities(check(associationInLoop, files, JOB)), [[3, 'hint'], [5, 'warning']]);
    assert.deepEqual(check(unbatchedEach, files, JOB).map((f) => at(f).line), [5], 'only the literal filter scans the table');
  });

  test('a scope defined by a query object the analysis does not read is size unknown', () => {
    const files = app({
      'app/models/post.rb': BLOG['app/models/post.rb'].replace('  scope :published', '  scope :surveyable, Survey::PostQuery.new\n  scope :published'),
      [JOB]: job('Post.surveyable.each { |post| puts post.author.name }'),
    });
    assert.deepEqual(check(unbatchedEach, files, JOB), []);
    const findings = check(associationInLoop, files, JOB);
    assert.deepEqual(severities(findings), [[3, 'hint']]);
    assert.match(findings[0].message, /size unknown: as many Post rows as `surveyable` \(`Survey::PostQuery.new`, a query object\) selects/);
  });

  test("a relation merged with one owner's conditions is that owner's rows", () => {
    const files = app({ [JOB]: job('Comment.joins(:post).merge(Post.where(author_id: author_id)).to_a.group_by(&:user)\nComment.joins(:post).merge(Post.where(published: true)).to_a.group_by(&:user)') });
    assert.deepEqual(severities(check(associationInLoop, files, JOB)), [[3, 'hint'], [4, 'warning']]);
  });

  test('rows older than a time that the loop deletes or clears are a backlog each run drains, not the whole table', () => {
    const files = app({ [JOB]: job('Post.where(created_at: ...3.days.ago).each do |post|\n  post.author.touch\n  post.destroy\nend\nPost.where("updated_at < ?", 14.days.ago).each do |post|\n  post.updated_at = nil\n  post.save\nend') });
    // A backlog's size is unknown: small when the job keeps up, all of it after a stall (hint, sixth round).
    assert.deepEqual(severities(check(unbatchedEach, files, JOB)), [[3, 'hint'], [7, 'hint']]);
    assert.deepEqual(severities(check(associationInLoop, files, JOB)), [[4, 'hint']]);
    // Near misses: older rows the loop only touches stay a table scan; a drain without an age condition is a backfill.
    const kept = app({ [JOB]: job('Post.where(created_at: ...3.days.ago).each { |post| post.touch }\nPost.where(published: false).each { |post| post.destroy }') });
    assert.deepEqual(check(unbatchedEach, kept, JOB).map((f) => at(f).line), [3, 4]);
  });

  test('an N+1 in a loop that also writes, mails or enqueues per row is a hint; the same write under a condition is not per row', () => {
    const files = app({ [JOB]: job('Post.where(published: true).find_each do |post|\n  PostMailer.notify(post.author).deliver_later\nend\nPost.where(published: true).find_each do |post|\n  PostMailer.notify(post.author).deliver_later if post.title.blank?\nend') });
    const findings = check(associationInLoop, files, JOB);
    assert.deepEqual(severities(findings), [[4, 'hint'], [7, 'warning']]);
    assert.match(findings[0].message, /every row also runs `PostMailer.notify\(post.author\).deliver_later`, a round trip of its own/);
    // A model method that writes (`Post#archive!` runs `update!`) called per row, also through a local read from the row.
    const writer = app({
      'app/models/post.rb': BLOG['app/models/post.rb'].replace(/\nend\n$/, '\n\n  def log_view(at)\n    taggings.create!(created_at: at)\n  end\nend\n'),
      [JOB]: job('Comment.where(spam: false).find_each do |comment|\n  post = comment.post\n  post.log_view(Time.current)\n  puts comment.user.name\nend'),
    });
    const logged = check(associationInLoop, writer, JOB);
    assert.deepEqual(severities(logged), [[4, 'hint'], [6, 'hint']]);
    assert.match(logged[1].message, /every row also runs `post.log_view\(Time.current\)` \(`Post#log_view` runs `taggings.create!\(created_at: at\)`\), a round trip of its own/);
    // Near miss: after a guard that skips rows (`next unless`), the mail is not sent per row.
    const guarded = app({ [JOB]: job('Post.where(published: true).find_each do |post|\n  next unless post.title.present?\n  PostMailer.notify(post.author).deliver_later\nend') });
    assert.deepEqual(severities(check(associationInLoop, guarded, JOB)), [[5, 'warning']]);
  });
});

describe('near misses of the fourth evaluation round (back-office pages, reference data)', () => {
  const VIEW = 'app/views/reports/index.html.erb';
  const loop = '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n';
  const controller = (gate: string, assign = 'Post.where(published: true)') =>
    `class ReportsController < ApplicationController\n${gate}  def index\n    @posts = ${assign}\n  end\nend\n`;

  test('an N+1 on a page behind a staff check (admin namespace, moderator before_action) is a hint that says so', () => {
    const gated = app({ 'app/controllers/reports_controller.rb': controller('  before_action :redirect_unless_moderator\n\n'), [VIEW]: loop });
    const findings = check(associationInLoop, gated, VIEW);
    assert.deepEqual(severities(findings), [[2, 'hint']]);
    assert.match(findings[0].message, /on a page behind `before_action :redirect_unless_moderator`, which only staff reach/);
    const namespaced = app({ 'app/controllers/admin/reports_controller.rb': controller('').replace('ReportsController', 'Admin::ReportsController'), 'app/views/admin/reports/index.html.erb': loop });
    assert.deepEqual(severities(check(associationInLoop, namespaced, 'app/views/admin/reports/index.html.erb')), [[2, 'hint']]);
  });

  test('near misses: an ungated page, a gate for some actions only, and a staff page that walks every account stay warnings', () => {
    const open = app({ 'app/controllers/reports_controller.rb': controller(''), [VIEW]: loop });
    assert.deepEqual(severities(check(associationInLoop, open, VIEW)), [[2, 'warning']]);
    const some = app({ 'app/controllers/reports_controller.rb': controller('  before_action :require_admin, only: [:destroy]\n\n'), [VIEW]: loop });
    assert.deepEqual(severities(check(associationInLoop, some, VIEW)), [[2, 'warning']]);
    const accounts = app({
      'app/controllers/reports_controller.rb': controller('  before_action :require_admin\n\n', 'User.where(banned: false)'),
      [VIEW]: '<% @posts.each do |user| %>\n  <%= user.profile.id %>\n<% end %>\n',
    });
    assert.deepEqual(severities(check(associationInLoop, accounts, VIEW)), [[2, 'warning']]);
  });

  test("`render @posts` in a namespaced controller's view renders the namespaced partial, not the public one", () => {
    const files = app({
      'app/controllers/admin/posts_controller.rb': 'class Admin::PostsController < ApplicationController\n  def index\n    @posts = Post.where(published: false)\n  end\nend\n',
      'app/views/admin/posts/index.html.erb': '<%= render @posts %>\n',
      'app/views/admin/posts/_post.html.erb': '<%= post.author.name %>\n',
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n    @posts = current_user.posts\n  end\nend\n',
      'app/views/posts/index.html.erb': '<%= render @posts %>\n',
      'app/views/posts/_post.html.erb': '<%= post.author.name %>\n',
    });
    assert.deepEqual(severities(check(associationInLoop, files, 'app/views/admin/posts/_post.html.erb')), [[1, 'hint']]);
    assert.deepEqual(check(associationInLoop, files, 'app/views/posts/_post.html.erb').filter((f) => f.severity === 'warning'), [], "the admin page's relation does not reach the public partial");
  });

  test('reference data by name (locales, languages, countries, currencies) is a small table however it is associated', () => {
    const files = app({
      'app/models/locale.rb': 'class Locale < ApplicationRecord\n  belongs_to :category\nend\n',
      'app/jobs/sweep_job.rb': 'class SweepJob < ApplicationJob\n  def perform\n    Locale.all.each { |locale| puts locale.category.name }\n  end\nend\n',
    });
    assert.deepEqual(check(unbatchedEach, files, 'app/jobs/sweep_job.rb'), []);
    assert.deepEqual(severities(check(associationInLoop, files, 'app/jobs/sweep_job.rb')), [[3, 'hint']]);
  });
});

describe('deeply nested code (mutated or generated) does not overflow the loop-body and method-write walks', () => {
  test('a model method and a loop body nested thousands of levels deep are read without a crash', () => {
    const deep = (n: number) => `${'['.repeat(n)}touch${']'.repeat(n)}`;
    const files = app({
      'app/models/post.rb': BLOG['app/models/post.rb'].replace(/\nend\n$/, `\n\n  def nested\n    ${deep(30000)}\n  end\nend\n`),
      'app/jobs/sweep_job.rb': `class SweepJob < ApplicationJob\n  def perform\n    Post.where(published: true).each do |post|\n      ${deep(30000)}\n      post.nested\n      puts post.author.name\n    end\n  end\nend\n`,
    });
    const findings = check(associationInLoop, files, 'app/jobs/sweep_job.rb');
    assert.deepEqual(findings.map((f) => f.ruleId), ['queries/association-in-loop']);
  });
});

describe('near misses of the fifth evaluation round (SQL in locals, staff policies, review queues, per-row work)', () => {

  test('a window written in SQL held in a local (a heredoc) is read like one written inline', () => {
    const heredoc = "recent = <<-SQL.strip_heredoc\n  posts.id IN (SELECT post_id FROM comments WHERE comments.created_at > (now() - '1 month'::interval))\nSQL\nPost.where(recent).each do |post|\n  puts post.author.name\nend";
    const files = app({ [SWEEP_JOB]: sweepJob(heredoc) });
    assert.deepEqual(check(unbatchedEach, files, SWEEP_JOB), []);
    const findings = check(associationInLoop, files, SWEEP_JOB);
    assert.deepEqual(severities(findings), [[7, 'hint']]);
    assert.match(findings[0].message, /size unknown: as many Post rows as `where\(/);
    const inline = app({ [SWEEP_JOB]: sweepJob("Post.where(\"created_at >= NOW() - INTERVAL '7 days'\").each { |post| puts post.author.name }") });
    assert.deepEqual(severities(check(associationInLoop, inline, SWEEP_JOB)), [[3, 'hint']]);
    // Near misses: a year-long window, and SQL the code interpolates, are not read as recent.
    const long = app({ [SWEEP_JOB]: sweepJob("old = \"created_at > (now() - '12 months'::interval)\"\nPost.where(old).each { |post| puts post.author.name }") });
    assert.deepEqual(severities(check(associationInLoop, long, SWEEP_JOB)), [[4, 'warning']]);
    const interpolated = app({ [SWEEP_JOB]: sweepJob("sql = \"created_at > (now() - '1 month'::interval) AND #{extra}\"\nPost.where(sql).each { |post| puts post.author.name }") });
    assert.deepEqual(severities(check(associationInLoop, interpolated, SWEEP_JOB)), [[4, 'warning']]);
  });
});

describe('near misses of the fifth evaluation round (counter thresholds)', () => {

  test('rows above a counter threshold (the popular few) are size unknown; the rows below it are not', () => {
    const files = app({ [SWEEP_JOB]: sweepJob('Post.where("comments_count > ?", 40 * divisor).each { |post| puts post.author.name }\nPost.where(comments_count: 500..).each { |post| puts post.author.name }') });
    assert.deepEqual(check(unbatchedEach, files, SWEEP_JOB), []);
    assert.deepEqual(severities(check(associationInLoop, files, SWEEP_JOB)), [[3, 'hint'], [4, 'hint']]);
    const below = app({ [SWEEP_JOB]: sweepJob('Post.where("comments_count < ?", 2).each { |post| puts post.author.name }') });
    assert.deepEqual(severities(check(associationInLoop, below, SWEEP_JOB)), [[3, 'warning']]);
    assert.deepEqual(check(unbatchedEach, below, SWEEP_JOB).map((f) => at(f).line), [3]);
  });
});

describe('near misses of the fifth evaluation round (state-machine events per row)', () => {

  test("a loop that fires a state machine's saving event on every row writes per row, so its N+1 is a hint", () => {
    const files = app({
      'app/models/post.rb': postWith('  include AASM\n\n  aasm do\n    state :draft, initial: true\n    state :approved\n    event :approve do\n      transitions from: :draft, to: :approved\n    end\n  end'),
      [SWEEP_JOB]: sweepJob('Post.where(published: true).find_each do |post|\n  post.approve!(post.author)\nend'),
    });
    const findings = check(associationInLoop, files, SWEEP_JOB);
    assert.deepEqual(severities(findings), [[4, 'hint']]);
    assert.match(findings[0].message, /every row also runs `post.approve!\(post.author\)` \(`Post#approve!` is its aasm event :approve, which saves the record\)/);
    // Near miss: aasm's event without the bang only changes the state in memory; the N+1 stays a warning.
    const inMemory = app({
      'app/models/post.rb': postWith('  include AASM\n\n  aasm do\n    state :draft, initial: true\n    event :approve do\n      transitions from: :draft, to: :approved\n    end\n  end'),
      [SWEEP_JOB]: sweepJob('Post.where(published: true).find_each do |post|\n  post.approve(post.author)\nend'),
    });
    assert.deepEqual(severities(check(associationInLoop, inMemory, SWEEP_JOB)), [[4, 'warning']]);
  });
});

describe('near misses of the fifth evaluation round (per-row queries preloading cannot answer)', () => {

  test("a loop calling a model method that queries the row's association (a sum, a where) already pays a query per row: the N+1 is a hint", () => {
    const files = app({
      'app/models/post.rb': postWith('  def spam_total\n    comments.where(spam: true).count\n  end'),
      [SWEEP_JOB]: sweepJob('Post.where(published: true).find_each do |post|\n  puts post.spam_total\n  puts post.author.name\nend'),
    });
    const findings = check(associationInLoop, files, SWEEP_JOB);
    assert.deepEqual(severities(findings), [[5, 'hint']]);
    assert.match(findings[0].message, /every row also runs `post.spam_total` \(`Post#spam_total` queries `comments.where\(spam: true\).count`\)/);
    // Near miss: a method that reads the association as a whole is answered by a preload; the N+1 stays a warning.
    const preloadable = app({
      'app/models/post.rb': postWith('  def comment_total\n    comments.size\n  end'),
      [SWEEP_JOB]: sweepJob('Post.where(published: true).find_each do |post|\n  puts post.comment_total\n  puts post.author.name\nend'),
    });
    assert.deepEqual(severities(check(associationInLoop, preloadable, SWEEP_JOB)).filter(([line]) => line === 5), [[5, 'warning']]);
  });
});

describe('near misses of the fifth evaluation round (Pundit policies that let only staff in)', () => {
  const VIEW = 'app/views/reports/index.html.erb';
  const loop = '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n';
  const controller = (authorize: string, assign = 'Post.where(published: true)') =>
    `class ReportsController < ApplicationController\n  def index\n    @posts = ${assign}\n    ${authorize}\n  end\n\n  def export\n    authorize Post, :export?\n    Post.where(published: true).each { |post| puts post.category.name }\n  end\nend\n`;
  const policy = (index: string, exportCheck = 'user&.admin? || user&.auditor?') =>
    `class PostPolicy < ApplicationPolicy\n  def index?\n    ${index}\n  end\n\n  def export?\n    ${exportCheck}\n  end\nend\n`;
  const files = (authorize: string, index: string, extra: Files = {}) => app({
    'app/controllers/reports_controller.rb': controller(authorize), [VIEW]: loop,
    'app/policies/application_policy.rb': 'class ApplicationPolicy\n  attr_reader :user, :record\nend\n',
    'app/policies/post_policy.rb': policy(index), ...extra,
  });

  test("an N+1 on a page whose action authorizes with a policy only staff pass is a hint that names the policy", () => {
    for (const authorize of ['authorize @posts', 'authorize Post']) {
      const findings = check(associationInLoop, files(authorize, 'user&.auditor?'), VIEW);
      assert.deepEqual(severities(findings), [[2, 'hint']], authorize);
      assert.match(findings[0].message, /on a page whose `PostPolicy#index\?` lets only auditors in, which only staff reach/);
    }
    const exported = check(associationInLoop, files('authorize Post', 'user&.auditor?'), 'app/controllers/reports_controller.rb');
    assert.deepEqual(severities(exported), [[9, 'hint']]);
    assert.match(exported[0].message, /`PostPolicy#export\?` lets only admins and auditors in/);
  });

  test('near misses: a policy that lets members in, an org-level admin role, a page without authorize, every row of a table', () => {
    assert.deepEqual(severities(check(associationInLoop, files('authorize @posts', 'user.present?'), VIEW)), [[2, 'warning']]);
    assert.deepEqual(severities(check(associationInLoop, files('authorize @posts', 'user.casa_admin?'), VIEW)), [[2, 'warning']]);
    assert.deepEqual(severities(check(associationInLoop, files('', 'user&.auditor?'), VIEW)), [[2, 'warning']]);
    const everyRow = app({
      'app/controllers/reports_controller.rb': controller('authorize @posts', 'Post.all'), [VIEW]: loop,
      'app/policies/post_policy.rb': policy('user&.auditor?'),
    });
    assert.deepEqual(severities(check(associationInLoop, everyRow, VIEW)), [[2, 'warning']], 'every row of a table is slow for staff too');
  });
});

describe('near misses of the fifth evaluation round (review queues)', () => {

  test('a scope naming a queue that waits for a person (under_review, needs_action) is size unknown, not every row', () => {
    const files = app({
      'app/models/post.rb': BLOG['app/models/post.rb'].replace('  scope :published', '  scope :under_review, -> { where(reviewed_at: nil) }\n  scope :unreviewed_drafts, -> { where(reviewed_at: nil) }\n  scope :published'),
      [SWEEP_JOB]: sweepJob('Post.under_review.each { |post| puts post.author.name }\nPost.unreviewed_drafts.each { |post| puts post.author.name }'),
    });
    assert.deepEqual(check(unbatchedEach, files, SWEEP_JOB).map((f) => at(f).line), [4], 'only the scope not named as a review queue scans');
    const findings = check(associationInLoop, files, SWEEP_JOB);
    assert.deepEqual(severities(findings), [[3, 'hint'], [4, 'warning']]);
    assert.match(findings[0].message, /size unknown: as many Post rows as `under_review` \(rows waiting for someone to review them\) selects/);
  });
});

describe('near misses of the fifth evaluation round (work in every branch, gem associations, backlogs)', () => {

  test('a loop that mails in every branch of an if/else mails per row; mail in one branch only does not', () => {
    const both = app({ [SWEEP_JOB]: sweepJob('Post.where(published: true).find_each do |post|\n  if post.author.name.blank?\n    PostMailer.skipped(post).deliver_now\n  else\n    PostMailer.reminder(post).deliver_later\n  end\nend') });
    const findings = check(associationInLoop, both, SWEEP_JOB);
    assert.deepEqual(severities(findings), [[4, 'hint']]);
    assert.match(findings[0].message, /every row also runs `PostMailer.skipped\(post\).deliver_now`/);
    const one = app({ [SWEEP_JOB]: sweepJob('Post.where(published: true).find_each do |post|\n  if post.author.name.blank?\n    PostMailer.skipped(post).deliver_now\n  else\n    puts post.title\n  end\nend') });
    assert.deepEqual(severities(check(associationInLoop, one, SWEEP_JOB)), [[4, 'warning']]);
  });

  test("`has_paper_trail` declares `versions`: a model method querying it per row is per-row work, and reading it per row is an N+1", () => {
    const post = BLOG['app/models/post.rb'].replace(/\nend\n$/, '\n  has_paper_trail\n\n  def last_change_to(state)\n    versions.where_object_changes_to(state: state).last&.created_at\n  end\nend\n');
    const files = app({ 'app/models/post.rb': post, [SWEEP_JOB]: sweepJob('Post.where(published: true).find_each do |post|\n  changed = post.last_change_to(:archived)\n  puts post.author.name\nend') });
    const findings = check(associationInLoop, files, SWEEP_JOB);
    assert.deepEqual(severities(findings), [[5, 'hint']]);
    assert.match(findings[0].message, /`Post#last_change_to` queries `versions.where_object_changes_to\(state: state\).last&.create…`/);
    const reads = app({ 'app/models/post.rb': post, [SWEEP_JOB]: sweepJob('Post.where(published: true).find_each { |post| puts post.versions.size }') });
    assert.deepEqual(check(associationInLoop, reads, SWEEP_JOB).map((f) => [f.ruleId, f.severity]), [['queries/association-in-loop', 'warning']]);
  });

  test('a scope named for rows not processed yet, iterated by a loop that writes, is a backlog each run works off', () => {
    const model = BLOG['app/models/post.rb'].replace('  scope :published', '  scope :unmapped, -> { where(category_id: nil) }\n  scope :published');
    const files = app({ 'app/models/post.rb': model, [SWEEP_JOB]: sweepJob('Post.unmapped.find_each do |post|\n  found = Category.find_by(name: post.title)\n  next unless found\n  Tagging.create!(post: post)\nend') });
    assert.deepEqual(severities(check(queryInLoop, files, SWEEP_JOB)), [[4, 'hint']]);
    // Near miss: the same scope read without a write is not drained; every unmapped row is loaded each run.
    const readOnly = app({ 'app/models/post.rb': model, [SWEEP_JOB]: sweepJob('Post.unmapped.find_each do |post|\n  puts Category.find_by(name: post.title)&.name\nend') });
    assert.deepEqual(severities(check(queryInLoop, readOnly, SWEEP_JOB)), [[4, 'warning']]);
  });
});

describe('near misses of the fifth evaluation round (settings switched on)', () => {
  const TASK = 'lib/tasks/posts.rake';
  const task = (body: string) => `namespace :posts do\n  task sweep: :environment do\n${body.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n')}\n  end\nend\n`;

  test('rows where a setting was switched on (enable_…, send_…, …_enabled) are as many as opted in, not every row; a state flag is not', () => {
    const files = app({ [TASK]: task('Post.where(enable_comments: true).each { |post| post.touch }\nPost.where(reminders_enabled: true).each { |post| post.touch }\nPost.where(published: true).each { |post| post.touch }') });
    assert.deepEqual(check(unbatchedEach, files, TASK).map((f) => at(f).line), [5], 'only the state flag scans the table');
  });
});

describe('program model: XML Builder views and records found by a list of ids (history benchmark misses)', () => {
  test('an Atom builder view is read as Ruby: an association read per entry is an N+1', () => {
    const files = app({
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def feed\n    @posts = Post.where(published: true)\n  end\nend\n',
      'app/views/posts/feed.atom.builder': 'atom_feed do |feed|\n  @posts.each do |post|\n    feed.entry(post) do |entry|\n      entry.title post.title\n      entry.author { |author| author.name post.author.name }\n    end\n  end\nend\n',
    });
    const findings = check(associationInLoop, files, 'app/views/posts/feed.atom.builder');
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity]), [[5, 43, 'warning']]);
  });

  test('`Post.find(ids)` is as many records as the list holds: a read per record is an N+1 of unknown size; `find(id)` is one record', () => {
    const job = (body: string) => `class SweepJob < ApplicationJob\n  def perform(ids, id)\n    ${body}\n  end\nend\n`;
    const many = app({ 'app/jobs/sweep_job.rb': job('Post.find(ids).each { |post| puts post.author.name }') });
    assert.deepEqual(severities(check(associationInLoop, many, 'app/jobs/sweep_job.rb')), [[3, 'hint']]);
    const preloaded = app({ 'app/jobs/sweep_job.rb': job('Post.includes(:author).find(ids).each { |post| puts post.author.name }') });
    assert.deepEqual(check(associationInLoop, preloaded, 'app/jobs/sweep_job.rb'), []);
    const one = app({ 'app/jobs/sweep_job.rb': job('puts Post.find(id).author.name') });
    assert.deepEqual(check(associationInLoop, one, 'app/jobs/sweep_job.rb'), []);
  });
});

describe('program model: active_record_union relations', () => {
  test('`a.union_all(b).limit(n)` is a relation: a read per row is an N+1 (bounded, a hint); with preload it is silent', () => {
    const job = (body: string) => `class SweepJob < ApplicationJob\n  def perform\n    ${body}\n  end\nend\n`;
    const files = app({ 'app/jobs/sweep_job.rb': job('Post.where(published: true).union_all(Post.where(published: false)).limit(100).each { |post| puts post.author.name }') });
    assert.deepEqual(severities(check(associationInLoop, files, 'app/jobs/sweep_job.rb')), [[3, 'hint']]);
    const preloaded = app({ 'app/jobs/sweep_job.rb': job('Post.where(published: true).union_all(Post.where(published: false)).limit(100).preload(:author).each { |post| puts post.author.name }') });
    assert.deepEqual(check(associationInLoop, preloaded, 'app/jobs/sweep_job.rb'), []);
  });
});

describe('program model: helper_method and ransack searches (miss cause 1)', () => {
  const VIEW = 'app/views/posts/index.html.erb';

  test('a view calling a controller\'s helper_method loops over the relation that method returns; the fix preloads in the controller', () => {
    const base = 'class ApplicationController < ActionController::Base\n  helper_method :recent_posts\n\n  private\n\n  def recent_posts\n    @recent_posts ||= Post.where(published: true)\n  end\nend\n';
    const files = app({
      'app/controllers/application_controller.rb': base,
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n  end\nend\n',
      [VIEW]: '<% recent_posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n',
    });
    const findings = check(associationInLoop, files, VIEW);
    assert.deepEqual(findings.map((f) => [at(f).rule, at(f).line, at(f).column, f.severity]), [['queries/association-in-loop', 2, 7, 'warning']]);
    assert.match(findings[0].message, /every Post in `Post\.where\(published: true\)`/);
    const fixed = applyFixToApp(files, findings[0].fixes[0]);
    assert.equal(fixed['app/controllers/application_controller.rb'], base.replace('Post.where(published: true)', 'Post.where(published: true).includes(:author)'));
    assert.deepEqual(check(associationInLoop, fixed, VIEW), []);
  });

  test('`helper_method def recent_posts` (the def passed to the macro) is a helper method too', () => {
    const base = 'class ApplicationController < ActionController::Base\n  helper_method def recent_posts\n    @recent_posts ||= Post.where(published: true)\n  end\nend\n';
    const files = app({
      'app/controllers/application_controller.rb': base,
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n  end\nend\n',
      [VIEW]: '<% recent_posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n',
    });
    assert.deepEqual(check(associationInLoop, files, VIEW).map((f) => [at(f).line, at(f).column, f.severity]), [[2, 7, 'warning']]);
    // Near miss: `memoize def` makes a method, not a helper the views can call.
    const memoized = { ...files, 'app/controllers/application_controller.rb': base.replace('helper_method def', 'memoize def') };
    assert.deepEqual(check(associationInLoop, memoized, VIEW), []);
  });

  test('near misses: a same-named method that is not a helper_method, and a helper_method that takes arguments, stay unknown', () => {
    const view = '<% recent_posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n';
    const notHelper = app({
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n  end\n\n  private\n\n  def recent_posts\n    Post.where(published: true)\n  end\nend\n',
      [VIEW]: view,
    });
    assert.deepEqual(check(associationInLoop, notHelper, VIEW), []);
    const withArgs = app({
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  helper_method :recent_posts\n\n  def index\n  end\n\n  private\n\n  def recent_posts(limit = nil)\n    Post.where(published: true)\n  end\nend\n',
      [VIEW]: view.replace('recent_posts.each', 'recent_posts(5).each'),
    });
    assert.deepEqual(check(associationInLoop, withArgs, VIEW), []);
  });

  test('`@q = Post.ransack(params[:q]); @posts = @q.result`: the view loops over the search\'s relation; the fix preloads on the result', () => {
    const controller = 'class PostsController < ApplicationController\n  def index\n    @q = Post.ransack(params[:q])\n    @posts = @q.result\n  end\nend\n';
    const files = app({ 'app/controllers/posts_controller.rb': controller, [VIEW]: '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n' });
    const findings = check(associationInLoop, files, VIEW);
    assert.deepEqual(findings.map((f) => [at(f).rule, at(f).line, at(f).column, f.severity]), [['queries/association-in-loop', 2, 7, 'warning']]);
    const fixed = applyFixToApp(files, findings[0].fixes[0]);
    assert.equal(fixed['app/controllers/posts_controller.rb'], controller.replace('@q.result', '@q.result.includes(:author)'));
    assert.deepEqual(check(associationInLoop, fixed, VIEW), []);
  });

  test('near misses: a paginated search result is a hint; something other than the search\'s result stays unknown', () => {
    const paged = app({
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n    @q = Post.ransack(params[:q])\n    @posts = @q.result.page(params[:page])\n  end\nend\n',
      [VIEW]: '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n',
    });
    assert.deepEqual(check(associationInLoop, paged, VIEW).map((f) => [at(f).line, f.severity]), [[2, 'hint']]);
    const sorts = app({
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n    @q = Post.ransack(params[:q])\n  end\nend\n',
      [VIEW]: '<% @q.sorts.each do |sort| %>\n  <%= sort.name.author %>\n<% end %>\n',
    });
    assert.deepEqual(check(associationInLoop, sorts, VIEW), []);
  });
});

describe('near misses of the sixth evaluation round (rows a method picks with its caller\'s arguments)', () => {
  const JOB = 'app/jobs/notify_job.rb';
  const job = (helper: string): Files => app({
    [JOB]: `class NotifyJob < ApplicationJob\n  def perform\n    posts_for(Setting.current_slug).each do |post|\n      puts post.author.name\n    end\n  end\n\n  private\n\n${helper}end\n`,
  });

  test('a private method selecting by its argument (`where(slug: Slug.normalize(slug))`) has as many rows as the caller\'s value picks: a hint, not a warning', () => {
    const findings = check(associationInLoop, job('  def posts_for(slug)\n    Post.where(slug: Slug.normalize(slug)).order(:id)\n  end\n'), JOB);
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity]), [[4, 12, 'hint']]);
    assert.match(findings[0].message, /size unknown/);
  });

  test('near miss: the same loop over the relation written in the job itself selects every published post (a warning)', () => {
    const files = app({ [JOB]: 'class NotifyJob < ApplicationJob\n  def perform\n    Post.where(published: true).order(:id).each do |post|\n      puts post.author.name\n    end\n  end\nend\n' });
    assert.deepEqual(check(associationInLoop, files, JOB).map((f) => [at(f).line, at(f).column, f.severity]), [[4, 12, 'warning']]);
  });
});

describe('sixth evaluation round: model code written in `concerning` blocks and in modules the class includes', () => {

  // danbooru writes its models in `concerning :XMethods do … end` blocks and in `module ApprovalMethods … end` +
  // `include ApprovalMethods`. Their associations, methods and writes were unknown: `BulkUpdateRequest::Pruner` loops
  // over expired requests calling `reject!` (a write in ApprovalMethods), and its per-row `forum_topic` read was a
  // warning as if the loop did nothing else per row.
  test('a write in an included nested module or a `concerning` block makes the loop write per row: the N+1 is a hint', () => {
    const nested = app({
      'app/models/post.rb': postWith('  module ApprovalMethods\n    def reject!\n      update!(published: false)\n    end\n  end\n\n  include ApprovalMethods'),
      [SWEEP_JOB]: sweepJob('Post.where(published: true).find_each do |post|\n  puts post.author.name\n  post.reject!\nend'),
    });
    const findings = check(associationInLoop, nested, SWEEP_JOB);
    assert.deepEqual(severities(findings), [[4, 'hint']]);
    assert.match(findings[0].message, /every row also runs `post.reject!`/);
    const concerning = app({
      'app/models/post.rb': postWith('  concerning :ApprovalMethods do\n    def reject!\n      update!(published: false)\n    end\n  end'),
      [SWEEP_JOB]: sweepJob('Post.where(published: true).find_each do |post|\n  puts post.author.name\n  post.reject!\nend'),
    });
    assert.deepEqual(severities(check(associationInLoop, concerning, SWEEP_JOB)), [[4, 'hint']]);
    // Near miss: a nested module the class does not include adds nothing to it (a namespace for constants).
    const notIncluded = app({
      'app/models/post.rb': postWith('  module ApprovalMethods\n    def reject!\n      update!(published: false)\n    end\n  end'),
      [SWEEP_JOB]: sweepJob('Post.where(published: true).find_each do |post|\n  puts post.author.name\n  post.reject!\nend'),
    });
    assert.deepEqual(severities(check(associationInLoop, notIncluded, SWEEP_JOB)), [[4, 'warning']]);
  });

  test('an association declared in a `concerning` block\'s `included do` is an association of the class', () => {
    const files = app({
      'app/models/post.rb': postWith('  concerning :ReviewMethods do\n    included do\n      belongs_to :reviewer, class_name: "User", optional: true\n    end\n  end'),
      [SWEEP_JOB]: sweepJob('Post.where(published: true).each do |post|\n  puts post.reviewer.name\nend'),
    });
    assert.deepEqual(check(associationInLoop, files, SWEEP_JOB).map(at), [{ rule: 'queries/association-in-loop', line: 4, column: 12 }]);
  });
});

describe('near misses of the ninth evaluation round (seed data, queues named `*_required`, output the team meant)', () => {
  const SEEDS = 'db/seeds/sample_posts.rb';

  test('seed data that loops over every row is a hint: it runs against the database it fills', () => {
    const findings = check(unbatchedEach, app({ [SEEDS]: 'Post.all.each do |post|\n  post.update!(title: post.title.titleize)\nend\n' }), SEEDS);
    assert.deepEqual(severities(findings), [[1, 'hint']]);
    assert.match(findings[0].message, /in seed data, which runs offline\); seed data runs against the database it fills/);
    // Near miss: the same loop in a rake task backfills a production table, a warning as before.
    const task = 'lib/tasks/titles.rake';
    const inTask = check(unbatchedEach, app({ [task]: 'task titles: :environment do\n  Post.all.each do |post|\n    post.update!(title: post.title.titleize)\n  end\nend\n' }), task);
    assert.deepEqual(severities(inTask), [[2, 'warning']]);
  });

  test('a scope named for rows that need someone (`manual_review_required`) is a queue: size unknown, not every row', () => {
    const files = app({
      'app/models/post.rb': postWith('  scope :manual_review_required, -> { where(reviewed_at: nil) }\n  scope :title_required, -> { where(title: nil) }'),
      [SWEEP_JOB]: sweepJob('Post.manual_review_required.find_each { |post| puts post.author.name }\nPost.title_required.find_each { |post| puts post.author.name }'),
    });
    const findings = check(associationInLoop, files, SWEEP_JOB);
    // Near miss: `title_required` names a missing value, not a person's work: every such row, a warning.
    assert.deepEqual(severities(findings), [[3, 'hint'], [4, 'warning']]);
    assert.match(findings[0].message, /size unknown: as many Post rows as `manual_review_required` \(rows waiting for someone to review them\) selects/);
  });

  test('`puts` in a file that turns rubocop\'s Rails/Output off is a console command; a bare `puts` elsewhere is not', () => {
    const service = (cop: string) => `${cop}class TitleSweep\n  def run\n    Post.where(published: true).find_each do |post|\n      puts "Fixing #{post.author.name}"\n    end\n  end\nend\n`;
    const file = 'app/services/title_sweep.rb';
    const meant = check(associationInLoop, app({ [file]: service('# rubocop:disable Rails/Output\n') }), file);
    assert.deepEqual(severities(meant), [[5, 'hint']]);
    assert.match(meant[0].message, /in a console command \(the method prints to stdout\), which runs offline/);
    // Near miss: another cop turned off says nothing about output; the `puts` may be a leftover debug line.
    assert.deepEqual(severities(check(associationInLoop, app({ [file]: service('# rubocop:disable Metrics/MethodLength\n') }), file)), [[5, 'warning']]);
  });
});

describe('near misses of the ninth evaluation round (per-row aggregates behind a local and a condition)', () => {
  // hcb's DetectBalanceAnomaliesJob: every ledger runs SUM queries in either branch, so preloading its event removes
  // one query of several per row.
  const files = (elseBranch: string) => app({
    'app/models/user.rb': BLOG['app/models/user.rb'].replace(/\nend\n$/, '\n\n  monetize def posts_total = posts.sum(:comments_count)\nend\n'),
    'app/models/post.rb': postWith('  def comments_total\n    comments.sum(:score)\n  end'),
    [SWEEP_JOB]: sweepJob([
      'Post.where(published: true).find_each do |post|',
      '  if post.author.present?',
      '    author = post.author',
      '    if author.posts_total != post.comments_total',
      '      puts "mismatch on #{post.id}"',
      '    end',
      '  else',
      `    ${elseBranch}`,
      '  end',
      'end',
    ].join('\n')),
  });

  test('aggregates in every branch, one through a local read from the row and an if condition: the N+1 is a hint', () => {
    const findings = check(associationInLoop, files('puts post.comments_total'), SWEEP_JOB);
    assert.deepEqual(severities(findings), [[4, 'hint']]);
    assert.match(findings[0].message, /every row also runs `author\.posts_total` \(`User#posts_total` queries `posts\.sum\(:comments_count\)`\)/);
  });

  test('near miss: no aggregate on the other branch, so some rows run only the N+1: a warning', () => {
    assert.deepEqual(severities(check(associationInLoop, files('puts post.title'), SWEEP_JOB)), [[4, 'warning']]);
  });
});
