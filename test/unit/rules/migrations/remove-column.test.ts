import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import rule from '../../../../server/src/rules/migrations/remove-column';
import { appFacts, applyFix, APP_ROOT, at, initParsers, migration, run } from '../../../helpers/ruleTester';
import { extractModels, ModelIndex } from '../../../../server/src/models/modelIndex';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';
import { applyEdits } from '../../../../server/src/parsing/rubyEdits';
import type { AppFacts } from '../../../../server/src/core/appFacts';

before(initParsers);

/** App facts with a model index built from the given model files (paths relative to the app root). */
function withModels(files: Record<string, string>, overrides: Partial<AppFacts> = {}): AppFacts {
  const index = new ModelIndex();
  for (const [rel, code] of Object.entries(files)) {
    const file = path.join(APP_ROOT, rel);
    const tree = parseRuby(code);
    index.update(file, extractModels(tree, file));
    tree.delete();
  }
  return { ...appFacts(overrides), models: index } as AppFacts;
}

const PATIENT = 'class Patient < ApplicationRecord\n  has_many :appointments\nend\n';
const SM = new Map([['strong_migrations', '2.1.0']]);

describe('migrations/remove-column', () => {
  test('reports remove_column with the ignored_columns step and the model file', () => {
    const app = withModels({ 'app/models/patient.rb': PATIENT });
    const findings = run(rule, migration('remove_column :patients, :legacy_code, :string'), { app });
    assert.deepEqual(findings.map(at), [{ rule: 'migrations/remove-column', line: 3, column: 5 }]);
    assert.match(findings[0].message, /Removing patients\.legacy_code breaks the app/);
    assert.match(findings[0].message, /`self\.ignored_columns \+= \["legacy_code"\]` to Patient \(app\/models\/patient\.rb\)/);
    assert.equal(findings[0].severity, 'error');
  });

  test('cross-file fix adds ignored_columns after the class line; whole model file; idempotent', () => {
    const app = withModels({ 'app/models/patient.rb': PATIENT });
    const [finding] = run(rule, migration('remove_column :patients, :legacy_code'), { app });
    const fix = finding.fixes[0];
    assert.equal(fix.safety, 'unsafe');
    assert.deepEqual(fix.edits.map((e) => path.relative(APP_ROOT, e.file)), ['app/models/patient.rb']);
    const fixed = applyEdits(PATIENT, fix.edits);
    assert.equal(fixed, 'class Patient < ApplicationRecord\n  self.ignored_columns += ["legacy_code"]\n\n  has_many :appointments\nend\n');
    const tree = parseRuby(fixed);
    assert.equal(tree.rootNode.hasError, false);
    tree.delete();
    // Once the model ignores it, the finding drops to info and the fix is no longer offered.
    const after = withModels({ 'app/models/patient.rb': fixed }, { gems: SM });
    const [again] = run(rule, migration('remove_column :patients, :legacy_code'), { app: after });
    assert.equal(again.severity, 'info');
    assert.ok(again.fixes.every((f) => f.edits.every((e) => !e.file.endsWith('patient.rb'))));
  });

  test('an existing ignored_columns literal is extended, not duplicated', () => {
    const model = 'class Patient < ApplicationRecord\n  self.ignored_columns += ["fax"]\nend\n';
    const app = withModels({ 'app/models/patient.rb': model });
    const [finding] = run(rule, migration('remove_columns :patients, :pager, :telex'), { app });
    assert.equal(applyEdits(model, finding.fixes[0].edits), 'class Patient < ApplicationRecord\n  self.ignored_columns += ["fax", "pager", "telex"]\nend\n');
  });

  test('the model is found by self.table_name', () => {
    const model = 'module Legacy\n  class Person < ApplicationRecord\n    self.table_name = "patients"\n  end\nend\n';
    const app = withModels({ 'app/models/legacy/person.rb': model });
    const [finding] = run(rule, migration('remove_column :patients, :fax'), { app });
    assert.match(finding.message, /Legacy::Person \(app\/models\/legacy\/person\.rb\)/);
    assert.equal(applyEdits(model, finding.fixes[0].edits),
      'module Legacy\n  class Person < ApplicationRecord\n    self.ignored_columns += ["fax"]\n\n    self.table_name = "patients"\n  end\nend\n');
  });

  test('already ignored + strong_migrations: info, and a safe safety_assured wrap; whole file', () => {
    const app = withModels({ 'app/models/patient.rb': 'class Patient < ApplicationRecord\n  self.ignored_columns = ["fax"]\nend\n' }, { gems: SM });
    const code = migration('remove_column :patients, :fax, :string');
    const [finding] = run(rule, code, { app });
    assert.equal(finding.severity, 'info');
    assert.match(finding.message, /already ignores fax/);
    assert.equal(finding.fixes[0].safety, 'safe');
    const fixed = applyFix(code, finding.fixes[0]);
    assert.equal(fixed, [
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    safety_assured { remove_column :patients, :fax, :string }',
      '  end',
      'end',
      '',
    ].join('\n'));
    assert.equal(run(rule, fixed, { app }).length, 0);
  });

  test('ignore_column helpers (GitLab style) count as ignored', () => {
    const app = withModels({ 'app/models/patient.rb': 'class Patient < ApplicationRecord\n  ignore_column :fax, remove_with: "17.0"\nend\n' });
    assert.equal(run(rule, migration('remove_column :patients, :fax'), { app })[0].severity, 'info');
  });

  test('multi-line calls are wrapped in do/end', () => {
    const app = withModels({ 'app/models/patient.rb': 'class Patient < ApplicationRecord\n  self.ignored_columns += ["fax"]\nend\n' }, { gems: SM });
    const code = migration('remove_column :patients,\n  :fax,\n  :string');
    const fixed = applyFix(code, run(rule, code, { app })[0].fixes[0]);
    assert.equal(fixed, [
      'class TestMigration < ActiveRecord::Migration[7.2]',
      '  def change',
      '    safety_assured do',
      '      remove_column :patients,',
      '        :fax,',
      '        :string',
      '    end',
      '  end',
      'end',
      '',
    ].join('\n'));
  });

  test('every removal form names its columns', () => {
    const cases: [string, RegExp][] = [
      ['remove_columns :patients, :a, :b', /patients\.a, patients\.b/],
      // Found in rubygems.org: a splatted %i[] list.
      ['remove_columns :patients, *%i[a b], type: :boolean', /patients\.a, patients\.b/],
      ['remove_timestamps :patients', /patients\.created_at, patients\.updated_at/],
      ['remove_reference :patients, :clinic, polymorphic: true', /patients\.clinic_id, patients\.clinic_type/],
      ['remove_belongs_to :patients, :doctor, index: true', /patients\.doctor_id /],
      ['change_table :patients do |t|\n  t.remove :a, :b\n  t.remove_references :clinic\nend', /patients\.a, patients\.b/],
    ];
    for (const [body, re] of cases) {
      const findings = run(rule, migration(body));
      assert.ok(findings.length >= 1, body);
      assert.match(findings[0].message, re);
    }
  });

  test('without a model: the advice names the table; without SM no safety_assured', () => {
    const [finding] = run(rule, migration('remove_column :patients, :fax'));
    assert.match(finding.message, /to the model of patients and deploy, then run this migration, then drop the ignore/);
    assert.equal(finding.fixes.length, 0);
  });

  test('near misses: new table, down, safety_assured, revert', () => {
    assert.equal(run(rule, migration('create_table :scratch do |t|\n  t.string :a\nend\nremove_column :scratch, :a')).length, 0);
    assert.equal(run(rule, 'class X < ActiveRecord::Migration[7.2]\n  def down\n    remove_column :patients, :fax\n  end\nend\n').length, 0);
    assert.equal(run(rule, migration('safety_assured { remove_column :patients, :fax }')).length, 0);
    assert.equal(run(rule, migration('revert do\n  remove_column :patients, :fax\nend')).length, 0);
  });

  test('respectSafetyAssured: false audits safety_assured blocks, all adapters', () => {
    const app = appFacts({ adapter: { value: 'sqlite', source: 'test' } });
    app.config.migrations.respectSafetyAssured = false;
    assert.equal(run(rule, migration('safety_assured { remove_column :patients, :fax }'), { app }).length, 1);
  });
});
