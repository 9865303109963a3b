// Hover on a migration DSL call: the lock it takes on this adapter, and the assumptions behind it.
import { nodeAt, type HoverProvider } from '../core/hover';
import { isSymbol, nodeRange } from '../parsing/ruby';
import { buildMigrationModel } from '../migrations/model';
import { lockInfo } from '../migrations/locks';

export const migrationDslHover: HoverProvider = {
  id: 'migration-dsl',
  fileKinds: ['migration'],
  hover(input) {
    if (!input.tree) return undefined;
    const node = nodeAt(input.tree, input.position);
    if (!node || node.type !== 'identifier') return undefined;
    const model = input.derive('migrations/model', () => buildMigrationModel(input.tree!, input.file));
    const op = model.ops.find((o) => o.call.nameNode.startIndex === node.startIndex);
    if (!op) return undefined;
    const adapter = input.app.adapter;
    const concurrently = isSymbol(op.call.keywords.get('algorithm'), 'concurrently');
    const info = lockInfo(op.method, adapter.value, concurrently);
    if (!info) return undefined;
    const adapterName = adapter.value === 'unknown' ? 'PostgreSQL (assumed)' : adapter.value;
    const version = input.app.databaseVersion
      ? `${input.app.databaseVersion.value} (from ${input.app.databaseVersion.source})`
      : 'newest (assumed: no database.version in .rails-hazards.yml and no StrongMigrations.target_version)';
    const table = op.table ? `\`${op.table}\`` : 'the table';
    const created = model.createdBefore(op.table, op) || !!op.createTable;
    const lines = [
      `**${op.changeTable ? `t.${op.call.name} → ` : ''}${op.method}${concurrently ? ' (concurrently)' : ''}** on ${table}`,
      '',
      created ? `${table} is created earlier in this migration, so nothing else uses it yet.` : `Lock: **${info.lock}**, blocks ${info.blocks} for ${info.duration}.`,
      `Rewrites the table: ${info.rewrite ? 'yes' : 'no'}.`,
      `Runs inside the DDL transaction: ${op.klass.disableDdlTransaction ? 'no (disable_ddl_transaction!)' : 'yes'}.`,
      '',
      `Assumptions: adapter ${adapterName} (${adapter.source}); database version ${version}.`,
    ];
    return { markdown: lines.join('\n'), range: nodeRange(op.call.nameNode) };
  },
};
