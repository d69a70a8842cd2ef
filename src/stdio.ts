// Standard streams: the guest's fds 0-2 as the host's own stdio, captured buffers, callbacks or nothing.

import { Errno } from "./abi/errno.ts";
import type { IoResult } from "./fs/types.ts";

/** What fd 0 reads: the host's stdin, nothing, fixed bytes or text, or a function that fills a buffer. */
export type StdinOption = "inherit" | "null" | Uint8Array | string | ((buf: Uint8Array) => number);
/** Where fd 1 or 2 goes: the host's stream, nowhere, a buffer read afterwards, or a function. */
export type StdoutOption = "inherit" | "null" | "capture" | ((bytes: Uint8Array) => void);

/** A byte stream behind a stdio descriptor. Results are byte counts, or negated errnos. */
export interface Stream {
  read(dst: Uint8Array): IoResult;
  write(src: Uint8Array): IoResult;
  /** Bytes that a read would return at once, or -1 when unknown (poll_oneoff). */
  available(): number;
  /** True when the stream is a terminal (reported as a character device: decisions.md#stdio-filetype). */
  isTerminal(): boolean;
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
}

/** A user function that fills the buffer it is given and returns the count (0 = end of input). */
class FnSource extends PipeLike {
  #fn: (buf: Uint8Array) => number;
  constructor(fn: (buf: Uint8Array) => number) {
    super();
    this.#fn = fn;
  }
  override read(dst: Uint8Array): IoResult {
    const n = this.#fn(dst);
    if (!Number.isInteger(n) || n < 0 || n > dst.length) {
      throw new TypeError(`stdin function returned ${n}; expected an integer from 0 to ${dst.length}`);
    }
    return n;
  }
}

/** "capture": everything written is kept, in order, for `stdoutBytes()`/`stdoutText()`. */
export class CaptureSink extends PipeLike {
  #buf = new Uint8Array(4096);
  #len = 0;
  override write(src: Uint8Array): IoResult {
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
  constructor(fd: number) {
    this.#fd = fd;
    if (fd !== 0 && typeof g.Deno !== "undefined") this.#deno = fd === 1 ? g.Deno.stdout : g.Deno.stderr;
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
    try {
      const fs = nodeFs();
      if (fs === null) return consoleWrite(this.#fd, src);
      for (let off = 0; off < src.length;) {
        try {
          off += fs.writeSync(this.#fd, src, off, src.length - off);
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
  isTerminal(): boolean {
    return this.#terminal ??= hostIsTerminal(this.#fd); // looked up once, at the first question
  }
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
  if (opt === "null") return new NullStream();
  if (typeof opt === "string") return new BytesSource(new TextEncoder().encode(opt));
  if (typeof opt === "function") return new FnSource(opt);
  return new BytesSource(opt);
}

/** Builds fd 1's or fd 2's stream from its option (validated by the caller). */
export function outputStream(opt: StdoutOption, fd: 1 | 2): Stream {
  if (opt === "inherit") return new HostStream(fd);
  if (opt === "null") return new NullStream();
  if (opt === "capture") return new CaptureSink();
  return new FnSink(opt);
}
