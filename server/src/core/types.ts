// Plain data shared by the analysis core, the CLI and the LSP layer. No behaviour, no LSP imports.

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type SeveritySetting = Severity | 'off';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];
export const SEVERITY_RANK: Record<Severity, number> = { error: 4, warning: 3, info: 2, hint: 1 };

/** 0-based line and UTF-16 column, the LSP default position encoding. */
export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

export type FixSafety = 'safe' | 'unsafe';

/** One text replacement. `file` is an absolute path; `createFile` means the file does not exist yet. */
export interface FileEdit {
  file: string;
  range: Range;
  newText: string;
  createFile?: boolean;
}

export interface Fix {
  title: string;
  safety: FixSafety;
  edits: FileEdit[];
  /** For an unsafe fix: what it changes in behaviour, shown when the editor asks to confirm the edit. */
  changes?: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  /** The whole text as the rule wrote it (headline and detail). */
  message: string;
  /** At most ~100 characters: what breaks. Diagnostics, the CLI's `message` and SARIF show this. */
  headline?: string;
  /** The rest: why, and the safe code. Hovers and the CLI's `detail` show it. */
  detail?: string;
  file: string;
  range: Range;
  fixes: Fix[];
  /** Evidence elsewhere: each hop of a finding that crosses a method or file boundary. */
  related?: RelatedLocation[];
}

/** A place a finding rests on, with what happens there ("`byline` reads `author`"). */
export interface RelatedLocation { file: string; range: Range; message: string }

/** The short line to show for a finding. */
export function headlineOf(f: Finding): string {
  return f.headline ?? f.message;
}

/** A problem with an input file that is not a hazard: unreadable, too big, binary, invalid config. */
export interface FileNotice {
  file: string;
  message: string;
  range?: Range;
  /** 'info' for files skipped on purpose (too big, binary); problems with input default to 'warning'. */
  severity?: Severity;
}

export function rangeOf(startLine: number, startCol: number, endLine: number, endCol: number): Range {
  return { start: { line: startLine, character: startCol }, end: { line: endLine, character: endCol } };
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}
