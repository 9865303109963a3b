// Whether a job enqueued from a callback can see the callback's row: only through its arguments (the row,
// its id, a record it belongs to) can a worker that runs before COMMIT read uncommitted or rolled-back
// state. Arguments that are plain values (`feed.host`, a literal) do not point at the row.
import type { ModelIndex, ModelInfo } from '../models/modelIndex';
import type { Schema } from '../project/schema';
import type { CallFact, JobArg } from './facts';
import type { AppClassSource } from './appClasses';
import { associationOf, associationTarget } from './effects';

export type ArgumentKind = 'row' | 'value' | 'unknown';

const IDENTIFIES = /^(id|to_param|to_global_id|to_gid|to_gid_param|to_sgid|to_signed_global_id|attributes)$/;
/** `post_id`, `tag_ids`: a record's id, unless the model has no such association and the schema says it is a column (`customer_id` of a billing API). */
const FOREIGN_KEY = /^([a-z_]+)_ids?$/;

/** What one job argument is, from the callback's model: the row (or a record/id), a plain value, or unknown. */
export function argumentKind(arg: JobArg, model: ModelInfo, index: ModelIndex, schema: Schema | undefined): ArgumentKind {
  if (arg === 'literal') return 'value';
  if (arg === 'unknown') return 'unknown';
  let current: ModelInfo | undefined = model;
  for (let i = 0; i < arg.length; i++) {
    const name = arg[i];
    const last = i === arg.length - 1;
    if (name === 'self') { if (last) return 'row'; continue; }
    if (IDENTIFIES.test(name)) return 'row';
    if (!current) return 'unknown';
    const key = FOREIGN_KEY.exec(name);
    if (key) {
      const owned = associationOf(index, current, key[1]) ?? associationOf(index, current, `${key[1]}s`);
      const column = schema?.tables.get(index.tableName(current))?.columns.get(name);
      return !owned && column && last ? 'value' : 'row';
    }
    const assoc = associationOf(index, current, name);
    if (assoc) {
      if (last) return 'row';
      current = associationTarget(index, assoc.owner, assoc.association);
      continue;
    }
    const column = schema?.tables.get(index.tableName(current))?.columns.get(name);
    if (column && last) return 'value';
    return 'unknown';
  }
  return 'unknown';
}

/**
 * A job that cannot see the callback's row: every argument is a plain value (or there are none) and the job's
 * own class, found in the app, names neither the model nor the classes it inherits from. A job we cannot read,
 * or one that looks the model up (`Feed.where(host: host)`), may read the uncommitted row.
 */
export function jobIsDetached(fact: CallFact, model: ModelInfo, index: ModelIndex, schema: Schema | undefined, classes: AppClassSource | undefined): boolean {
  if (!fact.jobArgs || !fact.jobArgs.every((a) => argumentKind(a, model, index, schema) === 'value')) return false;
  const jobName = fact.receiver.root === 'const' ? fact.receiver.name : undefined;
  const job = jobName && fact.receiver.path.every((p) => p === 'set') ? classes?.find(jobName) : undefined;
  if (!job) return false;
  const names = new Set(index.ancestry(model).filter((m) => m.kind === 'class').map((m) => m.name.split('::').pop()!));
  for (const facts of [...job.instance.values(), ...job.singleton.values()]) {
    for (const call of facts.calls) {
      const root = call.receiver.root === 'const' ? call.receiver.name?.split('::').pop() : undefined;
      if (root && names.has(root)) return false;
    }
  }
  return true;
}
