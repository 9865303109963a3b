import { defineRule } from '../../core/rule';
import { queryModel } from '../../queries/analysis';

export default defineRule({
  meta: {
    id: 'queries/count-on-loaded-relation',
    description: '(opt-in, style) `.count` always runs SELECT COUNT(*), even when the records are already loaded (iterated or preloaded); `.size` counts them in memory.',
    defaultSeverity: 'info',
    fix: 'safe',
    // Style, not a hazard: opt-in (the `style` group of the query pack).
    enabledByDefault: false,
    fileKinds: ['job', 'model', 'controller', 'view', 'ruby'],
  },
  create(ctx) {
    return {
      end() {
        for (const site of queryModel(ctx).links) {
          const { link, receiver: r } = site;
          if (link.name !== 'count' || link.args.count > 0 || link.hasBlock || link.args.symbolBlock) continue;
          if ((r.kind !== 'relation' && r.kind !== 'collection') || !r.loaded) continue;
          const what = ctx.text.split('\n')[site.range.start.line]?.slice(site.range.start.character, link.nameRange.start.character - 1) ?? '';
          const how = r.kind === 'collection' && r.perRow ? 'is preloaded' : 'was already loaded above';
          ctx.report({
            range: link.nameRange,
            message: `\`${what}.count\` runs SELECT COUNT(*) although \`${what}\` ${how}${r.perRow ? ' (once per element of the loop)' : ''}; \`${what}.size\` counts the loaded records without a query.`,
            fixes: [{ title: 'Use `size`', safety: 'safe', edits: [{ file: ctx.file, range: link.nameRange, newText: 'size' }] }],
          });
        }
      },
    };
  },
});
