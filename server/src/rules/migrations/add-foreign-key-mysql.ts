import { defineRule } from '../../core/rule';
import { adapter, isNewTable, onDatabase, opsFor } from '../../migrations/gating';
import { foreignKeyOf } from '../../migrations/ruleKit';
import { callLabel } from '../../migrations/model';

const ID = 'migrations/add-foreign-key-mysql';

export default defineRule({
  meta: {
    id: ID,
    description: 'Adding a foreign key on MySQL/MariaDB with foreign_key_checks on copies the table and blocks writes on both tables.',
    defaultSeverity: 'warning',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        if (adapter(ctx) !== 'mysql') return;
        for (const op of opsFor(ctx, ID)) {
          const fk = foreignKeyOf(op);
          if (!fk || isNewTable(ctx, op)) continue;
          const from = fk.from ?? 'the table';
          const to = fk.to ?? 'the referenced table';
          const call = callLabel(op);
          ctx.report({
            node: op.call.nameNode,
            message: `${call} adds a foreign key from ${from} to ${to} on ${onDatabase(ctx)}: with foreign_key_checks=1 InnoDB adds it with ALGORITHM=COPY, `
              + `copying ${from} while writes to ${from} and ${to} are blocked (\`validate: false\` is ignored on MySQL). Only if every row is known to be valid `
              + 'and no connection pooler shares sessions: run `execute "SET foreign_key_checks = 0"` before it and `execute "SET foreign_key_checks = 1"` in an `ensure`, '
              + 'inside `safety_assured`; otherwise use an online schema-change tool (gh-ost, pt-online-schema-change).',
          });
        }
      },
    };
  },
});
