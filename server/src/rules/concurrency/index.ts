import type { Rule } from '../../core/rule';
import uniquenessWithoutIndex from './uniqueness-without-index';

/** Concurrency rules, sorted by id. */
export const concurrencyRules: Rule[] = [
  uniquenessWithoutIndex,
];
