// The one place that loads tree-sitter. WASM (web-tree-sitter) was chosen over the native binding
// because trees are freed at once with tree.delete(): see docs/ARCHITECTURE.md "Parsing".
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Parser, Language, Edit, Point } from 'web-tree-sitter';
import { installFastHeapAccess } from './wasmHeapAccess';
import { Node, Tree } from './syntaxTree';

export type { Tree, Node, Edit, Point };

let ready: Promise<void> | undefined;
let rubyLanguage: Language | undefined;
let erbLanguage: Language | undefined;
let rubyParser: Parser | undefined;
let erbParser: Parser | undefined;

/** Finds a wasm file next to the bundle (dist/) or in node_modules (development, tests). */
function wasmPath(fileName: string, packageName: string): string {
  const bundled = path.join(__dirname, fileName);
  if (fs.existsSync(bundled)) return bundled;
  return require.resolve(`${packageName}/${fileName}`);
}

export function initParsers(): Promise<void> {
  ready ??= (async () => {
    const wasmModule = { locateFile: () => wasmPath('tree-sitter.wasm', 'web-tree-sitter') };
    await Parser.init(wasmModule);
    installFastHeapAccess(wasmModule as never);
    rubyLanguage = await Language.load(wasmPath('tree-sitter-ruby.wasm', 'tree-sitter-ruby'));
    erbLanguage = await Language.load(wasmPath('tree-sitter-embedded_template.wasm', 'tree-sitter-embedded-template'));
    rubyParser = new Parser();
    rubyParser.setLanguage(rubyLanguage);
    erbParser = new Parser();
    erbParser.setLanguage(erbLanguage);
  })();
  return ready;
}

/** The loaded Ruby grammar, for a caller that drives its own Parser (the bench's plain-parse floor). */
export function rubyGrammar(): Language {
  requireReady();
  return rubyLanguage!;
}

function requireReady(): void {
  if (!rubyParser || !erbParser) throw new Error('initParsers() must complete before parsing');
}

export class ParseBudgetExceeded extends Error {
  constructor(readonly budgetMs: number) {
    super(`parsing took longer than the per-file budget of ${budgetMs} ms; the file was skipped`);
  }
}

/** Parses in this thread so far, and how many ran out of time (a result that depends on timing; the CLI does not cache it). */
export const parseStats = { parsed: 0, overBudget: 0 };

/**
 * Parses Ruby. With `oldTree` (already `edit()`ed, its WASM tree kept) tree-sitter reuses unchanged
 * subtrees; `keepWasm` keeps the new tree's WASM side for such a later re-parse (free it with `delete()`).
 * Throws ParseBudgetExceeded when the budget runs out, so one pathological file cannot hang a scan.
 */
export function parseRuby(text: string, oldTree?: Tree | null, budgetMs = 5000, keepWasm = false): Tree {
  requireReady();
  parseStats.parsed++;
  const deadline = Date.now() + budgetMs;
  const wasm = rubyParser!.parse(text, oldTree?.wasmTree ?? null, {
    progressCallback: () => Date.now() > deadline,
  } as never);
  if (!wasm) {
    parseStats.overBudget++;
    rubyParser!.reset();
    throw new ParseBudgetExceeded(budgetMs);
  }
  return new Tree(wasm, text, keepWasm);
}

/**
 * Turns an ERB template into Ruby source of exactly the same length and line structure: text outside
 * `<% %>` becomes spaces, each tag's closing `%>` becomes `;` so consecutive tags stay separate
 * statements. Positions in the Ruby tree are therefore positions in the template.
 */
export function erbToRuby(template: string): string {
  requireReady();
  const erbTree = erbParser!.parse(template);
  if (!erbTree) return blank(template);
  // Built from slices (blanked text, code, `;`) in one cursor walk: no node objects, no per-character array.
  const parts: string[] = [];
  let copied = 0;
  const code = (start: number, end: number, closeAt: number): void => {
    parts.push(blank(template.slice(copied, start)), template.slice(start, end));
    copied = end;
    if (closeAt >= end) {
      parts.push(blank(template.slice(end, closeAt)), ';');
      copied = closeAt + 1;
    }
  };
  try {
    const cursor = erbTree.walk();
    try {
      const visit = (): void => {
        do {
          const type = cursor.nodeType;
          if (type === 'directive' || type === 'output_directive') {
            const directiveEnd = cursor.endIndex;
            if (cursor.gotoFirstChild()) {
              do {
                if (cursor.nodeType !== 'code') continue;
                const start = cursor.startIndex;
                const end = cursor.endIndex;
                const close = directiveEnd - 2;
                let closeAt = -1;
                if (close >= end && template.startsWith('%>', close)) closeAt = close;
                else if (close - 1 >= end && template.startsWith('-%>', close - 1)) closeAt = close - 1;
                if (start >= copied) code(start, end, closeAt);
                break;
              } while (cursor.gotoNextSibling());
              cursor.gotoParent();
            }
          } else if (cursor.gotoFirstChild()) {
            visit();
            cursor.gotoParent();
          }
        } while (cursor.gotoNextSibling());
      };
      visit();
    } finally {
      cursor.delete();
    }
  } finally {
    erbTree.delete();
  }
  parts.push(blank(template.slice(copied)));
  return parts.join('');
}

function blank(text: string): string {
  return text.includes('\n') ? text.replace(/[^\n]/g, ' ') : ' '.repeat(text.length);
}
