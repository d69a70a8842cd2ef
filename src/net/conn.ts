// What both net backends share: a connection's receive queue, its error and shutdown states, its waiters.

import { Errno } from "../abi/errno.ts";
import type { IoResult } from "../fs/types.ts";
import type { CancellableWait } from "../pending.ts";
import type { NetAddress, NetConn, NetListener } from "./types.ts";

/** Input buffered per connection before the host stops reading from it (the peer then waits: TCP flow control). */
export const RECV_BUFFER = 64 * 1024;
/**
 * Most input a RECV_WAITALL read waits for (a larger one returns this much): what the host may hold for one connection
 * (with 1024 connections a guest could otherwise make the host hold far more than its own memory).
 */
export const WAITALL_MAX = 1024 * 1024;
/** Output queued per connection before a write waits (or is EAGAIN): a peer that stops reading holds back only this. */
export const SEND_BUFFER = 64 * 1024;
/** Most bytes one write takes (a larger one is a short write, which POSIX allows and libc and Rust loop over). */
export const SEND_MAX = 1024 * 1024;
/** Connections accepted by the host and not yet taken by the guest; more are closed at once (a full backlog). */
export const MAX_WAITING = 1024;
/** How long a closed connection may take to deliver what was queued before it is dropped (a peer not reading). */
export const LINGER_MS = 10_000;

/**
 * Promises that settle together, each one cancellable on its own: a call that stops waiting (a poll that timed out)
 * drops its promise, so an idle connection polled for hours holds no pile of reactions.
 */
export class Waiters {
  readonly #wake = new Set<() => void>();
  /** Called at every `wake()`, waiters or not (a `Hub`'s wake). */
  also: (() => void) | null = null;

  /** A promise settled at the next `wake()`, or dropped by its `cancel()`. */
  wait(): CancellableWait & Promise<void> {
    let resolve!: () => void;
    const p = new Promise<void>((r) => resolve = r) as CancellableWait & Promise<void>;
    this.#wake.add(resolve);
    p.cancel = () => this.#wake.delete(resolve);
    return p;
  }

