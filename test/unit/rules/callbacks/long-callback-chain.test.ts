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
      'Order runs 11 callbacks when it is created (3 own, 2 from concerns, 2 from associations, 4 in other models through cascades, 1 external call), more than 5: '
      + 'every save pays for all of them inside one transaction, and the order is hard to see in code. '
      + 'Hover Order to see the chain; move side effects to after_commit callbacks or jobs, and explicit steps into a service object.');
    assert.match(findings[1].message, /^SubscriptionOrder runs 12 callbacks when it is created \(1 own, 2 from concerns, 3 inherited, 2 from associations, 4 in other models through cascades, 1 external call\)/);
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
    assert.match(findings[0].message, /^Post runs 4 callbacks when it is created \(4 own\), more than 3:/);
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
});
