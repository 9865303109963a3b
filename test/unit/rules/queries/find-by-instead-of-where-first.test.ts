import { before, describe, test } from 'node:test';
import { effectiveSeverity } from '../../../../server/src/core/engine';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/queries/find-by-instead-of-where-first';
import { appFacts, at, initParsers } from '../../../helpers/ruleTester';
import { BLOG, applyFixToApp, check } from '../../../helpers/queryApp';

before(initParsers);

const FILE = 'app/models/session_lookup.rb';
const code = (body: string) => `class SessionLookup\n  def call(email)\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n  end\nend\n`;
const run = (text: string) => check(rule, { ...BLOG, [FILE]: text }, FILE);

describe('queries/find-by-instead-of-where-first', () => {
  test('style, not a hazard: off unless enabled in .rails-hazards.yml', () => {
    assert.equal(effectiveSeverity(rule, appFacts()), 'off');
    assert.equal(effectiveSeverity(rule, appFacts({ config: { ...appFacts().config, rules: { [rule.meta.id]: 'info' } } })), 'info');
  });

  test('where(...).first: unsafe fix (first orders by id); where(...).take: safe fix', () => {
    const text = code('User.where(email: email).first\nUser.where("lower(email) = ?", email).take');
    const findings = run(text);
    assert.deepEqual(findings.map(at), [
      { rule: 'queries/find-by-instead-of-where-first', line: 3, column: 10 },
      { rule: 'queries/find-by-instead-of-where-first', line: 4, column: 10 },
    ]);
    assert.match(findings[0].message, /`where\(email: email\)\.first` adds ORDER BY User's primary key/);
    assert.deepEqual(findings.map((f) => f.fixes[0].safety), ['unsafe', 'safe']);
    let fixed = applyFixToApp({ [FILE]: text }, findings[1].fixes[0])[FILE];
    fixed = applyFixToApp({ [FILE]: fixed }, findings[0].fixes[0])[FILE];
    assert.equal(fixed, code('User.find_by(email: email)\nUser.find_by("lower(email) = ?", email)'));
    assert.deepEqual(run(fixed), []);
  });

  test('an ordered relation keeps its order with find_by: safe', () => {
    const [f] = run(code('Post.order(created_at: :desc).where(author_id: 1).first'));
    assert.equal(f.fixes[0].safety, 'safe');
  });

  test('near misses: first(3), where without arguments, arrays, unknown receivers, find_by', () => {
    assert.deepEqual(run(code('User.where(email: email).first(3)\nUser.where.not(email: nil).first\nitems.where(x: 1).first\n[1].first\nUser.find_by(email: email)')), []);
  });
});
