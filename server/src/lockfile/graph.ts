/**
 * The dependency graph of a Gemfile.lock, optionally joined with the Gemfile: for every locked gem its
 * dependants with their requirement strings, the effective allowed range over all of them (and the
 * Gemfile), whether the next major is allowed, and whether it is reachable from the runtime groups.
 *
 * Pure module: no IO.
 */
import { describeRange, GemRequirement, intersectAllowsVersionAtOrAbove, isSatisfiable, type RequirementClass } from './gemRequirement';
import { GemVersion } from './gemVersion';
import { gemfileEntries, isRuntimeEntry, type Gemfile, type GemfileGem } from './gemfile';
import type { LockDependency, Lockfile, LockSource, LockSpec } from './lockfileParser';

export interface DependantEdge {
  /** The dependant gem's name; `Gemfile` for the DEPENDENCIES entry or the Gemfile's own requirement. */
  from: string;
  /** The dependant's locked version (absent for the Gemfile). */
  fromVersion?: string;
  /** Requirement as written in the lockfile ("" = any version), or the Gemfile's requirement strings joined. */
  requirement: string;
  /** Parsed requirement (undefined when malformed). */
  parsed?: GemRequirement;
  class: RequirementClass | 'malformed';
  /** 0-based line of the edge in the lockfile (the 6-space line or the DEPENDENCIES line); absent for Gemfile-only edges. */
  line?: number;
  /** `lockfile` for the lock's DEPENDENCIES entry, `gemfile` for a requirement read from the Gemfile itself. */
  origin: 'spec' | 'lockfile' | 'gemfile';
}

export interface GemNode {
  name: string;
  /** Locked specs (platform variants) in file order. */
  specs: LockSpec[];
  /** The locked version (of the first spec). */
  version: string;
  source?: LockSource;
  /** DEPENDENCIES entry (the Gemfile as Bundler last resolved it). */
  direct?: LockDependency;
  /** Entries in the current Gemfile. */
  gemfile: GemfileGem[];
  /** Dependants: spec edges first (file order), then the lockfile DEPENDENCIES edge, then the Gemfile edge. */
  dependants: DependantEdge[];
  /** Reachable from a Gemfile entry in a group production loads (or from an entry we could not place). */
  runtime: boolean;
}

export interface DependencyGraph {
  gems: Map<string, GemNode>;
  /** Names reachable from runtime roots. */
  runtime: Set<string>;
  /** Whether a Gemfile was available to classify groups. */
  hasGemfile: boolean;
}

