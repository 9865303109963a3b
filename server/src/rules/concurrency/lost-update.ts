import * as path from 'node:path';
import { defineRule, type RuleContext } from '../../core/rule';
import type { Fix } from '../../core/types';
import type { ModelIndex, ModelInfo } from '../../models/modelIndex';
import { literalName, readCall } from '../../parsing/ruby';
import type { Node } from '../../parsing/treeSitter';
import { impactOf } from '../../queries/impact';
import { offlinePatterns } from '../../queries/settings';
import { schemaOfDatabase, databaseOf } from '../../concurrency/modelDatabase';

/** Finders that return a persisted record (not `new`/`build`). */
const FINDERS = new Set(['find', 'find_by', 'find_by!', 'first', 'first!', 'last', 'last!', 'take', 'take!', 'sole', 'find_sole_by', 'find_or_create_by', 'find_or_create_by!']);
const SAVES = new Set(['save', 'save!']);
const UPDATES = new Set(['update', 'update!', 'update_attribute', 'update_attribute!', 'update_column', 'update_columns', 'update_attributes', 'update_attributes!']);
const ARITHMETIC = new Set(['+', '-', '*']);
const NUMERIC = new Set(['integer', 'bigint', 'decimal', 'float', 'numeric', 'smallint']);
const LOCKS = new Set(['with_lock', 'lock!']);
const STATEMENT_LISTS = new Set(['body_statement', 'block_body', 'then', 'else', 'begin_block', 'ensure', 'rescue', 'do']);

/** A persisted record the method can name: a local or ivar loaded by a finder, or self in a model method. */
interface Holder {
  text: string;
  model: ModelInfo;
  /** The finder assignment (locals and ivars). */
  loadedBy?: Node;
}

interface Candidate {
  holder: Holder;
  attribute: string;
  node: Node;
  /** The statement holding the read-modify-write, and the later statement that saves (assignments only). */
  statement: Node;
  save?: Node;
}

export default defineRule({
  meta: {
    id: 'concurrency/lost-update',
    description: 'Reading a counter or balance, changing it in Ruby and saving it without a lock loses concurrent updates.',
    defaultSeverity: 'warning',
    fix: 'safe',
    fileKinds: ['model', 'controller', 'job', 'ruby'],
  },
  create(ctx) {
    const rel = path.relative(ctx.app.root, ctx.file).replace(/\\/g, '/');
    const impact = impactOf(rel, ctx.kind, offlinePatterns(ctx.app));
    function check(node: Node): void {
      const models = ctx.app.models;
      if (!models || impact.impact === 'test') return;
      // `self.x *= s; self.y *= s; save!`: one finding per save, on the first change.
      const seen = new Set<number>();
      for (const c of candidates(ctx, models, node)) {
        const key = (c.save ?? c.statement).startIndex;
        if (seen.has(key)) continue;
        if (report(ctx, models, c, impact.impact === 'offline' ? impact.why : undefined)) seen.add(key);
      }
    }
    return {
      method: check,
      singleton_method: check,
    };
  },
});

function chainOf(node: Node | null): { root?: string; methods: Node[] } {
  const methods: Node[] = [];
  let cur = node;
  while (cur?.type === 'call') {
    methods.unshift(cur);
    cur = cur.childForFieldName('receiver');
  }
  return { root: cur?.type === 'constant' || cur?.type === 'scope_resolution' ? cur.text : undefined, methods };
}

function enclosingModel(ctx: RuleContext, models: ModelIndex, method: Node): ModelInfo | undefined {
  if (ctx.kind !== 'model' || method.type !== 'method') return undefined;
  const klass = method.parent?.parent;
  const name = klass?.type === 'class' ? klass.childForFieldName('name') : undefined;
  if (!name) return undefined;
  const model = models.definedIn(ctx.file).find((m) => m.kind === 'class' && m.location.line === name.startPosition.row && m.location.character === name.startPosition.column);
  return model && models.isModel(model) ? model : undefined;
}

