// Writes the rule-id schemas from the registry (run by build.mjs after tsc): package.json's
// railsHazards.rules setting and schemas/rails-hazards.schema.json for .rails-hazards.yml.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = process.env.RAILS_HAZARDS_OUT ?? 'out';
const { allRules } = require(path.join(root, out, 'server/src/rules/index.js'));
const { rulesSettingSchema, configFileSchema } = require(path.join(root, out, 'server/src/config/configSchema.js'));

const pkgPath = path.join(root, 'package.json');
const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
pkg.contributes.configuration.properties['railsHazards.rules'] = rulesSettingSchema(allRules);
writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + '\n');

mkdirSync(path.join(root, 'schemas'), { recursive: true });
writeFileSync(path.join(root, 'schemas/rails-hazards.schema.json'), JSON.stringify(configFileSchema(allRules), null, 2) + '\n');
console.log(`gen-schemas: ${allRules.length} rule ids`);
