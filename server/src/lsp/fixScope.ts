// Fixes may only write inside the workspace: a rule (or a crafted file) can never make the server offer
// an edit to a path outside the open folders, through `..`, an absolute path or a symlink.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Fix } from '../core/types';

/** The real path of `file`, or of its nearest existing ancestor joined with the rest (files a fix creates). */
function realish(file: string): string {
  const resolved = path.resolve(file);
  let dir = resolved;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(dir), ...rest.reverse());
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return resolved;
      rest.push(path.basename(dir));
      dir = parent;
    }
  }
}

export function isInside(file: string, roots: readonly string[]): boolean {
  const real = realish(file);
  return roots.some((root) => {
    const r = realish(root);
    const rel = path.relative(r, real);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
}

/** Fixes whose every edit stays inside `roots`; the others are dropped (and logged by the caller). */
export function fixesInside(fixes: readonly Fix[], roots: readonly string[]): { kept: Fix[]; dropped: Fix[] } {
  const kept: Fix[] = [];
  const dropped: Fix[] = [];
  for (const fix of fixes) (fix.edits.every((e) => isInside(e.file, roots)) ? kept : dropped).push(fix);
  return { kept, dropped };
}
