// The `callbacks:` section of .rails-hazards.yml, and the Rails-version rules for when a job enqueued
// inside a transaction is deferred to after COMMIT (shared research §B.3).
import { registerSectionValidator } from '../config/config';
import type { AppFacts } from '../core/appFacts';
import { compareVersionStrings } from '../lockfile/gemVersion';

export interface CallbacksConfig {
  /** More than this many callbacks on the save path is reported by callbacks/long-callback-chain. */
  maxChainLength: number;
  /** Extra receivers treated as external I/O: `PaymentGateway` (any method) or `SlackNotifier.ping`. */
  externalCalls: string[];
  /** Calls that enqueue a job at once, never deferred: `Jobs.enqueue`. */
  jobEnqueuers: string[];
  /** Block methods that run their block after COMMIT: `run_after_commit`. */
  afterCommitWrappers: string[];
}

/** Discourse-style job helpers push to Sidekiq at once; settings add to these, never replace them. */
export const DEFAULT_JOB_ENQUEUERS = ['Jobs.enqueue', 'Jobs.enqueue_in', 'Jobs.enqueue_at'];

export const DEFAULT_CALLBACKS_CONFIG: CallbacksConfig = { maxChainLength: 5, externalCalls: [], jobEnqueuers: DEFAULT_JOB_ENQUEUERS, afterCommitWrappers: [] };

const LIST_KEYS = ['externalCalls', 'jobEnqueuers', 'afterCommitWrappers'] as const;

/** Problems in a `callbacks:` section (each becomes a notice on the key; the defaults then apply to that setting). */
export function validateCallbacksSection(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['"callbacks" must be a mapping (maxChainLength, externalCalls, jobEnqueuers, afterCommitWrappers)'];
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'maxChainLength') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) problems.push('callbacks.maxChainLength must be a positive integer');
    } else if ((LIST_KEYS as readonly string[]).includes(key)) {
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && /^[A-Za-z_:][\w:]*(\.[\w!?]+)?$/.test(x))) {
        problems.push(`callbacks.${key} must be a list of names like "PaymentGateway" or "SlackNotifier.ping"`);
      }
    } else problems.push(`Unknown setting "callbacks.${key}"`);
  }
  return problems;
}
registerSectionValidator('callbacks', validateCallbacksSection);

export function callbacksConfig(app: AppFacts): CallbacksConfig {
  const raw = app.config.sections.callbacks;
  const config: CallbacksConfig = { ...DEFAULT_CALLBACKS_CONFIG, jobEnqueuers: [...DEFAULT_JOB_ENQUEUERS] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return config;
  const r = raw as Record<string, unknown>;
  if (typeof r.maxChainLength === 'number' && Number.isInteger(r.maxChainLength) && r.maxChainLength >= 1) config.maxChainLength = r.maxChainLength;
  for (const key of LIST_KEYS) {
    const v = r[key];
    if (Array.isArray(v)) config[key] = [...DEFAULT_CALLBACKS_CONFIG[key], ...v.filter((x): x is string => typeof x === 'string')];
  }
  return config;
}

export type Deferral =
  | { deferred: false; why: string }
  | { deferred: 'by-default'; why: string }
  | { deferred: true; why: string };

const TRANSACTIONAL_ADAPTER_GEMS = ['good_job', 'delayed_job_active_record', 'que'];
const TRANSACTIONAL_ADAPTERS = ['good_job', 'delayed_job', 'que'];
const NON_DB_ADAPTER_GEMS = ['sidekiq', 'resque', 'sneakers', 'shoryuken', 'solid_queue'];

function atLeast(version: string | undefined, min: string): boolean {
  if (!version) return false;
  try { return compareVersionStrings(version, min) >= 0; } catch { return false; }
}

/**
 * Whether ActiveJob's `perform_later` / `deliver_later` called inside a transaction waits for COMMIT.
 * Rails ≤ 7.1: never. 7.2 with load_defaults 7.2: the adapter decides (Sidekiq, Resque, async defer;
 * database-backed adapters are transactional). 8.0–8.1: off by default. 8.2 with load_defaults 8.2: on.
 */
export function activeJobDeferral(app: AppFacts): Deferral {
  const gems = app.gems;
  const adapter = app.activeJob?.queueAdapter;
  const sameDatabase = (name: string): Deferral => ({ deferred: true, why: `the queue (${name}) is in the same database, so the job row commits or rolls back with the record` });
  if (adapter) {
    if (TRANSACTIONAL_ADAPTERS.includes(adapter)) return sameDatabase(adapter);
  } else {
    const transactional = TRANSACTIONAL_ADAPTER_GEMS.find((g) => gems.has(g));
    if (transactional && !NON_DB_ADAPTER_GEMS.some((g) => gems.has(g))) return sameDatabase(transactional);
  }
  const explicit = app.activeJob?.enqueueAfterTransactionCommit;
  if (explicit === 'true' || explicit === 'always') return { deferred: true, why: `config.active_job.enqueue_after_transaction_commit = ${explicit === 'true' ? 'true' : ':always'}` };
  if (explicit === 'false' || explicit === 'never') return { deferred: false, why: `config.active_job.enqueue_after_transaction_commit = ${explicit === 'false' ? 'false' : ':never'} enqueues at once, inside the transaction` };
  const rails = app.railsVersion?.value;
  if (!rails) return { deferred: false, why: 'the Rails version is unknown (no Gemfile.lock), so no deferral is assumed' };
  const defaults = app.loadDefaults;
  if (atLeast(rails, '8.2') && atLeast(defaults, '8.2')) {
    return { deferred: true, why: `Rails ${rails} with load_defaults ${defaults} enqueues after commit` };
  }
  if (atLeast(rails, '7.2') && !atLeast(rails, '8.0') && atLeast(defaults, '7.2')) {
    return {
      deferred: 'by-default',
      why: `Rails ${rails} with load_defaults ${defaults} lets the queue adapter defer it to after commit today, but Rails 8.0 and 8.1 turn that off by default`,
    };
  }
  return { deferred: false, why: `Rails ${rails}${defaults ? ` with load_defaults ${defaults}` : ''} enqueues at once, inside the transaction` };
}

/** Rails ≥ 7.1 defaults run after_commit callbacks in the order defined; before, in reverse. */
export function commitCallbacksInOrder(app: AppFacts): boolean {
  return atLeast(app.loadDefaults, '7.1') || (!app.loadDefaults && atLeast(app.railsVersion?.value, '7.1'));
}
