/**
 * Error-tolerant Gemfile.lock parser.
 *
 * Grammar (as Bundler writes it): non-indented section headers (`GEM`, `GIT`, `PATH`, `PLUGIN SOURCE`,
 * `PLATFORMS`, `DEPENDENCIES`, `CHECKSUMS`, `RUBY VERSION`, `BUNDLED WITH`; other upper-case headers
 * are unknown sections and ignored). In a source block: 2-space `key: value` options and `specs:`,
 * 4-space specs `name (version[-platform])` (the version is everything before the first `-`), 6-space
 * dependencies of the spec above `name[ (requirements)]` (a bare name means `>= 0`). PLATFORMS has
 * 2-space platforms; DEPENDENCIES 2-space `name[ (requirements)][!]` (`!`: explicit source);
 * CHECKSUMS 2-space `name (version[-platform])[ algo=hex,...]`; RUBY VERSION and BUNDLED WITH one
 * value at any indentation.
 *
 * Every malformed line (wrong indentation, unparseable entry, entry outside a section, merge-conflict
 * marker, binary content) becomes a problem on that line; parsing continues with the next line. The
 * parser never throws. Lines are split like LSP documents (`\r\n`, `\r`, `\n`); columns are UTF-16
 * code units, 0-based, end exclusive.
 *
 * Pure module: no IO, no dependencies.
 */
import { GemRequirement } from './gemRequirement';
import { GemVersion } from './gemVersion';

export interface LockRange {
  line: number;
  startCol: number;
  endCol: number;
}

export type LockSourceType = 'GEM' | 'GIT' | 'PATH' | 'PLUGIN SOURCE';

export interface LockSource {
  /** Position in `Lockfile.sources`. */
  index: number;
  type: LockSourceType;
  /** Line of the section header. */
  line: number;
  /** `remote`, `revision`, `branch`, `ref`, `tag`, `glob`, `submodules`, ...; a repeated key becomes an array. */
  options: Record<string, string | string[]>;
  /** Lines of each option (one per occurrence). */
  optionLines: Record<string, number[]>;
  /** Line of `  specs:`, if present. */
  specsLine?: number;
  specs: LockSpec[];
}

export interface LockDep {
  name: string;
  /** Requirement as written between the parentheses, or "" for a bare name (`>= 0`). */
  requirement: string;
  line: number;
  nameRange: LockRange;
  /** Range of the text between the parentheses (absent for a bare name). */
  requirementRange?: LockRange;
}

export interface LockSpec {
  name: string;
  /** Version as written (before the first `-`). */
  version: string;
  /** Platform as written after the first `-` (absent for the `ruby` platform). */
  platform?: string;
  /** Index into `Lockfile.sources`. */
  sourceIndex: number;
  line: number;
  nameRange: LockRange;
  versionRange: LockRange;
  platformRange?: LockRange;
  dependencies: LockDep[];
}

export interface LockPlatform {
  platform: string;
  line: number;
  range: LockRange;
}

export interface LockDependency {
  name: string;
  /** Requirement as written, or "" for a bare name. */
  requirement: string;
  /** Trailing `!`: the Gemfile entry names an explicit source (git, path, source block). */
  pinnedSource: boolean;
  line: number;
  nameRange: LockRange;
  requirementRange?: LockRange;
}

export interface LockChecksum {
  name: string;
  version: string;
  platform?: string;
  /** Checksum text as written (`sha256=...`, several comma-joined), undefined when listed bare. */
  checksum?: string;
  line: number;
  nameRange: LockRange;
}

export interface LockValue {
  value: string;
  line: number;
  range: LockRange;
}

export interface LockSection {
  name: string;
  line: number;
  known: boolean;
}

export interface LockProblem {
  line: number;
  startCol: number;
  endCol: number;
  message: string;
}

export interface Lockfile {
  sections: LockSection[];
  sources: LockSource[];
  specs: LockSpec[];
  platforms: LockPlatform[];
  dependencies: LockDependency[];
  checksums: LockChecksum[];
  rubyVersion?: LockValue;
  bundledWith?: LockValue;
  problems: LockProblem[];
}

/** At most this many problems are reported; the last one says more were dropped. */
export const MAX_PROBLEMS = 200;

type State =
  | { kind: 'none' }
  | { kind: 'source'; source: LockSource }
  | { kind: 'platforms' }
  | { kind: 'dependencies' }
  | { kind: 'checksums' }
  | { kind: 'ruby' }
  | { kind: 'bundled' }
  | { kind: 'unknown' };

const SOURCE_TYPES: ReadonlySet<string> = new Set(['GEM', 'GIT', 'PATH', 'PLUGIN SOURCE']);
const KNOWN_SECTIONS: ReadonlySet<string> = new Set([
  'GEM',
  'GIT',
  'PATH',
  'PLUGIN SOURCE',
  'PLATFORMS',
  'DEPENDENCIES',
  'CHECKSUMS',
  'RUBY VERSION',
  'BUNDLED WITH',
]);

