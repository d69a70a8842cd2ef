// sock_accept, sock_recv, sock_send, sock_shutdown: on the listeners the host gave and the connections they accepted.

import { Errno } from "../abi/errno.ts";
import { FdFlags, RiFlags, Rights, SdFlags } from "../abi/consts.ts";
import { IOVEC } from "../abi/layout.ts";
import type { Descriptor } from "../fd_table.ts";
import { ListenerDescriptor, SocketDescriptor } from "../net/socket.ts";
import { pending } from "../pending.ts";
import { iovRun, iovTotal, readv, writev } from "./iovec.ts";
import type { State } from "../state.ts";

/**
 * The socket at `fd`: BADF when closed, NOTSOCK when it is not a socket; a listener where a connection is needed (or
 * the reverse) is BADF, as wasmtime (decisions.md#sockets).
 */
function socketAt<T extends Descriptor>(s: State, fd: number, kind: new (...a: never[]) => T): T | Errno {
  const d = s.fds.get(fd);
  if (d instanceof kind) return d;
  if (d === undefined) return Errno.BADF;
  return d instanceof ListenerDescriptor || d instanceof SocketDescriptor ? Errno.BADF : Errno.NOTSOCK;
}

/**
 * sock_accept: takes a connection from the listener `fd` (waiting for one unless the listener is NONBLOCK: then
 * AGAIN); its fd, with `flags` (NONBLOCK or 0), goes to `roFdPtr`.
 */
export function sockAccept(s: State, fd: number, flags: number, roFdPtr: number): Errno {
  if (!s.mem.fits(roFdPtr, 4)) return Errno.FAULT;
  const d = socketAt(s, fd, ListenerDescriptor);
  if (typeof d === "number") return d;
  if ((flags & ~FdFlags.NONBLOCK) !== 0) return Errno.INVAL;
  const l = d.listener;
  const conn = l.take();
  if (conn === null) {
    if (l.closed()) return Errno.INVAL; // as accept(2) on a socket that no longer listens
    return d.nonblocking ? Errno.AGAIN : pending(l.whenWaiting());
  }
  const newFd = s.fds.add(new SocketDescriptor(conn, flags, d.hub));
  if (newFd < 0) { // no free fd: the connection stays queued, as the kernel keeps it in the backlog
    l.putBack(conn);
    return -newFd as Errno;
  }
  s.mem.setU32(roFdPtr, newFd);
  return Errno.SUCCESS;
}

/**
 * sock_recv: receives into the iovecs (one read, scattered); the count goes to `roDatalenPtr` (0 at end of input) and
 * `$roflags` (always 0 on a stream) to `roFlagsPtr`. RECV_PEEK leaves the bytes queued; RECV_WAITALL waits until the
 * iovecs are full or input ends.
 */
export function sockRecv(
  s: State,
  fd: number,
  riDataPtr: number,
  riDataLen: number,
  riFlags: number,
  roDatalenPtr: number,
  roFlagsPtr: number,
): Errno {
  const m = s.mem;
  if (!m.fits(riDataPtr, riDataLen * IOVEC.size) || !m.fits(roDatalenPtr, 4) || !m.fits(roFlagsPtr, 2)) {
    return Errno.FAULT;
  }
  const total = iovTotal(m, riDataPtr, riDataLen), run = iovRun;
  if (total < 0) return Errno.FAULT;
  const d = socketAt(s, fd, SocketDescriptor);
  if (typeof d === "number") return d;
  if ((riFlags & ~(RiFlags.RECV_PEEK | RiFlags.RECV_WAITALL)) !== 0) return Errno.NOTSUP; // as wasmtime
  if (d.dropped & Rights.FD_READ) return Errno.NOTCAPABLE;
  d.recvFlags = riFlags;
  let n: number;
  try {
    n = readv(d, m, riDataPtr, riDataLen, total, run, -1);
  } finally {
    d.recvFlags = 0;
  }
  if (n < 0) return -n as Errno;
  m.setU32(roDatalenPtr, n);
  m.setU16(roFlagsPtr, 0);
  return Errno.SUCCESS;
}

/** sock_send: sends the iovecs (gathered, one write); the count goes to `soDatalenPtr`. `$siflags` has no flags. */
export function sockSend(
  s: State,
  fd: number,
  siDataPtr: number,
  siDataLen: number,
  siFlags: number,
  soDatalenPtr: number,
): Errno {
  const m = s.mem;
  if (!m.fits(siDataPtr, siDataLen * IOVEC.size) || !m.fits(soDatalenPtr, 4)) return Errno.FAULT;
  const total = iovTotal(m, siDataPtr, siDataLen), run = iovRun;
  if (total < 0) return Errno.FAULT;
  const d = socketAt(s, fd, SocketDescriptor);
  if (typeof d === "number") return d;
  if (siFlags !== 0) return Errno.NOTSUP; // as wasmtime
  if (d.dropped & Rights.FD_WRITE) return Errno.NOTCAPABLE;
  const n = writev(d, m, siDataPtr, siDataLen, total, run, -1);
  if (n < 0) return -n as Errno;
  m.setU32(soDatalenPtr, n);
  return Errno.SUCCESS;
}

/** sock_shutdown: shuts the read side (`RD`: reads then end), the write side (`WR`: FIN after what is queued) or both. */
export function sockShutdown(s: State, fd: number, how: number): Errno {
  const d = socketAt(s, fd, SocketDescriptor);
  if (typeof d === "number") return d;
  if (how === 0 || (how & ~(SdFlags.RD | SdFlags.WR)) !== 0) return Errno.INVAL;
  return d.conn.shutdown((how & SdFlags.RD) !== 0, (how & SdFlags.WR) !== 0);
}
