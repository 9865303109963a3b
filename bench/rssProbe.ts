// Preloaded with `node -r` into processes the benchmark spawns: writes the process's peak RSS (bytes,
// all threads included) to $RH_RSS_FILE when it exits.
import * as fs from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const target = process.env.RH_RSS_FILE;
if (target && isMainThread) {
  process.on('exit', () => {
    try { fs.writeFileSync(target, JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 })); } catch { /* best effort */ }
  });
}
