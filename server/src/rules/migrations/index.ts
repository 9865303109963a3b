import type { Rule } from '../../core/rule';
import addIndexNonConcurrent from './add-index-non-concurrent';

/** Migration rules, sorted by id. */
export const migrationRules: Rule[] = [
  addIndexNonConcurrent,
];
