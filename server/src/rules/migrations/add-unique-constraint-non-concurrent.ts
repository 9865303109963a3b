import { defineRule, type RuleContext } from '../../core/rule';
import type { FileEdit, Fix } from '../../core/types';
import { disableDdlTransactionEdit, isNewTable, mayBePostgres, onDatabase, opsFor, sym } from '../../migrations/gating';
import type { MigrationOp } from '../../migrations/model';
import { isOwnStatement } from '../../migrations/ruleKit';
import { bodyStatements, lineIndent, literalName, literalNames, nodeRange } from '../../parsing/ruby';

const ID = 'migrations/add-unique-constraint-non-concurrent';

export default defineRule({
  meta: {
    id: ID,
    description: 'add_unique_constraint without using_index: builds a unique index under an ACCESS EXCLUSIVE lock on PostgreSQL.',
    defaultSeverity: 'error',
    fix: 'unsafe',
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
          const fix = columns && op.table ? rewriteFix(ctx, op, index) : undefined;
          ctx.report({
            node: op.call.nameNode,
            fixes: fix ? [fix] : [],
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

/**
 * Build the unique index concurrently, then attach it. `add_unique_constraint … using_index:` cannot be
 * reverted by Rails, so a `change` whose only statement is this call becomes `up`/`down`; in `up` the
 * statement is replaced in place.
 */
function rewriteFix(ctx: RuleContext, op: MigrationOp, index: string): Fix | undefined {
  if (op.changeTable || !isOwnStatement(op)) return undefined;
  let method = op.call.node.parent;
  while (method && method.type !== 'method') method = method.parent;
  const methodName = method?.childForFieldName('name')?.text;
  if (!method || (methodName !== 'up' && methodName !== 'change')) return undefined;
  if (methodName === 'change' && bodyStatements(method.childForFieldName('body') ?? null).length !== 1) return undefined;
  const t = sym(op.table!);
  const name = literalName(op.call.keywords.get('name')) ?? index;
  const rest = [...op.call.pairs.entries()].filter(([k]) => k !== 'name' && k !== 'using_index').map(([, p]) => p.text);
  const addIndex = `add_index ${t}, ${op.call.args[1]!.text}, unique: true, algorithm: :concurrently, name: ${JSON.stringify(index)}`;
  const attach = `add_unique_constraint ${t}, ${[`using_index: ${JSON.stringify(index)}`, `name: ${JSON.stringify(name)}`, ...rest].join(', ')}`;
  const edits: FileEdit[] = [];
  if (methodName === 'up') {
    const indent = lineIndent(ctx.text, op.call.node.startPosition.row);
    edits.push({ file: ctx.file, range: nodeRange(op.call.node), newText: `${addIndex}\n${indent}${attach}` });
  } else {
    const mi = lineIndent(ctx.text, method.startPosition.row);
    const bi = `${mi}  `;
    edits.push({
      file: ctx.file, range: nodeRange(method),
      newText: [`def up`, `${bi}${addIndex}`, `${bi}${attach}`, `${mi}end`, '', `${mi}def down`, `${bi}remove_unique_constraint ${t}, name: ${JSON.stringify(name)}`, `${mi}end`].join('\n'),
    });
  }
  const ddl = disableDdlTransactionEdit(ctx, op.klass);
  if (ddl) edits.push(ddl);
  return { title: 'Build the unique index concurrently, then attach it with `using_index:`', safety: 'unsafe', edits };
}
