// Shared bench harness: the guest loops, both hosts over the same module, and fd 1 on /dev/null.

import { WASI } from "node:wasi";
import { Wasi, type WasiOptions } from "../mod.ts";

/** WASI calls per bench iteration: the per-call cost dominates the JS→wasm entry. Divide time/iter by this. */
export const N = 1000;

/** The argv both hosts give the guests (args_sizes_get reports 3 and 22). */
export const ARGS: readonly string[] = ["app", "--verbose", "input.txt"];

/** What a guest in `bench/guests/` exports. */
export interface Guest {
  memory: WebAssembly.Memory;
  /** Calls the measured import `n` times; returns the OR of the errnos (0 when every call succeeded). */
  run(n: number): number;
  /** Pre-sets structs or picks a variant (clock id, iovec shape); absent in some guests. */
  setup?(arg: number): void;
}

/** Compiles `bench/guests/<name>.wasm` (built by `npm run build:guests`). */
export function guestModule(name: string): WebAssembly.Module {
  return new WebAssembly.Module(Deno.readFileSync(new URL(`./guests/${name}.wasm`, import.meta.url)));
}

/** The guest running on Hostcall (a reactor: initialize() binds its memory). */
export function onHostcall(module: WebAssembly.Module, options: WasiOptions = {}): Guest {
  const wasi = new Wasi({ args: ARGS, env: {}, ...options });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject() as unknown as WebAssembly.Imports);
  wasi.initialize(instance);
  return instance.exports as unknown as Guest;
}

/** The same guest on the runtime's built-in `node:wasi` (stdio: the process's own fds 0-2). */
export function onNodeWasi(module: WebAssembly.Module, preopens: Record<string, string> = {}): Guest {
  const wasi = new WASI({ version: "preview1", args: [...ARGS], env: {}, preopens, returnOnExit: true });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
  wasi.initialize(instance);
  return instance.exports as unknown as Guest;
}

/** The same guest with every WASI import replaced by an empty JS function: the wasm→JS floor. */
export function onEmptyImports(module: WebAssembly.Module): Guest {
  const stubs: Record<string, () => number> = {};
  for (const imp of WebAssembly.Module.imports(module)) stubs[imp.name] = () => 0;
  const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: stubs });
  return instance.exports as unknown as Guest;
}

/** One bench iteration: N calls from inside the guest, failing loudly if any call did not succeed. */
export function loop(g: Guest): () => void {
  return () => {
    const err = g.run(N);
    if (err !== 0) throw new Error(`a WASI call failed in the guest loop (errno bits ${err})`);
  };
}

/** Runs `fn` once and checks it (so a broken host fails before it is timed). */
export function checked<T extends () => void>(fn: T): T {
  fn();
  return fn;
}
