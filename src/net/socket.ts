// Socket descriptors: a listener given by the host, and each connection the guest accepts from it.
//
// What each fd_* call answers on them follows wasmtime's sockets (wasi-common): decisions.md#sockets.

import { Errno } from "../abi/errno.ts";
import { FdFlags, Filetype, RiFlags, Rights } from "../abi/consts.ts";
import type { IoResult } from "../fs/types.ts";
import { Descriptor } from "../fd_table.ts";
import { pending } from "../pending.ts";
import type { Hub } from "./conn.ts";
import type { NetConn, NetListener } from "./types.ts";

/** What sockets report from fd_fdstat_get, as wasmtime: read and write, nothing inherited. */
const SOCKET_RIGHTS = Rights.FD_READ | Rights.FD_WRITE;

/** What sockets share: the filetype, rights, the NONBLOCK flag alone, and wasmtime's answers to file calls. */
abstract class SocketLike extends Descriptor {
  readonly filetype = Filetype.SOCKET_STREAM;

  constructor(flags: number) {
    super();
    this.flags = flags;
    this.rightsBase = SOCKET_RIGHTS;
    this.rightsInheriting = 0;
  }
  override pread(): IoResult {
    return -Errno.BADF;
  }
  override pwrite(): IoResult {
    return -Errno.BADF;
  }
  override seek(): IoResult {
    return -Errno.BADF;
  }
  override sync(): Errno {
    return Errno.SUCCESS;
  }
  override datasync(): Errno {
    return Errno.SUCCESS;
  }
  override allocate(): Errno {
    return Errno.NOTSUP;
  }
  /** Only NONBLOCK can be set or cleared (APPEND is INVAL, as wasmtime). */
  override setFlags(flags: number): Errno {
    if ((flags & ~FdFlags.NONBLOCK) !== 0) return Errno.INVAL;
    this.flags = flags;
    return Errno.SUCCESS;
  }
  /** True with NONBLOCK: a call that would wait answers EAGAIN instead. */
  get nonblocking(): boolean {
    return (this.flags & FdFlags.NONBLOCK) !== 0;
  }
}

/** A listening socket: accepts connections (sock_accept), readable in poll_oneoff when one waits. */
export class ListenerDescriptor extends SocketLike {
  readonly listener: NetListener;
  /** The guest's one wait for any of its sockets (poll_oneoff), handed on to the connections accepted here. */
  readonly hub: Hub;

  constructor(listener: NetListener, hub: Hub) {
    super(0); // blocking, unlike wasmtime's (decisions.md#sockets): what accept() loops expect
    this.listener = listener;
    this.hub = hub;
    listener.watch(hub.wake);
  }
  override available(): number {
    return this.listener.waiting() > 0 ? 1 : 0; // as wasmtime: 1 when ready
  }
  override whenReady(write: boolean): PromiseLike<unknown> | null {
    // A listener is never writable (Linux's poll never sets POLLOUT on one): that wait ends only with the call.
    if (write) return new Promise<void>(() => {});
    return this.listener.waiting() > 0 || this.listener.closed() ? null : this.hub.wait();
  }
  override close(): Errno {
    this.listener.close();
    return Errno.SUCCESS;
  }
}

/** An accepted connection: fd_read/fd_write and sock_recv/sock_send, blocking unless NONBLOCK. */
export class SocketDescriptor extends SocketLike {
  readonly conn: NetConn;
  /** `$riflags` of the sock_recv in progress (0 for fd_read): set around the one read it makes. */
  recvFlags = 0;

  readonly #hub: Hub;

  constructor(conn: NetConn, flags: number, hub: Hub) {
    super(flags);
    this.conn = conn;
    this.#hub = hub;
    conn.watch(hub.wake);
  }
  override read(dst: Uint8Array): IoResult {
    const waitAll = (this.recvFlags & RiFlags.RECV_WAITALL) !== 0 && !this.nonblocking;
    const n = this.conn.read(dst, (this.recvFlags & RiFlags.RECV_PEEK) !== 0, waitAll ? dst.length : 1);
    if (n !== -Errno.AGAIN || this.nonblocking) return n;
    return -pending(this.conn.whenReadable());
  }
  override write(src: Uint8Array): IoResult {
    const n = this.conn.write(src);
    if (n !== -Errno.AGAIN || this.nonblocking) return n;
    return -pending(this.conn.whenWritable());
  }
  override available(): number {
    return this.conn.available();
  }
  override whenReady(write: boolean): PromiseLike<unknown> | null {
    if (write) return this.conn.writable() ? null : this.#hub.wait();
    return this.conn.readable(1) ? null : this.#hub.wait();
  }
  /** The peer closed its side or the connection failed (poll's FD_READWRITE_HANGUP). */
  override hungUp(): boolean {
    return this.conn.hungUp();
  }
  override close(): Errno {
    this.conn.close(false);
    return Errno.SUCCESS;
  }
}
