// The `queries:` section of .rails-hazards.yml.
import { globToRegExp, registerSectionValidator } from '../config/config';
import type { AppFacts } from '../core/appFacts';

export interface QueriesConfig {
  /** Extra globs (relative to the app root) of code that runs offline: one-off tasks, imports, CLIs. */
  offlinePaths: string[];
  /** Models (or tables) that grow: loops over every row of them are unbounded even if they belong to nothing. */
  largeTables: string[];
  /** Models (or tables) that stay small: loops over every row of them are of unknown size, not unbounded. */
  smallTables: string[];
}

const LISTS = ['offlinePaths', 'largeTables', 'smallTables'] as const;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function validateQueriesSection(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['"queries" must be a mapping (offlinePaths, largeTables, smallTables)'];
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'offlinePaths') {
      if (!isStrings(v)) problems.push('queries.offlinePaths must be a list of glob patterns');
    } else if (key === 'largeTables' || key === 'smallTables') {
      if (!isStrings(v)) problems.push(`queries.${key} must be a list of model or table names`);
    } else problems.push(`Unknown setting "queries.${key}"`);
  }
  return problems;
}
registerSectionValidator('queries', validateQueriesSection);

export function queriesConfig(app: AppFacts): QueriesConfig {
  const raw = app.config.sections.queries as Record<string, unknown> | undefined;
  const list = (key: typeof LISTS[number]): string[] => (raw && isStrings(raw[key]) ? raw[key] as string[] : []);
  return { offlinePaths: list('offlinePaths'), largeTables: list('largeTables'), smallTables: list('smallTables') };
}

/** The configured offline globs as regular expressions over app-relative paths. */
export function offlinePatterns(app: AppFacts): RegExp[] {
  return queriesConfig(app).offlinePaths.map((g) => globToRegExp(g.replace(/^\.?\//, '')));
}
