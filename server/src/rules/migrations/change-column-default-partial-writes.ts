import { defineRule, type RuleContext } from '../../core/rule';
import { literalName } from '../../parsing/ruby';
import { compareVersionStrings } from '../../lockfile/gemVersion';
import { checkedOps, migrationModel } from '../../migrations/gating';
import { isDslCall } from '../../migrations/ruleHelpers';

export default defineRule({
  meta: {
    id: 'migrations/change-column-default-partial-writes',
    description: 'With partial inserts on, processes booted before a default change write the new default where they meant the old one.',
    defaultSeverity: 'warning',
    fix: 'none',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        const partial = partialInserts(ctx);
        if (!partial) return;
        const model = migrationModel(ctx);
        for (const op of checkedOps(ctx, { strongMigrationsKeys: ['change_column_default'] })) {
          if (!isDslCall(op) || op.createTable) continue;
          const isDefault = op.method === 'change_column_default' || (op.method === 'change_column' && op.call.keywords.has('default'));
          if (!isDefault || !op.table || model.createdBefore(op.table, op)) continue;
          const column = literalName(op.changeTable ? op.call.args[0] : op.call.args[1]);
          if (column && addedEarlier(ctx, op.table, column, op.order, op.klass)) continue;
          const col = column ?? 'the column';
          ctx.report({
            node: op.call.nameNode,
            message: `Changing the default of ${op.table}.${col} while partial inserts are on (${partial}): processes booted before `
              + `the migration leave out \`${col}\` from INSERTs when its value equals the old default they cached, so the database `
              + `stores the new default instead. Set \`config.active_record.partial_inserts = false\` (Rails 7 default) and deploy it first.`,
          });
        }
      },
    };
  },
});

/** Why partial inserts are on, or undefined when they are off or unknown. */
function partialInserts(ctx: RuleContext): string | undefined {
  const app = ctx.app;
  if (app.partialInserts !== undefined) return app.partialInserts ? 'config.active_record.partial_inserts = true' : undefined;
  if (app.loadDefaults) return compareVersionStrings(app.loadDefaults, '7.0') < 0 ? `config.load_defaults ${app.loadDefaults}` : undefined;
  const rails = app.railsVersion?.value;
  if (rails && compareVersionStrings(rails, '7.0') < 0) return `Rails ${rails} from ${app.railsVersion!.source}`;
  return undefined;
}

function addedEarlier(ctx: RuleContext, table: string, column: string, order: number, klass: unknown): boolean {
  return migrationModel(ctx).ops.some((o) => o.order < order && o.klass === klass && o.table === table
    && o.method === 'add_column' && (o.changeTable || o.createTable
      ? (o.call.name === 'column' ? literalName(o.call.args[0]) === column : o.call.args.some((a) => literalName(a) === column))
      : literalName(o.call.args[1]) === column));
}
