import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/change-column-default-partial-writes';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

const rails = (value: string, more = {}) => appFacts({ railsVersion: { value, source: 'Gemfile.lock' }, ...more });

describe('migrations/change-column-default-partial-writes', () => {
  test('reports change_column_default when partial inserts are on (Rails 6.1)', () => {
    const findings = run(rule, migration('change_column_default :patients, :status, from: "new", to: "active"'), { app: rails('6.1.7') });
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/change-column-default-partial-writes', line: 3, column: 5 }]);
    assert.match(findings[0].message, /patients\.status while partial inserts are on \(Rails 6\.1\.7 from Gemfile\.lock\)/);
    assert.match(findings[0].message, /partial_inserts = false/);
  });

  test('explicit partial_inserts = true and load_defaults below 7.0 turn it on', () => {
    const code = migration('change_column_default :patients, :status, "active"');
    assert.match(run(rule, code, { app: rails('7.1.0', { partialInserts: true }) })[0].message, /partial_inserts = true/);
    assert.match(run(rule, code, { app: rails('7.1.0', { loadDefaults: '6.1' }) })[0].message, /config\.load_defaults 6\.1/);
  });

  test('t.change_default in change_table and change_column … default:', () => {
    assert.equal(run(rule, migration('change_table :patients do |t|\n  t.change_default :status, from: nil, to: "new"\nend'), { app: rails('6.1.0') }).length, 1);
    assert.equal(run(rule, migration('change_column :patients, :status, :string, default: "new"'), { app: rails('6.1.0') }).length, 1);
  });

  test('near misses: partial inserts off (Rails 7 defaults, explicit false), unknown, new column/table, safety_assured', () => {
    const code = migration('change_column_default :patients, :status, "active"');
    assert.equal(run(rule, code, { app: rails('7.1.0', { loadDefaults: '7.1' }) }).length, 0);
    assert.equal(run(rule, code, { app: rails('6.1.0', { partialInserts: false }) }).length, 0);
    assert.equal(run(rule, code).length, 0, 'unknown Rails: silent');
    assert.equal(run(rule, migration('add_column :patients, :status, :string\nchange_column_default :patients, :status, "new"'), { app: rails('6.1.0') }).length, 0);
    assert.equal(run(rule, migration('create_table :labs do |t|\n  t.string :status\nend\nchange_column_default :labs, :status, "new"'), { app: rails('6.1.0') }).length, 0);
    assert.equal(run(rule, migration('safety_assured { change_column_default :patients, :status, "active" }'), { app: rails('6.1.0') }).length, 0);
  });
});
