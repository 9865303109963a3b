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
    account.update!(last_order_at: Time.current)
  end
end
`;
    const findings = check(file, code);
    assert.deepEqual(findings.map(at), [{ rule: 'callbacks/writes-other-model-in-callback', line: 6, column: 5 }]);
    assert.equal(findings[0].severity, 'info');
    assert.equal(findings[0].message,
      '`account.update!` writes Account from `after_update :stamp_account`, inside Order\'s save transaction: it runs Account\'s update callbacks (1) '
      + 'in the same transaction and holds row locks on accounts until it commits. Keep the write if it must be atomic with the save; '
      + 'otherwise move it to an after_commit callback or a job.');
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
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity]), [[10, 5, 'info'], [15, 7, 'warning'], [20, 5, 'info']]);
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
    assert.match(findings[0].message, /runs User's create callbacks \(1, 1 calling external services\)/);
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
});
