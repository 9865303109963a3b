import { defineRule } from '../../core/rule';
import { adapter, dbVersionBelow, isMariaDb, isNewTable, onDatabase, opsFor } from '../../migrations/gating';
import { callLabel } from '../../migrations/model';

const ID = 'migrations/add-check-constraint-mysql';

export default defineRule({
  meta: {
    id: ID,
    description: 'Adding an enforced CHECK constraint on MySQL 8.0.16+ / MariaDB copies the table while writes are blocked.',
    defaultSeverity: 'warning',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        if (adapter(ctx) !== 'mysql') return;
        // MySQL before 8.0.16 parses CHECK and ignores it: no copy.
        if (!isMariaDb(ctx) && dbVersionBelow(ctx, '8.0.16')) return;
        for (const op of opsFor(ctx, ID)) {
          if (op.method !== 'add_check_constraint' || isNewTable(ctx, op)) continue;
          const table = op.table ?? 'the table';
          const call = callLabel(op);
          ctx.report({
            node: op.call.nameNode,
            message: `${call} adds an enforced CHECK constraint to ${table} on ${onDatabase(ctx)}: there is no NOT VALID, so the table is copied `
              + `(ALGORITHM=COPY) and writes to ${table} are blocked for the copy. Use an online schema-change tool (gh-ost, pt-online-schema-change) `
              + 'or a maintenance window; if the table is small, wrap the call in `safety_assured`.',
          });
        }
      },
    };
  },
});
