// Which model a `save` / `update!` / `destroy` call site works on, inferred from the syntax around it:
// `Appointment.new(...)`, `@appointment = Appointment.find(...)`, a block variable of
// `Appointment.where(...).each`, an association of the enclosing model, or self in a model.
import { namespaceOf, type ModelIndex, type ModelInfo } from '../models/modelIndex';
import { readCall } from '../parsing/ruby';
import type { Node } from '../parsing/treeSitter';
import { associationOf, associationTarget } from './effects';
import { LOOP_METHODS } from './facts';
import type { ChainEvent } from './chain';

export const RUNS_CALLBACKS: Record<string, ChainEvent> = {
  'save': 'update', 'save!': 'update', 'create': 'create', 'create!': 'create', 'update': 'update', 'update!': 'update',
  'destroy': 'destroy', 'destroy!': 'destroy', 'destroy_all': 'destroy', 'destroy_by': 'destroy', 'touch': 'touch',
  'update_attribute': 'update', 'update_attribute!': 'update', 'toggle!': 'update', 'find_or_create_by': 'create', 'find_or_create_by!': 'create',
  'create_or_find_by': 'create', 'create_or_find_by!': 'create', 'first_or_create': 'create', 'first_or_create!': 'create',
};

/** Methods that write without callbacks; `true` when the name alone is distinctive enough to answer without a known model. */
export const SKIPS_CALLBACKS: Record<string, boolean> = {
  'update_column': true, 'update_columns': true, 'update_all': true, 'insert_all': true, 'insert_all!': true, 'upsert_all': true,
  'delete_all': true, 'delete_by': true, 'update_counters': true, 'increment_counter': true, 'decrement_counter': true, 'touch_all': true,
  'insert': false, 'insert!': false, 'upsert': false, 'delete': false, 'increment!': false, 'decrement!': false,
};

const QUERY = new Set([
  'new', 'build', 'find', 'find_by', 'find_by!', 'first', 'first!', 'last', 'last!', 'take', 'take!', 'sole', 'find_sole_by', 'where', 'not',
  'order', 'reorder', 'limit', 'offset', 'joins', 'left_joins', 'includes', 'preload', 'eager_load', 'references', 'select', 'distinct', 'lock',
  'all', 'unscoped', 'readonly', 'find_or_initialize_by', 'create', 'create!', 'find_or_create_by', 'find_or_create_by!', 'rewhere', 'merge',
  'with', 'in_order_of', 'reload', 'includes',
]);

export interface Inferred { model: ModelInfo; fromNew: boolean; fromFind: boolean }

function enclosing(node: Node, types: string[]): Node | null {
  let n: Node | null = node.parent;
  while (n && !types.includes(n.type)) n = n.parent;
  return n;
}

function enclosingClassModel(index: ModelIndex, node: Node, file: string): ModelInfo | undefined {
  const klass = enclosing(node, ['class']);
  if (!klass) return undefined;
  const name = klass.childForFieldName('name');
  if (!name) return undefined;
  return index.definedIn(file).find((m) => m.kind === 'class' && m.location.line === name.startPosition.row && m.location.character === name.startPosition.column);
}

function namespaceAt(index: ModelIndex, node: Node, file: string): string {
  const m = enclosingClassModel(index, node, file);
  return m ? namespaceOf(m.name) : '';
}

