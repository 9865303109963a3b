import { defineRule } from '../../core/rule';
import type { FileEdit } from '../../core/types';
import { isNewTable, mayBePostgres, opsFor } from '../../migrations/gating';
import { addedColumns, callLabel } from '../../migrations/model';
import { literalName } from '../../parsing/ruby';
import { replaceNode } from '../../parsing/rubyEdits';

const ID = 'migrations/add-column-json';

export default defineRule({
  meta: {
    id: ID,
    description: 'A json column on PostgreSQL has no equality operator: existing DISTINCT, UNION and GROUP BY queries over the table start failing.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        if (!mayBePostgres(ctx)) return;
        for (const op of opsFor(ctx, ID)) {
          if (op.method !== 'add_column' || isNewTable(ctx, op)) continue;
          let edit: FileEdit | undefined;
          if (op.columnType === 'json') {
            edit = { file: ctx.file, range: { start: { line: op.call.nameNode.startPosition.row, character: op.call.nameNode.endPosition.column }, end: { line: op.call.nameNode.startPosition.row, character: op.call.nameNode.endPosition.column } }, newText: 'b' };
          } else if (!op.columnType) {
            const typeNode = op.changeTable ? op.call.args[1] : op.call.args[2];
            if (literalName(typeNode) !== 'json' || !typeNode) continue;
            edit = replaceNode(ctx.file, typeNode, typeNode.text.replace(/json/, 'jsonb'));
          } else continue;
          const table = op.table ?? 'the table';
          ctx.report({
            node: op.call.nameNode,
            message: `${callLabel(op)} adds json column ${addedColumns(op).join(', ') || ''} to ${table}: PostgreSQL's json type has no equality operator, `
              + `so queries over ${table} that use SELECT DISTINCT, UNION or GROUP BY on all columns (Active Record's \`distinct\`, \`uniq\`) start failing with "could not identify an equality operator for type json". Use jsonb.`,
            fixes: [{ title: 'Use `jsonb`', safety: 'unsafe', edits: [edit] }],
          });
        }
      },
    };
  },
});
