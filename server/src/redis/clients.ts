// Which receivers are Redis clients, decided from the syntax alone: constructors (`Redis.new`,
// `RedisClient.config(...).new_client`, `Redis::Namespace.new`, Kredis objects), the block parameter of
// `Sidekiq.redis`, a pool's `with` or a client's `multi`/`pipelined`, locals, ivars, constants and globals
// assigned one in this file (globals and constants also in config/initializers, through AppFacts), and
// methods of the same class that return one. Anything else is unknown, and rules stay silent on it.
import type { AppFacts } from '../core/appFacts';
import type { Node, Tree } from '../parsing/treeSitter';
import { literalNames, readCall } from '../parsing/ruby';

/** Which client library answers: it decides which quick fixes have the right syntax. */
export type RedisFlavor = 'redis-rb' | 'redis-client' | 'sidekiq' | 'namespace' | 'distributed' | 'kredis';

export interface RedisClientInfo {
  flavor: RedisFlavor;
  /** How it is known, for messages: "`Redis.new`", "`@redis` (`Redis.new`, line 4)". */
  evidence: string;
  /** Kredis objects: set, list, hash, ordered_set, unique_list… */
  kredis?: string;
}

/** A value the resolver knows: a client, or a pool (ConnectionPool) whose `with` yields one. */
export interface Known { kind: 'client' | 'pool'; info: RedisClientInfo }

/** Globals and constants assigned a Redis client or pool in config/initializers (read by project/redisClients.ts). */
export interface RedisAppClients {
  globals: ReadonlyMap<string, { kind: 'client' | 'pool'; info: RedisClientInfo }>;
  constants: ReadonlyMap<string, { kind: 'client' | 'pool'; info: RedisClientInfo }>;
  /** Methods of the app's modules and classes (by name, then method name) returning a client or pool: `module Redisable; def redis`. */
  moduleMethods?: ReadonlyMap<string, ReadonlyMap<string, { kind: 'client' | 'pool'; info: RedisClientInfo }>>;
}

export const REDIS_APP_CLIENTS_KEY = 'redis/appClients';

/** The app-wide clients, when the project model provides them (absent in hand-built test facts). */
export function appRedisClients(app: AppFacts): RedisAppClients | undefined {
  const provider = app.shared.get(REDIS_APP_CLIENTS_KEY) as { get(): RedisAppClients } | undefined;
  return provider?.get();
}

const KREDIS_TYPES = new Set(['set', 'list', 'unique_list', 'ordered_set', 'hash', 'string', 'integer', 'decimal', 'float', 'boolean',
  'datetime', 'json', 'counter', 'cycle', 'enum', 'flag', 'limiter', 'slot', 'slots', 'proxy']);
const SCOPES = new Set(['method', 'singleton_method', 'class', 'module', 'singleton_class', 'program']);
const CLASS_SCOPES = new Set(['class', 'module', 'singleton_class', 'program']);
const MAX_DEPTH = 8;

export class RedisClients {
  private readonly memo = new Map<number, Known | null>();
  private readonly defs = new Map<number, Map<string, Node[]>>();
  private kredis: Map<string, Known> | undefined;

  constructor(private readonly tree: Tree, private readonly app?: RedisAppClients) {}

  /** The client a call's receiver (or any expression) is, or undefined when not known to be Redis. */
  client(node: Node | null | undefined): RedisClientInfo | undefined {
    const known = node ? this.value(node, 0) : undefined;
    return known?.kind === 'client' ? known.info : undefined;
  }

  /** A client or a pool (for the app-wide facts of config/initializers). */
  known(node: Node): Known | undefined {
    return this.value(node, 0);
  }

  /** Methods defined directly in each module or class of this file (`class << self` included) that return a client or pool. */
  moduleMethods(): [string, string, Known, number][] {
    const out: [string, string, Known, number][] = [];
    for (const mod of this.tree.rootNode.descendantsOfType(['module', 'class'])) {
      const name = mod?.childForFieldName('name')?.text;
      if (!mod || !name) continue;
      const singletons = mod.descendantsOfType('singleton_class').filter((c): c is Node => !!c && enclosing(c, CLASS_SCOPES)?.id === mod.id);
      const methods = [...this.methodsOf(mod), ...singletons.flatMap((c) => [...this.methodsOf(c)])];
      for (const [method, defs] of methods) {
        const returns = defs.flatMap((d) => returnValues(d));
        const known = returns.length ? this.allKnown(returns, 0, `method \`${method}\` of \`${name}\` returns`) : undefined;
        if (known) out.push([name, method, known, defs[0].startPosition.row + 1]);
      }
    }
    return out;
  }

