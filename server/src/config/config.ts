// `.rails-hazards.yml` at an app root. Invalid input yields notices and the defaults; never a throw.
import { parseDocument } from 'yaml';
import type { FileNotice, Range, SeveritySetting } from '../core/types';
import { isSafeGitRef } from '../lockfile/facts';

export interface HazardsConfig {
  database: { adapter?: string; version?: string };
  rules: Record<string, SeveritySetting>;
  migrations: { startAfter?: string; respectSafetyAssured: boolean; audit?: boolean; baseRef?: string; paths?: string[] };
  exclude: string[];
  /** Sections owned by rule packs (dependencies, callbacks, queries): validated by their packs. */
  sections: Record<string, unknown>;
}

export const CONFIG_FILE_NAME = '.rails-hazards.yml';
const SEVERITY_SETTINGS = ['off', 'hint', 'info', 'warning', 'error'];
const PACK_SECTIONS = ['dependencies', 'callbacks', 'queries'];
const MIGRATIONS_KEYS = ['startAfter', 'respectSafetyAssured', 'audit', 'baseRef', 'paths'];
const ADAPTERS = ['postgresql', 'postgis', 'mysql', 'mysql2', 'trilogy', 'mariadb', 'sqlite', 'sqlite3'];

/** Packs validate their own section (`callbacks:`, `queries:`…); each message becomes a notice on the key. */
export type SectionValidator = (value: unknown) => string[];
const sectionValidators = new Map<string, SectionValidator>();
export function registerSectionValidator(section: string, validate: SectionValidator): void {
  sectionValidators.set(section, validate);
}

export function defaultConfig(): HazardsConfig {
  return { database: {}, rules: {}, migrations: { respectSafetyAssured: true }, exclude: [], sections: {} };
}

export function parseConfig(text: string, file: string): { config: HazardsConfig; notices: FileNotice[] } {
  const config = defaultConfig();
  const notices: FileNotice[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const rangeAt = (offset: number | undefined): Range => {
    let line = 0;
    const o = offset ?? 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1] <= o) line++;
    const endOfLine = (lineStarts[line + 1] ?? text.length + 1) - 1;
    return { start: { line, character: o - lineStarts[line] }, end: { line, character: Math.max(o, endOfLine) - lineStarts[line] } };
  };
  const problem = (message: string, offset?: number): void => {
    notices.push({ file, range: rangeAt(offset), message: `${message} (${CONFIG_FILE_NAME}: using the default instead)` });
  };

  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors.slice(0, 5)) problem(`Invalid YAML: ${e.message.split('\n')[0]}`, e.pos?.[0]);
    return { config, notices };
  }
  const root = doc.contents as unknown as { items?: { key: { value: unknown; range?: number[] }; value: unknown }[] } | null;
  if (root === null || root === undefined) return { config, notices };
  const data = doc.toJS() as unknown;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problem('The file must be a mapping of settings');
    return { config, notices };
  }
  const offsetOf = (key: string): number | undefined =>
    root.items?.find((i) => i.key?.value === key)?.key?.range?.[0];

  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const at = offsetOf(key);
    switch (key) {
      case 'database': {
        if (!isMap(value)) { problem('"database" must be a mapping with adapter and version', at); break; }
        if (value.adapter !== undefined) {
          if (typeof value.adapter === 'string' && ADAPTERS.includes(value.adapter)) config.database.adapter = value.adapter;
          else problem(`database.adapter must be one of ${ADAPTERS.join(', ')}`, at);
        }
        if (value.version !== undefined) {
          const v = String(value.version);
          if (/^\d+(\.\d+){0,2}$/.test(v)) config.database.version = v;
          else problem(`database.version "${v}" is not a version like "16", "14.2" or "8.0.36"`, at);
        }
        break;
      }
      case 'rules': {
        if (!isMap(value)) { problem('"rules" must map rule ids to off|hint|info|warning|error', at); break; }
        for (const [id, sev] of Object.entries(value)) {
          const s = sev === false ? 'off' : sev;
          if (typeof s === 'string' && SEVERITY_SETTINGS.includes(s)) config.rules[id] = s as SeveritySetting;
          else problem(`rules."${id}" must be one of ${SEVERITY_SETTINGS.join(', ')}`, at);
        }
        break;
      }
      case 'migrations': {
        if (!isMap(value)) { problem('"migrations" must be a mapping', at); break; }
        if (value.startAfter !== undefined) {
          const v = startAfterValue(value.startAfter);
          if (v !== undefined) config.migrations.startAfter = v;
          else problem(`migrations.startAfter must be a 14-digit migration version or 0 (every migration), got ${JSON.stringify(value.startAfter)}`, at);
        }
        if (value.audit !== undefined) {
          if (typeof value.audit === 'boolean') config.migrations.audit = value.audit;
          else problem('migrations.audit must be true or false', at);
        }
        if (value.baseRef !== undefined) {
          if (typeof value.baseRef === 'string' && isSafeGitRef(value.baseRef)) config.migrations.baseRef = value.baseRef;
          else problem(`migrations.baseRef must be a branch, tag or commit, got ${JSON.stringify(value.baseRef)}`, at);
        }
        if (value.paths !== undefined) {
          if (Array.isArray(value.paths) && value.paths.every((p) => typeof p === 'string')) config.migrations.paths = value.paths as string[];
          else problem('migrations.paths must be a list of folders relative to the app root', at);
        }
        for (const k of Object.keys(value)) if (!MIGRATIONS_KEYS.includes(k)) problem(`Unknown setting "migrations.${k}"`, at);
        if (value.respectSafetyAssured !== undefined) {
          if (typeof value.respectSafetyAssured === 'boolean') config.migrations.respectSafetyAssured = value.respectSafetyAssured;
          else problem('migrations.respectSafetyAssured must be true or false', at);
        }
        break;
      }
      case 'exclude': {
        if (Array.isArray(value) && value.every((g) => typeof g === 'string')) config.exclude = value as string[];
        else problem('"exclude" must be a list of glob patterns', at);
        break;
      }
      default:
        if (PACK_SECTIONS.includes(key)) {
          config.sections[key] = value;
          for (const message of sectionValidators.get(key)?.(value) ?? []) problem(message, at);
        } else problem(`Unknown setting "${key}"`, at);
    }
  }
  return { config, notices };
}

/** `0` or "0" means every migration; a 14-digit version may be a number or a string (underscores allowed). */
function startAfterValue(v: unknown): string | undefined {
  if (typeof v !== 'number' && typeof v !== 'string') return undefined;
  if (typeof v === 'number' && !Number.isSafeInteger(v)) return undefined;
  const digits = String(v).replace(/_/g, '');
  if (/^0+$/.test(digits)) return '0';
  return /^\d{14}$/.test(digits) ? digits : undefined;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Minimal glob matching for `exclude`: `**`, `*`, `?`, relative to the app root. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') { re += '.*'; i++; if (glob[i + 1] === '/') i++; }
      else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
