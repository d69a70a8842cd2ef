// The Wasi class: options -> State, the import objects, instantiate(), start(), initialize().

import { DirDescriptor, StreamDescriptor } from "./fd_table.ts";
import { type AsyncFileSystem, type FileSystem, isAsyncFs } from "./fs/types.ts";
import { ReplayFs, ReplayLog } from "./replay.ts";
import { hostFs } from "./fs/host.ts";
import type { DenialListener } from "./fs/denial.ts";
import { State } from "./state.ts";
import { CaptureSink, outputStream, stdinStream, type Stream } from "./stdio.ts";
import { asOurs, asyncGuests, jspi, Run, WasiAsyncError } from "./async.ts";
import { guardJsFrames, suspendWaiting } from "./async_imports.ts";
import { makeImports, type WasiImports } from "./import_object.ts";
import { checkOptions, type WasiOptions } from "./options.ts";
import { WasiExit } from "./calls/proc.ts";
import { traceImports } from "./trace.ts";
import { describeMissing, importedMemory, missingImports } from "./imports.ts";
import { type ListenerAddress, type ListenerOption, openListener } from "./net/listen.ts";
import { ListenerDescriptor } from "./net/socket.ts";
import type { NetListener } from "./net/types.ts";
import { Hub } from "./net/conn.ts";

export type { WasiImports, WasiOptions };

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
