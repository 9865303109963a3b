// Reads the SQL passed to `execute` (strings, heredocs, `.squish`, chained strings) and classifies
// each statement, so execute_raw_sql can say what the statement locks instead of "verify this".
// Pure: maps SQL offsets back to file offsets for the literal parts, so fixes can edit inside them.
import type { Node } from '../parsing/treeSitter';

/** SQL text with interpolations replaced by `?`, and where each literal piece sits in the file. */
export interface SqlText {
  text: string;
  /** Literal pieces: `text.slice(sqlStart, sqlStart + length)` is the file's text at `fileStart` (UTF-16 offsets). */
  pieces: { sqlStart: number; fileStart: number; length: number }[];
  /** False when some part is not a literal (interpolation, variable). */
  literal: boolean;
}

export type SqlKind =
  | 'allowlisted' | 'create-index' | 'drop-index' | 'concurrently' | 'fk-validated' | 'check-validated' | 'set-not-null'
  | 'alter-type' | 'rename' | 'drop-column' | 'add-constraint-index' | 'alter-table' | 'drop-table' | 'truncate'
  | 'update' | 'delete' | 'insert' | 'insert-select' | 'benign' | 'unknown'
  /** Cannot break running code or lock a busy table for long (comments, RENAME CONSTRAINT, views, NOT VALID…): no finding. */
  | 'harmless'
  /** `VALIDATE CONSTRAINT`: harmless on its own, a long lock when an earlier statement of its transaction holds one. */
  | 'validate'
  /** `DROP VIEW`: harmless when the migration re-creates the view (a running reader never sees it missing for long). */
  | 'drop-view'
  | 'vacuum-full';

export interface SqlStatement {
  kind: SqlKind;
  /** The statement, whitespace-collapsed, for messages. */
  text: string;
  /** SQL offsets of the statement (trimmed). */
  start: number;
  end: number;
  /** The table it names, when it is easy to read. */
  table?: string;
  /** SQL offset right after `INDEX` (create-index), for inserting ` CONCURRENTLY`. */
  indexKeywordEnd?: number;
  /** The view a CREATE VIEW / DROP VIEW names. */
  view?: string;
}

/** The SQL of an `execute` argument, or undefined when it is not a string, heredoc or `.squish` of one. */
export function sqlOf(arg: Node | undefined): SqlText | undefined {
  if (!arg) return undefined;
  const out: SqlText = { text: '', pieces: [], literal: true };
  const add = (node: Node): boolean => {
    switch (node.type) {
      case 'string': case 'heredoc_body': {
        for (const child of node.namedChildren) {
          if (!child) continue;
          if (child.type === 'string_content' || child.type === 'heredoc_content' || child.type === 'escape_sequence') {
            out.pieces.push({ sqlStart: out.text.length, fileStart: child.startIndex, length: child.text.length });
            out.text += child.text;
          } else if (child.type === 'interpolation') {
            out.text += '?';
            out.literal = false;
          }
        }
        return true;
      }
      case 'chained_string':
        for (const child of node.namedChildren) if (child) { add(child); out.text += ' '; }
        return true;
      case 'heredoc_beginning': {
        const body = heredocBody(node);
        return body ? add(body) : false;
      }
      case 'call': {
        // `<<~SQL.squish`, `"…".strip`, `.freeze`, `.tr("\n", " ")`.
        const method = node.childForFieldName('method')?.text;
        const receiver = node.childForFieldName('receiver');
        if (receiver && ['squish', 'strip', 'freeze', 'chomp', 'dup'].includes(method ?? '')) return add(receiver);
        return false;
      }
      case 'parenthesized_statements': {
        const inner = node.namedChildren.filter((c) => c && c.type !== 'comment');
        return inner.length === 1 && !!inner[0] && add(inner[0]);
      }
      case 'identifier': {
        const value = singleUseLocalValue(node);
        return !!value && add(value);
      }
      default: return false;
    }
  };
  return add(arg) ? out : undefined;
}

/**
 * `sql = "UPDATE …"` then `execute(sql)`: the value of a local assigned once, before its only use, in the same
 * method. Anything else (reassigned, used twice, a parameter) stays unknown, so a fix that edits the literal
 * changes nothing but this statement.
 */
