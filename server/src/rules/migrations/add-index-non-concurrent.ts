import { defineRule } from '../../core/rule';
import type { Fix, FileEdit } from '../../core/types';
import { isSymbol, isTrue } from '../../parsing/ruby';
import { addKeywordArgument, mergeNestedOption } from '../../parsing/rubyEdits';
import { disableDdlTransactionEdit, isNewTable, mayBePostgres, onDatabase, opsFor, runtimeSafetyNet } from '../../migrations/gating';
import { previewCall } from '../../migrations/ruleKit';
import type { MigrationOp } from '../../migrations/model';
import { callLabel } from '../../migrations/model';

export default defineRule({
  meta: {
    id: 'migrations/add-index-non-concurrent',
    description: 'add_index on an existing PostgreSQL table without algorithm: :concurrently blocks writes for the whole index build.',
    defaultSeverity: 'error',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        if (!mayBePostgres(ctx)) return;
        for (const op of opsFor(ctx, 'migrations/add-index-non-concurrent')) {
          const index = indexBuild(op);
          if (!index || isNewTable(ctx, op)) continue;
          const table = op.table ?? 'the table';
          const edit = index === 'column-option'
            ? mergeNestedOption(ctx.file, op.call, 'index', 'algorithm: :concurrently')
            : addKeywordArgument(ctx.file, op.call, 'algorithm: :concurrently');
          const fixes: Fix[] = [];
          let safeCode = '';
          if (edit) {
            const edits: FileEdit[] = [edit];
            const ddl = disableDdlTransactionEdit(ctx, op.klass);
            if (ddl) edits.push(ddl);
            fixes.push({ title: 'Add `algorithm: :concurrently`' + (ddl ? ' and `disable_ddl_transaction!`' : ''), safety: 'unsafe', edits });
            safeCode = previewCall(op, [edit]);
          }
          const safetyNet = runtimeSafetyNet(ctx, true);
          const call = callLabel(op);
          ctx.report({
            node: op.call.nameNode,
            severity: safetyNet ? 'info' : undefined,
            message: `${call} builds an index on existing table ${table} with a SHARE lock on ${onDatabase(ctx)}: every INSERT, UPDATE and DELETE `
              + `on ${table} waits until the whole index is built. Build it concurrently outside the DDL transaction`
              + (safeCode ? `: \`${safeCode}\` with \`disable_ddl_transaction!\` in the class.` : '.')
              + (safetyNet ? ` (${safetyNet}.)` : ''),
            fixes,
          });
        }
      },
    };
  },
});

/** How the operation builds an index, or undefined when it builds none non-concurrently. */
function indexBuild(op: MigrationOp): 'call' | 'column-option' | undefined {
  if (op.method === 'add_index') {
    return isSymbol(op.call.keywords.get('algorithm'), 'concurrently') ? undefined : 'call';
  }
  if (op.method === 'add_column' && op.changeTable) {
    const index = op.call.keywords.get('index');
    if (!index || index.type === 'false' || index.type === 'nil') return undefined;
    if (index.type === 'hash' && /algorithm:\s*:concurrently|:algorithm\s*=>\s*:concurrently/.test(index.text)) return undefined;
    return isTrue(index) || index.type === 'hash' ? 'column-option' : undefined;
  }
  return undefined;
}
