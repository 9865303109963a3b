import type { Rule } from '../../core/rule';
import lostUpdate from './lost-update';
import uniquenessWithoutIndex from './uniqueness-without-index';

/** Concurrency rules, sorted by id. */
export const concurrencyRules: Rule[] = [
  lostUpdate,
  uniquenessWithoutIndex,
];
