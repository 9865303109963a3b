import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { AppFacts } from '../../../server/src/core/appFacts';
import type { HoverInput } from '../../../server/src/core/hover';
import { DEPENDENCY_FACTS_KEY, type DependencyFacts } from '../../../server/src/lockfile/facts';
import { lockfileHover } from '../../../server/src/hovers/lockfile';
import { parseRuby } from '../../../server/src/parsing/treeSitter';
import { APP_ROOT, initParsers } from '../../helpers/ruleTester';
import { depsApp, GEMFILE, lockfile } from '../../helpers/lockfiles';

before(initParsers);

function hover(text: string, line: number, character: number, app: AppFacts, kind: 'lockfile' | 'gemfile' = 'lockfile') {
  const derived = new Map<string, unknown>();
  const tree = kind === 'gemfile' ? parseRuby(text) : undefined;
  const input: HoverInput = {
    file: path.join(APP_ROOT, kind === 'gemfile' ? 'Gemfile' : 'Gemfile.lock'), text, kind, tree, app, position: { line, character },
    derive: <T>(key: string, compute: () => T): T => {
      if (!derived.has(key)) derived.set(key, compute());
      return derived.get(key) as T;
    },
  };
  try { return lockfileHover.hover(input); } finally { tree?.delete(); }
}

const POOL = `**connection_pool 3.0.2** · runtime

- Source: rubygems https://rubygems.org/
- Gemfile: not named (transitive)
- Allowed range: \`>= 2.3.0\`, no upper bound; next major (4) allowed: **yes**
- At base (main via --base, 01234567): 2.5.5 → 3.0.2, **crossed a major version**

**Depended on by** (4 gems)
- activesupport 7.2.2.1: \`>= 2.2.5\` (floor only)
- react-rails 3.2.1: \`>= 0\` (floor only)
- redis-client 0.23.2: \`>= 0\` (floor only)
- sidekiq 7.3.9: \`>= 2.3.0\` (floor only)

**Known breaking changes**
- **connection_pool 3.0** changed keyword arguments everywhere (\`TimedStack#pop(timeout:)\`, \`checkout(timeout:)\`, \`reap(idle_seconds:)\`) and Ruby >= 3.2. With your sidekiq 7.3.9: the scheduler thread dies at boot (\`@sleeper.pop(total)\` raises ArgumentError): scheduled jobs and retries silently stop. Fixed in sidekiq 7.3.10. [connection_pool#212](https://github.com/mperham/connection_pool/issues/212), [sidekiq#6932](https://github.com/sidekiq/sidekiq/issues/6932), [rails#57002](https://github.com/rails/rails/issues/57002)`;

