import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/callbacks/external-call-in-callback';
import { defaultConfig } from '../../../../server/src/config/config';
import { applyFix, at, initParsers, run } from '../../../helpers/ruleTester';
import { modelApp } from '../../../helpers/callbackApp';

before(initParsers);

const FILE = 'app/models/appointment.rb';
const check = (code: string, extra: Record<string, string> = {}, overrides = {}) =>
  run(rule, code, { file: FILE, kind: 'model', app: modelApp({ [FILE]: code, ...extra }, overrides) });

const SYNC = `class Appointment < ApplicationRecord
  after_save :sync_calendar

  private

  def sync_calendar
    response = Faraday.post("https://calendar.example.com/events", payload.to_json)
    update_column(:calendar_event_id, JSON.parse(response.body)["id"])
  end
end
`;

describe('callbacks/external-call-in-callback', () => {
  test('HTTP in after_save: reported on the call, once (not on the response), with the after_commit fix', () => {
    const findings = check(SYNC);
    assert.deepEqual(findings.map(at), [{ rule: 'callbacks/external-call-in-callback', line: 7, column: 16 }]);
    assert.equal(findings[0].message,
      '`Faraday.post` calls an external service inside the database transaction of `after_save :sync_calendar`: the row locks stay held while '
      + 'the remote service answers, a slow or failing service fails the save, and if the transaction rolls back the call has already happened. '
      + 'Run it after commit: `after_save_commit :sync_calendar`, or enqueue a job from there.');
    const fix = findings[0].fixes[0];
    assert.equal(fix.safety, 'unsafe');
    const fixed = applyFix(SYNC, fix, FILE);
    assert.equal(fixed, SYNC.replace('after_save :sync_calendar', 'after_save_commit :sync_calendar'));
    assert.deepEqual(check(fixed), [], 'idempotent: the fixed file is clean');
  });

  // `private def x` and `memoize def x` are calls that pass the def on; Ruby defines the method all the same.
  test('a callback method defined with a macro in front (`private def sync_calendar`) is followed like a plain def', () => {
    const wrapped = SYNC.replace('  private\n\n  def sync_calendar', '  private def sync_calendar');
    assert.deepEqual(check(wrapped).map(at), [{ rule: 'callbacks/external-call-in-callback', line: 5, column: 16 }]);
    const memoized = SYNC.replace('  private\n\n  def sync_calendar', '  memoize def sync_calendar');
    assert.deepEqual(check(memoized).map(at), [{ rule: 'callbacks/external-call-in-callback', line: 5, column: 16 }]);
    // Near miss: a macro given a def and a block (a DSL, not a plain definition) defines nothing the analysis follows.
    const dsl = SYNC.replace('  private\n\n  def sync_calendar', '  around_hook def sync_calendar').replace('\n  end\nend\n', '\n  end do\n    nil\n  end\nend\n');
    assert.deepEqual(check(dsl), []);
  });

  test('followed two levels through methods of the model; a third level is not', () => {
    const code = `class Order < ApplicationRecord
  before_save :prepare
  after_create :notify

  def prepare
    level_one
  end

  def level_one
    level_two
  end

  def level_two
    level_three
  end

  def level_three
    HTTParty.get("https://too.deep")
  end

  def notify
    push_event
  end

  def push_event
    deliver_webhook
  end

  def deliver_webhook
    HTTParty.post(webhook_url, body: to_json)
  end
end
`;
    const findings = check(code);
    assert.deepEqual(findings.map(at), [{ rule: 'callbacks/external-call-in-callback', line: 30, column: 5 }]);
    assert.match(findings[0].message, /`after_create :notify` \(through `notify` → `push_event` → `deliver_webhook`\)/);
  });

  test('client objects, SDK clients, inline blocks, lambdas and broadcasts', () => {
    const code = `class Payment < ApplicationRecord
  before_create :charge
  after_update { Net::HTTP.get(URI("https://status.example.com")) }
  after_destroy -> { ActionCable.server.broadcast("payments", id: id) }
  around_save :with_gateway

  def charge
    Stripe::Charge.create(amount: amount_cents, currency: "usd")
    Aws::S3::Resource.new.bucket("receipts").object(key).put(body: receipt)
  end

  def with_gateway
    conn = Faraday.new(url: "https://gateway.example.com")
    conn.post("/hold", amount: amount_cents)
    yield
  end
end
`;
    assert.deepEqual(check(code).map((f) => [at(f).line, at(f).column, f.message.split(' ')[0]]), [
      [3, 18, '`Net::HTTP.get`'],
      [4, 22, '`ActionCable.server.broadcast`'],
      [8, 5, '`Stripe::Charge.create`'],
      [9, 5, '`Aws::S3::Resource.new.bucket(…).object(…).put`'],
      [14, 5, '`conn.post`'],
    ]);
  });

  test('a callback declared in the class naming a concern method is reported on the callback', () => {
    const concern = `module CalendarSync
  extend ActiveSupport::Concern

  def push_to_calendar
    RestClient.post(calendar_url, to_json)
  end
end
`;
    const code = `class Visit < ApplicationRecord
  include CalendarSync
  after_save :push_to_calendar
end
`;
    const findings = check(code, { 'app/models/concerns/calendar_sync.rb': concern });
    assert.deepEqual(findings.map(at), [{ rule: 'callbacks/external-call-in-callback', line: 3, column: 14 }]);
    assert.match(findings[0].message, /^`RestClient\.post` calls .*`after_save :push_to_calendar` \(at app\/models\/concerns\/calendar_sync\.rb:5\)/);
  });

  test('configured external calls (callbacks.externalCalls)', () => {
    const code = `class Invoice < ApplicationRecord
  after_create :bill

  def bill
    PaymentGateway.charge(total_cents)
    SlackNotifier.ping("billed")
  end
end
`;
    assert.deepEqual(check(code), []);
    const config = defaultConfig();
    config.sections.callbacks = { externalCalls: ['PaymentGateway', 'SlackNotifier.ping'] };
    assert.deepEqual(check(code, {}, { config }).map((f) => at(f).line), [5, 6]);
  });

  test('near misses: commit callbacks, after-commit wrappers, constructors, URI.parse, presigned URLs, other receivers', () => {
    const code = `class Appointment < ApplicationRecord
  after_save_commit :sync_calendar
  after_create_commit { HTTParty.post(hook_url) }
  after_commit :notify, on: :update
  after_rollback :report
  after_save :deferred
  before_save :build_client
  after_update :parse_only

  def sync_calendar
    Faraday.post("https://calendar.example.com/events")
  end

  def notify
    Net::HTTP.post(URI(hook_url), to_json)
  end

  def report
    Typhoeus.post(error_url)
  end

  def deferred
    ActiveRecord.after_all_transactions_commit do
      Faraday.post("https://calendar.example.com/events")
    end
    run_after_commit { Excon.post(hook_url) }
  end

  def build_client
    @client = Faraday.new(url: "https://api.example.com")
  end

  def parse_only
    self.host = URI.parse(url).host
    self.download_url = Aws::S3::Resource.new.bucket("files").object(key).presigned_url(:get)
  end
end
`;
    assert.deepEqual(check(code), []);
  });

  test('an app class is judged by what its method does: HTTP (followed into the class) is reported with the inner call', () => {
    const code = `class Appointment < ApplicationRecord
  after_save :announce

  def announce
    Slack::Notifier.ping("booked #{id}")
    CalendarClient.new(self).push
  end
end
`;
    const notifier = 'module Slack\n  class Notifier\n    def self.ping(text)\n      post(text)\n    end\n\n    def self.post(text)\n      Faraday.post(ENV["SLACK_URL"], text)\n    end\n  end\nend\n';
    const calendar = 'class CalendarClient\n  include HTTParty\n\n  def initialize(record) = @record = record\n\n  def push\n    self.class.post("/events", body: @record.to_json)\n  end\nend\n';
    const findings = check(code, { 'app/services/slack/notifier.rb': notifier, 'app/lib/calendar_client.rb': calendar });
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity]), [[5, 5, 'warning'], [6, 5, 'warning']]);
    assert.match(findings[0].message, /^`Slack::Notifier\.ping` calls an external service inside the database transaction of `after_save :announce` \(it reaches `Faraday\.post` at app\/services\/slack\/notifier\.rb:8\):/);
    assert.match(findings[1].message, /\(it reaches `self\.class\.post` at app\/lib\/calendar_client\.rb:7\)/);
  });

  test('near misses: a `Slack::` app class that only enqueues a job, one whose method is not found, an app namespace without the file', () => {
    const code = `class Appointment < ApplicationRecord
  after_save :announce

  def announce
    Slack::Announcer.call(id)
    Slack::Announcer.unknown_method(id)
    Slack::Missing.ping(id)
    Twilio::Texter.deliver(id)
  end
end
`;
    const announcer = 'module Slack\n  class Announcer\n    def self.call(id)\n      SlackPostJob.perform_later(id)\n    end\n  end\nend\n';
    // Before: every `Slack::` / `Twilio::` constant was guessed to be the SDK's HTTP client.
    assert.deepEqual(check(code, { 'app/services/slack/announcer.rb': announcer, 'app/services/twilio/texter_helpers.rb': 'module Twilio\nend\n' }), []);
  });

  test('broadcasts inside the transaction are info: MessageBus, ActionCable, Turbo::StreamsChannel (non-_later)', () => {
    const code = `class Appointment < ApplicationRecord
  after_update :announce

  def announce
    MessageBus.publish("/appointments", id)
    ActionCable.server.broadcast("clinic", id)
    Turbo::StreamsChannel.broadcast_replace_to("clinic", target: self)
    Turbo::StreamsChannel.broadcast_replace_later_to("clinic", target: self)
  end
end
`;
    const findings = check(code);
    assert.deepEqual(findings.map((f) => [at(f).line, f.severity]), [[5, 'info'], [6, 'info'], [7, 'info']]);
    assert.match(findings[0].message, /^`MessageBus\.publish` broadcasts inside the database transaction/);
  });
});

