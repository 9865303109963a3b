// The Gemfile.lock TextMate grammar, checked at the regex level with a minimal line-based TextMate
// interpreter (begin/end, match, captures, nested capture patterns, includes): enough for this grammar,
// which only uses line-anchored rules.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Rule {
  include?: string; match?: string; name?: string; begin?: string; end?: string;
  captures?: Record<string, { name?: string; patterns?: Rule[] }>; beginCaptures?: Record<string, { name?: string }>; patterns?: Rule[];
}
interface Grammar { scopeName: string; patterns: Rule[]; repository: Record<string, Rule> }

const grammar = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../../syntaxes/gemfile-lock.tmLanguage.json'), 'utf8')) as Grammar;

function resolve(rules: Rule[]): Rule[] {
  return rules.flatMap((r) => (r.include ? resolve([grammar.repository[r.include.slice(1)]])
    : !r.match && !r.begin && r.patterns ? resolve(r.patterns) : [r]));
}

/** Tokens of a whole text: `[text, scope]` for every named capture or match. */
function tokenize(text: string): [string, string][] {
  const out: [string, string][] = [];
  let section: Rule | undefined;
  const applyCaptures = (m: RegExpExecArray, caps: Rule['captures'] | undefined): void => {
    if (!caps) return;
    for (const [i, c] of Object.entries(caps)) {
      const s = m[Number(i)];
      if (s === undefined || s === '') continue;
      if (c.name) out.push([s, c.name]);
      if (c.patterns) inline(s, resolve(c.patterns));
    }
  };
  const inline = (s: string, rules: Rule[]): void => {
    let pos = 0;
    while (pos < s.length) {
      let best: { m: RegExpExecArray; r: Rule } | undefined;
      for (const r of rules) {
        const re = new RegExp(r.match!, 'gy');
        re.lastIndex = pos;
        const m = re.exec(s);
        if (m && m[0].length > 0) { best = { m, r }; break; }
      }
      if (!best) { pos++; continue; }
      if (best.r.name) out.push([best.m[0], best.r.name]);
      pos += best.m[0].length;
    }
  };
  for (const line of text.split('\n')) {
    if (section && new RegExp(section.end!).test(line)) section = undefined;
    const rules = section ? resolve(section.patterns ?? []) : resolve(grammar.patterns);
    for (const r of rules) {
      const re = new RegExp(r.begin ?? r.match!);
      const m = re.exec(line);
      if (!m) continue;
      if (r.begin) { applyCaptures(m, r.beginCaptures); section = r; } else {
        if (r.name) out.push([m[0], r.name]);
        applyCaptures(m, r.captures);
      }
      break;
    }
  }
  return out;
}

const LOCK = `GIT
  remote: https://github.com/ruby/debug.git
  revision: 0123456789abcdef
  specs:
    debug (1.10.0)
      irb (~> 1.10)

GEM
  remote: https://rubygems.org/
  specs:
    nokogiri (1.18.2-x86_64-linux-gnu)
      racc (~> 1.4, >= 1.4.2)
    racc (1.8.1)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  debug!
  nokogiri (>= 1.16)

CHECKSUMS
  racc (1.8.1) sha256=abc123

SOMETHING NEW
  whatever: 1

RUBY VERSION
   ruby 3.3.6p108

BUNDLED WITH
   2.5.22
<<<<<<< HEAD`;

