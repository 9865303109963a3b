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
  const out = blank(template).split('');
  try {
    const cursor = erbTree.walk();
    const visit = (): void => {
      do {
        const type = cursor.nodeType;
        if (type === 'directive' || type === 'output_directive') {
          const node = cursor.currentNode;
          const code = node.children.find((c) => c?.type === 'code');
          if (code) {
            for (let i = code.startIndex; i < code.endIndex; i++) out[i] = template[i];
            const close = node.endIndex - 2;
            if (close >= code.endIndex && template.startsWith('%>', close)) out[close] = ';';
            else if (close - 1 >= code.endIndex && template.startsWith('-%>', close - 1)) out[close - 1] = ';';
          }
        } else if (cursor.gotoFirstChild()) {
          visit();
          cursor.gotoParent();
        }
      } while (cursor.gotoNextSibling());
    };
    visit();
  } finally {
    erbTree.delete();
  }
  return out.join('');
}

function blank(text: string): string {
  return text.replace(/[^\n]/g, ' ');
}
