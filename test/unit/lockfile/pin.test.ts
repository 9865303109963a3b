import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParsers } from '../../helpers/ruleTester';
import { gemfileModel, lockfile } from '../../helpers/lockfiles';
import { parseLockfile } from '../../../server/src/lockfile/lockfileParser';
import { buildGraph } from '../../../server/src/lockfile/graph';
import { planPin } from '../../../server/src/lockfile/pin';
import { ignoreGemEdit } from '../../../server/src/lockfile/ignoreEdit';
import { applyEdits } from '../../../server/src/parsing/rubyEdits';

before(initParsers);

function pin(gemfile: string, gem: string, reqs: string[], lock = lockfile()): string {
  const model = gemfileModel(gemfile);
  const graph = buildGraph(parseLockfile(lock), model);
  const plan = planPin(graph.gems.get(gem)!, reqs, graph, model, '/app/Gemfile', 'why');
  assert.ok(plan.fix, plan.conflict);
  return applyEdits(gemfile, plan.fix!.edits);
}

describe('Pin <gem> in Gemfile', () => {
  test('a gem only pulled in from one group block is pinned inside that block', () => {
    const gemfile = 'source "https://rubygems.org"\ngem "rails"\n\ngroup :development, :test do\n  gem "debug"\nend\n';
    assert.equal(pin(gemfile, 'irb', ['~> 1.15']),
      'source "https://rubygems.org"\ngem "rails"\n\ngroup :development, :test do\n  gem "debug"\n  # why\n  gem "irb", "~> 1.15"\nend\n');
  });

  test('a dev/test gem pulled in from several blocks goes to the top level with its groups', () => {
    const gemfile = 'gem "rails"\ngroup :development do\n  gem "debug"\nend\ngroup :test do\n  gem "debug"\nend\n';
    assert.equal(pin(gemfile, 'irb', ['~> 1.15']), 'gem "rails"\n# why\ngem "irb", "~> 1.15", group: [:development, :test]\ngroup :development do\n  gem "debug"\nend\ngroup :test do\n  gem "debug"\nend\n');
  });

  test('no top-level gem line: after source/ruby; nothing at all: at the top; single quotes follow the file', () => {
    assert.equal(pin("source 'https://rubygems.org'\nruby '3.3.6'\n", 'connection_pool', ['~> 2.5']),
      "source 'https://rubygems.org'\nruby '3.3.6'\n\n# why\ngem 'connection_pool', '~> 2.5'\n");
    assert.equal(pin('', 'connection_pool', ['~> 2.5']), '# why\ngem "connection_pool", "~> 2.5"\n\n');
  });

  test('a gem already named is edited in place, every entry of it', () => {
    const gemfile = 'gem "rails"\ngem "redis-client", platforms: :mri\ngem "redis-client", platforms: :jruby\n';
    assert.equal(pin(gemfile, 'redis-client', ['~> 0.23']), 'gem "rails"\ngem "redis-client", "~> 0.23", platforms: :mri\ngem "redis-client", "~> 0.23", platforms: :jruby\n');
  });
});

describe('Ignore <gem> in .rails-hazards.yml', () => {
  const apply = (text: string | undefined, gem = 'pg') => {
    const e = ignoreGemEdit(gem, '/app/.rails-hazards.yml', text);
    return e ? (e.createFile ? e.newText : applyEdits(text!, [e])) : undefined;
  };
  test('creates the file, the section, the key, or appends to the list', () => {
    assert.equal(apply(undefined), 'dependencies:\n  ignore:\n    - pg\n');
    assert.equal(apply('rules:\n  x: off\n'), 'rules:\n  x: off\ndependencies:\n  ignore:\n    - pg\n');
    assert.equal(apply('rules:\n  x: off'), 'rules:\n  x: off\ndependencies:\n  ignore:\n    - pg\n');
    assert.equal(apply('dependencies:\n  baseRef: main\n'), 'dependencies:\n  ignore:\n    - pg\n  baseRef: main\n');
    assert.equal(apply('dependencies:\n  ignore:\n    - rack\n  baseRef: main\n'), 'dependencies:\n  ignore:\n    - rack\n    - pg\n  baseRef: main\n');
    assert.equal(apply('dependencies:\n    ignore:\n    - rack\n'), 'dependencies:\n    ignore:\n    - rack\n    - pg\n');
    assert.equal(apply('dependencies:\n  ignore: [rack]\n'), 'dependencies:\n  ignore: [rack, pg]\n');
    assert.equal(apply('dependencies:\n  ignore: []\n'), 'dependencies:\n  ignore: [pg]\n');
  });
  test('already ignored, or a shape it cannot edit safely: no edit', () => {
    assert.equal(apply('dependencies:\n  ignore: [pg]\n'), undefined);
    assert.equal(apply('dependencies:\n  ignore:\n    - "pg"\n'), undefined);
    assert.equal(apply('dependencies: { ignore: [rack] }\n'), undefined);
    assert.equal(apply('dependencies:\n  ignore: rack\n'), undefined);
  });
});
