import { defineRule } from '../../core/rule';
import type { Range, Severity } from '../../core/types';
import type { Node } from '../../parsing/treeSitter';
import { nodeRange, readCall } from '../../parsing/ruby';
import { templateLanguage } from '../../parsing/templates';
import { queryModel, type QueryModel } from '../../queries/analysis';
import { hasScope, type Value } from '../../queries/values';
import { scopeShape } from '../../queries/scopes';
import { singleValueColumns } from '../../queries/conditions';
import type { ModelIndex } from '../../models/modelIndex';
import type { Schema } from '../../project/schema';
import { chainText, originsOf, where } from '../../queries/fixes';
import { cardinalityOf, whyClause, type Cardinality } from '../../queries/cardinality';
import { paginatedAssignment, paginatorEvidence, paginatorOf } from '../../queries/pagination';

/** Calls that turn what they wrap into JSON/XML/a Hash: `@posts.as_json`, `PostSerializer.new(@posts).serializable_hash`. */
const SERIALIZES = new Set(['as_json', 'to_json', 'to_xml', 'serializable_hash', 'serialize', 'to_h', 'to_hash', 'render', 'render_as_json', 'render_as_hash', 'to_a']);
/** Serializer classes (AMS, jsonapi-serializer, Blueprinter, Alba, Panko, representers) wrap their first argument. */
const SERIALIZER_CLASS = /(Serializer|Blueprint|Blueprinter|Resource|Representer)$/;

interface Target { node: Node; how: string }

export default defineRule({
  meta: {
    id: 'queries/unbounded-serialization',
    description: 'A relation with no limit or pagination serialized as JSON/XML (`render json:`, `respond_with`, a serializer, `json.array!`): the response grows with the table.',
    defaultSeverity: 'warning',
    fix: 'none',
    fileKinds: ['controller', 'view'],
  },
  create(ctx) {
    const targets: Target[] = [];
    const jbuilder = ctx.kind === 'view' && templateLanguage(ctx.file) === 'jbuilder';
    const respondsWithData = ctx.kind === 'controller' && /^\s*respond_to\b[^\n]*:(json|xml)\b/m.test(ctx.text);
    return {
      call(node) {
        const call = readCall(node);
        if (!call) return;
        if (ctx.kind === 'controller' && !call.receiver) {
          if (call.name === 'render') {
            for (const format of ['json', 'xml']) {
              const arg = call.keywords.get(format);
              if (arg) targets.push(...serialized(arg).map((n) => ({ node: n, how: `render ${format}:` })));
            }
          } else if (call.name === 'respond_with' && respondsWithData && call.args[0]) {
            targets.push(...serialized(call.args[0]).map((n) => ({ node: n, how: 'respond_with' })));
          }
          return;
        }
        if (!jbuilder || call.receiver?.text !== 'json') return;
        // `json.array! @posts`, `json.partial! "post", collection: @posts`, `json.posts @posts do |post|`.
        const collection = call.keywords.get('collection');
        if (call.name === 'partial!') { if (collection) targets.push({ node: collection, how: 'json.partial! collection:' }); return; }
        const first = call.args[0];
        if (!first || first.type === 'hash' || /^(set!|child!|extract!|merge!|key_format!|ignore_nil!|cache!|cache_if!|nil!|null!)$/.test(call.name)) return;
        targets.push({ node: first, how: call.name === 'array!' ? 'json.array!' : `json.${call.name}` });
      },
      end() {
        if (targets.length === 0) return;
        const model = queryModel(ctx);
        const seen = new Set<number>();
        const paginator = paginatorOf(ctx.app);
        for (const { node, how } of targets) {
          if (seen.has(node.id)) continue;
          seen.add(node.id);
          const value = valueAt(model, node);
          if (!value || !value.model || value.perRow || !['relation', 'collection', 'array'].includes(value.kind)) continue;
          if (value.kind === 'array' && !value.origin) continue;
          if (model.models && oneRowLookup(value, model.models, ctx.app.schema)) continue;
          const card = cardinalityOf(value, model.sizes);
          const severity = severityOf(model, value, card);
          if (!severity) continue;
          const flat = node.text.replace(/\s*\n\s*/g, ' ');
          const text = flat.length > 60 ? flat.slice(0, 57) + '…' : flat;
          const origin = originsOf(value)[0];
          const built = (origin && origin.count > 0 ? chainText(origin.chain, origin.count) : text).replace(/\s*\n\s*/g, ' ');
          const place = origin && origin.chain.file !== ctx.file ? ` (built in ${where(ctx.app.root, origin)})` : '';
          const target = node.type === 'instance_variable' || node.type === 'identifier' ? node.text : 'records';
          const safe = origin ? paginatedAssignment(target, built, !!value.ordered, paginator) : undefined;
          const inline = target === 'records' ? ` and \`${how} records\`` : '';
          ctx.report({
            range: nodeRange(node),
            severity,
            message: `\`${how} ${text}\` serializes every ${value.model.name} it selects, with no limit or pagination. `
              + (origin || !value.returnedBy ? `\`${text}\` is \`${built}\`${place}` : `\`${text}\` is what \`${value.returnedBy}\` returns`)
              + ` (${whyClause(model.impact, card)}): the whole JSON/XML document is built in memory in one request, `
              + 'so the response time and memory grow with the table until it times out. '
              + (safe ? `Paginate where it is built (${paginatorEvidence(ctx.app, paginator)}): \`${safe}\`${inline}.` : `Paginate it (${paginatorEvidence(ctx.app, paginator)}).`),
          });
        }
      },
    };
  },
});

