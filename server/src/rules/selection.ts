// The rules `rails-hazards check` runs: every registered rule, unless the hidden, bench-only
// RAILS_HAZARDS_BENCH_AREAS names the areas to keep ("none" for no rules at all). `npm run bench`
// uses it for its pack ablation table; it is not a user setting (`.rails-hazards.yml` turns rules off).
import { RULE_AREAS } from '../core/rule';
import type { Rule } from '../core/rule';
import { allRules } from '.';

export const BENCH_AREAS_ENV = 'RAILS_HAZARDS_BENCH_AREAS';

export function checkRules(env: NodeJS.ProcessEnv = process.env): readonly Rule[] {
  const spec = env[BENCH_AREAS_ENV];
  if (spec === undefined || spec === '') return allRules;
  const areas = new Set(spec.split(',').map((a) => a.trim()).filter((a) => a !== '' && a !== 'none'));
  for (const area of areas) {
    if (!(RULE_AREAS as readonly string[]).includes(area)) throw new Error(`${BENCH_AREAS_ENV}: unknown area "${area}"`);
  }
  return allRules.filter((r) => areas.has(r.meta.id.slice(0, r.meta.id.indexOf('/'))));
}
