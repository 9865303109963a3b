// The analysis reads syntax trees copied into JavaScript objects (parsing/syntaxTree.ts). Every rule
// relies on them answering exactly what web-tree-sitter's own nodes answer, so each test parses the same
// source both ways and compares every node: an edge case the copy gets wrong shows up as a diff here.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Parser, type Node as WasmNode } from 'web-tree-sitter';
import { initParsers } from '../../helpers/ruleTester';
import { parseRuby, rubyGrammar, type Node } from '../../../server/src/parsing/treeSitter';

before(initParsers);

const FIELDS = ['name', 'superclass', 'body', 'method', 'receiver', 'arguments', 'block', 'left', 'right', 'parameters', 'condition', 'consequence', 'alternative', 'value', 'key', 'pattern', 'operator'];

interface Seen { type: string; named: boolean; missing: boolean; start: number; end: number; startPosition: unknown; endPosition: unknown; text: string; fields: Record<string, string>; named_types: string[]; next: string; previous: string; nextNamed: string; previousNamed: string; hasError: boolean }

const label = (n: { type: string; startIndex: number } | null | undefined): string => (n ? `${n.type}@${n.startIndex}` : '-');

function describeNode(n: Node | WasmNode): Seen {
  const fields: Record<string, string> = {};
  for (const f of FIELDS) fields[f] = label(n.childForFieldName(f) as never);
  return {
    type: n.type, named: n.isNamed, missing: n.isMissing, start: n.startIndex, end: n.endIndex,
    startPosition: { ...n.startPosition }, endPosition: { ...n.endPosition }, text: n.text, fields,
    named_types: (n.namedChildren as (Node | WasmNode | null)[]).map((c) => label(c as never)),
    // tree-sitter's own sibling walk does not step onto a zero-width MISSING token (`def x(a` gets a
    // missing `)`, and its neighbour answers "no next sibling"); the copy answers with the token. No
    // rule or hover reads siblings inside syntax errors, so the comparison leaves those out.
    ...(n.parent?.children.some((c) => c?.isMissing) ? { next: '?', previous: '?' } : { next: label(n.nextSibling as never), previous: label(n.previousSibling as never) }),
    nextNamed: label(n.nextNamedSibling as never), previousNamed: label(n.previousNamedSibling as never),
    hasError: n.hasError,
  };
}

function all<T>(root: T): T[] {
  const out: T[] = [];
  const visit = (n: T): void => { out.push(n); for (const c of (n as { children: (T | null)[] }).children) if (c) visit(c); };
  visit(root);
  return out;
}

function compare(source: string): void {
  const parser = new Parser();
  parser.setLanguage(rubyGrammar());
  const wasm = parser.parse(source)!;
  const ours = parseRuby(source);
  try {
    const expected = all<WasmNode>(wasm.rootNode).map(describeNode);
    const actual = all<Node>(ours.rootNode).map(describeNode);
    assert.deepEqual(actual, expected);
    for (const type of ['call', 'identifier', 'class', 'ERROR', 'string_content']) {
      assert.deepEqual(ours.rootNode.descendantsOfType(type).map(label), wasm.rootNode.descendantsOfType(type).map(label as never), type);
    }
    const lines = source.split('\n');
    for (let row = 0; row < lines.length; row++) {
      for (let column = 0; column <= lines[row].length; column++) {
        const point = { row, column };
        const found = ours.rootNode.namedDescendantForPosition(point);
        const expected = wasm.rootNode.namedDescendantForPosition(point);
        // Where a child starts exactly where its parent does, tree-sitter may stop at the parent (a
        // heredoc's body and its content); the copy goes down to the child. Either names the same place.
        const sameStart = found.parent && found.startIndex === found.parent.startIndex ? found.parent : found;
        assert.ok([label(found), label(sameStart)].includes(label(expected as never)), `${row}:${column}: ${label(found)} vs ${label(expected as never)}`);
      }
    }
  } finally {
    wasm.delete();
    parser.delete();
    ours.delete();
  }
}

describe('syntax trees copied from tree-sitter', () => {
  test('a model: every node, field, sibling and position as tree-sitter reports it', () => {
    compare([
      'class Post < ApplicationRecord',
      '  has_many :comments, -> { order(:created_at) }, dependent: :destroy',
      '  scope :recent, -> { where("created_at > ?", 1.day.ago) }',
      '',
      '  def summary(limit = 3)',
      '    comments.first(limit).map { |c| "#{c.author&.name}: #{c.body}" }.join("\\n")',
      '  rescue StandardError => e',
      '    nil',
      '  end',
      'end',
      '',
    ].join('\n'));
  });

  test('non-ASCII text, CRLF line ends and heredocs keep UTF-16 columns', () => {
    compare('# é ü 日本\r\nname = "Zoë 🚀"; other = <<~SQL\r\n  SELECT 1 -- ü\r\nSQL\r\nputs(name, other)\r\n');
  });

  test('syntax errors and missing tokens are reported where tree-sitter reports them', () => {
    compare('def broken(a,\n  if a\n    foo(\nend\nclass\n');
    const tree = parseRuby('def x(\n  a = \nend');
    assert.equal(tree.rootNode.hasError, true);
    assert.equal(parseRuby('x = 1\n').rootNode.hasError, false);
  });

  test('the node objects stay readable after the WASM tree is freed', () => {
    const tree = parseRuby('Post.where(id: 1).each { |p| p.comments.count }\n');
    tree.delete();
    const call = tree.rootNode.descendantsOfType('call').map((c) => c.childForFieldName('method')?.text);
    assert.deepEqual(call, ['each', 'where', 'count', 'comments']);
  });
});
