// What the code says about a table's size, for loops over "every row": the app's users and the rows that
// belong to something grow with use; a table that belongs to no other model holds lookup values, settings
// or tenants (trackers, statuses, categories, organisations), a handful to a few thousand rows. A loop over
// every row of such a table is not evidence of an unbounded loop, so its size is unknown. Teams can say
// otherwise in `queries.largeTables` / `queries.smallTables`.
import type { Node } from '../parsing/treeSitter';
import { bodyStatements, readCall } from '../parsing/ruby';
import { classify } from '../models/inflector';
import { registerModelExtractor, type ModelIndex, type ModelInfo } from '../models/modelIndex';

export type TableSize = 'large' | 'small' | 'root' | 'growing' | 'accounts';
export type TableSizes = (model: ModelInfo) => TableSize;

const AUTHENTICATES = new Set(['devise', 'has_secure_password', 'acts_as_authentic', 'authenticates_with_sorcery!', 'passwordless_with']);
/** The account tables of apps that authenticate by hand (Redmine, Danbooru): the users, always the largest. */
const ACCOUNT_NAMES = new Set(['User', 'Person', 'Account', 'Member', 'Customer']);
const KEY = 'queries.authenticates';
/** Reference data by name: a few hundred rows at most, however the model is associated. */
const REFERENCE_NAMES = new Set(['Locale', 'Language', 'Country', 'Currency', 'TimeZone', 'Timezone']);

registerModelExtractor((model: ModelInfo, body: Node) => {
  for (const stmt of bodyStatements(body)) {
    const call = readCall(stmt);
    if (call && !call.receiver && AUTHENTICATES.has(call.name)) { model.extra.set(KEY, true); return; }
  }
});

/** Classifies models by the size evidence the code gives; `large`/`small` name models (or tables) a team listed. */
export function tableSizes(models: ModelIndex, large: string[] = [], small: string[] = []): TableSizes {
  const cache = new Map<string, TableSize>();
  const listed = (list: string[], m: ModelInfo): boolean => list.includes(m.name) || list.includes(models.tableName(m));
  const userLike = (model: ModelInfo): boolean =>
    models.ancestry(model).some((m) => m.extra.get(KEY) === true || ACCOUNT_NAMES.has(m.name.split('::').pop()!));
  return (model) => {
    let size = cache.get(model.name);
    if (size) return size;
    const ancestry = models.ancestry(model);
    if (ancestry.some((m) => listed(large, m))) size = 'large';
    else if (ancestry.some((m) => listed(small, m))) size = 'small';
    else if (userLike(model)) size = 'accounts';
    else if (REFERENCE_NAMES.has(model.name.split('::').pop()!)) size = 'root';
    else {
      const table = models.tableName(model);
      const ownedBy = ancestry.some((m) => [...m.associations.values()].some((a) => {
        if (a.macro !== 'belongs_to') return false;
        if (a.polymorphic) return true;
        const target = models.target(m, a);
        // An owner the app does not define (an engine's model) still owns; `class_name: self.name` names nothing.
        if (!target) return a.className.split('::').pop() === classify(a.name) && !a.optional;
        // A tree's `parent` is the same table: it does not make rows belong to anything else.
        if (models.tableName(target) === table) return false;
        // `belongs_to :organization` and `belongs_to :coordinator, class_name: 'Enterprise'` are owners;
        // `belongs_to :default_status, class_name: 'IssueStatus'` (a setting) and `belongs_to :account_request,
        // optional: true` are references, which do not make the rows grow (unless they name a user).
        return (!a.optional && !a.name.startsWith('default_')) || userLike(target);
      }));
      size = ownedBy || referencesSeveral(ancestry, table) ? 'growing' : 'root';
    }
    cache.set(model.name, size);
    return size;
  };

  /** Tables that three or more models belong to (`belongs_to :organization` all over the app): tenants. */
  function ownedByMany(): Set<string> {
    return models.memo('queries.tenants', () => {
      const count = new Map<string, Set<string>>();
      for (const m of models.models()) {
        for (const a of m.associations.values()) {
          if (a.macro !== 'belongs_to' || a.optional || a.polymorphic) continue;
          const target = models.target(m, a);
          if (!target) continue;
          const t = models.tableName(target);
          let from = count.get(t);
          if (!from) count.set(t, from = new Set());
          from.add(models.tableName(m));
        }
      }
      return new Set([...count].filter(([, from]) => from.size >= 3).map(([t]) => t));
    });
  }

  /**
   * Optional references to two or more other tables (`belongs_to :raw_plaid_transaction, optional: true`,
   * `belongs_to :raw_stripe_transaction, optional: true`): a record that links rows of other tables, like hcb's
   * HashedTransaction and CanonicalPendingTransaction, grows with them. A lookup value or a setting references
   * nothing; a tenant (a table many models belong to) may reference a few rows (`belongs_to :account_request,
   * optional: true`) and still stays a tenant.
   */
  function referencesSeveral(ancestry: readonly ModelInfo[], table: string): boolean {
    if (ownedByMany().has(table)) return false;
    const targets = new Set<string>();
    for (const m of ancestry) {
      for (const a of m.associations.values()) {
        if (a.macro !== 'belongs_to' || a.name.startsWith('default_')) continue;
        const target = models.target(m, a);
        const name = target ? models.tableName(target) : a.className;
        if (name !== table) targets.add(name);
      }
    }
    return targets.size >= 2;
  }
}

/** Privileged roles are few by design: `User.where(admin: true)`, `User.staff`, `Moderator.all` (an STI subclass). */
const ROLE = /(^|[^a-z])(admins?|staff|moderators?|mods|approvers?|supervisors?|superusers?|managers?|editors?|owners?)([^a-z]|$)/i;

/** The accounts a relation selects are a privileged role (its model or a condition names one). */
export function roleSubset(model: ModelInfo, relationText: string | undefined): boolean {
  const last = model.name.split('::').pop()!;
  if (/(Admin|Staff|Moderator|Supervisor|Approver|Manager)s?$/.test(last)) return true;
  return !!relationText && ROLE.test(relationText.replace(/^[A-Z][\w:]*\.?/, ''));
}
