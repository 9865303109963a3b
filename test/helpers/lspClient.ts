// A minimal LSP client over stdio for protocol tests: spawns `rails-hazards lsp --stdio`, frames
// JSON-RPC messages, and lets tests await requests and notifications.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export const BIN = path.resolve(__dirname, '../../../bin/rails-hazards');

// The checks tests spawn keep their result cache in a folder of this test process, not in the user's cache.
process.env.RAILS_HAZARDS_CACHE_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), 'rh-test-cache-'));

type Message = { jsonrpc: '2.0'; id?: number | string; method?: string; params?: any; result?: any; error?: any };

export class LspClient {
  readonly proc: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: any) => void }>();
  private readonly waiters: { method: string; predicate: (p: any) => boolean; resolve: (p: any) => void }[] = [];
  readonly notifications: Message[] = [];
  /** Answers to server→client requests (workspace/configuration, window/workDoneProgress/create, …). */
  onRequest: (method: string, params: any) => any = (method) => (method === 'workspace/configuration' ? [{}] : null);
  stderr = '';

  constructor(args: string[] = ['lsp', '--stdio']) {
    this.proc = spawn(process.execPath, [BIN, ...args], { stdio: 'pipe' });
    this.proc.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.proc.stderr.on('data', (chunk: Buffer) => { this.stderr += chunk.toString(); });
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body));
    }
  }

  private dispatch(msg: Message): void {
    if (msg.id !== undefined && msg.method) {
      let result: any = null;
      try { result = this.onRequest(msg.method, msg.params); } catch { result = null; }
      this.write({ jsonrpc: '2.0', id: msg.id, result });
      return;
    }
    if (msg.id !== undefined) {
      const p = this.pending.get(Number(msg.id));
      if (!p) return;
      this.pending.delete(Number(msg.id));
      if (msg.error) p.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code })); else p.resolve(msg.result);
      return;
    }
    this.notifications.push(msg);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i];
      if (w.method === msg.method && w.predicate(msg.params)) { this.waiters.splice(i, 1); w.resolve(msg.params); }
    }
  }

  writeRaw(data: string | Buffer): void { this.proc.stdin.write(data); }

  private write(msg: Message): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  request<T = any>(method: string, params: unknown, timeoutMs = 20000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => { this.pending.delete(id); reject(new Error(`${method} timed out\n${this.stderr}`)); }, timeoutMs);
      this.pending.set(id, { resolve: (v) => { clearTimeout(timer); resolve(v); }, reject: (e) => { clearTimeout(timer); reject(e); } });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void { this.write({ jsonrpc: '2.0', method, params }); }

  /** Resolves with the first matching notification, including ones that already arrived. */
  waitFor<T = any>(method: string, predicate: (p: any) => boolean = () => true, timeoutMs = 20000): Promise<T> {
    const seen = this.notifications.find((n) => n.method === method && predicate(n.params));
    if (seen) return Promise.resolve(seen.params);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} notification in ${timeoutMs} ms\n${this.stderr}`)), timeoutMs);
      this.waiters.push({ method, predicate, resolve: (p) => { clearTimeout(timer); resolve(p); } });
    });
  }

  /** The next publishDiagnostics for `uri` that arrives after this call. */
  nextDiagnostics(uri: string, predicate: (p: any) => boolean = () => true, timeoutMs = 20000): Promise<any> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri}\n${this.stderr}`)), timeoutMs);
      this.waiters.push({ method: 'textDocument/publishDiagnostics', predicate: (p) => p.uri === uri && predicate(p), resolve: (p) => { clearTimeout(timer); resolve(p); } });
    });
  }

  async initialize(rootPath: string, capabilities: any = {}, initializationOptions: any = {}): Promise<any> {
    const result = await this.request('initialize', {
      processId: process.pid, rootUri: uriOf(rootPath), capabilities, initializationOptions,
      workspaceFolders: [{ uri: uriOf(rootPath), name: path.basename(rootPath) }],
    });
    this.notify('initialized', {});
    return result;
  }

  async shutdown(): Promise<void> {
    try { await this.request('shutdown', null, 5000); this.notify('exit', null); } catch { /* already gone */ }
    await new Promise<void>((resolve) => {
      if (this.proc.exitCode !== null) return resolve();
      const timer = setTimeout(() => { this.proc.kill(); resolve(); }, 3000);
      this.proc.once('exit', () => { clearTimeout(timer); resolve(); });
    });
  }
}

export function uriOf(file: string): string { return pathToFileURL(file).toString(); }
