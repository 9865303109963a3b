import { defineRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import { literalName, nodeRange } from '../../parsing/ruby';
import { addKeywordArgument } from '../../parsing/rubyEdits';
import { adapter, checkedOps } from '../../migrations/gating';
import { compatBelow, compatVersion, isDslCall } from '../../migrations/ruleHelpers';

/** 32-bit (or smaller) key types and their 64-bit replacement. */
const SHORT: Record<string, string> = {
  integer: 'bigint', int: 'bigint', int4: 'bigint', serial: 'bigserial', serial4: 'bigserial', smallint: 'bigint',
  int2: 'bigint', smallserial: 'bigserial', mediumint: 'bigint',
};

export default defineRule({
  meta: {
    id: 'migrations/short-primary-key-type',
    description: 'A 32-bit primary key runs out after 2,147,483,647 rows and inserts start failing.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        if (adapter(ctx) === 'sqlite') return;
        for (const op of checkedOps(ctx)) {
          if (op.method !== 'create_table' || !isDslCall(op)) continue;
          const table = op.table;
          const id = op.call.keywords.get('id');
          // The table's primary key is already 64-bit today (a later migration widened it): nothing to do.
          const current = table ? ctx.app.schema?.tables.get(table) : undefined;
          if (current && !SHORT[current.primaryKeyType]) continue;
          const fixes: Fix[] = [];
          let type: string;
          if (id) {
            const name = literalName(id);
            if (!name || !SHORT[name]) continue;
            type = name;
            const wide = SHORT[name];
            const replacement = id.type === 'simple_symbol' ? `:${wide}` : id.text.replace(name, wide);
            fixes.push({ title: `Use \`id: ${replacement}\``, safety: 'unsafe', edits: [{ file: ctx.file, range: nodeRange(id), newText: replacement }] });
          } else {
            // `[5.0]` and older compatibility create 32-bit integer keys by default.
            if (!compatBelow(op.klass, '5.1')) continue;
            type = `integer, the default of ${compatVersion(op.klass) === '4.2' ? op.klass.superclass : `Migration[${compatVersion(op.klass)}]`}`;
            const edit = addKeywordArgument(ctx.file, op.call, 'id: :bigint');
            if (edit) fixes.push({ title: 'Add `id: :bigint`', safety: 'unsafe', edits: [edit] });
          }
          ctx.report({
            node: op.call.keywords.get('id') ?? op.call.nameNode,
            message: `${table ?? 'The table'} gets a 32-bit primary key (${type}): it runs out after 2,147,483,647 ids and every INSERT fails `
              + `from then on, and widening it later rewrites the table and every referencing column. Use \`id: :bigint\` `
              + `(Rails' default since 5.1) or \`id: :uuid\`.`,
            fixes,
          });
        }
      },
    };
  },
});
