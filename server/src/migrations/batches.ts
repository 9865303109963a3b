// Batches in migrations (issue 11 item 5): a statement inside a batching iteration or a LIMIT/cursor
// loop runs per batch, not over the whole table; with `disable_ddl_transaction!` each batch commits
// on its own.
import type { Node } from '../parsing/treeSitter';
import { readCall } from '../parsing/ruby';

/** Iterations that hand their block one batch (a relation, an array of records or ids) at a time. */
export const BATCH_ITERATORS = new Set(['find_each', 'find_in_batches', 'in_batches', 'each_batch', 'each_slice', 'in_groups_of']);

/** A loop is a batch loop when it limits each round or walks a cursor. */
const LIMIT_OR_CURSOR = /\.limit\s*\(|\bLIMIT\s+(\d|\?|:|#\{|\$)|\.first\(\s*\w|\.take\(\s*\w|\bbatch_size\b|\bcursor\b|\blast_id\b|\bstart_id\b|\bmax_id\b|\bid\s*>\s*/i;

/**
 * The batching construct around `node` inside its method: the call whose block is a batch
 * (`X.in_batches do |b|`, `ids.each_slice(1000) { … }`), or a `loop`/`while`/`until` whose body
 * limits each round (`.limit(1000)`, `LIMIT 1000`, `id > last_id`). Undefined when there is none.
 */
export function enclosingBatch(node: Node): Node | undefined {
  for (let p: Node | null = node.parent; p; p = p.parent) {
    if (p.type === 'method' || p.type === 'singleton_method' || p.type === 'class' || p.type === 'module') return undefined;
    if ((p.type === 'while' || p.type === 'until') && LIMIT_OR_CURSOR.test(p.text)) return p;
    if ((p.type === 'block' || p.type === 'do_block') && p.parent?.type === 'call') {
      const call = readCall(p.parent);
      if (!call) continue;
      if (BATCH_ITERATORS.has(call.name)) return p.parent;
      if (call.name === 'loop' && !call.receiver && LIMIT_OR_CURSOR.test(p.text)) return p.parent;
    }
  }
  return undefined;
}

/** "in_batches", "each_slice", "a loop with a LIMIT/cursor": how messages name a batch construct. */
export function batchLabel(batch: Node): string {
  if (batch.type === 'while' || batch.type === 'until') return `a ${batch.type} loop with a LIMIT/cursor`;
  const call = readCall(batch);
  return call?.name === 'loop' ? 'a loop with a LIMIT/cursor' : call?.name ?? 'a batch';
}
