// Async mode's import objects: which calls become Suspending imports, and the caller's own imports guarded.

import { type jspi, suspending } from "./async.ts";
import type { WasiImports } from "./import_object.ts";
import type { WasiOptions } from "./options.ts";
import type { State } from "./state.ts";
import { isAsyncInput } from "./stdio.ts";
import { isWritableStream } from "./streams.ts";

/**
 * The calls that may make a backend call that waits, on an async filesystem (decisions.md#async-filesystems): all that reach a
 * `FileSystem` or `FileHandle` method but `close` (never waited for: fd_close, fd_renumber). fd_advise and
 * fd_allocate answer without the backend.
 */
const FS_CALLS = [
  "fd_datasync",
  "fd_fdstat_set_flags",
  "fd_filestat_get",
  "fd_filestat_set_size",
  "fd_filestat_set_times",
  "fd_pread",
  "fd_pwrite",
  "fd_read",
  "fd_readdir",
  "fd_seek",
  "fd_sync",
  "fd_tell",
  "fd_write",
  "path_create_directory",
  "path_filestat_get",
  "path_filestat_set_times",
  "path_link",
  "path_open",
  "path_readlink",
  "path_remove_directory",
  "path_rename",
  "path_symlink",
  "path_unlink_file",
];

/**
 * Async mode: the calls that can wait, given the options, become Suspending imports (decisions.md#async-mode); every
 * other call stays the plain function of sync mode (a Suspending import costs 100-600 ns a call even when it does not
 * wait).
 */
export function suspendWaiting(
  api: Exclude<ReturnType<typeof jspi>, string>,
  s: State,
  imports: WasiImports,
  o: WasiOptions,
): WasiImports {
  const waiting = new Set(["poll_oneoff", "sched_yield"]);
  // An async filesystem is preopened: the calls that may wait on it.
  if (s.fsLog !== undefined) { for (const name of FS_CALLS) waiting.add(name); }
  if (isAsyncInput(o.stdin)) waiting.add("fd_read");
  const asyncOut = (v: unknown) => typeof v === "function" || isWritableStream(v);
  if (asyncOut(o.stdout) || asyncOut(o.stderr)) waiting.add("fd_write");
  if (o.listeners !== undefined && o.listeners.length > 0) {
    for (const name of ["fd_read", "fd_write", "sock_accept", "sock_recv", "sock_send"]) waiting.add(name);
  }
  const wrap = (table: Record<string, (...args: never[]) => unknown>, prefix: string) => {
    const out: Record<string, (...args: never[]) => unknown> = { ...table };
    for (const name of waiting) {
      if (name in table) out[name] = suspending(api, s, prefix + name, table[name]) as (...args: never[]) => unknown;
    }
    return out;
  };
  return {
    wasi_snapshot_preview1: wrap(imports.wasi_snapshot_preview1, ""),
    wasi_unstable: wrap(imports.wasi_unstable, "wasi_unstable."),
  };
}

/**
 * Async mode: the caller's own import functions, each counting itself on the stack while it runs, so a waiting call
 * reached through one (the host calling the guest again) is refused with our error before anything happens
 * (decisions.md#async-mode). Anything that is not a plain function (memories, globals, Suspending imports) is kept.
 */
export function guardJsFrames(s: State, extra: WebAssembly.Imports): WebAssembly.Imports {
  const out: WebAssembly.Imports = {};
  for (const [mod, fields] of Object.entries(extra)) {
    const guarded: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(fields)) {
      guarded[name] = typeof v !== "function" ? v : (...args: unknown[]) => {
        s.jsDepth++;
        try {
          return (v as (...a: unknown[]) => unknown)(...args);
        } finally {
          s.jsDepth--;
        }
      };
    }
    out[mod] = guarded as WebAssembly.ModuleImports;
  }
  return out;
}
