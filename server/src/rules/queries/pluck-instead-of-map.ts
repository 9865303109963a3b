import { defineRule } from '../../core/rule';
import { queryModel } from '../../queries/analysis';
import { RELATION_METHODS, hasScope } from '../../queries/values';
import { chainText } from '../../queries/fixes';

export default defineRule({
  meta: {
    id: 'queries/pluck-instead-of-map',
    description: '(opt-in, style) `relation.map(&:column)` loads whole records to read one column; `pluck(:column)` selects just that column.',
    defaultSeverity: 'info',
    fix: 'safe',
    // Style, not a hazard: opt-in (the `style` group of the query pack).
    enabledByDefault: false,
    fileKinds: ['controller', 'model', 'job', 'ruby', 'view'],
  },
  create(ctx) {
    return {
      end() {
        const models = queryModel(ctx).models;
        const schema = ctx.app.schema;
        if (!models) return;
        for (const site of queryModel(ctx).links) {
          const { link, receiver: r } = site;
          if ((link.name !== 'map' && link.name !== 'collect') || !link.args.symbolBlock || link.hasBlock || link.args.count > 0) continue;
          if (r.kind !== 'relation' || !r.model || r.loaded || r.perRow || site.loop) continue;
          // The chain must build the query itself (a variable may be loaded and reused elsewhere).
          if (site.rootIsVariable || site.chain.root.kind === 'ivar' || site.chain.root.kind === 'other') continue;
          const before = site.chain.links.slice(0, site.index);
          if (!before.some((l) => RELATION_METHODS.has(l.name) || hasScope(models, r.model!, l.name))) continue;
          if (r.selected) continue;
          const col = link.args.symbolBlock;
          // A column per db/schema.rb; without a schema only the primary key is known to be one.
          const table = schema?.tables.get(models.tableName(r.model));
          if (schema ? !table?.columns.has(col) : col !== 'id') continue;
          if (models.ancestry(r.model).some((m) => m.methods.has(col) || m.associations.has(col))) continue;
          const replacement = col === 'id' ? 'ids' : `pluck(:${col})`;
          const range = { start: link.nameRange.start, end: link.end };
          const relation = chainText(site.chain, site.index);
          ctx.report({
            range,
            message: `\`${relation}.${link.name}(&:${col})\` loads every ${r.model.name} with all its columns to read \`${col}\`; \`${relation}.${replacement}\` selects only that column.`,
            fixes: [{ title: `Use \`${replacement}\``, safety: 'safe', edits: [{ file: ctx.file, range, newText: replacement }] }],
          });
        }
      },
    };
  },
});
