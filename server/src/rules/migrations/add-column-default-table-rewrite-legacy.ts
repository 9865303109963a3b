import { defineRule } from '../../core/rule';
import { adapter, dbVersionBelow, isMariaDb, isNewTable, onDatabase, opsFor, runtimeSafetyNet } from '../../migrations/gating';
import { addedColumns, callLabel } from '../../migrations/model';
import { splitDefaultFix } from '../../migrations/ruleKit';

const ID = 'migrations/add-column-default-table-rewrite-legacy';

export default defineRule({
  meta: {
    id: ID,
    description: 'Before PostgreSQL 11 / MySQL 8.0.12 / MariaDB 10.3.2, adding a column with any default rewrites the whole table.',
    defaultSeverity: 'error',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        const a = adapter(ctx);
        // Only with a known old version: an unknown version is assumed to be the newest.
        const legacy = a === 'mysql' ? (isMariaDb(ctx) ? dbVersionBelow(ctx, '10.3.2') : dbVersionBelow(ctx, '8.0.12'))
          : a !== 'sqlite' && dbVersionBelow(ctx, 11);
        if (!legacy) return;
        for (const op of opsFor(ctx, ID)) {
          if (op.method !== 'add_column' && op.method !== 'add_timestamps') continue;
          const def = op.call.keywords.get('default');
          if (!def || def.type === 'nil' || isNewTable(ctx, op)) continue;
          const table = op.table ?? 'the table';
          const fix = splitDefaultFix(ctx, op);
          const call = callLabel(op);
          const net = a !== 'mysql' ? runtimeSafetyNet(ctx, false) : undefined;
          ctx.report({
            node: op.call.nameNode,
            severity: net ? 'info' : undefined,
            message: (net ? `(${net}.) ` : '') + `${call} adds ${addedColumns(op).join(', ') || 'a column'} to ${table} with a default: on ${onDatabase(ctx)} (no fast default before `
              + `${a === 'mysql' ? (isMariaDb(ctx) ? 'MariaDB 10.3.2' : 'MySQL 8.0.12') : 'PostgreSQL 11'}) every row is rewritten while ${a === 'mysql' ? 'writes are' : 'reads and writes are'} blocked on ${table}. `
              + 'Add the column without a default, set the default with `change_column_default` (new rows only), then backfill existing rows in batches.',
            fixes: fix ? [fix] : [],
          });
        }
      },
    };
  },
});
