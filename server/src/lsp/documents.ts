// Open documents: text kept in sync incrementally, one tree per document version, reparsed
// incrementally from the previous tree after edits.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { parseRuby, type Point, type Tree } from '../parsing/treeSitter';
import { isProjected, rubyOf } from '../parsing/templates';

export interface OpenDocument {
  uri: string;
  file: string;
  doc: TextDocument;
  /** The tree of the current version, or a stale tree already `edit()`ed to match the text. */
  tree?: Tree;
  treeVersion?: number;
  /** ERB and HAML views are reparsed whole: their Ruby projection changes shape with every tag edit. */
  erb: boolean;
}

export class OpenDocuments {
  private readonly docs = new Map<string, OpenDocument>();

  open(uri: string, file: string, languageId: string, version: number, text: string): OpenDocument {
    this.close(uri);
    const entry: OpenDocument = { uri, file, doc: TextDocument.create(uri, languageId, version, text), erb: isProjected(file) };
    this.docs.set(uri, entry);
    return entry;
  }

  get(uri: string): OpenDocument | undefined { return this.docs.get(uri); }
  all(): OpenDocument[] { return [...this.docs.values()]; }
  byFile(file: string): OpenDocument | undefined { return this.all().find((d) => d.file === file); }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): OpenDocument | undefined {
    const entry = this.docs.get(uri);
    if (!entry) return undefined;
    for (const change of changes) {
      if ('range' in change && entry.tree && !entry.erb) {
        const doc = entry.doc;
        const startIndex = doc.offsetAt(change.range.start);
        const oldEndIndex = doc.offsetAt(change.range.end);
        const startPosition: Point = { row: change.range.start.line, column: change.range.start.character };
        const oldEndPosition: Point = { row: change.range.end.line, column: change.range.end.character };
        const lines = change.text.split('\n');
        const newEndPosition: Point = lines.length === 1
          ? { row: startPosition.row, column: startPosition.column + change.text.length }
          : { row: startPosition.row + lines.length - 1, column: lines[lines.length - 1].length };
        entry.tree.edit({ startIndex, oldEndIndex, newEndIndex: startIndex + change.text.length, startPosition, oldEndPosition, newEndPosition } as never);
      } else if (entry.tree) {
        entry.tree.delete();
        entry.tree = undefined;
      }
      entry.doc = TextDocument.update(entry.doc, [change], version);
    }
    entry.treeVersion = entry.tree ? entry.treeVersion : undefined;
    return entry;
  }

  /** The tree for the current text, parsed incrementally when an edited tree exists. */
  treeOf(entry: OpenDocument, needsTree: boolean, budgetMs?: number): Tree | undefined {
    if (!needsTree) return undefined;
    if (entry.tree && entry.treeVersion === entry.doc.version) return entry.tree;
    const text = entry.doc.getText();
    const old = entry.erb ? undefined : entry.tree;
    const tree = parseRuby(entry.erb ? rubyOf(entry.file, text) : text, old, budgetMs, !entry.erb);
    entry.tree?.delete();
    entry.tree = tree;
    entry.treeVersion = entry.doc.version;
    return tree;
  }

  close(uri: string): void {
    const entry = this.docs.get(uri);
    entry?.tree?.delete();
    this.docs.delete(uri);
  }
}
