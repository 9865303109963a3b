// Generated follow-up migrations must run on their own (issue 11 item 7): a new class cannot see the
// locals of the original method, the constants of the original class, or methods the original file
// defines, so a follow-up that needs one of them is not offered.
import type { RuleContext } from '../core/rule';
import type { Node } from '../parsing/treeSitter';
import { parseRuby } from '../parsing/treeSitter';

const PARAMETER_PARENTS = new Set([
  'method_parameters', 'parameters', 'block_parameters', 'lambda_parameters', 'optional_parameter', 'keyword_parameter',
  'splat_parameter', 'hash_splat_parameter', 'block_parameter', 'destructured_parameter',
]);

/** The generated file parses and refers to nothing that only the original migration file defines. */
export function isSelfContained(ctx: RuleContext, generated: string): boolean {
  const tree = parseRuby(generated);
  try {
    if (tree.rootNode.hasError) return false;
    const original = originalDefinitions(ctx);
    const defined = new Set<string>();
    const identifiers: Node[] = [];
    const constants: Node[] = [];
    for (const node of tree.rootNode.descendantsOfType(['identifier', 'constant', 'method', 'assignment', 'class'])) {
      if (!node) continue;
      if (node.type === 'assignment') {
        const left = node.childForFieldName('left');
        if (left?.type === 'identifier' || left?.type === 'constant') defined.add(left.text);
      } else if (node.type === 'method') {
        const name = node.childForFieldName('name')?.text;
        if (name) defined.add(name);
      } else if (node.type === 'class') {
        const name = node.childForFieldName('name');
        if (name?.type === 'constant') defined.add(name.text);
      } else if (node.type === 'identifier') identifiers.push(node);
      else constants.push(node);
    }
    for (const id of identifiers) {
      const parent = id.parent;
      if (!parent) continue;
      if (PARAMETER_PARENTS.has(parent.type)) { defined.add(id.text); continue; }
      if (parent.type === 'method' && parent.childForFieldName('name')?.startIndex === id.startIndex) continue;
      if (parent.type === 'assignment' && parent.childForFieldName('left')?.startIndex === id.startIndex) continue;
      const isCallName = parent.type === 'call' && parent.childForFieldName('method')?.startIndex === id.startIndex;
      if (isCallName) {
        // A receiverless call to a method only the original file defines.
        if (!parent.childForFieldName('receiver') && original.methods.has(id.text) && !defined.has(id.text)) return false;
        continue;
      }
      if (defined.has(id.text)) continue;
      // `disable_ddl_transaction!`, `foo?`: method calls; a bare lower-case name is a local of the original method.
      if (/[!?]$/.test(id.text)) continue;
      if (original.methods.has(id.text) || !KNOWN_BARE_CALLS.has(id.text)) return false;
    }
    for (const c of constants) {
      if (c.parent?.type === 'scope_resolution' && c.parent.childForFieldName('name')?.startIndex === c.startIndex) continue;
      if (original.constants.has(c.text) && !defined.has(c.text)) return false;
    }
    return true;
  } finally {
    tree.delete();
  }
}

/** Bare names a migration body may use as calls without arguments. */
const KNOWN_BARE_CALLS = new Set(['up', 'down', 'change', 'reversible', 'transaction_open', 'connection', 'say']);

function originalDefinitions(ctx: RuleContext): { methods: Set<string>; constants: Set<string> } {
  const methods = new Set<string>();
  const constants = new Set<string>();
  if (ctx.tree) {
    for (const node of ctx.tree.rootNode.descendantsOfType(['method', 'singleton_method', 'assignment', 'class', 'module'])) {
      if (!node) continue;
      if (node.type === 'assignment') {
        const left = node.childForFieldName('left');
        if (left?.type === 'constant') constants.add(left.text);
      } else if (node.type === 'method' || node.type === 'singleton_method') {
        const name = node.childForFieldName('name')?.text;
        if (name && !['up', 'down', 'change'].includes(name)) methods.add(name);
      } else {
        // Classes and modules the migration file itself defines (a migration-local model).
        const name = node.childForFieldName('name');
        if (name?.type === 'constant' && node.parent?.type !== 'program') constants.add(name.text);
      }
    }
  }
  return { methods, constants };
}
