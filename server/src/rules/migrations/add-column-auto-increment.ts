import { defineRule } from '../../core/rule';
import { adapter, isNewTable, onDatabase, opsFor } from '../../migrations/gating';
import { addedColumns, callLabel, addedColumnType } from '../../migrations/model';

const ID = 'migrations/add-column-auto-increment';
const AUTO = new Set(['primary_key', 'serial', 'bigserial', 'smallserial']);

export default defineRule({
  meta: {
    id: ID,
    description: 'Adding an auto-incrementing column fills every existing row: a full table rewrite.',
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
          const autoIncrement = op.call.keywords.get('auto_increment')?.type === 'true';
          if (!(type && AUTO.has(type) && (a !== 'mysql' || type === 'primary_key')) && !(a === 'mysql' && autoIncrement)) continue;
          const table = op.table ?? 'the table';
          ctx.report({
            node: op.call.nameNode,
            message: `${callLabel(op)} adds auto-incrementing column ${addedColumns(op).join(', ')} (${type ?? 'auto_increment'}) to ${table}: `
              + `on ${onDatabase(ctx)} a value is generated for every existing row, rewriting ${table} while ${a === 'mysql' ? 'writes are blocked (and statement-based replication can number rows differently on replicas)' : 'reads and writes are blocked'}. `
              + `Create a new table with the column, copy the data over in batches and swap the tables.`,
          });
        }
      },
    };
  },
});
