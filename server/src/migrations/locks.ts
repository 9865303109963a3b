// What a migration DSL call does to the table on each adapter (research §4), for hovers and messages.
import type { AdapterName } from '../core/appFacts';

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

export const KNOWN_DSL_METHODS = Object.keys(PG).filter((k) => !k.includes(' '));
