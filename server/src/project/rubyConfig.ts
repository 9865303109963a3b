// Settings read from Ruby config files by looking at the syntax tree, never by running them:
// config/initializers/strong_migrations.rb and config/application.rb.
import type { StrongMigrationsSettings } from '../core/appFacts';
import type { Node, Tree } from '../parsing/treeSitter';
import { literalName, literalNames, readCall } from '../parsing/ruby';

function scalar(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'integer' || node.type === 'float') return node.text.replace(/_/g, '');
  if (node.type === 'true' || node.type === 'false') return node.text;
  return literalName(node);
}

export function readStrongMigrations(tree: Tree): StrongMigrationsSettings {
  const settings: StrongMigrationsSettings = { safeByDefault: false, disabledChecks: [], checkDown: false };
  for (const node of tree.rootNode.descendantsOfType(['assignment', 'call'])) {
    if (node.type === 'assignment') {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (left?.type !== 'call' || !/StrongMigrations$|^config$/.test(left.childForFieldName('receiver')?.text ?? '')) continue;
      const key = left.childForFieldName('method')?.text;
      const value = scalar(right);
      switch (key) {
        case 'start_after': if (value) settings.startAfter = value; break;
        case 'target_version': case 'target_postgresql_version': case 'target_mysql_version': case 'target_mariadb_version':
          if (value) settings.targetVersion = value; break;
        case 'target_sql_mode': if (value) settings.targetSqlMode = value; break;
        case 'safe_by_default': settings.safeByDefault = value === 'true'; break;
        case 'check_down': settings.checkDown = value === 'true'; break;
        case 'small_tables': {
          const names = literalNames(right);
          if (names) settings.smallTables = names;
          break;
        }
      }
    } else {
      const call = readCall(node);
      // `StrongMigrations.disable_check(:x)`, or online_migrations' `config.disable_check(:x)`.
      if (!call || call.name !== 'disable_check' || !/StrongMigrations$|^config$/.test(call.receiver?.text ?? '')) continue;
      const key = literalName(call.args[0]);
      if (key) settings.disabledChecks.push(key);
    }
  }
  return settings;
}

export interface ApplicationSettings {
  loadDefaults?: string;
  partialInserts?: boolean;
  /** `config.active_job.queue_adapter = :sidekiq`. */
  queueAdapter?: string;
  /** `config.active_job.enqueue_after_transaction_commit = …` as written (true, false, :never, :always, :default). */
  enqueueAfterTransactionCommit?: string;
}

export function readApplication(tree: Tree): ApplicationSettings {
  const settings: ApplicationSettings = {};
  for (const node of tree.rootNode.descendantsOfType(['assignment', 'call'])) {
    if (node.type === 'call') {
      const call = readCall(node);
      if (call?.name === 'load_defaults' && call.receiver?.text === 'config') settings.loadDefaults = scalar(call.args[0]);
    } else {
      const left = node.childForFieldName('left');
      if (left?.type === 'call' && /^(Rails\.application\.)?config\.active_job$/.test(left.childForFieldName('receiver')?.text ?? '')) {
        const key = left.childForFieldName('method')?.text;
        const value = scalar(node.childForFieldName('right'));
        if (key === 'queue_adapter' && value) settings.queueAdapter = value;
        if (key === 'enqueue_after_transaction_commit' && value) settings.enqueueAfterTransactionCommit = value;
        continue;
      }
      if (left?.type !== 'call' || left.childForFieldName('receiver')?.text !== 'config.active_record') continue;
      const key = left.childForFieldName('method')?.text;
      if (key === 'partial_inserts' || key === 'partial_writes') {
        const value = scalar(node.childForFieldName('right'));
        if (value === 'true' || value === 'false') settings.partialInserts = value === 'true';
      }
    }
  }
  return settings;
}

/** config/initializers/active_model_serializers.rb: `config.default_includes = '**'` (how deep AMS 0.10 serializes associations). */
export function readAmsInitializer(tree: Tree): { defaultIncludes?: string } {
  for (const node of tree.rootNode.descendantsOfType(['assignment'])) {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (left?.type !== 'call' || left.childForFieldName('method')?.text !== 'default_includes' || right?.type !== 'string') continue;
    return { defaultIncludes: right.namedChildren.map((c) => c?.text ?? '').join('') };
  }
  return {};
}

/** config/initializers/sidekiq.rb: `Sidekiq.transactional_push!` defers pushes made inside a transaction to after COMMIT. */
export function readSidekiqInitializer(tree: Tree): { transactionalPush: boolean } {
  for (const node of tree.rootNode.descendantsOfType(['call'])) {
    const call = readCall(node);
    if (call?.name === 'transactional_push!' && /(^|::)Sidekiq$/.test(call.receiver?.text ?? '')) return { transactionalPush: true };
  }
  return { transactionalPush: false };
}
