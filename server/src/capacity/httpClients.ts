// The HTTP client vocabulary: which calls open a connection or send a request, and how each client
// takes its timeouts. Shared by rules that ask "is this an HTTP client call".
import type { Node } from '../parsing/treeSitter';
import type { CallInfo } from '../parsing/ruby';

export type HttpClientName = 'Net::HTTP' | 'Faraday' | 'HTTParty' | 'RestClient' | 'Excon' | 'open-uri';

export interface HttpClientCall {
  client: HttpClientName;
  /** How the call is written, for messages: "Net::HTTP.get", "Faraday.new". */
  label: string;
  /**
   * connection: builds a client that later calls reuse (timeouts may be set on it afterwards);
   * request: sends now (timeouts only as its own options);
   * session: `Net::HTTP.start`, options or setters inside its block.
   */
  role: 'connection' | 'request' | 'session';
  /** Keyword options that set a timeout on this call; empty when the API takes none (`Net::HTTP.get`). */
  timeoutKeywords: readonly string[];
  /** The timeouts a fix adds, in the client's own syntax; undefined when the call cannot take them. */
  fixKeywords?: string;
}

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);
const NET_HTTP_ONE_SHOT = new Set(['get', 'get_response', 'get_print', 'post', 'post_form']);
const NET_HTTP_TIMEOUTS = ['open_timeout', 'read_timeout', 'write_timeout', 'ssl_timeout', 'continue_timeout'];
const OPEN_URI_TIMEOUTS = ['open_timeout', 'read_timeout'];
const HTTPARTY_TIMEOUTS = ['timeout', 'open_timeout', 'read_timeout', 'write_timeout'];
const RESTCLIENT_TIMEOUTS = ['timeout', 'open_timeout', 'read_timeout'];
const EXCON_TIMEOUTS = ['connect_timeout', 'read_timeout', 'write_timeout', 'timeout'];

/** Setter names that configure a timeout on a client object (`http.read_timeout = 5`, `f.options.timeout = 5`). */
export const TIMEOUT_SETTERS = new Set([...NET_HTTP_TIMEOUTS, 'timeout', 'connect_timeout']);

/** Default waits, for messages. */
export const DEFAULT_WAIT: Record<HttpClientName, string> = {
  'Net::HTTP': '60 s to connect and 60 s per read, and an idempotent request is retried once',
  Faraday: "Net::HTTP's 60 s to connect and 60 s per read (with the default adapter)",
  HTTParty: "Net::HTTP's 60 s to connect and 60 s per read",
  RestClient: '60 s per read and Net::HTTP\'s 60 s to connect',
  Excon: '60 s to connect, 60 s per read and 60 s per write',
  'open-uri': "Net::HTTP's 60 s to connect and 60 s per read",
};

function constantName(node: Node | null): string | undefined {
  if (!node || (node.type !== 'constant' && node.type !== 'scope_resolution')) return undefined;
  return node.text.replace(/^::/, '').replace(/\s+/g, '');
}

/**
 * The HTTP client call `call` is, or undefined. `inHttpartyClass`: the call is inside a class that
 * includes HTTParty, so a bare `get(…)` / `self.class.get(…)` is its request.
 */
