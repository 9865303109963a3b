import { defineRule } from '../../core/rule';
import { isNewTable, mayBePostgres, onDatabase, opsFor } from '../../migrations/gating';

const ID = 'migrations/add-exclusion-constraint';

export default defineRule({
  meta: {
    id: ID,
    description: 'add_exclusion_constraint on an existing PostgreSQL table holds an ACCESS EXCLUSIVE lock while every row is checked.',
    defaultSeverity: 'error',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        if (!mayBePostgres(ctx)) return;
        for (const op of opsFor(ctx, ID)) {
          if (op.method !== 'add_exclusion_constraint' || isNewTable(ctx, op)) continue;
          const table = op.table ?? 'the table';
          ctx.report({
            node: op.call.nameNode,
            message: `${op.changeTable ? 't.exclusion_constraint inside change_table' : 'add_exclusion_constraint'} on existing table ${table}: on ${onDatabase(ctx)} exclusion constraints cannot be added NOT VALID, `
              + `so an ACCESS EXCLUSIVE lock blocks all reads and writes on ${table} while its index is built and every row is checked. `
              + 'There is no online form: add it in a maintenance window, or create a new table with the constraint, backfill it and swap.',
          });
        }
      },
    };
  },
});
