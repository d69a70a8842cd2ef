// The Wasi class: options -> State, the import objects, instantiate(), start(), initialize().

import { WHENCE_FROM_P0 } from "./abi/consts.ts";
import { FILESTAT_P0, SUBSCRIPTION_P0 } from "./abi/layout.ts";
import type { WasiClock } from "./clocks.ts";
import { DirDescriptor, MAX_FDS, StreamDescriptor } from "./fd_table.ts";
import { type AsyncFileSystem, type FileSystem, isAsyncFs } from "./fs/types.ts";
import { ReplayFs, ReplayLog } from "./replay.ts";
import { hostFs } from "./fs/host.ts";
import type { DenialListener } from "./fs/denial.ts";
import { type RandomSource, State } from "./state.ts";
import {
  CaptureSink,
  isAsyncInput,
  outputStream,
  type StdinOption,
  stdinStream,
  type StdoutOption,
  type Stream,
} from "./stdio.ts";
import { isWritableStream } from "./streams.ts";
import { asOurs, asyncGuests, jspi, Run, suspending, WasiAsyncError } from "./async.ts";
import { argsGet, argsSizesGet } from "./calls/args.ts";
import { environGet, environSizesGet } from "./calls/environ.ts";
import { clockResGet, clockTimeGet } from "./calls/clock.ts";
import * as fd from "./calls/fd.ts";
import * as path from "./calls/path.ts";
import { pollOneoff } from "./calls/poll.ts";
import { procExit, procRaise, WasiExit } from "./calls/proc.ts";
import { randomGet } from "./calls/random.ts";
import { schedYield } from "./calls/sched.ts";
import { sockAccept, sockRecv, sockSend, sockShutdown } from "./calls/sock.ts";
import { checkTraceOption, traceImports, type TraceOptions } from "./trace.ts";
import { describeMissing, importedMemory, missingImports } from "./imports.ts";
import { checkListener, type ListenerAddress, type ListenerOption, openListener } from "./net/listen.ts";
import { ListenerDescriptor } from "./net/socket.ts";
import type { NetListener } from "./net/types.ts";
import { Hub } from "./net/conn.ts";

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

/**
 * What `start()`/`initialize()` (and their async forms) may be told besides the instance: `memory`, the guest's
 * memory when the module does not export it as "memory" (it imports it: `-Wl,--import-memory`, wasm32-wasip1-threads).
 * A memory the module imports from what `instantiate()` was given is found without it.
 */
export interface BindOptions {
  /** The guest's linear memory. */
  memory?: WebAssembly.Memory;
}

/** What `instantiate()` accepts: wasm bytes, a compiled module, or a (promised) fetch response. */
export type WasmSource = BufferSource | WebAssembly.Module | Response | PromiseLike<Response>;

