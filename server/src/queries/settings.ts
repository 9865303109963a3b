// The `queries:` section of .rails-hazards.yml.
import { globToRegExp, registerSectionValidator } from '../config/config';
import type { AppFacts } from '../core/appFacts';

export interface QueriesConfig {
  /** Extra globs (relative to the app root) of code that runs offline: one-off tasks, imports, CLIs. */
  offlinePaths: string[];
}

export function validateQueriesSection(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['"queries" must be a mapping (offlinePaths)'];
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'offlinePaths') {
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) problems.push('queries.offlinePaths must be a list of glob patterns');
    } else problems.push(`Unknown setting "queries.${key}"`);
  }
  return problems;
}
registerSectionValidator('queries', validateQueriesSection);

export function queriesConfig(app: AppFacts): QueriesConfig {
  const raw = app.config.sections.queries as Record<string, unknown> | undefined;
  const paths = raw && Array.isArray(raw.offlinePaths) && raw.offlinePaths.every((x) => typeof x === 'string') ? raw.offlinePaths as string[] : [];
  return { offlinePaths: paths };
}

/** The configured offline globs as regular expressions over app-relative paths. */
export function offlinePatterns(app: AppFacts): RegExp[] {
  return queriesConfig(app).offlinePaths.map((g) => globToRegExp(g.replace(/^\.?\//, '')));
}
