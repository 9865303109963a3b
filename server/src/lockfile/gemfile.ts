/**
 * Reads a Gemfile (or gems.rb) from its tree-sitter tree, without executing it: `gem` lines with their
 * requirements and options, `group` / `platforms` / `source` / `git` / `path` blocks, `group:` and
 * `platforms:` options, `path:` / `git:` / `github:` sources, `require: false`, `gemspec`.
 *
 * Code that only Ruby could evaluate (a requirement held in a variable, `gem name` inside a loop) is
 * kept as far as it is literal: a gem whose name is not a literal string is skipped, a non-literal
 * requirement marks the gem `dynamicRequirement`. Gems inside `if`/`unless`/`case` are read as if the
 * condition held (Bundler would evaluate it; we cannot).
 *
 * The result is plain data (no tree nodes), so it can be cached after the tree is deleted.
 */
import type { Node, Tree } from '../parsing/treeSitter';
import { literalName, literalNames, readCall, stringValue, type CallInfo } from '../parsing/ruby';
import type { Position, Range } from '../core/types';

export interface GemfileGem {
  name: string;
  /** Literal requirement strings in order (`"~> 2.5", ">= 2.5.1"`); empty for "any version". */
  requirements: string[];
  /** Some requirement argument was not a literal string (a variable, a method call). */
  dynamicRequirement: boolean;
  /** Groups from enclosing `group` blocks and the `group:`/`groups:` option; `['default']` when none. */
  groups: string[];
  /** Platforms from enclosing `platforms` blocks and the `platforms:`/`platform:` option. */
  platforms: string[];
  /** Explicit source: `git`, `github`, `path` (option or enclosing block) or a `source "…" do` block. */
  source?: { type: 'git' | 'github' | 'path' | 'source'; value: string };
  /** `require: false` */
  requireFalse: boolean;
  /** Range of the whole `gem …` call. */
  range: Range;
  /** Range of the gem name string literal (with its quotes). */
  nameRange: Range;
  /** End of the last requirement argument, or of the name literal when there is none: where a pin goes. */
  requirementInsertAt: Position;
  /** The innermost enclosing `group` block, if any. */
  groupBlock?: GemfileBlock;
}

export interface GemfileBlock {
  kind: 'group' | 'platforms' | 'source' | 'git' | 'path' | 'other';
  /** Groups named by a `group` block. */
  groups: string[];
  /** Line of the block's opening call and of its `end` / `}`. */
  startLine: number;
  endLine: number;
  /** Indentation of the block's opening line. */
  indent: string;
}

export interface GemfileGemspec {
  line: number;
  range: Range;
  /** `path:` option, default ".". */
  path: string;
  /** `name:` option, when given. */
  name?: string;
  /** `development_group:` option (default `development`). */
  developmentGroup: string;
}

export interface Gemfile {
  gems: GemfileGem[];
  gemspecs: GemfileGemspec[];
  groupBlocks: GemfileBlock[];
  /** `source "…"` URLs given at the top level. */
  sources: string[];
  /** The `ruby "x.y.z"` line, when literal. */
  ruby?: { version: string; line: number };
  /** Line of the last `gem` call outside any block, if any. */
  lastTopLevelGemLine?: number;
  /** Line of the last top-level `source` / `ruby` / `git_source` statement, if any. */
  lastTopLevelPreambleLine?: number;
  /** Length of every line (UTF-16), to place inserted lines. */
  lineLengths: number[];
  /** The quote most gem names use (`"` or `'`). */
  quote: '"' | "'";
}

/** Groups that are not loaded in production by a standard `Bundler.require(*Rails.groups)` deploy. */
export const NON_RUNTIME_GROUPS: ReadonlySet<string> = new Set(['development', 'test']);

interface Scope {
  groups: string[];
  platforms: string[];
  source?: GemfileGem['source'];
  groupBlock?: GemfileBlock;
  /** Inside some block (group, platforms, source, …, or any other do-block/if). */
  nested: boolean;
}

