import * as path from 'node:path';
import { defineRule, type RuleContext } from '../../core/rule';
import type { FileEdit, Fix } from '../../core/types';
import { namespaceOf, type ModelIndex, type ModelInfo } from '../../models/modelIndex';
import { tableSizes } from '../../queries/tableSize';
import { literalName, literalNames, nodeRange, readCall, type CallInfo } from '../../parsing/ruby';
import type { Node } from '../../parsing/treeSitter';
import { truthy } from '../../migrations/ruleKit';
import { camelize, nextVersion, snakeName, sym } from '../../migrations/gating';
import { compareMigrationVersions } from '../../migrations/model';
import { databaseOf, schemaOfDatabase } from '../../concurrency/modelDatabase';
import { coverage, type UniquenessNeed } from '../../concurrency/uniqueIndexes';
import type { Schema, SchemaTable } from '../../project/schema';

interface Validation {
  attribute: Node;
  options: Map<string, Node>;
}

/** Generated values: `token`, `auth_token`, `uuid`, `login_code`, `*_digest`. */
const RANDOM_COLUMN = /(^|_)(token|uuid|guid|digest|nonce|secret|code|challenge)$/;

export default defineRule({
  meta: {
    id: 'concurrency/uniqueness-without-index',
    description: 'A uniqueness validation without a unique index lets two concurrent saves both pass the check and insert duplicates.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['model'],
  },
  create(ctx) {
    return {
      end() {
        const models = ctx.app.models;
        const tree = ctx.tree;
        if (!models || !tree) return;
        const defined = models.definedIn(ctx.file);
        for (const klass of tree.rootNode.descendantsOfType('class')) {
          const name = klass?.childForFieldName('name');
          const model = name && defined.find((m) => m.kind === 'class' && m.location.line === name.startPosition.row && m.location.character === name.startPosition.column);
          const body = klass?.childForFieldName('body');
          if (!model || !body || !models.isModel(model) || models.parts(model).some((p) => p.abstract)) continue;
          const database = databaseOf(models, model);
          const schema = database ? schemaOfDatabase(ctx.app, database) : undefined;
          const tableName = models.tableName(model);
          const table = schema?.tables.get(tableName);
          if (!schema || !table) continue;
          for (const v of validations(body)) check(ctx, models, model, schema, table, v);
        }
      },
    };
  },
});

/** `validates :a, :b, uniqueness: …` and `validates_uniqueness_of :a, scope: …` directly in the class body. */
function validations(body: Node): Validation[] {
  const out: Validation[] = [];
  for (const stmt of body.namedChildren) {
    const call = stmt ? readCall(stmt) : null;
    if (!call || call.receiver) continue;
    let options: Map<string, Node> | undefined;
    if (call.name === 'validates' || call.name === 'validates!') {
      const uniqueness = call.keywords.get('uniqueness');
      if (!truthy(uniqueness)) continue;
      options = uniqueness!.type === 'hash' ? hashOptions(uniqueness!) : uniqueness!.type === 'true' ? new Map() : undefined;
      // `if:`/`unless:`/`on:` given to validates apply to the uniqueness check too.
      for (const k of ['if', 'unless', 'on']) if (call.keywords.has(k) && options) options.set(k, call.keywords.get(k)!);
    } else if (call.name === 'validates_uniqueness_of') {
      options = call.keywords;
    }
    if (!options) continue;
    for (const attribute of attributeNodes(call)) out.push({ attribute, options });
  }
  return out;
}

function attributeNodes(call: CallInfo): Node[] {
  return call.args.filter((a) => (a.type === 'simple_symbol' || a.type === 'string') && literalName(a) !== undefined);
}

function hashOptions(hash: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const pair of hash.namedChildren) {
    if (pair?.type !== 'pair') continue;
    const k = pair.childForFieldName('key');
    const v = pair.childForFieldName('value');
    const name = k ? (k.type === 'hash_key_symbol' ? k.text : literalName(k)) : undefined;
    if (name && v) out.set(name, v);
  }
  return out;
}

/** The columns a validated name or scope entry compares: a belongs_to compares its foreign key (and type). */
function columnsOf(models: ModelIndex, model: ModelInfo, name: string, withType: boolean): string[] {
  const assoc = models.association(model.name, name);
  if (!assoc) return [name];
  if (assoc.macro !== 'belongs_to') return [];
  const fk = assoc.foreignKey ?? `${name}_id`;
  return assoc.polymorphic && withType ? [fk, `${name}_type`] : assoc.polymorphic ? [] : [fk];
}

