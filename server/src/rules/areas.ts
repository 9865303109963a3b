import { RULE_AREAS } from '../core/rule';
import { allRules } from '.';

/** Rules on by default per area, in the registry's area order: `{ migrations: 44, …, redis: 4 }` (for the status item). */
export function rulesByArea(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const area of RULE_AREAS) out[area] = allRules.filter((r) => r.meta.id.startsWith(`${area}/`) && r.meta.enabledByDefault !== false).length;
  return out;
}
