// THE NET SEAM: a listening socket and its connections, as the socket descriptors use them (Deno or node:net below).
//
// Like the filesystem seam it is WASI-free and never throws: counts, or negated errnos (`-AGAIN` when a call would
// wait; the descriptor turns that into EAGAIN or a wait). What can be waited for is a promise, made once per wait.

import type { Errno } from "../abi/errno.ts";
import type { IoResult } from "../fs/types.ts";

/** Where a listener is bound. */
export interface NetAddress {
  /** The IP address (`127.0.0.1`, `::1`…), as the runtime reports it; a Unix socket's path. */
  hostname: string;
  /** The port (never 0 once bound); 0 for a Unix socket. */
  port: number;
}

/** A listening socket: the connections it accepted wait in a queue until the guest takes them. */
export interface NetListener {
  /** The bound address; null until bound (node:net binds after a turn of the event loop). */
  address(): NetAddress | null;
  /** Connections waiting to be taken (0 when none; a closed listener has none). */
  waiting(): number;
  /** The oldest waiting connection, taken off the queue; null when none waits. */
  take(): NetConn | null;
  /** Puts back a connection `take()` gave, at the head of the queue (the guest had no free fd for it). */
  putBack(conn: NetConn): void;
  /** Settles when a connection waits or the listener closes. */
  whenWaiting(): Promise<void>;
  /** True once it stopped listening (closed by the guest, the host or its owner). */
  closed(): boolean;
  /** Calls `fn` whenever a connection arrives or it closes (poll_oneoff waits on one promise for many sockets). */
  watch(fn: () => void): void;
  /** Stops listening; connections still waiting are closed. */
  close(): void;
}

/** One accepted connection. */
export interface NetConn {
  /**
   * Copies buffered bytes into `dst`: the count; 0 at the end of input (the peer's FIN, or after a reset was
   * reported); `-AGAIN` when nothing is there yet; a pending error (`-CONNRESET`) once. With `peek` nothing is
   * consumed. `atLeast` (RECV_WAITALL) makes it `-AGAIN` until that many bytes are buffered or input ended.
   */
  read(dst: Uint8Array, peek: boolean, atLeast: number): IoResult;
  /** Bytes a read would return now (0 at the end of input or when none). */
  available(): number;
  /** True when a read would not answer `-AGAIN` for a read of `atLeast` bytes. */
  readable(atLeast: number): boolean;
  /** Settles when more input, its end or an error arrives. */
  whenReadable(): Promise<void>;
  /** Queues a copy of (a prefix of) `src`: the count taken; `-AGAIN` when the send buffer is full; `-PIPE` after shutdown. */
  write(src: Uint8Array): IoResult;
  /** True when a write would not answer `-AGAIN`. */
  writable(): boolean;
  /** Settles when the send buffer has room again (or the connection failed). */
  whenWritable(): Promise<void>;
  /** Calls `fn` whenever it may have become readable or writable (poll_oneoff waits on one promise for many sockets). */
  watch(fn: () => void): void;
  /** True once the peer closed its side, or the connection failed (poll's FD_READWRITE_HANGUP). */
  hungUp(): boolean;
  /** shutdown(2): `read` stops input (reads then end), `write` sends FIN after what is queued. */
  shutdown(read: boolean, write: boolean): Errno;
  /** Closes it: what was queued still goes out first (then FIN), unless `abort` (then it is reset at once). */
  close(abort: boolean): void;
}
