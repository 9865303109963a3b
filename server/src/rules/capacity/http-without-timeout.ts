import * as path from 'node:path';
import { defineRule } from '../../core/rule';
import type { Fix, FileEdit, Range } from '../../core/types';
import type { Node } from '../../parsing/treeSitter';
import { lineIndent, readCall, type CallInfo } from '../../parsing/ruby';
import { addKeywordArgument, hasSplat, insertAfterClassLine, mergeNestedOption } from '../../parsing/rubyEdits';
import { impactOf } from '../../queries/impact';
import { DEFAULT_WAIT, httpClientCall, TIMEOUT_SETTERS, type HttpClientCall, type HttpClientDefaults } from '../../capacity/httpClients';

const HTTPARTY_VERBS = /^(get|post|put|patch|delete|head|options)$/;
const SCOPES = new Set(['method', 'singleton_method', 'block', 'do_block', 'lambda', 'class', 'module', 'program']);

export default defineRule({
  meta: {
    id: 'capacity/http-without-timeout',
    description: 'An HTTP call with no timeout: a slow or silent server holds the request or job thread for Net::HTTP\'s 60 s defaults (and a retry).',
    defaultSeverity: 'warning',
    fix: 'safe',
    fileKinds: ['model', 'controller', 'job', 'ruby'],
  },
  create(ctx) {
    const rel = path.relative(ctx.app.root, ctx.file).replace(/\\/g, '/');
    const impact = impactOf(rel, ctx.kind);
    if (impact.impact === 'test' || !/(^|\/)(app|lib|script)\//.test(rel)) return {};
    const severity = impact.impact === 'offline' ? 'hint' : undefined;
    const mentionsHttparty = ctx.text.includes('HTTParty');
    const where = impact.impact === 'background' ? 'the job\'s worker thread waits' : impact.impact === 'offline' ? 'the task waits' : 'the request (or whatever calls this) waits';
    return {
      call(node) {
        const call = readCall(node);
        if (!call) return;
        // Walking up to the class is costly (tree-sitter's parent searches from the root): only for a bare verb in a file naming HTTParty.
        const httpartyClass = mentionsHttparty && HTTPARTY_VERBS.test(call.name) && (!call.receiver || call.receiver.type === 'self' || call.receiver.text === 'self.class')
          ? enclosingHttpartyClass(node) : undefined;
        const client = httpClientCall(call, !!httpartyClass);
        if (!client || hasTimeout(call, client, httpartyClass, ctx.app.httpClientDefaults)) return;
        const headline = client.client === 'Faraday' && client.role === 'request'
          ? `\`${client.label}\` uses Faraday's default connection, which sets no timeout: a slow server holds this thread 60 s`
          : client.timeoutKeywords.length === 0 && client.role === 'request'
          ? `\`${client.label}\` takes no timeout: a slow server holds this thread up to Net::HTTP's 60 s defaults`
          : `\`${client.label}\` sets no timeout: a slow server holds this thread up to ${client.client === 'Excon' ? "Excon's" : "Net::HTTP's"} 60 s defaults`;
        const fixes = fixesFor(ctx.file, ctx.text, call, client, httpartyClass);
        const advice = fixes.length ? `Set explicit timeouts: ${fixes[0].title.replace(/^Add /, '')}.`
          : client.client === 'Net::HTTP' && client.role === 'request'
            ? 'Use `Net::HTTP.start(uri.host, uri.port, use_ssl: uri.scheme == "https", open_timeout: 5, read_timeout: 10) { |http| http.request(…) }` instead.'
            : client.client === 'RestClient'
              ? 'Use `RestClient::Request.execute(method: :get, url: url, timeout: 10)` instead.'
              : client.client === 'Faraday'
                ? 'Build a connection with `Faraday.new(url: …, request: { open_timeout: 5, timeout: 10 })`, or set `Faraday.default_connection_options` in an initializer.'
                : 'Set `open_timeout` and `read_timeout` on the client.';
        const message = `${headline}. With no timeout the client uses ${DEFAULT_WAIT[client.client]}, so while the server is slow or unreachable ${where} (${impact.why}), `
          + 'and enough such waits exhaust the Puma or worker threads. ' + advice;
        ctx.report({ range: reportRange(call), headline, message, fixes, ...(severity ? { severity } : {}) });
      },
    };
  },
});

function reportRange(call: CallInfo): Range {
  const end = call.argumentList ?? call.nameNode;
  return {
    start: { line: call.node.startPosition.row, character: call.node.startPosition.column },
    end: { line: end.endPosition.row, character: end.endPosition.column },
  };
}

/** A timeout is set, or may be: options passed through a variable or splat are unknown, and unknown is no finding. */
function hasTimeout(call: CallInfo, client: HttpClientCall, httpartyClass: Node | undefined, defaults: HttpClientDefaults | undefined): boolean {
  if (hasSplat(call)) return true;
  if (insideTimeoutBlock(call.node)) return true;
  if (client.timeoutKeywords.some((k) => call.keywords.has(k))) return true;
  if (client.client === 'Faraday' && (defaults?.faradayOptions || (client.role === 'request' && defaults?.faradayConnection))) return true;
  if (client.client === 'Excon' && defaults?.excon) return true;
  if (client.client === 'Faraday') {
    const request = call.keywords.get('request');
    if (request && (request.type !== 'hash' || hashHasTimeout(request))) return true;
    if (call.keywords.has('timeout') || call.keywords.has('open_timeout')) return true;
  }
  // Options in a variable (`HTTParty.get(url, options)`, `Faraday.new(url, opts)`): unknown.
  if (optionsInVariable(call, client)) return true;
  if (call.block && settersIn(call.block)) return true;
  if (httpartyClass && client.client === 'HTTParty' && classSetsHttpartyTimeout(httpartyClass)) return true;
  if (client.role === 'connection' || client.role === 'session') return configuredLater(call);
  return false;
}

/** `Timeout.timeout(10) { … }` around the call bounds the wait (crudely, but it does). */
function insideTimeoutBlock(node: Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if ((n.type === 'block' || n.type === 'do_block') && n.parent?.type === 'call') {
      const outer = n.parent;
      if (outer.childForFieldName('method')?.text === 'timeout' && /^(::)?Timeout$/.test(outer.childForFieldName('receiver')?.text ?? '')) return true;
    }
    if (n.type === 'method' || n.type === 'singleton_method') return false;
  }
  return false;
}

