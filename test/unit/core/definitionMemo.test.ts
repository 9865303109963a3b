// The per-definition memo: a keystroke's re-parse reads again only the definitions whose text, start or enclosing
// class changed, and what it hands back is what a fresh read would give.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRuby, type Node, type Tree } from '../../../server/src/parsing/treeSitter';
import { definitionMemoSize, memoByDefinition, useDefinitionMemo } from '../../../server/src/core/definitionMemo';
import { returnSummaryOf } from '../../../server/src/queries/methodReturns';
import { extractBody } from '../../../server/src/callbacks/facts';
import { initParsers } from '../../helpers/ruleTester';

before(initParsers);
after(() => useDefinitionMemo(undefined));

const FILE = '/app/app/models/post.rb';

function defs(tree: Tree): Node[] {
  return tree.rootNode.descendantsOfType('method');
}

const model = (name: string, lead = '', second = '    where(published: true)') => [
  `class ${name} < ApplicationRecord`,
  lead + '  def recent',
  '    @recent = Post.where(draft: false)',
  '    @recent.order(:created_at)',
  '  end',
  '',
  '  def published',
  second,
  '  end',
  'end',
  '',
].join('\n');

/** Reads every def of `text` through the memo as `kind`, counting the reads that were computed. */
function readAll(text: string, kind = 'test'): { computed: string[]; values: string[] } {
  const tree = parseRuby(text);
  const computed: string[] = [];
  const values = defs(tree).map((def) => memoByDefinition(kind, def, FILE, '', () => {
    computed.push(def.childForFieldName('name')!.text);
    return `${def.childForFieldName('name')!.text}@${def.startPosition.row}`;
  }));
  return { computed, values };
}

describe('memoByDefinition', () => {
  test('without the across-trees memo, each tree reads each definition once', () => {
    useDefinitionMemo(undefined);
    const tree = parseRuby(model('Post'));
    let reads = 0;
    const def = defs(tree)[0];
    memoByDefinition('once', def, FILE, '', () => ++reads);
    memoByDefinition('once', def, FILE, '', () => ++reads);
    assert.equal(reads, 1);
    assert.deepEqual(readAll(model('Post'), 'off').computed, ['recent', 'published']);
    assert.deepEqual(readAll(model('Post'), 'off').computed, ['recent', 'published']);
  });

  test('a second tree with one method edited reads only that method again', () => {
    useDefinitionMemo(1_000_000);
    assert.deepEqual(readAll(model('Post')).computed, ['recent', 'published']);
    const edited = readAll(model('Post', '', '    where(published: true).limit(5)'));
    assert.deepEqual(edited.computed, ['published']);
    assert.deepEqual(edited.values, ['recent@1', 'published@6']);
  });

  test('a line inserted above moves the definitions below it, which are read again at their new start', () => {
    useDefinitionMemo(1_000_000);
    readAll(model('Post'));
    const moved = readAll(model('Post', '  # a comment\n'));
    assert.deepEqual(moved.computed, ['recent', 'published']);
    assert.deepEqual(moved.values, ['recent@2', 'published@7']);
  });

  test('renaming the class reads its methods again (chains name their class)', () => {
    useDefinitionMemo(1_000_000);
    readAll(model('Post'));
    assert.deepEqual(readAll(model('Article')).computed, ['recent', 'published']);
  });

  test('renaming the method around a block (a `define_method` body) reads the block again', () => {
    useDefinitionMemo(1_000_000);
    const blockIn = (method: string) => parseRuby(`class Post < ApplicationRecord\n  def self.${method}\n    define_method(:recent) do\n      where(draft: false)\n    end\n  end\nend\n`)
      .rootNode.descendantsOfType('do_block')[0];
    let reads = 0;
    memoByDefinition('block', blockIn('has_recent'), FILE, '', () => ++reads);
    memoByDefinition('block', blockIn('has_recent'), FILE, '', () => ++reads);
    assert.equal(reads, 1);
    memoByDefinition('block', blockIn('with_recent'), FILE, '', () => ++reads);
    assert.equal(reads, 2);
  });

  test('another context (the parameters a caller passes) is another entry', () => {
    useDefinitionMemo(1_000_000);
    const def = defs(parseRuby(model('Post')))[0];
    const again = defs(parseRuby(model('Post')))[0];
    assert.equal(memoByDefinition('ctx', def, FILE, 'a', () => 'a'), 'a');
    assert.equal(memoByDefinition('ctx', again, FILE, 'b', () => 'b'), 'b');
    assert.equal(memoByDefinition('ctx', again, FILE, 'a', () => 'recomputed'), 'a');
  });

  test('the memo keeps about its bound of definition text, dropping the least recently used', () => {
    useDefinitionMemo(400);
    for (let i = 0; i < 20; i++) readAll(model(`Post${i}`));
    assert.ok(definitionMemoSize() > 0);
    assert.ok(definitionMemoSize() <= 6, `kept ${definitionMemoSize()} entries`);
  });
});

describe('the readers that use it', () => {
  test('a return summary follows an ivar assigned in another method, though the method itself did not change', () => {
    useDefinitionMemo(1_000_000);
    const summary = (text: string) => returnSummaryOf(defs(parseRuby(text))[0], FILE);
    // @recent assigned only in `recent`: read like a local, so the chain starts at Post.
    assert.equal(summary(model('Post'))?.chains[0].root.kind, 'const');
    // Another method assigns @recent too: the same `recent` now returns whatever @recent holds (unknown here).
    const other = summary(model('Post', '', '    @recent = nil'));
    assert.notEqual(other?.chains[0]?.root.kind, 'const');
  });

  test('callback facts of a method edited between two trees are read from the new text', () => {
    useDefinitionMemo(1_000_000);
    const facts = (text: string) => extractBody(defs(parseRuby(text))[1], FILE, []).calls.map((c) => c.method);
    assert.ok(facts(model('Post')).includes('where'));
    assert.ok(facts(model('Post', '', '    Faraday.post(url)')).includes('post'));
  });
});