const CONFLICT_RE = /^(?:<{7}|={7}|>{7}|\|{7})/;
// eslint-disable-next-line no-control-regex
const BINARY_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/;
const OPTION_RE = /^([a-zA-Z]+): (.*)$/;
const NAME = '([^\\s(),!]+)';
/** `name[ (inner)][!]` with the indentation already removed. */
const ENTRY_RE = new RegExp(`^${NAME}(?: \\(([^()]*)\\))?(!)?$`);
/** CHECKSUMS: `name (version[-platform])[ checksum]`. */
const CHECKSUM_RE = new RegExp(`^${NAME}(?: \\(([^()]*)\\))?(?: (\\S.*))?$`);
const UPPER_HEADER_RE = /^[A-Z][A-Z0-9_ ]*$/;

function emptyLockfile(): Lockfile {
  return { sections: [], sources: [], specs: [], platforms: [], dependencies: [], checksums: [], problems: [] };
}

/** Splits text into lines the way LSP documents count them. */
function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** Parses Gemfile.lock text. Never throws. */
export function parseLockfile(text: string): Lockfile {
  const lock = emptyLockfile();
  try {
    parseInto(lock, typeof text === 'string' ? text : String(text ?? ''));
  } catch (e) {
    // Defensive: the parser is written not to throw; keep whatever was parsed.
    lock.problems.push({ line: 0, startCol: 0, endCol: 0, message: `Internal lockfile parser error: ${String(e)}` });
  }
  return lock;
}

