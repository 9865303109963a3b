import type { Rule } from '../../core/rule';
import floatingRuntimeGem from './floating-runtime-gem';
import uninvitedMajor from './uninvited-major';

/** Dependency (Gemfile.lock) rules, sorted by id. */
export const dependencyRules: Rule[] = [
  floatingRuntimeGem,
  uninvitedMajor,
];
