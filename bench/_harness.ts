// Shared bench harness (runtime-neutral: Deno's benches and bench/run.ts on Bun and Node): the guest loops, both
// hosts over the same module, and the filesystem fixture.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  return new WebAssembly.Module(readFileSync(new URL(`./guests/${name}.wasm`, import.meta.url)));
}

/** The guest running on Hostcall (a reactor: initialize() binds its memory). */
export function onHostcall(module: WebAssembly.Module, options: WasiOptions = {}): Guest {
  const wasi = new Wasi({ args: ARGS, env: {}, ...options });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject() as unknown as WebAssembly.Imports);
  wasi.initialize(instance);
  return instance.exports as unknown as Guest;
}

/** Bun's node:wasi (a JS port of wasi-js): no getImportObject()/initialize(), but wasiImport and setMemory(). */
interface BunWasi {
  wasiImport: WebAssembly.ModuleImports;
  setMemory(memory: WebAssembly.Memory): void;
}

/** The same guest on the runtime's built-in `node:wasi` (stdio: the process's own fds 0-2). */
export function onNodeWasi(module: WebAssembly.Module, preopens: Record<string, string> = {}): Guest {
  const wasi = new WASI({ version: "preview1", args: [...ARGS], env: {}, preopens, returnOnExit: true });
  if (typeof wasi.getImportObject !== "function") {
    const bun = wasi as unknown as BunWasi;
    const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: bun.wasiImport });
    bun.setMemory(instance.exports.memory as WebAssembly.Memory);
    return instance.exports as unknown as Guest;
  }
  const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
  wasi.initialize(instance);
  return instance.exports as unknown as Guest;
}

/**
 * The floor of any host for clock_time_get: the same guest over a minimal import (performance.now() in ns, two
 * 32-bit stores, no checks). What Hostcall adds over it is its own cost; the rest is the wasm→JS call and the clock.
 */
export function onMinimalClock(module: WebAssembly.Module): Guest {
  let dv: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));
  const clock_time_get = (_id: number, _precision: bigint, ptr: number): number => {
    const t = Math.floor(performance.now() * 1e6);
    dv.setUint32(ptr, t >>> 0, true);
    dv.setUint32(ptr + 4, Math.floor(t / 0x1_0000_0000), true); // a fraction here costs Bun 40 ns (a slow ToUint32)
    return 0;
  };
  const g = new WebAssembly.Instance(module, { wasi_snapshot_preview1: { clock_time_get } })
    .exports as unknown as Guest;
  dv = new DataView(g.memory.buffer);
  return g;
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

/** The filesystem guest's exports (bench/guests/fs.wat); the loops act on the preopen at fd 3. */
export interface FsGuest {
  /** Opens sub/file.txt (read + seek) and big/ (readdir), kept open for seek_read and readdir. */
  setup(x: number): void;
  stat(n: number): number;
  open_close(n: number): number;
  seek_read(n: number): number;
  readdir(n: number): number;
}

/**
 * A real temp dir for the filesystem benches: sub/file.txt (8 KiB of "a"), big/ with 1000 empty entries, and the
 * depth tree d0/d1/.../d7 with a data.bin (16 bytes) at the root and in each of its directories.
 */
export interface FsFixture {
  /** The directory both hosts preopen as "/". */
  root: string;
  /** The host path of sub/file.txt (for the bare calls). */
  file: string;
  /** The host path of the data.bin at `depth` directories below the root (0 to 8; bench/guests/depth.wat). */
  deep(depth: number): string;
  /**
   * Waits until the tree is old enough for the sandbox to trust what it checked in it (2 s: a directory or file
   * younger than that is walked at every call; decisions.md#sandbox-identity), as any tree a real program works in.
   */
  settle(): void;
  /** Removes the directory. */
  remove(): void;
}

/** The depths the depth benches walk (bench/guests/depth.wat has a path for each). */
export const DEPTHS: readonly number[] = [0, 2, 4, 8];

/** How old a checked object must be before the sandbox trusts it by identity (src/path.ts), with a margin. */
const SETTLE_MS = 2100;

/** Creates the filesystem benches' temp dir (node:fs, so it works on Deno, Bun and Node alike). */
export function fsFixture(): FsFixture {
  const root = mkdtempSync(join(tmpdir(), "hostcall-bench-"));
  mkdirSync(join(root, "sub"));
  const file = join(root, "sub", "file.txt");
  writeFileSync(file, new Uint8Array(8192).fill(97));
  mkdirSync(join(root, "big"));
  for (let i = 0; i < 1000; i++) writeFileSync(join(root, "big", `entry-${String(i).padStart(4, "0")}`), "");
  const dirs = [root];
  for (let i = 0; i < 8; i++) dirs.push(join(dirs[i], `d${i}`));
  for (const [i, d] of dirs.entries()) {
    if (i > 0) mkdirSync(d);
    writeFileSync(join(d, "data.bin"), new Uint8Array(16).fill(98));
  }
  const made = Date.now(); // the youngest of them was born before this
  return {
    root,
    file,
    deep: (depth) => join(dirs[depth], "data.bin"),
    settle() {
      const wait = made + SETTLE_MS - Date.now();
      if (wait > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** The depth guest's exports (bench/guests/depth.wat): setup(depth) picks the path, the loops act on fd 3. */
export interface DepthGuest {
  setup(depth: number): void;
  stat(n: number): number;
  open_close(n: number): number;
}
