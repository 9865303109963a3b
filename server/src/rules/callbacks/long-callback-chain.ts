import { defineRule } from '../../core/rule';
import { fileCallbacks, toRange } from '../../callbacks/analysis';
import { savePathLength, type Chain } from '../../callbacks/chain';

export default defineRule({
  meta: {
    id: 'callbacks/long-callback-chain',
    description: 'A model whose save runs more callbacks than the configured limit (default 5), counting concerns, ancestors and cascades.',
    defaultSeverity: 'info',
    fix: 'none',
    fileKinds: ['model'],
  },
  create(ctx) {
    return {
      end() {
        const fc = fileCallbacks(ctx);
        const max = fc.config.maxChainLength;
        for (const model of fc.models) {
          if (model.kind !== 'class' || model.abstract || !fc.index.isModel(model)) continue;
          const { chain, count } = savePathLength(fc.index, ctx.app, model, fc.config);
          if (count <= max) continue;
          ctx.report({
            range: toRange(model.location),
            message: `${model.name} runs ${count} callbacks when it is ${chain.event === 'create' ? 'created' : 'updated'} (${breakdown(chain)}), more than ${max}: `
              + 'every save pays for all of them inside one transaction, and the order is hard to see in code. '
              + `Hover ${model.name.split('::').pop()} to see the chain; move side effects to after_commit callbacks or jobs, and explicit steps into a service object.`,
          });
        }
      },
    };
  },
});

function breakdown(chain: Chain): string {
  let own = 0; let concerns = 0; let inherited = 0; let generated = 0; let cascaded = 0;
  for (const step of chain.steps) {
    if (!step.entry.countable) continue;
    if (step.entry.generated) generated++;
    else if (step.entry.owner === chain.model) own++;
    else if (step.entry.owner.kind === 'concern') concerns++;
    else inherited++;
  }
  cascaded = chain.total - own - concerns - inherited - generated;
  const parts = [`${own} own`];
  if (concerns) parts.push(`${concerns} from concerns`);
  if (inherited) parts.push(`${inherited} inherited`);
  if (generated) parts.push(`${generated} from associations`);
  if (cascaded) parts.push(`${cascaded} in other models through cascades`);
  if (chain.external) parts.push(`${chain.external} external call${chain.external === 1 ? '' : 's'}`);
  return parts.join(', ');
}
