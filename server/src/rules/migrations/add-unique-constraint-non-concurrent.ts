import { defineRule } from '../../core/rule';
import { isNewTable, mayBePostgres, onDatabase, opsFor, sym } from '../../migrations/gating';
import { literalNames } from '../../parsing/ruby';

const ID = 'migrations/add-unique-constraint-non-concurrent';

export default defineRule({
  meta: {
    id: ID,
    description: 'add_unique_constraint without using_index: builds a unique index under an ACCESS EXCLUSIVE lock on PostgreSQL.',
    defaultSeverity: 'error',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        if (!mayBePostgres(ctx)) return;
        for (const op of opsFor(ctx, ID)) {
          if (op.method !== 'add_unique_constraint' || op.call.keywords.has('using_index') || isNewTable(ctx, op)) continue;
          const table = op.table ?? 'the table';
          const columns = literalNames(op.changeTable ? op.call.args[0] : op.call.args[1]);
          const t = op.table ? sym(op.table) : ':table';
          const cols = columns ? (columns.length === 1 ? sym(columns[0]) : `[${columns.map(sym).join(', ')}]`) : ':column';
          const index = columns && op.table ? `index_${op.table}_on_${columns.join('_and_')}` : 'index_name';
          ctx.report({
            node: op.call.nameNode,
            message: `${op.changeTable ? 't.unique_constraint inside change_table' : 'add_unique_constraint'} builds a unique index on ${table} while holding an ACCESS EXCLUSIVE lock on ${onDatabase(ctx)}: `
              + `all reads and writes on ${table} wait for the whole build. Build the index concurrently first `
              + `(\`add_index ${t}, ${cols}, unique: true, algorithm: :concurrently\` with \`disable_ddl_transaction!\`), then attach it: `
              + `\`add_unique_constraint ${t}, using_index: "${index}"\` (a brief metadata change).`,
          });
        }
      },
    };
  },
});
