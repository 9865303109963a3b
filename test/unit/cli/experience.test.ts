// What a person at a terminal sees: help, one-line usage errors, the non-Rails error, colour, progress only
// on a TTY, GitHub annotations, and library warnings kept off stderr.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN } from '../../helpers/lspClient';
import { SAMPLE_APP, copySampleApp } from '../../helpers/fixtures';

const REPO = path.resolve(SAMPLE_APP, '../..');
const ESC = '\u001b[';

function cli(args: string[], env: Record<string, string | undefined> = {}, cwd = REPO) {
  const merged: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env };
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: merged as NodeJS.ProcessEnv });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe('help and usage errors', () => {
  for (const args of [['check', '--help'], ['check', '-h']]) {
    test(`${args.join(' ')} prints each option on one line and exits 0`, () => {
      const r = cli(args);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const options = r.stdout.split('\n').filter((l) => /^ {2}-/.test(l));
      assert.deepEqual(options.map((l) => l.trim().split(/\s+/)[0]), ['--format', '--fail-on', '--config', '--base', '--all-migrations', '--no-color', '--no-cache', '-h,']);
      assert.ok(r.stdout.split('\n').every((l) => l.length <= 120), 'no line wraps on a 120-column terminal');
    });
  }

  test('--help lists the commands and exits 0', () => {
    const r = cli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^ {2}rails-hazards check \[PATH\.\.\.\] \[options\]/m);
    assert.match(r.stdout, /^ {2}rails-hazards lsp --stdio/m);
  });

  test('a usage error is one line and a hint, exit 2', () => {
    const r = cli(['check', '--frobnicate']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'rails-hazards: unknown option --frobnicate\nRun "rails-hazards check --help" for the options.\n');
    assert.equal(cli(['frobnicate']).stderr, 'rails-hazards: unknown command "frobnicate"\nRun "rails-hazards --help" for the commands.\n');
  });

  test('lsp without a transport says what it needs, exit 2, no stack trace', () => {
    const r = cli(['lsp']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'rails-hazards lsp needs a transport: --stdio (most editors) or --node-ipc (VS Code starts it this way).\n');
  });
});

describe('a path without a Rails app', () => {
  test('is an error (exit 2), not "No hazards found."', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-not-rails-'));
    fs.writeFileSync(path.join(dir, 'script.rb'), 'puts 1\n');
    const r = cli(['check', dir]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `rails-hazards: no Rails app at ${dir} (no Gemfile or config/application.rb in it, under it or above it)\n`);
  });

  test('a folder inside an app, or holding apps below it, is fine', () => {
    assert.equal(cli(['check', path.join(SAMPLE_APP, 'db/migrate'), '--fail-on', 'never']).code, 0);
    assert.equal(cli(['check', 'examples', '--fail-on', 'never']).code, 0);
  });
});

