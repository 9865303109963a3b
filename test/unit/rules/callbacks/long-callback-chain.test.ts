import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import rule from '../../../../server/src/rules/callbacks/long-callback-chain';
import { defaultConfig } from '../../../../server/src/config/config';
import { Workspace } from '../../../../server/src/project/workspace';
import { at, initParsers, run } from '../../../helpers/ruleTester';
import { FIXTURE_APP, modelApp } from '../../../helpers/callbackApp';

before(initParsers);

describe('callbacks/long-callback-chain', () => {
  test('fixture app: Order (concerns, touch chain, nested attributes) is reported once on its class name', () => {
    const ws = new Workspace({ rules: [rule] });
    const findings = ['order.rb', 'line_item.rb', 'account.rb', 'subscription_order.rb', 'application_record.rb']
      .flatMap((f) => ws.analyzeFile(path.join(FIXTURE_APP, 'app/models', f)).findings);
    assert.deepEqual(findings.map((f) => [path.basename(f.file), at(f).line, at(f).column]), [['order.rb', 1, 7], ['subscription_order.rb', 1, 7]]);
    assert.equal(findings[0].message,
      'Order runs 10 callbacks inside the transaction when it is created (3 own, 1 from concerns, 2 from associations, 4 in other models through cascades, 1 reaching outside the database), more than 5: '
      + 'every save pays for all of them before COMMIT, and the order is hard to see in code. After the transaction (commit or rollback), not counted: 1 more (`after_commit :reindex` (Searchable)). '
      + 'Hover Order to see the chain; move side effects to after_commit callbacks or jobs, and explicit steps into a service object.');
    assert.match(findings[1].message, /^SubscriptionOrder runs 11 callbacks inside the transaction when it is created \(1 own, 1 from concerns, 3 inherited, 2 from associations, 4 in other models through cascades, 2 reaching outside the database\)/);
  });

  test('the limit is configurable (callbacks.maxChainLength)', () => {
    const file = 'app/models/post.rb';
    const code = `class Post < ApplicationRecord
  before_validation :a
  before_save :b
  after_create :c
  after_save :d
end
`;
    assert.deepEqual(run(rule, code, { file, kind: 'model', app: modelApp({ [file]: code }) }), []);
    const config = defaultConfig();
    config.sections.callbacks = { maxChainLength: 3 };
    const findings = run(rule, code, { file, kind: 'model', app: modelApp({ [file]: code }, { config }) });
    assert.deepEqual(findings.map(at), [{ rule: 'callbacks/long-callback-chain', line: 1, column: 7 }]);
    assert.match(findings[0].message, /^Post runs 4 callbacks inside the transaction when it is created \(4 own\), more than 3:/);
  });

  test('near misses: abstract classes, plain Ruby classes, concerns, counter caches are not counted', () => {
    const file = 'app/models/base.rb';
    const code = `class Base < ApplicationRecord
  self.abstract_class = true
  before_save :a
  before_save :b
  before_save :c
  after_save :d
  after_save :e
  after_save :f
end

class Service
  before_save :a
  before_save :b
  before_save :c
  before_save :d
  before_save :e
  before_save :f
end

class Comment < ApplicationRecord
  belongs_to :post, counter_cache: true
  belongs_to :author, counter_cache: :comments_total
  before_save :a
end
`;
    assert.deepEqual(run(rule, code, { file, kind: 'model', app: modelApp({ [file]: code }) }), []);
  });

  test('after_commit callbacks are not counted as inside the transaction; they are listed apart', () => {
    const file = 'app/models/invoice.rb';
    const code = `class Invoice < ApplicationRecord
  before_validation :a
  before_save :b
  after_create :c
  after_save :d
  after_commit :e
  after_create_commit :f
  after_save_commit :g
  after_rollback :h
end
`;
    // Before: 8 counted "inside one transaction"; only 4 run there.
    assert.deepEqual(run(rule, code, { file, kind: 'model', app: modelApp({ [file]: code }) }), []);
    const config = defaultConfig();
    config.sections.callbacks = { maxChainLength: 3 };
    const findings = run(rule, code, { file, kind: 'model', app: modelApp({ [file]: code }, { config }) });
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /^Invoice runs 4 callbacks inside the transaction when it is created \(4 own\), more than 3: .* After the transaction \(commit or rollback\), not counted: 4 more \(`after_commit :e`, `after_create_commit :f`, `after_save_commit :g`, `after_rollback :h`\)\./);
  });

  test('a write made from an after_commit callback cascades after COMMIT: its callbacks are not counted either', () => {
    const files = {
      'app/models/ledger.rb': 'class Ledger < ApplicationRecord\n  before_save :a\n  before_save :b\n  after_save :c\n  after_save :d\nend\n',
      'app/models/payment.rb': `class Payment < ApplicationRecord
  belongs_to :ledger
  before_save :x
  after_commit :post_to_ledger

  def post_to_ledger
    ledger.update!(balance: 1)
  end
end
`,
    };
    assert.deepEqual(run(rule, files['app/models/payment.rb'], { file: 'app/models/payment.rb', kind: 'model', app: modelApp(files) }), []);
  });

  test('an STI subclass that adds no callbacks is not reported again; one that adds a callback is', () => {
    const files = {
      'app/models/notification.rb': `class Notification < ApplicationRecord
  before_validation :a
  before_save :b
  before_create :c
  after_create :d
  after_save :e
  after_save :f
end
`,
      'app/models/email_notification.rb': 'class EmailNotification < Notification\n  def channel = "email"\nend\n',
      'app/models/sms_notification.rb': 'class SmsNotification < Notification\n  before_save :truncate_body\nend\n',
    };
    const app = modelApp(files);
    const lines = (rel: string) => run(rule, files[rel as keyof typeof files], { file: rel, kind: 'model', app }).map((f) => f.message.split(' runs ')[0]);
    assert.deepEqual(lines('app/models/notification.rb'), ['Notification']);
    assert.deepEqual(lines('app/models/email_notification.rb'), []);
    assert.deepEqual(lines('app/models/sms_notification.rb'), ['SmsNotification']);
  });

  test('state-machine hooks count as callbacks of the model (aasm after: inside, after_commit: after COMMIT)', () => {
    const file = 'app/models/shipment.rb';
    const code = `class Shipment < ApplicationRecord
  include AASM
  before_save :a
  after_update :b

  aasm column: :state do
    after_all_transitions :log_transition
    event :ship, after_commit: :notify_customer do
      after :stamp_shipped_at
      transitions from: :packed, to: :shipped, after: :release_slot
    end
  end

  state_machine :billing_state do
    after_transition on: :settle, do: :record_settlement
    before_transition any => :void do |shipment, transition|
      shipment.reason ||= "void"
    end
  end
end
`;
    const config = defaultConfig();
    config.sections.callbacks = { maxChainLength: 3 };
    const findings = run(rule, code, { file, kind: 'model', app: modelApp({ [file]: code }, { config }) });
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /^Shipment runs 7 callbacks inside the transaction when it is updated \(7 own\), more than 3: .* After the transaction \(commit or rollback\), not counted: 1 more \(`after_commit :notify_customer`\)/);
  });
});
