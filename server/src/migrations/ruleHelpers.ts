// Helpers for the second half of the migration pack: the `safety_assured { … }` quick fix of research
// §2.2 (offered only when strong_migrations or online_migrations is in Gemfile.lock, elsewhere the
// method does not exist), Rails version gates and which calls are migration DSL calls.
import type { AppFacts } from '../core/appFacts';
import type { RuleContext } from '../core/rule';
import type { FileEdit } from '../core/types';
import type { Node } from '../parsing/treeSitter';
import { lineIndent, nodeRange } from '../parsing/ruby';
import { compareVersionStrings } from '../lockfile/gemVersion';
import type { MigrationClass, MigrationOp } from './model';

export function hasSafetyAssured(app: AppFacts): boolean {
  return app.gems.has('strong_migrations') || app.gems.has('online_migrations');
}

/**
 * Wraps a statement: one line → `safety_assured { <stmt> }`; several lines → `safety_assured do`,
 * the statement indented two more spaces, `end`. Undefined when the statement shares its lines with
 * other code or carries a heredoc (whose body lies outside the node).
 */
export function wrapInSafetyAssured(ctx: RuleContext, node: Node): FileEdit | undefined {
  const lines = ctx.text.split('\n');
  const first = lines[node.startPosition.row] ?? '';
  const last = (lines[node.endPosition.row] ?? '').replace(/\r$/, '');
  if (first.slice(0, node.startPosition.column).trim() !== '' || last.slice(node.endPosition.column).trim() !== '') return undefined;
  // A heredoc's body follows the statement's line, outside the node: only the one-line brace form keeps it valid.
  const heredoc = node.descendantsOfType('heredoc_beginning').length > 0;
  if (node.startPosition.row === node.endPosition.row) {
    return { file: ctx.file, range: nodeRange(node), newText: `safety_assured { ${node.text} }` };
  }
  if (heredoc) return undefined;
  const indent = lineIndent(ctx.text, node.startPosition.row);
  const body = node.text.split('\n').map((l, i) => (i === 0 ? `${indent}  ${l}` : l ? `  ${l}` : l)).join('\n');
  return { file: ctx.file, range: nodeRange(node), newText: `safety_assured do\n${body}\n${indent}end` };
}

/** Rails from Gemfile.lock is at least `min`; unknown counts as the newest. */
export function railsAtLeast(app: AppFacts, min: string): boolean {
  const v = app.railsVersion?.value;
  return !v || compareVersionStrings(v, min) >= 0;
}

/**
 * The Rails compatibility version of a migration class: `[x.y]` of `ActiveRecord::Migration[x.y]`,
 * "4.2" for a bare `ActiveRecord::Migration`, undefined for project base classes (newest behaviour).
 */
export function compatVersion(klass: MigrationClass): string | undefined {
  if (/^(::)?ActiveRecord::Migration\[/.test(klass.superclass)) return klass.compatVersion;
  if (/^(::)?ActiveRecord::Migration$/.test(klass.superclass)) return '4.2';
  return undefined;
}

export function compatBelow(klass: MigrationClass, version: string): boolean {
  const v = compatVersion(klass);
  return !!v && compareVersionStrings(v, version) < 0;
}

/** A present option that is not `false`/`nil` (shared with rules #1–#20). */
export { truthy } from './ruleKit';

/** The op is a migration DSL call: no receiver, `self.`, `connection.`, or `t.` mapped inside change_table/create_table. */
export function isDslCall(op: MigrationOp): boolean {
  if (op.changeTable || op.createTable) return true;
  const receiver = op.call.receiver;
  return !receiver || receiver.text === 'self' || op.viaConnection;
}

/** 0-based line and UTF-16 character of a UTF-16 offset into `text`. */
export function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
  }
  return { line, character: offset - lineStart };
}
