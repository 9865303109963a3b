// Rule runs for the Redis rules: the file kind from the path, locked gem versions, and app-wide clients.
import assert from 'node:assert/strict';
import type { Rule } from '../../server/src/core/rule';
import type { Finding } from '../../server/src/core/types';
import { fileKindOf } from '../../server/src/core/fileKind';
import { parseRuby } from '../../server/src/parsing/treeSitter';
import { REDIS_APP_CLIENTS_KEY, type RedisAppClients } from '../../server/src/redis/clients';
import { applyFix, appFacts, run } from './ruleTester';

export interface RedisAppOptions { gems?: Record<string, string>; clients?: RedisAppClients }

export function redisApp(options: RedisAppOptions = {}) {
  const facts = appFacts({ gems: new Map(Object.entries(options.gems ?? {})) });
  if (options.clients) facts.shared.set(REDIS_APP_CLIENTS_KEY, { get: () => options.clients });
  return facts;
}

export function checkRedis(rule: Rule, code: string, file: string, options: RedisAppOptions = {}): Finding[] {
  return run(rule, code, { file, kind: fileKindOf(file) ?? 'ruby', app: redisApp(options) });
}

/** 0-based line and column of each finding, with its severity. */
export function where(findings: Finding[]): [number, number, string][] {
  return findings.map((f) => [f.range.start.line, f.range.start.character, f.severity]);
}

/** The whole file after the finding's first fix; asserts the result parses. */
export function fixed(code: string, finding: Finding, file: string): string {
  assert.ok(finding.fixes.length > 0, 'the finding has a fix');
  const text = applyFix(code, finding.fixes[0], file);
  const tree = parseRuby(text);
  try { assert.equal(tree.rootNode.hasError, false, `the fixed text parses:\n${text}`); } finally { tree.delete(); }
  return text;
}

