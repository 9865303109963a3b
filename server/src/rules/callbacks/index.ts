import type { Rule } from '../../core/rule';
import deliverNowInCallback from './deliver-now-in-callback';
import externalCallInCallback from './external-call-in-callback';
import jobEnqueuedBeforeCommit from './job-enqueued-before-commit';
import longCallbackChain from './long-callback-chain';
import writesOtherModelInCallback from './writes-other-model-in-callback';

/** Callback rules, sorted by id. */
export const callbackRules: Rule[] = [
  deliverNowInCallback,
  externalCallInCallback,
  jobEnqueuedBeforeCommit,
  longCallbackChain,
  writesOtherModelInCallback,
];
