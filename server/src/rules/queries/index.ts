import type { Rule } from '../../core/rule';
import associationInLoop from './association-in-loop';
import countOnLoadedRelation from './count-on-loaded-relation';
import findByInsteadOfWhereFirst from './find-by-instead-of-where-first';
import pluckInsteadOfMap from './pluck-instead-of-map';
import queryInLoop from './query-in-loop';
import unbatchedEach from './unbatched-each';
import unboundedRender from './unbounded-render';
import unboundedSerialization from './unbounded-serialization';

/** Query rules (N+1 and friends), sorted by id. */
export const queryRules: Rule[] = [
  associationInLoop,
  countOnLoadedRelation,
  findByInsteadOfWhereFirst,
  pluckInsteadOfMap,
  queryInLoop,
  unbatchedEach,
  unboundedRender,
  unboundedSerialization,
];