  /** Every call in the file named one of `names` whose receiver is a known client (Kredis objects included). */
  *callsOnClients(names: (name: string) => boolean): Generator<{ call: Node; client: RedisClientInfo }> {
    if (!this.mayMentionRedis()) return;
    for (const call of this.tree.rootNode.descendantsOfType('call')) {
      const method = call?.childForFieldName('method')?.text;
      if (!call || !method || !names(method)) continue;
      const client = this.client(call.childForFieldName('receiver'));
      if (client) yield { call, client };
    }
  }

  /** A file that names no Redis class, Sidekiq, pool, Kredis macro or app-wide client has no known client. */
  private mayMentionRedis(): boolean {
    const text = this.tree.rootNode.text;
    if (/Redis|redis|Sidekiq|ConnectionPool/.test(text)) return true;
    return [...this.app?.globals.keys() ?? [], ...this.app?.constants.keys() ?? []].some((name) => text.includes(name));
  }

  private value(node: Node, depth: number): Known | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const cached = this.memo.get(node.id);
    if (cached !== undefined) return cached ?? undefined;
    this.memo.set(node.id, null); // cycles resolve to unknown
    const known = this.compute(node, depth);
    this.memo.set(node.id, known ?? null);
    return known;
  }

  private compute(node: Node, depth: number): Known | undefined {
    switch (node.type) {
      case 'parenthesized_statements': {
        const inner = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
        return inner.length === 1 ? this.value(inner[0], depth + 1) : undefined;
      }
      case 'call': return this.callValue(node, depth);
      case 'identifier': return this.identifierValue(node, depth);
      case 'instance_variable': return this.ivarValue(node, depth);
      case 'constant': return this.assignedInFile(node, depth) ?? this.appValue('constants', node.text);
      case 'global_variable': return this.assignedInFile(node, depth) ?? this.appValue('globals', node.text);
      default: return undefined;
    }
  }

  private appValue(which: 'globals' | 'constants', name: string): Known | undefined {
    return this.app?.[which].get(name);
  }

  private callValue(node: Node, depth: number): Known | undefined {
    const call = readCall(node);
    if (!call) return undefined;
    const recv = call.receiver;
    const recvText = recv?.text.replace(/^::/, '');
    const name = call.name;
    if (recv && (recv.type === 'constant' || recv.type === 'scope_resolution')) {
      if (recvText === 'Redis' && (name === 'new' || name === 'current')) return client('redis-rb', `\`Redis.${name}\``);
      if (recvText === 'Redis::Namespace' && name === 'new') return client('namespace', '`Redis::Namespace.new`');
      if (recvText === 'Redis::Distributed' && name === 'new') return client('distributed', '`Redis::Distributed.new`');
      if (recvText === 'RedisClient' && name === 'new') return client('redis-client', '`RedisClient.new`');
      if (recvText === 'Kredis' && KREDIS_TYPES.has(name)) return { kind: 'client', info: { flavor: 'kredis', evidence: `\`Kredis.${name}\``, kredis: name } };
      if (recvText === 'Sidekiq' && name === 'redis_pool') return { kind: 'pool', info: { flavor: 'sidekiq', evidence: '`Sidekiq.redis_pool`' } };
      const appMethod = recvText ? this.app?.moduleMethods?.get(recvText)?.get(name) : undefined;
      if (appMethod && !call.block) return appMethod;
      if ((recvText === 'ConnectionPool' || recvText === 'ConnectionPool::Wrapper') && name === 'new' && call.block) {
        const inner = this.blockResult(call.block, depth);
        if (inner?.kind !== 'client') return undefined;
        const info = { ...inner.info, evidence: `a \`${recvText}\` of ${inner.info.evidence}` };
        return { kind: recvText === 'ConnectionPool' ? 'pool' : 'client', info };
      }
    }
    if (recvText === 'Rails.cache' && name === 'redis') return client('redis-rb', '`Rails.cache.redis`');
    if (recv?.type === 'call' && name === 'new_client') {
      const config = readCall(recv);
      if (config?.name === 'config' && config.receiver?.text.replace(/^::/, '') === 'RedisClient') return client('redis-client', '`RedisClient.config(…).new_client`');
    }
    if (recv && name === 'checkout' && !call.args.length) {
      const pool = this.value(recv, depth + 1);
      if (pool?.kind === 'pool') return { kind: 'client', info: pool.info };
    }
    // A method of this class (`redis`, `self.redis`, `self.class.redis`, `Store.redis`) that returns a client.
    if (!call.block && (!recv || (!call.args.length && (recv.type === 'self' || recvText === 'self.class' || this.isOwnClassName(node, recvText))))) {
      return this.methodValue(node, name, depth, !recv || recv.type === 'self');
    }
    // `new.connection` inside `class << self`: an instance method of the class.
    if (!call.block && recv?.type === 'identifier' && recv.text === 'new') {
      const klass = enclosing(node, CLASS_SCOPES);
      const outer = klass?.type === 'singleton_class' ? enclosing(klass, CLASS_SCOPES) : klass;
      return outer ? this.methodIn(outer, name, depth) : undefined;
    }
    // `record.followers` where this file declares `kredis_set :followers`.
    if (recv && !call.args.length && !call.block) return this.kredisAttribute(node, name);
    return undefined;
  }

  private isOwnClassName(node: Node, recvText: string | undefined): boolean {
    if (!recvText) return false;
    const klass = enclosing(node, CLASS_SCOPES);
    return !!klass && (klass.type === 'class' || klass.type === 'module') && klass.childForFieldName('name')?.text === recvText;
  }

  /** The value of a block's last statement (`ConnectionPool.new { Redis.new }`). */
  private blockResult(block: Node, depth: number): Known | undefined {
    const body = block.childForFieldName('body') ?? block.namedChildren.find((c) => c?.type === 'block_body' || c?.type === 'body_statement');
    const statements = body?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];
    const last = statements[statements.length - 1];
    return last ? this.value(last, depth + 1) : undefined;
  }

  private identifierValue(node: Node, depth: number): Known | undefined {
    const name = node.text;
    const scope = enclosing(node, SCOPES);
    // The nearest block that binds the name (or `_1`/`it` in a block without parameters) decides.
    for (let n = node.parent; n && n !== scope; n = n.parent) {
      if (n.type !== 'block' && n.type !== 'do_block') continue;
      const params = n.childForFieldName('parameters') ?? n.namedChildren.find((c) => c?.type === 'block_parameters') ?? null;
      const names = params?.namedChildren.filter((c) => c?.type === 'identifier').map((c) => c!.text) ?? [];
      const implicit = !params && (name === '_1' || name === 'it');
      if (!implicit && !names.includes(name)) continue;
      if (!implicit && names[0] !== name) return undefined;
      return n.parent?.type === 'call' ? this.yieldedBy(n.parent, depth) : undefined;
    }
    if (!scope) return undefined;
    const assignments = localAssignments(scope, name);
    if (assignments.length) return this.allKnown(assignments.map((a) => a.childForFieldName('right')), depth, 'assigned');
    if (scope.type === 'method' || scope.type === 'singleton_method') {
      const params = scope.childForFieldName('parameters');
      if (params?.descendantsOfType('identifier').some((p) => p?.text === name)) return undefined;
    }
    return this.methodValue(node, name, depth, true);
  }

  /** What a block's first parameter is, from the call the block belongs to. */
  private yieldedBy(callNode: Node, depth: number): Known | undefined {
    const call = readCall(callNode);
    if (!call) return undefined;
    const recv = call.receiver;
    const recvText = recv?.text.replace(/^::/, '');
    if (recvText === 'Sidekiq' && call.name === 'redis') return client('sidekiq', 'the connection `Sidekiq.redis` yields');
    if (!recv) return undefined;
    if (call.name === 'with' || call.name === 'then') {
      const owner = this.value(recv, depth + 1);
      if (owner) return { kind: 'client', info: { ...owner.info, evidence: `${owner.kind === 'pool' ? 'a connection from' : 'yielded by'} \`${recv.text}\`${more(owner, recv)}` } };
    }
    if (call.name === 'multi' || call.name === 'pipelined') {
      const owner = this.value(recv, depth + 1);
      if (owner?.kind === 'client' && owner.info.flavor !== 'kredis') return { kind: 'client', info: { ...owner.info, evidence: `the ${call.name} block of \`${recv.text}\`${more(owner, recv)}` } };
    }
    return undefined;
  }

  private ivarValue(node: Node, depth: number): Known | undefined {
    const klass = enclosing(node, CLASS_SCOPES);
    if (!klass) return undefined;
    const rights: (Node | null)[] = [];
    for (const a of assignmentsIn(klass)) {
      const left = a.childForFieldName('left');
      if (left?.type === 'instance_variable' && left.text === node.text && enclosing(a, CLASS_SCOPES)?.id === klass.id) rights.push(a.childForFieldName('right'));
    }
    return rights.length ? this.allKnown(rights, depth, 'assigned') : undefined;
  }

  /** Constants and globals assigned in this file. */
  private assignedInFile(node: Node, depth: number): Known | undefined {
    const rights: (Node | null)[] = [];
    for (const a of assignmentsIn(this.tree.rootNode)) {
      const left = a.childForFieldName('left');
      if (left?.type === node.type && left.text === node.text) rights.push(a.childForFieldName('right'));
    }
    return rights.length ? this.allKnown(rights, depth, 'assigned') : undefined;
  }

  /** Every assigned value must be the same kind of known value; the first one's description is kept. */
  private allKnown(values: (Node | null)[], depth: number, verb: string): Known | undefined {
    let first: Known | undefined;
    for (const v of values) {
      const known = v ? this.value(v, depth + 1) : undefined;
      if (!known || (first && first.kind !== known.kind)) return undefined;
      first ??= known;
    }
    if (!first) return undefined;
    const line = values[0]!.startPosition.row + 1;
    return { kind: first.kind, info: { ...first.info, evidence: `${verb} ${first.info.evidence} on line ${line}` } };
  }

  private methodIn(klass: Node, name: string, depth: number): Known | undefined {
    const returns = (this.methodsOf(klass).get(name) ?? []).flatMap((d) => returnValues(d));
    return returns.length ? this.allKnown(returns, depth, `method \`${name}\` returns`) : undefined;
  }

  /** A method of the enclosing class returning a client, an `attr_reader` of such an ivar, or a Kredis attribute. */
  private methodValue(node: Node, name: string, depth: number, kredisToo: boolean): Known | undefined {
    if (!/^[a-z_][a-zA-Z0-9_]*[?!]?$/.test(name)) return undefined;
    const klass = enclosing(node, CLASS_SCOPES);
    if (!klass) return undefined;
    const defs = this.methodsOf(klass).get(name) ?? [];
    if (defs.length) {
      const returns = defs.flatMap((d) => returnValues(d));
      if (!returns.length) return undefined;
      return this.allKnown(returns, depth, `method \`${name}\` returns`);
    }
    // A method of an app module the class includes (`include Redisable`).
    for (const macro of classMacros(klass, ['include', 'extend', 'prepend'])) {
      for (const mod of macro.constants) {
        const known = this.app?.moduleMethods?.get(mod.replace(/^::/, ''))?.get(name);
        if (known) return known;
      }
    }
    for (const macro of classMacros(klass, ['attr_reader', 'attr_accessor'])) {
      if (!macro.names.includes(name)) continue;
      const ivar = klass.descendantsOfType('instance_variable').find((i) => i?.text === `@${name}`);
      if (ivar) return this.value(ivar, depth + 1);
    }
    return kredisToo ? this.kredisAttribute(node, name) : undefined;
  }

  /** `kredis_set :name` and friends anywhere in this file. */
  private kredisAttribute(_node: Node, name: string): Known | undefined {
    this.kredis ??= this.readKredisAttributes();
    return this.kredis.get(name);
  }

  private readKredisAttributes(): Map<string, Known> {
    const out = new Map<string, Known>();
    if (!this.tree.rootNode.text.includes('kredis_')) return out;
    for (const call of this.tree.rootNode.descendantsOfType('call')) {
      const c = call && readCall(call);
      const type = c?.name.startsWith('kredis_') ? c.name.slice('kredis_'.length) : undefined;
      if (!c || !type || c.receiver || !KREDIS_TYPES.has(type)) continue;
      const name = literalNames(c.args[0])?.[0];
      if (name && !out.has(name)) out.set(name, { kind: 'client', info: { flavor: 'kredis', evidence: `declared \`${c.name} :${name}\` on line ${call!.startPosition.row + 1}`, kredis: type } });
    }
    return out;
  }

  /** The methods defined directly in a class body, by name. */
  private methodsOf(klass: Node): Map<string, Node[]> {
    let defs = this.defs.get(klass.id);
    if (!defs) {
      defs = new Map();
      for (const m of klass.descendantsOfType(['method', 'singleton_method'])) {
        const name = m?.childForFieldName('name')?.text;
        if (!m || !name || enclosing(m, CLASS_SCOPES)?.id !== klass.id) continue;
        defs.set(name, [...defs.get(name) ?? [], m]);
      }
      this.defs.set(klass.id, defs);
    }
    return defs;
  }
}