/** The import objects: both module names share one state. */
export interface WasiImports {
  /** The 46 preview1 functions, by their spec names. */
  wasi_snapshot_preview1: Record<string, (...args: never[]) => unknown>;
  /** The 45 preview0 functions (no sock_accept), translated where the ABI differs. */
  wasi_unstable: Record<string, (...args: never[]) => unknown>;
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

function checkOptions(o: unknown): asserts o is WasiOptions {
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

/** `x` as an instance, or a TypeError that says what was passed instead (the usual slip: `{ module, instance }`). */
function instanceOf(x: unknown, what: string): WebAssembly.Instance {
  if (x instanceof WebAssembly.Instance) return x;
  const hint =
    x !== null && typeof x === "object" && (x as { instance?: unknown }).instance instanceof WebAssembly.Instance
      ? ": pass the instance (`const { instance } = await wasi.instantiate(...)`), not the object holding it"
      : "";
  const got = x === null ? "null" : typeof x === "object" ? Object.prototype.toString.call(x) : typeof x;
  throw new TypeError(`${what}() takes a WebAssembly.Instance, got ${got}${hint}`);
}

/**
 * A WASI preview1 host for one guest instance.
 *
 * @example
 * ```ts
 * import { Wasi } from "@hostcall/wasi";
 * const wasi = new Wasi({ args: ["app", "-v"], env: { HOME: "/" }, stdout: "capture" });
 * const { instance } = await wasi.instantiate(await Deno.readFile("app.wasm"));
 * const code = wasi.start(instance);
 * console.log(code, wasi.stdoutText());
 * ```
 */
export class Wasi {
  readonly #state: State;
  readonly #stdio: [Stream, Stream, Stream];
  readonly #imports: WasiImports;
  #started = false;
  /** The bound instance (for callAsync). */
  #instance: WebAssembly.Instance | undefined;
  /** The memory the module instantiated by `instantiate()` imports, if it imports one. */
  #importedMemory: WebAssembly.Memory | undefined;
  /** Async mode: JSPI, the signal, and the promising wrappers made so far (one per export). */
  readonly #jspi: Exclude<ReturnType<typeof jspi>, string> | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #promised = new Map<unknown, (...args: unknown[]) => Promise<unknown>>();
  /** Listeners: every one bound, with their addresses (or the first failure). */
  readonly #listening: Promise<ListenerAddress[]> | undefined;

  /**
   * Checks the options (a `TypeError` names a bad one) and sets up fds 0-2 and the preopens. With `async: true`,
   * throws a `TypeError` naming what is missing where the runtime has no JSPI.
   */
  constructor(options: WasiOptions = {}) {
    checkOptions(options);
    const async = options.async === true;
    if (async) {
      const api = jspi();
      if (typeof api === "string") throw new TypeError(`options.async: ${api}`);
      this.#jspi = api;
      this.#signal = options.signal;
    }
    const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
    this.#state = new State(options.args ?? [], env, options.clock, options.random, options.maxFds, async);
    const stdin = options.stdin;
    this.#stdio = [
      stdinStream(stdin instanceof Uint8Array ? stdin.slice() : stdin ?? "inherit"),
      outputStream(options.stdout ?? "inherit", 1, async, options.captureLimit),
      outputStream(options.stderr ?? "inherit", 2, async, options.captureLimit),
    ];
    const fds = this.#state.fds;
    this.#stdio.forEach((stream, i) => fds.add(new StreamDescriptor(stream, i === 0)));
    const replayed = new Map<AsyncFileSystem, ReplayFs>(); // one per filesystem: two preopens of one are one device
    for (const [guest, target] of Object.entries(options.preopens ?? {})) {
      let fs: FileSystem;
      if (typeof target === "string") fs = preopenHostDir(guest, target, options.onDenied);
      else if (isAsyncFs(target)) {
        // Async mode (checked above): its calls go through this State's log (decisions.md#async-filesystems).
        const log = this.#state.fsLog ??= new ReplayLog(this.#state);
        fs = replayed.get(target) ?? new ReplayFs(target, log);
        replayed.set(target, fs as ReplayFs);
      } else fs = target;
      fds.add(new DirDescriptor(fs, "", guest));
    }
    if (options.listeners !== undefined && options.listeners.length > 0) {
      this.#listening = this.#listen(options.listeners);
    }
    const imports = makeImports(this.#state);
    // Off: the plain functions themselves, no wrapper at all (decisions.md#tracing).
    const traced = options.trace ? traceImports(imports, this.#state, options.trace) : imports;
    this.#imports = this.#jspi === undefined ? traced : suspendWaiting(this.#jspi, this.#state, traced, options);
  }

  /** Opens the listeners as fds after the preopens; on a failure the ones opened so far are closed. */
  #listen(options: readonly ListenerOption[]): Promise<ListenerAddress[]> {
    const opened: { fd: number; listener: NetListener; bound: Promise<void> }[] = [];
    const hub = new Hub(); // one wait for all of this guest's sockets (poll_oneoff)
    try {
      options.forEach((o, i) => {
        const { listener, bound } = openListener(o, i);
        opened.push({ fd: this.#state.fds.add(new ListenerDescriptor(listener, hub)), listener, bound });
      });
    } catch (err) {
      for (const o of opened) o.listener.close();
      throw err;
    }
    const all = Promise.all(opened.map((o) => o.bound)).then(
      () => opened.map(({ fd, listener }) => ({ fd, ...(listener.address() ?? { hostname: "", port: 0 }) })),
      (err) => {
        for (const o of opened) o.listener.close();
        throw err;
      },
    );
    all.catch(() => {}); // reported by listening() and startAsync(), never as an unhandled rejection
    return all;
  }

  /**
   * The listeners' fds and bound addresses (`[]` without listeners), once every one is bound; rejects with the error
   * of one that could not be (node:net binds after construction). Port 0 in an address shows here as the real port.
   *
   * @example Serve a guest on a free port
   * ```ts
   * import { Wasi } from "@hostcall/wasi";
   * const wasi = new Wasi({ async: true, listeners: [{ hostname: "127.0.0.1", port: 0 }] });
   * const [{ hostname, port }] = await wasi.listening();
   * console.log(`serving on http://${hostname}:${port}/`);
   * ```
   */
  async listening(): Promise<ListenerAddress[]> {
    return this.#listening === undefined ? [] : await this.#listening;
  }

  /**
   * Most guests that may run in async mode at once in this process (each `startAsync`/`callAsync` in flight holds a
   * stack); past it a new one is refused with a `WasiAsyncError`. Default 10,000: V8 (Deno, Node, workerd) aborts the
   * whole process at about 30,000 suspended calls (decisions.md#async-limit).
   */
  static get asyncLimit(): number {
    return asyncGuests.limit;
  }
  static set asyncLimit(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new TypeError("Wasi.asyncLimit must be a positive integer");
    asyncGuests.limit = n;
  }

  /**
   * The import objects for `wasi_snapshot_preview1` and `wasi_unstable` (preview0). In async mode the calls that can
   * wait are `WebAssembly.Suspending` objects; the rest are the plain functions of sync mode.
   */
  getImportObject(): WasiImports {
    return this.#imports;
  }

  /**
   * Compiles (if needed) and instantiates `source` with the WASI imports plus `extraImports`.
   * A `Response` is compiled while streaming where the runtime can (content-type application/wasm).
   */
  async instantiate(
    source: WasmSource,
    extraImports: WebAssembly.Imports = {},
  ): Promise<{ module: WebAssembly.Module; instance: WebAssembly.Instance }> {
    const extra = this.#jspi === undefined ? extraImports : guardJsFrames(this.#state, extraImports);
    const imports = { ...extra, ...this.#imports } as unknown as WebAssembly.Imports;
    const module = await compile(source);
    const missing = missingImports(module, imports);
    if (missing.length > 0) {
      throw new WebAssembly.LinkError(
        `instantiate(): ${describeMissing(missing)}. Pass the module's own imports as the second argument.`,
      );
    }
    const instance = await WebAssembly.instantiate(module, imports);
    this.#importedMemory ??= importedMemory(module, imports);
    return { module, instance };
  }

  /**
   * Runs a command's `_start` and returns its exit code: 0 when `_start` returns, `n` after
   * `proc_exit(n)`. Never exits the host; a trap propagates as the original error. Once only.
   */
  start(instance: WebAssembly.Instance, options?: BindOptions): number {
    if (this.#jspi !== undefined) {
      throw new TypeError("start(): this Wasi is async: use await wasi.startAsync(instance)");
    }
    const start = instanceOf(instance, "start").exports._start;
    if (typeof start !== "function") {
      throw new TypeError("start(): the module exports no _start function (a reactor? use initialize())");
    }
    this.#bind(instance, "start", options);
    try {
      start();
      return 0;
    } catch (err) {
      if (err instanceof WasiExit) return err.code;
      throw err;
    } finally {
      this.#closeAll(); // files the guest left open are closed: what it wrote is with the host
    }
  }

  #closeAll(): void {
    const fds = this.#state.fds;
    for (const [fd] of fds) fds.remove(fd)?.close();
  }

  /**
   * Async mode: runs a command's `_start` through `WebAssembly.promising` and resolves to its exit code (0 when it
   * returns, `n` after `proc_exit(n)`), never blocking the event loop while the guest waits. Then every fd is closed,
   * a stream stdout/stderr is closed (aborted with the error after a trap) and a stream stdin cancelled. Rejects with
   * the trap, with `signal.reason` when the signal aborts, or with a `WasiAsyncError` past `Wasi.asyncLimit`. Once.
   *
   * @example Stream a guest's output as a response body
   * ```ts
   * import { Wasi } from "@hostcall/wasi";
   * const module = await WebAssembly.compile(await Deno.readFile("./examples/wc.wasm"));
   * Deno.serve(async (req) => {
   *   const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
   *   const wasi = new Wasi({ async: true, args: ["wc"], stdin: req.body ?? "null", stdout: writable });
   *   const { instance } = await wasi.instantiate(module);
   *   wasi.startAsync(instance).catch((err) => console.error(err)); // runs while the body streams
   *   return new Response(readable);
   * });
   * ```
   */
  async startAsync(instance: WebAssembly.Instance, options?: BindOptions): Promise<number> {
    if (this.#jspi === undefined) throw new TypeError("startAsync(): needs new Wasi({ async: true })");
    const start = instanceOf(instance, "startAsync").exports._start;
    if (typeof start !== "function") {
      throw new TypeError("startAsync(): the module exports no _start function (a reactor? use initializeAsync())");
    }
    this.#bind(instance, "startAsync", options);
    let code = 0;
    try {
      await this.#enter(start);
    } catch (err) {
      if (!(err instanceof WasiExit)) {
        await this.#finish(err);
        throw err;
      }
      code = err.code;
    }
    await this.#finish(undefined);
    return code;
  }

  /** Async mode: binds a reactor's memory and runs `_initialize` (if exported) through `promising`. Once only. */
  async initializeAsync(instance: WebAssembly.Instance, options?: BindOptions): Promise<void> {
    if (this.#jspi === undefined) throw new TypeError("initializeAsync(): needs new Wasi({ async: true })");
    if (typeof instanceOf(instance, "initializeAsync").exports._start === "function") {
      throw new TypeError("initializeAsync(): the module exports _start; it is a command, use startAsync()");
    }
    this.#bind(instance, "initializeAsync", options);
    const init = instance.exports._initialize;
    if (typeof init === "function") await this.#enter(init);
  }

  /**
   * Async mode: calls the reactor's export `name` through `WebAssembly.promising` (after `initializeAsync`) and
   * resolves to its result. One call at a time: a second while one waits is refused with a `WasiAsyncError` (the
   * engines allow it, and it corrupts the guest's stack). `proc_exit` in it rejects with `WasiExit`.
   */
  async callAsync(name: string, ...args: unknown[]): Promise<unknown> {
    const instance = this.#instance;
    if (this.#jspi === undefined || instance === undefined) {
      throw new TypeError("callAsync(): needs new Wasi({ async: true }) and initializeAsync(instance) first");
    }
    const fn = instance.exports[name];
    if (typeof fn !== "function") throw new TypeError(`callAsync(): the instance exports no function ${name}`);
    return await this.#enter(fn, args);
  }

  /**
   * Closes every descriptor the guest holds and, in async mode, finishes the stdio streams (an output closed, an input
   * cancelled). `startAsync()` and `start()` do it themselves; a reactor's host calls it when done with the guest.
   */
  async close(): Promise<void> {
    await this.#finish(undefined);
  }

  /** Enters the guest through a promising wrapper of `fn`, with the checks of async mode. */
  async #enter(fn: unknown, args: unknown[] = []): Promise<unknown> {
    const s = this.#state;
    if (this.#listening !== undefined) await this.#listening; // a listener that could not be bound fails the run
    this.#signal?.throwIfAborted();
    if (s.run !== undefined) {
      const where = s.run.waitingIn === null ? "" : ` (suspended in ${s.run.waitingIn})`;
      throw new WasiAsyncError(`this guest is already running${where}: one call at a time per instance`);
    }
    if (asyncGuests.active >= asyncGuests.limit) {
      throw new WasiAsyncError(
        `${asyncGuests.active} guests are running in async mode, the most allowed (Wasi.asyncLimit): try again later`,
      );
    }
    let promised = this.#promised.get(fn);
    if (promised === undefined) {
      promised = this.#jspi!.promising(fn as (...a: unknown[]) => unknown);
      this.#promised.set(fn, promised);
    }
    const run = s.run = new Run(this.#signal, this.#flush);
    asyncGuests.active++;
    try {
      return await promised(...args);
    } catch (err) {
      throw asOurs(err);
    } finally {
      asyncGuests.active--;
      s.run = undefined;
      run.end();
      this.#flush(); // a reactor's output of this call reaches its stream now, not at the next call
    }
  }

  /** Sends what the stdio streams gathered (before the guest waits, and when a callAsync returns). */
  readonly #flush = (): void => {
    for (const st of this.#stdio) st.flush?.();
  };

  /** Closes every fd, then (async streams) closes or aborts the outputs and cancels the input. */
  async #finish(error: unknown): Promise<void> {
    this.#closeAll();
    this.#state.fsLog?.clear(); // handles an async filesystem opened for calls that never got them are closed
    await Promise.all(this.#stdio.map((st) => st.finish?.(error)));
  }

  /** Prepares a reactor: binds its memory and runs `_initialize` if exported. Once only. */
  initialize(instance: WebAssembly.Instance, options?: BindOptions): void {
    if (this.#jspi !== undefined) {
      throw new TypeError("initialize(): this Wasi is async: use await wasi.initializeAsync(instance)");
    }
    if (typeof instanceOf(instance, "initialize").exports._start === "function") {
      throw new TypeError("initialize(): the module exports _start; it is a command, use start()");
    }
    this.#bind(instance, "initialize", options);
    const init = instance.exports._initialize;
    if (typeof init === "function") init();
  }

  #bind(instance: WebAssembly.Instance, what: string, given?: BindOptions): void {
    if (this.#started) throw new Error(`${what}(): this Wasi has already started an instance`);
    const exported = instance.exports.memory;
    const memory = given?.memory ?? (exported instanceof WebAssembly.Memory ? exported : this.#importedMemory);
    if (!(memory instanceof WebAssembly.Memory)) {
      throw new TypeError(
        `${what}(): the module exports no memory named "memory" and imports none: pass the one it uses as ` +
          `${what}(instance, { memory })`,
      );
    }
    this.#started = true;
    this.#instance = instance;
    this.#state.mem.bind(memory);
  }

  /** The bytes the guest wrote to stdout so far (with `stdout: "capture"`). */
  stdoutBytes(): Uint8Array<ArrayBuffer> {
    return this.#captured(1, "stdout");
  }
  /** The guest's stdout so far, decoded as UTF-8 (with `stdout: "capture"`). */
  stdoutText(): string {
    return new TextDecoder().decode(this.stdoutBytes());
  }
  /** The bytes the guest wrote to stderr so far (with `stderr: "capture"`). */
  stderrBytes(): Uint8Array<ArrayBuffer> {
    return this.#captured(2, "stderr");
  }
  /** The guest's stderr so far, decoded as UTF-8 (with `stderr: "capture"`). */
  stderrText(): string {
    return new TextDecoder().decode(this.stderrBytes());
  }

  #captured(i: 1 | 2, name: string): Uint8Array<ArrayBuffer> {
    const s = this.#stdio[i];
    if (!(s instanceof CaptureSink)) throw new TypeError(`${name} was not captured: pass { ${name}: "capture" }`);
    return s.bytes();
  }
}

/** The host backend for a preopen's directory; a TypeError naming the preopen when it cannot be used. */
function preopenHostDir(guest: string, dir: string, onDenied: DenialListener | undefined): FileSystem {
  try {
    return hostFs(dir, { onDenied });
  } catch (err) {
    throw new TypeError(`options.preopens[${JSON.stringify(guest)}]: ${(err as Error).message}`, { cause: err });
  }
}

/** A compiled module from what `instantiate()` accepts (streaming a `Response` where the runtime can). */
async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (isBufferSource(source)) return await WebAssembly.compile(source);
  const res = await source;
  if (typeof Response === "undefined" || !(res instanceof Response)) {
    throw new TypeError("instantiate() takes wasm bytes, a WebAssembly.Module or a Response");
  }
  if (!res.ok) throw new TypeError(`instantiate(): the response is ${res.status} ${res.statusText}`);
  const type = res.headers.get("content-type") ?? "";
  if (typeof WebAssembly.compileStreaming === "function" && type.startsWith("application/wasm")) {
    return await WebAssembly.compileStreaming(res);
  }
  return await WebAssembly.compile(await res.arrayBuffer());
}

function isBufferSource(x: unknown): x is BufferSource {
  return x instanceof ArrayBuffer || ArrayBuffer.isView(x) ||
    (typeof SharedArrayBuffer !== "undefined" && x instanceof SharedArrayBuffer);
}

/**
 * Both import objects over one state, in spec order. i32 arguments are made unsigned once here
 * (`>>> 0`); i64 arguments arrive as bigint. Preview0 differs in whence numbering, the filestat
 * layout and the clock subscription layout, translated here.
 */
function makeImports(s: State): WasiImports {
  const p1 = {
    args_get: (a: number, b: number) => argsGet(s, a >>> 0, b >>> 0),
    args_sizes_get: (a: number, b: number) => argsSizesGet(s, a >>> 0, b >>> 0),
    environ_get: (a: number, b: number) => environGet(s, a >>> 0, b >>> 0),
    environ_sizes_get: (a: number, b: number) => environSizesGet(s, a >>> 0, b >>> 0),
    clock_res_get: (id: number, p: number) => clockResGet(s, id >>> 0, p >>> 0),
    clock_time_get: (id: number, precision: bigint, p: number) => clockTimeGet(s, id >>> 0, precision, p >>> 0),
    fd_advise: (f: number, off: bigint, len: bigint, adv: number) => fd.fdAdvise(s, f >>> 0, off, len, adv >>> 0),
    fd_allocate: (f: number, off: bigint, len: bigint) => fd.fdAllocate(s, f >>> 0, off, len),
    fd_close: (f: number) => fd.fdClose(s, f >>> 0),
    fd_datasync: (f: number) => fd.fdDatasync(s, f >>> 0),
    fd_fdstat_get: (f: number, p: number) => fd.fdFdstatGet(s, f >>> 0, p >>> 0),
    fd_fdstat_set_flags: (f: number, fl: number) => fd.fdFdstatSetFlags(s, f >>> 0, fl >>> 0),
    fd_fdstat_set_rights: (f: number, b: bigint, i: bigint) =>
      fd.fdFdstatSetRights(s, f >>> 0, BigInt.asUintN(64, b), BigInt.asUintN(64, i)),
    fd_filestat_get: (f: number, p: number) => fd.fdFilestatGet(s, f >>> 0, p >>> 0),
    fd_filestat_set_size: (f: number, size: bigint) => fd.fdFilestatSetSize(s, f >>> 0, BigInt.asUintN(64, size)),
    fd_filestat_set_times: (f: number, a: bigint, m: bigint, fl: number) =>
      fd.fdFilestatSetTimes(s, f >>> 0, BigInt.asUintN(64, a), BigInt.asUintN(64, m), fl >>> 0),
    fd_pread: (f: number, iovs: number, n: number, off: bigint, p: number) =>
      fd.fdPread(s, f >>> 0, iovs >>> 0, n >>> 0, BigInt.asUintN(64, off), p >>> 0),
    fd_prestat_get: (f: number, p: number) => fd.fdPrestatGet(s, f >>> 0, p >>> 0),
    fd_prestat_dir_name: (f: number, p: number, n: number) => fd.fdPrestatDirName(s, f >>> 0, p >>> 0, n >>> 0),
    fd_pwrite: (f: number, iovs: number, n: number, off: bigint, p: number) =>
      fd.fdPwrite(s, f >>> 0, iovs >>> 0, n >>> 0, BigInt.asUintN(64, off), p >>> 0),
    fd_read: (f: number, iovs: number, n: number, p: number) => fd.fdRead(s, f >>> 0, iovs >>> 0, n >>> 0, p >>> 0),
    fd_readdir: (f: number, buf: number, len: number, cookie: bigint, p: number) =>
      fd.fdReaddir(s, f >>> 0, buf >>> 0, len >>> 0, BigInt.asUintN(64, cookie), p >>> 0),
    fd_renumber: (f: number, to: number) => fd.fdRenumber(s, f >>> 0, to >>> 0),
    fd_seek: (f: number, off: bigint, w: number, p: number) => fd.fdSeek(s, f >>> 0, off, w >>> 0, p >>> 0),
    fd_sync: (f: number) => fd.fdSync(s, f >>> 0),
    fd_tell: (f: number, p: number) => fd.fdTell(s, f >>> 0, p >>> 0),
    fd_write: (f: number, iovs: number, n: number, p: number) => fd.fdWrite(s, f >>> 0, iovs >>> 0, n >>> 0, p >>> 0),
    path_create_directory: (f: number, p: number, n: number) => path.pathCreateDirectory(s, f >>> 0, p >>> 0, n >>> 0),
    path_filestat_get: (f: number, fl: number, p: number, n: number, buf: number) =>
      path.pathFilestatGet(s, f >>> 0, fl >>> 0, p >>> 0, n >>> 0, buf >>> 0),
    path_filestat_set_times: (f: number, fl: number, p: number, n: number, a: bigint, m: bigint, fst: number) =>
      path.pathFilestatSetTimes(
        s,
        f >>> 0,
        fl >>> 0,
        p >>> 0,
        n >>> 0,
        BigInt.asUintN(64, a),
        BigInt.asUintN(64, m),
        fst >>> 0,
      ),
    path_link: (of: number, ofl: number, op: number, on: number, nf: number, np: number, nn: number) =>
      path.pathLink(s, of >>> 0, ofl >>> 0, op >>> 0, on >>> 0, nf >>> 0, np >>> 0, nn >>> 0),
    path_open: (
      f: number,
      dfl: number,
      p: number,
      n: number,
      ofl: number,
      rb: bigint,
      ri: bigint,
      fdfl: number,
      out: number,
    ) =>
      path.pathOpen(
        s,
        f >>> 0,
        dfl >>> 0,
        p >>> 0,
        n >>> 0,
        ofl >>> 0,
        BigInt.asUintN(64, rb),
        BigInt.asUintN(64, ri),
        fdfl >>> 0,
        out >>> 0,
      ),
    path_readlink: (f: number, p: number, n: number, buf: number, len: number, used: number) =>
      path.pathReadlink(s, f >>> 0, p >>> 0, n >>> 0, buf >>> 0, len >>> 0, used >>> 0),
    path_remove_directory: (f: number, p: number, n: number) => path.pathRemoveDirectory(s, f >>> 0, p >>> 0, n >>> 0),
    path_rename: (f: number, op: number, on: number, nf: number, np: number, nn: number) =>
      path.pathRename(s, f >>> 0, op >>> 0, on >>> 0, nf >>> 0, np >>> 0, nn >>> 0),
    path_symlink: (op: number, on: number, f: number, np: number, nn: number) =>
      path.pathSymlink(s, op >>> 0, on >>> 0, f >>> 0, np >>> 0, nn >>> 0),
    path_unlink_file: (f: number, p: number, n: number) => path.pathUnlinkFile(s, f >>> 0, p >>> 0, n >>> 0),
    poll_oneoff: (i: number, o: number, n: number, p: number) => pollOneoff(s, i >>> 0, o >>> 0, n >>> 0, p >>> 0),
    proc_exit: (code: number) => procExit(s, code >>> 0),
    proc_raise: (sig: number) => procRaise(s, sig >>> 0),
    sched_yield: () => schedYield(s),
    random_get: (p: number, n: number) => randomGet(s, p >>> 0, n >>> 0),
    sock_accept: (f: number, fl: number, p: number) => sockAccept(s, f >>> 0, fl >>> 0, p >>> 0),
    sock_recv: (f: number, p: number, n: number, fl: number, len: number, ofl: number) =>
      sockRecv(s, f >>> 0, p >>> 0, n >>> 0, fl >>> 0, len >>> 0, ofl >>> 0),
    sock_send: (f: number, p: number, n: number, fl: number, len: number) =>
      sockSend(s, f >>> 0, p >>> 0, n >>> 0, fl >>> 0, len >>> 0),
    sock_shutdown: (f: number, how: number) => sockShutdown(s, f >>> 0, how >>> 0),
  };
  const { sock_accept: _, ...shared } = p1;
  const p0 = {
    ...shared,
    fd_seek: (f: number, off: bigint, w: number, p: number) =>
      fd.fdSeek(s, f >>> 0, off, WHENCE_FROM_P0[w >>> 0] ?? 0xff, p >>> 0),
    fd_filestat_get: (f: number, p: number) => fd.fdFilestatGet(s, f >>> 0, p >>> 0, FILESTAT_P0),
    path_filestat_get: (f: number, fl: number, p: number, n: number, buf: number) =>
      path.pathFilestatGet(s, f >>> 0, fl >>> 0, p >>> 0, n >>> 0, buf >>> 0, FILESTAT_P0),
    poll_oneoff: (i: number, o: number, n: number, p: number) =>
      pollOneoff(s, i >>> 0, o >>> 0, n >>> 0, p >>> 0, SUBSCRIPTION_P0),
  };
  return { wasi_snapshot_preview1: p1, wasi_unstable: p0 };
}

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
function suspendWaiting(
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
function guardJsFrames(s: State, extra: WebAssembly.Imports): WebAssembly.Imports {
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

/**
 * The status a host process should exit with for a guest's exit code: 0 to 255 as they are, anything above 255 as 255.
 * The OS keeps only the low 8 bits of a status, so `process.exitCode = 256` would read as success.
 *
 * @example
 * ```ts
 * import { exitStatus, Wasi } from "@hostcall/wasi";
 * const wasi = new Wasi({ args: ["app"] });
 * const { instance } = await wasi.instantiate(await Deno.readFile("./examples/wc.wasm"));
 * Deno.exitCode = exitStatus(wasi.start(instance));
 * ```
 */
export function exitStatus(code: number): number {
  return code >>> 0 > 255 ? 255 : code >>> 0;
}