function candidates(ctx: RuleContext, models: ModelIndex, method: Node): Candidate[] {
  const holders = new Map<string, Holder>();
  const locked = new Set<string>();
  const self = enclosingModel(ctx, models, method);
  if (self) holders.set('self', { text: 'self', model: self });
  const params = new Set((method.childForFieldName('parameters')?.namedChildren ?? []).map((p) => (p?.childForFieldName('name') ?? p)?.text ?? ''));
  const out: Candidate[] = [];
  const holderOf = (receiver: Node | null): Holder | undefined => {
    const key = receiver === null ? 'self' : receiver.type === 'self' ? 'self' : receiver.type === 'identifier' || receiver.type === 'instance_variable' ? receiver.text : undefined;
    return key && !locked.has(key) ? holders.get(key) : undefined;
  };
  /** `w.balance` / `self.balance` / a bare `balance` reader inside the model. */
  const readsAttribute = (node: Node | null, holder: Holder, attribute: string, depth = 0): boolean => {
    if (!node || depth > 32) return false;
    if (node.type === 'parenthesized_statements') return node.namedChildren.some((c) => readsAttribute(c, holder, attribute, depth + 1));
    if (node.type === 'binary') {
      return readsAttribute(node.childForFieldName('left'), holder, attribute, depth + 1) || readsAttribute(node.childForFieldName('right'), holder, attribute, depth + 1);
    }
    if (node.type === 'identifier') return holder.text === 'self' && node.text === attribute && !params.has(attribute) && !holders.has(attribute);
    const call = readCall(node);
    if (!call || call.name !== attribute || call.args.length || call.block) return false;
    return holder.text === 'self' ? call.receiver?.type === 'self' : call.receiver?.text === holder.text;
  };
  const arithmeticOf = (value: Node | undefined, holder: Holder, attribute: string): boolean =>
    !!value && value.type === 'binary' && ARITHMETIC.has(value.childForFieldName('operator')?.text ?? '') && readsAttribute(value, holder, attribute);

  const visit = (node: Node): boolean => {
    if ((node.type === 'method' || node.type === 'singleton_method') && node.id !== method.id) return false;
    if (node.type === 'class' || node.type === 'module') return false;
    if (node.type === 'call') {
      const call = readCall(node)!;
      const key = call.receiver === null || call.receiver.type === 'self' ? 'self' : call.receiver.text;
      // `w.with_lock do … end`, `w.lock!`, `w.reload(lock: true)`: the record is locked from here on.
      if (LOCKS.has(call.name) || (call.name === 'reload' && call.keywords.has('lock'))) {
        locked.add(key);
        if (call.name === 'with_lock' && call.block) { locked.add('self'); for (const k of holders.keys()) locked.add(k); }
      }
      const holder = holderOf(call.receiver);
      if (holder && UPDATES.has(call.name)) {
        const attribute = call.name.startsWith('update_attribute') || call.name === 'update_column' ? literalName(call.args[0]) : undefined;
        if (attribute && arithmeticOf(call.args[1], holder, attribute)) out.push({ holder, attribute, node, statement: statementOf(node) });
        for (const [k, v] of call.keywords) if (arithmeticOf(v, holder, k)) out.push({ holder, attribute: k, node, statement: statementOf(node) });
      }
    } else if (node.type === 'assignment' || node.type === 'operator_assignment') {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (left && (left.type === 'identifier' || left.type === 'instance_variable')) {
        const chain = chainOf(right);
        const last = chain.methods[chain.methods.length - 1];
        const lastName = last?.childForFieldName('method')?.text;
        const model = chain.root ? models.model(chain.root) : undefined;
        holders.delete(left.text);
        locked.delete(left.text);
        if (model && lastName && FINDERS.has(lastName) && node.type === 'assignment') {
          holders.set(left.text, { text: left.text, model, loadedBy: node });
          const lockedChain = chain.methods.some((m) => m.childForFieldName('method')?.text === 'lock' || readCall(m)?.keywords.has('lock'));
          if (lockedChain) locked.add(left.text);
        }
      } else if (left?.type === 'call') {
        const lc = readCall(left)!;
        const holder = holderOf(lc.receiver?.type === 'self' ? null : lc.receiver);
        const op = node.type === 'operator_assignment' ? (node.childForFieldName('operator')?.text ?? node.children.find((c) => c && /^[-+*]=$/.test(c.type))?.type ?? '') : '';
        const rmw = !!holder && (node.type === 'operator_assignment' ? /^[-+*]=$/.test(op) : arithmeticOf(right ?? undefined, holder, lc.name));
        if (holder && lc.receiver && rmw && !lc.args.length) {
          const statement = statementOf(node);
          const save = laterSave(statement, holder);
          if (save) out.push({ holder, attribute: lc.name, node, statement, save });
        }
      }
    }
    return true;
  };
  // Iterative pre-order walk (source order): deeply nested code must not overflow the stack.
  const body = method.childForFieldName('body');
  const stack: Node[] = body ? [body] : [];
  while (stack.length) {
    const node = stack.pop()!;
    if (!visit(node)) continue;
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) { const child = children[i]; if (child) stack.push(child); }
  }
  return out;
}

/** The statement of a statement list that holds `node`. */
function statementOf(node: Node): Node {
  let cur = node;
  while (cur.parent && !STATEMENT_LISTS.has(cur.parent.type)) cur = cur.parent;
  return cur;
}

/** A later statement of the same list that saves the holder (`w.save!`, `if w.save`, a bare `save` for self). */
function laterSave(statement: Node, holder: Holder): Node | undefined {
  for (let next = statement.nextNamedSibling; next; next = next.nextNamedSibling) {
    const calls = [next, ...next.descendantsOfType('call')].filter((n): n is Node => !!n);
    for (const n of calls) {
      const call = readCall(n);
      if (!call || !SAVES.has(call.name)) continue;
      const receiver = call.receiver;
      if (holder.text === 'self' ? receiver === null || receiver.type === 'self' : receiver?.text === holder.text) return next;
    }
  }
  return undefined;
}