/** The owner's own evidence, unless it only repeats the receiver's text. */
function more(owner: Known, recv: Node): string {
  return owner.info.evidence === `\`${recv.text}\`` ? '' : `, ${owner.info.evidence}`;
}

function client(flavor: RedisFlavor, evidence: string): Known {
  return { kind: 'client', info: { flavor, evidence } };
}

/** The nearest ancestor whose type is in `types`. */
export function enclosing(node: Node, types: Set<string>): Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (types.has(n.type)) return n;
  return undefined;
}

function assignmentsIn(root: Node): Node[] {
  return root.descendantsOfType(['assignment', 'operator_assignment']).filter((a): a is Node => !!a);
}

/** Assignments to a local in the same scope (blocks share their method's locals). */
function localAssignments(scope: Node, name: string): Node[] {
  return assignmentsIn(scope).filter((a) => {
    const left = a.childForFieldName('left');
    return left?.type === 'identifier' && left.text === name && enclosing(a, SCOPES)?.id === scope.id;
  });
}

/** What a method can return: its last statement and every `return x` (a bare `return`/`nil` counts as nothing). */
function returnValues(method: Node): Node[] {
  const body = method.childForFieldName('body');
  if (!body) return [];
  const out: Node[] = [];
  const tail = (n: Node | null | undefined): void => {
    if (!n) return;
    if (n.type === 'body_statement' || n.type === 'begin' || n.type === 'then' || n.type === 'else' || n.type === 'parenthesized_statements') {
      const statements = n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment' && c.type !== 'rescue' && c.type !== 'ensure');
      if (n.type === 'else') return tail(statements[statements.length - 1]);
      return tail(statements[statements.length - 1]);
    }
    if (n.type === 'if' || n.type === 'unless' || n.type === 'elsif') {
      tail(n.childForFieldName('consequence'));
      tail(n.childForFieldName('alternative'));
      return;
    }
    if (n.type === 'conditional') {
      tail(n.childForFieldName('consequence'));
      tail(n.childForFieldName('alternative'));
      return;
    }
    if (n.type === 'if_modifier' || n.type === 'unless_modifier') return tail(n.childForFieldName('body'));
    if (n.type === 'operator_assignment' || n.type === 'assignment') return tail(n.childForFieldName('right'));
    if (n.type === 'return') return;
    if (n.type === 'nil') return;
    out.push(n);
  };
  tail(body);
  for (const r of method.descendantsOfType('return')) {
    if (!r || enclosing(r, new Set(['method', 'singleton_method']))?.id !== method.id) continue;
    const arg = r.namedChildren.find((c) => c?.type === 'argument_list')?.namedChildren[0];
    if (arg && arg.type !== 'nil') tail(arg);
  }
  return out;
}

/** `attr_reader :a, :b` and similar macros directly in a class body. */
function classMacros(klass: Node, names: string[]): { names: string[]; constants: string[] }[] {
  const out: { names: string[]; constants: string[] }[] = [];
  for (const call of klass.descendantsOfType(['call', 'identifier'])) {
    if (!call || call.type !== 'call' || enclosing(call, SCOPES)?.id !== klass.id) continue;
    const c = readCall(call);
    if (!c || c.receiver || !names.includes(c.name)) continue;
    out.push({ names: c.args.flatMap((a) => literalNames(a) ?? []), constants: c.args.filter((a) => a.type === 'constant' || a.type === 'scope_resolution').map((a) => a.text) });
  }
  return out;
}

/** The per-file resolver, shared by the Redis rules and the hover through `derive`. */
export function redisClientsOf(derive: <T>(key: string, compute: () => T) => T, tree: Tree, app: AppFacts): RedisClients {
  return derive('redis/clients', () => new RedisClients(tree, appRedisClients(app)));
}
