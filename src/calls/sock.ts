// sock_accept, sock_recv, sock_send, sock_shutdown: no descriptor is a socket yet, so NOTSOCK.

import { Errno } from "../abi/errno.ts";
import { IOVEC } from "../abi/layout.ts";
import { iovTotal } from "./iovec.ts";
import type { State } from "../state.ts";

/** NOTSOCK for an open descriptor (none is a socket yet), BADF for a closed one. */
function notSocket(s: State, fd: number): Errno {
  return s.fds.get(fd) === undefined ? Errno.BADF : Errno.NOTSOCK;
}

/** sock_accept: accepts a connection on a listening socket; the new fd goes to `roFdPtr`. */
export function sockAccept(s: State, fd: number, _flags: number, roFdPtr: number): Errno {
  if (!s.mem.fits(roFdPtr, 4)) return Errno.FAULT;
  return notSocket(s, fd);
}

/** sock_recv: receives into the iovecs; the count and `$roflags` go to their pointers. */
export function sockRecv(
  s: State,
  fd: number,
  riDataPtr: number,
  riDataLen: number,
  _riFlags: number,
  roDatalenPtr: number,
  roFlagsPtr: number,
): Errno {
  const m = s.mem;
  if (!m.fits(riDataPtr, riDataLen * IOVEC.size) || !m.fits(roDatalenPtr, 4) || !m.fits(roFlagsPtr, 2)) {
    return Errno.FAULT;
  }
  if (iovTotal(m, riDataPtr, riDataLen) < 0) return Errno.FAULT;
  return notSocket(s, fd);
}

/** sock_send: sends the iovecs; the count goes to `soDatalenPtr`. */
export function sockSend(
  s: State,
  fd: number,
  siDataPtr: number,
  siDataLen: number,
  _siFlags: number,
  soDatalenPtr: number,
): Errno {
  const m = s.mem;
  if (!m.fits(siDataPtr, siDataLen * IOVEC.size) || !m.fits(soDatalenPtr, 4)) return Errno.FAULT;
  if (iovTotal(m, siDataPtr, siDataLen) < 0) return Errno.FAULT;
  return notSocket(s, fd);
}

/** sock_shutdown: shuts down the read and/or write side of a socket. */
export function sockShutdown(s: State, fd: number, _how: number): Errno {
  return notSocket(s, fd);
}
