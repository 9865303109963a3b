import type { Rule } from '../../core/rule';
import addCheckConstraintMysql from './add-check-constraint-mysql';
import addCheckConstraintValidated from './add-check-constraint-validated';
import addColumnAutoIncrement from './add-column-auto-increment';
import addColumnDefaultTableRewriteLegacy from './add-column-default-table-rewrite-legacy';
import addColumnIndexOption from './add-column-index-option';
import addColumnJson from './add-column-json';
import addColumnNotNullWithoutDefault from './add-column-not-null-without-default';
import addColumnStoredGenerated from './add-column-stored-generated';
import addColumnVolatileDefault from './add-column-volatile-default';
import addExclusionConstraint from './add-exclusion-constraint';
import addForeignKeyMysql from './add-foreign-key-mysql';
import addForeignKeyValidated from './add-foreign-key-validated';
import addIndexNonConcurrent from './add-index-non-concurrent';
import addIndexTooManyColumns from './add-index-too-many-columns';
import addInheritanceColumn from './add-inheritance-column';
import addReferenceIndexNonConcurrent from './add-reference-index-non-concurrent';
import addUniqueConstraintNonConcurrent from './add-unique-constraint-non-concurrent';
import backfillInMigration from './backfill-in-migration';
import changeColumnDefaultPartialWrites from './change-column-default-partial-writes';
import changeColumnNullDefaultBackfill from './change-column-null-default-backfill';
import changeColumnNullNotNull from './change-column-null-not-null';
import changeColumnType from './change-column-type';
import changeTableUninspectable from './change-table-uninspectable';
import concurrentInTransaction from './concurrent-in-transaction';
import createTableForce from './create-table-force';
import dropTableInUse from './drop-table-in-use';
import dropTableMultipleForeignKeys from './drop-table-multiple-foreign-keys';
import executeRawSql from './execute-raw-sql';
import foreignKeyWithoutIndex from './foreign-key-without-index';
import indexConcurrentlyPg14Corruption from './index-concurrently-pg14-corruption';
import mismatchedForeignKeyType from './mismatched-foreign-key-type';
import multipleForeignKeys from './multiple-foreign-keys';
import mysqlCopyAlgorithm from './mysql-copy-algorithm';
import mysqlLockOption from './mysql-lock-option';
import removeColumn from './remove-column';
import removeIndexNonConcurrent from './remove-index-non-concurrent';
import renameColumn from './rename-column';
import renameEnumValue from './rename-enum-value';
import renameSchema from './rename-schema';
import renameTable from './rename-table';
import replaceIndex from './replace-index';
import shortPrimaryKeyType from './short-primary-key-type';
import validateInLockingTransaction from './validate-in-locking-transaction';

/** Migration rules, sorted by id. */
export const migrationRules: Rule[] = [
  addCheckConstraintMysql,
  addCheckConstraintValidated,
  addColumnAutoIncrement,
  addColumnDefaultTableRewriteLegacy,
  addColumnIndexOption,
  addColumnJson,
  addColumnNotNullWithoutDefault,
  addColumnStoredGenerated,
  addColumnVolatileDefault,
  addExclusionConstraint,
  addForeignKeyMysql,
  addForeignKeyValidated,
  addIndexNonConcurrent,
  addIndexTooManyColumns,
  addInheritanceColumn,
  addReferenceIndexNonConcurrent,
  addUniqueConstraintNonConcurrent,
  backfillInMigration,
  changeColumnDefaultPartialWrites,
  changeColumnNullDefaultBackfill,
  changeColumnNullNotNull,
  changeColumnType,
  changeTableUninspectable,
  concurrentInTransaction,
  createTableForce,
  dropTableInUse,
  dropTableMultipleForeignKeys,
  executeRawSql,
  foreignKeyWithoutIndex,
  indexConcurrentlyPg14Corruption,
  mismatchedForeignKeyType,
  multipleForeignKeys,
  mysqlCopyAlgorithm,
  mysqlLockOption,
  removeColumn,
  removeIndexNonConcurrent,
  renameColumn,
  renameEnumValue,
  renameSchema,
  renameTable,
  replaceIndex,
  shortPrimaryKeyType,
  validateInLockingTransaction,
];