function singleUseLocalValue(use: Node): Node | undefined {
  let scope: Node | null = use.parent;
  while (scope && scope.type !== 'method' && scope.type !== 'singleton_method' && scope.type !== 'program') scope = scope.parent;
  if (!scope) return undefined;
  const name = use.text;
  const assignments = scope.descendantsOfType('assignment').filter((a) => a?.childForFieldName('left')?.type === 'identifier'
    && a.childForFieldName('left')?.text === name);
  if (assignments.length !== 1 || !assignments[0]) return undefined;
  const assignment = assignments[0];
  const left = assignment.childForFieldName('left')!;
  if (assignment.endIndex > use.startIndex) return undefined;
  const uses = scope.descendantsOfType('identifier').filter((i) => i?.text === name && i.startIndex !== left.startIndex);
  if (uses.length !== 1) return undefined;
  return assignment.childForFieldName('right') ?? undefined;
}

/** The heredoc_body that belongs to a heredoc_beginning: the next body after it at some ancestor level. */
function heredocBody(beginning: Node): Node | undefined {
  const line = beginning.startPosition.row;
  // Which heredoc of its line this is (`foo(<<~A, <<~B)` has two bodies in order).
  let node: Node | null = beginning;
  while (node) {
    let sib: Node | null = node.nextNamedSibling;
    const bodies: Node[] = [];
    while (sib) {
      if (sib.type === 'heredoc_body') bodies.push(sib);
      else if (bodies.length) break;
      sib = sib.nextNamedSibling;
    }
    if (!bodies.length) {
      for (const child of node.namedChildren) if (child?.type === 'heredoc_body' && child.startIndex > beginning.endIndex) bodies.push(child);
    }
    if (bodies.length) {
      const stmtStart = node.startPosition.row === line ? node : beginning;
      const siblings = heredocBeginningsOnLine(stmtStart, line);
      const index = Math.max(0, siblings.findIndex((b) => b.startIndex === beginning.startIndex));
      return bodies[index] ?? bodies[0];
    }
    node = node.parent;
  }
  return undefined;
}

function heredocBeginningsOnLine(root: Node, line: number): Node[] {
  const found: Node[] = [];
  const visit = (n: Node): void => {
    if (n.type === 'heredoc_beginning' && n.startPosition.row === line) found.push(n);
    for (const c of n.namedChildren) if (c && c.startPosition.row <= line) visit(c);
  };
  visit(root);
  return found.sort((a, b) => a.startIndex - b.startIndex);
}

/** File offset of an SQL offset, when that offset lies inside (or right at the end of) a literal piece. */
export function fileOffset(sql: SqlText, sqlOffset: number): number | undefined {
  for (const p of sql.pieces) {
    if (sqlOffset >= p.sqlStart && sqlOffset <= p.sqlStart + p.length) return p.fileStart + (sqlOffset - p.sqlStart);
  }
  return undefined;
}

const IDENT = String.raw`(?:"[^"]+"|[\w$?]+)(?:\.(?:"[^"]+"|[\w$?]+))?`;

/** Splits SQL into statements (at `;` outside quotes and comments) and classifies each. */
export function sniffSql(sql: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number): void => {
    const raw = sql.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (body && body.replace(/\/\*[\s\S]*?\*\//g, '').replace(/--[^\n]*/g, '').trim()) statements.push(classify(sql, start + lead, start + lead + body.length));
  };
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === "'" || ch === '"') {
      const close = sql.indexOf(ch, i + 1);
      i = close < 0 ? sql.length : close + 1;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (ch === '$' && /^\$\w*\$/.test(sql.slice(i))) {
      const tag = /^\$\w*\$/.exec(sql.slice(i))![0];
      const close = sql.indexOf(tag, i + tag.length);
      i = close < 0 ? sql.length : close + tag.length;
    } else if (ch === ';') {
      push(i);
      start = i + 1;
      i++;
    } else i++;
  }
  push(sql.length);
  return statements;
}

