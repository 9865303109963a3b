// Where code runs, which decides how much a query hazard costs: a request waits for it, a background
// job holds a worker, an offline task (rake, script, seeds, import) runs once by hand, test code never
// meets production data.
import type { FileKind } from '../core/rule';
import type { Node } from '../parsing/treeSitter';

export type Impact = 'request' | 'background' | 'offline' | 'test';

export interface ImpactInfo {
  impact: Impact;
  /** What made it so, for messages: "a rake task". */
  why: string;
  /** A back-office page only staff reach (an admin namespace, a controller gated on an admin or moderator check). */
  staff?: string;
  /** Seed data: it runs against the database it fills, so "every row" is the rows it created. */
  seeds?: boolean;
}

/** `app/controllers/admin/…`, `app/views/admin/…`, `admins_controller.rb`: back-office pages by their path. */
const STAFF_PATH = /(^|\/)app\/(controllers|views|helpers)\/(.*\/)?(admin|admins|backoffice|back_office|staff)\/|(^|\/)app\/controllers\/(.*\/)?admins?_controller\.rb$/;
/** `before_action :require_admin`, `:redirect_unless_moderator`, `:authenticate_admin_user!`: a staff gate. */
export const STAFF_GATE = /(^|_)(admin|admins|moderator|moderators|staff|superuser|super_admin|superadmin)(_|!|\?|$)/;

/** The same impact, marked as a back-office page when its path says so. */
export function withStaffPath(info: ImpactInfo, relative: string): ImpactInfo {
  return info.impact === 'request' && STAFF_PATH.test(relative.replace(/\\/g, '/')) ? { ...info, staff: 'an admin page' } : info;
}

const TEST = /(^|\/)(spec|test|features)\//;
/**
 * Migrations moved out of db/migrate when an app squashed its history (lobsters' db/old_migrations): Rails runs only
 * its migrations paths (db/migrate and below), so these never run again.
 */
const ARCHIVED_MIGRATIONS = /(^|\/)db\/(old|archived?|legacy|obsolete|squashed|previous)[_-]?migrat(e|ions?)\//;
/** Seeds for a developer's or a test database (`db/seeds/development/`, `db/seeds/test.rb`): never run on production data. */
const DEVELOPMENT_SEEDS = /(^|\/)db\/seeds?\/(development|dev|test|local)(\/|\.rb$|\.seeds\.rb$)|(^|\/)db\/seeds?[._](development|dev|test|local)\.rb$/;
/** Offline paths, what they are, and whether they hold seed data (which runs against the database it fills). */
const OFFLINE: [RegExp, string, 'seeds'?][] = [
  [/(^|\/)lib\/tasks\/.*\.rake$/, 'a rake task'],
  [/\.rake$/, 'a rake task'],
  [/(^|\/)lib\/tasks\//, 'code rake tasks load (lib/tasks)'],
  [/(^|\/)(default|sample|demo|seed)_data(\/|\.rb$)/, 'seed data', 'seeds'],
  [/(^|\/)script\//, 'a script'],
  [/(^|\/)bin\//, 'a script in bin/'],
  [/(^|\/)db\/seeds?(\.rb$|\/)/, 'seed data', 'seeds'],
  [/(^|\/)db\/(migrate|post_migrate|data|data_migrate|[a-z_]+_migrate)\//, 'a data migration'],
  [/(^|\/)([a-z_]*seeders?|seeds)(\/|\.rb$|_[a-z_]*\.rb$)/, 'a seeder', 'seeds'],
  [/(^|\/)lib\/(.*\/)?(import|export)[a-z_]*(\/|\.rb$)/, 'an import/export script'],
  [/(^|\/)lib\/(.*\/)?[a-z_]*_(importer|exporter|import|export)\.rb$/, 'an import/export script'],
  [/(^|\/)lib\/(.*\/)?cli(\/|\.rb$)/, 'a command-line tool'],
  [/(^|\/)lib\/(.*\/)?[a-z_]+_cli\.rb$/, 'a command-line tool'],
  [/(^|\/)app\/(.*\/)?[a-z_]*maintenance[a-z_]*(\/|\.rb$)/, 'a maintenance command'],
  [/(^|\/)app\/(.*\/)?(one_?time|one_?off)[a-z_]*(\/|\.rb$)/, 'a one-off job'],
  [/(^|\/)app\/(.*\/)?backfill[a-z_]*\.rb$/, 'a one-off backfill'],
];

/** The impact of a file from its path relative to the app root (and its kind); `offline` adds configured globs. */
export function impactOf(relative: string, kind: FileKind, offline: RegExp[] = []): ImpactInfo {
  const p = relative.replace(/\\/g, '/').replace(/^\/+/, '');
  if (TEST.test(p)) return { impact: 'test', why: 'test code' };
  if (DEVELOPMENT_SEEDS.test(p)) return { impact: 'test', why: 'development seed data' };
  if (ARCHIVED_MIGRATIONS.test(p)) return { impact: 'test', why: 'archived migrations, which Rails no longer runs' };
  for (const re of offline) if (re.test(p)) return { impact: 'offline', why: 'offline code (queries.offlinePaths)' };
  for (const [re, why, seeds] of OFFLINE) if (re.test(p)) return seeds ? { impact: 'offline', why, seeds: true } : { impact: 'offline', why };
  if (kind === 'migration') return { impact: 'offline', why: 'a data migration' };
  if (kind === 'job') return { impact: 'background', why: 'a background job' };
  return { impact: 'request', why: kind === 'view' ? 'a view' : kind === 'controller' ? 'a controller' : 'code a request can run' };
}

const SEEDS = /(^|\/)db\/seeds?(\/|\.rb$)/;
const PRODUCTION = /^Rails\.env\.production\?$/;
/** Statements that leave a seed file: `return`, `abort(…)`, `exit`, `raise …`. */
const LEAVES = /^(return|abort|exit|exit!|raise)\b/;

/**
 * Seed data that stops first thing in production (human-essentials' db/seeds.rb opens with `if Rails.env.production?
 * … return end`; also `return if Rails.env.production?`, `abort` or `raise` instead of `return`): it fills a
 * developer's database with demo rows and never meets production data. Only the file's first statement counts.
 */
export function seedsStopInProduction(relative: string, root: Node): ImpactInfo | undefined {
  if (!SEEDS.test(relative.replace(/\\/g, '/'))) return undefined;
  const first = root.namedChildren.find((c) => !!c && c.type !== 'comment');
  if (first?.type !== 'if' && first?.type !== 'if_modifier') return undefined;
  if (!PRODUCTION.test(first.childForFieldName('condition')?.text.trim() ?? '') || first.childForFieldName('alternative')) return undefined;
  // `if … then return end` holds its statements in a `then`; `return if …` has the one statement as its body.
  const body = first.childForFieldName(first.type === 'if' ? 'consequence' : 'body');
  const statements = body?.type === 'then' ? body.namedChildren : body ? [body] : [];
  return statements.some((c) => !!c && c.type !== 'comment' && LEAVES.test(c.text.trim()))
    ? { impact: 'test', why: 'seed data that stops in production (`Rails.env.production?`)' } : undefined;
}
