// Every rule lives in four places under one id: rule module, test, docs page, registry entry.
// The docs' Bad and Good Ruby/ERB examples are run through the rule.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allRules } from '../../../server/src/rules';
import { RULE_AREAS, type FileKind } from '../../../server/src/core/rule';
import type { AdapterName } from '../../../server/src/core/appFacts';
import { appFacts, initParsers, run } from '../../helpers/ruleTester';
import { modelIndex } from '../../helpers/callbackApp';
import { parseRuby } from '../../../server/src/parsing/treeSitter';
import { readSchema } from '../../../server/src/project/schema';
import { isProcessThreadsFile, readProcessThreads } from '../../../server/src/project/processThreads';

const ROOT = path.resolve(__dirname, '../../../..');
const REQUIRED_HEADINGS = ['## Why this is risky', '## Bad', '## Good', '## Suppressing'];
const DEFAULT_PATH: Partial<Record<FileKind, string>> = {
  migration: 'db/migrate/20250101000000_example.rb', model: 'app/models/example.rb', controller: 'app/controllers/examples_controller.rb',
  view: 'app/views/examples/index.html.erb', job: 'app/jobs/example_job.rb', ruby: 'lib/tasks/example.rake',
};

before(initParsers);

/** Code blocks under a heading: ```ruby path=app/models/post.rb (the path is optional). */
function examples(markdown: string, heading: string): { lang: string; path?: string; code: string; adapter?: AdapterName; version?: string }[] {
  const start = markdown.indexOf(`\n${heading}`);
  if (start < 0) return [];
  const next = markdown.indexOf('\n## ', start + heading.length + 1);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  // YAML blocks take part only with a path (```yaml path=config/database.yml): config examples elsewhere are prose.
  return [...section.matchAll(/```(ruby|erb|yaml)([^\n]*)\n([\s\S]*?)```/g)].filter((m) => m[1] !== 'yaml' || /path=/.test(m[2])).map((m) => ({
    lang: m[1], path: /path=(\S+)/.exec(m[2])?.[1], code: m[3],
    // ```ruby adapter=mysql version=8.0.36: the example's database (default: PostgreSQL, newest).
    adapter: /adapter=(\S+)/.exec(m[2])?.[1] as AdapterName | undefined, version: /version=(\S+)/.exec(m[2])?.[1],
  })).filter((b) => !/no-run/.test(b.path ?? '') );
}

function baseExampleApp(b: { adapter?: AdapterName; version?: string }) {
  return appFacts({
    ...(b.adapter ? { adapter: { value: b.adapter, source: 'docs example' } } : {}),
    ...(b.version ? { databaseVersion: { value: b.version, source: 'docs example' } } : {}),
  });
}

