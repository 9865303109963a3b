import { defineRule } from '../../core/rule';
import { fileCallbacks, toRange } from '../../callbacks/analysis';
import { orderedEntries, savePathLength, type Chain, type ChainEntry } from '../../callbacks/chain';
import { namespaceOf, type ModelIndex, type ModelInfo } from '../../models/modelIndex';

export default defineRule({
  meta: {
    id: 'callbacks/long-callback-chain',
    description: 'A model whose save runs more callbacks inside its transaction than the configured limit (default 5), counting concerns, ancestors and cascades.',
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
          // A class written in several files (order.rb, order/checkout.rb) is reported once, on its main definition.
          if (fc.index.primary(model) !== model) continue;
          // An STI subclass that adds nothing runs its parent's chain: the parent's finding covers it.
          if (addsNoCallbacks(fc.index, model)) continue;
          const { chain, count } = savePathLength(fc.index, ctx.app, model, fc.config);
          if (count <= max) continue;
          ctx.report({
            range: toRange(model.location),
            message: `${model.name} runs ${count} callbacks inside the transaction when it is ${chain.event === 'create' ? 'created' : 'updated'} (${breakdown(chain)}), more than ${max}: `
              + 'every save pays for all of them before COMMIT, and the order is hard to see in code.'
              + afterCommitText(chain)
              + ` Hover ${model.name.split('::').pop()} to see the chain; move side effects to after_commit callbacks or jobs, and explicit steps into a service object.`,
          });
        }
      },
    };
  },
});

/** A subclass of a concrete model whose chain has no entry its parent's lacks. */
function addsNoCallbacks(index: ModelIndex, model: ModelInfo): boolean {
  if (!model.superclass) return false;
  const parent = index.resolve(model.superclass, namespaceOf(model.name));
  if (!parent || parent.kind !== 'class' || parent.abstract || !index.isModel(parent)) return false;
  const key = (e: ChainEntry): string => `${e.location.file}:${e.location.line}:${e.location.character}:${e.macro}`;
  const inherited = new Set(orderedEntries(index, parent).map(key));
  return orderedEntries(index, model).every((e) => inherited.has(key(e)));
}

function afterCommitText(chain: Chain): string {
  const n = chain.afterCommit.length;
  if (n === 0) return '';
  const names = chain.afterCommit.slice(0, 4).map((e) => {
    const t = e.decl?.target;
    const what = t?.type === 'method' ? `${e.macro} :${t.name}` : e.macro;
    return `\`${what}\`${e.owner.name !== chain.model.name ? ` (${e.owner.name})` : ''}`;
  });
  return ` After the transaction (commit or rollback), not counted: ${n} more (${names.join(', ')}${n > 4 ? ', …' : ''}).`;
}

function breakdown(chain: Chain): string {
  let own = 0; let concerns = 0; let inherited = 0; let generated = 0;
  for (const step of chain.steps) {
    if (!step.entry.countable || step.phase !== 'transaction') continue;
    if (step.entry.generated) generated++;
    else if (step.entry.owner.name === chain.model.name) own++;
    else if (step.entry.owner.kind === 'concern') concerns++;
    else inherited++;
  }
  const cascaded = chain.total - own - concerns - inherited - generated;
  const parts = [`${own} own`];
  if (concerns) parts.push(`${concerns} from concerns`);
  if (inherited) parts.push(`${inherited} inherited`);
  if (generated) parts.push(`${generated} from associations`);
  if (cascaded) parts.push(`${cascaded} in other models through cascades`);
  if (chain.io.length) parts.push(`${chain.io.length} reaching outside the database`);
  return parts.join(', ');
}
