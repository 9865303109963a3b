import { defineRule } from '../../core/rule';
import type { Node } from '../../parsing/treeSitter';
import type { FileEdit, Fix, Severity } from '../../core/types';
import { adapter, checkedOps, disableDdlTransactionEdit, migrationModel } from '../../migrations/gating';
import type { MigrationOp } from '../../migrations/model';
import { fileOffset, sniffSql, sqlOf, type SqlKind, type SqlStatement } from '../../migrations/sqlSniff';
import { batchLabel, enclosingBatch } from '../../migrations/batches';
import { hasSafetyAssured, isDslCall, positionAt, wrapInSafetyAssured } from '../../migrations/ruleHelpers';

const METHODS = new Set(['execute', 'exec_query', 'exec_update', 'exec_delete']);

/** Kinds that are hazards in themselves (the message names them); the others only need a look. */
const HAZARDS: Partial<Record<SqlKind, (s: SqlStatement) => string>> = {
  'create-index': (s) => `CREATE INDEX${on(s)} without CONCURRENTLY takes a SHARE lock: writes wait for the whole build`,
  'drop-index': () => 'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock that queues behind running queries and blocks everything behind it',
  'fk-validated': (s) => `ADD FOREIGN KEY${on(s)} without NOT VALID blocks writes on both tables while every row is checked`,
  'check-validated': (s) => `ADD CHECK${on(s)} without NOT VALID blocks reads and writes while every row is checked`,
  'set-not-null': (s) => `SET NOT NULL${on(s)} blocks reads and writes for a full table scan`,
  'alter-type': (s) => `ALTER COLUMN … TYPE${on(s)} rewrites the table and its indexes while reads and writes wait`,
  'add-constraint-index': (s) => `ADD UNIQUE/PRIMARY KEY/EXCLUDE${on(s)} builds an index under an ACCESS EXCLUSIVE lock (reads and writes wait)`,
  rename: (s) => `RENAME${on(s)} breaks running processes that still use the old name`,
  'drop-column': (s) => `DROP COLUMN${on(s)} breaks running processes that still have the column cached (ignore it in the model first)`,
  'drop-table': (s) => `DROP TABLE${s.table ? ` ${s.table}` : ''} breaks running processes that still query it`,
  truncate: (s) => `TRUNCATE${s.table ? ` ${s.table}` : ''} deletes every row under an ACCESS EXCLUSIVE lock`,
  update: (s) => `UPDATE${s.table ? ` ${s.table}` : ''} runs as one unbatched statement: every matched row stays locked until the migration commits (bloat, replica lag)`,
  delete: (s) => `DELETE${s.table ? ` FROM ${s.table}` : ''} runs as one unbatched statement: every matched row stays locked until the migration commits`,
  'insert-select': (s) => `INSERT${s.table ? ` INTO ${s.table}` : ''} … SELECT copies a whole result set in one statement: a long transaction that holds its row locks until the migration commits (bloat, replica lag)`,
  'vacuum-full': () => 'VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock (reads and writes wait), and cannot run inside the migration\'s transaction',
  validate: (s) => `VALIDATE CONSTRAINT${on(s)} runs after a statement that locks the table in the same transaction, so that lock is held for the whole validation scan (validate in a separate migration)`,
  'alter-table': (s) => `ALTER TABLE${s.table ? ` ${s.table}` : ''} takes an ACCESS EXCLUSIVE lock (brief, but it queues behind running queries)`,
};

function on(s: SqlStatement): string {
  return s.table ? ` on ${s.table}` : '';
}

