import { defineRule } from '../../core/rule';
import type { Fix, Severity } from '../../core/types';
import type { Node } from '../../parsing/treeSitter';
import { nodeRange, readCall } from '../../parsing/ruby';
import { loopCardinality, queryModel, type LinkSite, type QueryModel } from '../../queries/analysis';
import { cardinalityOf, whyClause, type Cardinality } from '../../queries/cardinality';
import { BATCH_LOOPS, LOOP_METHODS, type Value } from '../../queries/values';
import { appClassesOf } from '../../callbacks/appClasses';
import { bulkApiFor, bulkStatement, readEnqueue, type BulkApi, type Enqueue } from '../../jobs/bulkEnqueue';

/** A bounded loop this long is still worth one round trip instead of n. */
const LARGE_BOUND = 1000;
const SCOPE_BOUNDARIES = new Set(['method', 'singleton_method', 'class', 'module', 'program', 'lambda']);
/** Parents under which a statement's value is not used. */
const STATEMENT_PARENTS = new Set(['body_statement', 'block_body', 'program', 'then', 'else', 'begin', 'do']);

interface Loop { call: Node; block: Node; method: string; /** A block between the loop and the enqueue that sets per-row context (`I18n.with_locale(user.locale) { … }`). */ context?: string }

/** Blocks that set context the enqueued job captures (locale, time zone, tenant, `Current` attributes). */
const CONTEXT_BLOCKS = /^(with_\w+|use_zone|switch!?|set|as_current)$/;

export default defineRule({
  meta: {
    id: 'jobs/enqueue-in-loop',
    description: 'One job (or mail) enqueued per record inside a loop where a bulk API exists: n round trips to the queue instead of one.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    fileKinds: ['job', 'model', 'controller', 'ruby'],
  },
  create(ctx) {
    const enqueues: { node: Node; enqueue: Enqueue; loop: Loop }[] = [];
    return {
      call(node) {
        const enqueue = readEnqueue(node);
        if (!enqueue) return;
        const loop = enclosingLoop(node);
        // Built per row under a locale or tenant: one bulk call outside that block would lose it.
        if (loop && !loop.context) enqueues.push({ node, enqueue, loop });
      },
      end() {
        if (enqueues.length === 0) return;
        const model = queryModel(ctx);
        if (model.impact.impact === 'test') return;
        const classes = appClassesOf(ctx.app);
        for (const { node, enqueue, loop } of enqueues) {
          // Per batch (`each_slice(100) { |batch| Job.perform_later(batch.map(&:id)) }`): already bulk.
          if (BATCH_LOOPS.has(loop.method)) continue;
          const api = bulkApiFor(enqueue, ctx.app, classes);
          if (!api) continue;
          const variables = blockParams(loop.block);
          // A delay that depends on the row (`wait: i * 10.seconds`) spreads the load on purpose.
          if (enqueue.options.some((o) => captures(o, variables))) continue;
          const methodNode = node.childForFieldName('method')!;
          const site = model.links.find((s) => s.link.name === enqueue.method && sameStart(s.link.nameRange.start, nodeRange(methodNode).start));
          if (!site?.loop) continue;
          const size = loopSize(model, loop, site);
          if (!size) continue;
          const severity = severityOf(model.impact.impact, size.card, size.typed);
          if (!severity) continue;
          const label = enqueue.kind === 'mail' ? `${enqueue.owner}…${enqueue.method}` : `${enqueue.owner}.${enqueue.method}`;
          const replacement = bulkReplacement(enqueue, api, loop);
          const fix = replacement ? bulkFix(ctx.file, enqueue, api, loop, node, replacement) : undefined;
          const callbacks = enqueue.kind === 'sidekiq' ? '' : ' (it does not run enqueue callbacks)';
          ctx.report({
            range: nodeRange(node),
            severity,
            message: `\`${label}\` runs once per row of the \`${loop.method}\` loop: one queue round trip per ${size.noun} (${whyClause(site.impact, size.card)}). `
              + `${api.evidence} has \`${api.call}\`, which enqueues them in one call${callbacks}. `
              + 'Each enqueue is a network round trip to the queue plus serialization, so a large loop holds the request or job for seconds, and a crash halfway leaves half the jobs enqueued. '
              + (replacement ? `Enqueue in bulk: \`${replacement}\`.` : `Collect the jobs and enqueue them with \`${api.call}\`.`),
            fixes: fix ? [fix] : [],
          });
        }
      },
    };
  },
});

