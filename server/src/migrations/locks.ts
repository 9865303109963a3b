// What a migration DSL call does to the table on each adapter (research §4), for hovers and messages.
import type { AdapterName } from '../core/appFacts';
import type { Node } from '../parsing/treeSitter';
import { literalName } from '../parsing/ruby';
import type { MigrationOp } from './model';
import { addedColumnType } from './model';
import { versionKnownAtLeast, versionKnownBelow } from './gating';

export interface LockInfo { lock: string; blocks: string; duration: string; rewrite: boolean }

const PG: Record<string, LockInfo> = {
  add_index: { lock: 'SHARE', blocks: 'writes (INSERT, UPDATE, DELETE)', duration: 'the whole index build', rewrite: false },
  'add_index concurrently': { lock: 'SHARE UPDATE EXCLUSIVE', blocks: 'other DDL and VACUUM only', duration: 'the build; not allowed inside a transaction', rewrite: false },
  remove_index: { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'brief, but it queues behind running queries', rewrite: false },
  'remove_index concurrently': { lock: 'SHARE UPDATE EXCLUSIVE', blocks: 'other DDL only', duration: 'brief; not allowed inside a transaction', rewrite: false },
  add_column: { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'brief (nullable or constant default, PostgreSQL 11+)', rewrite: false },
  remove_column: { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'brief', rewrite: false },
  rename_column: { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'brief', rewrite: false },
  rename_table: { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'brief', rewrite: false },
  change_column: { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'a full table rewrite and index rebuild (for non-coercible type changes)', rewrite: true },
  change_column_null: { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'a full table scan when setting NOT NULL', rewrite: false },
  change_column_default: { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'brief', rewrite: false },
  add_foreign_key: { lock: 'SHARE ROW EXCLUSIVE on both tables', blocks: 'writes on both tables', duration: 'the validation scan (brief with validate: false)', rewrite: false },
  validate_foreign_key: { lock: 'SHARE UPDATE EXCLUSIVE', blocks: 'nothing but DDL', duration: 'the scan', rewrite: false },
  add_check_constraint: { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'a full scan (brief with validate: false)', rewrite: false },
  validate_check_constraint: { lock: 'SHARE UPDATE EXCLUSIVE', blocks: 'nothing but DDL', duration: 'the scan', rewrite: false },
  add_reference: { lock: 'ACCESS EXCLUSIVE, then SHARE for its index', blocks: 'writes while the index is built', duration: 'the index build unless concurrent', rewrite: false },
  drop_table: { lock: 'ACCESS EXCLUSIVE on the table and every table it references', blocks: 'all reads and writes', duration: 'brief', rewrite: false },
  create_table: { lock: 'none on existing tables (new table)', blocks: 'nothing', duration: '-', rewrite: false },
};

const MYSQL: Record<string, LockInfo> = {
  add_index: { lock: 'online DDL (INPLACE, LOCK=NONE)', blocks: 'nothing for most index builds', duration: 'the build', rewrite: false },
  add_foreign_key: { lock: 'ALGORITHM=COPY with foreign_key_checks=1', blocks: 'writes on both tables', duration: 'a table copy', rewrite: true },
  change_column: { lock: 'ALGORITHM=COPY for most type changes', blocks: 'writes', duration: 'a table copy', rewrite: true },
};

export function lockInfo(method: string, adapter: AdapterName, concurrently: boolean): LockInfo | undefined {
  const key = concurrently ? `${method} concurrently` : method;
  if (adapter === 'mysql') return MYSQL[method];
  if (adapter === 'sqlite') return { lock: 'the whole database (single writer)', blocks: 'all writes', duration: 'the statement; column changes copy the table', rewrite: false };
  return PG[key] ?? PG[method];
}


// ---------------------------------------------------------------------------------------------------
// What one operation does, with its options and the database version taken into account (for the
// hover): the lock, what it blocks, for how long, whether the table is rewritten, and notes.

export interface OperationLock extends LockInfo { notes: string[] }