export default defineRule({
  meta: {
    id: 'migrations/execute-raw-sql',
    description: 'Raw SQL in a migration bypasses every other check: what it locks has to be verified by hand.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        const a = adapter(ctx);
        const pg = a === 'postgresql' || a === 'unknown';
        const model = migrationModel(ctx);
        // Views created anywhere in the migration's SQL: a DROP VIEW of one of them is a re-create.
        const createdViews = new Set(model.ops.filter((o) => METHODS.has(o.method)).flatMap((o) => {
          const text = sqlOf(o.call.args[0])?.text;
          return text ? sniffSql(text).filter((s) => s.kind === 'harmless' && s.view).map((s) => `${o.klass.name}:${o.phase}:${s.view}`) : [];
        }));
        const isHarmless = (s: SqlStatement, index: number, list: SqlStatement[], at: MigrationOp): boolean => {
          if (s.kind === 'harmless') return true;
          // A lone CONCURRENTLY statement outside a transaction is the safe form itself.
          if (s.kind === 'concurrently') return !!at.klass.disableDdlTransaction && list.length === 1 && pg;
          if (s.kind === 'drop-view') return createdViews.has(`${at.klass.name}:${at.phase}:${s.view}`);
          if (s.kind === 'validate') {
            // Harmless on its own; an earlier lock in the same transaction (this string or the migration's) is held through the scan.
            const earlier = list.slice(0, index).some((e) => e.kind !== 'harmless' || e.table !== undefined);
            const held = model.lockHeldBefore(at);
            return !earlier && (!held || held === at);
          }
          return false;
        };
        for (const op of checkedOps(ctx, { strongMigrationsKeys: ['execute'] })) {
          if (!METHODS.has(op.method) || !isDslCall(op) || op.changeTable || op.createTable) continue;
          // `def query(sql) execute(sql) end`: a helper's parameter; its callers' SQL is what runs, and is not visible here.
          if (isHelperParameter(op.call.args[0])) continue;
          const sql = sqlOf(op.call.args[0]);
          const all = sql ? sniffSql(sql.text).filter((s) => s.kind !== 'allowlisted') : [];
          const statements = all.filter((s, i) => !isHarmless(s, i, all, op));
          if (sql && statements.length === 0) continue;

          const problems: string[] = [];
          let unknown = !sql;
          let benign: string[] = [];
          const batch = enclosingBatch(op.call.node);
          for (const s of statements) {
            let kind = s.kind;
            // Inside a batch the data statement is per batch, not over the whole table (issue 11 item 5).
            if (batch && (kind === 'update' || kind === 'delete' || kind === 'insert-select')) {
              if (op.klass.disableDdlTransaction) kind = 'benign';
              else {
                problems.push(`${kind === 'update' ? 'UPDATE' : kind === 'delete' ? 'DELETE' : 'INSERT … SELECT'}${s.table ? ` on ${s.table}` : ''} runs per batch of ${batchLabel(batch)}, `
                  + 'but every batch commits with the migration\'s transaction, so all their row locks are held until the end (add `disable_ddl_transaction!`)');
                continue;
              }
            }
            if (!pg && (kind === 'create-index' || kind === 'drop-index')) kind = 'benign';
            if (kind === 'concurrently') {
              if (op.klass.disableDdlTransaction && all.length === 1) kind = 'benign';
              else {
                problems.push(all.length > 1 && op.klass.disableDdlTransaction
                  ? 'CONCURRENTLY in a multi-statement string runs in an implicit transaction, which PostgreSQL refuses: the migration fails'
                  : 'CONCURRENTLY inside the migration\'s transaction fails: PostgreSQL refuses it (add `disable_ddl_transaction!`)');
                continue;
              }
            }
            const describe = HAZARDS[kind];
            if (describe) problems.push(describe(s));
            else if (kind === 'unknown') unknown = true;
            else benign.push(s.text.split(' ').slice(0, 3).join(' '));
          }
          benign = [...new Set(benign)];
          const unique = [...new Set(problems)];
          const severity: Severity | undefined = unique.length || unknown ? undefined : 'info';
          const fixes: Fix[] = [];
          const single = statements.length === 1 ? statements[0] : undefined;
          if (sql && single && pg && single.kind === 'create-index' && single.indexKeywordEnd !== undefined) {
            const at = fileOffset(sql, single.indexKeywordEnd);
            if (at !== undefined) {
              const pos = positionAt(ctx.text, at);
              const edits: FileEdit[] = [{ file: ctx.file, range: { start: pos, end: pos }, newText: ' CONCURRENTLY' }];
              const ddl = disableDdlTransactionEdit(ctx, op.klass);
              if (ddl) edits.push(ddl);
              fixes.push({ title: `Insert CONCURRENTLY${ddl ? ' and `disable_ddl_transaction!`' : ''}`, safety: 'unsafe', edits });
            }
          }
          if (sql && single && pg && (single.kind === 'fk-validated' || single.kind === 'check-validated')) {
            const at = fileOffset(sql, single.end);
            if (at !== undefined) {
              const pos = positionAt(ctx.text, at);
              fixes.push({
                title: 'Append NOT VALID (validate the constraint in a later migration)', safety: 'unsafe',
                edits: [{ file: ctx.file, range: { start: pos, end: pos }, newText: ' NOT VALID' }],
              });
            }
          }
          if (hasSafetyAssured(ctx.app) && !op.safetyAssured) {
            const wrap = wrapInSafetyAssured(ctx, op.call.node);
            if (wrap) fixes.push({ title: 'Wrap in `safety_assured { }` (after verifying the SQL)', safety: 'unsafe', edits: [wrap] });
          }
          const escape = hasSafetyAssured(ctx.app) ? 'then wrap it in `safety_assured { }`' : 'then suppress this line with a `rails-hazards:disable-next-line` comment';
          let message: string;
          if (unique.length) {
            message = `${op.call.name} runs raw SQL that the migration checks cannot see into: ${unique.join('; ')}. `
              + `Use the safe form (see the docs), or verify it against production table sizes and ${escape}.`;
          } else if (unknown) {
            message = `${op.call.name} runs ${sql ? 'raw SQL' : 'SQL built at run time'} that the migration checks cannot see into: `
              + `verify which tables it locks, for how long, and what running code it breaks, ${escape}.`;
          } else {
            message = `${op.call.name} runs raw SQL (${benign.join(', ')}) that does not lock existing tables for long; `
              + `the migration checks cannot see into it, so give it a look and ${escape.replace(/^then /, '')}.`;
          }
          ctx.report({ node: op.call.nameNode, message, fixes, severity });
        }
      },
    };
  },
});

/** The argument is a parameter of the enclosing helper method (not up/change/down). */
function isHelperParameter(arg: Node | undefined): boolean {
  if (!arg || arg.type !== 'identifier') return false;
  for (let p: Node | null = arg.parent; p; p = p.parent) {
    if (p.type !== 'method') continue;
    const name = p.childForFieldName('name')?.text ?? '';
    if (['up', 'change', 'down'].includes(name)) return false;
    const params = p.childForFieldName('parameters');
    return !!params && params.namedChildren.some((c) => c?.type === 'identifier' && c.text === arg.text
      || (c?.type === 'optional_parameter' && c.childForFieldName('name')?.text === arg.text));
  }
  return false;
}
