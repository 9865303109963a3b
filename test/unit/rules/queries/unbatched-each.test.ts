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
  // pupilfirst keeps its developer data in db/seeds/development/*.seeds.rb (`Course.all.each` over the handful of
  // courses the seeds just made): it never runs on production data. db/seeds.rb and db/seeds/*.rb, which deploys may
  // run, are still checked.
  test('near miss: development seed data is not checked; production seeds are', () => {
    const seed = 'Post.where(published: true).each do |post|\n  post.touch\nend\n';
    assert.deepEqual(run(seed, 'db/seeds/development/posts.seeds.rb'), []);
    assert.deepEqual(run(seed, 'db/seeds/test.rb'), []);
    assert.deepEqual(run(seed, 'db/seeds/posts.seeds.rb').map(at), [{ rule: 'queries/unbatched-each', line: 1, column: 29 }]);
    assert.deepEqual(run(seed, 'db/seeds.rb').map(at), [{ rule: 'queries/unbatched-each', line: 1, column: 29 }]);
  });

  // human-essentials' db/seeds.rb opens with `if Rails.env.production? … return end` and then fills a developer's
  // database with demo organisations: it never runs on production data. The guard must come first and leave the file.
  test('near miss: seeds that stop first thing in production are development data; a later or a logging-only guard is not', () => {
    const loop = 'Post.where(active: true).each { |post| post.touch }\n';
    const guarded = `# Demo data\nif Rails.env.production?\n  Rails.logger.info "not in production"\n  return\nend\n\n${loop}`;
    assert.deepEqual(run(guarded, 'db/seeds.rb'), []);
    assert.deepEqual(run(`return if Rails.env.production?\n${loop}`, 'db/seeds/demo.rb'), []);
    assert.deepEqual(run(`abort("no") if Rails.env.production?\n${loop}`, 'db/seeds.rb'), []);
    const later = `${loop}return if Rails.env.production?\n`;
    assert.deepEqual(run(later, 'db/seeds.rb').map(at), [{ rule: 'queries/unbatched-each', line: 1, column: 26 }]);
    const logs = `if Rails.env.production?\n  puts "seeding production"\nend\n${loop}`;
    assert.deepEqual(run(logs, 'db/seeds.rb').map(at), [{ rule: 'queries/unbatched-each', line: 4, column: 26 }]);
    assert.deepEqual(run(`return if Rails.env.production?\n${loop}`, 'lib/tasks/demo.rb').map(at), [{ rule: 'queries/unbatched-each', line: 2, column: 26 }]);
  });

  // redmine's Issue.update_versions(conditions = nil): `.where(conditions).each`, where every caller passes one version's
  // or one project tree's issues. The condition comes from the caller, so how many rows it picks is not known here.
  test('near miss: a condition passed in whole (`where(conditions)`) is not taken for every row', () => {
    const model = (body: string) => `class Post < ApplicationRecord\n  belongs_to :author\n  def self.refresh(conditions = nil)\n    ${body}\n  end\nend\n`;
    assert.deepEqual(run(model('where("published = ?", true).where(conditions).each { |post| post.touch }'), 'app/models/post.rb'), []);
    assert.deepEqual(run(model('where("published = ?", true).where(archived: false).each { |post| post.touch }'), 'app/models/post.rb').map(at),
      [{ rule: 'queries/unbatched-each', line: 4, column: 57 }]);
  });

  // lobsters moved its 2012–2019 migrations to db/old_migrations when it squashed them; Rails runs only db/migrate
  // (and folders below it), so a backfill there never runs again.
  test('near miss: migrations archived beside db/migrate are not checked; a data migration in db/data is', () => {
    const migration = 'class MoveMarkdown < ActiveRecord::Migration[7.1]\n  def up\n    Post.where(published: true).each { |post| post.touch }\n  end\nend\n';
    assert.deepEqual(run(migration, 'db/old_migrations/20120705145520_move_markdown.rb'), []);
    assert.deepEqual(run(migration, 'db/data/20120705145520_move_markdown.rb').map(at), [{ rule: 'queries/unbatched-each', line: 3, column: 33 }]);
  });

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

  // Rails enums and aasm states define a scope per value; `Invoice.pending` is `where(state: "pending")`, a status
  // filter like the literal `where` above. Before, such a scope was an unknown method and the loop went unreported.
  const INVOICES = {
    ...BLOG,
    'app/models/invoice.rb': [
      'class Invoice < ApplicationRecord',
      '  belongs_to :author, class_name: "User"',
      '  enum :status, { draft: 0, sent: 1 }, prefix: true',
      '  enum kind: [:monthly, :yearly]',
      '  aasm column: :state, timestamps: true do',
      '    state :pending, initial: true',
      '    state :settled, :voided',
      '    event :settle do',
      '      transitions from: :pending, to: :settled',
      '    end',
      '  end',
      'end',
      '',
    ].join('\n'),
    'app/models/fee.rb': [
      'class Fee < ApplicationRecord',
      '  belongs_to :author, class_name: "User"',
      '  STATUSES = { open: 0, closed: 1 }',
      '  enum :status, STATUSES',
      '  enum :level, { low: 0, high: 1 }, scopes: false',
      '  aasm column: :payout_state do',
      '    state :unpaid, :paid',
      '  end',
      '  aasm create_scopes: false do',
      '    state :pending',
      '  end',
      '  aasm :review, column: :review_state do',
      '    state :queued, :done',
      '    event :reset do',
      '      transitions to: :queued',
      '    end',
      '  end',
      'end',
      '',
    ].join('\n'),
  };

  test('scopes that enum and aasm generate are status filters: .each over them is reported', () => {
    const code = job('Invoice.status_draft.each { |i| i.touch }\nInvoice.not_status_sent.each { |i| i.touch }\nInvoice.yearly.each { |i| i.touch }\nInvoice.settled.each { |i| i.touch }');
    const findings = check(rule, { ...INVOICES, [JOB]: code }, JOB);
    assert.deepEqual(findings.map(at), [
      { rule: 'queries/unbatched-each', line: 3, column: 26 },
      { rule: 'queries/unbatched-each', line: 4, column: 29 },
      { rule: 'queries/unbatched-each', line: 5, column: 20 },
      { rule: 'queries/unbatched-each', line: 6, column: 21 },
    ]);
    assert.match(findings[3].message, /`Invoice\.settled\.each` loads every matching Invoice into memory at once/);
  });

  // A state no event leaves accumulates rows (above). A transition without `from:` may leave any state, and a block of
  // states without events (hcb declares Disbursement's states in a concern, its events in the class) says nothing about
  // which states are left: neither is read as a table scan nor as a queue.
  test('near misses: an enum value without its prefix, values from a constant, scopes: false, aasm create_scopes: false, states of unknown use', () => {
    const code = job('Invoice.draft.each { |i| i.touch }\nFee.open.each { |f| f.touch }\nFee.high.each { |f| f.touch }\nFee.pending.each { |f| f.touch }\nFee.done.each { |f| f.touch }\nFee.paid.each { |f| f.touch }');
    assert.deepEqual(check(rule, { ...INVOICES, [JOB]: code }, JOB), []);
  });

  // A state an event names in `from:` is a workflow's queue: hcb's nightly `BankFee.pending.each` and daily
  // `AchTransfer.scheduled_for_today.each` (`scheduled.where(scheduled_on: ..Date.today)`) are small on a good day and
  // every waiting row after the consumer stalls; the team moved both to find_each. The size is unknown, so a hint.
  test('a queue state of the whole table (an aasm state events move rows out of) is a hint, with the find_each fix', () => {
    const code = job('Invoice.pending.each { |i| i.touch }\nInvoice.pending.where(author_id: 1).each { |i| i.touch }');
    const findings = check(rule, { ...INVOICES, [JOB]: code }, JOB);
    assert.deepEqual(findings.map((f) => [at(f), f.severity]), [[{ rule: 'queries/unbatched-each', line: 3, column: 21 }, 'hint']]);
    assert.match(findings[0].message, /^`Invoice\.pending\.each` loads every waiting Invoice into memory at once \(size unknown: as many Invoice rows as `pending` \(an aasm state that events move rows out of, a queue\) selects\); after a stall/);
    const fixed = applyFixToApp({ ...INVOICES, [JOB]: code }, findings[0].fixes[0])[JOB];
    assert.equal(fixed, job('Invoice.pending.find_each { |i| i.touch }\nInvoice.pending.where(author_id: 1).each { |i| i.touch }'));
  });

  // hcb's `expenses.approved.each` (one report's expenses) and `backup_codes.active.each` (one user's codes) are a queue
  // state read through an association: one owner's rows, not the table's backlog. A list of ids after the queue scope
  // picks as many rows as the list has.
  test("near misses: one owner's rows in a queue state, and a queue narrowed to a list of ids", () => {
    const author = BLOG['app/models/user.rb'].replace(/\nend\n$/, '\n  has_many :invoices, foreign_key: :author_id\nend\n');
    const code = job('User.find(1).invoices.pending.each { |i| i.touch }\nInvoice.pending.where(id: ids).each { |i| i.touch }');
    assert.deepEqual(check(rule, { ...INVOICES, 'app/models/user.rb': author, [JOB]: code }, JOB), []);
  });

  // hcb's Lob service iterated `checks.each`, where the private `def checks = @checks ||= Check.where("lob_id is not
  // null")` is every check ever mailed; the team moved it to find_each. A reader without parameters in the same file is
  // the code it names. A method that takes the rows' condition as an argument, or one in another class, still is not
  // judged across the call (the caller decides which rows, or the analysis cannot see them).
  test('a parameterless reader of the same class is read like its body; a method with parameters or of another class is not', () => {
    const service = (run: string, readers: string) => `class PostSweeper\n  def run\n    ${run}\n  end\n\n  private\n\n${readers}\nend\n`;
    const file = 'app/services/post_sweeper.rb';
    const memo = '  def posts\n    @posts ||= Post.where(published: true)\n  end';
    assert.deepEqual(run(service('posts.each { |p| p.touch }', memo), file).map(at), [{ rule: 'queries/unbatched-each', line: 3, column: 11 }]);
    const nested = '  def posts = visible.where(archived: false)\n  def visible = Post.where(published: true)';
    assert.deepEqual(run(service('posts.each { |p| p.touch }', nested), file).map(at), [{ rule: 'queries/unbatched-each', line: 3, column: 11 }]);
    const picked = '  def posts(state) = Post.where(published: true).where(state: state)';
    assert.deepEqual(run(service('posts(:draft).each { |p| p.touch }', picked), file), []);
    const other = {
      'app/services/post_finder.rb': 'class PostFinder\n  def posts = Post.where(published: true)\nend\n',
      [file]: 'class PostSweeper\n  def run\n    PostFinder.new.posts.each { |p| p.touch }\n  end\nend\n',
    };
    assert.deepEqual(check(rule, { ...BLOG, ...other }, file), []);
  });

  // hcb's outgoing-check import looped over `def pending_outgoing_check_transactions = @x ||= Check.all` (the team moved it
  // to find_each), and openfoodnetwork's `EnterpriseRelationship.relatives` over a local holding
  // `EnterpriseRelationship.includes(:child, :parent)`. A relation with no condition reached the loop through a name
  // and was skipped: only `all` written in the loop's own chain, or a condition, counted.
  test('every row through a local or a reader (`Model.all`, `Model.includes(…)` with no condition) is reported like the chain itself', () => {
    const service = (run: string, readers: string) => `class PostSweeper\n  def run\n    ${run}\n  end\n\n  private\n\n${readers}\nend\n`;
    const file = 'app/services/post_sweeper.rb';
    const memo = '  def posts\n    @posts ||= Post.all\n  end';
    assert.deepEqual(run(service('posts.each { |p| p.touch }', memo), file).map(at), [{ rule: 'queries/unbatched-each', line: 3, column: 11 }]);
    const local = job('posts = Post.includes(:author)\nposts.each { |p| p.touch }\nPost.includes(:author).each { |p| p.touch }');
    const findings = run(local);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/unbatched-each', line: 4, column: 11 }, { rule: 'queries/unbatched-each', line: 5, column: 28 }]);
    assert.match(findings[0].message, /\(unbounded: every Post\)/);
  });

  // openfoodnetwork's OrderCycleClosingJob reads the order cycles closed in the last hour with
  // `where("order_cycles.orders_close_at BETWEEN (?) AND (?)", 1.hour.ago, Time.zone.now)`: a time window, like
  // `updated_at >= ? AND updated_at <= ?`, whose size depends on how busy the hour was. A BETWEEN on a column that is
  // not a time (`title BETWEEN ? AND ?`) is not a window and stays a filter of the whole table.
  test('near miss: a BETWEEN time window is a window of unknown size; BETWEEN over another column is not', () => {
    assert.deepEqual(run(job('Post.where("posts.updated_at BETWEEN (?) AND (?)", 1.hour.ago, Time.zone.now).each { |p| p.touch }')), []);
    assert.deepEqual(run(job('Post.where("updated_at between ? and ?", 2.days.ago, 1.day.ago).each { |p| p.touch }')), []);
    assert.deepEqual(run(job('Post.where("posts.title BETWEEN ? AND ?", "a", "m").each { |p| p.touch }')).map(at),
      [{ rule: 'queries/unbatched-each', line: 3, column: 57 }]);
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