  /** Settles every promise handed out since the last wake. */
  wake(): void {
    this.also?.();
    if (this.#wake.size === 0) return;
    const all = [...this.#wake];
    this.#wake.clear();
    for (const r of all) r();
  }
}

/**
 * One wait shared by every socket of a guest: woken when any of them may have become ready. A poll_oneoff over many
 * sockets that are not ready waits on this one promise, instead of one per socket (with 50 connections, one per
 * socket made each poll build and drop some 200 promises); it then looks at every socket again. Cancelled by every
 * call that took it, it is dropped, so an idle guest polling on a timeout piles up no reactions on it.
 */
export class Hub {
  #p: (CancellableWait & Promise<void>) | null = null;
  #resolve: (() => void) | null = null;
  #users = 0;

  /** Wakes whoever waits (bound: given to the sockets as their watcher). */
  readonly wake = (): void => {
    const r = this.#resolve;
    if (r === null) return;
    this.#p = this.#resolve = null;
    this.#users = 0;
    r();
  };

  /** The shared promise, settled at the next `wake()`. */
  wait(): CancellableWait & Promise<void> {
    let p = this.#p;
    if (p === null) {
      p = new Promise<void>((r) => this.#resolve = r) as CancellableWait & Promise<void>;
      const mine = p;
      p.cancel = () => {
        if (this.#p === mine && --this.#users === 0) this.#p = this.#resolve = null;
      };
      this.#p = p;
    }
    this.#users++;
    return p;
  }
}

/** The errno of a socket error from Deno (`ConnectionReset`…) or node:net (`ECONNRESET`…); EIO when unknown. */
export function netErrno(err: unknown): Errno {
  const e = err as { code?: unknown; name?: unknown };
  switch (typeof e?.code === "string" ? e.code : e?.name) {
    case "ECONNRESET":
    case "ConnectionReset":
      return Errno.CONNRESET;
    case "EPIPE":
    case "BrokenPipe":
      return Errno.PIPE;
    case "ECONNABORTED":
    case "ConnectionAborted":
      return Errno.CONNABORTED;
    case "ETIMEDOUT":
    case "TimedOut":
      return Errno.TIMEDOUT;
    case "ENOTCONN":
    case "NotConnected":
      return Errno.NOTCONN;
  }
  return Errno.IO;
}

/**
 * A connection over a runtime's socket: the receive queue with flow control (reading stops past RECV_BUFFER and
 * resumes when the guest has taken half), the peer's end, one pending error reported once as the kernel does, and
 * shutdown. The backend feeds it (`received`, `ended`, `failed`, `drained`) and implements sending and pausing.
 */
export abstract class BufferedConn implements NetConn {
  #chunks: Uint8Array[] = [];
  /** Bytes of `#chunks[0]` already read. */
  #at = 0;
  #buffered = 0;
  /** Reading stops when this much is buffered (raised for a RECV_WAITALL read). */
  #limit = RECV_BUFFER;
  #paused = false;
  /** The peer sent FIN (or a reset was seen). */
  #eof = false;
  /** An error the next read or write reports, once (then reads end and writes are EPIPE). */
  #error = 0;
  #failed = false;
  #readShut = false;
  #writeShut = false;
  #closed = false;
  readonly #readers = new Waiters();
  readonly #writers = new Waiters();

  /** Stops taking input from the socket (the peer's sends then wait). */
  protected abstract pauseInput(): void;
  /** Takes input again. */
  protected abstract resumeInput(): void;
  /** Bytes queued and not yet handed to the kernel. */
  protected abstract queued(): number;
  /** Queues `bytes` (a copy the backend owns) for sending. */
  protected abstract send(bytes: Uint8Array): void;
  /** Sends FIN once what is queued went out. */
  protected abstract endOutput(): void;
  /** Closes the socket: after what is queued (and at most LINGER_MS), or at once with `abort`. */
  protected abstract closeSocket(abort: boolean): void;

  /** The backend got `chunk` (which it hands over). */
  protected received(chunk: Uint8Array): void {
    if (this.#closed || this.#readShut || chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered >= this.#limit && !this.#paused) {
      this.#paused = true;
      this.pauseInput();
    }
    this.#readers.wake();
  }
  /** The peer will send no more. */
  protected ended(): void {
    this.#eof = true;
    this.#readers.wake();
    this.#writers.wake();
  }
  /**
   * The connection failed with `e` (a reset, a broken pipe): reported once, by the next read or write (`report`
   * false: not reported; the socket is just gone, reads end and writes are EPIPE).
   */
  protected failed(e: Errno, report = true): void {
    if (!this.#failed && !this.#closed) {
      this.#failed = true;
      if (report) this.#error = e;
    }
    this.#eof = true;
    this.#readers.wake();
    this.#writers.wake();
  }
  /** The send queue shrank. */
  protected drained(): void {
    this.#writers.wake();
  }
  /** True once closed by `close()`. */
  protected get isClosed(): boolean {
    return this.#closed;
  }

  read(dst: Uint8Array, peek: boolean, atLeast: number): IoResult {
    const want = Math.min(atLeast, dst.length, WAITALL_MAX);
    if (this.#buffered === 0 || (this.#buffered < want && !this.#ended())) {
      if (this.#buffered === 0 && this.#error !== 0) return -this.#takeError();
      if (this.#ended()) return 0;
      if (want > this.#limit) this.#limit = want; // RECV_WAITALL of more than the buffer: let it fill
      if (this.#paused) this.#resume();
      return -Errno.AGAIN;
    }
    const n = Math.min(dst.length, this.#buffered);
    let done = 0, i = 0, at = this.#at;
    while (done < n) {
      const c = this.#chunks[i];
      const k = Math.min(c.length - at, n - done);
      dst.set(k === c.length ? c : c.subarray(at, at + k), done);
      done += k;
      at += k;
      if (at === c.length) {
        i++;
        at = 0;
      }
    }
    if (!peek) {
      if (i > 0) this.#chunks.splice(0, i);
      this.#at = at;
      this.#buffered -= n;
      this.#limit = RECV_BUFFER;
      if (this.#paused && this.#buffered <= RECV_BUFFER / 2) this.#resume();
    }
    return n;
  }

  available(): number {
    return this.#buffered;
  }

  readable(atLeast: number): boolean {
    return this.#buffered >= Math.min(atLeast, WAITALL_MAX) || this.#ended() || this.#error !== 0;
  }

  whenReadable(): Promise<void> {
    return this.#readers.wait();
  }

  write(src: Uint8Array): IoResult {
    if (this.#error !== 0) return -this.#takeError();
    if (this.#writeShut || this.#failed || this.#closed) return -Errno.PIPE;
    if (this.queued() >= SEND_BUFFER) return -Errno.AGAIN;
    const n = Math.min(src.length, SEND_MAX);
    if (n > 0) this.send(src.slice(0, n)); // a copy: guest memory changes under a queued write
    return n;
  }

  writable(): boolean {
    return this.#error !== 0 || this.#writeShut || this.#failed || this.#closed || this.queued() < SEND_BUFFER;
  }

  whenWritable(): Promise<void> {
    return this.#writers.wait();
  }

  hungUp(): boolean {
    return this.#eof;
  }

  watch(fn: () => void): void {
    this.#readers.also = this.#writers.also = fn;
  }

  shutdown(read: boolean, write: boolean): Errno {
    if (this.#failed && this.#error === 0) return Errno.NOTCONN; // reset and reported: nothing left to shut
    if (read && !this.#readShut) {
      this.#readShut = true; // what is buffered can still be read, then reads end
      if (!this.#paused) {
        this.#paused = true;
        this.pauseInput();
      }
      this.#readers.wake();
    }
    if (write && !this.#writeShut) {
      this.#writeShut = true;
      if (!this.#failed) this.endOutput();
      this.#writers.wake();
    }
    return Errno.SUCCESS;
  }

  close(abort: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#chunks = [];
    this.#buffered = 0;
    this.#readers.wake();
    this.#writers.wake();
    this.closeSocket(abort || this.#failed);
  }

  /** No more input will come: the peer's end, a failure, our own shutdown or close. */
  #ended(): boolean {
    return this.#eof || this.#readShut || this.#closed;
  }

  #takeError(): Errno {
    const e = this.#error as Errno;
    this.#error = 0;
    return e;
  }

  #resume(): void {
    if (this.#readShut || this.#closed || this.#eof) return;
    this.#paused = false;
    this.resumeInput();
  }
}

/**
 * What the listeners of both runtimes share: the connections they accept wait in a queue (at most MAX_WAITING) for
 * the guest's sock_accept. A subclass says where connections come from (`push`) and how the host listener stops
 * (`close`, which calls `closeQueue`).
 */
export abstract class QueuedListener implements NetListener {
  protected queue: NetConn[] = [];
  protected readonly waiters = new Waiters();
  /** Woken when the guest takes a connection: the queue has room again. */
  protected readonly room = new Waiters();
  protected isClosed = false;

  abstract address(): NetAddress | null;
  abstract close(): void;

  waiting(): number {
    return this.queue.length;
  }
  take(): NetConn | null {
    const c = this.queue.shift() ?? null;
    if (c !== null) this.room.wake();
    return c;
  }
  putBack(conn: NetConn): void {
    this.queue.unshift(conn);
  }
  whenWaiting(): Promise<void> {
    return this.isClosed ? Promise.resolve() : this.waiters.wait();
  }
  closed(): boolean {
    return this.isClosed;
  }
  watch(fn: () => void): void {
    this.waiters.also = fn;
  }

  /** Queues an accepted connection for the guest and wakes whoever waits for one. */
  protected push(conn: NetConn): void {
    this.queue.push(conn);
    this.waiters.wake();
  }

  /** Marks the listener closed, closes the connections still waiting, wakes every waiter; false if closed already. */
  protected closeQueue(): boolean {
    if (this.isClosed) return false;
    this.isClosed = true;
    for (const c of this.queue) c.close(true);
    this.queue = [];
    this.waiters.wake();
    this.room.wake();
    return true;
  }
}
