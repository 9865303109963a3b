/**
 * Known breaking releases of low-level gems that reach Rails apps as transitive updates
 * (shared/research/n-plus-one-callbacks-lockfile.md §C.6). Shown in messages and hovers when the
 * locked or incoming version is at or past `version` and, for `affects`, when a locked dependant
 * satisfies the requirement.
 *
 * Pure data + matching; no IO.
 */
import { GemRequirement } from './gemRequirement';
import { GemVersion } from './gemVersion';

export interface KnownBreakingAffected {
  /** A locked gem whose presence at a matching version makes the break apply. */
  gem: string;
  requirement: string;
  /** What happens to that gem. */
  effect: string;
  /** The first version of that gem that works with the break (when a pin can be dropped). */
  fixedIn?: string;
}

export interface KnownBreaking {
  gem: string;
  /** First version with the break. */
  version: string;
  /** Major (or minor) line label, e.g. "3.0". */
  label: string;
  /** What changed, in one sentence. */
  change: string;
  affects: KnownBreakingAffected[];
  /** Where it was reported / fixed. */
  links: string[];
}

export const KNOWN_BREAKING: readonly KnownBreaking[] = [
  {
    gem: 'connection_pool', version: '3.0.0', label: '3.0',
    change: 'keyword arguments everywhere (`TimedStack#pop(timeout:)`, `checkout(timeout:)`, `reap(idle_seconds:)`) and Ruby >= 3.2',
    affects: [
      { gem: 'sidekiq', requirement: '<= 7.3.9', fixedIn: '7.3.10', effect: 'the scheduler thread dies at boot (`@sleeper.pop(total)` raises ArgumentError): scheduled jobs and retries silently stop' },
      { gem: 'sidekiq', requirement: '>= 8.0.0, < 8.0.10', fixedIn: '8.0.10', effect: 'the scheduler thread dies at boot (`@sleeper.pop(total)` raises ArgumentError): scheduled jobs and retries silently stop' },
    ],
    links: ['https://github.com/mperham/connection_pool/issues/212', 'https://github.com/sidekiq/sidekiq/issues/6932', 'https://github.com/rails/rails/issues/57002'],
  },
  {
    gem: 'concurrent-ruby', version: '1.3.5', label: '1.3.5',
    change: 'no longer requires `logger`',
    affects: [
      { gem: 'activesupport', requirement: '< 7.1', fixedIn: '7.1', effect: 'boot fails with `uninitialized constant ActiveSupport::LoggerThreadSafeLevel::Logger` unless `require "logger"` comes first' },
    ],
    links: ['https://github.com/rails/rails/issues/54260', 'https://github.com/ruby-concurrency/concurrent-ruby/issues/1077'],
  },
  {
    gem: 'psych', version: '4.0.0', label: '4.0',
    change: '`YAML.load` became `safe_load` with aliases off',
    affects: [
      { gem: 'railties', requirement: '< 7.0', fixedIn: '7.0', effect: '`config_for` / database.yml with aliases raise `Psych::BadAlias`' },
    ],
    links: ['https://github.com/rails/rails/issues/42528', 'https://github.com/ruby/irb/issues/703'],
  },
  {
    gem: 'mail', version: '2.8.0', label: '2.8',
    change: 'sendmail/exim `:arguments` must be an Array',
    affects: [
      { gem: 'actionmailer', requirement: '< 7.1', fixedIn: '7.1', effect: 'delivery raises `ArgumentError (:arguments expected to be an Array of individual string args)`' },
    ],
    links: ['https://github.com/mikel/mail/issues/1538', 'https://github.com/rails/rails/issues/46650'],
  },
  {
    gem: 'minitest', version: '6.0.0', label: '6.0',
    change: 'new runner API and `minitest/mock` moved to the minitest-mock gem',
    affects: [
      { gem: 'railties', requirement: '< 8.0.5', fixedIn: '8.0.5', effect: '`bin/rails test` fails (`line_filtering.rb`: wrong number of arguments)' },
      { gem: 'railties', requirement: '>= 8.1.0, < 8.1.2', fixedIn: '8.1.2', effect: '`bin/rails test` fails (`line_filtering.rb`: wrong number of arguments)' },
    ],
    links: ['https://github.com/minitest/minitest/issues/1045'],
  },
  {
    gem: 'sprockets', version: '4.0.0', label: '4.0',
    change: 'requires `app/assets/config/manifest.js`',
    affects: [],
    links: ['https://github.com/thoughtbot/administrate/issues/1452'],
  },
  {
    gem: 'redis', version: '5.0.0', label: '5.0',
    change: 'rewritten on redis-client; `Redis.current` removed',
    affects: [
      { gem: 'actioncable', requirement: '< 7.0.4', fixedIn: '7.0.4', effect: 'boot fails: `can\'t activate redis (>= 3, < 5), already activated redis-5.0.0`' },
    ],
    links: ['https://github.com/redis/redis-rb/issues/1141', 'https://github.com/rails/rails/pull/45856'],
  },
  {
    gem: 'rack', version: '3.0.0', label: '3.0',
    change: 'rack-session and rackup split out, stricter headers',
    affects: [],
    links: ['https://github.com/rails/rails/pull/46594'],
  },
  {
    gem: 'faraday', version: '2.0.0', label: '2.0',
    change: 'adapters moved out to separate gems (faraday-net_http, faraday-retry)',
    affects: [],
    links: ['https://github.com/octokit/octokit.rb/issues/1411'],
  },
];

