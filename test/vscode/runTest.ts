// `npm run test:vscode`: the extension-host suite in desktop VS Code, downloaded by @vscode/test-electron.
// Needs internet (update.code.visualstudio.com); on a headless Linux box wrap it in `xvfb-run -a`.
// Offline (and in .ci/run) the same suite runs in code-server instead: node test/e2e/codeserver.mjs.
// Env: VSCODE_VERSION (default 1.139.1, the VS Code inside the pinned code-server; 'stable' for the newest).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const repo = path.resolve(__dirname, '../../..');
  if (!fs.existsSync(path.join(repo, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  // The tests edit and save files: give them copies of the sample app and the monorepo fixture.
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-vscode-'));
  fs.cpSync(path.join(repo, 'examples', 'sample-app'), path.join(ws, 'sample-app'), { recursive: true });
  fs.cpSync(path.join(repo, 'test', 'fixtures', 'monorepo'), path.join(ws, 'monorepo'), { recursive: true });
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? '1.139.1',
      extensionDevelopmentPath: repo,
      extensionTestsPath: path.join(__dirname, 'index.js'),
      launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
      extensionTestsEnv: { RAILS_HAZARDS_VSCODE_GREP: process.env.RAILS_HAZARDS_VSCODE_GREP ?? '' },
    });
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error('extension-host suite FAILED:', error instanceof Error ? error.message : error);
  process.exit(1);
});