/** Infers the model of an expression (a record, relation or class of it). */
export function inferExpression(index: ModelIndex, expr: Node | null, file: string, depth = 0): Inferred | undefined {
  if (!expr || depth > 8) return undefined;
  switch (expr.type) {
    case 'constant': case 'scope_resolution': {
      const m = index.resolve(expr.text, namespaceAt(index, expr, file));
      return m && m.kind === 'class' && index.isModel(m) ? { model: m, fromNew: false, fromFind: false } : undefined;
    }
    case 'self': {
      const m = enclosingClassModel(index, expr, file);
      return m && index.isModel(m) ? { model: m, fromNew: false, fromFind: false } : undefined;
    }
    case 'parenthesized_statements': return inferExpression(index, expr.namedChildren[expr.namedChildren.length - 1] ?? null, file, depth + 1);
    case 'identifier': case 'instance_variable': return inferVariable(index, expr, file, depth + 1);
    case 'call': {
      const call = readCall(expr);
      if (!call) return undefined;
      if (!call.receiver) {
        // A bare association reader in a model: `clinic`.
        const self = enclosingClassModel(index, expr, file);
        if (!self) return undefined;
        return viaAssociation(index, self, call.name);
      }
      const base = inferExpression(index, call.receiver, file, depth + 1);
      if (!base) return undefined;
      if (QUERY.has(call.name) || base.model.scopes.has(call.name)) {
        return { model: base.model, fromNew: call.name === 'new' || call.name === 'build' || base.fromNew, fromFind: /^(find|first|last|take|sole)/.test(call.name) || base.fromFind };
      }
      return viaAssociation(index, base.model, call.name);
    }
    default: return undefined;
  }
}

function viaAssociation(index: ModelIndex, model: ModelInfo, name: string): Inferred | undefined {
  const a = associationOf(index, model, name);
  if (!a) return undefined;
  const target = associationTarget(index, a.owner, a.association);
  return target ? { model: target, fromNew: false, fromFind: true } : undefined;
}

function inferVariable(index: ModelIndex, variable: Node, file: string, depth: number): Inferred | undefined {
  const name = variable.text;
  if (variable.type === 'identifier') {
    // A block parameter of an iteration: `Appointment.where(...).each do |appointment|`.
    for (let n: Node | null = variable.parent; n; n = n.parent) {
      if (n.type === 'block' || n.type === 'do_block') {
        const params = n.childForFieldName('parameters') ?? n.namedChildren.find((c) => c?.type === 'block_parameters');
        const first = params?.namedChildren.find((c) => c?.type === 'identifier');
        if (first?.text === name) {
          const owner = n.parent && n.parent.type === 'call' ? readCall(n.parent) : null;
          if (owner && LOOP_METHODS.has(owner.name) && owner.receiver) {
            const collection = inferExpression(index, owner.receiver, file, depth + 1);
            return collection ? { model: collection.model, fromNew: false, fromFind: true } : undefined;
          }
          return undefined;
        }
      }
      if (n.type === 'method') break;
    }
  }
  // The nearest assignment before the use, in the method (locals) or anywhere in the file (instance variables).
  const scope = variable.type === 'identifier' ? enclosing(variable, ['method', 'singleton_method']) ?? rootOf(variable) : rootOf(variable);
  let best: Node | undefined;
  const visit = (n: Node): void => {
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      if (left && left.text === name && left.type === variable.type) {
        if (!best || (n.startIndex < variable.startIndex && (best.startIndex > variable.startIndex || n.startIndex > best.startIndex))) best = n;
      }
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  visit(scope);
  if (!best) {
    if (variable.type === 'identifier') {
      const self = enclosingClassModel(index, variable, file);
      if (self) return viaAssociation(index, self, name);
    }
    return undefined;
  }
  return inferExpression(index, best.childForFieldName('right'), file, depth + 1);
}

function rootOf(node: Node): Node {
  let n = node;
  while (n.parent) n = n.parent;
  return n;
}

/** The model a call site's receiver works on (self in a model when there is no receiver). */
export function inferReceiver(index: ModelIndex, call: Node, file: string): Inferred | undefined {
  const info = readCall(call);
  if (!info) return undefined;
  if (!info.receiver) {
    const self = enclosingClassModel(index, call, file);
    return self && index.isModel(self) ? { model: self, fromNew: false, fromFind: false } : undefined;
  }
  return inferExpression(index, info.receiver, file);
}

export { enclosingClassModel };
