// The foreign keys a migration statement creates, with the referencing column and the referenced
// table Rails would use (`t.references :author, foreign_key: true` → authors.id via author_id).
import { pluralize, singularize } from '../models/inflector';
import type { Node } from '../parsing/treeSitter';
import { literalName } from '../parsing/ruby';
import type { MigrationOp } from './model';
import { hashValue, truthy } from './ruleKit';

export interface CreatedForeignKey {
  op: MigrationOp;
  from?: string;
  to?: string;
  column?: string;
  /** The node naming the referenced table or reference, for reporting. */
  node: Node;
}

/** Foreign keys created by an op: add_foreign_key, t.foreign_key, add_reference/add_belongs_to/t.references … foreign_key:. */
export function createdForeignKeys(op: MigrationOp): CreatedForeignKey[] {
  const call = op.call;
  const inTable = !!(op.changeTable || op.createTable);
  if (op.method === 'add_foreign_key') {
    const toNode = inTable ? call.args[0] : call.args[1];
    const to = literalName(toNode) ?? literalName(call.keywords.get('to_table'));
    const column = literalName(call.keywords.get('column')) ?? (to ? `${singularize(to.replace(/^.*\./, ''))}_id` : undefined);
    return [{ op, from: op.table, to, column, node: toNode ?? call.nameNode }];
  }
  if (op.method === 'add_reference' || op.method === 'add_belongs_to') {
    const fk = call.keywords.get('foreign_key');
    if (!truthy(fk) || truthy(call.keywords.get('polymorphic'))) return [];
    const refs = inTable ? call.args : call.args.slice(1, 2);
    const explicit = literalName(hashValue(fk, 'to_table'));
    const out: CreatedForeignKey[] = [];
    for (const refNode of refs) {
      const ref = literalName(refNode);
      if (!ref) continue;
      out.push({ op, from: op.table, to: explicit ?? pluralize(ref), column: literalName(hashValue(fk, 'column')) ?? `${ref}_id`, node: refNode });
    }
    return out;
  }
  return [];
}
