// web-tree-sitter crosses into WASM for every cursor step: it writes the cursor's 32-bit fields into a
// transfer buffer through Emscripten's generic `setValue(ptr, v, type)` (a string switch and a
// DataView call per field), calls C, and reads them back with `getValue`. Profiles of a full check
// put 10% of the CPU in `setValue` alone. On little-endian hosts (every platform Node ships for),
// `setValue`/`getValue` for `i32` and pointers use the module's Int32Array directly; other types keep
// Emscripten's version. (The module object is the `moduleOptions` given to `Parser.init`, so its
// methods are ours to replace; the heap view is re-read each call because a memory growth replaces it.)
import * as os from 'node:os';

interface EmscriptenModule {
  HEAP32: Int32Array;
  setValue(ptr: number, value: number, type?: string): void;
  getValue(ptr: number, type?: string): number;
}

export function installFastHeapAccess(module: EmscriptenModule): void {
  if (os.endianness() !== 'LE') return;
  const slowSet = module.setValue;
  const slowGet = module.getValue;
  module.setValue = function setValue(ptr: number, value: number, type = 'i8'): void {
    if (type === 'i32' || type === '*') module.HEAP32[ptr >> 2] = value;
    else slowSet(ptr, value, type);
  };
  module.getValue = function getValue(ptr: number, type = 'i8'): number {
    if (type === 'i32') return module.HEAP32[ptr >> 2];
    return slowGet(ptr, type);
  };
}