export function httpClientCall(call: CallInfo, inHttpartyClass = false): HttpClientCall | undefined {
  const receiver = constantName(call.receiver);
  const name = call.name;
  if (receiver === 'Net::HTTP') {
    if (name === 'new') return { client: 'Net::HTTP', label: 'Net::HTTP.new', role: 'connection', timeoutKeywords: [] };
    if (name === 'start') return { client: 'Net::HTTP', label: 'Net::HTTP.start', role: 'session', timeoutKeywords: NET_HTTP_TIMEOUTS, fixKeywords: 'open_timeout: 5, read_timeout: 10' };
    if (NET_HTTP_ONE_SHOT.has(name)) return { client: 'Net::HTTP', label: `Net::HTTP.${name}`, role: 'request', timeoutKeywords: [] };
    return undefined;
  }
  if (receiver === 'Faraday') {
    if (name === 'new') return { client: 'Faraday', label: 'Faraday.new', role: 'connection', timeoutKeywords: [], fixKeywords: 'open_timeout: 5, timeout: 10' };
    if (VERBS.has(name)) return { client: 'Faraday', label: `Faraday.${name}`, role: 'request', timeoutKeywords: [] };
    return undefined;
  }
  if (receiver === 'HTTParty' && VERBS.has(name)) {
    return { client: 'HTTParty', label: `HTTParty.${name}`, role: 'request', timeoutKeywords: HTTPARTY_TIMEOUTS, fixKeywords: 'timeout: 10' };
  }
  if (inHttpartyClass && VERBS.has(name) && (!call.receiver || /^self(\.class)?$/.test(call.receiver.text))) {
    return { client: 'HTTParty', label: call.receiver ? `${call.receiver.text}.${name}` : name, role: 'request', timeoutKeywords: HTTPARTY_TIMEOUTS, fixKeywords: 'timeout: 10' };
  }
  if (receiver === 'RestClient' && VERBS.has(name)) {
    // The shorthand takes (url, payload, headers): no timeout option.
    return { client: 'RestClient', label: `RestClient.${name}`, role: 'request', timeoutKeywords: [] };
  }
  if (receiver === 'RestClient::Request' && name === 'execute') {
    return { client: 'RestClient', label: 'RestClient::Request.execute', role: 'request', timeoutKeywords: RESTCLIENT_TIMEOUTS, fixKeywords: 'timeout: 10' };
  }
  if (receiver === 'RestClient::Resource' && name === 'new') {
    return { client: 'RestClient', label: 'RestClient::Resource.new', role: 'connection', timeoutKeywords: RESTCLIENT_TIMEOUTS, fixKeywords: 'timeout: 10' };
  }
  if (receiver === 'Excon' && (name === 'new' || VERBS.has(name))) {
    return { client: 'Excon', label: `Excon.${name}`, role: name === 'new' ? 'connection' : 'request', timeoutKeywords: EXCON_TIMEOUTS, fixKeywords: 'connect_timeout: 5, read_timeout: 10' };
  }
  if (receiver === 'URI' && name === 'open') {
    return { client: 'open-uri', label: 'URI.open', role: 'request', timeoutKeywords: OPEN_URI_TIMEOUTS, fixKeywords: 'open_timeout: 5, read_timeout: 10' };
  }
  // `URI.parse(url).open`, `URI(url).open`.
  if (name === 'open' && call.receiver?.type === 'call' && isUriConstructor(call.receiver)) {
    return { client: 'open-uri', label: `${call.receiver.text.startsWith('URI(') ? 'URI(…)' : 'URI.parse(…)'}.open`, role: 'request', timeoutKeywords: OPEN_URI_TIMEOUTS, fixKeywords: 'open_timeout: 5, read_timeout: 10' };
  }
  return undefined;
}

function isUriConstructor(node: Node): boolean {
  const method = node.childForFieldName('method')?.text;
  const receiver = constantName(node.childForFieldName('receiver'));
  return (method === 'URI' && !node.childForFieldName('receiver')) || (receiver === 'URI' && method === 'parse');
}

/** `is this an HTTP client call` for other rules (HTTParty classes aside). */
export function isHttpClientCall(call: CallInfo): boolean {
  return httpClientCall(call) !== undefined;
}

/** App-wide client defaults set in config/initializers, so a call without options may still time out. */
export interface HttpClientDefaults {
  /** `Faraday.default_connection_options` (every connection). */
  faradayOptions?: boolean;
  /** `Faraday.default_connection = …` (the module-level `Faraday.get`). */
  faradayConnection?: boolean;
  /** `Excon.defaults[:read_timeout] = …` and friends. */
  excon?: boolean;
}

/** Reads one initializer's text; a mention counts (a default that may set a timeout means silence). */
export function httpClientDefaultsIn(text: string, into: HttpClientDefaults = {}): HttpClientDefaults {
  if (/\bFaraday\.default_connection_options\b/.test(text)) into.faradayOptions = true;
  if (/\bFaraday\.default_connection\s*=/.test(text)) into.faradayConnection = true;
  if (/\bExcon\.defaults\s*\[\s*:(read|connect|write)_timeout\s*\]\s*=/.test(text)) into.excon = true;
  return into;
}
