// What migration rules need from the app's models: which model maps to a table, the columns it
// already ignores, its STI column, and where to add `self.ignored_columns += [...]`. Read from the
// model index (ctx.app.models, built by the project layer) through an extractor registered here, so
// rules stay free of IO.
import type { AppFacts } from '../core/appFacts';
import type { FileEdit, Position } from '../core/types';
import { registerModelExtractor, type ModelInfo } from '../models/modelIndex';
import type { Node } from '../parsing/treeSitter';
import { literalName, literalNames, readCall } from '../parsing/ruby';

const KEY = 'migrations';

/** Per-class facts the generic model index does not keep. */
export interface MigrationModelFacts {
  /** End of the `class X < Y` header line, where a new class-level line is inserted. */
  headerEnd: Position;
  /** Indentation of the class line. */
  indent: string;
  /** Where to append to an existing literal `self.ignored_columns += [...]` / `= [...]` array. */
  ignoredArray?: { insertAt: Position; empty: boolean };
  /** Columns ignored by `ignore_column(s)` helpers (GitLab, Discourse) or non-literal forms we could read. */
  ignoredByHelpers: string[];
  /** `self.inheritance_column = "kind"`; null for `= nil` (STI off); undefined when not set. */
  inheritanceColumn?: string | null;
}

registerModelExtractor((model: ModelInfo, body: Node) => {
  const klass = body.parent;
  if (!klass || klass.type !== 'class') return;
  const header = klass.childForFieldName('superclass') ?? klass.childForFieldName('name');
  if (!header) return;
  const facts: MigrationModelFacts = {
    headerEnd: { line: header.endPosition.row, character: header.endPosition.column },
    indent: ' '.repeat(klass.startPosition.column),
    ignoredByHelpers: [],
  };
  for (const stmt of body.namedChildren) {
    if (!stmt) continue;
    if (stmt.type === 'assignment' || stmt.type === 'operator_assignment') {
      const left = stmt.childForFieldName('left')?.text;
      const right = stmt.childForFieldName('right');
      if (left === 'self.ignored_columns' && right?.type === 'array' && !facts.ignoredArray) {
        const items = right.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
        const last = items[items.length - 1];
        facts.ignoredArray = last
          ? { insertAt: { line: last.endPosition.row, character: last.endPosition.column }, empty: false }
          : { insertAt: { line: right.endPosition.row, character: right.endPosition.column - 1 }, empty: true };
        if (right.text.startsWith('%')) facts.ignoredArray = undefined;
      }
      if (left === 'self.inheritance_column') facts.inheritanceColumn = right?.type === 'nil' ? null : literalName(right) ?? undefined;
      continue;
    }
    const call = readCall(stmt);
    if (call && !call.receiver && (call.name === 'ignore_column' || call.name === 'ignore_columns')) {
      for (const arg of call.args) facts.ignoredByHelpers.push(...(literalNames(arg) ?? []));
    }
  }
  model.extra.set(KEY, facts);
});

export interface TableModel {
  model: ModelInfo;
  facts?: MigrationModelFacts;
  /** Columns the model (or its ancestors and concerns) already ignores. */
  ignoredColumns: string[];
}

/** The base Active Record model of `table` (STI subclasses share their parent's table), if the app has one. */
export function modelForTable(app: AppFacts, table: string): TableModel | undefined {
  const index = app.models;
  if (!index) return undefined;
  let found: ModelInfo | undefined;
  try {
    found = index.modelForTable(table);
  } catch {
    return undefined;
  }
  if (!found) return undefined;
  let model: ModelInfo = found;
  // Prefer the topmost concrete class with this table (the STI base).
  for (let depth = 0; depth < 10; depth++) {
    const parent: ModelInfo | undefined = model.superclass ? index.model(model.superclass) : undefined;
    if (!parent || parent.abstract || !index.isModel(parent) || index.tableName(parent) !== table) break;
    model = parent;
  }
  const ignored = new Set<string>();
  for (const m of index.ancestry(model)) {
    for (const c of m.ignoredColumns) ignored.add(c);
    const f = m.extra.get(KEY) as MigrationModelFacts | undefined;
    for (const c of f?.ignoredByHelpers ?? []) ignored.add(c);
  }
  return { model, facts: model.extra.get(KEY) as MigrationModelFacts | undefined, ignoredColumns: [...ignored] };
}

/** The STI column of the table's model: its `inheritance_column`, else `type`; null when STI is off. */
export function inheritanceColumn(app: AppFacts, table: string): string | null {
  const found = modelForTable(app, table);
  if (!found) return 'type';
  for (const m of app.models!.ancestry(found.model)) {
    const f = m.extra.get(KEY) as MigrationModelFacts | undefined;
    if (f && f.inheritanceColumn !== undefined) return f.inheritanceColumn;
  }
  return 'type';
}

/**
 * The edit adding `columns` to the model's ignored columns: appended to an existing literal
 * `self.ignored_columns` array, else a new `self.ignored_columns += [...]` line after the class line.
 * Undefined when every column is already ignored, so applying it twice changes nothing.
 */
export function ignoredColumnsEdit(found: TableModel, columns: string[]): FileEdit | undefined {
  const missing = columns.filter((c) => !found.ignoredColumns.includes(c));
  if (missing.length === 0 || !found.facts) return undefined;
  const quoted = missing.map((c) => `"${c}"`).join(', ');
  const { ignoredArray, headerEnd, indent } = found.facts;
  if (ignoredArray) {
    const pos = ignoredArray.insertAt;
    return { file: found.model.file, range: { start: pos, end: pos }, newText: ignoredArray.empty ? quoted : `, ${quoted}` };
  }
  return { file: found.model.file, range: { start: headerEnd, end: headerEnd }, newText: `\n${indent}  self.ignored_columns += [${quoted}]\n` };
}
