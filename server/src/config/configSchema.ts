// JSON schemas generated from the rule registry: the editor's `railsHazards.rules` setting and
// `.rails-hazards.yml` (contributed through yamlValidation). scripts/gen-schemas.mjs writes them at build
// time; test/unit/meta/schemas.test.ts checks the committed files match the registry.
import type { Rule } from '../core/rule';

const SEVERITY_SETTINGS = ['off', 'hint', 'info', 'warning', 'error'];

function ruleProperties(rules: readonly Rule[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of [...rules].sort((a, b) => a.meta.id.localeCompare(b.meta.id))) {
    const dflt = r.meta.enabledByDefault === false ? 'off' : r.meta.defaultSeverity;
    out[r.meta.id] = { type: 'string', enum: SEVERITY_SETTINGS, default: dflt, markdownDescription: `${r.meta.description} (default: \`${dflt}\`)` };
  }
  return out;
}

/** The `railsHazards.rules` entry of package.json's contributes.configuration. */
export function rulesSettingSchema(rules: readonly Rule[]): Record<string, unknown> {
  return {
    type: 'object',
    scope: 'resource',
    default: {},
    properties: ruleProperties(rules),
    propertyNames: { enum: [...rules.map((r) => r.meta.id)].sort() },
    additionalProperties: false,
    markdownDescription: 'Severity per rule id, e.g. `{"queries/unbatched-each": "off"}`. Wins over `.rails-hazards.yml`.',
  };
}

/** The schema of `.rails-hazards.yml`. Pack sections stay open: packs validate them and may grow. */
export function configFileSchema(rules: readonly Rule[]): Record<string, unknown> {
  const stringList = { type: 'array', items: { type: 'string' } };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/rails-hazards/rails-hazards/schemas/rails-hazards.schema.json',
    title: '.rails-hazards.yml',
    description: 'Rails Hazards configuration for one app (docs: README, "Configuration").',
    type: 'object',
    additionalProperties: false,
    properties: {
      database: {
        type: 'object', description: 'The database the app runs in production (overrides config/database.yml).',
        properties: {
          adapter: { enum: ['postgresql', 'postgis', 'mysql', 'mysql2', 'trilogy', 'mariadb', 'sqlite', 'sqlite3'] },
          version: { type: ['string', 'number'], pattern: '^\\d+(\\.\\d+){0,2}$', description: 'e.g. "16", "14.2", "8.0.36"' },
        },
        additionalProperties: false,
      },
      rules: {
        type: 'object', description: 'Severity per rule id: off, hint, info, warning or error.',
        properties: ruleProperties(rules),
        propertyNames: { enum: [...rules.map((r) => r.meta.id)].sort() },
      },
      migrations: {
        type: 'object',
        properties: {
          startAfter: { type: ['string', 'number'], pattern: '^\\d{14}$', description: 'Migrations at or before this version are done and not checked.' },
          respectSafetyAssured: { type: 'boolean', default: true, description: 'Honour strong_migrations\' safety_assured { }.' },
        },
      },
      exclude: { ...stringList, description: 'Glob patterns of files not to analyse.' },
      dependencies: {
        type: 'object', description: 'Gemfile.lock rules (docs/dependencies.md).',
        properties: {
          runtimePrimitives: { description: 'Gems treated as runtime primitives: a list added to the defaults, or { only } / { add, remove }.' },
          ignore: { ...stringList, description: 'Gems both dependency rules skip.' },
          baseRef: { type: 'string', description: 'Base revision when the CLI gets no --base.' },
        },
      },
      callbacks: {
        type: 'object', description: 'Callback rules (docs/callbacks.md).',
        properties: {
          maxChainLength: { type: 'integer', minimum: 1, default: 5 },
          externalCalls: stringList, jobEnqueuers: stringList, afterCommitWrappers: stringList,
        },
      },
      queries: { type: 'object', description: 'Query rules (docs/queries.md).' },
    },
  };
}
