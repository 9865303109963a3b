import { defineRule } from '../../core/rule';
import type { FileEdit, Fix } from '../../core/types';
import { lineIndent, literalName } from '../../parsing/ruby';
import { removeKeywordArgument } from '../../parsing/rubyEdits';
import { checkedOps, disableDdlTransactionEdit, mayBePostgres, migrationModel } from '../../migrations/gating';
import { railsAtLeast, truthy } from '../../migrations/ruleHelpers';

export default defineRule({
  meta: {
    id: 'migrations/add-column-index-option',
    description: 'add_column ignores (or, from Rails 7.1, rejects) the index: option: the index you expect is never built.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        const model = migrationModel(ctx);
        for (const op of checkedOps(ctx)) {
          // `t.<type> … index:` in create_table/change_table is valid (and builds an index); only add_column ignores it.
          if (op.method !== 'add_column' || op.call.name !== 'add_column' || op.changeTable || op.createTable) continue;
          if (op.call.receiver && op.call.receiver.text !== 'self' && !op.viaConnection) continue;
          const index = op.call.keywords.get('index');
          if (!truthy(index)) continue;
          const table = op.call.args[0];
          const column = op.call.args[1];
          const tableName = literalName(table) ?? 'the table';
          const columnName = literalName(column) ?? 'the column';
          const newTable = model.createdBefore(op.table, op);
          const concurrent = mayBePostgres(ctx) && !newTable;
          const options: string[] = [];
          if (index!.type === 'hash') {
            for (const pair of index!.namedChildren) if (pair?.type === 'pair') options.push(pair.text);
          }
          if (concurrent && !options.some((o) => /algorithm/.test(o))) options.push('algorithm: :concurrently');
          const addIndex = table && column ? `add_index ${table.text}, ${column.text}${options.length ? `, ${options.join(', ')}` : ''}` : undefined;
          const fixes: Fix[] = [];
          const remove = removeKeywordArgument(ctx.file, ctx.text, op.call, 'index');
          const ownLine = isOwnStatement(ctx.text, op.call.node);
          if (addIndex && remove && ownLine) {
            const end = { line: op.call.node.endPosition.row, character: op.call.node.endPosition.column };
            const edits: FileEdit[] = [remove, {
              file: ctx.file, range: { start: end, end }, newText: `\n${lineIndent(ctx.text, op.call.node.startPosition.row)}${addIndex}`,
            }];
            const ddl = concurrent ? disableDdlTransactionEdit(ctx, op.klass) : undefined;
            if (ddl) edits.push(ddl);
            fixes.push({ title: `Move the index into \`${addIndex}\`${ddl ? ' with `disable_ddl_transaction!`' : ''}`, safety: 'unsafe', edits });
          }
          const rails71 = railsAtLeast(ctx.app, '7.1');
          ctx.report({
            node: op.call.pairs.get('index') ?? op.call.nameNode,
            message: `add_column does not take \`index:\`: `
              + (ctx.app.railsVersion
                ? rails71 ? `Rails ${ctx.app.railsVersion.value} raises "Unknown key: :index" and the deploy fails` : `Rails ${ctx.app.railsVersion.value} ignores it silently, so ${tableName}.${columnName} gets no index`
                : 'older Rails ignores it silently (no index), Rails 7.1+ raises "Unknown key: :index"')
              + `. Add the index with its own call` + (addIndex ? `: \`${addIndex}\`` : '')
              + (concurrent ? ' (with `disable_ddl_transaction!` in the class).' : '.'),
            fixes,
          });
        }
      },
    };
  },
});

function isOwnStatement(text: string, node: { startPosition: { row: number; column: number }; endPosition: { row: number; column: number } }): boolean {
  const lines = text.split('\n');
  const before = (lines[node.startPosition.row] ?? '').slice(0, node.startPosition.column);
  const after = (lines[node.endPosition.row] ?? '').slice(node.endPosition.column).replace(/\r$/, '');
  return before.trim() === '' && after.trim() === '';
}