describe('gemfile-lock.tmLanguage.json', () => {
  test('is valid JSON whose every pattern compiles', () => {
    assert.equal(grammar.scopeName, 'source.gemfile-lock');
    const all: Rule[] = [...grammar.patterns, ...Object.values(grammar.repository)];
    const walk = (r: Rule): void => {
      for (const k of ['match', 'begin', 'end'] as const) if (r[k]) assert.doesNotThrow(() => new RegExp(r[k]!), `${k}: ${r[k]}`);
      for (const p of r.patterns ?? []) walk(p);
      for (const c of Object.values(r.captures ?? {})) for (const p of c.patterns ?? []) walk(p);
      if (r.include) assert.ok(grammar.repository[r.include.slice(1)], `include ${r.include}`);
    };
    all.forEach(walk);
  });

  test('scopes: sections, options, gem names, versions, platforms, requirements, !, checksums, values, conflicts', () => {
    assert.deepEqual(tokenize(LOCK), [
      ['GIT', 'entity.name.section.gemfile-lock'],
      ['remote', 'variable.other.key.gemfile-lock'], ['https://github.com/ruby/debug.git', 'string.unquoted.gemfile-lock'],
      ['revision', 'variable.other.key.gemfile-lock'], ['0123456789abcdef', 'string.unquoted.gemfile-lock'],
      ['specs', 'keyword.other.specs.gemfile-lock'],
      ['debug', 'entity.name.type.gem.gemfile-lock'], ['1.10.0', 'constant.numeric.version.gemfile-lock'],
      ['irb', 'entity.name.tag.dependency.gemfile-lock'], ['~>', 'keyword.operator.requirement.gemfile-lock'], ['1.10', 'constant.numeric.version.gemfile-lock'],
      ['GEM', 'entity.name.section.gemfile-lock'],
      ['remote', 'variable.other.key.gemfile-lock'], ['https://rubygems.org/', 'string.unquoted.gemfile-lock'],
      ['specs', 'keyword.other.specs.gemfile-lock'],
      ['nokogiri', 'entity.name.type.gem.gemfile-lock'], ['1.18.2', 'constant.numeric.version.gemfile-lock'], ['x86_64-linux-gnu', 'support.constant.platform.gemfile-lock'],
      ['racc', 'entity.name.tag.dependency.gemfile-lock'], ['~>', 'keyword.operator.requirement.gemfile-lock'], ['1.4', 'constant.numeric.version.gemfile-lock'],
      [',', 'punctuation.separator.gemfile-lock'], ['>=', 'keyword.operator.requirement.gemfile-lock'], ['1.4.2', 'constant.numeric.version.gemfile-lock'],
      ['racc', 'entity.name.type.gem.gemfile-lock'], ['1.8.1', 'constant.numeric.version.gemfile-lock'],
      ['PLATFORMS', 'entity.name.section.gemfile-lock'], ['x86_64-linux', 'support.constant.platform.gemfile-lock'],
      ['DEPENDENCIES', 'entity.name.section.gemfile-lock'],
      ['debug', 'entity.name.type.gem.gemfile-lock'], ['!', 'keyword.operator.pinned-source.gemfile-lock'],
      ['nokogiri', 'entity.name.type.gem.gemfile-lock'], ['>=', 'keyword.operator.requirement.gemfile-lock'], ['1.16', 'constant.numeric.version.gemfile-lock'],
      ['CHECKSUMS', 'entity.name.section.gemfile-lock'],
      ['racc', 'entity.name.type.gem.gemfile-lock'], ['1.8.1', 'constant.numeric.version.gemfile-lock'], ['sha256=abc123', 'comment.checksum.gemfile-lock'],
      ['SOMETHING NEW', 'entity.name.section.unknown.gemfile-lock'],
      ['RUBY VERSION', 'entity.name.section.gemfile-lock'], ['ruby', 'keyword.other.ruby.gemfile-lock'], ['3.3.6p108', 'constant.numeric.version.gemfile-lock'],
      ['BUNDLED WITH', 'entity.name.section.gemfile-lock'], ['2.5.22', 'constant.numeric.version.gemfile-lock'],
      ['<<<<<<< HEAD', 'invalid.illegal.conflict-marker.gemfile-lock'],
    ]);
  });

  test('the language configuration offers no line comment (Bundler ends a section at a non-indented "#" line)', () => {
    const conf = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../../syntaxes/gemfile-lock.language-configuration.json'), 'utf8'));
    assert.equal(conf.comments, undefined);
  });
});
