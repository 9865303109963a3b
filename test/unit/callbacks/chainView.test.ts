// The callback pack's model facts, chain order, hover texts (compared in full) and the
// showCallbackChain command, on test/fixtures/callbacks-app (concerns, STI, touch chains, nested
// attributes, conditional callbacks).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildChain, eventEntries, orderedEntries } from '../../../server/src/callbacks/chain';
import { callbackData, type CallbackDecl } from '../../../server/src/callbacks/facts';
import { validateCallbacksSection } from '../../../server/src/callbacks/settings';
import { parseConfig } from '../../../server/src/config/config';
import type { HoverInput } from '../../../server/src/core/hover';
import { callbackChainHover } from '../../../server/src/hovers/callbacks';
import { showCallbackChain } from '../../../server/src/lsp/callbackChainCommand';
import { OpenDocuments } from '../../../server/src/lsp/documents';
import { parseRuby } from '../../../server/src/parsing/treeSitter';
import { Workspace } from '../../../server/src/project/workspace';
import { allRules } from '../../../server/src/rules';
import { initParsers } from '../../helpers/ruleTester';
import { FIXTURE_APP, modelApp, modelIndex } from '../../helpers/callbackApp';
import { makeApp } from '../../helpers/fixtures';

before(initParsers);

function hoverAt(rel: string, line: number, column: number): string | undefined {
  const ws = new Workspace({ rules: allRules });
  const file = path.join(FIXTURE_APP, rel);
  const text = fs.readFileSync(file, 'utf8');
  const tree = parseRuby(text);
  const derived = new Map<string, unknown>();
  const input: HoverInput = {
    file, text, kind: ws.kindOf(file)!, tree, app: ws.appFor(file).getFacts(), position: { line: line - 1, character: column - 1 },
    derive: <T>(key: string, compute: () => T): T => { if (!derived.has(key)) derived.set(key, compute()); return derived.get(key) as T; },
  };
  try {
    return callbackChainHover.hover(input)?.markdown.split(pathToFileURL(FIXTURE_APP).toString()).join('file://APP');
  } finally {
    tree.delete();
  }
}