function check(ctx: RuleContext, models: ModelIndex, model: ModelInfo, schema: Schema, table: SchemaTable, v: Validation): void {
  const attribute = literalName(v.attribute)!;
  const columns = columnsOf(models, model, attribute, false);
  const scopeNode = v.options.get('scope');
  const scopeNames = scopeNode ? literalNames(scopeNode) : [];
  if (columns.length !== 1 || !scopeNames) return;
  const scopeColumns = scopeNames.map((s) => columnsOf(models, model, s, true));
  // A has_many or polymorphic name in the scope: not a column we can index.
  if (scopeColumns.some((c) => c.length === 0)) return;
  const scope = [...new Set(scopeColumns.flat())].filter((c) => c !== columns[0]);
  const column = columns[0];
  // A virtual attribute, a store accessor or a column the schema does not have: nothing to index.
  if (column === table.name || [column, ...scope].some((c) => !table.columns.has(c))) return;
  if (column === 'id' && scope.length === 0) return;
  const caseSensitive = v.options.get('case_sensitive');
  const need: UniquenessNeed = {
    column, scope, caseInsensitive: caseSensitive?.type === 'false' && ctx.app.adapter.value === 'postgresql',
    hasConditions: v.options.has('conditions'),
  };
  const found = coverage(table, need);
  if (found.kind === 'covered' || found.kind === 'unknown') return;
  // Stored lower-case (Devise's case_insensitive_keys, `normalizes`, a downcase callback): a plain unique index suffices.
  if (found.kind === 'case-sensitive-only' && storedDowncased(ctx.text, column)) return;
  const cols = [...new Set([...scope, column])];
  const what = `\`${table.name}\` (${cols.join(', ')})`;
  const headline = found.kind === 'case-sensitive-only'
    ? `The unique index on ${what} is case-sensitive: \`case_sensitive: false\` duplicates can still race in`
    : `No unique index on ${what}: concurrent saves can both pass this uniqueness check`;
  const evidence = found.kind === 'none' ? `${schema.source ?? 'the schema'} has no index on ${what}`
    : found.kind === 'non-unique' ? `the index ${found.index.name ? `\`${found.index.name}\` ` : ''}on ${what} in ${schema.source ?? 'the schema'} is not unique`
      : found.kind === 'partial-only' ? `the unique index ${found.index.name ? `\`${found.index.name}\` ` : ''}is partial (\`WHERE ${found.index.where}\`) and the validation has no matching \`conditions:\``
        : `the unique index ${found.index.name ? `\`${found.index.name}\` ` : ''}compares \`${column}\` as written, while PostgreSQL needs an index on \`lower(${column})\` (or a citext column) to reject "Ann@x.io" next to "ann@x.io"`;
  const conditional = ['if', 'unless', 'on'].filter((k) => v.options.has(k));
  // Unique indexes treat NULLs as distinct: rows whose scope column is NULL stay unchecked (PostgreSQL 15 has NULLS NOT DISTINCT).
  const nullableScope = scope.filter((c) => table.columns.get(c)?.null);
  // MySQL cannot index a TEXT/BLOB column without a prefix length.
  const unindexable = ctx.app.adapter.value === 'mysql' && cols.some((c) => ['text', 'binary'].includes(table.columns.get(c)?.type ?? ''));
  const sti = isStiSubclass(models, model);
  const caveats = [
    need.hasConditions ? 'The validation has `conditions:`: the index must be partial with the same `WHERE` (written by hand).' : '',
    conditional.length ? `The validation only runs with \`${conditional.join('`/`')}:\`; an index applies to every row, so check that it would not reject rows the app allows.` : '',
    nullableScope.length ? `The scope column${nullableScope.length > 1 ? 's' : ''} ${nullableScope.map((c) => `\`${c}\``).join(', ')} can be NULL, and a unique index does not compare rows where ${nullableScope.length > 1 ? 'they are' : 'it is'} NULL: a partial index (\`WHERE ${nullableScope[0]} IS NULL\`) or NULLS NOT DISTINCT is needed for those rows.` : '',
    unindexable ? 'MySQL cannot index a TEXT/BLOB column without a prefix length: write the index by hand.' : '',
    sti ? `\`${model.name}\` shares \`${table.name}\` with other classes (single-table inheritance): Rails checks only its own rows, so the index may need the type column.` : '',
  ].filter(Boolean).join(' ');
  const detail = `${headline}. Rails checks uniqueness with a SELECT before the INSERT, so two requests saving the same value at once `
    + `both see no duplicate and both insert; only a unique index makes the database reject the second one (and then \`save\` raises `
    + `\`ActiveRecord::RecordNotUnique\`, which the caller can rescue). Evidence: ${evidence}. ${caveats ? `${caveats} ` : ''}`
    + 'Add the index in a migration; it fails if the table already holds duplicates, so find and merge them first.';
  const fix = !need.hasConditions && !conditional.length && !sti && !nullableScope.length && !unindexable ? migrationFix(ctx, table.name, cols, column, need.caseInsensitive) : undefined;
  // A random token only collides by chance; a table that belongs to nothing (settings, lookup values, tenants)
  // is usually written by few people: a race is unlikely, so the missing index is a hint (which says it is inferred).
  const random = RANDOM_COLUMN.test(column) ? `\`${column}\` looks generated (a token or code): two saves only race on a collision` : undefined;
  const rare = !random && tableSizes(models)(model) === 'root' ? `\`${model.name}\` belongs to no other model, the shape of lookup values, settings or tenants, which few people write (if many users create these rows, the race is real)` : undefined;
  const lower = random ?? rare;
  ctx.report({ range: nodeRange(v.attribute), headline, detail: lower ? `${detail} Hint: ${lower}.` : detail, severity: lower ? 'hint' : undefined, fixes: fix ? [fix] : [] });
}

