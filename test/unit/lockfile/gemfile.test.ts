import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParsers } from '../../helpers/ruleTester';
import { gemfileModel } from '../../helpers/lockfiles';
import { isRuntimeEntry } from '../../../server/src/lockfile/gemfile';

before(initParsers);

const GEMFILE = `source "https://rubygems.org"
git_source(:github) { |repo| "https://github.com/#{repo}.git" }

ruby "3.3.6"

gemspec path: "engines/billing", name: "billing"

gem "rails", "~> 7.2.2", ">= 7.2.2.1"
gem 'pg', '~> 1.5', require: false
gem "puma", PUMA_VERSION
gem "sidekiq-pro", source: "https://gems.contribsys.com/"
gem "local_thing", path: "vendor/local_thing"
gem "forked", github: "acme/forked", branch: "main"
gem "tzinfo-data", platforms: %i[windows jruby]
gem "rspec-rails", group: [:development, :test]
gem dynamic_name

group :development, :test do
  gem "debug", platforms: %i[mri windows], require: "debug/prelude"
  group :ci do
    gem "simplecov", require: false
  end
end

group :production do
  gem "lograge"
end

platforms :jruby do
  gem "activerecord-jdbc-adapter"
end

source "https://enterprise.example.com" do
  gem "secret_sauce"
end

git "https://github.com/acme/monorepo.git", branch: "main" do
  gem "acme-core"
end

if ENV["NEW_REDIS"]
  gem "redis", "~> 5.0"
end
`;

describe('Gemfile reader', () => {
  test('gem lines with requirements, options, groups, platforms and sources', () => {
    const g = gemfileModel(GEMFILE);
    const by = (name: string) => g.gems.find((x) => x.name === name)!;
    assert.deepEqual(g.gems.map((x) => x.name), [
      'rails', 'pg', 'puma', 'sidekiq-pro', 'local_thing', 'forked', 'tzinfo-data', 'rspec-rails', 'debug', 'simplecov', 'lograge',
      'activerecord-jdbc-adapter', 'secret_sauce', 'acme-core', 'redis',
    ]);
    assert.deepEqual(by('rails').requirements, ['~> 7.2.2', '>= 7.2.2.1']);
    assert.deepEqual(by('rails').groups, ['default']);
    assert.equal(by('pg').requireFalse, true);
    assert.deepEqual(by('pg').requirementInsertAt, { line: 8, character: 18 });
    assert.equal(by('puma').dynamicRequirement, true);
    assert.deepEqual(by('sidekiq-pro').source, { type: 'source', value: 'https://gems.contribsys.com/' });
    assert.deepEqual(by('local_thing').source, { type: 'path', value: 'vendor/local_thing' });
    assert.deepEqual(by('forked').source, { type: 'github', value: 'acme/forked' });
    assert.deepEqual(by('tzinfo-data').platforms, ['windows', 'jruby']);
    assert.deepEqual(by('rspec-rails').groups, ['development', 'test']);
    assert.deepEqual(by('debug').groups, ['development', 'test']);
    assert.deepEqual(by('debug').platforms, ['mri', 'windows']);
    assert.equal(by('debug').requireFalse, false);
    assert.deepEqual(by('simplecov').groups, ['development', 'test', 'ci']);
    assert.deepEqual(by('lograge').groups, ['production']);
    assert.deepEqual(by('activerecord-jdbc-adapter').platforms, ['jruby']);
    assert.deepEqual(by('secret_sauce').source, { type: 'source', value: 'https://enterprise.example.com' });
    assert.deepEqual(by('acme-core').source, { type: 'git', value: 'https://github.com/acme/monorepo.git' });
    assert.deepEqual(by('redis').requirements, ['~> 5.0']);
    assert.deepEqual(by('rails').nameRange, { start: { line: 7, character: 4 }, end: { line: 7, character: 11 } });
  });

  test('runtime versus development/test, gemspec, ruby, sources, placement anchors', () => {
    const g = gemfileModel(GEMFILE);
    const by = (name: string) => g.gems.find((x) => x.name === name)!;
    assert.equal(isRuntimeEntry(by('rails')), true);
    assert.equal(isRuntimeEntry(by('lograge')), true, 'production is loaded in production');
    assert.equal(isRuntimeEntry(by('debug')), false);
    assert.equal(isRuntimeEntry(by('simplecov')), true, 'a custom group (ci) is not known to be dev-only');
    assert.equal(isRuntimeEntry(by('rspec-rails')), false);
    assert.deepEqual(g.gemspecs.map((s) => [s.line, s.path, s.name, s.developmentGroup]), [[5, 'engines/billing', 'billing', 'development']]);
    assert.deepEqual(g.ruby, { version: '3.3.6', line: 3 });
    assert.deepEqual(g.sources, ['https://rubygems.org']);
    assert.equal(g.lastTopLevelGemLine, 14, 'gem dynamic_name is skipped, rspec-rails is the last literal top-level gem');
    assert.equal(g.lastTopLevelPreambleLine, 3);
    assert.deepEqual(g.groupBlocks.map((b) => [b.groups, b.startLine, b.endLine, b.indent]), [
      [['development', 'test'], 17, 22, ''], [['ci'], 19, 21, '  '], [['production'], 24, 26, ''],
    ]);
    assert.equal(by('simplecov').groupBlock?.startLine, 19);
    assert.equal(g.quote, '"');
  });

  test('odd input never throws', () => {
    for (const text of ['', 'gem', 'gem "', 'group :x do\n gem "a"\n', 'gem "a", *REQS, **OPTS', '\u0000\u0001', 'group(:a) { gem "b" }']) {
      assert.doesNotThrow(() => gemfileModel(text), text);
    }
    assert.deepEqual(gemfileModel('group(:a) { gem "b" }').gems.map((x) => [x.name, x.groups]), [['b', ['a']]]);
    assert.equal(gemfileModel("gem 'a'\ngem 'b'\ngem \"c\"\n").quote, "'");
  });
});
