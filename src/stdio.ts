// Standard streams: the guest's fds 0-2 as the host's own stdio, captured buffers, callbacks or nothing.

import { Errno } from "./abi/errno.ts";
import type { IoResult } from "./fs/types.ts";
import { AsyncFnSink, AsyncSource, isAsyncIterable, isReadableStream, StreamSink } from "./streams.ts";

/**
 * What fd 0 reads: the host's stdin, a host file descriptor by number, nothing, fixed bytes or text, a function that
 * fills a buffer, or (async mode only) a stream that arrives over time.
 */
export type StdinOption =
  | "inherit"
  | number
  | "null"
  | Uint8Array
  | string
  | ((buf: Uint8Array) => number)
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;
/**
 * Where fd 1 or 2 goes: the host's stream, a host file descriptor by number, nowhere, a buffer read afterwards (up to
 * `captureLimit` bytes), a function (in async mode it may return a promise, which the next write waits for), or (async
 * mode only) a WritableStream.
 */
export type StdoutOption =
  | "inherit"
  | number
  | "null"
  | "capture"
  | ((bytes: Uint8Array) => void)
  | ((bytes: Uint8Array) => Promise<void>)
  | WritableStream<Uint8Array>;

/** A byte stream behind a stdio descriptor. Results are byte counts, or negated errnos. */
export interface Stream {
  read(dst: Uint8Array): IoResult;
  write(src: Uint8Array): IoResult;
  /** Bytes that a read would return at once, or -1 when unknown (poll_oneoff). */
  available(): number;
  /** True once the input is known to be at its end (poll_oneoff reports a hangup); false while more may come. */
  ended(): boolean;
  /** True when the stream is a terminal (reported as a character device: decisions.md#stdio-filetype). */
  isTerminal(): boolean;
  /** Async streams: null when a read (or a write) would not wait now, else what to wait for (poll_oneoff). */
  whenReady?(write: boolean): PromiseLike<unknown> | null;
  /** Async outputs that gather small writes: sends what was gathered (before the guest waits). */
  flush?(): void;
  /** Async streams, when the guest is done: an output is closed (aborted with `error` after a trap), an input cancelled. */
  finish?(error?: unknown): Promise<void>;
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/** Node's `fs` and `tty` (Bun, Node; Deno has its own APIs), loaded without a static import. */
interface NodeFs {
  writeSync(fd: number, buf: Uint8Array, off: number, len: number): number;
  readSync(fd: number, buf: Uint8Array, off: number, len: number, pos: null): number;
}
let nodeFsCache: NodeFs | null | undefined;
function nodeFs(): NodeFs | null {
  if (nodeFsCache === undefined) nodeFsCache = (g.process?.getBuiltinModule?.("node:fs") ?? null) as NodeFs | null;
  return nodeFsCache;
}

const blocker = { a: undefined as Int32Array | undefined };
/** Waits `ms` before retrying an EAGAIN on a non-blocking host fd. */
function backoff(ms: number): void {
  try {
    blocker.a ??= new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(blocker.a, 0, 0, ms);
  } catch { /* no Atomics.wait: retry at once */ }
}

/** Maps an error thrown by a host stdio call to an errno; unexpected ones are rethrown (host bugs). */
function stdioErrno(err: unknown): Errno {
  const e = err as { code?: string; name?: string };
  switch (e?.code ?? e?.name) {
    case "EPIPE":
    case "BrokenPipe":
      return Errno.PIPE;
    case "EBADF":
    case "BadResource":
      return Errno.BADF;
    case "EIO":
      return Errno.IO;
    case "ENOSPC":
      return Errno.NOSPC;
    case "ECONNRESET":
    case "ConnectionReset":
      return Errno.CONNRESET;
    case "EISDIR":
    case "IsADirectory":
      return Errno.ISDIR;
    case "NotCapable":
    case "PermissionDenied":
    case "EACCES":
    case "EPERM":
      return Errno.ACCES;
  }
  throw err;
}

function hostIsTerminal(fd: number): boolean {
  try {
    if (typeof g.Deno !== "undefined") return [g.Deno.stdin, g.Deno.stdout, g.Deno.stderr][fd].isTerminal();
    const tty = g.process?.getBuiltinModule?.("node:tty");
    return tty?.isatty(fd) === true;
  } catch {
    return false;
  }
}

/** Streams that are not terminals: pipes, buffers, callbacks. */
abstract class PipeLike implements Stream {
  read(_dst: Uint8Array): IoResult {
    return -Errno.BADF;
  }
  write(_src: Uint8Array): IoResult {
    return -Errno.BADF;
  }
  available(): number {
    return -1;
  }
  ended(): boolean {
    return false;
  }
  isTerminal(): boolean {
    return false;
  }
}

/** "null": reads are at EOF, writes vanish whole. */
class NullStream extends PipeLike {
  override read(): IoResult {
    return 0;
  }
  override write(src: Uint8Array): IoResult {
    return src.length;
  }
  override available(): number {
    return 0;
  }
  override ended(): boolean {
    return true;
  }
}

/** A fixed input (bytes or UTF-8 text) read from start to end. */
class BytesSource extends PipeLike {
  #data: Uint8Array;
  #pos = 0;
  constructor(data: Uint8Array) {
    super();
    this.#data = data;
  }
  override read(dst: Uint8Array): IoResult {
    const n = Math.min(dst.length, this.#data.length - this.#pos);
    dst.set(this.#data.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    return n;
  }
  override available(): number {
    return this.#data.length - this.#pos;
  }
  override ended(): boolean {
    return this.#pos === this.#data.length;
  }
}

/** A user function that fills the buffer it is given and returns the count (0 = end of input). */
class FnSource extends PipeLike {
  #fn: (buf: Uint8Array) => number;
  /** The function said end of input (returned 0 for a buffer that had room). */
  #ended = false;
  constructor(fn: (buf: Uint8Array) => number) {
    super();
    this.#fn = fn;
  }
  override read(dst: Uint8Array): IoResult {
    const n = this.#fn(dst);
    if (!Number.isInteger(n) || n < 0 || n > dst.length) {
      throw new TypeError(`stdin function returned ${n}; expected an integer from 0 to ${dst.length}`);
    }
    if (n === 0 && dst.length > 0) this.#ended = true;
    return n;
  }
  override ended(): boolean {
    return this.#ended;
  }
}

/** Most bytes a "capture" stream keeps unless told otherwise (`captureLimit`). */
export const CAPTURE_LIMIT = 64 << 20;

/**
 * "capture": everything written is kept, in order, for `stdoutBytes()`/`stdoutText()`, up to `limit` bytes; past it
 * a write is short (what fits), then ENOSPC, as a full disk (decisions.md#capture-limit).
 */
export class CaptureSink extends PipeLike {
  #buf = new Uint8Array(4096);
  #len = 0;
  readonly #limit: number;
  constructor(limit: number = CAPTURE_LIMIT) {
    super();
    this.#limit = limit;
  }
  override write(src: Uint8Array): IoResult {
    const room = this.#limit - this.#len;
    if (room <= 0 && src.length > 0) return -Errno.NOSPC;
    if (src.length > room) src = src.subarray(0, room);
    const need = this.#len + src.length;
    if (need > this.#buf.length) {
      const grown = new Uint8Array(Math.max(need, this.#buf.length * 2));
      grown.set(this.#buf.subarray(0, this.#len));
      this.#buf = grown;
    }
    this.#buf.set(src, this.#len);
    this.#len = need;
    return src.length;
  }
  /** A copy of the bytes captured so far. */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.#buf.slice(0, this.#len);
  }
}

/** A user function given a copy of each write's bytes. */
class FnSink extends PipeLike {
  #fn: (bytes: Uint8Array) => void;
  constructor(fn: (bytes: Uint8Array) => void) {
    super();
    this.#fn = fn;
  }
  override write(src: Uint8Array): IoResult {
    this.#fn(src.slice());
    return src.length;
  }
}

/** The host's own fd 0, 1 or 2, used synchronously so nothing is lost at exit or on a trap. */
class HostStream implements Stream {
  #fd: number;
  #terminal: boolean | undefined;
  /** Deno.stdout or Deno.stderr, looked up once (undefined off Deno or for fd 0). */
  #deno: { writeSync(p: Uint8Array): number } | undefined;
  /**
   * node:fs's writeSync, looked up once (undefined on Deno, for fd 0, or with no node:fs): a call through this field
   * costs Node ~30 ns less than through the module object (measured from a wasm import, 64 KiB writes).
   */
  #nodeWrite: NodeFs["writeSync"] | undefined;
  constructor(fd: number) {
    this.#fd = fd;
    if (fd !== 0 && typeof g.Deno !== "undefined") this.#deno = fd === 1 ? g.Deno.stdout : g.Deno.stderr;
    else if (fd !== 0) this.#nodeWrite = nodeFs()?.writeSync;
  }
  read(dst: Uint8Array): IoResult {
    if (this.#fd !== 0) return -Errno.BADF;
    if (dst.length === 0) return 0;
    try {
      if (typeof g.Deno !== "undefined") return g.Deno.stdin.readSync(dst) ?? 0;
      const fs = nodeFs();
      if (fs === null) return 0; // no host stdin here (edge): end of input
      for (;;) {
        try {
          return fs.readSync(0, dst, 0, dst.length, null);
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === "EOF") return 0;
          if (code !== "EAGAIN") throw err;
          backoff(1); // a non-blocking stdin: wait for data, as a blocking read would
        }
      }
    } catch (err) {
      return -stdioErrno(err);
    }
  }
  write(src: Uint8Array): IoResult {
    const out = this.#deno;
    if (out !== undefined) {
      try {
        let off = out.writeSync(src);
        while (off < src.length) off += out.writeSync(src.subarray(off));
        return src.length;
      } catch (err) {
        return -stdioErrno(err);
      }
    }
    if (this.#fd === 0) return -Errno.BADF;
    const write = this.#nodeWrite;
    if (write === undefined) return consoleWrite(this.#fd, src);
    try {
      for (let off = 0; off < src.length;) {
        try {
          off += write(this.#fd, src, off, src.length - off);
        } catch (err) {
          if ((err as { code?: string }).code !== "EAGAIN") throw err;
          backoff(1); // a non-blocking pipe is full: wait until it drains
        }
      }
      return src.length;
    } catch (err) {
      return -stdioErrno(err);
    }
  }
  available(): number {
    return this.#fd === 0 ? -1 : 0;
  }
  ended(): boolean {
    return false; // the host's stdin: a read would tell, and it may block
  }
  isTerminal(): boolean {
    return this.#terminal ??= hostIsTerminal(this.#fd); // looked up once, at the first question
  }
}

/**
 * A host file descriptor given by number (`stdout: 3`, as node:wasi's stdio options), read and written synchronously
 * through node:fs (Deno's too: a number from its `node:fs` `openSync`). Not closed when the guest ends: it is the
 * caller's.
 */
class FdStream extends PipeLike {
  readonly #fd: number;
  readonly #fs: NodeFs;
  #terminal: boolean | undefined;
  constructor(fd: number, fs: NodeFs) {
    super();
    this.#fd = fd;
    this.#fs = fs;
  }
  override read(dst: Uint8Array): IoResult {
    if (dst.length === 0) return 0;
    for (;;) {
      try {
        return this.#fs.readSync(this.#fd, dst, 0, dst.length, null);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === "EOF") return 0;
        if (code !== "EAGAIN") return -stdioErrno(err);
        backoff(1);
      }
    }
  }
  override write(src: Uint8Array): IoResult {
    for (let off = 0; off < src.length;) {
      try {
        off += this.#fs.writeSync(this.#fd, src, off, src.length - off);
      } catch (err) {
        if ((err as { code?: string }).code !== "EAGAIN") return -stdioErrno(err);
        backoff(1);
      }
    }
    return src.length;
  }
  override isTerminal(): boolean {
    return this.#terminal ??= g.process?.getBuiltinModule?.("node:tty")?.isatty(this.#fd) === true;
  }
}

/** A host fd number's stream, or a TypeError naming the option where the runtime has no node:fs (an edge runtime). */
function fdStream(fd: number, name: string): Stream {
  const fs = nodeFs();
  if (fs === null) throw new TypeError(`options.${name}: host fd numbers need node:fs (Deno, Bun, Node)`);
  return new FdStream(fd, fs);
}

const lineBuffers: [string, string] = ["", ""];
const consoleDecoder = new TextDecoder();
/** Where a runtime has neither Deno nor node:fs (edge), inherited output goes to the console by lines. */
function consoleWrite(fd: number, src: Uint8Array): IoResult {
  const i = fd - 1;
  const text = lineBuffers[i] + consoleDecoder.decode(src, { stream: true });
  const cut = text.lastIndexOf("\n");
  lineBuffers[i] = text.slice(cut + 1);
  if (cut >= 0) (fd === 1 ? console.log : console.error)(text.slice(0, cut));
  return src.length;
}

/** Builds fd 0's stream from its option (validated by the caller). */
export function stdinStream(opt: StdinOption): Stream {
  if (opt === "inherit") return new HostStream(0);
  if (typeof opt === "number") return fdStream(opt, "stdin");
  if (opt === "null") return new NullStream();
  if (typeof opt === "string") return new BytesSource(new TextEncoder().encode(opt));
  if (typeof opt === "function") return new FnSource(opt);
  if (opt instanceof Uint8Array) return new BytesSource(opt);
  return new AsyncSource(opt);
}

/** Builds fd 1's or fd 2's stream from its option (validated by the caller); `async`: async mode. */
export function outputStream(opt: StdoutOption, fd: 1 | 2, async = false, captureLimit = CAPTURE_LIMIT): Stream {
  if (opt === "inherit") return new HostStream(fd);
  if (typeof opt === "number") return fdStream(opt, fd === 1 ? "stdout" : "stderr");
  if (opt === "null") return new NullStream();
  if (opt === "capture") return new CaptureSink(captureLimit);
  if (typeof opt === "function") return async ? new AsyncFnSink(opt) : new FnSink(opt);
  return new StreamSink(opt);
}

/** True for the stdin options that arrive over time (async mode only). */
export function isAsyncInput(opt: unknown): boolean {
  return isReadableStream(opt) || isAsyncIterable(opt);
}
