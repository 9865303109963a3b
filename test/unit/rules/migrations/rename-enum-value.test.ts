import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/rename-enum-value';
import { appFacts, applyFix, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';

before(initParsers);

const rails = (value: string) => appFacts({ railsVersion: { value, source: 'Gemfile.lock' } });

describe('migrations/rename-enum-value', () => {
  test('reports rename_enum_value and suggests add_enum_value', () => {
    const findings = run(rule, migration('rename_enum_value :appointment_status, from: "canceled", to: "cancelled"'), { app: rails('7.1.3') });
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/rename-enum-value', line: 3, column: 5 }]);
    assert.match(findings[0].message, /keep writing "canceled"/);
    assert.match(findings[0].message, /`add_enum_value :appointment_status, "cancelled", after: "canceled"`/);
  });

  test('fix replaces the call with add_enum_value; the whole file; idempotent; parses', () => {
    const code = migration('rename_enum_value :appointment_status, from: "canceled", to: "cancelled"');
    const [finding] = run(rule, code);
    assert.equal(finding.fixes[0].safety, 'unsafe');
    const fixed = applyFix(code, finding.fixes[0]);
    assert.equal(fixed, [
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    add_enum_value :appointment_status, "cancelled", after: "canceled"',
      '  end',
      'end',
      '',
    ].join('\n'));
    assert.equal(run(rule, fixed).length, 0);
    const tree = parseRuby(fixed);
    assert.equal(tree.rootNode.hasError, false);
    tree.delete();
  });

  test('no fix when from/to are not literals', () => {
    const [finding] = run(rule, migration('rename_enum_value :status, from: OLD, to: NEW'));
    assert.equal(finding.fixes.length, 0);
  });

  test('near misses: Rails 7.0 (API from 7.1), MySQL, down, safety_assured', () => {
    const code = migration('rename_enum_value :status, from: "a", to: "b"');
    assert.equal(run(rule, code, { app: rails('7.0.8') }).length, 0);
    assert.equal(run(rule, code, { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, 'class X < ActiveRecord::Migration[7.2]\n  def down\n    rename_enum_value :status, from: "b", to: "a"\n  end\nend\n').length, 0);
    assert.equal(run(rule, migration('safety_assured { rename_enum_value :status, from: "a", to: "b" }')).length, 0);
  });
});
