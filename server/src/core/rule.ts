// The shape of a rule module. Rules are pure: tree and project facts in, reports out; no IO.
import type { Node, Tree } from '../parsing/treeSitter';
import type { AppFacts } from './appFacts';
import type { Fix, FixSafety, Range, RelatedLocation, Severity } from './types';

export type FileKind =
  | 'migration' | 'model' | 'controller' | 'view' | 'job' | 'ruby'
  | 'gemfile' | 'lockfile' | 'schema' | 'config'
  /** config/database.yml: YAML, no Ruby tree. */
  | 'database-yml';

export type RuleArea = 'migrations' | 'callbacks' | 'queries' | 'dependencies' | 'capacity' | 'redis' | 'concurrency' | 'jobs';

/** Every area, in the order docs and the registry list them. */
export const RULE_AREAS: readonly RuleArea[] = ['migrations', 'dependencies', 'callbacks', 'queries', 'capacity', 'redis', 'concurrency', 'jobs'];

export interface RuleMeta {
  /** `<area>/<kebab-name>`: the rule file, test, docs page, diagnostic code and suppression token. */
  id: string;
  description: string;
  defaultSeverity: Severity;
  /** The safety of the rule's quick fixes, or 'none' when it has none. */
  fix: FixSafety | 'none';
  fileKinds: FileKind[];
  /** Opt-in rules are off unless configured. */
  enabledByDefault?: boolean;
}

export interface Report {
  node?: Node;
  range?: Range;
  /** The whole text; split into a headline and a detail unless `headline` is given (then optional). */
  message?: string;
  /** An explicit headline (at most ~100 characters); `message` then becomes headline + detail. */
  headline?: string;
  detail?: string;
  fixes?: Fix[];
  /** Overrides the configured severity downwards, e.g. when a gem makes the operation safe at run time. */
  severity?: Severity;
  /** Other places the finding rests on (a method the loop calls that reads the association): evidence. */
  related?: RelatedLocation[];
}

/** Node handlers keyed by tree-sitter node type; `end` runs after the traversal (and alone for files without a tree). */
export type Visitor = { [nodeType: string]: ((node: Node) => void) | undefined } & { end?: () => void };

export interface RuleContext {
  readonly file: string;
  readonly text: string;
  readonly kind: FileKind;
  /** Ruby tree (for ERB views, the tree of the template's Ruby projection); absent for non-Ruby files. */
  readonly tree: Tree | undefined;
  readonly app: AppFacts;
  readonly severity: Severity;
  report(report: Report): void;
  /** Memoizes a value derived from this file's tree for all rules of this analysis (e.g. the migration model). */
  derive<T>(key: string, compute: () => T): T;
}

export interface Rule {
  meta: RuleMeta;
  create(ctx: RuleContext): Visitor;
}

export function defineRule(rule: Rule): Rule {
  if (!/^(migrations|callbacks|queries|dependencies|capacity|redis|concurrency|jobs)\/[a-z0-9]+(-[a-z0-9]+)*$/.test(rule.meta.id)) {
    throw new Error(`invalid rule id ${rule.meta.id}`);
  }
  return rule;
}

export const DOCS_BASE_URL = 'https://github.com/rails-hazards/rails-hazards/blob/main/docs/rules/';

export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE_URL}${ruleId}.md`;
}
