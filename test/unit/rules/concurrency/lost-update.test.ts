import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/concurrency/lost-update';
import { applyFix, at, initParsers, run } from '../../../helpers/ruleTester';
import { modelApp } from '../../../helpers/callbackApp';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';
import type { FileKind } from '../../../../server/src/core/rule';

before(initParsers);

const SCHEMA = `ActiveRecord::Schema[7.1].define(version: 2024_05_01_120000) do
  create_table "wallets", force: :cascade do |t|
    t.integer "balance_cents", default: 0, null: false
    t.integer "subtotal_cents"
    t.integer "total_cents"
    t.string "label"
    t.integer "views_count", default: 0
  end

  create_table "tickets", force: :cascade do |t|
    t.integer "seats_left", null: false
    t.integer "lock_version", default: 0, null: false
  end
end
`;

const WALLET = 'class Wallet < ApplicationRecord\nend\n';
const TICKET = 'class Ticket < ApplicationRecord\nend\n';

function check(file: string, code: string, kind: FileKind = 'controller') {
  return run(rule, code, {
    file, kind,
    app: modelApp({ [file]: code, 'app/models/wallet.rb': WALLET, 'app/models/ticket.rb': TICKET, 'db/schema.rb': SCHEMA }),
  });
}

function parses(text: string): boolean {
  const tree = parseRuby(text);
  try { return !tree.rootNode.hasError; } finally { tree.delete(); }
}

const CONTROLLER = 'app/controllers/payouts_controller.rb';

