import { defineRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import { followUpMigrationEdit, isNewTable, opsFor, snakeName } from '../../migrations/gating';
import { isFalseNode } from '../../migrations/ruleKit';
import { classify } from '../../models/inflector';
import { literalName } from '../../parsing/ruby';

const ID = 'migrations/change-column-null-default-backfill';

export default defineRule({
  meta: {
    id: ID,
    description: 'change_column_null with a default value backfills every NULL row in one UPDATE inside the migration transaction.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        let backfills = 0;
        for (const op of opsFor(ctx, ID)) {
          if (op.method !== 'change_column_null') continue;
          const inTable = !!op.changeTable;
          const args = op.call.args;
          const nullArg = inTable ? args[1] : args[2];
          const value = inTable ? args[2] : args[3];
          if (!value || value.type === 'nil' || !isFalseNode(nullArg) || isNewTable(ctx, op)) continue;
          const table = op.table ?? 'the table';
          const column = literalName(inTable ? args[0] : args[1]) ?? 'column';
          const model = op.table ? classify(op.table) : 'Model';
          const key = /^[a-z_][a-z0-9_]*$/i.test(column) ? `${column}:` : `${JSON.stringify(column)} =>`;
          const batches = `${model}.unscoped.where(${key} nil).in_batches(of: 10_000) do |batch|`;
          const fixes: Fix[] = [];
          if (op.table && literalName(inTable ? args[0] : args[1]) && nullArg) {
            // The backfill migration gets the version one second BEFORE this one, so it runs first.
            const name = snakeName('backfill', op.table, column);
            const file = followUpMigrationEdit(ctx, op.klass, name, [], {
              seconds: -(++backfills),
              classBody: [
                'disable_ddl_transaction!',
                '',
                `class ${model} < ActiveRecord::Base`,
                `  self.table_name = ${JSON.stringify(op.table)}`,
                'end',
                '',
                'def up',
                `  ${batches}`,
                `    batch.update_all(${key} ${value.text})`,
                '    sleep(0.01)',
                '  end',
                'end',
                '',
                'def down',
                'end',
              ],
            });
            const drop = { file: ctx.file, range: { start: { line: nullArg.endPosition.row, character: nullArg.endPosition.column }, end: { line: value.endPosition.row, character: value.endPosition.column } }, newText: '' };
            if (file) fixes.push({ title: `Move the backfill into a batched migration ${name} that runs just before this one`, safety: 'unsafe', edits: [drop, file] });
          }
          ctx.report({
            node: value,
            message: `The 4th argument of ${inTable ? 't.change_null' : 'change_column_null'} makes Rails run \`UPDATE ${table} SET ${column} = ${value.text} WHERE ${column} IS NULL\` `
              + 'as one statement inside the migration transaction before SET NOT NULL: every matching row stays locked until COMMIT, with bloat and replica lag on a large table. '
              + `Backfill in batches in a separate \`disable_ddl_transaction!\` migration (\`${batches} batch.update_all(${key} ${value.text}); sleep(0.01) end\`), `
              + 'then add the NOT NULL constraint (see migrations/change-column-null-not-null).',
            fixes,
          });
        }
      },
    };
  },
});
