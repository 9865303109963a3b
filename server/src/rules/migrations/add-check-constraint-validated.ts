import { createHash } from 'node:crypto';
import { defineRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import { followUpMigrationEdit, isNewTable, mayBePostgres, onDatabase, opsFor, runtimeSafetyNet, snakeName, sym } from '../../migrations/gating';
import type { MigrationOp } from '../../migrations/model';
import { isFalseNode, previewCall } from '../../migrations/ruleKit';
import { literalName, stringValue } from '../../parsing/ruby';
import { addKeywordArgument } from '../../parsing/rubyEdits';
import { callLabel } from '../../migrations/model';

const ID = 'migrations/add-check-constraint-validated';
const OM_HELPERS: Record<string, string> = {
  add_not_null_constraint: 'validate_not_null_constraint',
  add_text_limit_constraint: 'validate_text_limit_constraint',
};

/** Rails' default check constraint name: `chk_rails_` + the first 10 hex digits of SHA256("<table>_<expression>_chk"). */
export function railsCheckConstraintName(table: string, expression: string): string {
  return `chk_rails_${createHash('sha256').update(`${table}_${expression}_chk`).digest('hex').slice(0, 10)}`;
}

export default defineRule({
  meta: {
    id: ID,
    description: 'Adding a validated CHECK constraint on PostgreSQL holds an ACCESS EXCLUSIVE lock while every row is checked.',
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
          const helper = !op.changeTable && !op.createTable ? OM_HELPERS[op.call.name] : undefined;
          if (op.method !== 'add_check_constraint' && !helper) continue;
          if (isFalseNode(op.call.keywords.get('validate')) || isNewTable(ctx, op)) continue;
          const table = op.table ?? 'the table';
          const fixes: Fix[] = [];
          const { pairs, validateCall } = plan(op, helper);
          const edit = addKeywordArgument(ctx.file, op.call, pairs);
          let safe = '';
          if (edit) {
            fixes.push({ title: 'Add `validate: false` (validate in a later migration)', safety: 'unsafe', edits: [edit] });
            safe = previewCall(op, [edit]);
            if (validateCall && op.table) {
              const name = snakeName('validate', op.table, constraintLabel(op, helper));
              const file = followUpMigrationEdit(ctx, op.klass, name, [validateCall], { seconds: ++followUps });
              if (file) fixes.push({ title: `Add \`validate: false\` and create the follow-up migration ${name}`, safety: 'unsafe', edits: [edit, file] });
            }
          }
          const safetyNet = runtimeSafetyNet(ctx, true);
          const call = callLabel(op);
          ctx.report({
            node: op.call.nameNode,
            severity: safetyNet ? 'info' : undefined,
            message: `${call} adds a validated CHECK constraint to ${table}: on ${onDatabase(ctx)} it takes an ACCESS EXCLUSIVE lock and scans every row, `
              + `so all reads and writes on ${table} wait for the scan. Add it \`NOT VALID\`` + (safe ? ` (\`${safe}\`)` : ' (`validate: false`)')
              + `, then run \`${validateCall ?? 'validate_check_constraint'}\` in a later migration (SHARE UPDATE EXCLUSIVE: reads and writes continue).`
              + (safetyNet ? ` (${safetyNet}.)` : ''),
            fixes,
          });
        }
      },
    };
  },
});

/** The pairs to append (`validate: false`, plus Rails' own `name:` when missing) and the follow-up call. */
function plan(op: MigrationOp, helper: string | undefined): { pairs: string; validateCall?: string } {
  const table = op.table;
  if (helper) {
    const column = literalName(op.call.args[1]);
    return { pairs: 'validate: false', validateCall: table && column ? `${helper} ${sym(table)}, ${sym(column)}` : undefined };
  }
  const exprNode = op.changeTable ? op.call.args[0] : op.call.args[1];
  const explicit = literalName(op.call.keywords.get('name'));
  if (explicit) return { pairs: 'validate: false', validateCall: table ? `validate_check_constraint ${sym(table)}, name: ${JSON.stringify(explicit)}` : undefined };
  const expression = exprNode ? stringValue(exprNode) : undefined;
  if (!table || expression === undefined) return { pairs: 'validate: false' };
  const name = railsCheckConstraintName(table, expression);
  return { pairs: `name: "${name}", validate: false`, validateCall: `validate_check_constraint ${sym(table)}, name: "${name}"` };
}

function constraintLabel(op: MigrationOp, helper: string | undefined): string {
  if (helper) return `${literalName(op.call.args[1]) ?? 'column'}_${helper === 'validate_not_null_constraint' ? 'not_null' : 'text_limit'}`;
  return literalName(op.call.keywords.get('name')) ?? 'check';
}
