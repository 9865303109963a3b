import type { Rule } from '../../core/rule';

/** Background job rules, sorted by id. */
export const jobRules: Rule[] = [
];
