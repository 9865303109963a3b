import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/migrations/rename-schema';
import { appFacts, at, initParsers, migration, run } from '../../../helpers/ruleTester';

before(initParsers);

const rails = (value: string) => appFacts({ railsVersion: { value, source: 'Gemfile.lock' } });

describe('migrations/rename-schema', () => {
  test('reports rename_schema on PostgreSQL with Rails 8.1+ (or unknown Rails)', () => {
    const findings = run(rule, migration('rename_schema :billing, :accounting'), { app: rails('8.1.1') });
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/rename-schema', line: 3, column: 5 }]);
    assert.match(findings[0].message, /Renaming schema billing to accounting/);
    assert.equal(run(rule, migration('rename_schema :billing, :accounting')).length, 1);
  });

  test('near misses: Rails before 8.1 (no such API), MySQL, SQLite, safety_assured', () => {
    assert.equal(run(rule, migration('rename_schema :billing, :accounting'), { app: rails('8.0.2') }).length, 0);
    assert.equal(run(rule, migration('rename_schema :billing, :accounting'), { app: appFacts({ adapter: { value: 'mysql', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('rename_schema :billing, :accounting'), { app: appFacts({ adapter: { value: 'sqlite', source: 'test' } }) }).length, 0);
    assert.equal(run(rule, migration('safety_assured { rename_schema :billing, :accounting }')).length, 0);
  });
});
