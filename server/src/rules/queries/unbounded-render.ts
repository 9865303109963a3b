import { defineRule } from '../../core/rule';
import type { Node } from '../../parsing/treeSitter';
import { nodeRange, readCall } from '../../parsing/ruby';
import { queryModel } from '../../queries/analysis';
import type { Value } from '../../queries/values';
import { chainText, originsOf, where } from '../../queries/fixes';

export default defineRule({
  meta: {
    id: 'queries/unbounded-render',
    description: 'A relation with no limit or pagination rendered as a collection of partials or a view loop: the page grows with the table.',
    defaultSeverity: 'hint',
    fix: 'none',
    fileKinds: ['controller', 'view'],
  },
  create(ctx) {
    const renders: { node: Node; how: string }[] = [];
    return {
      call(node) {
        if (node.childForFieldName('method')?.text !== 'render') return;
        const call = readCall(node);
        if (!call || call.name !== 'render' || call.receiver) return;
        // `render json:`/`xml:` is queries/unbounded-serialization's (one finding per hazard).
        const collection = call.keywords.get('collection');
        if (collection) { renders.push({ node: collection, how: 'render collection:' }); return; }
        if (ctx.kind !== 'view') return;
        const first = call.args[0];
        if (first && (first.type === 'instance_variable' || first.type === 'call')) renders.push({ node: first, how: 'render' });
      },
      end() {
        const model = queryModel(ctx);
        const seen = new Set<string>();
        const check = (value: Value | undefined, range: ReturnType<typeof nodeRange>, text: string, how: string): void => {
          if (!value || value.kind !== 'relation' && value.kind !== 'class' || !value.model || value.bounded || value.unsure || value.perRow) return;
          if (value.kind === 'class') return;
          if (value.association && !value.filtered) return;
          if (seen.has(text)) return;
          seen.add(text);
          const origin = originsOf(value)[0];
          const place = origin && origin.chain.file !== ctx.file ? ` (built in ${where(ctx.app.root, origin)})` : '';
          // No origin: rows a method built from what its caller passed (`PostQuery.new(Post.all).results`).
          const what = origin ? `\`${text}\` is \`${chainText(origin.chain, origin.count)}\`${place}`
            : value.returnedBy ? `\`${text}\` (what \`${value.returnedBy}\` returns)` : `\`${text}\``;
          ctx.report({
            range,
            message: `${what} ${origin ? 'with' : 'has'} no limit or pagination, and ${how} shows every row: the response grows with the ${value.model.name} table. `
              + `Paginate where it is built (\`.page(params[:page])\` with kaminari, \`pagy\`, will_paginate) or add \`.limit(n)\`.`,
          });
        };
        if (ctx.kind === 'view') {
          for (const { site, collection } of model.loops) {
            // Rendering loops (not the option lists of select boxes).
            if (site.loop || site.inOptionList || !['each', 'each_with_index', 'map', 'collect', 'flat_map', 'find_each', 'each_slice', 'in_groups_of'].includes(site.link.name)) continue;
            // Instance variables the controller built; relations written in the view are mostly option lists.
            if (site.chain.root.kind !== 'ivar' || !collection.external) continue;
            const range = { start: site.chain.rootRange.start, end: site.index > 0 ? site.chain.links[site.index - 1].end : site.chain.rootRange.end };
            const text = sliceRange(ctx.text, range);
            check(collection, range, text, 'the loop');
          }
        }
        for (const { node, how } of renders) check(model.values.get(node.id), nodeRange(node), node.text.length > 80 ? node.text.slice(0, 77) + '…' : node.text, how);
      },
    };
  },
});

function sliceRange(text: string, range: ReturnType<typeof nodeRange>): string {
  const lines = text.split('\n');
  if (range.start.line !== range.end.line) return (lines[range.start.line] ?? '').slice(range.start.character) + '…';
  return (lines[range.start.line] ?? '').slice(range.start.character, range.end.character);
}
