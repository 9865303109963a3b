import type { FileKind } from './rule';

/** Classifies a path relative to its app root by Rails conventions (engines and packs included). */
export function fileKindOf(relativePath: string): FileKind | undefined {
  const p = relativePath.replace(/\\/g, '/');
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (base === 'Gemfile.lock' || base === 'gems.locked') return 'lockfile';
  if (base === 'Gemfile' || base === 'gems.rb') return 'gemfile';
  if (/(^|\/)config\/database\.yml$/.test(p)) return 'database-yml';
  if (/\.(erb|haml|jbuilder|builder)$/.test(base)) {
    // Views, and ViewComponent templates next to their component or in its sidecar folder.
    return /(^|\/)app\/(views|components)\//.test(p) ? 'view' : undefined;
  }
  if (!base.endsWith('.rb') && !base.endsWith('.rake')) return undefined;
  if (/(^|\/)db\/(migrate|post_migrate|[a-z_]+_migrate)\/\d+_[^/]+\.rb$/.test(p)) return 'migration';
  if (/(^|\/)db\/([a-z_]+_)?schema\.rb$/.test(p)) return 'schema';
  if (/(^|\/)app\/models\//.test(p)) return 'model';
  if (/(^|\/)app\/controllers\//.test(p)) return 'controller';
  if (/(^|\/)app\/(jobs|workers|sidekiq)\//.test(p)) return 'job';
  if (/(^|\/)config\//.test(p)) return 'config';
  return 'ruby';
}

/** Kinds whose files are Ruby (or a template projected to Ruby) and get a syntax tree. */
export function hasRubyTree(kind: FileKind): boolean {
  return kind !== 'lockfile' && kind !== 'database-yml';
}
