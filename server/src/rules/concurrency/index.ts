import type { Rule } from '../../core/rule';

/** Concurrency rules, sorted by id. */
export const concurrencyRules: Rule[] = [
];
