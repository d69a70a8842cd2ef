/**
 * Hostcall: a WASI preview1 host in pure TypeScript, for Deno first, and for Bun, Node and edge
 * runtimes. It implements the `wasi_snapshot_preview1` imports (and `wasi_unstable`, preview0) that
 * programs compiled for `wasm32-wasip1` call, and never lets a guest exit or crash the host.
 *
 * @example Run a program and capture what it prints
 * ```ts
 * import { Wasi } from "@hostcall/wasi";
 *
 * const wasi = new Wasi({ args: ["app", "-v"], env: { HOME: "/" }, stdout: "capture" });
 * const { instance } = await wasi.instantiate(await Deno.readFile("app.wasm"));
 * const code = wasi.start(instance); // the guest's exit code; never kills the host process
 * console.log(code, wasi.stdoutText());
 * ```
 *
 * @module
 */

export { type BindOptions, exitStatus, Wasi, type WasiImports, type WasiOptions, type WasmSource } from "./src/wasi.ts";
export { WasiExit } from "./src/calls/proc.ts";
export { WasiAsyncError } from "./src/async.ts";
export { parseTraceScopes, type TraceOptions, type TraceScope } from "./src/trace.ts";
export { Errno, errnoName } from "./src/abi/errno.ts";
export type { ClockName, WasiClock } from "./src/clocks.ts";
export type { RandomSource } from "./src/state.ts";
export type { StdinOption, StdoutOption } from "./src/stdio.ts";
export type { ListenAddress, ListenerAddress, ListenerOption } from "./src/net/listen.ts";
export type {
  AsyncFileHandle,
  AsyncFileSystem,
  DirentSink,
  FileHandle,
  FileSystem,
  IoResult,
  MaybeAsync,
  OpenFlags,
  Stat,
} from "./src/fs/types.ts";
export { Filetype, type Whence } from "./src/abi/consts.ts";
export {
  MemoryFiles,
  MemoryFs,
  type MemoryFsMkdirOptions,
  type MemoryFsOptions,
  type MemoryFsRemoveOptions,
  type MemoryFsStat,
} from "./src/fs/memory.ts";
export { readOnly } from "./src/fs/readonly.ts";
export {
  FetchFs,
  type FetchFsManifest,
  type FetchFsOptions,
  type FetchFsStats,
  type ManifestNode,
} from "./src/fs/fetch.ts";
export { overlay } from "./src/fs/overlay.ts";
export { hostFs } from "./src/fs/host.ts";
export type { Denial, DenialListener, HostFsOptions } from "./src/fs/denial.ts";
