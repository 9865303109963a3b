// Bundles the client and the server/CLI with esbuild and copies the WASM grammars beside them, so the
// VSIX and `npx rails-hazards` run without node_modules.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
mkdirSync('dist', { recursive: true });
const common = { bundle: true, platform: 'node', target: 'node18', format: 'cjs', sourcemap: true, logLevel: 'warning' };
await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  // web-tree-sitter's ESM build needs import.meta.url, which a CJS bundle lacks: take its CJS build.
  // scripts/tierUp.cjs must run before any of the server's code is set up: it is the bundle's first statement.
  esbuild.build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/rails-hazards.js', alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
    banner: { js: readFileSync('scripts/tierUp.cjs', 'utf8') } }),
]);
for (const [pkg, file] of [
  ['web-tree-sitter', 'tree-sitter.wasm'],
  ['tree-sitter-ruby', 'tree-sitter-ruby.wasm'],
  ['tree-sitter-embedded-template', 'tree-sitter-embedded_template.wasm'],
]) {
  copyFileSync(require.resolve(`${pkg}/${file}`), `dist/${file}`);
}
// The rule-id enum of railsHazards.rules and the .rails-hazards.yml schema come from the registry (tsc output).
await import('./scripts/gen-schemas.mjs');
