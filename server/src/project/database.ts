// config/database.yml → the adapter, without evaluating its ERB.
import { parse } from 'yaml';
import type { AdapterName, Sourced } from '../core/appFacts';
import { normalizeAdapter } from '../migrations/gating';

const ENV_ORDER = ['production', 'default', 'shared', 'development'];

export function adapterFromDatabaseYml(text: string): Sourced<AdapterName> | undefined {
  // ERB tags become placeholders: `<%= ENV.fetch("X") { 5 } %>` → a plain scalar.
  const yamlText = text.replace(/<%#[\s\S]*?%>/g, '').replace(/<%=?[\s\S]*?-?%>/g, 'erb');
  let data: unknown;
  try {
    data = parse(yamlText, { merge: true, uniqueKeys: false, strict: false, logLevel: 'silent' } as never);
  } catch {
    data = undefined;
  }
  const found = typeof data === 'object' && data !== null ? findAdapter(data as Record<string, unknown>) : undefined;
  const raw = found ?? /^\s*adapter:\s*["']?([\w-]+)/m.exec(yamlText)?.[1];
  if (!raw || raw === 'erb') return undefined;
  const adapter = normalizeAdapter(raw);
  return { value: adapter, source: `config/database.yml (adapter: ${raw})` };
}

function findAdapter(data: Record<string, unknown>): string | undefined {
  const envs = [...ENV_ORDER.filter((k) => k in data), ...Object.keys(data).filter((k) => !ENV_ORDER.includes(k))];
  for (const env of envs) {
    const section = data[env];
    if (typeof section !== 'object' || section === null) continue;
    const s = section as Record<string, unknown>;
    if (typeof s.adapter === 'string') return s.adapter;
    // Multiple databases: production: { primary: { adapter: … }, animals: { … } }.
    const primary = s.primary ?? Object.values(s).find((v) => typeof v === 'object' && v !== null && 'adapter' in (v as object));
    if (primary && typeof primary === 'object' && typeof (primary as Record<string, unknown>).adapter === 'string') {
      return (primary as Record<string, unknown>).adapter as string;
    }
    if (typeof s.url === 'string') {
      const scheme = /^(\w+):/.exec(s.url)?.[1];
      if (scheme) return scheme;
    }
  }
  return undefined;
}
