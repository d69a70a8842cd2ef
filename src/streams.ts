// Async-mode stdio: fd 0 from a ReadableStream or AsyncIterable, fds 1-2 into a WritableStream or an async function.

import { Errno } from "./abi/errno.ts";
import type { IoResult } from "./fs/types.ts";
import { pending } from "./pending.ts";
import type { Stream } from "./stdio.ts";

/** True for a web `ReadableStream` (any realm: checked by shape, not `instanceof`). */
export function isReadableStream(x: unknown): x is ReadableStream<Uint8Array> {
  return typeof x === "object" && x !== null && typeof (x as ReadableStream).getReader === "function" &&
    typeof (x as ReadableStream).tee === "function";
}

/** True for a web `WritableStream` (checked by shape). */
export function isWritableStream(x: unknown): x is WritableStream<Uint8Array> {
  return typeof x === "object" && x !== null && typeof (x as WritableStream).getWriter === "function" &&
    typeof (x as WritableStream).abort === "function";
}

/** True for an async iterable (a Node `Readable`, an async generator, `Deno.stdin.readable`…). */
export function isAsyncIterable(x: unknown): x is AsyncIterable<Uint8Array> {
  return typeof x === "object" && x !== null &&
    typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}

const utf8 = new TextEncoder();

/** A chunk as bytes: Uint8Array as is, other views and ArrayBuffers viewed, strings UTF-8; else a TypeError. */
function bytesOf(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return utf8.encode(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new TypeError(`stdin gave a chunk that is not bytes (${Object.prototype.toString.call(chunk)})`);
}

/**
 * fd 0 from a stream that arrives over time (a request body, `process.stdin`): one chunk is held at a time and
 * copied into guest memory as the guest reads it (a stream cannot read into wasm memory directly). With nothing
 * held, a read starts the next one and answers PENDING; a failed stream reads as EIO, its end as 0.
 */
export class AsyncSource implements Stream {
  #reader: ReadableStreamDefaultReader<unknown> | undefined;
  #iterator: AsyncIterator<unknown> | undefined;
  readonly #from: ReadableStream<unknown> | AsyncIterable<unknown>;
  #chunk: Uint8Array | null = null;
  #at = 0;
  #next: Promise<void> | null = null;
  #done = false;
  #failed = false;

  constructor(from: ReadableStream<unknown> | AsyncIterable<unknown>) {
    this.#from = from;
  }

  read(dst: Uint8Array): IoResult {
    const chunk = this.#chunk;
    if (chunk !== null) {
      const n = Math.min(dst.length, chunk.length - this.#at);
      dst.set(chunk.subarray(this.#at, this.#at + n));
      this.#at += n;
      if (this.#at === chunk.length) this.#chunk = null;
      return n;
    }
    if (this.#failed) return -Errno.IO;
    if (this.#done || dst.length === 0) return 0;
    return -pending(this.#pull());
  }

  write(): IoResult {
    return -Errno.BADF;
  }

  available(): number {
    if (this.#chunk !== null) return this.#chunk.length - this.#at;
    return this.#done || this.#failed ? 0 : -1;
  }

  /** True once the stream has ended (or failed) and every byte was read. */
  ended(): boolean {
    return this.#chunk === null && (this.#done || this.#failed);
  }

  whenReady(write: boolean): PromiseLike<unknown> | null {
    if (write || this.#chunk !== null || this.#done || this.#failed) return null;
    return this.#pull();
  }

  isTerminal(): boolean {
    return false;
  }

  /** The guest is done: what it did not read is cancelled (a request body is released). */
  async finish(): Promise<void> {
    if (this.#done || this.#failed) return;
    this.#done = true;
    try {
      if (this.#reader !== undefined) await this.#reader.cancel();
      else if (this.#iterator !== undefined) await this.#iterator.return?.();
      else if (isReadableStream(this.#from)) await this.#from.cancel();
    } catch { /* a stream that fails to cancel is gone all the same */ }
  }

  /** The next chunk's arrival (one read in flight at a time). */
  #pull(): Promise<void> {
    if (this.#next !== null) return this.#next;
    let step: Promise<IteratorResult<unknown>>;
    try {
      step = this.#step();
    } catch (err) {
      step = Promise.reject(err);
    }
    return this.#next = step.then(
      (r) => {
        this.#next = null;
        if (r.done) {
          this.#done = true;
          return;
        }
        try {
          const bytes = bytesOf(r.value);
          if (bytes.length > 0) {
            this.#chunk = bytes;
            this.#at = 0;
          }
        } catch {
          this.#failed = true; // a chunk that is not bytes: the stream is unusable
        }
      },
      () => {
        this.#next = null;
        this.#failed = true;
      },
    );
  }

  #step(): Promise<IteratorResult<unknown>> {
    const from = this.#from;
    if (isReadableStream(from)) {
      this.#reader ??= (from as ReadableStream<unknown>).getReader();
      return this.#reader.read() as Promise<IteratorResult<unknown>>;
    }
    this.#iterator ??= (from as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    return this.#iterator.next();
  }
}

/** Small writes are gathered into chunks of up to this many bytes before they go into a WritableStream. */
const CHUNK = 64 << 10;

/**
 * fd 1 or 2 into a WritableStream (a `TransformStream`'s writable side returned as a `Response` body, a file's
 * `writable`…), with backpressure: while the stream wants no more (`desiredSize <= 0`), a write answers PENDING until
 * it is `ready`. Small writes are gathered into one chunk until the guest waits, exits or fills 64 KiB: a chunk costs
 * a WritableStream 5-8 µs, and nothing could take it earlier anyway (the guest holds the thread until it waits). When
 * the stream errors or its consumer goes away, the next write is EPIPE.
 */
export class StreamSink implements Stream {
  readonly #stream: WritableStream<Uint8Array>;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #broken = false;
  #buf: Uint8Array = new Uint8Array(0);
  #len = 0;

  constructor(stream: WritableStream<Uint8Array>) {
    this.#stream = stream;
  }

  read(): IoResult {
    return -Errno.BADF;
  }

  write(src: Uint8Array): IoResult {
    if (this.#broken) return -Errno.PIPE;
    const w = this.#writerOf();
    const room = w.desiredSize;
    if (room === null) { // errored (the consumer cancelled, or the stream failed)
      this.#broken = true;
      return -Errno.PIPE;
    }
    if (room <= 0) {
      this.flush();
      return -pending(w.ready);
    }
    if (src.length === 0) return 0;
    if (this.#len + src.length > CHUNK) this.flush();
    if (src.length >= CHUNK) {
      this.#send(src.slice());
      return src.length;
    }
    if (this.#buf.length < this.#len + src.length) {
      const grown = new Uint8Array(Math.min(CHUNK, Math.max(4096, 2 * (this.#len + src.length))));
      grown.set(this.#buf.subarray(0, this.#len));
      this.#buf = grown;
    }
    this.#buf.set(src, this.#len);
    this.#len += src.length;
    return src.length;
  }

  /** Sends what was gathered as one chunk (before the guest waits, and when it ends). */
  flush(): void {
    if (this.#len === 0) return;
    const chunk = this.#buf.slice(0, this.#len);
    this.#len = 0;
    this.#send(chunk);
  }

  #send(chunk: Uint8Array): void {
    this.#writerOf().write(chunk).catch(() => this.#broken = true);
  }

  available(): number {
    return 0;
  }

  ended(): boolean {
    return false; // an output: there is no input to end
  }

  whenReady(write: boolean): PromiseLike<unknown> | null {
    if (!write || this.#broken) return null;
    const w = this.#writerOf();
    return w.desiredSize === null || w.desiredSize > 0 ? null : w.ready;
  }

  isTerminal(): boolean {
    return false;
  }

  /**
   * The guest is done: the stream is closed once what was written has gone through; after a trap (`error`) what was
   * gathered is sent and the stream aborted with it.
   */
  async finish(error?: unknown): Promise<void> {
    const w = this.#writerOf();
    if (!this.#broken) this.flush();
    try {
      if (error !== undefined) await w.abort(error);
      else if (!this.#broken) await w.close();
    } catch { /* the consumer went away: nothing more to deliver */ }
    w.releaseLock();
  }

  #writerOf(): WritableStreamDefaultWriter<Uint8Array> {
    if (this.#writer === undefined) {
      this.#writer = this.#stream.getWriter();
      this.#writer.closed.catch(() => this.#broken = true);
    }
    return this.#writer;
  }
}

/**
 * fd 1 or 2 into a function that may return a promise (async mode): the next write waits until the last one's
 * promise settled; one that rejects makes the next write EPIPE.
 */
export class AsyncFnSink implements Stream {
  readonly #fn: (bytes: Uint8Array) => unknown;
  #inflight: Promise<void> | null = null;
  #broken = false;

  constructor(fn: (bytes: Uint8Array) => unknown) {
    this.#fn = fn;
  }

  read(): IoResult {
    return -Errno.BADF;
  }

  write(src: Uint8Array): IoResult {
    if (this.#inflight !== null) return -pending(this.#inflight);
    if (this.#broken) return -Errno.PIPE;
    const r = this.#fn(src.slice());
    if (typeof (r as PromiseLike<unknown>)?.then === "function") {
      this.#inflight = Promise.resolve(r).then(
        () => {
          this.#inflight = null;
        },
        () => {
          this.#inflight = null;
          this.#broken = true;
        },
      );
    }
    return src.length;
  }

  available(): number {
    return 0;
  }

  ended(): boolean {
    return false; // an output: there is no input to end
  }

  whenReady(write: boolean): PromiseLike<unknown> | null {
    return write ? this.#inflight : null;
  }

  isTerminal(): boolean {
    return false;
  }

  /** The guest is done: waits for the last write's promise. */
  async finish(): Promise<void> {
    await this.#inflight;
  }
}
