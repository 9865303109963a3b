// Builds AppFacts with a model index from Ruby snippets (relative path → code), for callback rule tests.
import * as path from 'node:path';
import type { AppFacts } from '../../server/src/core/appFacts';
import { extractModels, ModelIndex } from '../../server/src/models/modelIndex';
import { parseRuby } from '../../server/src/parsing/treeSitter';
import { readSchema } from '../../server/src/project/schema';
import { readStructureSql } from '../../server/src/project/structureSql';
import '../../server/src/callbacks/facts';
import { APP_CLASSES_KEY, AppClassResolver } from '../../server/src/callbacks/appClasses';
import { APP_ROOT, appFacts } from './ruleTester';

export const FIXTURE_APP = path.resolve(__dirname, '../../../test/fixtures/callbacks-app');

export function modelIndex(files: Record<string, string>, root = APP_ROOT): ModelIndex {
  const idx = new ModelIndex();
  for (const [rel, code] of Object.entries(files)) {
    const file = path.join(root, rel);
    const tree = parseRuby(code);
    try { idx.update(file, extractModels(tree, file)); } finally { tree.delete(); }
  }
  return idx;
}

/** The app's plain classes from the same snippets, found under app/* folders and lib/ as Zeitwerk would. */
export function appClasses(files: Record<string, string>, root = APP_ROOT): AppClassResolver {
  const byPath = new Map(Object.entries(files).map(([rel, code]) => [path.join(root, rel), code]));
  const roots = new Set<string>();
  for (const rel of Object.keys(files)) {
    const m = /^(app\/[^/]+|lib)\//.exec(rel);
    if (m) roots.add(path.join(root, m[1]));
  }
  const resolver = new AppClassResolver(() => [...roots].sort(), (file) => byPath.get(file));
  resolver.hasDirectory = (dir) => [...byPath.keys()].some((f) => f.startsWith(dir + path.sep));
  return resolver;
}

/** App facts whose model index holds `files` (and whose app classes are the same files); Rails 7.1 unless overridden. */
export function modelApp(files: Record<string, string>, overrides: Partial<AppFacts> = {}): AppFacts {
  const schemaText = files['db/schema.rb'];
  let schema;
  if (schemaText) {
    const tree = parseRuby(schemaText);
    try { schema = readSchema(tree); } finally { tree.delete(); }
  } else if (files['db/structure.sql']) {
    schema = readStructureSql(files['db/structure.sql']);
  }
  const facts = appFacts({
    models: modelIndex(files), schema, railsVersion: { value: '7.1.3', source: 'test' }, loadDefaults: '7.1',
    gems: new Map([['rails', '7.1.3'], ['sidekiq', '7.2.0']]), ...overrides,
  });
  facts.shared = new Map(facts.shared);
  facts.shared.set(APP_CLASSES_KEY, appClasses(files));
  return facts;
}