describe('callback facts in the model index', () => {
  test('macros in declaration order with kind, on:, conditions, prepend, with_options, blocks, lambdas and objects', () => {
    const idx = modelIndex({
      'app/models/post.rb': `class Post < ApplicationRecord
  before_save :a, :b, if: :published?
  after_commit :c, on: [:create, :update]
  after_destroy_commit :d
  before_destroy :e, prepend: true
  after_save { Rails.cache.delete(cache_key) }
  before_validation ->(post) { post.title = post.title.strip }, unless: -> { imported? }
  after_create AuditCallbacks.new
  with_options if: :tracked? do |o|
    o.after_update :f
  end
  with_options on: :create do |opts|
    opts.after_validation :g
  end
end
`,
    });
    const data = callbackData(idx.model('Post')!)!;
    const decls = data.sequence.filter((s): s is { type: 'callback'; decl: CallbackDecl } => s.type === 'callback').map((s) => s.decl);
    assert.deepEqual(decls.map((d) => [d.macro, d.timing, d.event, d.on?.join('/') ?? '', d.target.type, d.conditions.join(' '), d.prepend, d.arity]), [
      ['before_save', 'before', 'save', '', 'method', 'if: :published?', false, 2],
      ['before_save', 'before', 'save', '', 'method', 'if: :published?', false, 2],
      ['after_commit', 'after', 'commit', 'create/update', 'method', '', false, 1],
      ['after_destroy_commit', 'after', 'commit', 'destroy', 'method', '', false, 1],
      ['before_destroy', 'before', 'destroy', '', 'method', '', true, 1],
      ['after_save', 'after', 'save', '', 'inline', '', false, 1],
      ['before_validation', 'before', 'validation', '', 'inline', 'unless: -> { imported? }', false, 1],
      ['after_create', 'after', 'create', '', 'object', '', false, 1],
      ['after_update', 'after', 'update', '', 'method', 'if: :tracked?', false, 1],
      ['after_validation', 'after', 'validation', '', 'method', '', false, 1],
    ]);
    assert.deepEqual(decls.map((d) => d.location.line), [1, 1, 2, 3, 4, 5, 6, 7, 9, 12]);
  });

  test('execution order: validation, save, create, after_create before after_save, prepend first, commit order by load_defaults', () => {
    const code = `class Post < ApplicationRecord
  after_save :s1
  after_create :c1
  before_save :b1
  around_save :r1
  before_create :bc1
  before_validation :v1, on: :update
  after_validation :v2
  before_save :b0, prepend: true
  after_commit :k1
  after_create_commit :k2
  after_rollback :rb
end
`;
    const idx = modelIndex({ 'app/models/post.rb': code });
    const entries = orderedEntries(idx, idx.model('Post')!);
    const names = (inOrder: boolean) => eventEntries(entries, 'create', inOrder).map(({ entry, phase }) => `${entry.decl!.target.type === 'method' ? (entry.decl!.target as { name: string }).name : '?'}${phase === 'transaction' ? '' : `@${phase}`}`);
    assert.deepEqual(names(true), ['v2', 'b0', 'b1', 'r1', 'bc1', 'c1', 's1', 'k1@commit', 'k2@commit', 'rb@rollback']);
    assert.deepEqual(names(false), ['v2', 'b0', 'b1', 'r1', 'bc1', 'c1', 's1', 'k2@commit', 'k1@commit', 'rb@rollback']);
    const app = modelApp({ 'app/models/post.rb': code }, { loadDefaults: '7.0', railsVersion: { value: '7.0.8', source: 'test' } });
    assert.deepEqual(buildChain(app.models!, app, app.models!.model('Post')!, 'update').steps.map((s) => (s.entry.decl!.target as { name: string }).name),
      ['v1', 'v2', 'b0', 'b1', 'r1', 's1', 'k2', 'k1', 'rb'].filter((n) => n !== 'k2'));
  });

  test('STI subclasses inherit the parent chain, concerns are inserted where they are included', () => {
    const ws = new Workspace({ rules: allRules });
    const app = ws.appFor(path.join(FIXTURE_APP, 'Gemfile')).getFacts();
    const idx = app.models!;
    const chain = buildChain(idx, app, idx.model('SubscriptionOrder')!, 'create');
    assert.deepEqual(chain.steps.map((s) => `${s.entry.macro}${s.entry.decl?.target.type === 'method' ? ` :${(s.entry.decl.target as { name: string }).name}` : ''} [${s.entry.owner.name}]`), [
      'before_validation :normalize_reference [Order]', 'before_save :assign_number [Order]', 'after_create [Order]', 'after_create [Order]',
      'after_create :charge_card [Order]', 'after_create :schedule_renewal [SubscriptionOrder]', 'after_save :write_audit_log [Auditable]',
      'after_commit :reindex [Searchable]',
    ]);
  });

  test('callbacks section validation', () => {
    assert.deepEqual(validateCallbacksSection({ maxChainLength: 8, externalCalls: ['PaymentGateway', 'Slack.ping'] }), []);
    assert.deepEqual(validateCallbacksSection({ maxChainLength: 0, externalCalls: 'Stripe', colour: 'red' }), [
      'callbacks.maxChainLength must be a positive integer',
      'callbacks.externalCalls must be a list of names like "PaymentGateway" or "SlackNotifier.ping"',
      'Unknown setting "callbacks.colour"',
    ]);
    const { notices } = parseConfig('callbacks:\n  maxChainLength: many\n', '/app/.rails-hazards.yml');
    assert.deepEqual(notices.map((n) => [n.range?.start.line, n.message]), [[0, 'callbacks.maxChainLength must be a positive integer (.rails-hazards.yml: using the default instead)']]);
  });
});

