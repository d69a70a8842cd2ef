// proc_exit, proc_raise.

import { Errno } from "../abi/errno.ts";
import type { State } from "../state.ts";

/**
 * Thrown by proc_exit to unwind the guest; `Wasi.start()` catches it and returns `code`. A reactor's
 * export that calls proc_exit throws it to the caller.
 *
 * @example
 * ```ts
 * import { WasiExit } from "@hostcall/wasi";
 * function callExport(f: () => void): number {
 *   try {
 *     f();
 *     return 0;
 *   } catch (e) {
 *     if (e instanceof WasiExit) return e.code;
 *     throw e;
 *   }
 * }
 * ```
 */
export class WasiExit extends Error {
  /** The exit code the guest passed to proc_exit. */
  readonly code: number;
  /** An exit with `code`. */
  constructor(code: number) {
    super(`the guest exited with code ${code}`);
    this.name = "WasiExit";
    this.code = code;
  }
}

/** proc_exit: ends the guest with exit code `rval` (never returns). */
export function procExit(_s: State, rval: number): never {
  throw new WasiExit(rval);
}

/** proc_raise: signals are not supported; NOSYS, as wasmtime. */
export function procRaise(_s: State, _sig: number): Errno {
  return Errno.NOSYS;
}
