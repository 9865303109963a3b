import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/callbacks/deliver-now-in-callback';
import { applyFix, at, initParsers, run } from '../../../helpers/ruleTester';
import { modelApp } from '../../../helpers/callbackApp';

before(initParsers);

const check = (file: string, code: string, extra: Record<string, string> = {}) =>
  run(rule, code, { file, kind: 'model', app: modelApp({ [file]: code, ...extra }) });

const CONCERN = `module Notifiable
  extend ActiveSupport::Concern

  included do
    after_create :send_confirmation
  end

  def send_confirmation
    AppointmentMailer.confirmation(self).deliver_now
  end
end
`;

describe('callbacks/deliver-now-in-callback', () => {
  test('deliver_now in a concern\'s after_create: reported on the call, fix to deliver_later', () => {
    const file = 'app/models/concerns/notifiable.rb';
    const findings = check(file, CONCERN);
    assert.deepEqual(findings.map(at), [{ rule: 'callbacks/deliver-now-in-callback', line: 9, column: 5 }]);
    assert.equal(findings[0].message,
      '`AppointmentMailer.confirmation(…).deliver_now` sends mail over SMTP synchronously in `after_create :send_confirmation`: the save waits on '
      + 'the mail server inside its transaction, an SMTP error fails the save, and the mail goes out even if the transaction rolls back. '
      + 'Use `deliver_later` from `after_create_commit`.');
    const fixed = applyFix(CONCERN, findings[0].fixes[0], file);
    assert.equal(fixed, CONCERN.replace('deliver_now', 'deliver_later'));
    assert.deepEqual(check(file, fixed), []);
  });

  test('also in after_commit (the request still waits on SMTP) and deliver_now!', () => {
    const file = 'app/models/product.rb';
    const code = `class Product < ApplicationRecord
  after_update_commit :announce_restock
  after_destroy { ProductMailer.removed(id).deliver_now! }

  def announce_restock
    ProductMailer.restocked(self).deliver_now
  end
end
`;
    const findings = check(file, code);
    assert.deepEqual(findings.map((f) => at(f).line), [3, 6]);
    assert.match(findings[1].message, /in `after_update_commit :announce_restock`: the request waits on the mail server, and an SMTP error raises from the callback and skips the callbacks after it\. Use `deliver_later`\.$/);
    assert.equal(applyFix(code, findings[0].fixes[0], file), code.replace('deliver_now!', 'deliver_later!'));
  });

  test('a callback naming a concern method is reported on the callback symbol, without a text fix', () => {
    const file = 'app/models/appointment.rb';
    const code = `class Appointment < ApplicationRecord
  include Mailing
  before_destroy :send_goodbye
end
`;
    const concern = `module Mailing
  extend ActiveSupport::Concern

  def send_goodbye
    UserMailer.goodbye(user).deliver_now
  end
end
`;
    const findings = check(file, code, { 'app/models/concerns/mailing.rb': concern });
    assert.deepEqual(findings.map(at), [{ rule: 'callbacks/deliver-now-in-callback', line: 3, column: 18 }]);
    assert.deepEqual(findings[0].fixes, []);
  });

  test('near misses: deliver_later, deliver_now outside callbacks, in another class', () => {
    const file = 'app/models/appointment.rb';
    const code = `class Appointment < ApplicationRecord
  after_create_commit :confirm
  after_save :remind

  def confirm
    AppointmentMailer.confirmation(self).deliver_later
  end

  def remind
    Reminder.new(self).schedule
  end

  def resend!
    AppointmentMailer.confirmation(self).deliver_now
  end
end
`;
    assert.deepEqual(check(file, code), []);
  });

  test('through an app notifier class and in a state_machines hook: reported, without a text fix on the notifier call', () => {
    const file = 'app/models/booking.rb';
    const code = `class Booking < ApplicationRecord
  after_create :welcome

  state_machine :status do
    after_transition to: :cancelled do |booking, transition|
      BookingMailer.cancelled(booking).deliver_now
    end
  end

  def welcome
    GuestNotifier.welcome(self)
  end
end
`;
    const notifier = 'class GuestNotifier\n  def self.welcome(booking)\n    GuestMailer.welcome(booking).deliver_now\n  end\nend\n';
    const findings = check(file, code, { 'app/notifiers/guest_notifier.rb': notifier });
    assert.deepEqual(findings.map((f) => [at(f).line, f.fixes.length]), [[6, 1], [11, 0]]);
    assert.match(findings[1].message, /^`GuestNotifier\.welcome` sends mail over SMTP synchronously in `after_create :welcome` \(it reaches `GuestMailer\.welcome\(…\)\.deliver_now` at app\/notifiers\/guest_notifier\.rb:3\)/);
  });
  test('near miss: a delivery inside a rescue cannot fail the save: hint, no fix; without the rescue: warning', () => {
    const file = 'app/models/voucher.rb';
    const code = `class Voucher < ApplicationRecord
  after_save :mail_code, if: :saved_change_to_recipient?
  after_create :mail_receipt

  def mail_code
    VoucherMailer.code(id).deliver_now
    update_column(:mailed_at, Time.current)
  rescue StandardError => e
    errors.add(:base, e.message)
  end

  def mail_receipt
    begin
      VoucherMailer.receipt(id).deliver_now
    rescue ActiveRecord::RecordNotFound
      nil
    end
  end
end
`;
    const findings = check(file, code);
    assert.deepEqual(findings.map((f) => [at(f).line, f.severity ?? 'warning', f.fixes.length]), [[6, 'hint', 0], [14, 'warning', 1]]);
    assert.equal(findings[0].message,
      '`VoucherMailer.code(…).deliver_now` sends mail over SMTP synchronously in `after_save :mail_code`, inside a `rescue`, so an SMTP error does not '
      + 'fail the save; the transaction waits on the mail server, and the mail goes out even if it rolls back. '
      + 'Use `deliver_later` from `after_save_commit` unless the caller needs to know the mail was sent.');
  });

  test('near miss: a destroy callback that mails the record it removes: hint, and no deliver_later fix (the job could not load it)', () => {
    const file = 'app/models/listing.rb';
    const code = `class Listing < ApplicationRecord
  before_destroy :tell_owner
  after_destroy :tell_admins

  def tell_owner
    ListingMailer.removed(owner, self).deliver_now
  end

  def tell_admins
    AdminMailer.listing_removed(id, title).deliver_now
  end
end
`;
    const findings = check(file, code);
    assert.deepEqual(findings.map((f) => [at(f).line, f.severity ?? 'warning', f.fixes.length]), [[6, 'hint', 0], [10, 'warning', 1]]);
    assert.equal(findings[0].message,
      '`ListingMailer.removed(…).deliver_now` sends mail over SMTP synchronously in `before_destroy :tell_owner`: the mail is passed the record this '
      + 'destroy removes, so `deliver_later` would fail to load it. It still goes out if the destroy rolls back; to avoid that, pass the mail the values '
      + 'it needs and deliver it from `after_destroy_commit`.');
  });

  test('`Mailer.x(self).deliver` (Rails before 4.2, resque_mailer): reported in the callback, with no deliver_later rewrite', () => {
    const file = 'app/models/reply.rb';
    const code = `class Reply < ApplicationRecord
  after_create :announce

  private

  def announce
    ReplyMailer.posted(self).deliver
  end
end
`;
    const findings = check(file, code, { 'app/mailers/reply_mailer.rb': 'class ReplyMailer < ActionMailer::Base\n  def posted(reply)\n    mail(to: reply.email)\n  end\nend\n' });
    assert.deepEqual(findings.map(at), [{ rule: 'callbacks/deliver-now-in-callback', line: 7, column: 5 }]);
    assert.match(findings[0].message, /^`ReplyMailer\.posted\(…\)\.deliver` sends mail \(or, with a mailer gem such as resque_mailer, queues it\) at once in `after_create :announce`: the save waits/);
    assert.deepEqual(findings[0].fixes, []);
  });

  test('near miss: `deliver` on something that is not a mailer (a webhook, a notification object) is not mail', () => {
    const file = 'app/models/reply.rb';
    const code = 'class Reply < ApplicationRecord\n  after_create :announce\n\n  def announce\n    Webhook.for(self).deliver\n    notification.deliver\n  end\nend\n';
    assert.deepEqual(check(file, code), []);
  });
});
