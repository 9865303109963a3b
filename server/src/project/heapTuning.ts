// How fast the JS heap may grow between full garbage collections.
//
// A check keeps its app-wide indexes (models, controllers, summaries) for the whole run and allocates a short-lived
// tree walk per file on top. With V8's default growing factor (up to 4× for a fast-allocating program) the heap limit
// races ahead of that live set: on a 17,000-file app the peak RSS was 806 MB for about 250 MB live. A factor of 1.15
// keeps the peak near the live set (482 MB) for a few percent more CPU (docs/performance.md, "Memory").
import * as v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 15;

let applied = false;

/** Once per process, before the first analysis; worker threads share the process's heap flags. */
export function tuneHeapGrowth(): void {
  if (applied) return;
  applied = true;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
