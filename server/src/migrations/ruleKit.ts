// Small building blocks the migration rules share: reading nested options, previewing the safe form
// of a call in a message, and the multi-edit quick fixes of research §2.2.
import type { RuleContext } from '../core/rule';
import type { FileEdit, Fix, Range } from '../core/types';
import type { Node } from '../parsing/treeSitter';
import { lineIndent, literalName, nodeRange } from '../parsing/ruby';
import { applyEdits, removeKeywordArgument } from '../parsing/rubyEdits';
import { disableDdlTransactionEdit } from './gating';
import type { MigrationOp } from './model';
import { pluralize } from '../models/inflector';

/** The value node of `key:` inside a hash literal node (`{ algorithm: :concurrently }`). */
export function hashValue(hash: Node | undefined, key: string): Node | undefined {
  if (!hash || hash.type !== 'hash') return undefined;
  for (const pair of hash.namedChildren) {
    if (pair?.type !== 'pair') continue;
    const k = pair.childForFieldName('key');
    const v = pair.childForFieldName('value');
    if (!k || !v) continue;
    const name = k.type === 'hash_key_symbol' ? k.text : literalName(k);
    if (name === key) return v;
  }
  return undefined;
}

/** A present option that is not `false`/`nil`. */
export function truthy(node: Node | undefined): boolean {
  return !!node && node.type !== 'false' && node.type !== 'nil';
}

export function isFalseNode(node: Node | undefined): boolean {
  return node?.type === 'false';
}

/** `:concurrently` as a symbol or string. */
export function isConcurrently(node: Node | undefined): boolean {
  return literalName(node) === 'concurrently';
}

/** Text of the call after applying edits that fall inside it; its first line, for messages. */
export function previewCall(op: MigrationOp, edits: FileEdit[]): string {
  const start = op.call.node.startPosition;
  const end = op.call.node.endPosition;
  const inside = edits.filter((e) => e.file && !e.createFile && within(e.range, start, end));
  const shift = (p: { line: number; character: number }) => ({
    line: p.line - start.row,
    character: p.line === start.row ? p.character - start.column : p.character,
  });
  const text = applyEdits(op.call.node.text, inside.map((e) => ({ newText: e.newText, range: { start: shift(e.range.start), end: shift(e.range.end) } })));
  return text.split('\n')[0];
}

function within(range: Range, start: { row: number; column: number }, end: { row: number; column: number }): boolean {
  const after = (p: { line: number; character: number }) => p.line > start.row || (p.line === start.row && p.character >= start.column);
  const before = (p: { line: number; character: number }) => p.line < end.row || (p.line === end.row && p.character <= end.column);
  return after(range.start) && before(range.end);
}

/** The two edits of #1/#2/#4: the option edit plus `disable_ddl_transaction!` once per class. */
export function concurrentFix(ctx: RuleContext, op: MigrationOp, edit: FileEdit | undefined, what = '`algorithm: :concurrently`'): Fix | undefined {
  if (!edit) return undefined;
  const edits: FileEdit[] = [edit];
  const ddl = disableDdlTransactionEdit(ctx, op.klass);
  if (ddl) edits.push(ddl);
  return { title: `Add ${what}${ddl ? ' and `disable_ddl_transaction!`' : ''}`, safety: 'unsafe', edits };
}

/** The op is a statement of its own (not an argument or a condition), so it can be moved or split. */
export function isOwnStatement(op: MigrationOp): boolean {
  const parent = op.call.node.parent;
  return !!parent && ['body_statement', 'block_body', 'then', 'else', 'do', 'begin'].includes(parent.type);
}

/** Whole lines of a statement including the newline, when nothing else shares them. */
export function statementLinesRange(text: string, node: Node): Range | undefined {
  const lines = text.split('\n');
  const first = lines[node.startPosition.row] ?? '';
  const last = lines[node.endPosition.row] ?? '';
  if (first.slice(0, node.startPosition.column).trim() !== '') return undefined;
  if (last.slice(node.endPosition.column).replace(/\r$/, '').trim() !== '') return undefined;
  return { start: { line: node.startPosition.row, character: 0 }, end: { line: node.endPosition.row + 1, character: 0 } };
}

/**
 * Splits `add_column :t, :c, type, …, default: X` into `add_column` without the default plus
 * `change_column_default :t, :c, from: nil, to: X` (reversible inside `change`): the existing rows keep
 * NULL (backfill them in batches), new rows get the default. Only for a top-level `add_column`
 * statement with literal names and without `null: false` (which would then fail on existing rows).
 */
export function splitDefaultFix(ctx: RuleContext, op: MigrationOp): Fix | undefined {
  if (op.method !== 'add_column' || op.changeTable || op.createTable || op.call.name !== 'add_column') return undefined;
  if (!isOwnStatement(op)) return undefined;
  const def = op.call.keywords.get('default');
  const table = op.call.args[0];
  const column = op.call.args[1];
  if (!def || !table || !column || !literalName(table) || !literalName(column)) return undefined;
  if (isFalseNode(op.call.keywords.get('null'))) return undefined;
  const remove = removeKeywordArgument(ctx.file, ctx.text, op.call, 'default');
  if (!remove) return undefined;
  const indent = lineIndent(ctx.text, op.call.node.startPosition.row);
  const end = nodeRange(op.call.node).end;
  const add: FileEdit = {
    file: ctx.file, range: { start: end, end },
    newText: `\n${indent}change_column_default ${table.text}, ${column.text}, from: nil, to: ${def.text}`,
  };
  return { title: 'Add the column without a default, then set the default for new rows (backfill existing rows separately)', safety: 'unsafe', edits: [remove, add] };
}

/** A foreign key an op creates: add_foreign_key, t.foreign_key, add_reference/t.references … foreign_key:. */
export interface ForeignKeyOp {
  op: MigrationOp;
  from?: string;
  to?: string;
  /** `column:` of add_foreign_key, or `<ref>_id` of a reference. */
  column?: string;
  name?: string;
  /** The FK comes from a `foreign_key:` option of a reference (so `validate: false` goes into that hash). */
  viaReference: boolean;
  validated: boolean;
}

export function foreignKeyOf(op: MigrationOp): ForeignKeyOp | undefined {
  const call = op.call;
  const inTable = !!(op.changeTable || op.createTable);
  if (op.method === 'add_foreign_key') {
    const to = literalName(inTable ? call.args[0] : call.args[1]);
    return {
      op, from: op.table, to, column: literalName(call.keywords.get('column')), name: literalName(call.keywords.get('name')),
      viaReference: false, validated: !isFalseNode(call.keywords.get('validate')),
    };
  }
  if (op.method === 'add_reference' || op.method === 'add_belongs_to') {
    const fk = call.keywords.get('foreign_key');
    if (!truthy(fk)) return undefined;
    const ref = literalName(inTable ? call.args[0] : call.args[1]);
    // `foreign_key: true` points at the pluralized reference; a hash may name `to_table:`; a variable: unknown.
    const literal = fk!.type === 'true' || fk!.type === 'hash';
    const to = literalName(hashValue(fk, 'to_table')) ?? (literal && ref ? pluralize(ref) : undefined);
    return {
      op, from: op.table, to, column: ref ? `${ref}_id` : undefined,
      viaReference: true, validated: !isFalseNode(hashValue(fk, 'validate')),
    };
  }
  return undefined;
}
