// What an ActiveModel::Serializer class reads of the record it serializes, from its syntax: declarations
// (`has_many :comments`), attributes naming an association, `object.<name>` in methods and blocks, the serializer a
// declaration nests (`has_one :address, serializer: AddressSerializer`) and the class it inherits from. Pure syntax:
// the pairing with the code that applies a serializer per element lives in serializers.ts.
import type { Node } from '../parsing/treeSitter';
import type { Range } from '../core/types';
import { bodyStatements, constantText, literalName, nodeRange, readCall } from '../parsing/ruby';

export type SerializerMacro = 'has_many' | 'has_one' | 'belongs_to' | 'attribute' | 'method';

/** One place a serializer reads `object.<name>` per element (the name is an association when the model says so). */
export interface SerializerRead {
  /** What is read of the serialized record: `comments`. */
  name: string;
  /** How the serializer reads it: a declaration (`has_many`), an attribute name, or a method/block body. */
  macro: SerializerMacro;
  /** The method or attribute the read is in (`parent_name`), for messages. */
  in?: string;
  /** The method called on what is read (`object.comments.count` → `count`). */
  next?: string;
  /** `has_one :x, if: :moved?`: read only for the elements the condition lets through. */
  condition?: string;
  /** That method has arguments (`object.line_items.sum(:quantity)`: SQL, not the loaded records). */
  nextArgs?: boolean;
  /** A declaration's `serializer:` / `each_serializer:` as written: the serializer applied to what it reads. */
  nested?: string;
  range: Range;
}

export interface SerializerClass {
  /** Full class name: `Api::PostSerializer`. */
  name: string;
  /** The file that defines it (reads' ranges are in it). */
  file: string;
  reads: SerializerRead[];
  /** `cached` (0.8) / `cache key: …` (0.10): the reads run only when the element's cache entry is missing. */
  cached?: boolean;
  /** The superclass as written, when it is another app serializer (`< Api::Admin::CustomerSerializer`). */
  superclass?: string;
  /** Methods the class defines (a subclass's method replaces its parent's reads in that method). */
  methods: string[];
}

const AMS_BASE = /^(::)?ActiveModel::Serializer$/;
const DECLARATIONS = new Set(['has_many', 'has_one', 'belongs_to']);

/**
 * The ActiveModel::Serializer classes a file defines: inheriting `ActiveModel::Serializer`, or (in app/serializers)
 * another `…Serializer` (an app base such as ApplicationSerializer). Classes that include another library's module
 * (`JSONAPI::Serializer`, `FastJsonapi::ObjectSerializer`) are not AMS.
 */
export function extractSerializers(root: Node, file: string): SerializerClass[] {
  const inSerializers = /(^|[\\/])app[\\/]serializers[\\/]/.test(file);
  const out: SerializerClass[] = [];
  const visit = (node: Node, namespace: string[], depth: number): void => {
    if (depth > 20) return;
    for (const stmt of bodyStatements(node)) {
      if (stmt.type !== 'module' && stmt.type !== 'class') continue;
      const name = constantText(stmt.childForFieldName('name')) ?? '';
      const body = stmt.childForFieldName('body');
      if (!body) continue;
      if (stmt.type === 'class') {
        const superclass = constantText(stmt.childForFieldName('superclass')?.namedChildren[0] ?? null) ?? '';
        const ams = AMS_BASE.test(superclass) || (inSerializers && /Serializer$/.test(superclass));
        if (ams && !/\binclude\s+(::)?(JSONAPI::Serializer|FastJsonapi)/.test(body.text)) {
          const cached = bodyStatements(body).some((c) => (c.type === 'identifier' || c.type === 'call') && /^(cached|cache)$/.test(readCall(c)?.name ?? '') && !readCall(c)?.receiver);
          const methods = bodyStatements(body).filter((s) => s.type === 'method').map((s) => s.childForFieldName('name')?.text ?? '').filter(Boolean);
          out.push({
            name: [...namespace, name].join('::'), file, reads: readsOf(body), cached, methods,
            ...(AMS_BASE.test(superclass) ? {} : { superclass }),
          });
        }
      }
      visit(body, [...namespace, name], depth + 1);
    }
  };
  visit(root, [], 0);
  return out;
}

