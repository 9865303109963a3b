import { defineRule } from '../../core/rule';
import { checkedOps, mayBePostgres, migrationModel } from '../../migrations/gating';
import { createdForeignKeys } from '../../migrations/foreignKeys';
import type { MigrationClass, MigrationOp } from '../../migrations/model';
import { isDslCall } from '../../migrations/ruleHelpers';

export default defineRule({
  meta: {
    id: 'migrations/multiple-foreign-keys',
    description: 'Foreign keys to several existing tables in one transaction hold write locks on all of them together.',
    defaultSeverity: 'warning',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        if (!mayBePostgres(ctx)) return;
        const model = migrationModel(ctx);
        // Per class: the referenced tables in order, with the op that first references each.
        const seen = new Map<MigrationClass, Map<string, MigrationOp>>();
        for (const op of checkedOps(ctx, { strongMigrationsKeys: ['multiple_foreign_keys'] })) {
          // Without the DDL transaction each statement commits (and releases its locks) on its own.
          if (!isDslCall(op) || op.klass.disableDdlTransaction) continue;
          for (const fk of createdForeignKeys(op)) {
            if (!fk.to || fk.to === fk.from || model.createdBefore(fk.to, op)) continue;
            const targets = seen.get(op.klass) ?? new Map<string, MigrationOp>();
            seen.set(op.klass, targets);
            if (!targets.has(fk.to)) targets.set(fk.to, op);
          }
        }
        // One finding per migration class, at the statement that adds the second table.
        for (const targets of seen.values()) {
          if (targets.size < 2) continue;
          const names = [...targets.keys()];
          const list = `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
          const second = [...targets.values()][1];
          ctx.report({
            node: second.call.nameNode,
            message: `This migration adds foreign keys to ${list}: each takes a SHARE ROW EXCLUSIVE lock on the `
              + `referenced table and all are held until the migration commits, so writes to ${list} wait together and `
              + `their lock queues compound. Add one foreign key per migration (the others in follow-up migrations, with \`validate: false\`).`,
          });
        }
      },
    };
  },
});
