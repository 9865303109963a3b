import type { Rule } from '../../core/rule';
import delInsteadOfUnlink from './del-instead-of-unlink';
import deprecatedGeoradius from './deprecated-georadius';
import fullCollectionRead from './full-collection-read';
import keysCommand from './keys-command';

/** Redis rules, sorted by id. */
export const redisRules: Rule[] = [
  delInsteadOfUnlink,
  deprecatedGeoradius,
  fullCollectionRead,
  keysCommand,
];
