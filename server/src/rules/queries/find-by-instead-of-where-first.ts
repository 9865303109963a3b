import { defineRule } from '../../core/rule';
import { queryModel } from '../../queries/analysis';

export default defineRule({
  meta: {
    id: 'queries/find-by-instead-of-where-first',
    description: '(opt-in, style) `where(...).first` sorts the matches by primary key to return one; `find_by(...)` asks for any one with LIMIT 1.',
    defaultSeverity: 'info',
    fix: 'unsafe',
    // Style, not a hazard: opt-in (the `style` group of the query pack).
    enabledByDefault: false,
    fileKinds: ['controller', 'model', 'job', 'ruby', 'view'],
  },
  create(ctx) {
    return {
      end() {
        for (const site of queryModel(ctx).links) {
          const { link, receiver: r } = site;
          if ((link.name !== 'first' && link.name !== 'take') || link.args.count > 0 || link.hasBlock || link.args.text) continue;
          const prev = site.chain.links[site.index - 1];
          if (!prev || prev.name !== 'where' || prev.args.count === 0 || !prev.args.text.startsWith('(') || prev.hasBlock) continue;
          if (r.kind !== 'relation' || !r.model) continue;
          const range = { start: prev.nameRange.start, end: link.nameRange.end };
          const replacement = `find_by${prev.args.text}`;
          const shown = `find_by${prev.args.text.replace(/\s+/g, " ")}`;
          const whereShown = `where${prev.args.text.replace(/\s+/g, " ")}`;
          const safe = link.name === 'take' || !!r.ordered;
          ctx.report({
            range,
            message: link.name === 'first' && !r.ordered
              ? `\`${whereShown}.first\` adds ORDER BY ${r.model.name}'s primary key, which sorts every match when several rows match; \`${shown}\` returns one with LIMIT 1. Keep \`first\` when you need the lowest id.`
              : `\`${whereShown}.${link.name}\` is \`${shown}\`, which says it in one call.`,
            fixes: [{ title: `Use \`${replacement}\``, safety: safe ? 'safe' : 'unsafe', edits: [{ file: ctx.file, range, newText: replacement }] }],
          });
        }
      },
    };
  },
});
