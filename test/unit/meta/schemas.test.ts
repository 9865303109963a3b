// The settings and config schemas list exactly the registry's rule ids (scripts/gen-schemas.mjs writes them).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allRules } from '../../../server/src/rules';
import { configFileSchema, rulesSettingSchema } from '../../../server/src/config/configSchema';

const ROOT = path.resolve(__dirname, '../../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const ids = allRules.map((r) => r.meta.id).sort();

describe('generated schemas match the rule registry', () => {
  test('railsHazards.rules offers every rule id and nothing else (run `npm run build` after adding a rule)', () => {
    const setting = pkg.contributes.configuration.properties['railsHazards.rules'];
    assert.deepEqual(setting, JSON.parse(JSON.stringify(rulesSettingSchema(allRules))));
    assert.deepEqual(setting.propertyNames.enum, ids);
    assert.deepEqual(Object.keys(setting.properties), ids);
    assert.deepEqual(setting.properties['migrations/add-index-non-concurrent'].enum, ['off', 'hint', 'info', 'warning', 'error']);
  });

  test('schemas/rails-hazards.schema.json is current and contributed through yamlValidation', () => {
    const file = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/rails-hazards.schema.json'), 'utf8'));
    assert.deepEqual(file, JSON.parse(JSON.stringify(configFileSchema(allRules))));
    assert.deepEqual(Object.keys(file.properties.rules.properties), ids);
    assert.deepEqual(pkg.contributes.yamlValidation, [{ fileMatch: ['.rails-hazards.yml'], url: './schemas/rails-hazards.schema.json' }]);
  });
});
