import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/core/engine';
import { defineRule, type Rule } from '../../../server/src/core/rule';
import { disableLineEdit } from '../../../server/src/core/suppressions';
import { applyEdits } from '../../../server/src/parsing/rubyEdits';
import addIndex from '../../../server/src/rules/migrations/add-index-non-concurrent';
import { allRules } from '../../../server/src/rules';
import { appFacts, initParsers, migration, run } from '../../helpers/ruleTester';
import { parseRuby } from '../../../server/src/parsing/treeSitter';

before(initParsers);

const crashing: Rule = defineRule({
  meta: { id: 'migrations/crash-test', description: 'throws', defaultSeverity: 'error', fix: 'none', fileKinds: ['migration'] },
  create() { return { call() { throw new Error('boom'); } }; },
});

describe('engine', () => {
  test('a rule that throws is logged with its id and skipped; the others still report', () => {
    const code = migration('add_index :users, :email');
    const tree = parseRuby(code);
    const logs: string[] = [];
    const result = analyze({ file: '/app/db/migrate/20250101000000_x.rb', text: code, kind: 'migration', tree }, appFacts(), [crashing, addIndex], { log: (m) => logs.push(m) });
    tree.delete();
    assert.deepEqual(result.findings.map((f) => f.ruleId), ['migrations/add-index-non-concurrent']);
    assert.equal(logs.length, 1);
    assert.match(logs[0], /rule migrations\/crash-test crashed on .*: Error: boom/);
  });

  test('configured severities and off', () => {
    const app = appFacts();
    app.config.rules['migrations/add-index-non-concurrent'] = 'hint';
    assert.equal(run(addIndex, migration('add_index :users, :email'), { app })[0].severity, 'hint');
    app.config.rules['migrations/add-index-non-concurrent'] = 'off';
    assert.equal(run(addIndex, migration('add_index :users, :email'), { app }).length, 0);
  });

  test('rule ids follow <area>/<kebab-name> and are unique', () => {
    const ids = allRules.map((r) => r.meta.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^(migrations|callbacks|queries|dependencies|capacity|redis|concurrency|jobs)\/[a-z0-9-]+$/);
    assert.throws(() => defineRule({ ...crashing, meta: { ...crashing.meta, id: 'Bad_Id' } }), /invalid rule id/);
  });
});

describe('suppression comments', () => {
  const id = 'migrations/add-index-non-concurrent';
  test('disable-next-line, disable-line, disable/enable and disable-file', () => {
    assert.equal(run(addIndex, migration(`# rails-hazards:disable-next-line ${id} -- table has 10 rows\nadd_index :users, :email`)).length, 0);
    assert.equal(run(addIndex, migration(`add_index :users, :email # rails-hazards:disable-line ${id}`)).length, 0);
    const block = migration(`# rails-hazards:disable ${id}\nadd_index :a, :x\n# rails-hazards:enable ${id}\nadd_index :b, :x`);
    assert.deepEqual(run(addIndex, block).map((f) => f.range.start.line), [5]);
    assert.equal(run(addIndex, `# rails-hazards:disable-file ${id}\n${migration('add_index :a, :x\nadd_index :b, :y')}`).length, 0);
    assert.equal(run(addIndex, migration(`# rails-hazards:disable-next-line queries/association-in-loop\nadd_index :users, :email`)).length, 1, 'another id does not suppress');
  });

  test('a directive naming an unknown id is reported', () => {
    const code = migration('# rails-hazards:disable-next-line migrations/no-such-rule\nadd_index :users, :email');
    const tree = parseRuby(code);
    const result = analyze({ file: '/app/db/migrate/20250101000000_x.rb', text: code, kind: 'migration', tree }, appFacts(), allRules);
    tree.delete();
    assert.equal(result.notices.length, 1);
    assert.match(result.notices[0].message, /Unknown rule id "migrations\/no-such-rule"/);
    assert.equal(result.notices[0].range?.start.line, 2);
  });

  test('"Disable for this line" inserts a directive, or extends the one above', () => {
    const code = migration('add_index :users, :email');
    const first = applyEdits(code, [disableLineEdit(code, 2, id)]);
    assert.match(first, /\n {4}# rails-hazards:disable-next-line migrations\/add-index-non-concurrent\n {4}add_index :users, :email/);
    assert.equal(run(addIndex, first).length, 0);
    const second = applyEdits(first, [disableLineEdit(first, 3, 'migrations/other')]);
    assert.match(second, /# rails-hazards:disable-next-line migrations\/add-index-non-concurrent, migrations\/other\n/);
  });
});
