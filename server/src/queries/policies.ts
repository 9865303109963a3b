// Pundit policies as data: which policy methods let only staff in (`def index? = user&.auditor?`). A controller
// action that authorizes with one serves a back-office page, like one behind a staff before_action.
import type { Node, Tree } from '../parsing/treeSitter';
import { bodyStatements, constantText, literalName, type CallInfo } from '../parsing/ruby';

export interface PolicyInfo {
  name: string;
  superclass?: string;
  /** Policy methods whose whole body is a staff-role check → the roles, for messages ("auditors"). */
  staffMethods: Map<string, string>;
  /** Every method the policy defines (one it defines otherwise hides a parent's staff check). */
  defines: Set<string>;
}

/** `authorize @cards`, `authorize Transaction, :export?`, `authorize record, policy_class: AdminPolicy`. */
export interface Authorization { subject: string; query?: string; policyClass?: string }

/** Roles only staff hold, as a Ruby predicate names them: `admin?`, `is_moderator?`, `admin_or_auditor?`. */
const ROLE = '(?:admin|auditor|moderator|staff|superadmin|super_admin|superuser)';
const STAFF_PREDICATE = new RegExp(`^(?:is_)?(${ROLE}(?:_or_${ROLE})*)\\?$`);
/** `user&.auditor?`, `user.is_admin?`, `@user.admin?`, `current_user.staff?`, or a bare `admin?` helper. */
const TERM = /^(?:(?:@?user|current_user)\s*(?:&\.|\.)\s*)?(\w+\?)$/;

/** The roles a method body checks when it is nothing but staff-role predicates joined by `||`. */
export function staffOnly(body: Node | null): string | undefined {
  const statements = body ? [...bodyStatements(body)] : [];
  if (statements.length !== 1) return undefined;
  const terms = statements[0].text.replace(/^\(|\)$/g, '').split(/\s*\|\|\s*|\s+or\s+/);
  const roles: string[] = [];
  for (const term of terms) {
    const predicate = TERM.exec(term.trim())?.[1];
    const role = predicate ? STAFF_PREDICATE.exec(predicate)?.[1] : undefined;
    if (!role) return undefined;
    roles.push(...role.split('_or_').map((r) => `${r.replace(/_/g, ' ')}s`));
  }
  return roles.join(' and ');
}

export function extractPolicies(tree: Tree): PolicyInfo[] {
  const out: PolicyInfo[] = [];
  const visit = (node: Node, namespace: string[]): void => {
    for (const stmt of bodyStatements(node)) {
      if (stmt.type !== 'module' && stmt.type !== 'class') continue;
      const name = constantText(stmt.childForFieldName('name')) ?? '';
      const body = stmt.childForFieldName('body');
      const full = [...namespace, name];
      if (stmt.type === 'class' && name.endsWith('Policy') && body) {
        const info: PolicyInfo = { name: full.join('::'), staffMethods: new Map(), defines: new Set() };
        const superclass = constantText(stmt.childForFieldName('superclass')?.namedChildren[0]);
        if (superclass) info.superclass = superclass;
        for (const m of bodyStatements(body)) {
          const method = m.type === 'method' ? m.childForFieldName('name')?.text : undefined;
          const roles = method && !m.childForFieldName('parameters')?.namedChildren.length ? staffOnly(m.childForFieldName('body')) : undefined;
          if (method) info.defines.add(method);
          if (method && roles) info.staffMethods.set(method, roles);
        }
        out.push(info);
      }
      if (body) visit(body, full);
    }
  };
  visit(tree.rootNode, []);
  return out;
}

/** Reads a receiver-less `authorize` call; undefined for anything else. */
export function readAuthorization(call: CallInfo): Authorization | undefined {
  if (call.receiver || call.name !== 'authorize' || call.args.length === 0) return undefined;
  const [subject, query] = call.args;
  const policyClass = constantText(call.keywords.get('policy_class') ?? null) ?? undefined;
  const out: Authorization = { subject: subject.text };
  const q = query ? literalName(query) : undefined;
  if (q) out.query = q;
  if (policyClass) out.policyClass = policyClass;
  return out;
}
