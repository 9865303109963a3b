// Preloaded with `node -r` into processes the benchmark spawns: writes the process's peak RSS (bytes,
// all threads included) and CPU time to $RH_RSS_FILE when it exits.
import * as fs from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const target = process.env.RH_RSS_FILE;
if (target && isMainThread) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
    try { fs.writeFileSync(target, JSON.stringify({ maxRssBytes: usage.maxRSS * 1024, cpuMs })); } catch { /* best effort */ }
  });
}
