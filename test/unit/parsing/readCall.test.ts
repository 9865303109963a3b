// readCall: how a call's arguments are read, which every rule relies on for options such as `dependent:`.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParsers } from '../../helpers/ruleTester';
import { parseRuby } from '../../../server/src/parsing/treeSitter';
import { readCall } from '../../../server/src/parsing/ruby';

before(initParsers);

function optionsOf(source: string): { args: string[]; keywords: string[] } {
  const tree = parseRuby(source);
  try {
    const call = readCall(tree.rootNode.namedChildren[0]!)!;
    return { args: call.args.map((a) => a.text), keywords: [...call.keywords.keys()] };
  } finally {
    tree.delete();
  }
}

describe('readCall arguments', () => {
  test('a trailing `{ … }` literal of pairs is keyword options, as Rails DSLs read it', () => {
    assert.deepEqual(optionsOf('has_many :comments, { dependent: :destroy, inverse_of: :post }\n').keywords, ['dependent', 'inverse_of']);
    assert.deepEqual(optionsOf('has_many :comments, dependent: :destroy\n').keywords, ['dependent']);
  });

  test('near misses: a hash that is not the last argument, or holds a splat, is a plain argument', () => {
    const notLast = optionsOf('validate_all({ presence: true }, :name)\n');
    assert.deepEqual(notLast.keywords, []);
    assert.deepEqual(notLast.args, ['{ presence: true }', ':name']);
    assert.deepEqual(optionsOf('render({ **defaults })\n').keywords, []);
  });
});
