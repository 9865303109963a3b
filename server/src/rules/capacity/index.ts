import type { Rule } from '../../core/rule';
import dbPoolBelowConcurrency from './db-pool-below-concurrency';

/** Capacity rules, sorted by id. */
export const capacityRules: Rule[] = [
  dbPoolBelowConcurrency,
];
