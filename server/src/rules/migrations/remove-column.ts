import * as path from 'node:path';
import { defineRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import { literalName, literalNames } from '../../parsing/ruby';
import { checkedOps, migrationModel } from '../../migrations/gating';
import type { MigrationOp } from '../../migrations/model';
import { ignoredColumnsEdit, modelForTable } from '../../migrations/modelFacts';
import { hasSafetyAssured, isDslCall, truthy, wrapInSafetyAssured } from '../../migrations/ruleHelpers';
import type { RuleContext } from '../../core/rule';
import { ignoredColumnsIn, RUNNING_CODE_KEY, type RunningCode } from '../../migrations/runningCode';
import { singularize } from '../../models/inflector';

const METHODS = new Set(['remove_column', 'remove_columns', 'remove_timestamps', 'remove_reference', 'remove_belongs_to']);

export default defineRule({
  meta: {
    id: 'migrations/remove-column',
    description: 'remove_column breaks running processes that still have the column in their cached column list.',
    defaultSeverity: 'error',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        const model = migrationModel(ctx);
        for (const op of checkedOps(ctx, { strongMigrationsKeys: ['remove_column'] })) {
          if (!METHODS.has(op.method) || !isDslCall(op) || op.createTable) continue;
          if (!op.table || model.createdBefore(op.table, op)) continue;
          const columns = removedColumns(op);
          if (columns.length === 0) continue;
          const table = op.table;
          const list = columns.map((c) => `"${c}"`).join(', ');
          const found = modelForTable(ctx.app, table);
          const rel = found ? path.relative(ctx.app.root, found.model.file).replace(/\\/g, '/') : undefined;
          const what = `${table}.${columns.join(`, ${table}.`)}`;
          const fixes: Fix[] = [];
          const alreadyIgnored = !!found && columns.every((c) => found.ignoredColumns.includes(c));
          if (alreadyIgnored) {
            const wrap = hasSafetyAssured(ctx.app) && !op.safetyAssured ? wrapInSafetyAssured(ctx, op.call.node) : undefined;
            if (wrap) fixes.push({ title: 'Wrap in `safety_assured { }` (the model already ignores the column)', safety: 'safe', edits: [wrap] });
            ctx.report({
              node: op.call.nameNode,
              severity: 'info',
              message: `${found!.model.name} (${rel}) already ignores ${columns.join(', ')}: run this migration only after the deploy `
                + `with that ignore is live everywhere, so no running process still writes ${columns.length > 1 ? 'these columns' : 'the column'}`
                + (hasSafetyAssured(ctx.app) ? '; then wrap it in `safety_assured { }`.' : '.'),
              fixes,
            });
            continue;
          }
          // The model of the code running before this migration already ignored them (the ignore was deployed earlier and
          // this commit removes it together with the column): the safe sequence, complete.
          if (ignoredBefore(ctx, rel ? [rel] : conventionalModelPaths(table), columns)) continue;
          if (found) {
            const edit = ignoredColumnsEdit(found, columns);
            if (edit) fixes.push({ title: `Add \`self.ignored_columns += [${list}]\` to ${rel} (deploy that before this migration)`, safety: 'unsafe', edits: [edit] });
          }
          const modelName = found ? `${found.model.name} (${rel})` : `the model of ${table}`;
          ctx.report({
            node: op.call.nameNode,
            message: `Removing ${what} breaks the app during the deploy: processes started before the migration still have `
              + `${columns.length > 1 ? 'these columns' : 'the column'} in Active Record's cached column list, so their queries fail until they restart `
              + `(INSERTs that name every column when partial inserts are off; prepared SELECTs: "cached plan must not change result type"); `
              + `every index containing ${columns.length > 1 ? 'them' : 'it'} is dropped too. `
              + `First add \`self.ignored_columns += [${list}]\` to ${modelName} and deploy, then run this migration`
              + (hasSafetyAssured(ctx.app) ? ' inside `safety_assured { }`' : '') + ', then drop the ignore.',
            fixes,
          });
        }
      },
    };
  },
});

/** The columns an op removes: remove_column(s), t.remove, timestamps, references (`_id`, and `_type` when polymorphic). */
export function removedColumns(op: MigrationOp): string[] {
  const inTable = !!op.changeTable;
  const args = inTable ? op.call.args : op.call.args.slice(1);
  switch (op.method) {
    case 'remove_column':
      return names(args.slice(0, 1));
    case 'remove_columns':
      return names(args);
    case 'remove_timestamps':
      return ['created_at', 'updated_at'];
    case 'remove_reference':
    case 'remove_belongs_to': {
      const poly = truthy(op.call.keywords.get('polymorphic'));
      return names(inTable ? args : args.slice(0, 1)).flatMap((r) => (poly ? [`${r}_id`, `${r}_type`] : [`${r}_id`]));
    }
    default:
      return [];
  }
}

function names(nodes: MigrationOp['call']['args']): string[] {
  const out: string[] = [];
  for (const node of nodes) {
    if (node.type === 'hash') continue;
    // `remove_columns :t, *%i[a b]`
    const n = node.type === 'splat_argument' ? node.namedChildren[0] ?? node : node;
    const many = literalNames(n);
    if (many) out.push(...many);
    else {
      const one = literalName(n);
      if (one) out.push(one);
    }
  }
  return out;
}

/** Every column is in the model's `ignored_columns` as the code running before this migration has it (git). */
function ignoredBefore(ctx: RuleContext, modelPaths: string[], columns: string[]): boolean {
  const running = ctx.app.shared.get(RUNNING_CODE_KEY) as RunningCode | undefined;
  if (!running) return false;
  const migrationRel = path.relative(ctx.app.root, ctx.file).replace(/\\/g, '/');
  return modelPaths.some((modelRel) => {
    const before = running.fileBefore(migrationRel, modelRel);
    if (!before) return false;
    const ignored = ignoredColumnsIn(before);
    return columns.every((c) => ignored.includes(c));
  });
}

/** Where Rails' conventions put the model of a table the model index could not match: `posts` → app/models/post.rb, `spree_variants` → app/models/spree/variant.rb. */
function conventionalModelPaths(table: string): string[] {
  const paths = [`app/models/${singularize(table)}.rb`];
  const cut = table.indexOf('_');
  if (cut > 0) paths.push(`app/models/${table.slice(0, cut)}/${singularize(table.slice(cut + 1))}.rb`);
  return paths;
}