function classify(sql: string, start: number, end: number): SqlStatement {
  const raw = sql.slice(start, end);
  // Comments out, whitespace collapsed: the text the patterns read.
  const s = raw.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ').replace(/\s+/g, ' ').trim();
  const u = s.toUpperCase();
  const base = { text: s.length > 80 ? `${s.slice(0, 77)}...` : s, start, end };
  const tableAfter = (re: RegExp): string | undefined => re.exec(s)?.[1]?.replace(/"/g, '');

  if (/^(SET|RESET)\s+(LOCAL\s+|SESSION\s+)?(LOCK_TIMEOUT|STATEMENT_TIMEOUT|IDLE_IN_TRANSACTION_SESSION_TIMEOUT)\b/.test(u)
      || /^SET\s+LOCAL\b/.test(u)) {
    return { ...base, kind: 'allowlisted' };
  }
  const harmless = harmlessKind(s, u);
  if (harmless) return { ...base, ...harmless };
  const lead = /^(\s*--[^\n]*\n)*\s*/.exec(raw)![0].length;
  const createIndex = /^CREATE\s+(UNIQUE\s+)?INDEX\b/i.exec(raw.slice(lead));
  const onTable = (): string | undefined => tableAfter(new RegExp(String.raw`\bON\s+(?:ONLY\s+)?(${IDENT})`, 'i'));
  if (/^CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY\b/.test(u) || /^DROP\s+INDEX\s+CONCURRENTLY\b/.test(u)
      || /^REINDEX\b.*\bCONCURRENTLY\b/.test(u)) {
    return { ...base, kind: 'concurrently', table: onTable() };
  }
  if (createIndex) return { ...base, kind: 'create-index', table: onTable(), indexKeywordEnd: start + lead + createIndex[0].length };
  if (/^DROP\s+INDEX\b/.test(u)) return { ...base, kind: 'drop-index' };
  if (/^DROP\s+TABLE\b/.test(u)) return { ...base, kind: 'drop-table', table: tableAfter(new RegExp(String.raw`^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(${IDENT})`, 'i')) };
  if (/^TRUNCATE\b/.test(u)) return { ...base, kind: 'truncate', table: tableAfter(new RegExp(String.raw`^TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?(${IDENT})`, 'i')) };
  const alter = new RegExp(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${IDENT})`, 'i').exec(s);
  if (alter) {
    const table = alter[1].replace(/"/g, '');
    const notValid = /\bNOT\s+VALID\b/.test(u);
    if (/\bADD\s+(CONSTRAINT\s+\S+\s+)?FOREIGN\s+KEY\b/.test(u) && !notValid) return { ...base, kind: 'fk-validated', table };
    if (/\bADD\s+(CONSTRAINT\s+\S+\s+)?CHECK\b/.test(u) && !notValid) return { ...base, kind: 'check-validated', table };
    if (/\bSET\s+NOT\s+NULL\b/.test(u)) return { ...base, kind: 'set-not-null', table };
    if (/\bALTER\s+(COLUMN\s+)?\S+\s+(SET\s+DATA\s+)?TYPE\b/.test(u)) return { ...base, kind: 'alter-type', table };
    if (/\bADD\s+(CONSTRAINT\s+\S+\s+)?(UNIQUE|PRIMARY\s+KEY|EXCLUDE)\b/.test(u) && !/\bUSING\s+INDEX\b/.test(u)) return { ...base, kind: 'add-constraint-index', table };
    if (/\bRENAME\b/.test(u)) return { ...base, kind: 'rename', table };
    if (/\bDROP\s+(COLUMN\s+)?(?!CONSTRAINT\b|DEFAULT\b|NOT\b|TRIGGER\b|IDENTITY\b|EXPRESSION\b)(IF\s+EXISTS\s+)?\w/.test(u)) {
      return { ...base, kind: 'drop-column', table };
    }
    return { ...base, kind: 'alter-table', table };
  }
  if (/^UPDATE\b/.test(u)) return { ...base, kind: 'update', table: tableAfter(new RegExp(String.raw`^UPDATE\s+(?:ONLY\s+)?(${IDENT})`, 'i')) };
  if (/^DELETE\s+FROM\b/.test(u)) return { ...base, kind: 'delete', table: tableAfter(new RegExp(String.raw`^DELETE\s+FROM\s+(?:ONLY\s+)?(${IDENT})`, 'i')) };
  if (/^(WITH\b.*\b(UPDATE|DELETE)\b)/.test(u)) return { ...base, kind: 'update' };
  if (/^INSERT\b/.test(u)) {
    // `INSERT … SELECT` copies a whole result set in one statement; `INSERT … VALUES` writes a few rows.
    return /\bSELECT\b/.test(u)
      ? { ...base, kind: 'insert-select', table: tableAfter(new RegExp(String.raw`^INSERT\s+INTO\s+(${IDENT})`, 'i')) }
      : { ...base, kind: 'insert' };
  }
  if (/^(CREATE\s+(OR\s+REPLACE\s+)?(TABLE|EXTENSION|FUNCTION|PROCEDURE|VIEW|TYPE|SEQUENCE|SCHEMA|COLLATION|DOMAIN|TEXT\s+SEARCH|AGGREGATE|OPERATOR|MATERIALIZED\s+VIEW|RECURSIVE\s+VIEW|TEMP|TEMPORARY|UNLOGGED\s+TABLE)|COMMENT\s+ON|SELECT|GRANT|REVOKE|DROP\s+(FUNCTION|PROCEDURE|VIEW|TYPE|SEQUENCE|EXTENSION|SCHEMA|MATERIALIZED\s+VIEW|COLLATION|DOMAIN|AGGREGATE|OPERATOR)|ALTER\s+(TYPE|SEQUENCE|FUNCTION|EXTENSION|DATABASE|ROLE|SCHEMA)|ANALYZE|VACUUM|REFRESH\s+MATERIALIZED\s+VIEW\s+CONCURRENTLY|SET\b|RESET\b|NOTIFY)/.test(u)) {
    return { ...base, kind: 'benign' };
  }
  return { ...base, kind: 'unknown' };
}

/**
 * Statements that cannot break running code or hold a lock on a busy table for long (research §1.4):
 * comments, statistics, extensions, constraint and index renames (running code names neither),
 * views (running code writes to tables, not views; CREATE OR REPLACE keeps the columns readers use),
 * NOT VALID constraints (a brief lock, no scan) and VALIDATE CONSTRAINT (SHARE UPDATE EXCLUSIVE:
 * reads and writes go on), plain SELECTs.
 */
function harmlessKind(s: string, u: string): Pick<SqlStatement, 'kind' | 'view' | 'table'> | undefined {
  const ident = (re: string): RegExp => new RegExp(re.replace(/IDENT/g, IDENT), 'i');
  if (/^(COMMENT\s+ON|ANALYZE|CREATE\s+EXTENSION)\b/.test(u)) return { kind: 'harmless' };
  if (/^VACUUM\b/.test(u)) return /^VACUUM\s+(\([^)]*\bFULL\b[^)]*\)|(FREEZE\s+|VERBOSE\s+)*FULL\b)/.test(u) ? { kind: 'vacuum-full' } : { kind: 'harmless' };
  const view = ident(String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?(?:RECURSIVE\s+)?VIEW\s+(IDENT)`).exec(s);
  if (view) return { kind: 'harmless', view: view[1].replace(/"/g, '') };
  const dropView = ident(String.raw`^DROP\s+VIEW\s+(?:IF\s+EXISTS\s+)?(IDENT)\s*(?:CASCADE|RESTRICT)?$`).exec(s);
  if (dropView) return { kind: 'drop-view', view: dropView[1].replace(/"/g, '') };
  if (ident(String.raw`^ALTER\s+INDEX\s+(?:IF\s+EXISTS\s+)?IDENT\s+RENAME\s+TO\s+IDENT$`).test(s)) return { kind: 'harmless' };
  if (/^SELECT\b/.test(u) && !/\bFOR\s+(UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b|\bINTO\b/.test(u)) return { kind: 'harmless' };
  const alter = ident(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(IDENT)\s+(.*)$`).exec(s);
  if (!alter) return undefined;
  const table = alter[1].replace(/"/g, '');
  const actions = topLevelActions(alter[2]);
  if (actions.length !== 1) return undefined;
  const action = actions[0];
  if (ident(String.raw`^RENAME\s+CONSTRAINT\s+IDENT\s+TO\s+IDENT$`).test(action)) return { kind: 'harmless', table };
  if (ident(String.raw`^VALIDATE\s+CONSTRAINT\s+IDENT$`).test(action)) return { kind: 'validate', table };
  if (/^ADD\s+(CONSTRAINT\s+\S+\s+)?(FOREIGN\s+KEY|CHECK)\b[\s\S]*\bNOT\s+VALID$/i.test(action)) return { kind: 'harmless', table };
  return undefined;
}

/** The actions of an ALTER TABLE, split at commas outside parentheses and quotes. */
function topLevelActions(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === "'" || ch === '"') {
      const close = body.indexOf(ch, i + 1);
      i = close < 0 ? body.length : close;
    } else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(body.slice(start).trim());
  return out.filter(Boolean);
}
