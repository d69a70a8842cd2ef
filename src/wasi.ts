// The Wasi class: options -> State, the import objects, instantiate(), start(), initialize().

import { WHENCE_FROM_P0 } from "./abi/consts.ts";
import { FILESTAT_P0, SUBSCRIPTION_P0 } from "./abi/layout.ts";
import type { WasiClock } from "./clocks.ts";
import { DirDescriptor, MAX_FDS, StreamDescriptor } from "./fd_table.ts";
import type { FileSystem } from "./fs/types.ts";
import { hostFs } from "./fs/host.ts";
import { type RandomSource, State } from "./state.ts";
import { CaptureSink, outputStream, type StdinOption, stdinStream, type StdoutOption, type Stream } from "./stdio.ts";
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

/** Options of `new Wasi()`. Every field is optional. */
export interface WasiOptions {
  /** The guest's argv, argv[0] first. Default `[]`. */
  args?: readonly string[];
  /** The guest's environment, exactly these variables (never the host's unless you pass them). Default `{}`. */
  env?: Readonly<Record<string, string>>;
  /** Guest directory path → host directory path or a `FileSystem`; fd 3, 4, … in this order. Default `{}`. */
  preopens?: Readonly<Record<string, string | FileSystem>>;
  /** fd 0: `"inherit"` (default), `"null"`, bytes, text, or a function filling a buffer and returning the count (0 = EOF). */
  stdin?: StdinOption;
  /** fd 1: `"inherit"` (default, written synchronously), `"null"`, `"capture"`, or a function given each write's bytes. */
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

function checkOptions(o: unknown): asserts o is WasiOptions {
  if (o === null || typeof o !== "object") throw new TypeError("Wasi options must be an object");
  const opts = o as Record<string, unknown>;
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
    }
  }
  if (
    stdin !== undefined && stdin !== "inherit" && stdin !== "null" && typeof stdin !== "string" &&
    typeof stdin !== "function" && !(stdin instanceof Uint8Array)
  ) {
    throw new TypeError('options.stdin must be "inherit", "null", a string, a Uint8Array or a function');
  }
  for (const [name, v] of [["stdout", stdout], ["stderr", stderr]] as const) {
    if (v !== undefined && typeof v !== "function" && !OUTPUT_MODES.includes(v as string)) {
      throw new TypeError(`options.${name} must be "inherit", "null", "capture" or a function`);
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
  const least = 3 + (preopens === undefined ? 0 : Object.keys(preopens as object).length);
  if (
    maxFds !== undefined && (!Number.isInteger(maxFds) || (maxFds as number) < least || (maxFds as number) > MAX_FDS)
  ) {
    throw new TypeError(`options.maxFds must be an integer from ${least} (stdio and the preopens) to ${MAX_FDS}`);
  }
}

/**
 * A WASI preview1 host for one guest instance.
 *
 * @example
 * ```ts
 * import { Wasi } from "./mod.ts";
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

  /** Checks the options (a `TypeError` names a bad one) and sets up fds 0-2 and the preopens. */
  constructor(options: WasiOptions = {}) {
    checkOptions(options);
    const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
    this.#state = new State(options.args ?? [], env, options.clock, options.random, options.maxFds);
    const stdin = options.stdin;
    this.#stdio = [
      stdinStream(stdin instanceof Uint8Array ? stdin.slice() : stdin ?? "inherit"),
      outputStream(options.stdout ?? "inherit", 1),
      outputStream(options.stderr ?? "inherit", 2),
    ];
    const fds = this.#state.fds;
    this.#stdio.forEach((stream, i) => fds.add(new StreamDescriptor(stream, i === 0)));
    for (const [guest, target] of Object.entries(options.preopens ?? {})) {
      fds.add(new DirDescriptor(typeof target === "string" ? preopenHostDir(guest, target) : target, "", guest));
    }
    const imports = makeImports(this.#state);
    // Off: the plain functions themselves, no wrapper at all (decisions.md#tracing).
    this.#imports = options.trace ? traceImports(imports, this.#state, options.trace) : imports;
  }

  /** The import objects for `wasi_snapshot_preview1` and `wasi_unstable` (preview0). */
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
    const imports = { ...extraImports, ...this.#imports } as unknown as WebAssembly.Imports;
    if (source instanceof WebAssembly.Module) {
      return { module: source, instance: await WebAssembly.instantiate(source, imports) };
    }
    if (isBufferSource(source)) return await WebAssembly.instantiate(source, imports);
    const res = await source;
    if (typeof Response === "undefined" || !(res instanceof Response)) {
      throw new TypeError("instantiate() takes wasm bytes, a WebAssembly.Module or a Response");
    }
    if (!res.ok) throw new TypeError(`instantiate(): the response is ${res.status} ${res.statusText}`);
    const type = res.headers.get("content-type") ?? "";
    if (typeof WebAssembly.instantiateStreaming === "function" && type.startsWith("application/wasm")) {
      return await WebAssembly.instantiateStreaming(res, imports);
    }
    return await WebAssembly.instantiate(await res.arrayBuffer(), imports);
  }

  /**
   * Runs a command's `_start` and returns its exit code: 0 when `_start` returns, `n` after
   * `proc_exit(n)`. Never exits the host; a trap propagates as the original error. Once only.
   */
  start(instance: WebAssembly.Instance): number {
    const start = instance.exports._start;
    if (typeof start !== "function") {
      throw new TypeError("start(): the module exports no _start function (a reactor? use initialize())");
    }
    this.#bind(instance, "start");
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

  /** Prepares a reactor: binds its memory and runs `_initialize` if exported. Once only. */
  initialize(instance: WebAssembly.Instance): void {
    if (typeof instance.exports._start === "function") {
      throw new TypeError("initialize(): the module exports _start; it is a command, use start()");
    }
    this.#bind(instance, "initialize");
    const init = instance.exports._initialize;
    if (typeof init === "function") init();
  }

  #bind(instance: WebAssembly.Instance, what: string): void {
    if (this.#started) throw new Error(`${what}(): this Wasi has already started an instance`);
    const memory = instance.exports.memory;
    if (!(memory instanceof WebAssembly.Memory)) {
      throw new TypeError(`${what}(): the module exports no memory named "memory"`);
    }
    this.#started = true;
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
function preopenHostDir(guest: string, dir: string): FileSystem {
  try {
    return hostFs(dir);
  } catch (err) {
    throw new TypeError(`options.preopens[${JSON.stringify(guest)}]: ${(err as Error).message}`, { cause: err });
  }
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
