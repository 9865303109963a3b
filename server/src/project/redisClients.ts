// Globals and constants the app assigns a Redis client or pool in config/initializers (`$redis = Redis.new`,
// `REDIS = ConnectionPool.new { Redis.new }`), and methods of the app's modules (app/, lib/) that return one
// (`module Redisable; def redis = Redis.current`), read lazily from their syntax trees and again per changed file.
import * as path from 'node:path';
import { RedisClients, type RedisAppClients, type RedisClientInfo } from '../redis/clients';
import { parseRuby, type Tree } from '../parsing/treeSitter';
import { createHash } from 'node:crypto';
import { serialize } from 'node:v8';
import { cachedSummary } from './summaryStore';
import type { FileSource } from './files';
import { filesUnder } from './appFolders';
import { FileSummaries } from './fileSummaries';

type Entry = { kind: 'client' | 'pool'; info: RedisClientInfo };
interface FileClients { file: string; globals: [string, Entry][]; constants: [string, Entry][]; modules: [string, string, Entry][] }

const INITIALIZERS = 'config/initializers';
const MODULE_DIRS = ['app', 'lib'];
const MAX_BYTES = 200_000;

export class RedisClientLoader {
  private readonly summaries: FileSummaries<FileClients, RedisAppClients>;

  constructor(private readonly root: string, private readonly files: FileSource, private readonly log: (m: string) => void) {
    this.summaries = new FileSummaries(
      () => [INITIALIZERS, ...MODULE_DIRS].flatMap((d) => filesUnder(path.join(root, d), (n) => n.endsWith('.rb'))),
      (file) => this.summarise(file),
      (summaries) => this.resolve([...summaries]),
    );
  }

  get(): RedisAppClients {
    return this.summaries.get();
  }

  changed(file: string): void {
    const rel = path.relative(this.root, file).replace(/\\/g, '/');
    if ([INITIALIZERS, ...MODULE_DIRS].some((d) => rel.startsWith(`${d}/`)) && rel.endsWith('.rb')) this.summaries.changed(file);
  }

  /**
   * Two passes: a module method can return what another app class's method returns (`RedisConnection.pool.checkout`),
   * so each file with modules or classes is read again knowing the first pass's methods.
   */
  private resolve(summaries: FileClients[]): RedisAppClients {
    const first = merge(summaries);
    if (!first.moduleMethods?.size) return first;
    // The second pass depends on the first pass's methods too: its stored summaries are kept under their digest.
    const firstPass = createHash('sha1').update(serialize(first)).digest('hex');
    return merge(summaries.map((s) => (s.modules.length || s.file.endsWith('.rb') ? this.summarise(s.file, first, firstPass) ?? s : s)));
  }

  private summarise(file: string, app?: RedisAppClients, appDigest?: string): FileClients | undefined {
    const text = this.files.read(file);
    if (text === undefined || text.length > MAX_BYTES || !/Redis|ConnectionPool/.test(text)) return undefined;
    const rel = path.relative(this.root, file).replace(/\\/g, '/');
    const initializer = rel.startsWith(`${INITIALIZERS}/`);
    if (!initializer && !/^\s*(module|class)\s/m.test(text)) return undefined;
    try {
      return cachedSummary(app ? `redisClients/${appDigest}` : 'redisClients', file, text, () => {
        const tree = parseRuby(text);
        try { return readClients(tree, file, rel, initializer, app); } finally { tree.delete(); }
      });
    } catch (error) {
      this.log(`redis clients: skipped ${file}: ${String(error)}`);
      return undefined;
    }
  }
}

function merge(files: Iterable<FileClients>): RedisAppClients {
  const globals = new Map<string, Entry>();
  const constants = new Map<string, Entry>();
  const moduleMethods = new Map<string, Map<string, Entry>>();
  for (const f of files) {
    for (const [mod, method, entry] of f.modules) {
      if (!moduleMethods.has(mod)) moduleMethods.set(mod, new Map());
      moduleMethods.get(mod)!.set(method, entry);
    }
    for (const [k, v] of f.globals) globals.set(k, v);
    for (const [k, v] of f.constants) constants.set(k, v);
  }
  return { globals, constants, moduleMethods };
}

/** What one file assigns or returns (`$redis = Redis.new`, `def self.redis = Redis.current`). */
function readClients(tree: Tree, file: string, rel: string, initializer: boolean, app?: RedisAppClients): FileClients {
  const clients = new RedisClients(tree, app);
  const out: FileClients = { file, globals: [], constants: [], modules: [] };
  for (const [mod, method, known, line] of clients.moduleMethods()) {
    const what = known.kind === 'pool' ? 'a pool of Redis connections' : 'a Redis client';
    out.modules.push([mod, method, { kind: known.kind, info: { ...known.info, evidence: `method \`${method}\` of \`${mod}\` returns ${what}, ${rel}:${line}` } }]);
  }
  for (const a of initializer ? tree.rootNode.descendantsOfType('assignment') : []) {
    const left = a?.childForFieldName('left');
    if (!a || !left || (left.type !== 'global_variable' && left.type !== 'constant')) continue;
    const right = a.childForFieldName('right');
    const value = right ? clients.known(right) : undefined;
    if (!value) continue;
    const entry: Entry = { kind: value.kind, info: { ...value.info, evidence: `assigned ${value.info.evidence} in ${rel}:${a.startPosition.row + 1}` } };
    (left.type === 'global_variable' ? out.globals : out.constants).push([left.text, entry]);
  }
  return out;
}
