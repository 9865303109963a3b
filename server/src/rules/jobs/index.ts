import type { Rule } from '../../core/rule';
import enqueueInLoop from './enqueue-in-loop';

/** Background job rules, sorted by id. */
export const jobRules: Rule[] = [
  enqueueInLoop,
];
