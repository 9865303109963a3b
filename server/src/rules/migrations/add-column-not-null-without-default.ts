import { defineRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import { adapter, isNewTable, migrationCompatAtLeast, onDatabase, opsFor } from '../../migrations/gating';
import { addedColumns, addedColumnType, callLabel } from '../../migrations/model';
import { isFalseNode } from '../../migrations/ruleKit';
import { addKeywordArgument, removeKeywordArgument } from '../../parsing/rubyEdits';

const ID = 'migrations/add-column-not-null-without-default';

export default defineRule({
  meta: {
    id: ID,
    description: 'Adding a NOT NULL column without a default fails as soon as the table has rows (PostgreSQL, SQLite).',
    defaultSeverity: 'error',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        if (adapter(ctx) === 'mysql') return;
        for (const op of opsFor(ctx, ID)) {
          if (!['add_column', 'add_reference', 'add_belongs_to', 'add_timestamps'].includes(op.method) || isNewTable(ctx, op)) continue;
          const kw = op.call.keywords;
          const def = kw.get('default');
          if (def && def.type !== 'nil') continue;
          const type = addedColumnType(op);
          if (type === 'virtual' || kw.has('as')) continue;
          const nullOpt = kw.get('null');
          let implicit = false;
          if (op.method === 'add_timestamps') {
            if (nullOpt) { if (!isFalseNode(nullOpt)) continue; } else {
              // Rails 5.0+ timestamps are NOT NULL by default; Migration[4.2] keeps them nullable.
              if (!migrationCompatAtLeast(ctx, op.klass, '5.0')) continue;
              implicit = true;
            }
          } else if (!isFalseNode(nullOpt)) continue;
          const table = op.table ?? 'the table';
          const columns = addedColumns(op);
          const what = columns.length ? columns.join(', ') : 'the column';
          const fixes: Fix[] = [];
          const edit = implicit ? addKeywordArgument(ctx.file, op.call, 'null: true') : removeKeywordArgument(ctx.file, ctx.text, op.call, 'null');
          if (edit) fixes.push({ title: implicit ? 'Add `null: true` (backfill, then add NOT NULL later)' : 'Remove `null: false` (backfill, then add NOT NULL later)', safety: 'unsafe', edits: [edit] });
          const call = callLabel(op);
          ctx.report({
            node: op.call.nameNode,
            message: `${call} adds ${what} to existing table ${table} as NOT NULL without a default${implicit ? ' (timestamps are NOT NULL by default since Rails 5.0)' : ''}: `
              + `on ${onDatabase(ctx)} this fails with "column contains null values" as soon as ${table} has rows, so the deploy's migrate step breaks while tests on empty tables pass. `
              + 'Add the column nullable, backfill it in batches, then set NOT NULL (see migrations/change-column-null-not-null); or give it a constant `default:`.',
            fixes,
          });
        }
      },
    };
  },
});