describe('rule parity', () => {
  for (const rule of allRules) {
    const id = rule.meta.id;
    test(`${id} has its module, test, docs page and registry entry`, () => {
      assert.ok(fs.existsSync(path.join(ROOT, 'server/src/rules', `${id}.ts`)), 'rule module');
      assert.ok(fs.existsSync(path.join(ROOT, 'test/unit/rules', `${id}.test.ts`)), 'rule test');
      const doc = path.join(ROOT, 'docs/rules', `${id}.md`);
      assert.ok(fs.existsSync(doc), 'docs page');
      const markdown = fs.readFileSync(doc, 'utf8');
      assert.match(markdown, new RegExp(`^---\\nid: ${id}\\n`), 'front matter starts with the id');
      let last = -1;
      for (const h of REQUIRED_HEADINGS) {
        const i = markdown.indexOf(`\n${h}`);
        assert.ok(i > last, `heading "${h}" present and in order`);
        last = i;
      }
    });

    test(`${id}: docs examples: Bad is reported, Good is not`, () => {
      const markdown = fs.readFileSync(path.join(ROOT, 'docs/rules', `${id}.md`), 'utf8');
      const file = (p?: string) => p ?? DEFAULT_PATH[rule.meta.fileKinds[0]];
      // Opt-in rules (the queries style group) run as if the user enabled them.
      const enabled = rule.meta.enabledByDefault === false && id.startsWith('queries/');
      const exampleApp = (b: Parameters<typeof baseExampleApp>[0]) => {
        const facts = baseExampleApp(b);
        return enabled ? { ...facts, config: { ...facts.config, rules: { [id]: rule.meta.defaultSeverity } } } : facts;
      };
      // A ```ruby path=db/schema.rb block is the schema the section's other examples run against (not run itself);
      // model examples then also see themselves in the model index.
      const withSchema = (blocks: ReturnType<typeof examples>) => {
        const schemaBlock = blocks.find((b) => b.path === 'db/schema.rb');
        if (!schemaBlock) return { blocks, app: exampleApp };
        const tree = parseRuby(schemaBlock.code);
        const schema = readSchema(tree);
        tree.delete();
        const app = (b: Parameters<typeof baseExampleApp>[0] & { code: string; path?: string }) => ({
          ...exampleApp(b), schema, railsVersion: { value: '7.1.3', source: 'docs example' },
          models: modelIndex({ [file(b.path)!]: b.code }),
        });
        return { blocks: blocks.filter((b) => b !== schemaBlock), app };
      };
      // Blocks for the files that run the app's threads (config/puma.rb, config/sidekiq.yml, a Procfile) are what a
      // config/database.yml example is compared with (not run themselves).
      const withThreads = (section: ReturnType<typeof withSchema>) => {
        const threadFiles = section.blocks.filter((b) => b.path && isProcessThreadsFile(b.path));
        if (threadFiles.length === 0) return section;
        const files = new Map(threadFiles.map((b) => [b.path!, b.code]));
        const processThreads = readProcessThreads({ read: (rel) => files.get(rel), rootFiles: () => [...files.keys()].filter((f) => !f.includes('/')) },
          new Map([['puma', '6.4.0'], ['sidekiq', '7.2.0']]));
        return { blocks: section.blocks.filter((b) => !threadFiles.includes(b)), app: (b: ReturnType<typeof examples>[number]) => ({ ...section.app(b), processThreads }) };
      };
      const badSection = withThreads(withSchema(examples(markdown, '## Bad')));
      const goodSection = withThreads(withSchema(examples(markdown, '## Good')));
      const bad = badSection.blocks.filter((b) => file(b.path)).map((b) => ({ ...b, app: () => badSection.app(b) }));
      const good = goodSection.blocks.filter((b) => file(b.path)).map((b) => ({ ...b, app: () => goodSection.app(b) }));
      for (const b of bad) assert.ok(run(rule, b.code, { file: file(b.path), kind: rule.meta.fileKinds[0], app: b.app() }).length > 0, `Bad example is reported:\n${b.code}`);
      for (const g of good) assert.deepEqual(run(rule, g.code, { file: file(g.path), kind: rule.meta.fileKinds[0], app: g.app() }).map((f) => f.message), [], `Good example is clean:\n${g.code}`);
    });
  }

  test('the rules index (docs/rules/README.md) lists every rule under its area', () => {
    const index = fs.readFileSync(path.join(ROOT, 'docs/rules/README.md'), 'utf8');
    for (const rule of allRules) {
      const area = rule.meta.id.split('/')[0];
      const section = index.slice(index.indexOf(`\n## ${area}\n`));
      assert.ok(index.includes(`\n## ${area}\n`) && section.includes(`[${rule.meta.id}](${rule.meta.id}.md)`), `${rule.meta.id} in the rules index`);
    }
  });

  test('registry ids are sorted within each pack', () => {
    const ids = allRules.map((r) => r.meta.id);
    for (const area of RULE_AREAS) {
      const inArea = ids.filter((id) => id.startsWith(`${area}/`));
      assert.deepEqual(inArea, [...inArea].sort());
    }
  });
});