describe('text output', () => {
  test('most severe first, then by path; paths relative to the current directory; a per-rule summary', () => {
    const r = cli(['check', 'examples/sample-app', '--fail-on', 'never'], {}, REPO);
    const lines = r.stdout.split('\n');
    const findings = lines.filter((l) => /^examples\/sample-app\/\S+:\d+:\d+: /.test(l));
    assert.ok(findings.length >= 10);
    const rank: Record<string, number> = { error: 0, warning: 1, info: 2, hint: 3 };
    const keys = findings.map((l) => { const m = /^(\S+):(\d+):\d+: (\w+) /.exec(l)!; return { sev: rank[m[3]], file: m[1], line: Number(m[2]) }; });
    const sorted = [...keys].sort((a, b) => a.sev - b.sev || a.file.localeCompare(b.file) || a.line - b.line);
    assert.deepEqual(keys, sorted);
    const summary = lines.slice(lines.indexOf('By rule:') + 1).filter((l) => /^\s*\d+ {2}\S/.test(l));
    assert.ok(summary.some((l) => /^\s*2 {2}migrations\/add-index-non-concurrent$/.test(l)), summary.join('\n'));
    const total = summary.reduce((n, l) => n + Number(l.trim().split(/\s+/)[0]), 0);
    assert.equal(total, findings.length);
    assert.equal(cli(['check', '.', '--fail-on', 'never'], {}, SAMPLE_APP).stdout.split('\n')[0].startsWith('db/migrate/'), true);
  });

  test('no colour when piped; FORCE_COLOR forces it; NO_COLOR and --no-color win', () => {
    assert.ok(!cli(['check', 'examples/sample-app']).stdout.includes(ESC));
    const forced = cli(['check', 'examples/sample-app'], { FORCE_COLOR: '1' }).stdout;
    assert.ok(forced.includes(`${ESC}31merror${ESC}39m`), 'errors in red');
    assert.ok(!cli(['check', 'examples/sample-app'], { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout.includes(ESC));
    assert.ok(!cli(['check', 'examples/sample-app', '--no-color'], { FORCE_COLOR: '1' }).stdout.includes(ESC));
  });

  test('colour on a terminal (a pseudo-TTY through script(1))', { skip: !hasScript && 'script(1) is not installed' }, () => {
    const r = spawnSync('script', ['-qec', `${process.execPath} ${BIN} check examples/sample-app --fail-on never`, '/dev/null'], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '' } });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(`${ESC}31merror${ESC}39m`), r.stdout.slice(0, 300));
  });
});

describe('progress', () => {
  test('a "files done/total" line on stderr when it is a terminal', { skip: !hasScript && 'script(1) is not installed' }, () => {
    // script(1) gives the child a pseudo-terminal for stdin/stdout/stderr; stdout goes to a file, so what the
    // terminal shows beyond it is stderr.
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rh-tty-')), 'out.txt');
    // --no-cache: a check answered from the result cache analyses no file, so it has no progress to show.
    const r = spawnSync('script', ['-qec', `${process.execPath} ${BIN} check examples/sample-app --fail-on never --no-cache > ${out}`, '/dev/null'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /rails-hazards: (\d+)\/\1 files/, 'the last update shows every file done');
    assert.ok(!fs.readFileSync(out, 'utf8').includes('files'), 'nothing on stdout');
  });

  test('nothing on stderr when it is not a terminal', () => {
    const r = cli(['check', 'examples/sample-app', '--fail-on', 'never']);
    assert.equal(r.stderr, '');
  });
});

describe('--format github', () => {
  test('one workflow command per finding, with file, line, column and the rule as title', () => {
    const r = cli(['check', 'examples/sample-app', '--format', 'github']);
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.every((l) => /^::(error|warning|notice) file=[^,]+,line=\d+,endLine=\d+,col=\d+,title=[a-z]+\/[a-z0-9-]+::\S/.test(l)), lines.join('\n'));
    assert.ok(lines.includes('::error file=examples/sample-app/db/migrate/20250301090000_add_email_index_to_patients.rb,line=3,endLine=3,col=5,title=migrations/add-index-non-concurrent::add_index builds an index on existing table patients with a SHARE lock on PostgreSQL 16'));
  });
});

describe('library warnings', () => {
  test('YAML tags such as !ruby/regexp in .rubocop.yml become one notice, never raw YAMLWarning lines', () => {
    const app = copySampleApp();
    fs.writeFileSync(path.join(app, '.rubocop.yml'), [
      'AllCops:', '  Exclude:', ...Array.from({ length: 6 }, (_, i) => `    - !ruby/regexp /vendor${i}/`), '  MigratedSchemaVersion: 20250301090000', '',
    ].join('\n'));
    const r = cli(['check', app, '--format', 'json', '--fail-on', 'never']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /YAMLWarning \[|TAG_RESOLVE_FAILED|\n\s+at /);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^rails-hazards: notice: 6 warnings from libraries hidden \(YAMLWarning: Unresolved tag: !ruby\/regexp\); RAILS_HAZARDS_DEBUG=1 prints them$/);
    assert.ok(JSON.parse(r.stdout).findings.length > 0, 'stdout stays the JSON report');
  });
});