export function buildGraph(lock: Lockfile, gemfile?: Gemfile): DependencyGraph {
  const gems = new Map<string, GemNode>();
  for (const spec of lock.specs) {
    let node = gems.get(spec.name);
    if (!node) {
      node = {
        name: spec.name, specs: [], version: spec.version, source: lock.sources[spec.sourceIndex],
        gemfile: gemfileEntries(gemfile, spec.name), dependants: [], runtime: false,
      };
      gems.set(spec.name, node);
    }
    node.specs.push(spec);
  }

  // Spec edges, platform variants of one dependant (same name, version and requirement) counted once.
  const seen = new Set<string>();
  for (const spec of lock.specs) {
    for (const dep of spec.dependencies) {
      const key = `${dep.name}\u0000${spec.name}\u0000${spec.version}\u0000${dep.requirement}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const target = gems.get(dep.name);
      if (!target) continue; // e.g. `bundler`, or a gem only locked for another platform
      target.dependants.push(edge(spec.name, spec.version, dep.requirement, dep.line, 'spec'));
    }
  }
  const seenDirect = new Set<string>();
  for (const d of lock.dependencies) {
    if (seenDirect.has(d.name)) continue;
    seenDirect.add(d.name);
    const target = gems.get(d.name);
    if (!target) continue;
    target.direct = d;
    target.dependants.push(edge('Gemfile', undefined, d.requirement, d.line, 'lockfile'));
  }
  // The Gemfile as it is now: a requirement added since the last `bundle lock` already bounds the gem.
  if (gemfile) {
    for (const node of gems.values()) {
      const reqs = node.gemfile.flatMap((g) => g.requirements);
      if (reqs.length === 0) continue;
      const text = GemRequirement.parse(reqs)?.toString() ?? reqs.join(', ');
      const lockReq = node.direct ? GemRequirement.parse(node.direct.requirement)?.toString() : undefined;
      if (lockReq === text) continue;
      node.dependants.push({ ...edge('Gemfile', undefined, reqs.join(', '), undefined, 'gemfile') });
    }
  }

  const runtime = runtimeReachable(lock, gems, gemfile);
  for (const name of runtime) {
    const n = gems.get(name);
    if (n) n.runtime = true;
  }
  return { gems, runtime, hasGemfile: !!gemfile };
}

function edge(from: string, fromVersion: string | undefined, requirement: string, line: number | undefined, origin: DependantEdge['origin']): DependantEdge {
  const parsed = GemRequirement.parse(requirement);
  const e: DependantEdge = { from, requirement, class: parsed ? parsed.classify() : 'malformed', origin };
  if (fromVersion !== undefined) e.fromVersion = fromVersion;
  if (parsed) e.parsed = parsed;
  if (line !== undefined) e.line = line;
  return e;
}

/**
 * Runtime roots: DEPENDENCIES entries whose Gemfile entries include a group production loads. Without
 * a Gemfile, or for an entry the Gemfile reading could not find (gemspec, eval_gemfile, dynamic code),
 * the entry counts as runtime: better a warning too many than a silent production gem.
 */
function runtimeReachable(lock: Lockfile, gems: Map<string, GemNode>, gemfile: Gemfile | undefined): Set<string> {
  const roots: string[] = [];
  for (const d of lock.dependencies) {
    const entries = gemfileEntries(gemfile, d.name);
    if (!gemfile || entries.length === 0 || entries.some(isRuntimeEntry)) roots.push(d.name);
  }
  // Gems added to the Gemfile since the last lock.
  if (gemfile) for (const g of gemfile.gems) if (isRuntimeEntry(g) && gems.has(g.name)) roots.push(g.name);
  // No DEPENDENCIES section (a truncated lockfile): every gem counts as runtime.
  if (lock.dependencies.length === 0) for (const name of gems.keys()) roots.push(name);

  const out = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (out.has(name)) continue;
    const node = gems.get(name);
    if (!node) continue;
    out.add(name);
    for (const spec of node.specs) for (const dep of spec.dependencies) if (!out.has(dep.name)) stack.push(dep.name);
  }
  return out;
}

/** Requirements of every edge into the gem that parsed. */
export function edgeRequirements(node: GemNode): GemRequirement[] {
  return node.dependants.map((d) => d.parsed).filter((r): r is GemRequirement => !!r);
}

/** True when no edge (dependant, DEPENDENCIES, Gemfile) bounds the gem from above. */
export function isFloating(node: GemNode): boolean {
  return !node.dependants.some((d) => d.parsed?.hasUpperBound() || d.class === 'malformed');
}

/** The effective allowed range, e.g. `>= 2.3.0 (no upper bound)`. */
export function effectiveRange(node: GemNode): string {
  return describeRange(edgeRequirements(node));
}

/** Whether the intersection of every edge admits the next major of the locked version. */
export function allowsNextMajor(node: GemNode): { allowed: boolean; next?: GemVersion } {
  const locked = GemVersion.parse(node.version);
  if (!locked) return { allowed: false };
  const next = locked.nextMajor();
  return { allowed: intersectAllowsVersionAtOrAbove(edgeRequirements(node), next), next };
}

/** Whether `pin` together with every dependant's requirement still admits some release. */
export function pinSatisfiesDependants(node: GemNode, pin: string[]): boolean {
  const p = GemRequirement.parse(pin);
  if (!p) return false;
  const reqs = node.dependants.filter((d) => d.origin === 'spec').map((d) => d.parsed).filter((r): r is GemRequirement => !!r);
  // Each dependant's requirement must accept some version the pin accepts.
  return reqs.every((r) => intersects([r, p])) && intersects([...reqs, p]);
}

function intersects(reqs: GemRequirement[]): boolean {
  return isSatisfiable(reqs);
}

/** Text shown for a requirement: `>= 2.2.5`, or `>= 0` for a bare name. */
export function requirementText(requirement: string): string {
  return requirement === '' ? '>= 0' : requirement;
}

/** Class label used in hovers and messages. */
export function classLabel(c: DependantEdge['class']): string {
  switch (c) {
    case 'unconstrained': return 'any version';
    case 'floor_only': return 'floor only';
    case 'bounded': return 'bounded';
    default: return 'malformed';
  }
}
