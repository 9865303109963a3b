import type { Rule } from '../../core/rule';
import dbPoolBelowConcurrency from './db-pool-below-concurrency';
import httpWithoutTimeout from './http-without-timeout';

/** Capacity rules, sorted by id. */
export const capacityRules: Rule[] = [
  dbPoolBelowConcurrency,
  httpWithoutTimeout,
];