const MAX_DEPTH = 200;

function posOf(p: { row: number; column: number }): Position {
  return { line: p.row, character: p.column };
}

function rangeOfNode(n: Node): Range {
  return { start: posOf(n.startPosition), end: posOf(n.endPosition) };
}

/** Reads the Gemfile model from a parsed Gemfile. Never throws on odd input. */
export function readGemfile(tree: Tree, text: string): Gemfile {
  const lines = text.split(/\r\n|\r|\n/);
  const out: Gemfile = { gems: [], gemspecs: [], groupBlocks: [], sources: [], lineLengths: lines.map((l) => l.length), quote: '"' };
  const indentOf = (line: number): string => /^[ \t]*/.exec(lines[line] ?? '')![0];
  visit(tree.rootNode, { groups: [], platforms: [], nested: false }, 0);
  let single = 0;
  for (const g of out.gems) if ((lines[g.nameRange.start.line] ?? '')[g.nameRange.start.character] === "'") single++;
  if (out.gems.length > 0 ? single * 2 > out.gems.length : /^\s*(source|ruby)\s*\(?\s*'/m.test(text)) out.quote = "'";
  return out;

  function visit(node: Node, scope: Scope, depth: number): void {
    if (depth > MAX_DEPTH) return;
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'call' && !child.childForFieldName('receiver')) {
        const call = readCall(child);
        if (call && handleCall(call, scope, depth)) continue;
      }
      if (child.type === 'comment') continue;
      const nestedScope = child.type === 'program' || child.type === 'body_statement' ? scope : { ...scope, nested: true };
      visit(child, nestedScope, depth + 1);
    }
  }

  /** Returns true when the call was fully handled (its block visited with the right scope). */
  function handleCall(call: CallInfo, scope: Scope, depth: number): boolean {
    switch (call.name) {
      case 'gem':
        readGem(call, scope);
        return true;
      case 'gemspec':
        readGemspec(call);
        return true;
      case 'source': {
        const url = call.args[0] ? stringValue(call.args[0]) : undefined;
        if (!call.block) {
          if (url !== undefined && !scope.nested) out.sources.push(url);
          markPreamble(call, scope);
          return true;
        }
        visitBlock(call, { ...scope, source: url !== undefined ? { type: 'source', value: url } : scope.source }, 'source', depth);
        return true;
      }
      case 'ruby': {
        const v = call.args[0] ? stringValue(call.args[0]) : undefined;
        if (v !== undefined && !out.ruby) out.ruby = { version: v, line: call.node.startPosition.row };
        markPreamble(call, scope);
        return !call.block;
      }
      case 'git_source':
        markPreamble(call, scope);
        return true;
      case 'group': {
        if (!call.block) return false;
        const groups = call.args.flatMap((a) => literalNames(a) ?? []);
        const block = blockOf(call, 'group', groups);
        out.groupBlocks.push(block);
        visit(call.block, { ...scope, groups: unique([...scope.groups, ...groups]), groupBlock: block, nested: true }, depth + 1);
        return true;
      }
      case 'platforms':
      case 'platform': {
        if (!call.block) return false;
        const platforms = call.args.flatMap((a) => literalNames(a) ?? []);
        visitBlock(call, { ...scope, platforms: unique([...scope.platforms, ...platforms]) }, 'platforms', depth);
        return true;
      }
      case 'git':
      case 'path':
      case 'github': {
        if (!call.block) return false;
        const value = call.args[0] ? stringValue(call.args[0]) : undefined;
        const type = call.name === 'github' ? 'github' : call.name;
        visitBlock(call, { ...scope, source: value !== undefined ? { type, value } : scope.source }, call.name === 'path' ? 'path' : 'git', depth);
        return true;
      }
      default:
        return false;
    }
  }

  function visitBlock(call: CallInfo, scope: Scope, kind: GemfileBlock['kind'], depth: number): void {
    void kind;
    if (call.block) visit(call.block, { ...scope, nested: true }, depth + 1);
  }

  function blockOf(call: CallInfo, kind: GemfileBlock['kind'], groups: string[]): GemfileBlock {
    const start = call.node.startPosition.row;
    return { kind, groups, startLine: start, endLine: call.node.endPosition.row, indent: indentOf(start) };
  }

  function markPreamble(call: CallInfo, scope: Scope): void {
    if (!scope.nested) out.lastTopLevelPreambleLine = call.node.endPosition.row;
  }

  function readGem(call: CallInfo, scope: Scope): void {
    const nameNode = call.args[0];
    const name = nameNode ? literalName(nameNode) : undefined;
    if (!nameNode || name === undefined || name === '') return;
    const requirements: string[] = [];
    let dynamicRequirement = false;
    let insertAt = posOf(nameNode.endPosition);
    for (const arg of call.args.slice(1)) {
      if (arg.type === 'hash') continue; // trailing bareword options
      const s = stringValue(arg);
      if (s !== undefined) requirements.push(s);
      else if (arg.type === 'array') {
        const list = literalNames(arg);
        if (list) requirements.push(...list);
        else dynamicRequirement = true;
      } else dynamicRequirement = true;
      insertAt = posOf(arg.endPosition);
    }
    const kw = call.keywords;
    const groups = [...scope.groups];
    for (const key of ['group', 'groups']) {
      const v = kw.get(key);
      const names = v ? literalNames(v) : undefined;
      if (names) groups.push(...names);
    }
    const platforms = [...scope.platforms];
    for (const key of ['platforms', 'platform']) {
      const v = kw.get(key);
      const names = v ? literalNames(v) : undefined;
      if (names) platforms.push(...names);
    }
    let source = scope.source;
    for (const key of ['path', 'git', 'github'] as const) {
      const v = kw.get(key);
      if (v) source = { type: key, value: stringValue(v) ?? v.text };
    }
    if (!source && kw.get('source')) {
      const v = kw.get('source')!;
      source = { type: 'source', value: stringValue(v) ?? v.text };
    }
    const req = kw.get('require');
    const gem: GemfileGem = {
      name,
      requirements,
      dynamicRequirement,
      groups: groups.length > 0 ? unique(groups) : ['default'],
      platforms: unique(platforms),
      requireFalse: req?.type === 'false',
      range: rangeOfNode(call.node),
      nameRange: rangeOfNode(nameNode),
      requirementInsertAt: insertAt,
    };
    if (source) gem.source = source;
    if (scope.groupBlock) gem.groupBlock = scope.groupBlock;
    out.gems.push(gem);
    if (!scope.nested) out.lastTopLevelGemLine = call.node.endPosition.row;
  }

  function readGemspec(call: CallInfo): void {
    const kw = call.keywords;
    const str = (k: string): string | undefined => {
      const v = kw.get(k);
      return v ? literalName(v) : undefined;
    };
    out.gemspecs.push({
      line: call.node.startPosition.row,
      range: rangeOfNode(call.node),
      path: str('path') ?? '.',
      ...(str('name') !== undefined ? { name: str('name') } : {}),
      developmentGroup: str('development_group') ?? 'development',
    });
  }
}

function unique(xs: string[]): string[] {
  return Array.from(new Set(xs));
}

/** The gem's entries in the Gemfile (a gem may appear more than once, e.g. per platform). */
export function gemfileEntries(gemfile: Gemfile | undefined, name: string): GemfileGem[] {
  return gemfile ? gemfile.gems.filter((g) => g.name === name) : [];
}

/** True when some entry of the gem is in a group that production loads. */
export function isRuntimeEntry(gem: GemfileGem): boolean {
  return gem.groups.some((g) => !NON_RUNTIME_GROUPS.has(g));
}
