// config/database.yml → the adapter and the production pools, without evaluating its ERB.
import { isMap, isScalar, parse, parseDocument, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { Range } from '../core/types';
import type { ThreadCount } from '../capacity/threadCount';
import { countOfScalar, isMergeKey, keysOf, lookup, mapAt, parseErbYaml, positionAt, scalarRange } from './erbYaml';
import type { AdapterName, Sourced } from '../core/appFacts';
import { normalizeAdapter } from '../migrations/gating';
import { compareVersionStrings } from '../lockfile/gemVersion';

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

/**
 * The adapter a schema dump was written by, when database.yml is not in the repository (it often is not): MySQL's
 * dumper writes table options (`options: "ENGINE=InnoDB …"`, `charset: "utf8mb4"`), PostgreSQL's enables plpgsql, and
 * a structure.sql says which server dumped it. Undefined when the text shows neither.
 */
export function adapterFromSchemaDump(text: string, file: string): Sourced<AdapterName> | undefined {
  if (/^\s*create_table\b[^\n]*\b(options:\s*["']ENGINE=|charset:\s*["'])/m.test(text) || /^\s*\)\s*ENGINE=\w+/m.test(text)
    || /^--\s*MySQL dump\b/m.test(text)) {
    return { value: 'mysql', source: `${file} (MySQL table options)` };
  }
  if (/^\s*enable_extension\s+["']plpgsql["']/m.test(text) || /^--\s*PostgreSQL database dump\b/m.test(text) || /^SET\s+search_path\s*=/m.test(text)) {
    return { value: 'postgresql', source: `${file} (PostgreSQL ${file.endsWith('.sql') ? 'dump' : 'plpgsql extension'})` };
  }
  return undefined;
}

/** Adapter gems of a lockfile (`pg`, `mysql2`/`trilogy`, `sqlite3`): the adapter when exactly one kind is bundled. */
export function adapterFromLockedGems(gems: ReadonlyMap<string, string>): Sourced<AdapterName> | undefined {
  const kinds = new Map<AdapterName, string>();
  for (const [gem, adapter] of [['pg', 'postgresql'], ['mysql2', 'mysql'], ['trilogy', 'mysql'], ['sqlite3', 'sqlite']] as const) {
    if (gems.has(gem) && !kinds.has(adapter)) kinds.set(adapter, gem);
  }
  if (kinds.size !== 1) return undefined;
  const [[value, gem]] = kinds;
  return { value, source: `Gemfile.lock (the only database adapter gem is ${gem})` };
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

// ---------------------------------------------------------------------------------------------------
// The database server version from the files that name the server an app runs against, without
// executing anything. A malformed file is ignored.

/** Reads a file relative to the app root; lists the file names of a directory relative to the app root. */
export interface VersionFileAccess {
  read(rel: string): string | undefined;
  list(relDir: string): string[];
}

const PG_IMAGES = /^(postgres|postgresql|postgis|pgvector|timescaledb|timescaledb-ha)$/;
const MYSQL_IMAGES = /^(mysql|mysql-server|mariadb|percona|percona-server)$/;

/**
 * `postgres:14-alpine` → "14", `postgis/postgis:15-3.4` → "15", `timescale/timescaledb:2.11.0-pg15` → "15",
 * `mysql:8.0` → "8.0"; undefined for another adapter's image, no tag, `latest` or an unresolved variable.
 */
export function versionFromImage(image: string, adapter: AdapterName): string | undefined {
  // `${PG_VERSION:-14}` runs as its default when the variable is unset.
  const resolved = image.trim().replace(/\$\{\w+:?-([^}]*)\}/g, '$1');
  if (resolved.includes('$')) return undefined;
  const ref = resolved.split('@')[0];
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  const [name, tag] = last.split(':');
  if (!tag) return undefined;
  const wantPg = adapter === 'postgresql' || adapter === 'unknown';
  if (wantPg && PG_IMAGES.test(name)) {
    const pg = /(?:^|-)pg(\d+(?:\.\d+)?)/.exec(tag)?.[1];
    if (pg) return pg;
    if (name.startsWith('timescaledb')) return undefined; // its leading number is TimescaleDB's own version
    return /^\d+(?:\.\d+){0,2}/.exec(tag)?.[0];
  }
  if (adapter === 'mysql' && MYSQL_IMAGES.test(name)) return /^\d+(?:\.\d+){0,2}/.exec(tag)?.[0];
  return undefined;
}

/** Every container image a compose file, devcontainer or CI config names (`image:`, service lists, `name:` in GitLab services). */
export function imagesIn(text: string): string[] {
  const doc = parseLenient(text);
  const images: string[] = [];
  // `services` is the direct container (a list of strings, a map of name → string) or one element
  // of a services list (GitLab's `{ name: postgres:12, alias: db }`).
  const walk = (value: unknown, key: string | undefined, inServices: boolean): void => {
    if (typeof value === 'string') {
      if (key === 'image' || (inServices && (key === undefined || key === 'name' || !/^(alias|entrypoint|command|variables)$/.test(key)))) images.push(value);
      return;
    }
    if (Array.isArray(value)) {
      for (const v of value) walk(v, undefined, key === 'services');
      return;
    }
    if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(v, k, key === 'services' || (inServices && key === undefined));
    }
  };
  walk(doc, undefined, false);
  return images;
}

function parseLenient(text: string): unknown {
  try {
    // devcontainer.json is JSONC: drop whole-line comments and block comments (URLs keep their `//`).
    const cleaned = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const doc = parseDocument(cleaned, { uniqueKeys: false, strict: false, logLevel: 'silent' } as never);
    return doc.errors.length ? undefined : doc.toJS();
  } catch {
    return undefined;
  }
}

/** `-- Dumped from database version 14.2 (Debian …)` (pg_dump) or `-- Server version	8.0.36` (mysqldump). */
export function versionFromStructureSql(text: string, adapter: AdapterName): string | undefined {
  const head = text.slice(0, 4000);
  if (adapter !== 'mysql') {
    const pg = /^--\s*Dumped from database version\s+(\d+(?:\.\d+)*)/m.exec(head)?.[1];
    if (pg) return pg;
  }
  if (adapter === 'mysql') return /^--\s*Server version\s+(\d+(?:\.\d+)*)/m.exec(head)?.[1];
  return undefined;
}

/** asdf/mise `.tool-versions`: `postgres 15.4`, `mysql 8.0.36`. */
export function versionFromToolVersions(text: string, adapter: AdapterName): string | undefined {
  const tools = adapter === 'mysql' ? /^(mysql|mariadb)$/ : adapter === 'sqlite' ? /^$/ : /^(postgres|postgresql)$/;
  for (const line of text.split(/\r?\n/)) {
    const [tool, version] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (tool && version && tools.test(tool)) {
      const v = /^\d+(?:\.\d+)*/.exec(version)?.[0];
      if (v) return v;
    }
  }
  return undefined;
}

interface Candidate { value: string; file: string; image?: string }

/** The lowest version of one tier; "lowest of …" is said when files or images disagree. */
function lowest(candidates: Candidate[], what: string): Sourced<string> | undefined {
  if (!candidates.length) return undefined;
  const sorted = [...candidates].sort((a, b) => compareVersionStrings(a.value, b.value));
  const first = sorted[0];
  const where = `${first.file}${first.image ? ` (${what} ${first.image})` : ''}`;
  const distinct = [...new Set(sorted.map((c) => c.value))];
  if (distinct.length === 1) return { value: first.value, source: where };
  const others = sorted.slice(1).filter((c) => c.value !== first.value).map((c) => `${c.value} in ${c.file}`);
  return { value: first.value, source: `${where}; the lowest: ${[...new Set(others)].join(', ')} disagree` };
}

const COMPOSE_FILE = /^(docker-)?compose([.-][\w.-]+)?\.ya?ml$/;

/**
 * The version from, in order: the structure.sql header, compose files (root and .devcontainer), CI
 * service images, .tool-versions. .rails-hazards.yml and StrongMigrations.target_version come first
 * and are applied by the caller.
 */
export function databaseVersionFromFiles(files: VersionFileAccess, adapter: AdapterName): Sourced<string> | undefined {
  if (adapter === 'sqlite') return undefined;
  const structure = files.read('db/structure.sql');
  const fromDump = structure !== undefined ? versionFromStructureSql(structure, adapter) : undefined;
  if (fromDump) return { value: fromDump, source: 'db/structure.sql header' };

  const imageCandidates = (rels: string[]): Candidate[] => {
    const out: Candidate[] = [];
    for (const rel of rels) {
      const text = files.read(rel);
      if (text === undefined) continue;
      for (const image of imagesIn(text)) {
        const value = versionFromImage(image, adapter);
        if (value) out.push({ value, file: rel, image });
      }
    }
    return out;
  };
  // The main compose file first, so that when files agree the source named is the one a reader expects.
  const main = (f: string) => (/^(docker-)?compose\.ya?ml$/.test(f) ? 0 : 1);
  const compose = [
    ...files.list('.').filter((f) => COMPOSE_FILE.test(f)).sort((a, b) => main(a) - main(b) || a.localeCompare(b)),
    ...files.list('.devcontainer').filter((f) => /\.(ya?ml|json)$/.test(f)).sort().map((f) => `.devcontainer/${f}`),
  ];
  const fromCompose = lowest(imageCandidates(compose), 'image');
  if (fromCompose) return fromCompose;

  const ci = [
    ...files.list('.github/workflows').filter((f) => /\.ya?ml$/.test(f)).map((f) => `.github/workflows/${f}`).sort(),
    '.gitlab-ci.yml', '.circleci/config.yml',
  ];
  const fromCi = lowest(imageCandidates(ci), 'service image');
  if (fromCi) return fromCi;

  const tools = files.read('.tool-versions');
  const fromTools = tools !== undefined ? versionFromToolVersions(tools, adapter) : undefined;
  if (fromTools) return { value: fromTools, source: '.tool-versions' };
  return undefined;
}

/** Files whose change can change the version read by databaseVersionFromFiles. */
export function isDatabaseVersionFile(rel: string): boolean {
  return rel === 'db/structure.sql' || rel === '.tool-versions' || rel === '.gitlab-ci.yml' || rel === '.circleci/config.yml'
    || COMPOSE_FILE.test(rel) || /^\.devcontainer\/[^/]+\.(ya?ml|json)$/.test(rel) || /^\.github\/workflows\/[^/]+\.ya?ml$/.test(rel);
}

// ---------------------------------------------------------------------------------------------------
// The connection pool of each production database (issue 16): aliases and `<<:` merges followed, ERB
// read as its default, Rails' default of 5 when a config sets no pool.

export interface DatabasePool {
  /** `primary`, `replica`, `queue`, …; `production` for a single-database app. */
  name: string;
  count: ThreadCount;
  /** The `pool:` value (an ERB tag whole), or the database's key when it sets no pool. */
  range: Range;
  /** No `pool:`: Rails' default 5; a fix inserts a `pool:` line here (the first key's line and indent). */
  missing?: { line: number; indent: string };
}

const RAILS_DEFAULT_POOL = 5;
const CONNECTION_KEYS = ['adapter', 'database', 'url', 'pool', 'host', 'username'];

export function productionPools(text: string): DatabasePool[] {
  const y = parseErbYaml(text);
  const root = y?.doc.contents;
  if (!y || !isMap(root)) return [];
  const production = mapAt(y, root, 'production');
  const productionKey = root.items.find((p) => isScalar(p.key) && p.key.value === 'production')?.key as YamlNode | undefined;
  if (!production || !productionKey) return [];
  const single = keysOf(y, production).some((k) => CONNECTION_KEYS.includes(k));
  const configs: { name: string; map: YAMLMap; key: YamlNode }[] = single
    ? [{ name: 'production', map: production, key: productionKey }]
    : production.items.flatMap((p) => {
      const map = isScalar(p.key) && !isMergeKey(p.key) ? mapAt(y, production, String(p.key.value)) : undefined;
      return map && isScalar(p.key) ? [{ name: String(p.key.value), map, key: p.key as YamlNode }] : [];
    });
  const pools: DatabasePool[] = [];
  for (const c of configs) {
    const pool = lookup(y, c.map, 'pool');
    if (pool) {
      pools.push({ name: c.name, count: countOfScalar(y, pool.value), range: scalarRange(y, pool.value) });
      continue;
    }
    const url = lookup(y, c.map, 'url');
    const inUrl = url && isScalar(url.value) && typeof url.value.value === 'string' ? /[?&]pool=(\d+)/.exec(url.value.value)?.[1] : undefined;
    if (inUrl) {
      pools.push({ name: c.name, count: { value: Number(inUrl), vars: [], expr: inUrl }, range: scalarRange(y, url!.value) });
      continue;
    }
    const first = c.map.items.find((p) => isScalar(p.key) && p.key.range);
    const keyRange = scalarRange(y, c.key);
    const missing = first && !c.map.flow && isScalar(first.key)
      ? { line: positionAt(text, first.key.range![0]).line, indent: ' '.repeat(positionAt(text, first.key.range![0]).character) }
      : undefined;
    pools.push({
      name: c.name, count: { value: RAILS_DEFAULT_POOL, vars: [], expr: String(RAILS_DEFAULT_POOL) }, range: keyRange,
      ...(missing ? { missing } : {}),
    });
  }
  return pools;
}
