// V8's tier-up budget (scripts/tierUp.cjs) is set before any of the tool's code loads: it is the bundle's first
// statement, and the flag it picks exists in the running V8 (an unknown flag prints "unrecognized flag" on stderr,
// and passed on a command line it stops node: what happened to the server under Node 24's V8).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const TIER_UP = path.join(REPO, 'scripts', 'tierUp.cjs');
const BUNDLE = path.join(REPO, 'dist', 'rails-hazards.js');

describe('V8 tier-up budget', () => {
  test('the flag it sets is one this V8 knows: nothing on stderr', () => {
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(TIER_UP)}); console.log('loaded')`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'loaded\n');
  });

  test('the bundle starts with it and stays in strict mode', () => {
    const bundle = fs.readFileSync(BUNDLE, 'utf8');
    assert.ok(bundle.startsWith(fs.readFileSync(TIER_UP, 'utf8')), 'scripts/tierUp.cjs is the first thing the bundle runs');
    const firstStatement = bundle.split('\n').find((line) => line.trim() !== '' && !line.trim().startsWith('//'));
    assert.match(firstStatement ?? '', /^'use strict';/, 'the directive comes before any statement, or the whole bundle would run in sloppy mode');
  });
});