function storedDowncased(text: string, column: string): boolean {
  return (column === 'email' && /^\s*devise\b/m.test(text))
    || new RegExp(`^\\s*normalizes\\b[^\\n]*:${column}\\b[^\\n]*downcase`, 'm').test(text)
    || new RegExp(`\\b${column}\\s*=\\s*(?:self\\.)?${column}\\s*&?\\.\\s*(?:to_s\\s*&?\\.\\s*)?downcase\\b`).test(text);
}

/** A subclass of a concrete model: single-table inheritance. */
function isStiSubclass(models: ModelIndex, model: ModelInfo): boolean {
  const superclass = models.superclassOf(model);
  const parent = superclass ? models.resolve(superclass, namespaceOf(model.name)) : undefined;
  return !!parent && parent.kind === 'class' && models.isModel(parent) && !models.parts(parent).some((p) => p.abstract);
}

/** The newest migration version the app knows, to name the new file after it. */
function latestVersion(ctx: RuleContext): string | undefined {
  let latest = ctx.app.schema?.version;
  for (const v of ctx.app.migrationHistory?.versions ?? []) if (!latest || compareMigrationVersions(v, latest) > 0) latest = v;
  return latest && /^\d{14}$/.test(latest) ? latest : undefined;
}

function migrationSuperclass(ctx: RuleContext): string | undefined {
  const m = /^(\d+)\.(\d+)/.exec(ctx.app.railsVersion?.value ?? '');
  if (!m) return undefined;
  return Number(m[1]) >= 5 ? `ActiveRecord::Migration[${m[1]}.${m[2]}]` : 'ActiveRecord::Migration';
}

function migrationFix(ctx: RuleContext, tableName: string, cols: string[], column: string, lower: boolean): Fix | undefined {
  const version = latestVersion(ctx);
  const superclass = migrationSuperclass(ctx);
  if (!version || !superclass) return undefined;
  const name = snakeName('add_unique_index_to', tableName, ...cols.map((c) => (lower && c === column ? `lower_${c}` : c)));
  const postgres = ctx.app.adapter.value === 'postgresql';
  const indexName = snakeName('index', tableName, 'on', cols.map((c) => (lower && c === column ? `lower_${c}` : c)).join('_and_'));
  const target = lower ? JSON.stringify(cols.map((c) => (c === column ? `lower(${c})` : c)).join(', ')) : cols.length === 1 ? sym(cols[0]) : `[${cols.map(sym).join(', ')}]`;
  const options = ['unique: true', ...(lower || indexName.length > 63 ? [`name: ${JSON.stringify(indexName.slice(0, 63))}`] : []), ...(postgres ? ['algorithm: :concurrently'] : [])];
  const lines = [`class ${camelize(name)} < ${superclass}`];
  if (postgres) lines.push('  disable_ddl_transaction!', '');
  lines.push('  def change', `    add_index ${sym(tableName)}, ${target}, ${options.join(', ')}`, '  end', 'end', '');
  const file = path.join(ctx.app.root, 'db', 'migrate', `${nextVersion(version, 1)}_${name}.rb`);
  const edit: FileEdit = { file, createFile: true, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: lines.join('\n') };
  return {
    title: `Create a migration adding a unique index on ${tableName} (${cols.join(', ')})`,
    safety: 'unsafe',
    changes: 'Running the migration fails if the table already holds duplicates; afterwards a duplicate save raises ActiveRecord::RecordNotUnique instead of inserting.',
    edits: [edit],
  };
}