function parseInto(lock: Lockfile, text: string): void {
  const lines = splitLines(text);
  let state: State = { kind: 'none' };
  let currentSpec: LockSpec | undefined;
  /** Set after a malformed spec line so its dependency lines are skipped without more noise. */
  let brokenSpec = false;
  let problemsDropped = 0;

  const problem = (line: number, startCol: number, endCol: number, message: string): void => {
    if (lock.problems.length < MAX_PROBLEMS) {
      lock.problems.push({ line, startCol, endCol: Math.max(startCol, endCol), message });
    } else {
      problemsDropped++;
    }
  };

  for (let ln = 0; ln < lines.length; ln++) {
    let raw = lines[ln];
    let offset = 0;
    if (ln === 0 && raw.charCodeAt(0) === 0xfeff) {
      raw = raw.slice(1);
      offset = 1;
    }
    const line = raw.trimEnd();
    if (line.trim() === '') continue;
    const lineEnd = offset + line.length;

    if (BINARY_RE.test(line)) {
      problem(ln, offset, lineEnd, 'Binary or control characters in Gemfile.lock; line ignored');
      continue;
    }
    if (CONFLICT_RE.test(line)) {
      problem(
        ln,
        offset,
        lineEnd,
        'Merge conflict marker in Gemfile.lock; resolve the conflict (e.g. `git checkout HEAD -- Gemfile.lock` and `bundle install`)',
      );
      continue;
    }

    const indentMatch = /^[ \t]*/.exec(line);
    const indent = indentMatch ? indentMatch[0] : '';
    const body = line.slice(indent.length);
    const bodyCol = offset + indent.length;

    // ---- section headers --------------------------------------------------------------------------
    if (indent === '') {
      currentSpec = undefined;
      brokenSpec = false;
      if (KNOWN_SECTIONS.has(line)) {
        lock.sections.push({ name: line, line: ln, known: true });
        if (SOURCE_TYPES.has(line)) {
          const source: LockSource = {
            index: lock.sources.length,
            type: line as LockSourceType,
            line: ln,
            options: {},
            optionLines: {},
            specs: [],
          };
          lock.sources.push(source);
          state = { kind: 'source', source };
        } else if (line === 'PLATFORMS') state = { kind: 'platforms' };
        else if (line === 'DEPENDENCIES') state = { kind: 'dependencies' };
        else if (line === 'CHECKSUMS') state = { kind: 'checksums' };
        else if (line === 'RUBY VERSION') state = { kind: 'ruby' };
        else state = { kind: 'bundled' };
      } else if (UPPER_HEADER_RE.test(line)) {
        lock.sections.push({ name: line, line: ln, known: false });
        state = { kind: 'unknown' };
      } else {
        problem(ln, offset, lineEnd, 'Unexpected non-indented line (not a section header); line ignored');
      }
      continue;
    }

    // ---- single-value sections: any indentation -----------------------------------------------------
    if (state.kind === 'ruby' || state.kind === 'bundled') {
      const value: LockValue = { value: body, line: ln, range: { line: ln, startCol: bodyCol, endCol: lineEnd } };
      const isRuby = state.kind === 'ruby';
      const existing = isRuby ? lock.rubyVersion : lock.bundledWith;
      if (existing) {
        problem(ln, bodyCol, lineEnd, `Extra line in ${isRuby ? 'RUBY VERSION' : 'BUNDLED WITH'}; ignored`);
      } else if (isRuby) {
        lock.rubyVersion = value;
      } else {
        lock.bundledWith = value;
        if (!GemVersion.isValid(body)) problem(ln, bodyCol, lineEnd, `Malformed Bundler version "${body}"`);
      }
      continue;
    }

    if (state.kind === 'unknown') continue;
    if (state.kind === 'none') {
      problem(ln, bodyCol, lineEnd, 'Entry outside any section; line ignored');
      continue;
    }

    if (indent.includes('\t')) {
      problem(ln, offset, lineEnd, 'Tab in indentation (Gemfile.lock uses 2, 4 or 6 spaces); line ignored');
      if (state.kind === 'source') markBroken();
      continue;
    }
    const depth = indent.length;

    switch (state.kind) {
      case 'source': {
        const source = state.source;
        if (depth === 2) {
          currentSpec = undefined;
          brokenSpec = false;
          if (body === 'specs:') {
            if (source.specsLine === undefined) source.specsLine = ln;
            else problem(ln, bodyCol, lineEnd, 'Duplicate "specs:" line');
            continue;
          }
          const om = OPTION_RE.exec(body);
          if (om) {
            addOption(source, om[1], om[2], ln);
            continue;
          }
          problem(ln, bodyCol, lineEnd, `Unrecognised line in ${source.type} block (expected "key: value" or "specs:")`);
          continue;
        }
        if (depth === 4) {
          const spec = parseSpecLine(body, bodyCol, ln, source);
          if (typeof spec === 'string') {
            problem(ln, bodyCol, lineEnd, spec);
            markBroken();
            continue;
          }
          if (source.specsLine === undefined) {
            problem(ln, bodyCol, lineEnd, `Spec before the "specs:" line of its ${source.type} block`);
          }
          if (!GemVersion.isValid(spec.version)) {
            problem(spec.versionRange.line, spec.versionRange.startCol, spec.versionRange.endCol, `Malformed version "${spec.version}"`);
          }
          source.specs.push(spec);
          lock.specs.push(spec);
          currentSpec = spec;
          brokenSpec = false;
          continue;
        }
        if (depth === 6) {
          if (!currentSpec) {
            if (!brokenSpec) problem(ln, bodyCol, lineEnd, 'Dependency line without a spec above it; line ignored');
            continue;
          }
          const m = ENTRY_RE.exec(body);
          if (!m || m[3]) {
            problem(ln, bodyCol, lineEnd, 'Malformed dependency line (expected "name" or "name (requirement)")');
            continue;
          }
          const dep: LockDep = {
            name: m[1],
            requirement: m[2] === undefined ? '' : m[2],
            line: ln,
            nameRange: { line: ln, startCol: bodyCol, endCol: bodyCol + m[1].length },
          };
          if (m[2] !== undefined) {
            const start = bodyCol + m[1].length + 2;
            dep.requirementRange = { line: ln, startCol: start, endCol: start + m[2].length };
            if (!GemRequirement.parse(m[2])) {
              problem(ln, start, start + m[2].length, `Malformed requirement "${m[2]}"`);
            }
          }
          currentSpec.dependencies.push(dep);
          continue;
        }
        problem(ln, offset, lineEnd, `Wrong indentation (${depth} spaces; expected 2, 4 or 6); line ignored`);
        // 5 or 7+ spaces is probably a dependency line: keep the current spec; 1 or 3 a spec line.
        if (depth < 5) markBroken();
        continue;
      }
      case 'platforms': {
        if (depth !== 2) {
          problem(ln, offset, lineEnd, `Wrong indentation (${depth} spaces; expected 2); line ignored`);
          continue;
        }
        if (/\s/.test(body)) {
          problem(ln, bodyCol, lineEnd, `Malformed platform "${body}"`);
          continue;
        }
        lock.platforms.push({ platform: body, line: ln, range: { line: ln, startCol: bodyCol, endCol: lineEnd } });
        continue;
      }
      case 'dependencies': {
        if (depth !== 2) {
          problem(ln, offset, lineEnd, `Wrong indentation (${depth} spaces; expected 2); line ignored`);
          continue;
        }
        const m = ENTRY_RE.exec(body);
        if (!m) {
          problem(ln, bodyCol, lineEnd, 'Malformed dependency (expected "name", "name (requirement)", optionally followed by "!")');
          continue;
        }
        const d: LockDependency = {
          name: m[1],
          requirement: m[2] === undefined ? '' : m[2],
          pinnedSource: m[3] === '!',
          line: ln,
          nameRange: { line: ln, startCol: bodyCol, endCol: bodyCol + m[1].length },
        };
        if (m[2] !== undefined) {
          const start = bodyCol + m[1].length + 2;
          d.requirementRange = { line: ln, startCol: start, endCol: start + m[2].length };
          if (!GemRequirement.parse(m[2])) problem(ln, start, start + m[2].length, `Malformed requirement "${m[2]}"`);
        }
        lock.dependencies.push(d);
        continue;
      }
      case 'checksums': {
        if (depth !== 2) {
          problem(ln, offset, lineEnd, `Wrong indentation (${depth} spaces; expected 2); line ignored`);
          continue;
        }
        const m = CHECKSUM_RE.exec(body);
        if (!m || m[2] === undefined) {
          problem(ln, bodyCol, lineEnd, 'Malformed checksum line (expected "name (version) algo=hex")');
          continue;
        }
        const { version, platform } = splitVersionPlatform(m[2]);
        const c: LockChecksum = {
          name: m[1],
          version,
          line: ln,
          nameRange: { line: ln, startCol: bodyCol, endCol: bodyCol + m[1].length },
        };
        if (platform !== undefined) c.platform = platform;
        if (m[3] !== undefined) c.checksum = m[3];
        lock.checksums.push(c);
        continue;
      }
    }
  }

  if (problemsDropped > 0) {
    lock.problems.push({
      line: Math.max(0, lines.length - 1),
      startCol: 0,
      endCol: 0,
      message: `${problemsDropped} more problem(s) in Gemfile.lock not reported`,
    });
  }

  function markBroken(): void {
    currentSpec = undefined;
    brokenSpec = true;
  }
}

