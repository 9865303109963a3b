import type { Rule } from '../../core/rule';
import addCheckConstraintMysql from './add-check-constraint-mysql';
import addCheckConstraintValidated from './add-check-constraint-validated';
import addColumnAutoIncrement from './add-column-auto-increment';
import addColumnDefaultTableRewriteLegacy from './add-column-default-table-rewrite-legacy';
import addColumnJson from './add-column-json';
import addColumnNotNullWithoutDefault from './add-column-not-null-without-default';
import addColumnStoredGenerated from './add-column-stored-generated';
import addColumnVolatileDefault from './add-column-volatile-default';
import addExclusionConstraint from './add-exclusion-constraint';
import addForeignKeyMysql from './add-foreign-key-mysql';
import addForeignKeyValidated from './add-foreign-key-validated';
import addIndexNonConcurrent from './add-index-non-concurrent';
import addReferenceIndexNonConcurrent from './add-reference-index-non-concurrent';
import addUniqueConstraintNonConcurrent from './add-unique-constraint-non-concurrent';
import changeColumnNullDefaultBackfill from './change-column-null-default-backfill';
import changeColumnNullNotNull from './change-column-null-not-null';
import changeColumnType from './change-column-type';
import concurrentInTransaction from './concurrent-in-transaction';
import removeIndexNonConcurrent from './remove-index-non-concurrent';
import validateInLockingTransaction from './validate-in-locking-transaction';

/** Migration rules, sorted by id. */
export const migrationRules: Rule[] = [
  addCheckConstraintMysql,
  addCheckConstraintValidated,
  addColumnAutoIncrement,
  addColumnDefaultTableRewriteLegacy,
  addColumnJson,
  addColumnNotNullWithoutDefault,
  addColumnStoredGenerated,
  addColumnVolatileDefault,
  addExclusionConstraint,
  addForeignKeyMysql,
  addForeignKeyValidated,
  addIndexNonConcurrent,
  addReferenceIndexNonConcurrent,
  addUniqueConstraintNonConcurrent,
  changeColumnNullDefaultBackfill,
  changeColumnNullNotNull,
  changeColumnType,
  concurrentInTransaction,
  removeIndexNonConcurrent,
  validateInLockingTransaction,
];
