import { defineRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import { followUpMigrationEdit, isNewTable, mayBePostgres, migrationModel, onDatabase, opsFor, railsVersionAtLeast, runtimeSafetyNet, snakeName, sym } from '../../migrations/gating';
import { foreignKeyOf, previewCall, type ForeignKeyOp } from '../../migrations/ruleKit';
import { addKeywordArgument, mergeNestedOption } from '../../parsing/rubyEdits';
import { callLabel } from '../../migrations/model';

const ID = 'migrations/add-foreign-key-validated';

export default defineRule({
  meta: {
    id: ID,
    description: 'Adding a validated foreign key on PostgreSQL blocks writes on both tables while every row is checked.',
    defaultSeverity: 'error',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        if (!mayBePostgres(ctx)) return;
        let followUps = 0;
        for (const op of opsFor(ctx, ID)) {
          const fk = foreignKeyOf(op);
          if (!fk || !fk.validated || op.createTable) continue;
          const from = fk.from ?? 'the table';
          const to = fk.to ?? 'the referenced table';
          if (isNewTable(ctx, op)) {
            // From a table created in this migration: nothing to scan, but the referenced table is still
            // locked (briefly) and the lock queues behind long queries. strong_migrations flags it; info here.
            if (!fk.to || migrationModel(ctx).createdBefore(fk.to, op)) continue;
            ctx.report({
              node: op.call.nameNode,
              severity: 'info',
              message: `${callLabel(op)} adds a foreign key from new table ${from} to existing table ${to}: `
                + `there are no rows to validate, but ADD FOREIGN KEY still takes a SHARE ROW EXCLUSIVE lock on ${to}, which waits behind long queries on ${to} `
                + `while writes to ${to} queue behind it. Make sure a short lock_timeout is set, or declare it inline in create_table.`,
            });
            continue;
          }
          const edit = fk.viaReference
            ? mergeNestedOption(ctx.file, op.call, 'foreign_key', 'validate: false')
            : addKeywordArgument(ctx.file, op.call, 'validate: false');
          const fixes: Fix[] = [];
          let safe = '';
          const validateCall = validateCallFor(fk);
          if (edit && railsVersionAtLeast(ctx, '5.2')) {
            fixes.push({ title: 'Add `validate: false` (validate in a later migration)', safety: 'unsafe', edits: [edit] });
            safe = previewCall(op, [edit]);
            if (validateCall && fk.from) {
              const name = snakeName('validate', fk.from, fk.to ?? fk.column ?? 'fk', 'fk');
              // One second apart, so two follow-ups of the same migration get distinct versions.
              const file = followUpMigrationEdit(ctx, op.klass, name, [validateCall], { seconds: ++followUps });
              if (file) {
                fixes.push({ title: `Add \`validate: false\` and create the follow-up migration ${name}`, safety: 'unsafe', edits: [edit, file] });
              }
            }
          }
          const safetyNet = runtimeSafetyNet(ctx, true);
          const call = callLabel(op);
          ctx.report({
            node: op.call.nameNode,
            severity: safetyNet ? 'info' : undefined,
            message: `${call} adds a validated foreign key from ${from} to ${to}: on ${onDatabase(ctx)} ADD FOREIGN KEY takes a SHARE ROW EXCLUSIVE lock on both `
              + `tables and scans ${from} to check every row, so writes to ${from} and ${to} wait for the whole scan. `
              + (safe ? `Add it without validation (\`${safe}\`), then run \`${validateCall ?? 'validate_foreign_key'}\` in a later migration (it only takes a SHARE UPDATE EXCLUSIVE lock).`
                : 'Add it with `validate: false` (Rails 5.2+), then `validate_foreign_key` in a later migration.')
              + (safetyNet ? ` (${safetyNet}.)` : ''),
            fixes,
          });
        }
      },
    };
  },
});

/** `validate_foreign_key :from, :to` (or with `column:`/`name:` when the FK was given them). */
function validateCallFor(fk: ForeignKeyOp): string | undefined {
  if (!fk.from) return undefined;
  if (fk.name) return `validate_foreign_key ${sym(fk.from)}, name: ${JSON.stringify(fk.name)}`;
  if (fk.viaReference) return fk.column ? `validate_foreign_key ${sym(fk.from)}, column: ${sym(fk.column)}` : undefined;
  if (!fk.to) return undefined;
  return `validate_foreign_key ${sym(fk.from)}, ${sym(fk.to)}` + (fk.column ? `, column: ${sym(fk.column)}` : '');
}
