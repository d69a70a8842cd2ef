// The options of `new Wasi()`: their types and the checks that refuse a bad one with a TypeError naming it.

import type { WasiClock } from "./clocks.ts";
import { MAX_FDS } from "./fd_table.ts";
import { type AsyncFileSystem, type FileSystem, isAsyncFs } from "./fs/types.ts";
import type { DenialListener } from "./fs/denial.ts";
import type { RandomSource } from "./state.ts";
import { isAsyncInput, type StdinOption, type StdoutOption } from "./stdio.ts";
import { isWritableStream } from "./streams.ts";
import { checkTraceOption, type TraceOptions } from "./trace.ts";
import { checkListener, type ListenerOption } from "./net/listen.ts";

/** Options of `new Wasi()`. Every field is optional. */
export interface WasiOptions {
  /** The guest's argv, argv[0] first. Default `[]`. */
  args?: readonly string[];
  /** The guest's environment, exactly these variables (never the host's unless you pass them). Default `{}`. */
  env?: Readonly<Record<string, string>>;
  /**
   * Guest directory path → host directory path or a `FileSystem`; fd 3, 4, … in this order. An `AsyncFileSystem`
   * (one that may answer with promises, such as `FetchFs` or an overlay over one) needs `async: true`. Default `{}`.
   */
  preopens?: Readonly<Record<string, string | FileSystem | AsyncFileSystem>>;
  /**
   * fd 0: `"inherit"` (default), `"null"`, a host fd number, bytes, text, a function filling a buffer and returning the
   * count (0 = EOF), or in async mode a `ReadableStream` or `AsyncIterable`.
   */
  stdin?: StdinOption;
  /**
   * fd 1: `"inherit"` (default, written synchronously), `"null"`, `"capture"`, a host fd number, a function given each
   * write's bytes, or in async mode a `WritableStream`.
   */
  stdout?: StdoutOption;
  /** fd 2: as `stdout`. */
  stderr?: StdoutOption;
  /** An injected clock, for deterministic runs; default: the host's clocks. */
  clock?: WasiClock;
  /** An injected random source filling the buffer it is given; default `crypto.getRandomValues`. */
  random?: RandomSource;
  /**
   * Most descriptors the guest may hold at once, stdio and preopens included; past it `path_open` answers `EMFILE`.
   * Each open file of a host directory holds a host descriptor, so this keeps the host's own for the host. Default
   * 1024 (Linux's default limit), at most 65536.
   */
  maxFds?: number;
  /** Host-call tracing: `true` (all calls, to stderr), a sink function, or TraceOptions. Default off. */
  trace?: boolean | ((line: string) => void) | TraceOptions;
  /**
   * Async mode (JSPI): the calls that can wait (reads of a stream stdin, writes into a stream stdout or stderr, socket
   * calls, `poll_oneoff`, `sched_yield`, and the calls that touch a filesystem when an async one is preopened) suspend
   * the guest instead of blocking the event loop. Run it with `startAsync()`
   * (or `initializeAsync()` and `callAsync()`). Throws at construction where the runtime has no JSPI. Default false.
   */
  async?: boolean;
  /**
   * Told of each file access the runtime's permissions refuse (Deno's `--allow-read`/`--allow-write`, Node's
   * `--permission` with `--allow-fs-*`) in a host-directory preopen of this Wasi: what was refused, the path and the flag
   * that grants it. The guest gets `EACCES` either way; this says why (a program often reports only "cannot open").
   */
  onDenied?: DenialListener;
  /**
   * Most bytes a `"capture"` stdout or stderr keeps (each); past it the guest's writes are `ENOSPC`, so a chatty guest
   * cannot take the host's memory. Default 64 MiB.
   */
  captureLimit?: number;
  /**
   * Async mode: listening sockets for the guest, in order, as fds after the preopened directories (decisions.md#sockets).
   * Each is `{ hostname, port }` (Hostcall listens there; hostname default `"127.0.0.1"`, port 0 picks a free one), a
   * `Deno.Listener` (Deno) or a listening `node:net` `Server` (Bun, Node). The guest accepts connections with
   * `sock_accept` (wasi-libc's `accept`, Rust's `TcpListener::from_raw_fd`) and can open, bind or connect nothing else.
   * Every listener, given or opened, is closed when the guest ends (or at `close()`). Read the bound addresses with
   * `await wasi.listening()`. An address that cannot be bound throws here on Deno and Bun, and rejects `listening()` and
   * `startAsync()` on Node, whose node:net binds after a turn of the event loop.
   */
  listeners?: readonly ListenerOption[];
  /**
   * Async mode: stops the guest at its next call that can wait (or the one it waits in); `startAsync()`/`callAsync()`
   * then reject with `signal.reason`. A guest computing without host calls cannot be stopped in-thread.
   */
  signal?: AbortSignal;
}