export interface KnownBreakingMatch {
  entry: KnownBreaking;
  /** Locked dependants the break applies to, with their locked versions. */
  affected: { gem: string; version: string; effect: string; fixedIn?: string }[];
}

/**
 * Entries for `gem` that a move from `from` (undefined: unknown) to `to` crosses, i.e. `from < version <= to`
 * (or `version <= to` without `from`), with the locked gems they affect.
 */
export function knownBreakingCrossed(gem: string, from: string | undefined, to: string, locked: ReadonlyMap<string, string>): KnownBreakingMatch[] {
  const toV = GemVersion.parse(to);
  if (!toV) return [];
  const fromV = from !== undefined ? GemVersion.parse(from) : undefined;
  return KNOWN_BREAKING.filter((e) => {
    if (e.gem !== gem) return false;
    const v = GemVersion.of(e.version);
    return toV.compare(v) >= 0 && (!fromV || fromV.compare(v) < 0);
  }).map((entry) => ({ entry, affected: affectedBy(entry, locked) }));
}

/** Entries for `gem` at or below the next major of `locked` and above `locked`: breaks that could arrive next. */
export function knownBreakingAhead(gem: string, lockedVersion: string, locked: ReadonlyMap<string, string>): KnownBreakingMatch[] {
  const cur = GemVersion.parse(lockedVersion);
  if (!cur) return [];
  return KNOWN_BREAKING.filter((e) => e.gem === gem && GemVersion.of(e.version).compare(cur) > 0)
    .map((entry) => ({ entry, affected: affectedBy(entry, locked) }));
}

function affectedBy(entry: KnownBreaking, locked: ReadonlyMap<string, string>): KnownBreakingMatch['affected'] {
  const out: KnownBreakingMatch['affected'] = [];
  for (const a of entry.affects) {
    const version = locked.get(a.gem);
    const v = version !== undefined ? GemVersion.parse(version) : undefined;
    const req = GemRequirement.parse(a.requirement);
    if (v && req && req.isSatisfiedBy(v) && !out.some((o) => o.gem === a.gem)) {
      out.push({ gem: a.gem, version: version!, effect: a.effect, ...(a.fixedIn ? { fixedIn: a.fixedIn } : {}) });
    }
  }
  return out;
}

/** One-line summary: `connection_pool 3.0 (keyword arguments …) breaks sidekiq 7.3.9: the scheduler …`. */
export function describeBreaking(m: KnownBreakingMatch): string {
  const head = `${m.entry.gem} ${m.entry.label} changed ${m.entry.change}`;
  if (m.affected.length === 0) return `${head}.`;
  return `${head}; with your ${m.affected.map((a) => `${a.gem} ${a.version}`).join(', ')}: ${m.affected[0].effect}.`;
}

/** ` Drop the pin once sidekiq >= 7.3.10.` when every affected gem has a fixed version, else ''. */
export function dropPinNote(m: KnownBreakingMatch | undefined): string {
  if (!m || m.affected.length === 0 || m.affected.some((a) => !a.fixedIn)) return '';
  return ` Drop the pin once ${m.affected.map((a) => `${a.gem} >= ${a.fixedIn}`).join(' and ')}.`;
}
