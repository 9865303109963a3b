// An app-wide fact built from per-file summaries is derived again only when a summary changed: an edit to a
// file that contributes nothing (a model edited while the migration helpers or Redis clients are asked for)
// keeps the derived fact.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FileSummaries } from '../../../server/src/project/fileSummaries';

describe('file summaries', () => {
  test('derives again after a contributing file changes, not after a file that contributes nothing', () => {
    const texts = new Map([['a.rb', 'def helper'], ['b.rb', 'class Post'], ['c.rb', '']]);
    let derived = 0;
    const facts = new FileSummaries<string, string[]>(
      () => texts.keys(),
      (file) => (texts.get(file)?.startsWith('def') ? `${file}: ${texts.get(file)}` : undefined),
      (summaries) => { derived++; return [...summaries]; },
    );
    assert.deepEqual(facts.get(), ['a.rb: def helper']);
    assert.equal(derived, 1);

    texts.set('b.rb', 'class Post; end');
    facts.changed('b.rb');
    assert.deepEqual(facts.get(), ['a.rb: def helper']);
    assert.equal(derived, 1, 'b.rb contributed nothing before and after');

    texts.set('a.rb', 'def helper2');
    facts.changed('a.rb');
    assert.deepEqual(facts.get(), ['a.rb: def helper2']);
    assert.equal(derived, 2);

    texts.set('c.rb', 'def other');
    facts.changed('c.rb');
    assert.deepEqual(facts.get(), ['a.rb: def helper2', 'c.rb: def other'], 'a file that starts contributing');
    texts.set('a.rb', 'gone');
    facts.changed('a.rb');
    assert.deepEqual(facts.get(), ['c.rb: def other'], 'a file that stops contributing');
    assert.equal(derived, 4);
  });
});
