import type { Rule } from '../../core/rule';

/** Capacity rules, sorted by id. */
export const capacityRules: Rule[] = [
];
