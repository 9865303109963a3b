import { defineRule } from '../../core/rule';
import { describeCallback, fileCallbacks, reportRange, viaText, whereText } from '../../callbacks/analysis';
import { buildChain } from '../../callbacks/chain';

export default defineRule({
  meta: {
    id: 'callbacks/writes-other-model-in-callback',
    description: 'A callback that writes another model inside the save transaction runs that model\'s callbacks and holds its row locks until COMMIT.',
    defaultSeverity: 'warning',
    fix: 'none',
    fileKinds: ['model'],
  },
  create(ctx) {
    return {
      end() {
        const fc = fileCallbacks(ctx);
        const seen = new Set<string>();
        for (const d of fc.declared) {
          if (!d.inTransaction) continue;
          for (const effect of d.resolved.effects) {
            if (effect.kind !== 'write' || !effect.write || effect.deferred) continue;
            // SQL-only cleanup in a destroy callback is the hand-written form of `dependent: :nullify/:delete_all`: it must be atomic.
            if (effect.write.kind === 'sql' && d.decl.event === 'destroy') continue;
            const range = reportRange(ctx.file, d, effect);
            const key = `${range.start.line}:${range.start.character}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const target = effect.write.model;
            const table = fc.index.tableName(target);
            const owner = d.model.name;
            const transaction = d.model.kind === 'concern' ? `inside the save transaction of every model that includes ${owner}` : `inside ${owner}'s save transaction`;
            let consequence: string;
            let external = 0;
            if (effect.write.kind === 'sql') {
              consequence = `it skips ${target.name}'s callbacks but locks the rows it changes in ${table} until the transaction commits`;
            } else {
              const chain = buildChain(fc.index, ctx.app, target, effect.write.kind, { maxDepth: 1, config: fc.config });
              external = chain.external;
              consequence = `it runs ${target.name}'s ${effect.write.kind} callbacks (${chain.total}${chain.external ? `, ${chain.external} calling external services` : ''}) in the same transaction and holds row locks on ${table} until it commits`;
            }
            const loop = effect.inLoop ? ' once per element of a loop' : '';
            ctx.report({
              range,
              severity: effect.inLoop || external > 0 ? undefined : 'info',
              message: `\`${effect.label}\` writes ${target.name === owner ? `another ${target.name} record` : target.name}${loop} from ${'`'}${describeCallback(d.decl)}${'`'}${viaText(d, effect)}${whereText(ctx.app.root, ctx.file, effect)}, ${transaction}: ${consequence}. `
                + 'Keep the write if it must be atomic with the save; otherwise move it to an after_commit callback or a job.',
            });
          }
        }
      },
    };
  },
});
