// What rules read as "the table before this migration": the history model's replay when it knows the
// table, else db/schema.rb (see history.ts for the precedence). Without a migration version or a
// history (a single file checked outside an app), db/schema.rb as before.
import type { RuleContext } from '../core/rule';
import { schemaTableOf, type TableBefore } from './history';
import { migrationModel } from './gating';

export function tableBefore(ctx: RuleContext, table: string | undefined): TableBefore | undefined {
  if (!table) return undefined;
  const schema = ctx.app.schema;
  const version = migrationModel(ctx).version;
  const history = version ? ctx.app.migrationHistory : undefined;
  if (history && version) return history.tableBefore(table, version, schema?.tables, schema?.foreignKeys);
  const current = schemaTableOf(table, schema?.tables, schema?.foreignKeys);
  return current ? { table: current, source: 'schema' } : undefined;
}

/** How a message names where the state came from. */
export function stateSource(state: TableBefore, schemaFile = 'db/schema.rb'): string {
  return state.source === 'history' ? 'the migrations before this one' : schemaFile;
}
