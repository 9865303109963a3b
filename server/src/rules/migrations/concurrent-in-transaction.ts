import { defineRule } from '../../core/rule';
import { disableDdlTransactionEdit, mayBePostgres, opsFor } from '../../migrations/gating';
import { sqlOf, type MigrationOp } from '../../migrations/model';
import { hashValue, isConcurrently } from '../../migrations/ruleKit';

const ID = 'migrations/concurrent-in-transaction';
const CONCURRENT_SQL = /\b(CREATE\s+(UNIQUE\s+)?INDEX|DROP\s+INDEX|REINDEX\b[^;]*?)\s+CONCURRENTLY\b/i;
const CONCURRENT_HELPERS = new Set(['add_reference_concurrently', 'add_index_concurrently']);

/** What in the op asks PostgreSQL for a concurrent index operation, or undefined. */
function concurrentPart(op: MigrationOp): string | undefined {
  // An app helper: only what its body shows (a concurrent build, or a guard that raises in a transaction).
  if (op.helper) {
    if (op.helper.kind !== 'app') return undefined;
    const { traits } = op.helper.helper;
    if (traits.includes('raises-in-transaction')) return `the app's own ${op.call.name} (${op.helper.helper.owner}), whose body raises inside a transaction`;
    return traits.includes('concurrent') ? `the app's own ${op.call.name} (${op.helper.helper.owner}), whose body builds indexes concurrently` : undefined;
  }
  const kw = op.call.keywords;
  if (isConcurrently(kw.get('algorithm'))) return 'algorithm: :concurrently';
  if (isConcurrently(hashValue(kw.get('index'), 'algorithm'))) return 'index: { algorithm: :concurrently }';
  if (!op.call.receiver && CONCURRENT_HELPERS.has(op.call.name)) return op.call.name;
  if ((op.method === 'execute' || op.method === 'exec_query') && CONCURRENT_SQL.test(sqlOf(op.call) ?? '')) return 'CONCURRENTLY in the SQL';
  return undefined;
}

export default defineRule({
  meta: {
    id: ID,
    description: 'A concurrent index operation inside the migration transaction: PostgreSQL refuses it and the deploy\'s migrate step fails.',
    defaultSeverity: 'error',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        if (!mayBePostgres(ctx)) return;
        // safe-pg-migrations runs every migration without a DDL transaction.
        if (ctx.app.gems.has('safe-pg-migrations')) return;
        for (const op of opsFor(ctx, ID, { ignoreSafetyAssured: true, includeAppHelpers: true })) {
          if (op.klass.disableDdlTransaction) continue;
          const part = concurrentPart(op);
          if (!part) continue;
          const edit = disableDdlTransactionEdit(ctx, op.klass);
          const name = op.changeTable ? `t.${op.call.name}` : op.call.name;
          ctx.report({
            node: op.call.nameNode,
            message: `${name} ${op.helper ? 'is' : 'uses'} ${part}, but ${op.klass.name || 'this migration'} runs inside a transaction: PostgreSQL refuses `
              + '`CREATE/DROP INDEX CONCURRENTLY` in a transaction block ("cannot run inside a transaction block"), so the migrate step of the deploy aborts. '
              + 'Add `disable_ddl_transaction!` to the class (and keep other DDL that must stay atomic in a separate migration). safety_assured does not help here.',
            fixes: edit ? [{ title: 'Add `disable_ddl_transaction!`', safety: 'unsafe', edits: [edit] }] : [],
          });
        }
      },
    };
  },
});