describe('Gemfile.lock hover', () => {
  test('on a spec line: version, source, Gemfile, range, base crossing, dependants, known break', () => {
    const r = hover(lockfile(), 10, 6, depsApp({ base: lockfile('2.5.5') }));
    assert.equal(r?.markdown, POOL);
    assert.deepEqual(r?.range, { start: { line: 10, character: 4 }, end: { line: 10, character: 19 } });
  });

  test('the same text on a dependency line and the name under the cursor only', () => {
    const app = depsApp({ base: lockfile('2.5.5') });
    assert.equal(hover(lockfile(), 6, 6, app)?.markdown, POOL);
    assert.deepEqual(hover(lockfile(), 6, 6, app)?.range, { start: { line: 6, character: 6 }, end: { line: 6, character: 21 } });
    assert.equal(hover(lockfile(), 6, 25, app), undefined, 'on the requirement, not the name');
    assert.equal(hover(lockfile(), 0, 1, app), undefined, 'on a section header');
  });

  test('on DEPENDENCIES: the Gemfile requirement and a bounded range; without base, no base line', () => {
    const text = lockfile();
    const line = text.split('\n').findIndex((l) => l === '  sidekiq (~> 7.3)');
    assert.equal(hover(text, line, 3, depsApp())?.markdown, `**sidekiq 7.3.9** · runtime

- Source: rubygems https://rubygems.org/
- Gemfile: \`~> 7.3\` (line 6, groups: default)
- Allowed range: \`>= 7.3, < 8\`; next major (8) allowed: no

**Depended on by** (0 gems and the Gemfile)
- Gemfile: \`~> 7.3\``);
  });

  test('development/test only, GIT source, platform variants, a Gemfile change not yet locked', () => {
    const lock = `GIT
  remote: https://github.com/ruby/debug.git
  revision: 0123456789abcdef0123456789abcdef01234567
  branch: master
  specs:
    debug (1.10.0)
      irb (~> 1.10)

GEM
  remote: https://rubygems.org/
  specs:
    irb (1.15.1)
    nokogiri (1.18.2-arm64-darwin)
    nokogiri (1.18.2-x86_64-linux-gnu)

PLATFORMS
  arm64-darwin
  x86_64-linux

DEPENDENCIES
  debug!
  nokogiri
`;
    const gemfile = 'source "https://rubygems.org"\ngem "nokogiri", ">= 1.16"\ngroup :development, :test do\n  gem "debug", github: "ruby/debug"\nend\n';
    const app = depsApp({ gemfile });
    assert.equal(hover(lock, 5, 5, app)?.markdown, `**debug 1.10.0** · development/test only

- Source: git https://github.com/ruby/debug.git at 0123456789ab (branch master)
- Gemfile: any version (line 4, groups: development, test), explicit source (\`!\`)
- Allowed range: \`>= 0\`, no upper bound; next major (2) allowed: **yes**

**Depended on by** (0 gems and the Gemfile)
- Gemfile: \`>= 0\` (floor only)`);
    assert.equal(hover(lock, 12, 6, app)?.markdown, `**nokogiri 1.18.2** · runtime

- Source: rubygems https://rubygems.org/; platforms: arm64-darwin, x86_64-linux-gnu
- Gemfile: \`>= 1.16\` (line 2, groups: default) — changed since the last \`bundle lock\`
- Allowed range: \`>= 1.16\`, no upper bound; next major (2) allowed: **yes**

**Depended on by** (0 gems and the Gemfile)
- Gemfile: \`>= 0\` (floor only)
- Gemfile (not yet locked): \`>= 1.16\` (floor only)`);
  });

  test('a name that is not locked', () => {
    const lock = 'GEM\n  remote: https://rubygems.org/\n  specs:\n    rails (7.2.2.1)\n      bundler (>= 1.15.0)\n\nDEPENDENCIES\n  rails\n  missing (~> 1.0)\n';
    assert.equal(hover(lock, 4, 8, depsApp())?.markdown, '**bundler**\n\nNot locked in this Gemfile.lock.\n\n**Depended on by** (1 gem)\n- rails 7.2.2.1: `>= 1.15.0`');
    assert.equal(hover(lock, 8, 3, depsApp())?.markdown,
      '**missing**\n\nNot locked in this Gemfile.lock (the Gemfile asks for ~> 1.0; run `bundle lock`).\n\n**Depended on by** (0 gems and the Gemfile)\n- Gemfile: `~> 1.0`');
  });

  test('on a gem line in the Gemfile: the same text, from the app lockfile', () => {
    const base = depsApp({ base: lockfile('2.5.5') });
    const deps = base.shared.get(DEPENDENCY_FACTS_KEY) as DependencyFacts;
    const app = { ...base, shared: new Map([[DEPENDENCY_FACTS_KEY, { ...deps, currentLockfile: () => ({ text: lockfile(), file: path.join(APP_ROOT, 'Gemfile.lock') }) }]]) };
    const gemfile = `${GEMFILE}gem "connection_pool"\n`;
    const line = gemfile.split('\n').length - 2;
    const r = hover(gemfile, line, 2, app, 'gemfile');
    assert.equal(r?.markdown, POOL.replace('- Gemfile: not named (transitive)', '- Gemfile: any version (line 12, groups: default) — added since the last `bundle lock`'));
    assert.deepEqual(r?.range, { start: { line, character: 4 }, end: { line, character: 21 } });
    assert.equal(hover(gemfile, 0, 2, app, 'gemfile'), undefined, 'not on a gem line');
  });
});
