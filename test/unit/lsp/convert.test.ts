import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BEHAVIOUR_CHANGE, fixToCodeAction, toDiagnostic } from '../../../server/src/lsp/convert';
import type { Fix } from '../../../server/src/core/types';
import { findingHoverMarkdown } from '../../../server/src/lsp/findingHover';

const range = { start: { line: 2, character: 4 }, end: { line: 2, character: 8 } };
const unsafe: Fix = {
  title: 'Use `find_each` (batches of 1000, ordered by id)', safety: 'unsafe',
  changes: 'find_each iterates in primary-key order and returns nil instead of the records',
  edits: [{ file: '/app/jobs/x_job.rb', range, newText: 'find_each' }],
};

describe('findings → diagnostics', () => {
  test('the message is the headline as plain text: code spans lose their backticks (editors show them literally)', () => {
    const d = toDiagnostic({
      ruleId: 'queries/association-in-loop', severity: 'warning', file: '/app/views/posts/index.html.erb', range, fixes: [],
      message: '`post.author` runs one query per post (N+1): preload it', headline: '`post.author` runs one query per post (N+1)',
    });
    assert.equal(d.message, 'post.author runs one query per post (N+1)');
  });

  test('a finding that crosses a method boundary carries each hop as related information and as hover evidence', () => {
    const hop = { start: { line: 12, character: 2 }, end: { line: 12, character: 2 } };
    const finding = {
      ruleId: 'queries/association-in-loop', severity: 'warning' as const, file: '/app/jobs/digest_job.rb', range, fixes: [],
      message: '`post.byline` reads `author` in `Post#byline`: one query per post', headline: '`post.byline` reads `author` in `Post#byline`', detail: 'Preload it.',
      related: [{ file: '/app/models/post.rb', range: hop, message: '`Post#byline` reads `author` (app/models/post.rb:13)' }],
    };
    assert.deepEqual(toDiagnostic(finding).relatedInformation, [
      { location: { uri: 'file:///app/models/post.rb', range: hop }, message: 'Post#byline reads author (app/models/post.rb:13)' }]);
    assert.equal(findingHoverMarkdown([finding]),
      '**`post.byline` reads `author` in `Post#byline`** (queries/association-in-loop)\n\nPreload it.\n\nEvidence:\n- `Post#byline` reads `author` (app/models/post.rb:13)');
    assert.equal(toDiagnostic({ ...finding, related: undefined }).relatedInformation, undefined);
  });
});

describe('fixes → code actions', () => {
  test('an unsafe fix carries a change annotation that needs confirmation, and no "(unsafe)" in its title', () => {
    const action = fixToCodeAction(unsafe, undefined, () => 3, false, true);
    assert.equal(action.title, 'Use `find_each` (batches of 1000, ordered by id)');
    const annotation = action.edit?.changeAnnotations?.[BEHAVIOUR_CHANGE];
    assert.equal(annotation?.needsConfirmation, true);
    assert.match(annotation?.label ?? '', /primary-key order/);
    const change = action.edit?.documentChanges?.[0] as { edits: { annotationId?: string; newText: string }[] };
    assert.deepEqual(change.edits.map((e) => [e.newText, e.annotationId]), [['find_each', BEHAVIOUR_CHANGE]]);
  });

  test('clients without change-annotation support get the "(unsafe)" title; safe fixes are never annotated', () => {
    assert.equal(fixToCodeAction(unsafe, undefined, () => 3, false, false).title, 'Use `find_each` (batches of 1000, ordered by id) (unsafe)');
    assert.equal(fixToCodeAction(unsafe, undefined, () => 3, false).edit?.changeAnnotations, undefined);
    const safe = fixToCodeAction({ ...unsafe, safety: 'safe' }, undefined, () => 3, true, true);
    assert.equal(safe.edit?.changeAnnotations, undefined);
    assert.equal(safe.title, 'Use `find_each` (batches of 1000, ordered by id)');
  });
});