const ORDER_CREATE = `**create (\`create\`, \`save\` on a new record)**: 10 callbacks in the transaction, 1 after commit, 1 external call

1. \`before_validation :normalize_reference\` · [app/models/order.rb:9](file://APP/app/models/order.rb#L9)
2. \`before_save :assign_number\` · if: :new_record? · [app/models/order.rb:10](file://APP/app/models/order.rb#L10)
3. \`after_create\` from \`belongs_to :account, touch: true\` · [app/models/order.rb:5](file://APP/app/models/order.rb#L5)
   - ↳ touch account (Account), just before COMMIT: Account touch runs 1 callback
      1. \`after_touch :refresh_totals\` · [app/models/account.rb:4](file://APP/app/models/account.rb#L4) · cache \`Rails.cache.delete\`
4. \`after_create\` from \`accepts_nested_attributes_for :line_items\` · [app/models/order.rb:6](file://APP/app/models/order.rb#L6)
   - ↳ save line_items (LineItem): LineItem create runs 2 callbacks
      1. \`after_create\` from \`belongs_to :order, touch: true\` · [app/models/line_item.rb:2](file://APP/app/models/line_item.rb#L2)
         - ↳ touch order (Order), just before COMMIT: Order touch runs 1 callback
            1. \`after_touch\` from \`belongs_to :account, touch: true\` · [app/models/order.rb:5](file://APP/app/models/order.rb#L5)
               - ↳ touch account (Account), just before COMMIT: Account touch chain shown above
      2. \`after_create\` from \`belongs_to :product, counter_cache: true\` · [app/models/line_item.rb:3](file://APP/app/models/line_item.rb#L3) · SQL counter update, no callbacks
      3. \`after_create :reserve_stock\` · [app/models/line_item.rb:5](file://APP/app/models/line_item.rb#L5) · writes \`product.decrement!\`
5. \`after_create :charge_card\` · [app/models/order.rb:11](file://APP/app/models/order.rb#L11) · HTTP \`Stripe::Charge.create\`
6. \`after_save :write_audit_log\` (concern Auditable) · [app/models/concerns/auditable.rb:5](file://APP/app/models/concerns/auditable.rb#L5) · writes \`AuditLog.create!\`
   - ↳ create! AuditLog: AuditLog create runs 0 callbacks
- *COMMIT*
7. \`after_commit :reindex\` (concern Searchable) · on: create, update · [app/models/concerns/searchable.rb:5](file://APP/app/models/concerns/searchable.rb#L5) · job \`SearchIndexJob.perform_later\``;

const NOTES = 'Everything above *COMMIT* runs inside the transaction. after_commit callbacks run in the order defined (load_defaults ≥ 7.1). '
  + 'Jobs: Rails 7.1.3 with load_defaults 7.1 enqueues at once, inside the transaction.';

