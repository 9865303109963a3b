import { defineRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import { literalName, nodeRange } from '../../parsing/ruby';
import { checkedOps, mayBePostgres } from '../../migrations/gating';
import { isDslCall, railsAtLeast } from '../../migrations/ruleHelpers';

export default defineRule({
  meta: {
    id: 'migrations/rename-enum-value',
    description: 'rename_enum_value breaks running processes that still write the old value.',
    defaultSeverity: 'error',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        // A PostgreSQL enum type operation, in Rails from 7.1.
        if (!mayBePostgres(ctx) || !railsAtLeast(ctx.app, '7.1')) return;
        for (const op of checkedOps(ctx, { strongMigrationsKeys: ['rename_enum_value'] })) {
          if (op.method !== 'rename_enum_value' || !isDslCall(op)) continue;
          const type = op.call.args[0];
          const from = op.call.keywords.get('from');
          const to = op.call.keywords.get('to');
          const fromName = literalName(from) ?? 'old';
          const toName = literalName(to) ?? 'new';
          const typeName = literalName(type) ?? 'the enum type';
          const fixes: Fix[] = [];
          let safe = '';
          if (type && from && to && literalName(from) !== undefined && literalName(to) !== undefined) {
            safe = `add_enum_value ${type.text}, ${to.text}, after: ${from.text}`;
            fixes.push({
              title: `Add the value ${toName} instead of renaming ${fromName}`, safety: 'unsafe',
              edits: [{ file: ctx.file, range: nodeRange(op.call.node), newText: safe }],
            });
          }
          ctx.report({
            node: op.call.nameNode,
            message: `Renaming value "${fromName}" of enum ${typeName} to "${toName}" breaks running processes: they keep writing `
              + `"${fromName}" and get "invalid input value for enum" errors until they restart. Instead add the new value`
              + (safe ? ` (\`${safe}\`)` : '') + `, make the code accept both, backfill rows from "${fromName}" to "${toName}", `
              + `and stop using "${fromName}" in a later deploy.`,
            fixes,
          });
        }
      },
    };
  },
});
