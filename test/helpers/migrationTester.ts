// Extra assertions for migration rule tests: fixed files parse, follow-up migration files.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Finding, Fix } from '../../server/src/core/types';
import { parseRuby } from '../../server/src/parsing/treeSitter';
import { APP_ROOT } from './ruleTester';

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
