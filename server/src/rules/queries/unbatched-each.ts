import { defineRule } from '../../core/rule';
import { queryModel } from '../../queries/analysis';
import { chainText } from '../../queries/fixes';

export default defineRule({
  meta: {
    id: 'queries/unbatched-each',
    description: '`.each` over an unbounded relation in a job, rake task, model or script loads every row into memory at once; find_each loads batches of 1000.',
    defaultSeverity: 'info',
    fix: 'unsafe',
    fileKinds: ['job', 'model', 'ruby'],
  },
  create(ctx) {
    return {
      end() {
        if (ctx.kind === 'ruby' && /(^|\/)(app\/views|app\/helpers|app\/controllers)\//.test(ctx.file.replace(/\\/g, '/'))) return;
        for (const site of queryModel(ctx).links) {
          const r = site.receiver;
          if (site.link.name !== 'each' || !site.link.hasBlock || site.link.args.count > 0) continue;
          if (r.kind !== 'relation' || !r.model || r.perRow || r.loaded) continue;
          const direct = site.chain.links.slice(0, site.index).some((l) => l.name === 'all') || r.filtered;
          if (!direct) continue;
          if (r.ordered || r.bounded || r.selected || r.locked || site.valueUsed) continue;
          const relation = chainText(site.chain, site.index);
          ctx.report({
            range: site.link.nameRange,
            message: `\`${relation}.each\` loads every matching ${r.model.name} into memory at once; on a large table the process runs out of memory or time. `
              + `Use \`${relation}.find_each\`, which loads batches of 1000 ordered by primary key.`,
            fixes: [{ title: 'Use `find_each` (batches of 1000, ordered by id)', safety: 'unsafe', edits: [{ file: ctx.file, range: site.link.nameRange, newText: 'find_each' }] }],
          });
        }
      },
    };
  },
});
