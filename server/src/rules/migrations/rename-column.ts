import { defineRule } from '../../core/rule';
import { literalName } from '../../parsing/ruby';
import { checkedOps, migrationModel } from '../../migrations/gating';
import { isDslCall } from '../../migrations/ruleHelpers';
import type { MigrationOp } from '../../migrations/model';

export default defineRule({
  meta: {
    id: 'migrations/rename-column',
    description: 'rename_column breaks every running process that still reads or writes the old column name until it restarts.',
    defaultSeverity: 'error',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        const model = migrationModel(ctx);
        for (const op of checkedOps(ctx, { strongMigrationsKeys: ['rename_column'] })) {
          if (op.method !== 'rename_column' || !isDslCall(op)) continue;
          if (op.createTable || model.createdBefore(op.table, op)) continue;
          const [from = 'old_name', to = 'new_name'] = renamedNames(op);
          const table = op.table ?? 'the table';
          const sameTable = (o: MigrationOp) => o.klass === op.klass && (op.table !== undefined ? o.table === op.table
            // A computed name (`table` of a loop): the same expression.
            : !o.changeTable && !op.changeTable && o.call.args[0]?.text === op.call.args[0]?.text);
          // A column swap (rename a → old_a, then temp_a → a in the same migration) leaves a column under the old name,
          // so running processes keep reading and writing `from`.
          const restored = model.ops.some((o) => o.method === 'rename_column' && sameTable(o) && o.phase === op.phase
            && o.order > op.order && renamedNames(o)[1] === from);
          // A column this migration itself created (by an earlier rename or add) is unknown to running processes.
          const createdHere = model.columnAddedBefore(op.table, from, op) || model.ops.some((o) => sameTable(o) && o.order < op.order
            && ((o.method === 'rename_column' && renamedNames(o)[1] === from)
              || (o.method === 'add_column' && !o.changeTable && literalName(o.call.args[1]) === from)));
          if (restored || createdHere) continue;
          ctx.report({
            node: op.call.nameNode,
            message: `Renaming ${table}.${from} to ${to} breaks the app during the deploy: processes started before the migration `
              + `still read and write \`${from}\` (Active Record caches the column list) and fail until they restart. `
              + `Instead: add \`${to}\`, write both columns, backfill \`${to}\` from \`${from}\`, switch reads to \`${to}\`, `
              + `then add \`self.ignored_columns += ["${from}"]\` and remove \`${from}\` in a later deploy.`,
          });
        }
      },
    };
  },
});

/** The old and new column names of a rename (`rename_column :t, :a, :b` or `t.rename :a, :b`). */
function renamedNames(op: MigrationOp): [string | undefined, string | undefined] {
  const args = op.changeTable ? op.call.args : op.call.args.slice(1);
  return [literalName(args[0]), literalName(args[1])];
}
