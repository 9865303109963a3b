import { defineRule } from '../../core/rule';
import { literalName } from '../../parsing/ruby';
import { checkedOps, mayBePostgres } from '../../migrations/gating';
import { isDslCall, railsAtLeast } from '../../migrations/ruleHelpers';

export default defineRule({
  meta: {
    id: 'migrations/rename-schema',
    description: 'rename_schema breaks every schema-qualified query of running processes.',
    defaultSeverity: 'error',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        // rename_schema is PostgreSQL's and exists from Rails 8.1; before that the name is some other method.
        if (!mayBePostgres(ctx) || !railsAtLeast(ctx.app, '8.1')) return;
        for (const op of checkedOps(ctx, { strongMigrationsKeys: ['rename_schema'] })) {
          if (op.method !== 'rename_schema' || !isDslCall(op)) continue;
          const from = literalName(op.call.args[0]) ?? 'old_schema';
          const to = literalName(op.call.args[1]) ?? 'new_schema';
          ctx.report({
            node: op.call.nameNode,
            message: `Renaming schema ${from} to ${to} breaks every query of running processes that names \`${from}\` `
              + `(schema_search_path, schema-qualified table names) until they restart. Instead: create schema \`${to}\`, `
              + `write to both, backfill, switch reads, then drop \`${from}\` in a later deploy.`,
          });
        }
      },
    };
  },
});
