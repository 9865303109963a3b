// Hover on a migration DSL call: the lock it takes on this adapter and database version, whether it
// rewrites the table, the transaction it runs in, and every assumption used with where it came from.
import { nodeAt, type HoverInput, type HoverProvider } from '../core/hover';
import type { RuleContext } from '../core/rule';
import { nodeRange } from '../parsing/ruby';
import { assumptions, isDeployedMigration, isSmallTable, mayBePostgres, migrationCompat, migrationModel, runtimeSafetyNet, startAfter, versionKnownWithin, versionMayBeWithin } from '../migrations/gating';
import { describeOperation } from '../migrations/locks';
import { compareMigrationVersions, type MigrationOp } from '../migrations/model';
import { describeHelper } from '../migrations/appHelpers';
import * as path from 'node:path';

const SAFETY_NET_METHODS = new Set(['add_index', 'remove_index', 'add_reference', 'add_belongs_to', 'add_foreign_key', 'add_check_constraint', 'change_column_null']);

/** The gating helpers read a RuleContext; a hover has the same facts. */
function hoverContext(input: HoverInput): RuleContext {
  return {
    file: input.file, text: input.text, kind: input.kind, tree: input.tree, app: input.app, severity: 'info',
    report: () => undefined, derive: input.derive,
  };
}

export const migrationDslHover: HoverProvider = {
  id: 'migration-dsl',
  fileKinds: ['migration'],
  hover(input) {
    if (!input.tree) return undefined;
    const node = nodeAt(input.tree, input.position);
    if (!node || node.type !== 'identifier') return undefined;
    const ctx = hoverContext(input);
    const model = migrationModel(ctx);
    const op = model.ops.find((o) => o.call.nameNode.startIndex === node.startIndex);
    if (!op) return undefined;
    if (op.helper) return { markdown: helperHover(op, input.app.root), range: nodeRange(op.call.nameNode) };
    const adapter = input.app.adapter;
    const dbVersion = input.app.databaseVersion?.value;
    const info = describeOperation(op, adapter.value, dbVersion);
    if (!info) return undefined;
    const concurrently = /concurrently/.test(op.call.keywords.get('algorithm')?.text ?? '');
    const table = op.table ? `\`${op.table}\`` : 'the table';
    const created = model.createdBefore(op.table, op) || !!op.createTable;
    const held = model.lockHeldBefore(op);
    const facts = assumptions(ctx);
    const compat = migrationCompat(ctx, op.klass);
    const lines = [
      `**${op.changeTable ? `t.${op.call.name} → ` : ''}${op.method}${concurrently ? ' (concurrently)' : ''}** on ${table}`,
      '',
      created ? `${table} is created earlier in this migration, so nothing else uses it yet.` : `Lock: **${info.lock}**, blocks ${info.blocks} for ${info.duration}.`,
      `Rewrites the table: ${info.rewrite ? 'yes' : 'no'}.`,
      ...info.notes,
      ...pg14Note(ctx, concurrently || op.method === 'add_concurrent_index'),
      `Runs inside the DDL transaction: ${op.klass.disableDdlTransaction ? 'no (disable_ddl_transaction!)' : 'yes'}.`
        + (held && held !== op ? ` Locks taken earlier in it are held until COMMIT (${held.changeTable ? `t.${held.call.name}` : held.call.name}, line ${held.call.node.startPosition.row + 1}).` : ''),
    ];
    const hatches: string[] = [];
    if (op.phase === 'down') hatches.push('runs only on rollback (`down`): not checked');
    if (op.safetyAssured) hatches.push(input.app.config.migrations.respectSafetyAssured ? 'inside `safety_assured`: not reported' : 'inside `safety_assured`, audited anyway (respectSafetyAssured: false)');
    const cutoff = startAfter(ctx);
    if (cutoff && model.version && compareMigrationVersions(model.version, cutoff.version) <= 0) hatches.push(`at or before ${cutoff.source} ${cutoff.version}: not checked`);
    if (isDeployedMigration(ctx, model.version)) {
      hatches.push(`already deployed (${input.app.deployedMigrations!.reason}): not checked; \`--all-migrations\` or \`migrations: { audit: true }\` checks it`);
    }
    if (isSmallTable(ctx, op.table)) hatches.push(`${table} is in online_migrations' small_tables: lock checks are skipped`);
    // Only the operations these gems rewrite at run time (research §1.5).
    const covered = SAFETY_NET_METHODS.has(op.method) || (op.method === 'add_column' && ctx.app.gems.has('safe-pg-migrations'));
    const net = covered ? runtimeSafetyNet(ctx, op.method !== 'add_column') : undefined;
    if (net) hatches.push(net);
    if (hatches.length) lines.push('', `Escape hatches: ${hatches.join('; ')}.`);
    lines.push('', `Assumptions: adapter ${legacyAdapterText(input)}; database version ${facts.version}; migration compatibility ${compat.version ?? 'newest'} (${compat.source}).`);
    return { markdown: lines.join('\n'), range: nodeRange(op.call.nameNode) };
  },
};

/**
 * A version that only may be 14.0–14.3 ("14": some 14.x) gets no finding from index-concurrently-pg14-corruption;
 * the hover says what would matter.
 */
function pg14Note(ctx: RuleContext, concurrentBuild: boolean): string[] {
  const v = ctx.app.databaseVersion;
  if (!concurrentBuild || !v || !mayBePostgres(ctx)) return [];
  if (!versionMayBeWithin(v.value, '14', '14.4') || versionKnownWithin(v.value, '14', '14.4')) return [];
  return [`PostgreSQL ${v.value} (from ${v.source}) names no minor: if the server is 14.0–14.3, concurrent index builds can silently corrupt the index (fixed in 14.4).`];
}

/** "postgresql (config/database.yml (adapter: postgresql))", or "PostgreSQL (assumed)" when unknown. */
function legacyAdapterText(input: HoverInput): string {
  const a = input.app.adapter;
  return a.value === 'unknown' ? `PostgreSQL (assumed: ${a.source})` : `${a.value} (${a.source})`;
}

/** An app helper is described by its body, never by Rails' semantics for the same name. */
function helperHover(op: MigrationOp, root: string): string {
  const name = op.call.name;
  const helper = op.helper!;
  if (helper.kind === 'app') {
    const where = `${path.relative(root, helper.helper.file).replace(/\\/g, '/')}:${helper.helper.line + 1}`;
    return `**${name}** is defined by the app in ${where} (\`${helper.helper.owner}\`): ${describeHelper(helper.helper)}.\n\n`
      + 'Migration rules judge it by that body, not by Rails\' semantics for the name.';
  }
  return `**${name}**: not Rails' ${name}; its body could not be read: this class includes \`${helper.module}\`, which the app does not define `
    + '(a gem?), and it may define this method. Migration rules stay silent on it.';
}