function hashHasTimeout(hash: Node): boolean {
  return hash.namedChildren.some((p) => {
    if (p?.type === 'hash_splat_argument') return true;
    const key = p?.childForFieldName('key')?.text.replace(/^:|:$/g, '');
    return !!key && TIMEOUT_SETTERS.has(key);
  });
}

function optionsInVariable(call: CallInfo, client: HttpClientCall): boolean {
  // Net::HTTP.new takes host, port and proxy settings (no options); Net::HTTP.start's options come last.
  if (client.label === 'Net::HTTP.new') return false;
  // `Faraday.post(url, body)`, `RestClient.get(url, headers)`: their arguments are never timeouts.
  if (client.role === 'request' && client.timeoutKeywords.length === 0) return false;
  const rest = client.label === 'Net::HTTP.start' ? call.args.slice(2).slice(-1) : call.args.slice(1);
  return rest.some((a) => a.type === 'identifier' || a.type === 'instance_variable' || a.type === 'call' || a.type === 'constant'
    || (a.type === 'hash' && hashHasTimeout(a)));
}

/** `x.read_timeout = 5`, `f.options.timeout = 5`, `f.options[:timeout] = 5` anywhere under `node` (optionally on `name`). */
function settersIn(node: Node, name?: string): boolean {
  const stack: Node[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'assignment' || n.type === 'operator_assignment') {
      const left = n.childForFieldName('left');
      if (left && isTimeoutTarget(left) && (!name || rootName(left) === name)) return true;
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return false;
}

function isTimeoutTarget(left: Node): boolean {
  if (left.type === 'call') return TIMEOUT_SETTERS.has(left.childForFieldName('method')?.text ?? '');
  if (left.type === 'element_reference') return /^\[\s*:?["']?(timeout|open_timeout|read_timeout|write_timeout|connect_timeout)/.test(left.text.slice(left.namedChildren[0]?.text.length ?? 0));
  return false;
}

function rootName(node: Node): string {
  let n: Node | null = node;
  while (n && (n.type === 'call' || n.type === 'element_reference')) n = n.childForFieldName('receiver') ?? n.childForFieldName('object') ?? n.namedChildren[0];
  return n?.text ?? '';
}

/**
 * A connection assigned to a local is configured by setters on it in the same method; one that is
 * chained, kept in an instance variable or returned may be configured by its users: any timeout setter
 * in the file counts, and a local handed to another method is unknown.
 */
function configuredLater(call: CallInfo): boolean {
  let top = call.node;
  // `Net::HTTP.new(…).tap { |h| h.read_timeout = 5 }`: the chain's blocks.
  while (top.parent?.type === 'call' && top.parent.childForFieldName('receiver')?.id === top.id) {
    top = top.parent;
    const block = top.childForFieldName('block');
    if (block && settersIn(block)) return true;
  }
  const parent = top.parent;
  const scope = enclosing(call.node);
  if ((parent?.type === 'assignment' || parent?.type === 'operator_assignment') && parent.childForFieldName('right')?.id === top.id) {
    const left = parent.childForFieldName('left');
    if (left?.type === 'identifier') {
      if (settersIn(scope, left.text)) return true;
      return passedOn(scope, left.text);
    }
  }
  const program = rootOf(call.node);
  return settersIn(program);
}

/** `configure(http)`, `[http]`, `return http`: the local leaves the method, configured elsewhere or not. */
function passedOn(scope: Node, name: string): boolean {
  const stack: [Node, Node | null][] = [[scope, null]];
  while (stack.length) {
    const [n, p] = stack.pop()!;
    if (n.type === 'identifier' && n.text === name && p) {
      if (p.type === 'argument_list' || p.type === 'return' || p.type === 'array' || p.type === 'pair'
        || (p.type === 'assignment' && p.childForFieldName('right')?.id === n.id && p.childForFieldName('left')?.type !== 'identifier')) return true;
    }
    for (const c of n.namedChildren) if (c) stack.push([c, n]);
  }
  // The method returns it (its last statement): its callers may configure it.
  const body = scope.type === 'method' || scope.type === 'singleton_method' ? scope.childForFieldName('body') : null;
  const last = body?.namedChildren.filter((c) => c && c.type !== 'comment').pop();
  return last?.type === 'identifier' && last.text === name;
}

function enclosing(node: Node): Node {
  let n = node.parent;
  while (n && !SCOPES.has(n.type)) n = n.parent;
  return n ?? node;
}

function rootOf(node: Node): Node {
  let n = node;
  while (n.parent) n = n.parent;
  return n;
}

function enclosingHttpartyClass(node: Node): Node | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type !== 'class' && n.type !== 'module') continue;
    const body = n.childForFieldName('body');
    if (body?.namedChildren.some((s) => s?.type === 'call' && /^include\s*\(?\s*(::)?HTTParty\b/.test(s.text))) return n;
  }
  return undefined;
}

function classSetsHttpartyTimeout(klass: Node): boolean {
  return /\bdefault_timeout\b|\b(open|read|write)_timeout\s*\(?\s*\d|\btimeout:/.test(klass.text);
}

function fixesFor(file: string, text: string, call: CallInfo, client: HttpClientCall, httpartyClass: Node | undefined): Fix[] {
  let edit: FileEdit | undefined;
  let title: string | undefined;
  if (client.client === 'HTTParty' && httpartyClass && !/^HTTParty\./.test(client.label)) {
    edit = insertAfterClassLine(file, text, httpartyClass, 'default_timeout 10');
    title = 'Add `default_timeout 10` to the class (10 s to connect and per read)';
  } else if (client.client === 'Faraday' && client.role === 'connection') {
    // `Faraday.new { |f| … }`: a brace block after a bare keyword would not parse; `Faraday.new url { … }` binds the block to `url`.
    if (!call.argumentList) edit = { file, range: { start: endOf(call.nameNode), end: endOf(call.nameNode) }, newText: `(request: { ${client.fixKeywords} })` };
    else if (call.argumentList.text.startsWith('(') || !call.block?.text.startsWith('{')) edit = mergeNestedOption(file, call, 'request', client.fixKeywords!);
    title = `Add \`request: { ${client.fixKeywords} }\` (seconds)`;
  } else if (client.client === 'Net::HTTP' && client.role === 'connection') {
    const assigned = localAssignment(call);
    if (assigned) {
      const indent = lineIndent(text, assigned.node.startPosition.row);
      const pos = { line: assigned.node.endPosition.row, character: assigned.node.endPosition.column };
      edit = { file, range: { start: pos, end: pos }, newText: `\n${indent}${assigned.name}.open_timeout = 5\n${indent}${assigned.name}.read_timeout = 10` };
      title = `Add \`${assigned.name}.open_timeout = 5\` and \`${assigned.name}.read_timeout = 10\` (seconds)`;
    }
  } else if (client.fixKeywords && (!call.argumentList || call.argumentList.text.startsWith('(') || !call.block?.text.startsWith('{'))) {
    edit = call.argumentList ? addKeywordArgument(file, call, client.fixKeywords)
      : { file, range: { start: endOf(call.nameNode), end: endOf(call.nameNode) }, newText: `(${client.fixKeywords})` };
    title = `Add \`${client.fixKeywords}\` (seconds)`;
  }
  return edit && title ? [{ title, safety: 'safe', edits: [edit] }] : [];
}

function endOf(node: Node) {
  return { line: node.endPosition.row, character: node.endPosition.column };
}

function localAssignment(call: CallInfo): { node: Node; name: string } | undefined {
  const p = call.node.parent;
  if (p?.type !== 'assignment' || p.childForFieldName('right')?.id !== call.node.id) return undefined;
  const left = p.childForFieldName('left');
  // The statement must end on its own line for the setters to follow it.
  return left?.type === 'identifier' && p.parent && ['body_statement', 'program', 'block_body', 'then', 'else', 'begin', 'ensure', 'rescue'].includes(p.parent.type)
    ? { node: p, name: left.text } : undefined;
}