/** The collections a serialized expression shows: `@posts` in `PostSerializer.new(@posts).serializable_hash`, each value of `{ posts: @posts }`. */
function serialized(node: Node, depth = 0): Node[] {
  if (depth > 4) return [];
  if (node.type === 'hash') {
    return node.namedChildren.filter((p): p is Node => p?.type === 'pair').flatMap((p) => { const v = p.childForFieldName('value'); return v ? serialized(v, depth + 1) : []; });
  }
  if (node.type === 'parenthesized_statements' && node.namedChildCount === 1) return serialized(node.namedChildren[0]!, depth + 1);
  if (node.type !== 'call') return ['instance_variable', 'identifier'].includes(node.type) ? [node] : [];
  const call = readCall(node);
  if (!call) return [];
  const receiver = call.receiver;
  const constantReceiver = !!receiver && (receiver.type === 'constant' || receiver.type === 'scope_resolution');
  if (SERIALIZES.has(call.name) && receiver) {
    // `PostBlueprint.render(@posts)` wraps its argument; `@posts.as_json` its receiver.
    if (constantReceiver) return call.name === 'render' || /^render_as_/.test(call.name) ? (call.args[0] ? serialized(call.args[0], depth + 1) : []) : [];
    return serialized(receiver, depth + 1);
  }
  if (call.name === 'new' && constantReceiver && SERIALIZER_CLASS.test(receiver!.text) && call.args[0]) return serialized(call.args[0], depth + 1);
  return [node];
}

/** The value the query pass gave `node`: a chain or variable it recorded, else the receiver of the chain rooted there. */
function valueAt(model: QueryModel, node: Node): Value | undefined {
  const recorded = model.values.get(node.id);
  if (recorded) return recorded;
  const range = nodeRange(node);
  const same = (a: Range, b: Range): boolean => a.start.line === b.start.line && a.start.character === b.start.character
    && a.end.line === b.end.line && a.end.character === b.end.character;
  const rooted = model.links.find((s) => s.index === 0 && same(s.chain.rootRange, range));
  if (rooted) return rooted.receiver;
  const ending = model.links.find((s) => s.link.end.line === range.end.line && s.link.end.character === range.end.character
    && s.chain.rootRange.start.line === range.start.line && s.chain.rootRange.start.character === range.start.character);
  return ending?.result;
}

/**
 * Warning: every row of a table that grows (accounts, owned rows) on a request; hint: rows of one owner or an
 * id list (size unknown), or a back-office page; silent: bounded, or a table the code says stays small (lookup values, tenants, roles).
 */
function severityOf(model: QueryModel, value: Value, card: Cardinality): Severity | undefined {
  const impact = model.impact.impact;
  if (impact === 'test' || card.kind === 'bounded') return undefined;
  if (card.kind === 'unbounded') {
    // A back-office page (admin namespace, staff before_action) serves a few staff, unless it lists every account.
    if (impact === 'offline' || (model.impact.staff && !card.accounts)) return 'hint';
    return 'warning';
  }
  return value.association || value.ownerScoped || value.unsure ? 'hint' : undefined;
}

/** Every relation `value` stands for compares a uniquely indexed column with one value (`where(email_hash: h)`): one row at most. */
function oneRowLookup(value: Value, models: ModelIndex, schema: Schema | undefined): boolean {
  if (!schema) return false;
  return (value.alternatives ?? [value]).every((v) => {
    if (!v.origin || !v.model) return false;
    const table = schema.tables.get(models.tableName(v.model));
    const unique = new Set(table?.indexes.filter((i) => i.unique && i.columns.length === 1 && !i.where).map((i) => i.columns[0]) ?? []);
    if (unique.size === 0) return false;
    return v.origin.chain.links.slice(0, v.origin.count).some((link) => {
      const wheres = link.name === 'where' ? [link.args.text] : hasScope(models, v.model!, link.name) ? scopeShape(models, v.model!, link.name).wheres ?? [] : [];
      return wheres.some((w) => singleValueColumns(w).some((c) => unique.has(c)));
    });
  });
}
