import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/callbacks/writes-other-model-in-callback';
import { at, initParsers, run } from '../../../helpers/ruleTester';
import { modelApp } from '../../../helpers/callbackApp';

before(initParsers);

const ACCOUNT = `class Account < ApplicationRecord
  has_many :orders
  after_update :refresh

  def refresh
    Rails.cache.delete(cache_key)
  end
end
`;
const AUDIT = 'class AuditLog < ApplicationRecord\nend\n';
const USER = `class User < ApplicationRecord
  has_many :followers, class_name: "User"
  has_many :notifications
  after_create :notify_calendar

  def notify_calendar
    Faraday.post("https://calendar.example.com")
  end
end
`;

const check = (file: string, code: string) =>
  run(rule, code, { file, kind: 'model', app: modelApp({ 'app/models/account.rb': ACCOUNT, 'app/models/audit_log.rb': AUDIT, 'app/models/user.rb': USER, 'app/models/notification.rb': 'class Notification < ApplicationRecord\nend\n', [file]: code }) });

describe('callbacks/writes-other-model-in-callback', () => {
  test('an association write in after_update: info, naming the other model\'s callbacks and table', () => {
    const file = 'app/models/order.rb';
    const code = `class Order < ApplicationRecord
  belongs_to :account
  after_update :stamp_account

  def stamp_account
    account.update!(status: "active")
  end
end
`;
    const findings = check(file, code);
    assert.deepEqual(findings.map(at), [{ rule: 'callbacks/writes-other-model-in-callback', line: 6, column: 5 }]);
    assert.equal(findings[0].severity, 'info');
    assert.equal(findings[0].message,
      '`account.update!` writes Account from `after_update :stamp_account`, inside Order\'s save transaction: it runs Account\'s update callbacks (1 in the transaction) '
      + 'and holds row locks on accounts until it commits. Keep the write if it must be atomic with the save; '
      + 'otherwise move it to an after_commit callback or a job.');
  });

  test('counter, touch, denormalised-column and autosave-like writes are hints', () => {
    const file = 'app/models/comment.rb';
    const code = `class Comment < ApplicationRecord
  belongs_to :account
  belongs_to :post
  has_one :stat, class_name: "AuditLog"
  after_create :bump
  after_destroy :unbump
  after_save :stamp
  after_update :save_stat

  def bump
    post.increment!(:comments_count)
    Account.update_counters(account_id, replies_count: 1)
  end

  def unbump
    post.decrement!(:comments_count)
  end

  def stamp
    account.touch
    account.update_column(:last_comment_at, Time.current)
    account.update!(replies_count: 3, cached_score_total: 4)
  end

  def save_stat
    stat.save!
  end
end
`;
    const files = { 'app/models/post.rb': 'class Post < ApplicationRecord\n  after_update :x\nend\n' };
    const findings = run(rule, code, { file, kind: 'model', app: modelApp({ 'app/models/account.rb': ACCOUNT, 'app/models/audit_log.rb': AUDIT, ...files, [file]: code }) });
    assert.deepEqual(findings.map((f) => [at(f).line, f.severity]), [[11, 'hint'], [12, 'hint'], [20, 'hint'], [21, 'hint'], [22, 'hint'], [26, 'hint']], 'decrement! in after_destroy is SQL cleanup: not reported');
    assert.match(findings[0].message, /This is a counter update, the kind of write Rails' own counter_cache, touch: and autosave make\./);
    assert.match(findings[3].message, /This is a denormalised column \(`last_comment_at`\)/);
    assert.match(findings[5].message, /This is a save of an associated record/);
  });

  test('near miss: a touch whose after_touch calls an external service stays a warning and names the cascade', () => {
    const file = 'app/models/reply.rb';
    const code = `class Reply < ApplicationRecord
  belongs_to :thread_summary
  after_create :refresh

  def refresh
    thread_summary.touch
  end
end
`;
    const summary = 'class ThreadSummary < ApplicationRecord\n  after_touch :push\n\n  def push\n    HTTParty.post("https://search.example.com/index")\n  end\nend\n';
    const findings = run(rule, code, { file, kind: 'model', app: modelApp({ 'app/models/thread_summary.rb': summary, [file]: code }) });
    assert.equal(findings.length, 1);
    assert.equal(findings[0].severity, 'warning');
    assert.match(findings[0].message, /The cascade reaches outside the database before COMMIT: ThreadSummary's `after_touch :push` calls `HTTParty\.post`: if the transaction rolls back, that already happened\./);
  });

  test('a constant write in a concern, a loop over an association (warning), SQL writes', () => {
    const file = 'app/models/user.rb';
    const code = `class User < ApplicationRecord
  has_many :followers, class_name: "User"
  has_many :notifications
  belongs_to :account
  before_save :audit
  after_create :fan_out
  after_update :detach

  def audit
    AuditLog.create!(subject_id: id)
  end

  def fan_out
    followers.each do |follower|
      follower.notifications.create!(kind: "joined", actor_id: id)
    end
  end

  def detach
    Account.where(owner_id: id).update_all(owner_id: nil)
  end
end
`;
    const findings = check(file, code);
    // A loop of writes without I/O in the cascade is info: N rows in one transaction, nothing outside the database.
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity]), [[10, 5, 'info'], [15, 7, 'info'], [20, 5, 'info']]);
    assert.match(findings[1].message, /^`follower\.notifications\.create!` writes Notification once per element of a loop/);
    assert.match(findings[2].message, /it skips Account's callbacks but locks the rows it changes in accounts until the transaction commits/);
  });

  test('a write to a model whose own callbacks call external services is a warning', () => {
    const file = 'app/models/invite.rb';
    const code = `class Invite < ApplicationRecord
  after_create :create_user

  def create_user
    User.create!(email: email)
  end
end
`;
    const findings = check(file, code);
    assert.equal(findings.length, 1);
    assert.equal(findings[0].severity, 'warning');
    assert.match(findings[0].message, /runs User's create callbacks \(1 in the transaction\) .* The cascade reaches outside the database before COMMIT: User's `after_create :notify_calendar` calls `Faraday\.post`/);
  });

  // hcb's User#update_draft_applications: `applications.draft.each { |a| a.update!(teen_led: …) }`. Application's
  // mails are sent from aasm event hooks, which run when an event fires (`submit!`), never for a plain update!.
  test('near miss: a plain update! of a record whose mails go out from state-machine event hooks reaches no mail (info)', () => {
    const application = (hook: string) => `class Application < ApplicationRecord
  include AASM
  belongs_to :user
${hook}
end
`;
    const eventHook = `  aasm do
    state :draft, initial: true
    state :submitted
    event :submit do
      transitions from: :draft, to: :submitted
      after do
        ApplicationMailer.with(application: self).confirmation.deliver_now
      end
    end
  end`;
    const file = 'app/models/member.rb';
    const code = `class Member < ApplicationRecord
  has_many :applications
  after_update :update_draft_applications

  def update_draft_applications
    applications.each { |application| application.update!(teen_led: true) }
  end
end
`;
    const findingsWith = (hook: string) =>
      run(rule, code, { file, kind: 'model', app: modelApp({ 'app/models/application.rb': application(hook), [file]: code }) });
    const quiet = findingsWith(eventHook);
    assert.deepEqual(quiet.map(at), [{ rule: 'callbacks/writes-other-model-in-callback', line: 6, column: 39 }]);
    assert.equal(quiet[0].severity, 'info');
    assert.doesNotMatch(quiet[0].message, /reaches outside the database/);
    const loud = findingsWith('  after_update { ApplicationMailer.with(application: self).confirmation.deliver_now }');
    assert.equal(loud[0].severity, 'warning', 'an after_update that mails is a cascade');
  });

  test('near misses: self writes, hashes, unknown receivers, after_commit, self.class, SQL cleanup in destroy callbacks', () => {
    const file = 'app/models/order.rb';
    const code = `class Order < ApplicationRecord
  belongs_to :account
  before_save :normalize
  after_save :touch_self
  after_commit :stamp_account
  after_update :settings_update
  before_destroy :nullify_references

  def normalize
    self.reference = reference.upcase
    settings.update(normalized: true)
    Current.user.update!(last_seen_at: Time.current)
  end

  def touch_self
    update_column(:synced_at, Time.current)
    self.class.where(batch_id: batch_id).update_all(stale: true)
  end

  def stamp_account
    account.update!(last_order_at: Time.current)
  end

  def nullify_references
    Account.where(last_order_id: id).update_all(last_order_id: nil)
  end

  def settings_update
    options = { a: 1 }
    options.update(b: 2)
    params.delete(:x)
  end
end
`;
    assert.deepEqual(check(file, code), []);
  });
  test('near miss: creating rows without the attribute a mailing callback waits on cannot reach it (info); with it, or when a before callback may set it: warning', () => {
    const file = 'app/models/seat_grant.rb';
    const code = `class SeatGrant < ApplicationRecord
  belongs_to :team
  before_update :issue_seats

  def issue_seats
    quantity.times { team.passes.create }
    team.passes.create(holder_email: requested_by)
    Pass.create(note: "spare")
  end
end
`;
    const team = 'class Team < ApplicationRecord\n  has_many :passes\nend\n';
    const pass = `class Pass < ApplicationRecord
  belongs_to :team
  before_validation :make_code
  after_save :mail_holder, if: :saved_change_to_holder_email?

  def make_code
    self.code = SecureRandom.hex(8)
  end

  def mail_holder
    PassMailer.issued(id).deliver_now
  end
end
`;
    // The app's base class has a before_save of its own: it does not name the attribute.
    const base = 'class ApplicationRecord < ActiveRecord::Base\n  self.abstract_class = true\n  before_save :squish_strings\n\n  def squish_strings\n    self.class.text_columns.each { |c| self[c] = self[c]&.squish }\n  end\nend\n';
    const run1 = (passCode: string) => run(rule, code, { file, kind: 'model', app: modelApp({ 'app/models/application_record.rb': base, 'app/models/team.rb': team, 'app/models/pass.rb': passCode, [file]: code }) });
    const findings = run1(pass);
    assert.deepEqual(findings.map((f) => [at(f).line, f.severity ?? 'warning']), [[6, 'info'], [7, 'warning'], [8, 'info']]);
    assert.match(findings[1].message, /Pass's `after_save :mail_holder` mails now with `PassMailer\.issued\(…\)\.deliver_now`/);
    // A before callback that may fill the attribute: the mail can go out on a bare create.
    const filling = pass.replace('self.code = SecureRandom.hex(8)', 'self.code = SecureRandom.hex(8)\n    self.holder_email ||= team.owner_email');
    assert.deepEqual(run1(filling).map((f) => [at(f).line, f.severity ?? 'warning']), [[6, 'warning'], [7, 'warning'], [8, 'warning']]);
  });

  test('near miss: updating the owner\'s own attributes saves no unchanged autosaved child, so the child\'s mailing callback is not a cascade', () => {
    const plan = `class Plan < ApplicationRecord
  belongs_to :workspace
  after_update :freeze_workspace

  def freeze_workspace
    workspace.update(frozen: true)
  end
end
`;
    const workspace = (extra: string) => `class Workspace < ApplicationRecord
  has_one :preference, autosave: true
${extra}end
`;
    const preference = 'class Preference < ApplicationRecord\n  belongs_to :workspace\n  after_update { PreferenceMailer.with(preference: self).changed.deliver_later }\nend\n';
    const app = (ws: string) => modelApp({ 'app/models/plan.rb': plan, 'app/models/workspace.rb': ws, 'app/models/preference.rb': preference });
    const quiet = run(rule, plan, { file: 'app/models/plan.rb', kind: 'model', app: app(workspace('')) });
    assert.deepEqual(quiet.map((f) => [at(f).line, f.severity]), [[6, 'info']]);
    // The workspace's own after_update mail still makes it a warning.
    const own = workspace('  after_update { WorkspaceMailer.with(workspace: self).frozen.deliver_later }\n');
    const loud = run(rule, plan, { file: 'app/models/plan.rb', kind: 'model', app: app(own) });
    assert.deepEqual(loud.map((f) => [at(f).line, f.severity]), [[6, 'warning']]);
    assert.match(loud[0].message, /Workspace's `after_update block` enqueues/);
    assert.doesNotMatch(loud[0].message, /Preference/);
  });
});