function readsOf(body: Node): SerializerRead[] {
  const statements = bodyStatements(body);
  const methods = new Map<string, Node>();
  for (const s of statements) if (s.type === 'method') { const n = s.childForFieldName('name')?.text; if (n) methods.set(n, s); }
  const reads: SerializerRead[] = [];
  /** Attribute names whose value comes from a method of the serializer (read its body), with the attribute's condition. */
  const fromMethod = new Map<string, string | undefined>();
  const named = (name: string, macro: SerializerMacro, at: Node, condition?: string, nested?: string): void => {
    if (methods.has(name)) fromMethod.set(name, fromMethod.has(name) ? fromMethod.get(name) && condition : condition);
    else reads.push({ name, macro, range: nodeRange(at), condition, ...(nested ? { nested } : {}) });
  };
  const conditionOf = (call: NonNullable<ReturnType<typeof readCall>>): string | undefined => {
    const c = call.keywords.get('if') ?? call.keywords.get('unless');
    return c ? `${call.keywords.has('if') ? 'if' : 'unless'}: ${c.text}` : undefined;
  };
  for (const s of statements) {
    const call = s.type === 'call' || s.type === 'identifier' ? readCall(s) : null;
    if (!call || call.receiver) continue;
    if (DECLARATIONS.has(call.name)) {
      // `has_many :comments do … end` (0.10) computes the value in the block: read it as a method body.
      if (call.block) { objectReads(call.block, literalName(call.args[0]) ?? call.name, reads); continue; }
      const nested = constantText(call.keywords.get('serializer') ?? call.keywords.get('each_serializer') ?? null) ?? undefined;
      for (const a of call.args) { const n = literalName(a); if (n && a.type !== 'hash') named(n, call.name as SerializerMacro, a, conditionOf(call), nested); }
    } else if (call.name === 'attributes') {
      for (const a of call.args) { const n = literalName(a); if (n && a.type !== 'hash') named(n, 'attribute', a); }
    } else if (call.name === 'attribute') {
      const n = literalName(call.args[0]);
      if (call.block) objectReads(call.block, n ?? 'attribute', reads);
      else if (n) named(n, 'attribute', call.args[0], conditionOf(call));
    }
  }
  for (const [name, condition] of fromMethod) {
    const from = reads.length;
    objectReads(methods.get(name)!, name, reads);
    // `attribute :read, if: :signed_in?` calls `read` only for the elements the condition lets through.
    if (condition) for (const r of reads.slice(from)) r.condition = condition;
  }
  reads.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return reads;
}

/** `object.<name>` reads in a method body or block: what the serializer reads of the element. */
function objectReads(node: Node, inName: string, reads: SerializerRead[]): void {
  const stack: Node[] = [node];
  for (let guard = 0; stack.length > 0 && guard < 5000; guard++) {
    const n = stack.pop()!;
    if (n.type === 'call') {
      const receiver = n.childForFieldName('receiver');
      const method = n.childForFieldName('method');
      if (receiver?.type === 'identifier' && receiver.text === 'object' && method) {
        const parent = n.parent;
        const outer = parent?.type === 'call' && parent.childForFieldName('receiver')?.id === n.id ? parent : undefined;
        const nextArgs = !!outer?.childForFieldName('arguments')?.namedChildren.some((a) => a && a.type !== 'block_argument');
        reads.push({ name: method.text, macro: 'method', in: inName, next: outer?.childForFieldName('method')?.text, nextArgs, range: { start: nodeRange(receiver).start, end: nodeRange(method).end } });
      }
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
}