/** The innermost loop block around `node` in its method, when the call is inside the block (not its receiver or arguments). */
function enclosingLoop(node: Node): Loop | undefined {
  let child: Node = node;
  let context: string | undefined;
  for (let n = node.parent; n && !SCOPE_BOUNDARIES.has(n.type); child = n, n = n.parent) {
    if ((n.type !== 'block' && n.type !== 'do_block') || child.type === 'block_parameters') continue;
    const call = n.parent;
    const method = call?.type === 'call' ? call.childForFieldName('method')?.text : undefined;
    if (call && method && LOOP_METHODS.has(method) && call.childForFieldName('receiver') && call.childForFieldName('block')?.id === n.id) return { call, block: n, method, context };
    if (method && CONTEXT_BLOCKS.test(method)) context ??= method;
  }
  return undefined;
}

function blockParams(block: Node): string[] {
  const params = block.childForFieldName('parameters') ?? block.namedChildren.find((c) => c?.type === 'block_parameters') ?? null;
  const names: string[] = [];
  const collect = (n: Node): void => { if (n.type === 'identifier') names.push(n.text); else for (const c of n.namedChildren) if (c) collect(c); };
  if (params) collect(params);
  return names;
}

/** Whether `node` reads one of `names` (a local, not a method name after a dot). */
function captures(node: Node, names: string[]): boolean {
  if (node.type === 'identifier' && names.includes(node.text) && !isMethodName(node)) return true;
  return node.namedChildren.some((c) => !!c && captures(c, names));
}

function isMethodName(node: Node): boolean {
  return node.parent?.type === 'call' && node.parent.childForFieldName('method')?.id === node.id;
}

const sameStart = (a: { line: number; character: number }, b: { line: number; character: number }): boolean => a.line === b.line && a.character === b.character;

/**
 * How many times the enqueue runs: the largest of its enclosing loops (queries/analysis), and whether the
 * innermost loop's collection has a known model (a relation, an association, `X.where(…).pluck(:id)`).
 */
function loopSize(model: QueryModel, loop: Loop, site: LinkSite): { card: Cardinality; typed: boolean; noun: string } | undefined {
  const loopStart = nodeRange(loop.call.childForFieldName('method')!).start;
  const loopSite = model.links.find((s) => s.link.hasBlock && sameStart(s.link.nameRange.start, loopStart));
  let collection: Value | undefined = loopSite?.receiver;
  let card = loopCardinality(site.loop!);
  if (loopSite && (!collection?.model) && loopSite.index > 0) {
    // `Post.where(…).pluck(:id).each`: the ids of the relation before `pluck`/`ids`.
    const before = model.links.find((s) => s.chain === loopSite.chain && s.index === loopSite.index - 1 && ['pluck', 'ids'].includes(s.link.name));
    if (before?.receiver.model) {
      collection = before.receiver;
      const own = cardinalityOf(before.receiver, model.sizes);
      if (own.kind === 'unbounded' || card.kind === 'unknown') card = own;
    }
  }
  // Unknown because of who owns the rows or an id list; a table the code says stays small (lookup values) is not a finding.
  const typed = !!collection?.model && !!(collection.association || collection.ownerScoped || collection.unsure);
  return { card, typed, noun: collection?.model ? collection.model.name : 'element' };
}

/**
 * Warning: an unbounded loop on a request or in a job; hint: unknown size (one owner's rows, an id list), a
 * large bound, or offline code; silent: small bounds, literal lists, loops over values of unknown type.
 */
