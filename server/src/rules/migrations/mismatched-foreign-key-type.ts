import { defineRule, type RuleContext } from '../../core/rule';
import type { FileEdit } from '../../core/types';
import type { Node } from '../../parsing/treeSitter';
import { pluralize } from '../../models/inflector';
import { literalName, nodeRange } from '../../parsing/ruby';
import { addKeywordArgument } from '../../parsing/rubyEdits';
import { checkedOps, migrationModel } from '../../migrations/gating';
import type { MigrationOp } from '../../migrations/model';
import { compatBelow, isDslCall, truthy } from '../../migrations/ruleHelpers';
import { stateSource, tableBefore } from '../../migrations/stateBefore';

/** Key types by family; a bigint column may reference an integer key, nothing else may differ. */
const FAMILY: Record<string, string> = {
  integer: 'integer', int: 'integer', int4: 'integer', serial: 'integer', serial4: 'integer',
  bigint: 'bigint', int8: 'bigint', bigserial: 'bigint', serial8: 'bigint',
  smallint: 'smallint', int2: 'smallint', uuid: 'uuid',
};
const RANK: Record<string, number> = { smallint: 1, integer: 2, bigint: 3 };

interface Candidate { column: string; columnNode: Node; type: string; typeNode?: Node; to: string; kind: 'column' | 'method' | 'reference' }

export default defineRule({
  meta: {
    id: 'migrations/mismatched-foreign-key-type',
    description: 'A reference column whose type differs from the referenced primary key overflows or joins wrongly later.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        for (const op of checkedOps(ctx)) {
          if (!isDslCall(op)) continue;
          for (const c of candidates(op)) {
            const pk = primaryKeyType(ctx, op, c.to);
            if (!pk) continue;
            const fkFamily = FAMILY[c.type];
            const pkFamily = FAMILY[pk.type];
            if (!fkFamily || !pkFamily || fkFamily === pkFamily) continue;
            if (RANK[fkFamily] && RANK[pkFamily] && RANK[fkFamily] > RANK[pkFamily]) continue;
            // Fixed later: db/schema.rb already shows a matching column type.
            const existing = op.table ? ctx.app.schema?.tables.get(op.table)?.columns.get(c.column) : undefined;
            if (existing && FAMILY[existing.type] === pkFamily && !migrationModel(ctx).createdBefore(op.table, op) && !op.createTable) continue;
            const wanted = pkFamily;
            const edit = fixEdit(ctx, op, c, wanted);
            ctx.report({
              node: c.columnNode,
              message: `${op.table ?? 'This table'}.${c.column} is ${c.type} but ${c.to}.id is ${pk.type} (${pk.source}): `
                + (RANK[fkFamily] && RANK[pkFamily]
                  ? `once ${c.to}.id passes the ${fkFamily} range, rows can no longer reference new ${c.to} and inserts fail. `
                  : 'the values cannot match, so joins and foreign keys fail or need casts. ')
                + `Use the key's type: ${c.kind === 'reference' ? `\`type: :${wanted}\`` : `\`:${wanted}\``}.`,
              fixes: edit ? [{ title: `Make ${c.column} ${wanted}`, safety: 'unsafe', edits: [edit] }] : [],
            });
          }
        }
      },
    };
  },
});

function candidates(op: MigrationOp): Candidate[] {
  const call = op.call;
  const out: Candidate[] = [];
  const inTable = !!(op.changeTable || op.createTable);
  if (op.method === 'add_column') {
    if (!inTable || call.name === 'column') {
      const colNode = inTable ? call.args[0] : call.args[1];
      const typeNode = inTable ? call.args[1] : call.args[2];
      const column = literalName(colNode);
      const type = literalName(typeNode);
      const ref = column && /^(\w+)_id$/.exec(column);
      if (ref && type && colNode) out.push({ column: column!, columnNode: colNode, type, typeNode, to: pluralize(ref[1]), kind: 'column' });
    } else if (op.columnType) {
      for (const colNode of call.args) {
        const column = literalName(colNode);
        const ref = column && /^(\w+)_id$/.exec(column);
        if (ref) out.push({ column: column!, columnNode: colNode, type: op.columnType, typeNode: call.nameNode, to: pluralize(ref[1]), kind: 'method' });
      }
    }
  } else if (op.method === 'add_reference' || op.method === 'add_belongs_to') {
    if (truthy(call.keywords.get('polymorphic'))) return out;
    const typeNode = call.keywords.get('type');
    const type = typeNode ? literalName(typeNode) : compatBelow(op.klass, '5.1') ? 'integer' : 'bigint';
    const fk = call.keywords.get('foreign_key');
    const explicit = fk?.type === 'hash' ? /to_table:\s*[:"']?(\w+)/.exec(fk.text)?.[1] : undefined;
    for (const refNode of inTable ? call.args : call.args.slice(1, 2)) {
      const ref = literalName(refNode);
      if (ref && type) out.push({ column: `${ref}_id`, columnNode: refNode, type, typeNode, to: explicit ?? pluralize(ref), kind: 'reference' });
    }
  }
  return out;
}

/** The referenced table's key type: created earlier in this migration (`id:`), else as it was before this migration. */
function primaryKeyType(ctx: RuleContext, op: MigrationOp, table: string): { type: string; source: string } | undefined {
  const model = migrationModel(ctx);
  const created = model.ops.find((o) => o.method === 'create_table' && o.table === table && o.order < op.order && o.klass === op.klass && isDslCall(o));
  if (created) {
    const id = created.call.keywords.get('id');
    if (id && id.type === 'false') return undefined;
    const type = id ? literalName(id) : compatBelow(created.klass, '5.1') ? 'integer' : 'bigint';
    return type ? { type, source: 'created in this migration' } : undefined;
  }
  // The key's type when this migration ran: a 2017 `t.integer :account_id` matched an integer accounts.id,
  // even if accounts.id is bigint today.
  const before = tableBefore(ctx, table);
  if (!before || before.table.primaryKeyType === 'none') return undefined;
  return { type: before.table.primaryKeyType, source: stateSource(before, ctx.app.schema?.source) };
}

function fixEdit(ctx: RuleContext, op: MigrationOp, c: Candidate, wanted: string): FileEdit | undefined {
  if (c.kind === 'method') return c.typeNode ? { file: ctx.file, range: nodeRange(c.typeNode), newText: wanted } : undefined;
  if (c.typeNode) {
    const text = c.typeNode.type === 'simple_symbol' ? `:${wanted}` : c.typeNode.type === 'string' ? `"${wanted}"` : undefined;
    return text ? { file: ctx.file, range: nodeRange(c.typeNode), newText: text } : undefined;
  }
  return c.kind === 'reference' && op.call.args.length <= (op.changeTable || op.createTable ? 1 : 2)
    ? addKeywordArgument(ctx.file, op.call, `type: :${wanted}`) : undefined;
}
