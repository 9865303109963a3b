// Where Rails Hazards keeps what it caches (the check's result cache, the per-file summary store) and the
// identity of the build that wrote it, so one build never reads another's entries.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CACHE_DIR_ENV = 'RAILS_HAZARDS_CACHE_DIR';
/** The version the CLI prints and the server reports. */
export const TOOL_VERSION = '0.1.0';

/**
 * Where entries live: $RAILS_HAZARDS_CACHE_DIR, else the platform's cache folder (XDG_CACHE_HOME or
 * ~/.cache on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows) + rails-hazards.
 */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env, platform = process.platform, home = os.homedir()): string {
  if (env[CACHE_DIR_ENV]) return path.resolve(env[CACHE_DIR_ENV]!);
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'rails-hazards', 'Cache');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'rails-hazards');
  return path.join(env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(home, '.cache'), 'rails-hazards');
}

/**
 * The tool that wrote an entry: its version and a hash of its code and grammars, so a rebuild (or a
 * development build of the same version) never reads results of another build.
 */
export function toolIdentity(version: string): string {
  const hash = createHash('sha256');
  for (const file of codeFiles()) {
    hash.update(file.slice(file.lastIndexOf(path.sep) + 1)).update('\0');
    try { hash.update(fs.readFileSync(file)); } catch { hash.update('!missing'); }
  }
  return `${version} ${hash.digest('base64')}`;
}

/** The bundle (dist/rails-hazards.js is the whole tool), else every module of the TypeScript output; and the grammars. */
function codeFiles(): string[] {
  const inBundle = path.basename(__filename, '.js') !== 'cacheFolder';
  const code = inBundle ? [__filename] : jsFilesUnder(path.resolve(__dirname, '..'));
  const wasm = [['web-tree-sitter', 'tree-sitter.wasm'], ['tree-sitter-ruby', 'tree-sitter-ruby.wasm'], ['tree-sitter-embedded-template', 'tree-sitter-embedded_template.wasm']]
    .map(([pkg, name]) => {
      const bundled = path.join(__dirname, name);
      if (inBundle && fs.existsSync(bundled)) return bundled;
      try { return require.resolve(`${pkg}/${name}`); } catch { return bundled; }
    });
  return [...code, ...wasm];
}

function jsFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.js')) out.push(full);
    }
  };
  walk(dir);
  return out;
}
