import type { Rule } from '../../core/rule';

/** Redis rules, sorted by id. */
export const redisRules: Rule[] = [
];
