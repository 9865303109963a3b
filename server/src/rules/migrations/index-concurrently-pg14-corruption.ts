import { defineRule } from '../../core/rule';
import { isSymbol } from '../../parsing/ruby';
import { checkedOps, mayBePostgres, versionKnownWithin } from '../../migrations/gating';
import { sniffSql, sqlOf } from '../../migrations/sqlSniff';
import { isDslCall } from '../../migrations/ruleHelpers';

export default defineRule({
  meta: {
    id: 'migrations/index-concurrently-pg14-corruption',
    description: 'PostgreSQL 14.0–14.3 can silently corrupt indexes built or rebuilt concurrently.',
    defaultSeverity: 'error',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        const v = ctx.app.databaseVersion;
        // Only with a known version wholly in the affected range (fixed in 14.4): a major-only "14" is
        // some 14.x and may well be 14.4+, so it gets no finding (the hover mentions the range).
        if (!v || !mayBePostgres(ctx) || !versionKnownWithin(v.value, '14', '14.4')) return;
        for (const op of checkedOps(ctx, { ignoreSafetyAssured: true, strongMigrationsKeys: ['add_index_corruption'] })) {
          if (!isDslCall(op)) continue;
          let concurrent = false;
          if (op.method === 'add_index' || op.method === 'add_concurrent_index') {
            concurrent = op.method === 'add_concurrent_index' || isSymbol(op.call.keywords.get('algorithm'), 'concurrently');
          } else if (op.method === 'add_reference' || op.method === 'add_belongs_to') {
            const index = op.call.keywords.get('index');
            concurrent = !!index && index.type === 'hash' && /algorithm:\s*:concurrently|:algorithm\s*=>\s*:concurrently/.test(index.text);
          } else if (op.method === 'execute') {
            const sql = sqlOf(op.call.args[0]);
            concurrent = !!sql && sniffSql(sql.text).some((s) => s.kind === 'concurrently' && /^(CREATE|REINDEX)/i.test(s.text));
          }
          if (!concurrent) continue;
          ctx.report({
            node: op.call.nameNode,
            message: `PostgreSQL ${v.value} (from ${v.source}) has a bug (fixed in 14.4) that can silently corrupt indexes built or `
              + `rebuilt concurrently: queries then miss rows. Upgrade the server to 14.4 or newer before running this migration.`,
          });
        }
      },
    };
  },
});
