// The stdio transport, tolerant of malformed input: vscode-jsonrpc's stream reader stops reading for good
// after one body that is not JSON or one header without Content-Length, which leaves the server deaf.
// This reader answers such messages with a JSON-RPC error (Parse error / Invalid request, id null as the
// spec says when the id is unknown), resynchronises on the next header and keeps serving.
// Other transports (--node-ipc for VS Code, --socket, --pipe) carry whole JSON objects and keep the
// library's defaults.
import {
  AbstractMessageReader, createConnection, ErrorCodes, ProposedFeatures, StreamMessageWriter,
  type Connection, type DataCallback, type Disposable, type Message,
} from 'vscode-languageserver/node';

const HEADER_END = Buffer.from('\r\n\r\n');
/** A body larger than this is refused (a bad Content-Length would otherwise hold the reader forever). */
const MAX_BODY_BYTES = 256 * 1024 * 1024;

export class TolerantMessageReader extends AbstractMessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  private callback: DataCallback | undefined;
  shutdownReceived = false;

  constructor(private readonly input: NodeJS.ReadableStream, private readonly reply: (message: Message) => void) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer | string) => this.onData(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    const onError = (error: Error) => this.fireError(error);
    const onClose = () => this.fireClose();
    this.input.on('data', onData);
    this.input.on('error', onError);
    this.input.on('end', onClose);
    this.input.on('close', onClose);
    return {
      dispose: () => {
        this.input.off('data', onData);
        this.input.off('error', onError);
        this.input.off('end', onClose);
        this.input.off('close', onClose);
      },
    };
  }

  private malformed(code: number, message: string, id: number | string | null = null): void {
    this.reply({ jsonrpc: '2.0', id, error: { code, message } } as Message);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const end = this.buffer.indexOf(HEADER_END);
      if (end < 0) {
        // No header end yet; a buffer of garbage without any header is dropped up to a possible header start.
        if (this.buffer.length > 64 * 1024) {
          const next = this.buffer.indexOf('Content-Length', 1);
          this.buffer = next > 0 ? this.buffer.subarray(next) : Buffer.alloc(0);
          this.malformed(ErrorCodes.ParseError, 'Parse error: no message header found');
        }
        return;
      }
      const header = this.buffer.subarray(0, end).toString('ascii');
      const match = /(?:^|\r\n)Content-Length:\s*(\d+)\s*(?:\r\n|$)/i.exec(header);
      const length = match ? Number(match[1]) : NaN;
      if (!Number.isSafeInteger(length) || length > MAX_BODY_BYTES) {
        // Skip this header; resynchronise on the next one.
        this.buffer = this.buffer.subarray(end + HEADER_END.length);
        const next = this.buffer.indexOf('Content-Length');
        this.buffer = next >= 0 ? this.buffer.subarray(next) : Buffer.alloc(0);
        this.malformed(ErrorCodes.ParseError, match ? `Parse error: Content-Length ${match[1]} is too large` : 'Parse error: the header has no Content-Length');
        continue;
      }
      if (this.buffer.length < end + HEADER_END.length + length) return;
      const body = this.buffer.subarray(end + HEADER_END.length, end + HEADER_END.length + length).toString('utf8');
      this.buffer = this.buffer.subarray(end + HEADER_END.length + length);
      let message: unknown;
      try {
        message = JSON.parse(body);
      } catch (error) {
        this.malformed(ErrorCodes.ParseError, `Parse error: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      if (!isMessage(message)) {
        const id = typeof message === 'object' && message !== null && 'id' in message
          && (typeof (message as { id: unknown }).id === 'number' || typeof (message as { id: unknown }).id === 'string') ? (message as { id: number | string }).id : null;
        this.malformed(ErrorCodes.InvalidRequest, 'Invalid request: not a JSON-RPC 2.0 message', id);
        continue;
      }
      if ((message as { method?: string }).method === 'shutdown') this.shutdownReceived = true;
      try {
        this.callback?.(message);
      } catch (error) {
        this.fireError(error);
      }
    }
  }
}

function isMessage(value: unknown): value is Message {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const m = value as { jsonrpc?: unknown; method?: unknown; id?: unknown };
  if (m.jsonrpc !== '2.0') return false;
  if (m.method !== undefined && typeof m.method !== 'string') return false;
  if (m.id !== undefined && m.id !== null && typeof m.id !== 'number' && typeof m.id !== 'string') return false;
  return m.method !== undefined || m.id !== undefined;
}

/** The server's connection: the tolerant reader over stdio with `--stdio`, the library's default otherwise. */
export function createServerConnection(argv: string[] = process.argv): Connection {
  if (!argv.includes('--stdio')) return createConnection(ProposedFeatures.all);
  const writer = new StreamMessageWriter(process.stdout);
  const reader = new TolerantMessageReader(process.stdin, (message) => { void writer.write(message); });
  // As the library does for stdio: stray console output must not corrupt the protocol stream.
  console.log = console.info = console.warn = console.debug = (...args: unknown[]) => { process.stderr.write(args.map(String).join(' ') + '\n'); };
  const exit = () => process.exit(reader.shutdownReceived ? 0 : 1);
  process.stdin.on('end', exit);
  process.stdin.on('close', exit);
  return createConnection(ProposedFeatures.all, reader, writer);
}
