import * as path from 'node:path';
import { defineRule } from '../../core/rule';
import type { Fix, RelatedLocation } from '../../core/types';
import { productionPools, type DatabasePool } from '../../project/database';
import { shareVariable, type ThreadSource } from '../../capacity/threadCount';

export default defineRule({
  meta: {
    id: 'capacity/db-pool-below-concurrency',
    description: 'A production database pool smaller than the threads of one Puma, Sidekiq, GoodJob or Solid Queue process: threads wait for a connection and time out.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['database-yml'],
  },
  create(ctx) {
    return {
      end() {
        const sources = ctx.app.processThreads ?? [];
        if (sources.length === 0) return;
        const byRange = new Map<string, DatabasePool[]>();
        for (const pool of productionPools(ctx.text)) {
          const key = `${pool.range.start.line}:${pool.range.start.character}`;
          byRange.set(key, [...(byRange.get(key) ?? []), pool]);
        }
        for (const pools of byRange.values()) {
          const pool = pools[0];
          if (pool.count.value === undefined) continue;
          // Unknown threads are not a finding, nor threads that read the pool's own variable.
          const over = sources.filter((s) => s.count.value !== undefined && !shareVariable(pool.count, s.count) && s.count.value > poolIn(pool, s));
          if (over.length === 0) continue;
          over.sort((a, b) => b.count.value! - a.count.value!);
          const worst = over[0];
          const names = pools.map((p) => p.name).join(', ');
          const poolText = pool.missing ? `no \`pool\` (Rails' default ${pool.count.value})` : `\`pool\` ${describe(pool.count)}`;
          const headline = `${pools.length > 1 || pool.name !== 'production' ? `The ${names} pool` : 'The production pool'} has ${pool.count.value} connections but ${worst.process} runs ${worst.count.value} threads`;
          const message = `${headline}: when every thread needs the database at once, the extra threads wait `
            + '(`checkout_timeout`, 5 s by default) and then fail with `ActiveRecord::ConnectionTimeoutError`. '
            + `database.yml sets ${poolText} for production ${pools.length > 1 ? 'databases' : 'database'} ${names}; `
            + over.map((s) => `${s.process} runs ${describe(s.count)} threads (${s.what} in ${s.file})`).join('; ')
            + '. Each process has its own pool, so the pool must be at least the threads of the largest process. '
            + 'Make the pool read the same variable as the threads, or raise it.';
          const related: RelatedLocation[] = over.map((s) => ({
            file: path.join(ctx.app.root, s.file), range: s.range, message: `${s.process}: ${s.count.value} threads (${s.what})`,
          }));
          ctx.report({ range: pool.range, headline, message, related, fixes: fixFor(ctx.file, pool, over) });
        }
      },
    };
  },
});

/** The pool in that process: its command line may set the pool's variable (`DB_POOL=10 bundle exec sidekiq`). */
function poolIn(pool: DatabasePool, source: ThreadSource): number {
  const set = pool.count.vars.map((v) => source.env?.[v]).find((v) => v !== undefined);
  return set !== undefined && /^\d+$/.test(set) ? Number(set) : set !== undefined ? Infinity : pool.count.value!;
}

function describe(count: ThreadSource['count']): string {
  return count.vars.length ? `${count.value} (\`${count.vars[0]}\` unset)` : String(count.value);
}

/** One variable the offending threads all read → the pool reads it too; all literal → their maximum. */
function fixFor(file: string, pool: DatabasePool, over: ThreadSource[]): Fix[] {
  const worst = over[0];
  let value: string;
  let title: string;
  if (over.every((s) => s.count.vars.length === 0)) {
    value = String(worst.count.value);
    title = `Set the pool to ${value} (changes the production pool size)`;
  } else if (over.every((s) => s.count.vars.length > 0 && s.count.vars[0] === worst.count.vars[0])) {
    const v = worst.count.vars[0];
    value = `<%= ENV.fetch("${v}") { ${worst.count.value} } %>`;
    title = `Read the pool from ${v} (default ${worst.count.value}) like ${worst.process} (changes the production pool size)`;
  } else return [];
  const edit = pool.missing
    ? { file, range: { start: { line: pool.missing.line, character: 0 }, end: { line: pool.missing.line, character: 0 } }, newText: `${pool.missing.indent}pool: ${value}\n` }
    : { file, range: pool.range, newText: value };
  return [{ title, safety: 'unsafe', edits: [edit] }];
}