function severityOf(impact: string, card: Cardinality, typed: boolean): Severity | undefined {
  if (impact === 'test') return undefined;
  if (card.kind === 'unbounded') return impact === 'offline' ? 'hint' : 'warning';
  if (card.kind === 'unknown') return typed && impact !== 'offline' ? 'hint' : undefined;
  const n = /\(\s*(\d[\d_]*)\s*\)/.exec(card.why)?.[1];
  return n && Number(n.replace(/_/g, '')) >= LARGE_BOUND && impact !== 'offline' ? 'hint' : undefined;
}

/**
 * The bulk statement that does the loop's enqueues (`ActiveJob.perform_all_later(users.map { |u| WelcomeJob.new(u) })`;
 * `find_each` becomes `find_in_batches` with one bulk call per batch), for `each`/`find_each` with one block parameter.
 */
function bulkReplacement(enqueue: Enqueue, api: BulkApi, loop: Loop): string | undefined {
  if (loop.method !== 'each' && loop.method !== 'find_each') return undefined;
  const params = loop.block.childForFieldName('parameters') ?? loop.block.namedChildren.find((c) => c?.type === 'block_parameters');
  const variable = params?.namedChildren.length === 1 && params.namedChildren[0]?.type === 'identifier' ? params.namedChildren[0].text : undefined;
  if (!variable) return undefined;
  const receiver = loop.call.childForFieldName('receiver')!;
  const argsText = enqueue.args.map((a) => a.text).join(', ');
  const messageText = enqueue.message?.text ?? '';
  if (loop.method === 'each') return bulkStatement(enqueue, api, receiver.text, variable, argsText, messageText);
  const batch = variable === 'batch' || argsText.includes('batch') ? 'records' : 'batch';
  const options = readCall(loop.call)?.argumentList?.text ?? '';
  return `${receiver.text}.find_in_batches${options} { |${batch}| ${bulkStatement(enqueue, api, batch, variable, argsText, messageText)} }`;
}

/**
 * The replacement as a fix, only when it is exactly the loop's work: the enqueue is the loop's only statement,
 * its arguments read nothing but the block parameter (and constants), no per-job options, the loop's value unused.
 */
function bulkFix(file: string, enqueue: Enqueue, api: BulkApi, loop: Loop, node: Node, replacement: string): Fix | undefined {
  if (enqueue.options.length > 0 || !STATEMENT_PARENTS.has(loop.call.parent?.type ?? '')) return undefined;
  const variable = blockParams(loop.block)[0];
  const body = loop.block.childForFieldName('body') ?? loop.block.namedChildren.find((c) => c?.type === 'body_statement' || c?.type === 'block_body');
  const statements = body?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];
  if (statements.length !== 1 || statements[0].id !== node.id) return undefined;
  const captured = enqueue.kind === 'mail' ? [enqueue.message!] : enqueue.args;
  if (!captured.every((a) => onlyReads(a, variable))) return undefined;
  const what = enqueue.kind === 'sidekiq' ? 'one push per batch of 1000; a failure while pushing enqueues none of the batch'
    : 'enqueue callbacks (before/after/around_enqueue) do not run, and the call returns the number enqueued instead of the jobs';
  return {
    title: `Enqueue in bulk with \`${api.call}\`${enqueue.kind === 'sidekiq' ? '' : ' (skips enqueue callbacks)'}`,
    safety: 'unsafe',
    changes: what,
    edits: [{ file, range: nodeRange(loop.call), newText: replacement }],
  };
}

/** The expression reads no local but `variable`, no instance variable, self or bare method of self. */
function onlyReads(node: Node, variable: string): boolean {
  if (['instance_variable', 'class_variable', 'global_variable', 'self', 'block_argument', 'splat_argument', 'hash_splat_argument'].includes(node.type)) return false;
  if (node.type === 'identifier' && !isMethodName(node)) return node.text === variable;
  if (node.type === 'call' && !node.childForFieldName('receiver')) return false;
  // `with(user:)` reads the local `user`.
  if (node.type === 'pair' && !node.childForFieldName('value')) return node.childForFieldName('key')?.text === variable;
  if (node.type === 'block' || node.type === 'do_block') return false;
  return node.namedChildren.every((c) => !c || onlyReads(c, variable));
}
