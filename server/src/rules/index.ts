// The registry: every rule of every pack. Packs own their index files, so adding a rule touches
// only its pack.
import type { Rule } from '../core/rule';
import { callbackRules } from './callbacks';
import { capacityRules } from './capacity';
import { concurrencyRules } from './concurrency';
import { dependencyRules } from './dependencies';
import { jobRules } from './jobs';
import { migrationRules } from './migrations';
import { queryRules } from './queries';
import { redisRules } from './redis';

export const allRules: readonly Rule[] = [
  ...migrationRules,
  ...dependencyRules,
  ...callbackRules,
  ...queryRules,
  ...capacityRules,
  ...redisRules,
  ...concurrencyRules,
  ...jobRules,
];

const byId = new Map(allRules.map((r) => [r.meta.id, r]));

export function ruleById(id: string): Rule | undefined {
  return byId.get(id);
}