describe('concurrency/lost-update', () => {
  test('a loaded record changed with -= and saved: warning on the change, fix wraps the read and the save in with_lock', () => {
    const code = `class PayoutsController < ApplicationController
  def create
    wallet = Wallet.find(params[:wallet_id])
    amount = params[:amount].to_i
    wallet.balance_cents -= amount
    wallet.save!
    redirect_to wallet
  end
end
`;
    const findings = check(CONTROLLER, code);
    assert.deepEqual(findings.map(at), [{ rule: 'concurrency/lost-update', line: 5, column: 5 }]);
    assert.equal(findings[0].severity, 'warning');
    assert.equal(findings[0].headline, '`wallet.balance_cents` is read, changed in Ruby and saved without a lock: concurrent updates are lost');
    assert.match(findings[0].detail!, /Wrap the read and the save in `wallet\.with_lock do … end`/);
    assert.match(findings[0].detail!, /db\/schema\.rb has `wallets\.balance_cents` \(integer\) and no `lock_version` column/);
    assert.equal(findings[0].fixes[0].title, 'Wrap in `wallet.with_lock` (row lock; reloads wallet first)');
    const fixed = applyFix(code, findings[0].fixes[0], CONTROLLER);
    assert.equal(fixed, `class PayoutsController < ApplicationController
  def create
    wallet = Wallet.find(params[:wallet_id])
    amount = params[:amount].to_i
    wallet.with_lock do
      wallet.balance_cents -= amount
      wallet.save!
    end
    redirect_to wallet
  end
end
`);
    assert.ok(parses(fixed));
    assert.deepEqual(check(CONTROLLER, fixed), []);
  });

  test('update!(x: w.x + n) in a job and update(x: x - n) inside a model method are reported', () => {
    const job = `class RefundJob < ApplicationJob
  def perform(id, cents)
    wallet = Wallet.find_by(id: id)
    wallet.update!(balance_cents: wallet.balance_cents + cents)
  end
end
`;
    const findings = check('app/jobs/refund_job.rb', job, 'job');
    assert.deepEqual(findings.map(at), [{ rule: 'concurrency/lost-update', line: 4, column: 5 }]);
    const fixed = applyFix(job, findings[0].fixes[0], 'app/jobs/refund_job.rb');
    assert.equal(fixed, job.replace('    wallet.update!(balance_cents: wallet.balance_cents + cents)\n',
      '    wallet.with_lock do\n      wallet.update!(balance_cents: wallet.balance_cents + cents)\n    end\n'));
    const model = `class Wallet < ApplicationRecord
  def debit(cents)
    update(balance_cents: balance_cents - cents)
  end

  def credit!(cents)
    self.balance_cents += cents
    save!
  end
end
`;
    const own = run(rule, model, { file: 'app/models/wallet.rb', kind: 'model', app: modelApp({ 'app/models/wallet.rb': model, 'db/schema.rb': SCHEMA }) });
    assert.deepEqual(own.map(at), [{ rule: 'concurrency/lost-update', line: 3, column: 5 }, { rule: 'concurrency/lost-update', line: 7, column: 5 }]);
    assert.equal(own[0].headline, '`balance_cents` is read, changed in Ruby and saved without a lock: concurrent updates are lost');
    // The caller may have changed self before: lock! would reload those changes away, so no fix.
    assert.deepEqual(own.map((f) => f.fixes.length), [0, 0]);
  });

  test('update_attribute and update_column are the same race (update_column skips callbacks, not the race)', () => {
    const code = `class SeatsService
  def self.release(id)
    wallet = Wallet.find(id)
    wallet.update_attribute(:balance_cents, wallet.balance_cents + 1)
    other = Wallet.find(id + 1)
    other.update_column(:balance_cents, other.balance_cents * 2)
  end
end
`;
    assert.deepEqual(check('app/services/seats_service.rb', code, 'ruby').map((f) => at(f).line), [4, 6]);
  });

  test('several attributes changed before one save: one finding', () => {
    const code = `class PayoutsController < ApplicationController
  def split
    wallet = Wallet.find(params[:id])
    wallet.balance_cents -= 10
    wallet.total_cents += 10
    wallet.save
  end
end
`;
    assert.deepEqual(check(CONTROLLER, code).map((f) => at(f).line), [4]);
  });

  test('offline code is a hint; tests are silent', () => {
    const code = 'class Fixer\n  def run\n    w = Wallet.find(1)\n    w.balance_cents += 5\n    w.save!\n  end\nend\n';
    const hint = check('lib/tasks/fix_balances.rake', code, 'ruby');
    assert.deepEqual(hint.map((f) => f.severity), ['hint']);
    assert.deepEqual(check('spec/support/wallet_helper.rb', code, 'ruby'), []);
  });

  test('near misses: with_lock around, lock! before, a locking finder, lock_version in the schema', () => {
    const around = `class PayoutsController < ApplicationController
  def create
    wallet = Wallet.find(params[:id])
    wallet.with_lock do
      wallet.balance_cents -= 5
      wallet.save!
    end
  end
end
`;
    assert.deepEqual(check(CONTROLLER, around), []);
    assert.deepEqual(check(CONTROLLER, around.replace('    wallet.with_lock do\n      wallet.balance_cents -= 5\n      wallet.save!\n    end\n',
      '    wallet.lock!\n    wallet.balance_cents -= 5\n    wallet.save!\n')), []);
    assert.deepEqual(check(CONTROLLER, around.replace('Wallet.find(params[:id])', 'Wallet.lock.find(params[:id])')
      .replace('    wallet.with_lock do\n      wallet.balance_cents -= 5\n      wallet.save!\n    end\n', '    wallet.balance_cents -= 5\n    wallet.save!\n')), []);
    const optimistic = 'class SeatsController < ApplicationController\n  def take\n    t = Ticket.find(params[:id])\n    t.seats_left -= 1\n    t.save!\n  end\nend\n';
    assert.deepEqual(check('app/controllers/seats_controller.rb', optimistic), []);
  });

  test('near misses: increment!, a new or built record, a non-arithmetic change, another attribute, no save', () => {
    const body = (lines: string) => `class PayoutsController < ApplicationController\n  def create\n${lines}  end\nend\n`;
    assert.deepEqual(check(CONTROLLER, body('    wallet = Wallet.find(params[:id])\n    wallet.increment!(:balance_cents, 5)\n')), []);
    assert.deepEqual(check(CONTROLLER, body('    wallet = Wallet.new(label: "x")\n    wallet.balance_cents += 5\n    wallet.save!\n')), []);
    assert.deepEqual(check(CONTROLLER, body('    wallet = current_user.wallets.build\n    wallet.balance_cents += 5\n    wallet.save!\n')), []);
    assert.deepEqual(check(CONTROLLER, body('    wallet = Wallet.find(params[:id])\n    wallet.label = wallet.label.strip\n    wallet.save!\n')), []);
    assert.deepEqual(check(CONTROLLER, body('    wallet = Wallet.find(params[:id])\n    wallet.total_cents = wallet.subtotal_cents + 100\n    wallet.save!\n')), []);
    assert.deepEqual(check(CONTROLLER, body('    wallet = Wallet.find(params[:id])\n    wallet.balance_cents += 5\n    render json: wallet\n')), []);
  });

  test('near misses: a string column, a record passed in as a parameter, an unknown model', () => {
    const body = (lines: string, params = '') => `class PayoutsController < ApplicationController\n  def create${params}\n${lines}  end\nend\n`;
    assert.deepEqual(check(CONTROLLER, body('    wallet = Wallet.find(params[:id])\n    wallet.label += "!"\n    wallet.save!\n')), []);
    assert.deepEqual(check(CONTROLLER, body('    wallet.balance_cents += 5\n    wallet.save!\n', '(wallet)')), []);
    assert.deepEqual(check(CONTROLLER, body('    wallet = Purse.find(params[:id])\n    wallet.balance_cents += 5\n    wallet.save!\n')), []);
  });

  test('no fix when the record changed before the read, or a local assigned inside is used after', () => {
    const changedBefore = `class PayoutsController < ApplicationController
  def create
    wallet = Wallet.find(params[:id])
    wallet.label = "payout"
    wallet.balance_cents -= 5
    wallet.save!
  end
end
`;
    const findings = check(CONTROLLER, changedBefore);
    assert.equal(findings.length, 1);
    assert.deepEqual(findings[0].fixes, []);
    const usedAfter = `class PayoutsController < ApplicationController
  def create
    wallet = Wallet.find(params[:id])
    wallet.balance_cents -= 5
    ok = wallet.save
    render json: { ok: ok }
  end
end
`;
    const after = check(CONTROLLER, usedAfter);
    assert.equal(after.length, 1);
    assert.deepEqual(after[0].fixes, []);
  });
});

describe('lost-update severity: what a lost update costs', () => {
  test('money, quotas and stock are warnings; a display counter or retry count that skips one is a hint that says why', () => {
    const code = 'class WalletsController < ApplicationController\n  def spend\n    w = Wallet.find(params[:id])\n    w.balance_cents -= params[:amount].to_i\n    w.save!\n  end\n\n  def view\n    w = Wallet.find(params[:id])\n    w.views_count += 1\n    w.save!\n  end\nend\n';
    const findings = check('app/controllers/wallets_controller.rb', code);
    assert.deepEqual(findings.map((f) => [at(f).line, f.severity]), [[4, 'warning'], [10, 'hint']]);
    assert.match(findings[1].message, /`views_count` does not name money, a quota or stock/);
  });
});