function addOption(source: LockSource, key: string, value: string, line: number): void {
  const opts = source.options;
  if (Object.prototype.hasOwnProperty.call(opts, key)) {
    const prev = opts[key];
    opts[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
    source.optionLines[key].push(line);
  } else {
    opts[key] = value;
    source.optionLines[key] = [line];
  }
}

function splitVersionPlatform(inner: string): { version: string; platform?: string } {
  const dash = inner.indexOf('-');
  if (dash < 0) return { version: inner };
  return { version: inner.slice(0, dash), platform: inner.slice(dash + 1) };
}

/** Parses a 4-space spec line body; returns a problem message when malformed. */
function parseSpecLine(body: string, col: number, ln: number, source: LockSource): LockSpec | string {
  const m = ENTRY_RE.exec(body);
  if (!m) return 'Malformed spec line (expected "name (version)" or "name (version-platform)")';
  if (m[2] === undefined) return `Spec "${m[1]}" has no version`;
  if (m[3]) return 'Unexpected "!" after a locked spec';
  const name = m[1];
  const inner = m[2];
  const { version, platform } = splitVersionPlatform(inner);
  if (version.trim() === '') return `Spec "${name}" has an empty version`;
  const vStart = col + name.length + 2;
  const spec: LockSpec = {
    name,
    version,
    sourceIndex: source.index,
    line: ln,
    nameRange: { line: ln, startCol: col, endCol: col + name.length },
    versionRange: { line: ln, startCol: vStart, endCol: vStart + version.length },
    dependencies: [],
  };
  if (platform !== undefined && platform !== '') {
    spec.platform = platform;
    const pStart = vStart + version.length + 1;
    spec.platformRange = { line: ln, startCol: pStart, endCol: pStart + platform.length };
  }
  return spec;
}

/** Specs grouped by name, in file order (platform variants and duplicates kept). */
export function specsByName(lock: Lockfile): Map<string, LockSpec[]> {
  const map = new Map<string, LockSpec[]>();
  for (const s of lock.specs) {
    const list = map.get(s.name);
    if (list) list.push(s);
    else map.set(s.name, [s]);
  }
  return map;
}

export interface Dependant {
  dependant: LockSpec;
  /** Requirement as written, "" for a bare name. */
  requirement: string;
  /** Line of the dependency (6-space) line. */
  line: number;
}

/**
 * Locked specs depending on `name` (their 6-space lines), in file order. Platform variants of the same
 * dependant (same name and version) are reported once, the first occurrence winning unless a later
 * variant has a different requirement.
 */
export function dependantsOf(lock: Lockfile, name: string): Dependant[] {
  const out: Dependant[] = [];
  const seen = new Set<string>();
  for (const spec of lock.specs) {
    for (const dep of spec.dependencies) {
      if (dep.name !== name) continue;
      const key = `${spec.name}\u0000${spec.version}\u0000${dep.requirement}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ dependant: spec, requirement: dep.requirement, line: dep.line });
    }
  }
  return out;
}
