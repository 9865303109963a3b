// V8's tier-up budget for the CLI and the language server: how much a function must run before V8 optimises it.
// With V8's defaults hundreds of the analysis' functions are optimised in a check's first seconds on V8's background
// threads (3.5 s of a 7.1 s check of openfoodnetwork on Node 20; 1.4 s with the budget below); a larger budget
// optimises only the hot ones: a check costs 22–31 % less CPU on Node 20, about 25 % on Node 22, about 6 % on Node 24,
// same findings (docs/performance.md, "V8's tier-up budget"). It must run before the tool's code is loaded (a
// function's budget is fixed when its code is first set up): build.mjs puts this file first in the bundle, and
// bin/rails-hazards runs it before loading the TypeScript output. V8 12 (Node 22) replaced `--interrupt-budget` (a
// byte count, 67,584 by default in Node 20) with invocation counts (3,000 for TurboFan by default); an unknown flag
// would only print a warning, so the version picks the flag.
'use strict'; // as the bundle's first statement this is also its strict-mode directive
{
  const v8Major = Number(process.versions.v8.split('.')[0]);
  require('node:v8').setFlagsFromString(v8Major >= 12 ? '--invocation-count-for-turbofan=27000' : '--interrupt-budget=600000');
}