const EXCLUSIVE_BRIEF = (what: string): OperationLock => ({ lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: `brief (${what}), but it queues behind running queries and everything queues behind it`, rewrite: false, notes: [] });
const VOLATILE_SQL = /\b(clock_timestamp|random|gen_random_uuid|uuid_generate_v\w+|timeofday|nextval|gen_random_bytes)\s*\(/i;

function optionTrue(node: Node | undefined): boolean { return !!node && node.type !== 'false' && node.type !== 'nil'; }
function concurrent(node: Node | undefined): boolean { return literalName(node) === 'concurrently'; }
/** Every release the version stands for ("14" is some 14.x) is below `max`. */
function versionBelow(v: string | undefined, max: string): boolean { return versionKnownBelow(v, max); }

export function describeOperation(op: MigrationOp, adapter: AdapterName, dbVersion: string | undefined): OperationLock | undefined {
  const kw = op.call.keywords;
  const inTable = !!(op.changeTable || op.createTable);
  if (adapter === 'sqlite') {
    return { lock: 'the whole database (single writer)', blocks: 'all writes', duration: 'the statement; column changes copy the table', rewrite: op.method === 'change_column' || op.method === 'remove_column', notes: [] };
  }
  if (adapter === 'mysql') return describeMysql(op, dbVersion);
  switch (op.method) {
    case 'add_index':
      return concurrent(kw.get('algorithm'))
        ? { ...PG['add_index concurrently'], notes: ['Needs `disable_ddl_transaction!`; waits for older transactions to finish.'] }
        : { ...PG.add_index, notes: [] };
    case 'remove_index':
      return concurrent(kw.get('algorithm')) ? { ...PG['remove_index concurrently'], notes: [] } : { ...PG.remove_index, notes: [] };
    case 'add_column':
    case 'add_timestamps': {
      const def = kw.get('default');
      const type = op.method === 'add_timestamps' ? 'datetime' : addedColumnType(op);
      if (type === 'virtual' && optionTrue(kw.get('stored'))) return { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'a full table rewrite (stored generated column)', rewrite: true, notes: [] };
      if (type && ['serial', 'bigserial', 'primary_key'].includes(type)) return { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'a full table rewrite (a value for every row)', rewrite: true, notes: [] };
      if (def && def.type !== 'nil') {
        if (versionBelow(dbVersion, '11')) return { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'a full table rewrite (no fast default before PostgreSQL 11)', rewrite: true, notes: [] };
        if (VOLATILE_SQL.test(def.text)) return { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'a full table rewrite (volatile default computed per row)', rewrite: true, notes: [] };
        return { ...EXCLUSIVE_BRIEF('constant or stable default: stored once, PostgreSQL 11+'), notes: [] };
      }
      return { ...EXCLUSIVE_BRIEF('nullable column'), notes: optionTrue(kw.get('null')) || !kw.has('null') ? [] : ['`null: false` without a default fails on a table with rows.'] };
    }
    case 'change_column':
      return { ...PG.change_column, notes: ['No rewrite for varchar → text, a varchar limit increase, a numeric precision increase, cidr → inet and a few others.'] };
    case 'change_column_null': {
      const nullArg = inTable ? op.call.args[1] : op.call.args[2];
      if (nullArg?.type !== 'false') return { ...EXCLUSIVE_BRIEF('DROP NOT NULL is metadata only'), notes: [] };
      return { ...PG.change_column_null, notes: [versionBelow(dbVersion, '12') ? 'Before PostgreSQL 12 the scan cannot be avoided.' : 'PostgreSQL 12+ skips the scan when a validated CHECK (column IS NOT NULL) exists.'] };
    }
    case 'add_foreign_key':
      return kw.get('validate')?.type === 'false'
        ? { lock: 'SHARE ROW EXCLUSIVE on both tables', blocks: 'writes on both tables', duration: 'brief (NOT VALID: no scan)', rewrite: false, notes: ['Validate later with validate_foreign_key (SHARE UPDATE EXCLUSIVE).'] }
        : { lock: 'SHARE ROW EXCLUSIVE on both tables', blocks: 'writes on both tables', duration: 'the validation scan of the referencing table', rewrite: false, notes: [] };
    case 'add_check_constraint':
      return kw.get('validate')?.type === 'false'
        ? { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'brief (NOT VALID: no scan)', rewrite: false, notes: ['Validate later with validate_check_constraint (SHARE UPDATE EXCLUSIVE).'] }
        : { ...PG.add_check_constraint, duration: 'a full scan of every row', notes: [] };
    case 'add_reference':
    case 'add_belongs_to': {
      const index = kw.get('index');
      const conc = index?.type === 'hash' && /algorithm:\s*:concurrently|:algorithm\s*=>\s*:concurrently/.test(index.text);
      const notes: string[] = [];
      if (optionTrue(kw.get('foreign_key'))) notes.push('`foreign_key:` also adds a foreign key: SHARE ROW EXCLUSIVE on both tables for its validation scan unless `validate: false`.');
      if (index && !optionTrue(index)) return { ...EXCLUSIVE_BRIEF('adds the column, no index'), notes };
      return conc
        ? { lock: 'ACCESS EXCLUSIVE (brief, the column), then SHARE UPDATE EXCLUSIVE for the concurrent index', blocks: 'nothing during the index build', duration: 'the build', rewrite: false, notes }
        : { ...PG.add_reference, notes };
    }
    case 'validate_foreign_key': case 'validate_check_constraint': case 'validate_constraint':
      return { ...PG.validate_check_constraint, notes: ['Only non-blocking when nothing earlier in the same transaction holds a lock on the table.'] };
    case 'add_unique_constraint':
      return kw.has('using_index')
        ? { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'brief (attaches an existing index)', rewrite: false, notes: [] }
        : { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'the whole unique index build', rewrite: false, notes: [] };
    case 'add_exclusion_constraint':
      return { lock: 'ACCESS EXCLUSIVE', blocks: 'all reads and writes', duration: 'the index build and a check of every row (no NOT VALID form)', rewrite: false, notes: [] };
    case 'remove_column': case 'remove_columns': case 'remove_timestamps': case 'remove_reference': case 'remove_belongs_to':
      return { ...EXCLUSIVE_BRIEF('metadata only'), notes: ['Running processes still list the column until they restart: ignore it in the model first.'] };
    case 'rename_column': case 'rename_table':
      return { ...EXCLUSIVE_BRIEF('metadata only'), notes: ['Running processes keep using the old name until they restart.'] };
    case 'change_column_default':
      return { ...EXCLUSIVE_BRIEF('metadata only'), notes: [] };
    case 'drop_table': case 'drop_join_table':
      return { ...PG.drop_table, notes: [] };
    case 'create_table': case 'create_join_table':
      return { ...PG.create_table, notes: [] };
    case 'execute': case 'exec_query':
      return { lock: 'whatever the SQL takes', blocks: 'unknown', duration: 'unknown', rewrite: false, notes: ['Raw SQL: the DSL checks cannot see inside it.'] };
    default:
      return undefined;
  }
}

function describeMysql(op: MigrationOp, dbVersion: string | undefined): OperationLock | undefined {
  const maria = versionKnownAtLeast(dbVersion, '10');
  const instantAdd = maria ? !versionBelow(dbVersion, '10.3.2') : !versionBelow(dbVersion, '8.0.12');
  switch (op.method) {
    case 'add_index': case 'remove_index':
      return { lock: 'online DDL (INPLACE, LOCK=NONE)', blocks: 'nothing for most index changes', duration: 'the build', rewrite: false, notes: [] };
    case 'add_column': case 'add_timestamps':
      return instantAdd
        ? { lock: 'ALGORITHM=INSTANT', blocks: 'nothing (metadata lock only)', duration: 'brief', rewrite: false, notes: ['Expression defaults, stored generated and AUTO_INCREMENT columns copy the table.'] }
        : { lock: 'ALGORITHM=INPLACE/COPY', blocks: 'writes while the table is rebuilt', duration: 'a table rebuild', rewrite: true, notes: [] };
    case 'add_foreign_key':
      return { ...MYSQL.add_foreign_key, notes: ['`validate: false` is ignored on MySQL.'] };
    case 'add_reference': case 'add_belongs_to':
      return { lock: 'INSTANT/INPLACE column, online index', blocks: optionTrue(op.call.keywords.get('foreign_key')) ? 'writes on both tables while the foreign key copies the table' : 'nothing for the index build', duration: 'the build', rewrite: optionTrue(op.call.keywords.get('foreign_key')), notes: [] };
    case 'change_column':
      return { ...MYSQL.change_column, notes: ['A VARCHAR limit increase that keeps the length-prefix size is in place.'] };
    case 'add_check_constraint':
      return { lock: 'ALGORITHM=COPY', blocks: 'writes', duration: 'a table copy (no NOT VALID)', rewrite: true, notes: [] };
    case 'remove_column': case 'remove_columns':
      return { lock: 'ALGORITHM=INPLACE (rebuild)', blocks: 'nothing but DDL (concurrent DML allowed)', duration: 'a table rebuild', rewrite: true, notes: [] };
    case 'rename_column': case 'rename_table': case 'change_column_default':
      return { lock: 'metadata only', blocks: 'nothing but DDL', duration: 'brief', rewrite: false, notes: [] };
    default:
      return undefined;
  }
}