const OUTPUT_MODES = ["inherit", "null", "capture"];

/** Every option `new Wasi()` knows, to refuse a misspelt one. */
const OPTION_NAMES: readonly string[] = [
  "args",
  "env",
  "preopens",
  "stdin",
  "stdout",
  "stderr",
  "clock",
  "random",
  "maxFds",
  "trace",
  "async",
  "signal",
  "captureLimit",
  "listeners",
  "onDenied",
];

/** The known option closest to `name` (by edit distance, at most 2), for "did you mean". */
function closest(name: string): string | undefined {
  let best: string | undefined, bestD = 3;
  for (const k of OPTION_NAMES) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/** Checks `o` as the options of `new Wasi()`: a `TypeError` names the first bad one. */
export function checkOptions(o: unknown): asserts o is WasiOptions {
  if (o === null || typeof o !== "object") throw new TypeError("Wasi options must be an object");
  const opts = o as Record<string, unknown>;
  for (const key of Object.keys(opts)) {
    if (OPTION_NAMES.includes(key)) continue;
    const hint = closest(key);
    throw new TypeError(
      `options.${key} is not an option of new Wasi()${hint === undefined ? "" : ` (did you mean ${hint}?)`}; ` +
        `the options are ${OPTION_NAMES.join(", ")}`,
    );
  }
  const { args, env, preopens, stdin, stdout, stderr, clock, random } = opts;
  if (args !== undefined && (!Array.isArray(args) || args.some((a) => typeof a !== "string" || a.includes("\0")))) {
    throw new TypeError("options.args must be an array of strings without NUL characters");
  }
  if (env !== undefined) {
    if (env === null || typeof env !== "object" || Array.isArray(env)) {
      throw new TypeError("options.env must be an object of string values");
    }
    for (const [k, v] of Object.entries(env)) {
      if (typeof v !== "string" || k === "" || k.includes("=") || k.includes("\0") || v.includes("\0")) {
        throw new TypeError(
          `options.env: invalid variable ${
            JSON.stringify(k)
          } (names are non-empty, without "=" or NUL; values are strings without NUL)`,
        );
      }
    }
  }
  if (preopens !== undefined) {
    if (preopens === null || typeof preopens !== "object" || Array.isArray(preopens)) {
      throw new TypeError("options.preopens must be an object: guest path -> host path or FileSystem");
    }
    for (const [k, v] of Object.entries(preopens)) {
      if (k === "" || k.includes("\0")) {
        throw new TypeError(`options.preopens: invalid guest path ${JSON.stringify(k)}`);
      }
      if (
        typeof v !== "string" && (v === null || typeof v !== "object" || typeof (v as FileSystem).open !== "function")
      ) {
        throw new TypeError(`options.preopens[${JSON.stringify(k)}] must be a host path or a FileSystem`);
      }
      if (typeof v !== "string" && isAsyncFs(v as AsyncFileSystem) && opts.async !== true) {
        throw new TypeError(
          `options.preopens[${JSON.stringify(k)}] is an async FileSystem (it may answer with promises): it needs ` +
            "async: true",
        );
      }
    }
  }
  const async = opts.async;
  if (async !== undefined && typeof async !== "boolean") throw new TypeError("options.async must be a boolean");
  for (const [name, v] of [["stdin", stdin], ["stdout", stdout], ["stderr", stderr]] as const) {
    if (typeof v === "number" && !(Number.isInteger(v) && v >= 0 && v < 2 ** 31)) {
      throw new TypeError(`options.${name}: a host file descriptor must be an integer from 0, got ${v}`);
    }
  }
  if (
    stdin !== undefined && stdin !== "inherit" && stdin !== "null" && typeof stdin !== "string" &&
    typeof stdin !== "function" && typeof stdin !== "number" && !(stdin instanceof Uint8Array) &&
    !isAsyncInput(stdin)
  ) {
    throw new TypeError(
      'options.stdin must be "inherit", "null", a host fd number, a string, a Uint8Array, a function, a ' +
        "ReadableStream or an AsyncIterable",
    );
  }
  if (isAsyncInput(stdin)) {
    if (async !== true) throw new TypeError("options.stdin: a stream or async iterable needs async: true");
    if ((stdin as ReadableStream).locked === true) throw new TypeError("options.stdin: the ReadableStream is locked");
  }
  for (const [name, v] of [["stdout", stdout], ["stderr", stderr]] as const) {
    if (isWritableStream(v)) {
      if (async !== true) throw new TypeError(`options.${name}: a WritableStream needs async: true`);
      if (v.locked) throw new TypeError(`options.${name}: the WritableStream is locked (a writer holds it)`);
    } else if (
      v !== undefined && typeof v !== "function" && typeof v !== "number" && !OUTPUT_MODES.includes(v as string)
    ) {
      throw new TypeError(
        `options.${name} must be "inherit", "null", "capture", a host fd number, a function or a WritableStream`,
      );
    }
  }
  if (stdout !== undefined && stdout === stderr && isWritableStream(stdout)) {
    throw new TypeError("options.stdout and options.stderr cannot be the same WritableStream (each takes a writer)");
  }
  if (opts.onDenied !== undefined && typeof opts.onDenied !== "function") {
    throw new TypeError("options.onDenied must be a function");
  }
  const { captureLimit } = opts;
  if (captureLimit !== undefined && !(Number.isSafeInteger(captureLimit) && (captureLimit as number) >= 0)) {
    throw new TypeError("options.captureLimit must be a number of bytes (an integer from 0)");
  }
  const { listeners } = opts;
  if (listeners !== undefined) {
    if (!Array.isArray(listeners)) throw new TypeError("options.listeners must be an array");
    if (listeners.length > 0 && async !== true) {
      throw new TypeError(
        "options.listeners needs async: true (JavaScript runtimes have no synchronous sockets: run the guest with " +
          "startAsync())",
      );
    }
    listeners.forEach(checkListener);
    const objects = listeners.filter((l) => typeof l === "object" && l !== null && !("port" in l));
    if (new Set(objects).size !== objects.length) {
      throw new TypeError("options.listeners: the same listener is given twice (each takes every connection)");
    }
  }
  const { signal } = opts;
  if (signal !== undefined) {
    if (async !== true) throw new TypeError("options.signal needs async: true (a sync guest cannot be interrupted)");
    if (signal === null || typeof (signal as AbortSignal).addEventListener !== "function") {
      throw new TypeError("options.signal must be an AbortSignal");
    }
  }
  if (clock !== undefined && (clock === null || typeof (clock as WasiClock).now !== "function")) {
    throw new TypeError("options.clock must be an object with a now(id) method");
  }
  if (random !== undefined && typeof random !== "function") {
    throw new TypeError("options.random must be a function that fills the buffer it is given");
  }
  checkTraceOption(opts.trace);
  const { maxFds } = opts;
  const least = 3 + (preopens === undefined ? 0 : Object.keys(preopens as object).length) +
    (Array.isArray(listeners) ? listeners.length : 0);
  if (
    maxFds !== undefined && (!Number.isInteger(maxFds) || (maxFds as number) < least || (maxFds as number) > MAX_FDS)
  ) {
    throw new TypeError(
      `options.maxFds must be an integer from ${least} (stdio, the preopens and the listeners) to ${MAX_FDS}`,
    );
  }
}
