#!/usr/bin/env node
// `npm test`: builds, runs the unit, protocol, fuzz and meta tests with node's test runner, then the
// end-to-end suites in real editors (scripts/e2e.mjs) when their tools are present or CI requires them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', ...opts }).status ?? 1;

if (run('npm', ['run', '--silent', 'build']) !== 0) process.exit(1);

const suites = ['out/test/unit', 'out/test/protocol', 'out/test/fuzz'].filter((d) => existsSync(d));
const unit = run(process.execPath, ['--test', ...suites]);

let e2e = 0;
if (existsSync('scripts/e2e.mjs')) e2e = run(process.execPath, ['scripts/e2e.mjs']);

process.exit(unit || e2e);
