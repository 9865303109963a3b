import { defineRule } from '../../core/rule';
import type { FileEdit, Fix } from '../../core/types';
import { disableDdlTransactionEdit, followUpMigrationEdit, mayBePostgres, opsFor, snakeName } from '../../migrations/gating';
import { migrationModel } from '../../migrations/gating';
import { isOwnStatement, statementLinesRange } from '../../migrations/ruleKit';

const ID = 'migrations/validate-in-locking-transaction';
const VALIDATE = new Set(['validate_foreign_key', 'validate_check_constraint', 'validate_constraint', 'validate_not_null_constraint', 'validate_text_limit_constraint']);

export default defineRule({
  meta: {
    id: ID,
    description: 'validate_foreign_key / validate_check_constraint after another DDL statement in the same transaction scans the table while that statement\'s lock is still held.',
    defaultSeverity: 'error',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        if (!mayBePostgres(ctx)) return;
        const model = migrationModel(ctx);
        let followUps = 0;
        for (const op of opsFor(ctx, ID)) {
          if (!VALIDATE.has(op.method) || op.changeTable) continue;
          const held = model.lockHeldBefore(op);
          if (!held) continue;
          const heldName = held.changeTable ? `t.${held.call.name}` : held.call.name;
          const heldLine = held.call.node.startPosition.row + 1;
          const fixes: Fix[] = [];
          const ddl = disableDdlTransactionEdit(ctx, op.klass);
          if (ddl) fixes.push({ title: 'Add `disable_ddl_transaction!` (each statement commits on its own)', safety: 'unsafe', edits: [ddl] });
          const lines = statementLinesRange(ctx.text, op.call.node);
          if (lines && isOwnStatement(op) && op.table && op.klass.name) {
            const name = snakeName(op.method, op.table);
            const file = followUpMigrationEdit(ctx, op.klass, name, [op.call.node.text], { seconds: ++followUps });
            if (file) {
              const remove: FileEdit = { file: ctx.file, range: lines, newText: '' };
              fixes.push({ title: `Move \`${op.method}\` into a new migration ${name}`, safety: 'unsafe', edits: [remove, file] });
            }
          }
          ctx.report({
            node: op.call.nameNode,
            message: `${op.method} runs in the same transaction as ${heldName} (line ${heldLine}), whose lock on ${held.table ?? 'its table'} is held until COMMIT: `
              + 'the validation scan, which alone blocks nobody, now runs while writes (and often reads) wait. '
              + 'Validate in a separate migration, or add `disable_ddl_transaction!` so each statement commits before the next.',
            fixes,
          });
        }
      },
    };
  },
});
