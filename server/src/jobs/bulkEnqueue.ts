// Job enqueues one at a time (`WelcomeJob.perform_later(u)`, `Worker.perform_async(id)`,
// `Mailer.welcome(u).deliver_later`) and the bulk API the app's versions offer for them: ActiveJob's
// `perform_all_later` (Rails 7.1), Sidekiq's `perform_bulk` (6.3) or `Sidekiq::Client.push_bulk`, and
// `ActionMailer.deliver_all_later` (Rails 8.1). Pure: syntax and AppFacts in, descriptions out.
import type { AppFacts } from '../core/appFacts';
import type { Node } from '../parsing/treeSitter';
import { readCall } from '../parsing/ruby';
import { compareVersionStrings } from '../lockfile/gemVersion';
import type { AppClassSource } from '../callbacks/appClasses';

export type EnqueueKind = 'activejob' | 'sidekiq' | 'mail';

export interface Enqueue {
  kind: EnqueueKind;
  /** The job or mailer class as written: `WelcomeJob`, `UserMailer`. */
  owner: string;
  method: string;
  /** Arguments of the job (after `perform_in`'s interval), or of the mailer action. */
  args: Node[];
  /** `perform_in`/`perform_at`'s time, `.set(wait: …)`, `deliver_later(wait: …)`: options a plain bulk call does not take. */
  options: Node[];
  /** For mail: the message expression (`UserMailer.welcome(u)`), what `deliver_all_later` takes. */
  message?: Node;
}

const SIDEKIQ_METHODS = /^perform_(async|in|at)$/;

/** A job enqueue or a mail delivery through a job, read from the call `node`; undefined for anything else. */
export function readEnqueue(node: Node): Enqueue | undefined {
  const call = readCall(node);
  if (!call || !call.receiver) return undefined;
  if (call.name === 'deliver_later' || call.name === 'deliver_later!') {
    const message = call.receiver;
    const action = readCall(message);
    if (!action || !action.receiver || action.name === 'with') return undefined;
    const root = constantRoot(action.receiver, ['with']);
    if (!root || !/Mailer$/.test(root.text)) return undefined;
    return { kind: 'mail', owner: root.text, method: call.name, args: argumentsOf(action.argumentList), options: argumentsOf(call.argumentList), message };
  }
  const isActiveJob = call.name === 'perform_later';
  if (!isActiveJob && !SIDEKIQ_METHODS.test(call.name)) return undefined;
  const root = constantRoot(call.receiver, ['set']);
  if (!root) return undefined;
  const configured = root !== call.receiver ? [call.receiver] : [];
  const timed = call.name === 'perform_in' || call.name === 'perform_at';
  const args = argumentsOf(call.argumentList);
  return {
    kind: isActiveJob ? 'activejob' : 'sidekiq', owner: root.text, method: call.name,
    args: timed ? args.slice(1) : args, options: [...configured, ...(timed && args[0] ? [args[0]] : [])],
  };
}

/** Every argument as written, keyword pairs included (`(user, source: "digest")`). */
function argumentsOf(list: Node | null): Node[] {
  return (list?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment');
}

/** The constant a receiver starts from, through calls named in `through` (`WelcomeJob.set(wait: 1.hour)` → `WelcomeJob`). */
function constantRoot(node: Node, through: string[]): Node | undefined {
  let n: Node | null = node;
  for (let i = 0; n && i < 4; i++) {
    if (n.type === 'constant' || n.type === 'scope_resolution') return n;
    if (n.type !== 'call' || !through.includes(n.childForFieldName('method')?.text ?? '')) return undefined;
    n = n.childForFieldName('receiver');
  }
  return undefined;
}

export interface BulkApi {
  /** How the bulk call is written: `ActiveJob.perform_all_later`, `WelcomeJob.perform_bulk`. */
  call: string;
  /** What says it exists: "Rails 7.2.2 in Gemfile.lock". */
  evidence: string;
}

/** The app's Rails version (Gemfile.lock), or undefined when unknown. */
function railsVersion(app: AppFacts): string | undefined {
  return app.railsVersion?.value ?? app.gems.get('activejob') ?? app.gems.get('rails');
}

/** Unknown (no Gemfile.lock) counts as the newest, as the migration gates do. */
const atLeast = (version: string | undefined, min: string): boolean => !version || compareVersionStrings(version, min) >= 0;
const railsEvidence = (rails: string | undefined): string => (rails ? `Rails ${rails} in Gemfile.lock` : 'Rails (version unknown, assumed current)');

/**
 * The bulk API for `enqueue`, when the app's locked versions have one and the class is what the method says
 * (an app class that defines its own `perform_later`/`perform_async` is not a job class); undefined otherwise.
 */
export function bulkApiFor(enqueue: Enqueue, app: AppFacts, classes: AppClassSource | undefined): BulkApi | undefined {
  const own = classes?.find(enqueue.owner);
  if (own && (own.singleton.has(enqueue.method) || (enqueue.kind === 'activejob' && own.includes.some((m) => /^Sidekiq::(Job|Worker)$/.test(m))))) return undefined;
  const rails = railsVersion(app);
  switch (enqueue.kind) {
    case 'activejob':
      return atLeast(rails, '7.1') ? { call: 'ActiveJob.perform_all_later', evidence: railsEvidence(rails) } : undefined;
    case 'mail':
      return atLeast(rails, '8.1') ? { call: 'ActionMailer.deliver_all_later', evidence: railsEvidence(rails) } : undefined;
    case 'sidekiq': {
      const sidekiq = app.gems.get('sidekiq');
      if (!sidekiq) return undefined;
      if (own && own.superclass && /(ApplicationJob|ActiveJob::Base)$/.test(own.superclass)) return undefined;
      return atLeast(sidekiq, '6.3')
        ? { call: `${enqueue.owner}.perform_bulk`, evidence: `Sidekiq ${sidekiq} in Gemfile.lock` }
        : { call: 'Sidekiq::Client.push_bulk', evidence: `Sidekiq ${sidekiq} in Gemfile.lock` };
    }
  }
}

/**
 * One bulk statement for the rows of `collection` (Ruby), each bound to `variable`:
 * `ActiveJob.perform_all_later(users.map { |u| WelcomeJob.new(u) })`.
 */
export function bulkStatement(enqueue: Enqueue, api: BulkApi, collection: string, variable: string, argsText: string, messageText: string): string {
  const each = (element: string): string => `${collection}.map { |${variable}| ${element} }`;
  switch (enqueue.kind) {
    case 'activejob': return `${api.call}(${each(`${enqueue.owner}.new(${argsText})`)})`;
    case 'mail': return `${api.call}(${each(messageText)})`;
    case 'sidekiq':
      return api.call === 'Sidekiq::Client.push_bulk'
        ? `${api.call}('class' => ${enqueue.owner}, 'args' => ${each(`[${argsText}]`)})`
        : `${api.call}(${each(`[${argsText}]`)})`;
  }
}
