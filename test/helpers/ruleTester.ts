// Runs rules over Ruby snippets the way the engine does, and applies their fixes, for rule tests.
import * as path from 'node:path';
import { analyze } from '../../server/src/core/engine';
import { emptyAppFacts, type AppFacts } from '../../server/src/core/appFacts';
import type { FileKind, Rule } from '../../server/src/core/rule';
import type { Finding, Fix } from '../../server/src/core/types';
import { defaultConfig } from '../../server/src/config/config';
import { initParsers, parseRuby } from '../../server/src/parsing/treeSitter';
import { rubyOf, templateLanguage } from '../../server/src/parsing/templates';
import { dropUnsureProjection } from '../../server/src/parsing/projectionErrors';
import { applyEdits } from '../../server/src/parsing/rubyEdits';
import { hasRubyTree } from '../../server/src/core/fileKind';

export const APP_ROOT = path.resolve('/tmp/rails-hazards-test-app');

export { initParsers };

export function appFacts(overrides: Partial<AppFacts> = {}): AppFacts {
  const facts = emptyAppFacts(APP_ROOT, defaultConfig());
  facts.adapter = { value: 'postgresql', source: 'test' };
  return { ...facts, ...overrides };
}

export interface RunOptions {
  /** Path relative to the app root; decides the file kind. */
  file?: string;
  kind?: FileKind;
  app?: AppFacts;
  rules?: Rule[];
}

export function run(rule: Rule, code: string, options: RunOptions = {}): Finding[] {
  const rel = options.file ?? 'db/migrate/20250101000000_test_migration.rb';
  const file = path.join(APP_ROOT, rel);
  const kind = options.kind ?? (templateLanguage(rel) ? 'view' : rel === 'Gemfile.lock' ? 'lockfile' : rel === 'config/database.yml' ? 'database-yml' : 'migration');
  const tree = hasRubyTree(kind) ? parseRuby(kind === 'view' ? rubyOf(rel, code) : code) : undefined;
  try {
    let findings = analyze({ file, text: code, kind, tree }, options.app ?? appFacts(), options.rules ?? [rule]).findings
      .filter((f) => f.ruleId === rule.meta.id);
    // As the workspace does: a HAML view's findings where its projection does not parse are dropped.
    if (tree && templateLanguage(rel) === 'haml') findings = dropUnsureProjection(findings, tree);
    if (kind === 'migration' && tree && !tree.rootNode.hasError) assertFixesParse(code, file, findings);
    return findings;
  } finally {
    tree?.delete();
  }
}

/**
 * Every quick fix of a migration rule, applied, still parses, and so does every file it creates
 * (issue 11 item 7): checked on every rule test case that runs through `run`.
 */
export function assertFixesParse(code: string, file: string, findings: Finding[]): void {
  for (const finding of findings) {
    for (const fix of finding.fixes) {
      const texts = [applyEdits(code, fix.edits.filter((e) => e.file === file && !e.createFile)), ...fix.edits.filter((e) => e.createFile).map((e) => e.newText)];
      for (const text of texts) {
        const fixed = parseRuby(text);
        try {
          if (fixed.rootNode.hasError) throw new Error(`${finding.ruleId}: the fix "${fix.title}" does not parse:\n${text}`);
        } finally {
          fixed.delete();
        }
      }
    }
  }
}

/** The file text after applying one fix's edits to the analysed file (edits to other files are ignored). */
export function applyFix(code: string, fix: Fix, rel = 'db/migrate/20250101000000_test_migration.rb'): string {
  const file = path.join(APP_ROOT, rel);
  return applyEdits(code, fix.edits.filter((e) => e.file === file));
}

/** 1-based line and column of a finding, as users read them. */
export function at(f: Finding): { rule: string; line: number; column: number } {
  return { rule: f.ruleId, line: f.range.start.line + 1, column: f.range.start.character + 1 };
}

/** Wraps statements into a migration class (the common shape of rule tests). */
export function migration(body: string, header = 'class TestMigration < ActiveRecord::Migration[7.2]'): string {
  const indented = body.trim().split('\n').map((l) => (l ? `    ${l}` : l)).join('\n');
  return `${header}\n  def change\n${indented}\n  end\nend\n`;
}
