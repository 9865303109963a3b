import * as path from 'node:path';
import type { FileSource } from './files';

/** A Gemfile, gems.rb or config/application.rb in `dir`. */
export function isAppRoot(dir: string, files: FileSource): boolean {
  return files.exists(path.join(dir, 'Gemfile')) || files.exists(path.join(dir, 'gems.rb'))
    || files.exists(path.join(dir, 'config', 'application.rb'));
}

/** The Rails app (or engine) a file belongs to: the nearest ancestor with a Gemfile or config/application.rb. */
export function findAppRoot(file: string, files: FileSource, stopAt?: string): string | undefined {
  let dir = path.dirname(path.resolve(file));
  const limit = stopAt ? path.resolve(stopAt) : undefined;
  for (;;) {
    if (isAppRoot(dir, files)) return dir;
    if (dir === limit) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