/** Columns whose lost update loses value: money, credits, quotas, stock, remaining uses. */
const STAKES = /(^|_)(balance|balances|amount|amounts|cents|price|prices|cost|total|credit|credits|debit|funds|quota|quotas|stock|inventory|remaining|left|usages|uses|seats|points|tickets|capacity|limit|allowance)(_|$)/;

function report(ctx: RuleContext, models: ModelIndex, c: Candidate, offline: string | undefined): boolean {
  const database = databaseOf(models, c.holder.model);
  const schema = database ? schemaOfDatabase(ctx.app, database) : undefined;
  const table = schema?.tables.get(models.tableName(c.holder.model));
  const column = table?.columns.get(c.attribute);
  // Optimistic locking raises StaleObjectError instead of losing the update; a non-numeric or unknown column is not a counter.
  if (!table || !column || !NUMERIC.has(column.type) || table.columns.has('lock_version')) return false;
  const who = c.holder.text === 'self' ? '' : `${c.holder.text}.`;
  const headline = `\`${who}${c.attribute}\` is read, changed in Ruby and saved without a lock: concurrent updates are lost`;
  const lockTarget = c.holder.text === 'self' ? 'with_lock' : `${c.holder.text}.with_lock`;
  const detail = `${headline}. Two requests that load the same ${c.holder.model.name} both compute from the old \`${c.attribute}\`, `
    + 'and the second save overwrites the first (a lost debit, a counter that skips). '
    + `Wrap the read and the save in \`${lockTarget} do … end\` (SELECT … FOR UPDATE; it reloads the row first), `
    + `or let the database do the arithmetic: \`${who}increment!(:${c.attribute}, n)\` / \`${c.holder.model.name}.update_counters(id, ${c.attribute}: n)\` `
    + '(these skip validations and callbacks). '
    + `Evidence: ${schema?.source ?? 'the schema'} has \`${table.name}.${c.attribute}\` (${column.type}) and no \`lock_version\` column.`
    + (offline ? ` Hint only: ${offline} runs once, by hand.` : '');
  const fix = withLockFix(ctx, c);
  // A lost debit or a quota used twice is an incident; a display counter or a retry count that skips one is not.
  const stakes = STAKES.test(c.attribute) ? undefined : 'hint';
  const why = stakes ? ` Hint: \`${c.attribute}\` does not name money, a quota or stock (\`balance\`, \`amount_cents\`, \`usages_left\`, \`stock\`…), so a skipped update is a wrong count rather than lost value.` : '';
  ctx.report({ node: c.node, headline, detail: detail + why, severity: offline ? 'hint' : stakes, fixes: fix ? [fix] : [] });
  return true;
}

/**
 * `w.with_lock do … end` around the statements from the read to the save, for a local loaded by a finder in the
 * same method with no change to it before (lock! reloads the row, which would drop earlier changes).
 */
function withLockFix(ctx: RuleContext, c: Candidate): Fix | undefined {
  const loadedBy = c.holder.loadedBy;
  if (!loadedBy || c.holder.text.startsWith('@')) return undefined;
  const first = c.statement;
  const last = c.save ?? c.statement;
  if (last.id !== first.id && last.parent?.id !== first.parent?.id) return undefined;
  if (loadedBy.parent?.id !== first.parent?.id || loadedBy.startIndex >= first.startIndex) return undefined;
  // Nothing between the finder and the read may change the record (unsaved changes would be reloaded away).
  for (let n = loadedBy.nextNamedSibling; n && n.id !== first.id; n = n.nextNamedSibling) {
    if (n.text.includes(`${c.holder.text}.`) || n.text.includes(`${c.holder.text} `)) return undefined;
  }
  // A local first assigned inside the block is not visible after it.
  const inside: string[] = [];
  for (let n: Node | null = first; n; n = n.nextNamedSibling) {
    for (const a of [n, ...n.descendantsOfType('assignment')]) {
      const left = a?.type === 'assignment' ? a.childForFieldName('left') : undefined;
      if (left?.type === 'identifier') inside.push(left.text);
    }
    if (n.id === last.id) break;
  }
  for (let n = last.nextNamedSibling; n; n = n.nextNamedSibling) {
    if (inside.some((name) => new RegExp(`(^|[^\\w@.:])${name}\\b`).test(n!.text))) return undefined;
  }
  const lines = ctx.text.split('\n');
  const startLine = first.startPosition.row;
  const endLine = last.endPosition.row;
  // Whole lines only: the statements must start and end their lines.
  if (lines[startLine].slice(0, first.startPosition.column).trim() || lines[endLine].slice(last.endPosition.column).trim()) return undefined;
  const indent = lines[startLine].slice(0, first.startPosition.column);
  const body = lines.slice(startLine, endLine + 1).map((l) => (l.trim() ? `  ${l}` : l));
  const newText = [`${indent}${c.holder.text}.with_lock do`, ...body, `${indent}end`].join('\n');
  return {
    title: `Wrap in \`${c.holder.text}.with_lock\` (row lock; reloads ${c.holder.text} first)`,
    safety: 'safe',
    edits: [{ file: ctx.file, range: { start: { line: startLine, character: 0 }, end: { line: endLine, character: lines[endLine].length } }, newText }],
  };
}
