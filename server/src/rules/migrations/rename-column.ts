import { defineRule } from '../../core/rule';
import { literalName } from '../../parsing/ruby';
import { checkedOps, migrationModel } from '../../migrations/gating';
import { isDslCall } from '../../migrations/ruleHelpers';

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
          const args = op.changeTable ? op.call.args : op.call.args.slice(1);
          const from = literalName(args[0]) ?? 'old_name';
          const to = literalName(args[1]) ?? 'new_name';
          const table = op.table ?? 'the table';
          // A column swap (rename a → old_a, then temp_a → a in the same migration) leaves a column under the old name,
          // so running processes keep reading and writing `from`.
          const restored = model.ops.some((o) => o.method === 'rename_column' && (op.table !== undefined ? o.table === op.table
            : !o.changeTable && !op.changeTable && o.call.args[0]?.text === op.call.args[0]?.text) && o.klass === op.klass
            && o.phase === op.phase && o.order > op.order && literalName((o.changeTable ? o.call.args : o.call.args.slice(1))[1]) === from);
          if (restored) continue;
          // A column this migration itself created (by an earlier rename or add) is unknown to running processes.
          const renamedTarget = (o: typeof op) => literalName((o.changeTable ? o.call.args : o.call.args.slice(1))[1]);
          // Same table: the same name, or the same expression when the name is computed (`table` of a loop).
          const sameTable = (o: typeof op) => (op.table !== undefined ? o.table === op.table
            : !o.changeTable && !op.changeTable && o.call.args[0]?.text === op.call.args[0]?.text);
          const addsFrom = (o: typeof op) => o.method === 'add_column' && !o.changeTable && literalName(o.call.args[1]) === from;
          const createdHere = model.columnAddedBefore(op.table, from, op) || model.ops.some((o) => sameTable(o) && o.klass === op.klass
            && o.order < op.order && ((o.method === 'rename_column' && renamedTarget(o) === from) || addsFrom(o)));
          if (createdHere) continue;
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
