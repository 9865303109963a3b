import { defineRule, type RuleContext } from '../../core/rule';
import type { Fix } from '../../core/types';
import type { Node } from '../../parsing/treeSitter';
import { literalName, nodeRange } from '../../parsing/ruby';
import { removePair } from '../../parsing/rubyEdits';
import { adapter, checkedOps, migrationModel } from '../../migrations/gating';
import { isDslCall, railsAtLeast } from '../../migrations/ruleHelpers';

/** Methods that take MySQL's `algorithm:`/`lock:` from Rails 8.2 (add_index always took `algorithm:`). */
const RAILS_82_METHODS = new Set(['add_column', 'change_column', 'remove_column', 'add_reference', 'add_belongs_to']);

export default defineRule({
  meta: {
    id: 'migrations/mysql-lock-option',
    description: 'lock: :shared / :exclusive makes MySQL/MariaDB block writes (or reads and writes) for the whole ALTER.',
    defaultSeverity: 'error',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        mysqlOptionFindings(ctx, 'lock', ['shared', 'exclusive'], ['mysql_lock_option']);
      },
    };
  },
});

/** Shared by mysql-copy-algorithm and mysql-lock-option: `key: :value` on the call or inside `index: { … }`. */
export function mysqlOptionFindings(ctx: RuleContext, key: 'algorithm' | 'lock', values: string[], smKeys: string[]): void {
  const a = adapter(ctx);
  if (a === 'sqlite') return;
  const model = migrationModel(ctx);
  for (const op of checkedOps(ctx, { strongMigrationsKeys: smKeys })) {
    if (!isDslCall(op) || op.createTable || model.createdBefore(op.table, op)) continue;
    const isIndex = op.method === 'add_index';
    if (!isIndex && !RAILS_82_METHODS.has(op.method)) continue;
    // `lock:` on any method, and `algorithm:` beyond add_index, exist from Rails 8.2.
    if ((key === 'lock' || !isIndex) && !railsAtLeast(ctx.app, '8.2')) continue;
    const found: { pair: Node; value: string; nested: boolean } | undefined = findOption(op.call.pairs.get(key), values)
      ?? findNested(op.call.keywords.get('index'), key, values);
    if (!found) continue;
    const fixes: Fix[] = [];
    const hash = found.pair.parent;
    const onlyPair = found.nested && hash?.type === 'hash' && hash.namedChildren.filter((c) => c?.type === 'pair').length === 1;
    const edit = onlyPair ? { file: ctx.file, range: nodeRange(hash!), newText: 'true' } : removePair(ctx.file, found.pair);
    fixes.push({ title: `Remove \`${found.pair.text}\``, safety: 'unsafe', edits: [edit] });
    const what = key === 'algorithm'
      ? 'ALGORITHM=COPY rebuilds the whole table into a copy while every write waits'
      : found.value === 'exclusive' ? 'LOCK=EXCLUSIVE blocks all reads and writes for the whole ALTER' : 'LOCK=SHARED blocks all writes for the whole ALTER';
    const table = op.table ?? 'the table';
    const message = a === 'mysql'
      ? `\`${found.pair.text}\` on ${table}: ${what}. Remove it and let MySQL/MariaDB pick INPLACE/INSTANT with LOCK=NONE `
        + '(it refuses with an error instead of blocking when the change cannot be done online).'
      : `\`${found.pair.text}\` is a MySQL/MariaDB option: there ${what}; on ${a === 'postgresql' ? 'PostgreSQL' : 'this database'} `
        + 'Rails rejects it and the migration fails. Remove it.';
    ctx.report({ node: found.pair, message, fixes, severity: a === 'mysql' ? undefined : 'warning' });
  }
}

function findOption(pair: Node | undefined, values: string[]): { pair: Node; value: string; nested: boolean } | undefined {
  const value = literalName(pair?.childForFieldName('value'));
  return pair && value && values.includes(value) ? { pair, value, nested: false } : undefined;
}

function findNested(hash: Node | undefined, key: string, values: string[]): { pair: Node; value: string; nested: boolean } | undefined {
  if (!hash || hash.type !== 'hash') return undefined;
  for (const pair of hash.namedChildren) {
    if (pair?.type !== 'pair') continue;
    const k = pair.childForFieldName('key');
    const name = k?.type === 'hash_key_symbol' ? k.text : literalName(k);
    if (name !== key) continue;
    const found = findOption(pair, values);
    if (found) return { ...found, nested: true };
  }
  return undefined;
}
