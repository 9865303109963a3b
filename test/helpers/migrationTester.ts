// Extra assertions for migration rule tests: fixed files parse, follow-up migration files.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Finding, Fix } from '../../server/src/core/types';
import { parseRuby } from '../../server/src/parsing/treeSitter';
import { APP_ROOT, appFacts } from './ruleTester';
import type { AppFacts } from '../../server/src/core/appFacts';
import { APP_HELPERS_KEY, buildHelperIndex, summariseHelperFile } from '../../server/src/migrations/appHelpers';

export function assertParses(text: string): void {
  const tree = parseRuby(text);
  try {
    assert.equal(tree.rootNode.hasError, false, `parses without errors:\n${text}`);
  } finally {
    tree.delete();
  }
}

/** The file a fix creates: its path relative to the app root and its whole text. */
export function createdFile(fix: Fix): { rel: string; text: string } | undefined {
  const edit = fix.edits.find((e) => e.createFile);
  return edit ? { rel: path.relative(APP_ROOT, edit.file), text: edit.newText } : undefined;
}

export function lines(...l: string[]): string {
  return l.join('\n') + '\n';
}

export function count(findings: Finding[]): number {
  return findings.length;
}

/**
 * App facts whose migration-helper index is built from the given Ruby files (paths relative to the app
 * root, e.g. `lib/my_app/migration_helpers.rb`), as the project reads lib/ and config/initializers/.
 */
export function helperApp(files: Record<string, string>, overrides: Partial<AppFacts> = {}): AppFacts {
  const summaries = Object.entries(files).map(([rel, text]) => {
    const tree = parseRuby(text);
    try { return summariseHelperFile(tree, path.join(APP_ROOT, rel)); } finally { tree.delete(); }
  });
  const index = buildHelperIndex(summaries);
  const facts = appFacts(overrides);
  const shared = new Map(facts.shared);
  shared.set(APP_HELPERS_KEY, { get: () => index });
  return { ...facts, shared };
}
