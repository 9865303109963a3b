import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/capacity/http-without-timeout';
import type { FileKind } from '../../../../server/src/core/rule';
import type { Finding } from '../../../../server/src/core/types';
import { parseRuby } from '../../../../server/src/parsing/treeSitter';
import { appFacts, applyFix, at, initParsers, run } from '../../../helpers/ruleTester';

before(initParsers);

const SERVICE = 'app/services/rates_client.rb';
const kindOf = (file: string): FileKind => (file.startsWith('app/controllers/') ? 'controller' : file.startsWith('app/jobs/') ? 'job' : file.startsWith('app/models/') ? 'model' : 'ruby');
const check = (code: string, file = SERVICE, app = appFacts()) => run(rule, code, { file, kind: kindOf(file), app });

/** Applies the first fix, asserts the result parses and is no longer reported, and returns it. */
function fixed(code: string, finding: Finding, file = SERVICE): string {
  const text = applyFix(code, finding.fixes[0], file);
  const tree = parseRuby(text);
  try {
    assert.equal(tree.rootNode.hasError, false, `the fix parses:\n${text}`);
  } finally {
    tree.delete();
  }
  assert.deepEqual(check(text, file), [], `the fixed file is clean:\n${text}`);
  return text;
}

describe('capacity/http-without-timeout', () => {
  test('Net::HTTP.get in a controller: warning on the call, no fix (the class method takes no timeout)', () => {
    const file = 'app/controllers/rates_controller.rb';
    const code = `class RatesController < ApplicationController
  def show
    body = Net::HTTP.get(URI("https://rates.example.com/eur"))
    render json: body
  end
end
`;
    const findings = check(code, file);
    assert.deepEqual(findings.map(at), [{ rule: 'capacity/http-without-timeout', line: 3, column: 12 }]);
    assert.equal(findings[0].severity, 'warning');
    assert.equal(findings[0].headline, '`Net::HTTP.get` takes no timeout: a slow server holds this thread up to Net::HTTP\'s 60 s defaults');
    assert.match(findings[0].message, /a controller/);
    assert.match(findings[0].message, /Net::HTTP\.start\(uri\.host, uri\.port, use_ssl: uri\.scheme == "https", open_timeout: 5, read_timeout: 10\)/);
    assert.deepEqual(findings[0].fixes, []);
  });

  test('Net::HTTP.new assigned to a local with no timeout setter: fix adds open_timeout and read_timeout after it', () => {
    const code = `class RatesClient
  def fetch(uri)
    http = Net::HTTP.new(uri.host, uri.port)
    http.use_ssl = true
    http.get(uri.path)
  end
end
`;
    const findings = check(code);
    assert.deepEqual(findings.map(at), [{ rule: 'capacity/http-without-timeout', line: 3, column: 12 }]);
    assert.equal(findings[0].fixes[0].title, 'Add `http.open_timeout = 5` and `http.read_timeout = 10` (seconds)');
    assert.equal(findings[0].fixes[0].safety, 'safe');
    assert.equal(fixed(code, findings[0]), code.replace('uri.port)\n', 'uri.port)\n    http.open_timeout = 5\n    http.read_timeout = 10\n'));
  });

  test('Net::HTTP.new configured by a setter, in a tap block, or handed to another method: silent', () => {
    assert.deepEqual(check(`def fetch(uri)
  http = Net::HTTP.new(uri.host, uri.port)
  http.read_timeout = 5
  http.get(uri.path)
end
`), []);
    assert.deepEqual(check('def http = Net::HTTP.new(HOST, 443).tap { |h| h.open_timeout = 2 }\n'), []);
    assert.deepEqual(check(`def fetch(uri)
  http = Net::HTTP.new(uri.host, uri.port)
  configure(http)
  http.get(uri.path)
end
`), []);
  });

  test('inside Timeout.timeout (or Timeout::timeout) the wait is bounded: silent; a Timeout block in another method does not count', () => {
    assert.deepEqual(check(`def download(uri)
  Timeout.timeout(30) do
    http = Net::HTTP.new(uri.host, uri.port)
    http.get(uri.path)
  end
end
`), []);
    assert.deepEqual(check('Timeout::timeout(5) { URI.open(url).read }\n'), []);
    assert.equal(check(`def bounded
  Timeout.timeout(5) { fetch }
end

def fetch = URI.open(url).read
`).length, 1);
  });

  test('a builder method returning the connection, configured by its caller in the same class: silent', () => {
    assert.deepEqual(check(`class Client
  def build(uri)
    Net::HTTP.new(uri.host, uri.port)
  end

  def call(uri)
    http = build(uri)
    http.read_timeout = 3
    http.get(uri.path)
  end
end
`), []);
  });

  test('Net::HTTP.start with options: fix appends the timeouts; with read_timeout or a setter in its block: silent', () => {
    const code = `def post_json(uri, request)
  Net::HTTP.start(uri.hostname, uri.port, use_ssl: true) { |http| http.request(request) }
end
`;
    const findings = check(code);
    assert.deepEqual(findings.map(at), [{ rule: 'capacity/http-without-timeout', line: 2, column: 3 }]);
    assert.equal(findings[0].fixes[0].title, 'Add `open_timeout: 5, read_timeout: 10` (seconds)');
    assert.equal(fixed(code, findings[0]), code.replace('use_ssl: true)', 'use_ssl: true, open_timeout: 5, read_timeout: 10)'));
    assert.deepEqual(check('Net::HTTP.start(host, 443, use_ssl: true, read_timeout: 4) { |h| h.get("/") }\n'), []);
    assert.deepEqual(check('Net::HTTP.start(host, 443) do |h|\n  h.read_timeout = 4\n  h.get("/")\nend\n'), []);
  });

  test('Faraday.new: fix adds request timeouts; an existing request hash gains them; a brace block gets parentheses', () => {
    const code = 'CONN = Faraday.new(url: "https://api.example.com")\n';
    const findings = check(code);
    assert.deepEqual(findings.map(at), [{ rule: 'capacity/http-without-timeout', line: 1, column: 8 }]);
    assert.equal(findings[0].fixes[0].title, 'Add `request: { open_timeout: 5, timeout: 10 }` (seconds)');
    assert.equal(fixed(code, findings[0]), 'CONN = Faraday.new(url: "https://api.example.com", request: { open_timeout: 5, timeout: 10 })\n');

    const merged = 'def conn = Faraday.new(url, request: { params_encoder: Faraday::FlatParamsEncoder })\n';
    assert.equal(fixed(merged, check(merged)[0]), 'def conn = Faraday.new(url, request: { params_encoder: Faraday::FlatParamsEncoder, open_timeout: 5, timeout: 10 })\n');

    const braces = 'def conn\n  @conn ||= Faraday.new { |f| f.response :json }\nend\n';
    assert.equal(fixed(braces, check(braces)[0]), 'def conn\n  @conn ||= Faraday.new(request: { open_timeout: 5, timeout: 10 }) { |f| f.response :json }\nend\n');
  });

  test('Faraday configured in its block, by request options, or through default_connection_options: silent', () => {
    assert.deepEqual(check('Faraday.new(url: u) { |f| f.options.timeout = 5 }\n'), []);
    assert.deepEqual(check('Faraday.new(url: u) do |f|\n  f.options[:open_timeout] = 2\nend\n'), []);
    assert.deepEqual(check('Faraday.new(url: u, request: { timeout: 5 })\n'), []);
    assert.deepEqual(check('Faraday.new(url, connection_options)\n'), []);
    assert.deepEqual(check('Faraday.new(url: u)\n', SERVICE, appFacts({ httpClientDefaults: { faradayOptions: true } })), []);
  });

  test('Faraday.get uses the default connection: reported unless an initializer sets it', () => {
    const code = 'def rates = Faraday.get("https://rates.example.com")\n';
    assert.equal(check(code)[0]?.headline, '`Faraday.get` uses Faraday\'s default connection, which sets no timeout: a slow server holds this thread 60 s');
    assert.deepEqual(check(code, SERVICE, appFacts({ httpClientDefaults: { faradayConnection: true } })), []);
    // Its second argument is the body, never options.
    assert.equal(check('Faraday.post(url, { starts_at: at }.to_json)\n').length, 1);
  });

  test('HTTParty.get: fix adds timeout: 10; with a timeout, or options in a variable: silent', () => {
    const code = 'def rates(url) = HTTParty.get(url, headers: { "Accept" => "application/json" })\n';
    const findings = check(code);
    assert.deepEqual(findings.map(at), [{ rule: 'capacity/http-without-timeout', line: 1, column: 18 }]);
    assert.equal(fixed(code, findings[0]), 'def rates(url) = HTTParty.get(url, headers: { "Accept" => "application/json" }, timeout: 10)\n');
    assert.deepEqual(check('HTTParty.get(url, timeout: 3)\n'), []);
    assert.deepEqual(check('HTTParty.get(url, options)\n'), []);
    assert.deepEqual(check('HTTParty.get(url, **options)\n'), []);
  });

  test('a class that includes HTTParty: its requests are reported unless it sets default_timeout; fix adds it to the class', () => {
    const code = `class Akismet
  include HTTParty
  base_uri "https://rest.akismet.com"

  def self.spam?(body)
    post("/1.1/comment-check", body: body)
  end
end
`;
    const findings = check(code);
    assert.deepEqual(findings.map(at), [{ rule: 'capacity/http-without-timeout', line: 6, column: 5 }]);
    assert.equal(findings[0].fixes[0].title, 'Add `default_timeout 10` to the class (10 s to connect and per read)');
    const text = fixed(code, findings[0]);
    assert.match(text, /^class Akismet\n {2}default_timeout 10\n/);
    assert.deepEqual(check(code.replace('  base_uri', '  default_timeout 5\n  base_uri')), []);
  });

  test('RestClient: the shorthand is reported without a fix; Request.execute gains timeout: 10', () => {
    assert.deepEqual(check('RestClient.get(url)\n')[0]?.fixes, []);
    const code = 'RestClient::Request.execute(method: :get, url: url)\n';
    assert.equal(fixed(code, check(code)[0]), 'RestClient::Request.execute(method: :get, url: url, timeout: 10)\n');
    assert.deepEqual(check('RestClient::Request.execute(method: :get, url: url, read_timeout: 5)\n'), []);
  });

  test('Excon and open-uri: fixes in their own keywords; a block-pass stays last', () => {
    const excon = 'Excon.get(url, headers: h)\n';
    assert.equal(fixed(excon, check(excon)[0]), 'Excon.get(url, headers: h, connect_timeout: 5, read_timeout: 10)\n');
    assert.deepEqual(check('Excon.new(url)\n', SERVICE, appFacts({ httpClientDefaults: { excon: true } })), []);
    const open = 'URI.open(url, &reader)\n';
    assert.equal(fixed(open, check(open)[0]), 'URI.open(url, open_timeout: 5, read_timeout: 10, &reader)\n');
    const parsed = 'data = URI.parse(url).open.read\n';
    const f = check(parsed);
    assert.equal(f[0]?.headline, '`URI.parse(…).open` sets no timeout: a slow server holds this thread up to Net::HTTP\'s 60 s defaults');
    assert.equal(fixed(parsed, f[0]), 'data = URI.parse(url).open(open_timeout: 5, read_timeout: 10).read\n');
  });

  test('where it runs: warning in a job, hint in a rake task and a script, nothing in tests or config', () => {
    const code = 'URI.open(url)\n';
    assert.equal(check(code, 'app/jobs/import_job.rb')[0]?.severity, 'warning');
    assert.match(check(code, 'app/jobs/import_job.rb')[0]?.message ?? '', /the job's worker thread waits/);
    assert.equal(check(code, 'lib/tasks/import.rake')[0]?.severity, 'hint');
    assert.equal(check(code, 'script/import.rb')[0]?.severity, 'hint');
    assert.deepEqual(check(code, 'spec/support/fetch.rb'), []);
    assert.deepEqual(check(code, 'config/initializers/rates.rb'), []);
  });

  test('an unknown receiver (client.get, a reused connection) is not an HTTP client call: silent', () => {
    assert.deepEqual(check('client.get(url)\nRATES.get("/eur")\nconnection.post("/x", body)\nFile.open(path)\n'), []);
  });
});
