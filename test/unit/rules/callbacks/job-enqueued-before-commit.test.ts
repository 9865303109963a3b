import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/callbacks/job-enqueued-before-commit';
import { defaultConfig } from '../../../../server/src/config/config';
import { applyFix, at, initParsers, run } from '../../../helpers/ruleTester';
import { modelApp } from '../../../helpers/callbackApp';
import { makeApp } from '../../../helpers/fixtures';
import { Workspace } from '../../../../server/src/project/workspace';
import * as path from 'node:path';

before(initParsers);

const FILE = 'app/models/appointment.rb';
const check = (code: string, overrides = {}) => run(rule, code, { file: FILE, kind: 'model', app: modelApp({ [FILE]: code }, overrides) });

const REMINDER = `class Appointment < ApplicationRecord
  after_create :schedule_reminder

  def schedule_reminder
    ReminderJob.set(wait_until: starts_at - 1.day).perform_later(id)
  end
end
`;

describe('callbacks/job-enqueued-before-commit', () => {
  test('perform_later in after_create on Rails 7.1: warning, fix to after_create_commit', () => {
    const findings = check(REMINDER);
    assert.deepEqual(findings.map(at), [{ rule: 'callbacks/job-enqueued-before-commit', line: 5, column: 5 }]);
    assert.equal(findings[0].severity, 'warning');
    assert.equal(findings[0].message,
      '`ReminderJob.set(…).perform_later` enqueues a job in `after_create :schedule_reminder`, before the transaction commits: a worker can run it '
      + 'against the row before it is committed (ActiveRecord::RecordNotFound, stale data) or for a row that is rolled back. '
      + '(Rails 7.1.3 with load_defaults 7.1 enqueues at once, inside the transaction.) Enqueue it from `after_create_commit :schedule_reminder`.');
    const fixed = applyFix(REMINDER, findings[0].fixes[0], FILE);
    assert.equal(fixed, REMINDER.replace('after_create :schedule_reminder', 'after_create_commit :schedule_reminder'));
    assert.deepEqual(check(fixed), []);
  });

  test('Rails 7.2 with load_defaults 7.2: info (the adapter defers today, Rails 8.0 stops)', () => {
    const findings = check(REMINDER, { railsVersion: { value: '7.2.2.1', source: 'test' }, loadDefaults: '7.2' });
    assert.equal(findings.length, 1);
    assert.equal(findings[0].severity, 'info');
    assert.match(findings[0].message, /lets the queue adapter defer it to after commit today, but Rails 8\.0 and 8\.1 turn that off by default/);
    const old = check(REMINDER, { railsVersion: { value: '7.2.2.1', source: 'test' }, loadDefaults: '7.1' });
    assert.equal(old[0].severity, 'warning', 'load_defaults 7.1 on Rails 7.2 keeps enqueueing at once');
  });

  test('Rails 8.2 with load_defaults 8.2, or a database-backed queue: perform_later is clean, Sidekiq is not', () => {
    const code = `class Appointment < ApplicationRecord
  after_create :schedule_reminder
  after_update :sync

  def schedule_reminder
    ReminderJob.perform_later(id)
  end

  def sync
    CalendarSyncWorker.perform_async(id)
  end
end
`;
    const rails82 = check(code, { railsVersion: { value: '8.2.0', source: 'test' }, loadDefaults: '8.2' });
    assert.deepEqual(rails82.map((f) => at(f).line), [10]);
    assert.match(rails82[0].message, /Sidekiq pushes it to Redis at once \(perform_async is not deferred without `Sidekiq\.transactional_push!`\)\. Enqueue it from `after_update_commit :sync`\.$/);
    const goodJob = check(code, { gems: new Map([['rails', '7.1.3'], ['good_job', '3.0.0']]) });
    assert.deepEqual(goodJob.map((f) => at(f).line), [10]);
    assert.deepEqual(check(code, { railsVersion: { value: '8.0.1', source: 'test' }, loadDefaults: '8.0' }).map((f) => at(f).line), [6, 10]);
    assert.deepEqual(check(code, { sidekiqTransactionalPush: true }).map((f) => at(f).line), [6], 'Sidekiq.transactional_push! defers perform_async');
  });

  test('deliver_later, delay, Resque and configured enqueuers; no fix when another commit callback names the method', () => {
    const code = `class Order < ApplicationRecord
  after_destroy :farewell
  before_save :queue_things
  after_update_commit :farewell

  def farewell
    OrderMailer.cancelled(id).deliver_later
  end

  def queue_things
    delay.recalculate_totals
    Resque.enqueue(TotalsJob, id)
    Jobs.enqueue(:index_order, order_id: id)
  end
end
`;
    // Discourse-style `Jobs.enqueue` is known out of the box; configured enqueuers add to it.
    assert.deepEqual(check(code).map((f) => [at(f).line, f.fixes.length]), [[7, 0], [11, 0], [12, 0], [13, 0]]);
    const config = defaultConfig();
    config.sections.callbacks = { jobEnqueuers: ['Queue.push'] };
    assert.deepEqual(check(code.replace('Resque.enqueue(TotalsJob, id)', 'Queue.push(:totals, id)'), { config }).map((f) => at(f).line), [7, 11, 12, 13]);
  });

  test('no quick fix when two after_* callbacks name the method, or the callback may write another model', () => {
    const code = `class Deposit < ApplicationRecord
  belongs_to :pending_transaction
  after_save :republish
  after_destroy :republish
  after_update :reject

  def republish
    RepublishWorker.perform_async(id)
  end

  def reject
    pending_transaction.decline!
    DepositMailer.rejected(id).deliver_later
  end
end
`;
    const findings = run(rule, code, { file: FILE, kind: 'model', app: modelApp({ [FILE]: code, 'app/models/pending_transaction.rb': 'class PendingTransaction < ApplicationRecord\nend\n' }) });
    assert.deepEqual(findings.map((f) => [at(f).line, f.fixes.length]), [[8, 0], [13, 0]]);
  });

  test('the project reads Sidekiq.transactional_push! and the queue adapter from the app', () => {
    const model = 'class Appointment < ApplicationRecord\n  after_create :sync\n  after_update :remind\n\n  def sync\n    SyncWorker.perform_async(id)\n  end\n\n  def remind\n    ReminderJob.perform_later(id)\n  end\nend\n';
    const lock = 'GEM\n  remote: https://rubygems.org/\n  specs:\n    rails (7.1.3)\n    sidekiq (7.2.0)\n    good_job (3.0.0)\n\nPLATFORMS\n  ruby\n';
    const lines = (files: Record<string, string>) => {
      const root = makeApp({ 'Gemfile.lock': lock, 'app/models/appointment.rb': model, ...files });
      return new Workspace({ rules: [rule] }).analyzeFile(path.join(root, 'app/models/appointment.rb')).findings.map((f) => at(f).line);
    };
    assert.deepEqual(lines({}), [6, 10]);
    assert.deepEqual(lines({ 'config/initializers/sidekiq.rb': 'Sidekiq.transactional_push!\n' }), [10]);
    assert.deepEqual(lines({ 'config/application.rb': 'module Clinic\n  class Application < Rails::Application\n    config.active_job.queue_adapter = :good_job\n  end\nend\n' }), [6]);
  });

  test('near misses: commit callbacks, after-commit wrappers, perform_now', () => {
    const code = `class Appointment < ApplicationRecord
  after_create_commit :schedule_reminder
  after_commit -> { SyncJob.perform_later(id) }, on: :update
  after_save :later
  after_update :inline

  def schedule_reminder
    ReminderJob.perform_later(id)
  end

  def later
    AfterCommitEverywhere.after_commit { ReminderJob.perform_later(id) }
    run_after_commit { SyncWorker.perform_async(id) }
  end

  def inline
    ReportJob.perform_now(id)
  end
end
`;
    assert.deepEqual(check(code), []);
  });

  test('known enqueue APIs out of the box: Sidekiq bulk/scheduled pushes, set(...).perform_async, perform_all_later, Jobs.enqueue_in/_at, Turbo _later broadcasts', () => {
    const code = `class Appointment < ApplicationRecord
  after_create :fan_out

  def fan_out
    ReminderWorker.push_bulk(ids)
    ReminderWorker.perform_bulk([[id]])
    ReminderWorker.perform_in(5.minutes, id)
    ReminderWorker.perform_at(starts_at, id)
    ReminderWorker.set(queue: "low").perform_async(id)
    ActiveJob.perform_all_later(jobs)
    Jobs.enqueue_in(5.minutes, :remind, id: id)
    Jobs.enqueue_at(starts_at, :remind, id: id)
    Turbo::StreamsChannel.broadcast_append_later_to("clinic", target: self)
  end
end
`;
    // perform_in(5.minutes, …) waits past COMMIT: a hint (the rollback case only); the rest can run at once.
    assert.deepEqual(check(code).map((f) => [at(f).line, f.severity]), [5, 6, 7, 8, 9, 10, 11, 12, 13].map((l) => [l, l === 7 ? 'hint' : 'warning']));
  });

  test('near miss: a job that waits a literal minute or more runs after COMMIT; a computed wait may already be past', () => {
    const code = `class Appointment < ApplicationRecord
  after_create :remind

  def remind
    ReminderWorker.perform_in(10.minutes, id)
    ReminderJob.set(wait: 1.hour).perform_later(id)
    AppointmentMailer.confirmation(id).deliver_later(wait: 2.days)
    ReminderWorker.perform_in(lead_time, id)
    ReminderJob.set(wait: 30.seconds).perform_later(id)
    ReminderJob.set(wait: (180 - 30).days).perform_later(id)
    ReminderJob.set(wait: (1 - 1).days).perform_later(id)
  end
end
`;
    const findings = check(code);
    assert.deepEqual(findings.map((f) => [at(f).line, f.severity]), [[5, 'hint'], [6, 'hint'], [7, 'hint'], [8, 'warning'], [9, 'warning'], [10, 'hint'], [11, 'warning']]);
    assert.match(findings[0].message, /before the transaction commits; it waits at least a minute, so it runs after COMMIT, but a rolled-back save still leaves the job behind\. Enqueue it from `after_create_commit :remind`\./);
  });

  test('near miss: a job given plain values that never looks the model up cannot read the uncommitted row', () => {
    const code = `class Appointment < ApplicationRecord
  belongs_to :clinic
  after_create :warm

  def warm
    FaviconWorker.perform_async(clinic.host)
    FaviconWorker.perform_async("example.org")
    LookupWorker.perform_async(clinic.host)
    FaviconWorker.perform_async(clinic_id)
    MissingWorker.perform_async(clinic.host)
  end
end
`;
    const clinic = 'class Clinic < ApplicationRecord\n  has_many :appointments\nend\n';
    const favicon = 'class FaviconWorker\n  include Sidekiq::Worker\n\n  def perform(host)\n    Favicon.find_or_create_by(host: host)\n  end\nend\n';
    const lookup = 'class LookupWorker\n  include Sidekiq::Worker\n\n  def perform(host)\n    Appointment.joins(:clinic).where(clinics: { host: host }).find_each(&:touch)\n  end\nend\n';
    const schema = 'ActiveRecord::Schema[7.1].define(version: 1) do\n  create_table "clinics" do |t|\n    t.string "host"\n  end\n  create_table "appointments" do |t|\n    t.bigint "clinic_id"\n  end\nend\n';
    const findings = run(rule, code, { file: FILE, kind: 'model', app: modelApp({
      [FILE]: code, 'app/models/clinic.rb': clinic, 'app/workers/favicon_worker.rb': favicon, 'app/workers/lookup_worker.rb': lookup, 'db/schema.rb': schema,
    }) });
    assert.deepEqual(findings.map((f) => [at(f).line, f.severity]), [[6, 'hint'], [7, 'hint'], [8, 'warning'], [9, 'warning'], [10, 'warning']]);
    assert.match(findings[0].message, /its arguments do not identify this row and the job does not look up Appointment, so it cannot read the uncommitted row/);
  });

  test('near miss: a *_id column that names no association (a billing API id) is a plain value; a foreign key still identifies a record', () => {
    const code = `class Appointment < ApplicationRecord
  belongs_to :clinic
  after_destroy :cancel

  def cancel
    BillingWorker.perform_async(stripe_customer_id)
    BillingWorker.perform_async(clinic_id)
  end
end
`;
    const billing = 'class BillingWorker\n  include Sidekiq::Worker\n\n  def perform(customer_id)\n    Stripe::Customer.retrieve(customer_id).delete\n  end\nend\n';
    const schema = 'ActiveRecord::Schema[7.1].define(version: 1) do\n  create_table "appointments" do |t|\n    t.bigint "clinic_id"\n    t.string "stripe_customer_id"\n  end\nend\n';
    const findings = run(rule, code, { file: FILE, kind: 'model', app: modelApp({
      [FILE]: code, 'app/models/clinic.rb': 'class Clinic < ApplicationRecord\nend\n', 'app/workers/billing_worker.rb': billing, 'db/schema.rb': schema,
    }) });
    assert.deepEqual(findings.map((f) => [at(f).line, f.severity]), [[6, 'hint'], [7, 'warning']]);
  });

  test('near miss: column facts come from db/structure.sql when the app keeps no schema.rb', () => {
    const code = `class Feed < ApplicationRecord
  after_create :refresh_favicon

  def refresh_favicon
    FaviconWorker.perform_async(host)
  end
end
`;
    const favicon = 'class FaviconWorker\n  include Sidekiq::Worker\n\n  def perform(host)\n    Favicon.find_or_create_by(host: host)\n  end\nend\n';
    const structure = 'CREATE TABLE public.feeds (\n    id bigint NOT NULL,\n    host text\n);\n';
    const file = 'app/models/feed.rb';
    const findings = run(rule, code, { file, kind: 'model', app: modelApp({ [file]: code, 'app/workers/favicon_worker.rb': favicon, 'db/structure.sql': structure }) });
    assert.deepEqual(findings.map((f) => [at(f).line, f.severity]), [[5, 'hint']]);
    const unknown = run(rule, code, { file, kind: 'model', app: modelApp({ [file]: code, 'app/workers/favicon_worker.rb': favicon }) });
    assert.deepEqual(unknown.map((f) => [at(f).line, f.severity]), [[5, 'warning']], 'without a schema the argument is unknown');
  });

  test('an app class whose method enqueues is a job enqueue (not an external call), named with the inner call', () => {
    const code = `class Appointment < ApplicationRecord
  after_create :announce

  def announce
    Slack::Announcer.new(id).call
  end
end
`;
    const announcer = 'module Slack\n  class Announcer\n    def initialize(id) = @id = id\n\n    def call\n      SlackPostWorker.perform_async(@id)\n    end\n  end\nend\n';
    const findings = run(rule, code, { file: FILE, kind: 'model', app: modelApp({ [FILE]: code, 'app/services/slack/announcer.rb': announcer }) });
    assert.deepEqual(findings.map((f) => at(f).line), [5]);
    assert.match(findings[0].message, /^`Slack::Announcer\.new\(…\)\.call` enqueues a job in `after_create :announce` \(it reaches `SlackPostWorker\.perform_async` at app\/services\/slack\/announcer\.rb:6\), before the transaction commits/);
  });

  test('state-machine hooks are callbacks: aasm `after:` runs inside the event transaction, `after_commit:` does not', () => {
    const code = `class Appointment < ApplicationRecord
  include AASM

  aasm do
    event :confirm, after_commit: :notify_later do
      after :notify_now
      transitions from: :pending, to: :confirmed
    end
  end

  state_machine :billing do
    after_transition on: :charge do |appointment, transition|
      ReceiptWorker.perform_async(appointment.id)
    end
  end

  def notify_now
    ConfirmWorker.perform_async(id)
  end

  def notify_later
    ConfirmWorker.perform_async(id)
  end
end
`;
    const findings = check(code);
    assert.deepEqual(findings.map((f) => at(f).line), [13, 18]);
    assert.match(findings[1].message, /^`ConfirmWorker\.perform_async` enqueues a job in `after :notify_now` of aasm event :confirm, before the transaction commits: a worker can run it against the row before its change is committed \(it reads the old values\).* Enqueue it from the event's `after_commit` hook/);
  });

  test('near miss: a service whose enqueue sits deep in its own helpers (incidental to the callback) is not reported', () => {
    const code = `class Alias < ApplicationRecord
  before_validation :resolve

  def resolve
    self.uri = ResolveService.new.call(handle)
  end
end
`;
    const service = 'class ResolveService\n  def call(handle)\n    lookup(handle)\n  end\n\n  private\n\n  def lookup(handle)\n    CleanupWorker.perform_async(handle) if gone?(handle)\n  end\nend\n';
    assert.deepEqual(run(rule, code, { file: 'app/models/alias.rb', kind: 'model', app: modelApp({ 'app/models/alias.rb': code, 'app/services/resolve_service.rb': service }) }), []);
  });

  test('near miss: state_machine use_transactions: false runs its hooks outside the transaction', () => {
    const code = `class Parcel < ApplicationRecord
  state_machine initial: :pending, use_transactions: false do
    after_transition to: :shipped, do: :announce
  end

  def announce
    ShippedWorker.perform_async(id)
  end
end
`;
    assert.deepEqual(run(rule, code, { file: 'app/models/parcel.rb', kind: 'model', app: modelApp({ 'app/models/parcel.rb': code }) }), []);
    assert.equal(run(rule, code.replace(', use_transactions: false', ''), { file: 'app/models/parcel.rb', kind: 'model', app: modelApp({ 'app/models/parcel.rb': code.replace(', use_transactions: false', '') }) }).length, 1);
  });
  test('an enqueue helper reached through `self.class.x` (a concern\'s class_methods, or def self.x): reported, naming the path; the after-commit variant is not', () => {
    const file = 'app/models/story.rb';
    const code = `class Story < ApplicationRecord
  include Backgroundable
  before_update :refresh_excerpts, if: :pen_name_changed?
  after_update :reindex_later

  def refresh_excerpts
    run_later(:touch_excerpts)
  end

  def reindex_later
    later_after_commit(:reindex)
  end

  def self.count_words(id)
    Resque.enqueue(WordCount, id)
  end
end
`;
    const concern = `module Backgroundable
  extend ActiveSupport::Concern

  def run_later(name)
    self.class.run_later(:on_record, id, name)
  end

  def later_after_commit(name)
    after_commit { run_later(name) }
  end

  class_methods do
    def run_later(*args)
      Resque.enqueue(self, *args)
    end
  end
end
`;
    const findings = run(rule, code, { file, kind: 'model', app: modelApp({ [file]: code, 'app/models/concerns/backgroundable.rb': concern }) });
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column]), [[3, 17]]);
    assert.match(findings[0].message, /^`Resque\.enqueue` enqueues a job in `before_update :refresh_excerpts` \(through `refresh_excerpts` → `run_later` → `self\.class\.run_later`\) \(at app\/models\/concerns\/backgroundable\.rb:14\)/);
  });

  test('a mail about a row that exists, in an update or state-event hook, is a hint; the message names work after it that could roll it back', () => {
    const code = `class Appointment < ApplicationRecord
  include AASM
  belongs_to :clinic

  aasm do
    event :cancel do
      transitions from: :confirmed, to: :cancelled
      after do
        AppointmentMailer.with(appointment: self).cancelled.deliver_later
      end
    end
    event :reschedule do
      transitions from: :confirmed, to: :pending
      after do
        AppointmentMailer.with(appointment: self).rescheduled.deliver_later
        clinic.update!(open_slots: clinic.open_slots + 1)
      end
    end
  end

  after_create :send_welcome

  def send_welcome
    AppointmentMailer.with(appointment: self).booked.deliver_later
  end
end
`;
    const findings = run(rule, code, { file: FILE, kind: 'model', app: modelApp({ [FILE]: code, 'app/models/clinic.rb': 'class Clinic < ApplicationRecord\nend\n' }) });
    // Judged on real apps (failure notices before a payout's transition), the rollback that work after the mail makes
    // possible was rarely worth acting on: a hint that names the work. A mail about a new row stays a warning.
    assert.deepEqual(findings.map((f) => [at(f).line, f.severity]), [[9, 'hint'], [15, 'hint'], [24, 'warning']]);
    assert.match(findings[1].message, /the mail is about a row that already exists, so it goes wrong only when `clinic\.update!` after it fails and the save rolls back\./);
    // Two mails in a row: an enqueue after the first does not make it riskier.
    const twoMails = code.replace('AppointmentMailer.with(appointment: self).cancelled.deliver_later', 'AppointmentMailer.with(appointment: self).cancelled.deliver_later\n        ClinicMailer.with(appointment: self).cancelled.deliver_later');
    const both = run(rule, twoMails, { file: FILE, kind: 'model', app: modelApp({ [FILE]: twoMails, 'app/models/clinic.rb': 'class Clinic < ApplicationRecord\nend\n' }) });
    assert.deepEqual(both.map((f) => [at(f).line, f.severity]).slice(0, 2), [[9, 'hint'], [10, 'hint']]);
    assert.match(findings[0].message, /^`AppointmentMailer\.with\(…\)\.cancelled\.deliver_later` enqueues a mail job in `after block` of aasm event :cancel, before the transaction commits; the mail is about a row that already exists and is the hook's last step, so it goes wrong only when the save rolls back after it\. Enqueue it from the event's `after_commit` hook/);
  });

  // hcb's Reimbursement::Report: `if team_review_required? … mail … else expenses.pending.each(&:mark_approved!) end`.
  // The approvals on the other branch never run after the mail; a write after it on its own branch still does.
  test('work on the other branch of a conditional does not follow the mail; work after it on its branch does', () => {
    const code = (then: string) => `class Report < ApplicationRecord
  include AASM
  has_many :expenses

  aasm do
    event :submit do
      transitions from: :draft, to: :submitted
      after do
        if review_required?
          ReportMailer.with(report: self).review_requested.deliver_later
${then}        else
          expenses.each { |expense| expense.update!(approved: true) }
        end
      end
    end
  end
end
`;
    const file = 'app/models/report.rb';
    const app = (c: string) => modelApp({ [file]: c, 'app/models/expense.rb': 'class Expense < ApplicationRecord\n  belongs_to :report\nend\n' });
    const quiet = code('');
    const quietFindings = run(rule, quiet, { file, kind: 'model', app: app(quiet) });
    assert.deepEqual(quietFindings.map((f) => [at(f).line, f.severity]), [[10, 'hint']]);
    assert.match(quietFindings[0].message, /is the hook's last step, so it goes wrong only when the save rolls back after it/);
    const loud = code('          update!(reviewer_notified_at: Time.current)\n');
    const loudFindings = run(rule, loud, { file, kind: 'model', app: app(loud) });
    assert.deepEqual(loudFindings.map((f) => [at(f).line, f.severity]), [[10, 'hint']]);
    assert.match(loudFindings[0].message, /goes wrong only when `update!` after it fails and the save rolls back/);
  });

  test('a mail about an existing row reached through a method is a hint; a write elsewhere in the hook is named as what could roll it back', () => {
    const code = (extra: string) => `class Appointment < ApplicationRecord
  belongs_to :clinic
  after_update :notify_patient

  def notify_patient
${extra}    send_move_mail
  end

  def send_move_mail
    AppointmentMailer.moved(starts_at.to_s).deliver_later
  end
end
`;
    const app = (c: string) => modelApp({ [FILE]: c, 'app/models/clinic.rb': 'class Clinic < ApplicationRecord\nend\n' });
    const quiet = run(rule, code(''), { file: FILE, kind: 'model', app: app(code('')) });
    assert.deepEqual(quiet.map((f) => [at(f).line, f.severity]), [[10, 'hint']]);
    assert.match(quiet[0].message, /in `after_update :notify_patient` \(through `notify_patient` → `send_move_mail`\)/);
    // A write anywhere in the hook (its order unknown to a mail reached through a method) could fail after it.
    const withWrite = code('    clinic.update!(last_change: Time.current)\n');
    const written = run(rule, withWrite, { file: FILE, kind: 'model', app: app(withWrite) });
    assert.deepEqual(written.map((f) => [at(f).line, f.severity]), [[11, 'hint']]);
    assert.match(written[0].message, /goes wrong only when `clinic\.update!` after it fails and the save rolls back/);
  });

  test('a mail job enqueued by another model\'s method each row runs (`parties.each(&:notify)`): reported where the callback calls it, naming the inner call', () => {
    const contract = [
      'class Contract < ApplicationRecord',
      '  has_many :parties',
      '  after_update :announce',
      '',
      '  def announce',
      '    parties.each(&:notify)',
      '  end',
      'end',
      '',
    ].join('\n');
    const party = 'class Party < ApplicationRecord\n  belongs_to :contract\n\n  def notify\n    PartyMailer.with(party: self).sent.deliver_later\n  end\nend\n';
    const file = 'app/models/contract.rb';
    const findings = run(rule, contract, { file, kind: 'model', app: modelApp({ [file]: contract, 'app/models/party.rb': party }) });
    assert.deepEqual(findings.map(at), [{ rule: 'callbacks/job-enqueued-before-commit', line: 6, column: 18 }]);
    // Mail about rows that exist (the parties), as the hook's last work: a hint that names the inner call.
    assert.equal(findings[0].severity, 'hint');
    assert.match(findings[0].message, /^`each\(&:notify\)` enqueues a mail job in `after_update :announce` \(it reaches `PartyMailer\.with\(…\)\.sent\.deliver_later` at app\/models\/party\.rb:5\), before the transaction commits/);
  });

  test('near miss: another model\'s method that only computes (no mail, job or HTTP) is not an effect', () => {
    const contract = 'class Contract < ApplicationRecord\n  has_many :parties\n  after_update :announce\n\n  def announce\n    parties.each(&:refresh_label)\n  end\nend\n';
    const party = 'class Party < ApplicationRecord\n  belongs_to :contract\n\n  def refresh_label\n    self.label = name.titleize\n  end\nend\n';
    const file = 'app/models/contract.rb';
    assert.deepEqual(run(rule, contract, { file, kind: 'model', app: modelApp({ [file]: contract, 'app/models/party.rb': party }) }), []);
  });
});