describe('callback chain hover', () => {
  test('on a model\'s class name: every event, cascades through touch, nested attributes and dependent: :destroy', () => {
    assert.equal(hoverAt('app/models/order.rb', 1, 8), `### Order callback chains

${ORDER_CREATE}

**update (\`update\`, \`save\` on a persisted record)**: 9 callbacks in the transaction, 1 after commit

1. \`before_validation :normalize_reference\` · [app/models/order.rb:9](file://APP/app/models/order.rb#L9)
2. \`before_save :assign_number\` · if: :new_record? · [app/models/order.rb:10](file://APP/app/models/order.rb#L10)
3. \`after_update\` from \`belongs_to :account, touch: true\` · [app/models/order.rb:5](file://APP/app/models/order.rb#L5)
   - ↳ touch account (Account), just before COMMIT: Account touch runs 1 callback
      1. \`after_touch :refresh_totals\` · [app/models/account.rb:4](file://APP/app/models/account.rb#L4) · cache \`Rails.cache.delete\`
4. \`after_update\` from \`accepts_nested_attributes_for :line_items\` · [app/models/order.rb:6](file://APP/app/models/order.rb#L6)
   - ↳ save line_items (LineItem) × each row: LineItem update runs 1 callback
      1. \`after_update\` from \`belongs_to :order, touch: true\` · [app/models/line_item.rb:2](file://APP/app/models/line_item.rb#L2)
         - ↳ touch order (Order), just before COMMIT: Order touch runs 1 callback
            1. \`after_touch\` from \`belongs_to :account, touch: true\` · [app/models/order.rb:5](file://APP/app/models/order.rb#L5)
               - ↳ touch account (Account), just before COMMIT: Account touch chain shown above
5. \`after_update :notify_warehouse\` · if: :saved_change_to_status? · [app/models/order.rb:12](file://APP/app/models/order.rb#L12) · job \`WarehouseSyncWorker.perform_async\` · writes \`account.update!\`
   - ↳ update! Account: Account update runs 0 callbacks
6. \`after_save :write_audit_log\` (concern Auditable) · [app/models/concerns/auditable.rb:5](file://APP/app/models/concerns/auditable.rb#L5) · writes \`AuditLog.create!\`
   - ↳ create! AuditLog: AuditLog create runs 0 callbacks
- *COMMIT*
7. \`after_commit :reindex\` (concern Searchable) · on: create, update · [app/models/concerns/searchable.rb:5](file://APP/app/models/concerns/searchable.rb#L5) · job \`SearchIndexJob.perform_later\`

**destroy (\`destroy\`)**: 5 callbacks in the transaction, 1 after commit

1. \`before_destroy\` from \`has_many :line_items, dependent: :destroy\` · [app/models/order.rb:6](file://APP/app/models/order.rb#L6)
   - ↳ destroy each of line_items (LineItem) × each row: LineItem destroy runs 1 callback
      1. \`after_destroy\` from \`belongs_to :order, touch: true\` · [app/models/line_item.rb:2](file://APP/app/models/line_item.rb#L2)
         - ↳ touch order (Order), just before COMMIT: Order touch runs 1 callback
            1. \`after_touch\` from \`belongs_to :account, touch: true\` · [app/models/order.rb:5](file://APP/app/models/order.rb#L5)
               - ↳ touch account (Account), just before COMMIT: Account touch runs 1 callback
                  1. \`after_touch :refresh_totals\` · [app/models/account.rb:4](file://APP/app/models/account.rb#L4) · cache \`Rails.cache.delete\`
      2. \`after_destroy\` from \`belongs_to :product, counter_cache: true\` · [app/models/line_item.rb:3](file://APP/app/models/line_item.rb#L3) · SQL counter update, no callbacks
2. \`after_destroy\` from \`belongs_to :account, touch: true\` · [app/models/order.rb:5](file://APP/app/models/order.rb#L5)
   - ↳ touch account (Account), just before COMMIT: Account touch chain shown above
- *COMMIT*
3. \`after_destroy_commit :send_cancellation\` · [app/models/order.rb:13](file://APP/app/models/order.rb#L13) · mail later \`OrderMailer.cancelled(…).deliver_later\`

**touch (\`touch\`, or a child's \`touch: true\`)**: 2 callbacks in the transaction

1. \`after_touch\` from \`belongs_to :account, touch: true\` · [app/models/order.rb:5](file://APP/app/models/order.rb#L5)
   - ↳ touch account (Account), just before COMMIT: Account touch runs 1 callback
      1. \`after_touch :refresh_totals\` · [app/models/account.rb:4](file://APP/app/models/account.rb#L4) · cache \`Rails.cache.delete\`

${NOTES}`);
  });

  test('on save call sites: Model.new in a controller, an ivar set in a before_action, a block variable', () => {
    assert.equal(hoverAt('app/controllers/orders_controller.rb', 6, 15), `### \`save\` on Order runs these callbacks\n\n${ORDER_CREATE}\n\n${NOTES}`);
    assert.match(hoverAt('app/controllers/orders_controller.rb', 14, 13)!, /^### `update!` on Order runs these callbacks\n\n\*\*update \(`update`, `save` on a persisted record\)\*\*: 9 callbacks in the transaction, 1 after commit\n/);
    assert.match(hoverAt('app/controllers/orders_controller.rb', 19, 13)!, /^### `destroy` on Order runs these callbacks\n\n\*\*destroy \(`destroy`\)\*\*: 5 callbacks in the transaction, 1 after commit\n/);
    assert.equal(hoverAt('app/controllers/orders_controller.rb', 25, 14),
      '`update_column` writes with SQL and skips validations and every callback: on Order it bypasses 7 update callbacks: '
      + '`before_validation :normalize_reference`, `before_save :assign_number`, `after_update` from `belongs_to :account, touch: true`, '
      + '`after_update` from `accepts_nested_attributes_for :line_items`, `after_update :notify_warehouse`, `after_save :write_audit_log`, `after_commit :reindex`.');
    assert.equal(hoverAt('app/controllers/orders_controller.rb', 38, 12), undefined, 'params.require is not a model');
  });

  test('on a callback macro: in a class, the chains with the step marked; in a concern, its effects and includers', () => {
    const own = hoverAt('app/models/order.rb', 11, 5)!;
    assert.match(own, /^### `after_create :charge_card` in Order's callback chains\n\n\*\*create/);
    assert.match(own, /\n5\. \*\*▶\*\* `after_create :charge_card` · \[app\/models\/order\.rb:11\]/);
    const concern = hoverAt('app/models/concerns/auditable.rb', 5, 6)!;
    assert.equal(concern.split('\n\nIn Order:')[0], '**`after_save :write_audit_log`** in Auditable ([app/models/concerns/auditable.rb:5](file://APP/app/models/concerns/auditable.rb#L5))\n\n'
      + '- write `AuditLog.create!` ([app/models/concerns/auditable.rb:9](file://APP/app/models/concerns/auditable.rb#L9))\n\nIncluded by Order, SubscriptionOrder.');
  });

  test('the showCallbackChain command returns the chain document of the model under the cursor', () => {
    const ws = new Workspace({ rules: allRules });
    const docs = new OpenDocuments();
    const uri = pathToFileURL(path.join(FIXTURE_APP, 'app/models/order.rb')).toString();
    const result = showCallbackChain([uri, { line: 20, character: 4 }], { workspace: ws, docs, log: () => undefined }) as { markdown?: string };
    assert.ok(result.markdown?.startsWith('# Callback chain of Order\n\n**create (`create`, `save` on a new record)**: 10 callbacks in the transaction, 1 after commit, 1 external call\n'));
    const none = showCallbackChain([uri, { line: 20, character: 4 }].slice(0, 1), { workspace: ws, docs, log: () => undefined }) as { message?: string };
    assert.equal(none.message, 'Show callback chain needs a file URI and a position.');
  });
});

describe('callback facts stay current', () => {
  test('a changed concern changes the chain of the models that include it; queries in loops are shown', () => {
    const root = makeApp({
      'app/models/application_record.rb': 'class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\nend\n',
      'app/models/post.rb': 'class Post < ApplicationRecord\n  include Pinged\n  has_many :comments\nend\n',
      'app/models/comment.rb': 'class Comment < ApplicationRecord\n  belongs_to :post\nend\n',
      'app/models/concerns/pinged.rb': 'module Pinged\n  extend ActiveSupport::Concern\n  included do\n    after_save :ping\n  end\n\n  def ping\n    Faraday.post("https://ping.example.com")\n  end\nend\n',
    });
    const ws = new Workspace({ rules: allRules });
    const post = path.join(root, 'app/models/post.rb');
    const facts = () => ws.appFor(post).getFacts();
    const effectsOf = () => buildChain(facts().models!, facts(), facts().models!.model('Post')!, 'update').steps.flatMap((s) => s.effects.map((e) => `${e.kind} ${e.label}`));
    assert.deepEqual(effectsOf(), ['http Faraday.post']);
    const concern = path.join(root, 'app/models/concerns/pinged.rb');
    fs.writeFileSync(concern, 'module Pinged\n  extend ActiveSupport::Concern\n  included do\n    after_save :ping\n  end\n\n  def ping\n    comments.each { |c| Comment.where(post_id: c.post_id).count }\n  end\nend\n');
    ws.fileChanged(concern);
    assert.deepEqual(effectsOf(), ['query-in-loop Comment.where(…).count']);
  });

  test('an autosave has_many saves the rows built with a new parent once: no "× each row" on create, still on update', () => {
    const files = {
      'app/models/basket.rb': 'class Basket < ApplicationRecord\n  has_many :items, autosave: true\nend\n',
      'app/models/item.rb': 'class Item < ApplicationRecord\n  before_save :price\nend\n',
    };
    const app = modelApp(files);
    const basket = app.models!.model('Basket')!;
    const create = buildChain(app.models!, app, basket, 'create');
    const update = buildChain(app.models!, app, basket, 'update');
    assert.deepEqual(create.steps.flatMap((s) => s.cascades.map((c) => [c.label, c.perRow])), [['save items (Item)', false]]);
    assert.deepEqual(update.steps.flatMap((s) => s.cascades.map((c) => [c.label, c.perRow])), [['save items (Item)', true]]);
    assert.equal(create.total, 2);
  });
});

