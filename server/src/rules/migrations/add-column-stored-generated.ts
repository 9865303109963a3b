import { defineRule } from '../../core/rule';
import { adapter, isNewTable, onDatabase, opsFor } from '../../migrations/gating';
import { addedColumns, callLabel, addedColumnType } from '../../migrations/model';
import { truthy } from '../../migrations/ruleKit';

const ID = 'migrations/add-column-stored-generated';

export default defineRule({
  meta: {
    id: ID,
    description: 'Adding a stored generated column computes it for every row: a full table rewrite.',
    defaultSeverity: 'error',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        const a = adapter(ctx);
        if (a === 'sqlite') return;
        for (const op of opsFor(ctx, ID)) {
          if (op.method !== 'add_column' || isNewTable(ctx, op)) continue;
          const type = addedColumnType(op);
          if (type !== 'virtual' || !truthy(op.call.keywords.get('stored'))) continue;
          const table = op.table ?? 'the table';
          ctx.report({
            node: op.call.nameNode,
            message: `${callLabel(op)} adds stored generated column ${addedColumns(op).join(', ')} to ${table}: `
              + `on ${onDatabase(ctx)} the value is computed and written for every existing row, rewriting ${table} while ${a === 'mysql' ? 'writes are' : 'reads and writes are'} blocked. `
              + (a === 'mysql' ? 'Use a virtual (not stored) generated column, or a plain column filled by the application and a backfill.'
                : 'Use a plain column filled by the application (callback or trigger) plus a batched backfill.'),
          });
        }
      },
    };
  },
});
