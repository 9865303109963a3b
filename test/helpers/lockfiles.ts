// Small hand-written lockfiles and Gemfiles for the lockfile pack's tests, and AppFacts carrying
// in-memory dependency facts (the Gemfile, a base lockfile, .rails-hazards.yml) instead of disk and git.
import * as path from 'node:path';
import type { AppFacts } from '../../server/src/core/appFacts';
import { parseConfig } from '../../server/src/config/config';
import {
  DEPENDENCY_FACTS_KEY, readDependencySettings, type BaseLockfile, type DependencyFacts,
} from '../../server/src/lockfile/facts';
import { readGemfile, type Gemfile } from '../../server/src/lockfile/gemfile';
import { parseLockfile } from '../../server/src/lockfile/lockfileParser';
import { parseRuby } from '../../server/src/parsing/treeSitter';
import { APP_ROOT, appFacts } from './ruleTester';

export const GEMFILE = `source "https://rubygems.org"

ruby "3.3.6"

gem "rails", "~> 7.2.2"
gem "sidekiq", "~> 7.3"
gem "react-rails"

group :development, :test do
  gem "debug"
end
`;

/** A lockfile in the shape Bundler writes, with connection_pool at `pool` and sidekiq at `sidekiq`. */
export function lockfile(pool = '3.0.2', sidekiq = '7.3.9', extra = ''): string {
  return `GEM
  remote: https://rubygems.org/
  specs:
    activesupport (7.2.2.1)
      base64
      concurrent-ruby (~> 1.0, >= 1.3.1)
      connection_pool (>= 2.2.5)
      minitest (>= 5.1)
    base64 (0.2.0)
    concurrent-ruby (1.3.4)
    connection_pool (${pool})
    debug (1.10.0)
      irb (~> 1.10)
    irb (1.15.1)
    minitest (5.25.4)
    rails (7.2.2.1)
      activesupport (= 7.2.2.1)
    react-rails (3.2.1)
      connection_pool
    redis-client (0.23.2)
      connection_pool
    sidekiq (${sidekiq})
      connection_pool (>= 2.3.0)
      redis-client (>= 0.22.2)
${extra}
PLATFORMS
  x86_64-linux

DEPENDENCIES
  debug
  rails (~> 7.2.2)
  react-rails
  sidekiq (~> 7.3)

BUNDLED WITH
   2.5.22
`;
}

export interface DepsOptions {
  gemfile?: string;
  /** Base lockfile text; undefined: no base (outside git). */
  base?: string;
  /** `.rails-hazards.yml` text. */
  config?: string;
  gems?: boolean;
  /** Gems app code requires outside test/ and spec/. */
  requires?: string[];
}

export function gemfileModel(text: string): Gemfile {
  const tree = parseRuby(text);
  try { return readGemfile(tree, text); } finally { tree.delete(); }
}

/** AppFacts whose dependency facts come from strings. */
export function depsApp(options: DepsOptions = {}): AppFacts {
  const parsedConfig = options.config !== undefined ? parseConfig(options.config, path.join(APP_ROOT, '.rails-hazards.yml')).config : undefined;
  const facts = appFacts(parsedConfig ? { config: parsedConfig } : {});
  const gemfileText = options.gemfile ?? GEMFILE;
  const gemfile = gemfileModel(gemfileText);
  const base: BaseLockfile | undefined = options.base !== undefined
    ? { label: 'main via --base', commit: '0123456789abcdef0123456789abcdef01234567', lock: parseLockfile(options.base) }
    : undefined;
  const deps: DependencyFacts = {
    settings: readDependencySettings(parsedConfig?.sections.dependencies),
    gemfilePath: path.join(APP_ROOT, 'Gemfile'),
    gemfile: () => gemfile,
    baseLockfile: () => base,
    currentLockfile: () => undefined,
    configFile: () => ({ path: path.join(APP_ROOT, '.rails-hazards.yml'), text: options.config }),
    requiredOutsideTests: (gem) => options.requires?.includes(gem) ?? false,
  };
  facts.shared = new Map([[DEPENDENCY_FACTS_KEY, deps]]);
  return facts;
}

export const GEMFILE_PATH = path.join(APP_ROOT, 'Gemfile');

/** The ```<lang> blocks under a heading of a docs page (for lockfile rules, whose examples the parity test skips). */
export function docBlocks(docPath: string, heading: string, lang: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const markdown: string = require('node:fs').readFileSync(path.resolve(__dirname, '../../..', docPath), 'utf8');
  const start = markdown.indexOf(`\n${heading}`);
  const next = markdown.indexOf('\n## ', start + heading.length + 1);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(new RegExp('^\\s*```' + lang + '[^\\n]*\\n([\\s\\S]*?)^\\s*```', 'gm'))].map((m) => m[1]);
}
