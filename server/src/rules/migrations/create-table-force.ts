import { defineRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import { removeKeywordArgument } from '../../parsing/rubyEdits';
import { checkedOps } from '../../migrations/gating';
import { joinTableName } from '../../migrations/model';
import { isDslCall, truthy } from '../../migrations/ruleHelpers';

export default defineRule({
  meta: {
    id: 'migrations/create-table-force',
    description: 'create_table with force: drops an existing table of that name, and its data, before creating it.',
    defaultSeverity: 'error',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        for (const op of checkedOps(ctx, { strongMigrationsKeys: ['create_table'] })) {
          if ((op.method !== 'create_table' && op.method !== 'create_join_table') || !isDslCall(op)) continue;
          const force = op.call.keywords.get('force');
          if (!truthy(force)) continue;
          const table = op.method === 'create_join_table' ? joinTableName(op.call) ?? 'the join table' : op.table ?? 'the table';
          const edit = removeKeywordArgument(ctx.file, ctx.text, op.call, 'force');
          const fixes: Fix[] = edit ? [{ title: `Remove \`force: ${force!.text}\``, safety: 'unsafe', edits: [edit] }] : [];
          ctx.report({
            node: op.call.pairs.get('force') ?? op.call.nameNode,
            message: `\`force: ${force!.text}\` drops table ${table} if it already exists`
              + (force!.text === ':cascade' ? ', with every view and foreign key that depends on it,' : '')
              + ` and loses its data without a word. Remove the option: if the table must go, drop it explicitly with \`drop_table :${table}\`.`,
            fixes,
          });
        }
      },
    };
  },
});
