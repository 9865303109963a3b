// Callbacks that cannot run on a create that assigns only known attributes: `after_save :x,
// if: :saved_change_to_email?` stays quiet when the record is created without an email (an attribute
// left at its default has no change). Used to prune cascades of `assoc.create` / `Model.create(a: 1)`.
import type { ModelIndex, ModelInfo } from '../models/modelIndex';
import type { ChainEntry } from './chain';
import { associationOf, methodFacts } from './effects';
import type { CallFact } from './facts';

const CHANGE_CONDITION = /^if:\s*(?::|(?:->|lambda|proc)\s*(?:\(\s*\))?\s*\{\s*)(saved_change_to_\w+|will_save_change_to_\w+|\w+?_previously_changed|\w+?_changed)\?\s*\}?$/;

/** The attribute an `if:` change condition tests (`if: :saved_change_to_email?` → email), or undefined. */
export function changeConditionAttribute(condition: string): string | undefined {
  const m = CHANGE_CONDITION.exec(condition.trim());
  if (!m) return undefined;
  return m[1].replace(/^(saved_change_to_|will_save_change_to_)/, '').replace(/(_previously)?_changed$/, '');
}

/**
 * The attributes a `create` call assigns, when exactly known: literal keys (or none) on a model constant
 * or through unscoped associations (whose foreign keys it also sets, so `_id`/`_type` are never pruned).
 */
export function createdAttributes(index: ModelIndex, model: ModelInfo, fact: CallFact): string[] | undefined {
  if ((fact.method !== 'create' && fact.method !== 'create!') || !fact.assigns) return undefined;
  const r = fact.receiver;
  const steps = r.root === 'call' ? [r.name ?? '', ...r.path] : r.root === 'self' || r.root === 'none' || r.root === 'const' ? r.path : undefined;
  if (!steps) return undefined;
  let current: ModelInfo | undefined = r.root === 'const' ? undefined : model;
  for (const step of steps) {
    if (!current) return undefined;
    const a = associationOf(index, current, step);
    if (!a || a.association.scoped || a.association.polymorphic) return undefined;
    current = index.target(a.owner, a.association);
  }
  return fact.assigns;
}

/** The attribute that keeps `entry` from running on a create of `target` assigning only `assigns`, or undefined. */
export function quietOnCreate(index: ModelIndex, target: ModelInfo, entries: ChainEntry[], entry: ChainEntry, assigns: string[]): string | undefined {
  for (const condition of entry.conditions) {
    const attribute = changeConditionAttribute(condition);
    if (!attribute || assigns.includes(attribute) || /_(id|type)$/.test(attribute)) continue;
    if (!assignedByCallbacks(index, target, entries, attribute)) return attribute;
  }
  return undefined;
}

/** Whether a before/around callback of the create may set the attribute (it names it, or assigns attributes in bulk). */
function assignedByCallbacks(index: ModelIndex, target: ModelInfo, entries: ChainEntry[], attribute: string): boolean {
  for (const e of entries) {
    if (e.timing === 'after' && e.event !== 'validation') continue;
    const t = e.decl?.target;
    if (!t) continue;
    // An ancestor's callback (ApplicationRecord's) is found on its owner when the target's ancestry stops short of it.
    const facts = t.type === 'method' ? methodFacts(index, target, t.name) ?? methodFacts(index, e.owner, t.name) : t.type === 'inline' ? t.facts : undefined;
    if (!facts) return true;
    const names = new Set([attribute, `${attribute}=`, 'assign_attributes', 'attributes=', 'write_attribute', '[]=']);
    if (facts.calls.some((c) => names.has(c.method) || (c.receiver.root === 'none' && c.receiver.path.length === 0 && (methodFacts(index, target, c.method) ?? methodFacts(index, e.owner, c.method))))) return true;
  }
  return false;
}
