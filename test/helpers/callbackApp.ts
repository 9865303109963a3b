// Builds AppFacts with a model index from Ruby snippets (relative path → code), for callback rule tests.
import * as path from 'node:path';
import type { AppFacts } from '../../server/src/core/appFacts';
import { extractModels, ModelIndex } from '../../server/src/models/modelIndex';
import { parseRuby } from '../../server/src/parsing/treeSitter';
import '../../server/src/callbacks/facts';
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

/** App facts whose model index holds `files`; Rails 7.1 unless overridden. */
export function modelApp(files: Record<string, string>, overrides: Partial<AppFacts> = {}): AppFacts {
  return appFacts({
    models: modelIndex(files), railsVersion: { value: '7.1.3', source: 'test' }, loadDefaults: '7.1',
    gems: new Map([['rails', '7.1.3'], ['sidekiq', '7.2.0']]), ...overrides,
  });
}
