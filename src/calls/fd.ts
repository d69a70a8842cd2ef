// fd_* calls: reads and writes, seeking, flags and rights, stat, close/renumber, preopen names.

import { Errno } from "../abi/errno.ts";
import { ADVICE_MAX, ClockId, FdFlags, Filetype, FstFlags, Rights, RIGHTS_ALL, Whence } from "../abi/consts.ts";
import { DIRENT, FDSTAT, FILESTAT, type FilestatLayout, IOVEC, PRESTAT } from "../abi/layout.ts";
import { type Descriptor, DirDescriptor, FileDescriptor } from "../fd_table.ts";
import type { GuestMemory } from "../memory.ts";
import { iovRun, iovTotal, readv, writev } from "./iovec.ts";
import type { State } from "../state.ts";
import type { Stat } from "../fs/types.ts";

/** A bigint offset as a safe integer, or -1 when it is negative or beyond 2^53. */
function offsetOf(v: bigint): number {
  return v < 0n || v > 0x1f_ffff_ffff_ffffn ? -1 : Number(v);
}

/**
 * The one body of fd_read, fd_write, fd_pread and fd_pwrite: every range checked, then one backend
 * read or write (`offset` null: at the fd's offset), and the byte count stored at `resultPtr`.
 */
function transfer(
  s: State,
  fd: number,
  iovsPtr: number,
  iovsLen: number,
  offset: bigint | null,
  resultPtr: number,
  write: boolean,
): Errno {
  const m = s.mem;
  if (!m.fits(iovsPtr, iovsLen * IOVEC.size) || !m.fits(resultPtr, 4)) return Errno.FAULT;
  const total = iovTotal(m, iovsPtr, iovsLen), run = iovRun;
  if (total < 0) return Errno.FAULT;
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  const right = (write ? Rights.FD_WRITE : Rights.FD_READ) | (offset === null ? 0 : Rights.FD_SEEK);
  if (d.dropped & right) return Errno.NOTCAPABLE;
  const pos = offset === null ? -1 : offsetOf(offset);
  if (offset !== null && pos < 0) return Errno.INVAL;
  const n = write ? writev(d, m, iovsPtr, iovsLen, total, run, pos) : readv(d, m, iovsPtr, iovsLen, total, run, pos);
  if (n < 0) return -n as Errno;
  m.setU32(resultPtr, n);
  return Errno.SUCCESS;
}

/** fd_write: gather-write the iovecs (one host write); the count goes to `nwrittenPtr`. */
export function fdWrite(s: State, fd: number, iovsPtr: number, iovsLen: number, nwrittenPtr: number): Errno {
  return transfer(s, fd, iovsPtr, iovsLen, null, nwrittenPtr, true);
}

/** fd_read: scatter-read into the iovecs (one host read); the count goes to `nreadPtr`, 0 at EOF. */
export function fdRead(s: State, fd: number, iovsPtr: number, iovsLen: number, nreadPtr: number): Errno {
  return transfer(s, fd, iovsPtr, iovsLen, null, nreadPtr, false);
}

/** fd_pwrite: write at `offset` without moving the file offset; the count goes to `nwrittenPtr`. */
export function fdPwrite(
  s: State,
  fd: number,
  iovsPtr: number,
  iovsLen: number,
  offset: bigint,
  nwrittenPtr: number,
): Errno {
  return transfer(s, fd, iovsPtr, iovsLen, offset, nwrittenPtr, true);
}

/** fd_pread: read at `offset` without moving the file offset; the count goes to `nreadPtr`. */
export function fdPread(
  s: State,
  fd: number,
  iovsPtr: number,
  iovsLen: number,
  offset: bigint,
  nreadPtr: number,
): Errno {
  return transfer(s, fd, iovsPtr, iovsLen, offset, nreadPtr, false);
}

/** fd_seek: move the offset (`whence` is preview1's; the preview0 wrapper translates); result at `newOffsetPtr`. */
export function fdSeek(s: State, fd: number, offset: bigint, whence: number, newOffsetPtr: number): Errno {
  if (!s.mem.fits(newOffsetPtr, 8)) return Errno.FAULT;
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  if (whence > Whence.END) return Errno.INVAL;
  if (offset === 0n && whence === Whence.CUR ? cannotTell(d) : (d.dropped & Rights.FD_SEEK) !== 0) {
    return Errno.NOTCAPABLE;
  }
  if (offset < -0x1f_ffff_ffff_ffffn || offset > 0x1f_ffff_ffff_ffffn) return Errno.INVAL;
  const r = d.seek(Number(offset), whence as Whence);
  if (r < 0) return -r as Errno;
  s.mem.setU64n(newOffsetPtr, r);
  return Errno.SUCCESS;
}

/** FD_TELL was dropped and FD_SEEK, which implies it (typenames.witx), is not held either. */
function cannotTell(d: Descriptor): boolean {
  return (d.dropped & Rights.FD_TELL) !== 0 && (d.rightsBase & Rights.FD_SEEK) === 0;
}

/** fd_tell: the current offset at `offsetPtr`. */
export function fdTell(s: State, fd: number, offsetPtr: number): Errno {
  if (!s.mem.fits(offsetPtr, 8)) return Errno.FAULT;
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  if (cannotTell(d)) return Errno.NOTCAPABLE;
  const r = d.seek(0, Whence.CUR);
  if (r < 0) return -r as Errno;
  s.mem.setU64n(offsetPtr, r);
  return Errno.SUCCESS;
}

/** fd_close: closes `fd` (preopens and stdio too, as wasmtime), freeing its number. */
export function fdClose(s: State, fd: number): Errno {
  const d = s.fds.remove(fd);
  if (d === undefined) return Errno.BADF;
  return d.close();
}

/**
 * fd_renumber: moves `from` onto `to`, closing what was there. `to` must be open (EBADF, as
 * wasmtime), except a free stdio slot 0-2: see docs/decisions.md#fd_renumber.
 */
export function fdRenumber(s: State, from: number, to: number): Errno {
  const src = s.fds.get(from);
  if (src === undefined) return Errno.BADF;
  const dst = s.fds.get(to);
  if (dst === undefined && to > 2) return Errno.BADF;
  if (from === to) return Errno.SUCCESS;
  dst?.close();
  s.fds.move(from, to);
  return Errno.SUCCESS;
}

/** fd_fdstat_get: filetype, flags and rights of `fd`, at `statPtr`. */
export function fdFdstatGet(s: State, fd: number, statPtr: number): Errno {
  const m = s.mem;
  if (!m.fits(statPtr, FDSTAT.size)) return Errno.FAULT;
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  m.zero(statPtr, FDSTAT.size);
  m.setU8(statPtr + FDSTAT.filetype, d.reportedFiletype());
  m.setU16(statPtr + FDSTAT.flags, d.flags);
  m.setU32(statPtr + FDSTAT.rightsBase, d.rightsBase);
  m.setU32(statPtr + FDSTAT.rightsInheriting, d.rightsInheriting);
  return Errno.SUCCESS;
}

/** fd_fdstat_set_flags: replaces the fd's flags; undefined bits are INVAL. */
export function fdFdstatSetFlags(s: State, fd: number, flags: number): Errno {
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  // As wasmtime: the synchronous-I/O flags cannot be changed once open; APPEND and NONBLOCK can.
  if ((flags & ~(FdFlags.APPEND | FdFlags.NONBLOCK)) !== 0) return Errno.INVAL;
  if (d.dropped & Rights.FD_FDSTAT_SET_FLAGS) return Errno.NOTCAPABLE;
  return d.setFlags(flags);
}

/** fd_fdstat_set_rights: narrows the fd's rights; asking for a right it lacks is NOTCAPABLE. */
export function fdFdstatSetRights(s: State, fd: number, base: bigint, inheriting: bigint): Errno {
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  if (base > BigInt(d.rightsBase) || inheriting > BigInt(d.rightsInheriting)) return Errno.NOTCAPABLE;
  const b = Number(base), i = Number(inheriting);
  if ((b & ~d.rightsBase) !== 0 || (i & ~d.rightsInheriting) !== 0) return Errno.NOTCAPABLE;
  d.dropped |= d.rightsBase & ~b & RIGHTS_ALL;
  d.rightsBase = b;
  d.rightsInheriting = i;
  return Errno.SUCCESS;
}

/** Writes `st` as a filestat in layout `L` (preview1's or preview0's) at `p`. */
export function writeFilestat(m: GuestMemory, p: number, st: Stat, L: FilestatLayout): void {
  m.zero(p, L.size);
  m.setU64(p + L.dev, st.dev);
  m.setU64(p + L.ino, st.ino);
  m.setU8(p + L.filetype, st.filetype);
  if (L.nlinkSize === 8) m.setU64(p + L.nlink, st.nlink);
  else m.setU32(p + L.nlink, Number(BigInt.asUintN(32, st.nlink)));
  m.setU64n(p + L.fileSize, st.size);
  m.setU64(p + L.atim, st.atimNs);
  m.setU64(p + L.mtim, st.mtimNs);
  m.setU64(p + L.ctim, st.ctimNs);
}

/** Resets the shared scratch `Stat` to zeroes. */
export function clearStat(st: Stat): Stat {
  st.dev =
    st.ino =
    st.nlink =
    st.atimNs =
    st.mtimNs =
    st.ctimNs =
      0n;
  st.filetype = 0;
  st.size = 0;
  return st;
}

/** fd_filestat_get: the fd's metadata at `bufPtr` (layout `L`; stdio reports only its filetype). */
export function fdFilestatGet(s: State, fd: number, bufPtr: number, L: FilestatLayout = FILESTAT): Errno {
  if (!s.mem.fits(bufPtr, L.size)) return Errno.FAULT;
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  if (d.dropped & Rights.FD_FILESTAT_GET) return Errno.NOTCAPABLE;
  const st = clearStat(s.stat);
  const e = d.stat(st);
  if (e !== Errno.SUCCESS) return e;
  writeFilestat(s.mem, bufPtr, st, L);
  return Errno.SUCCESS;
}

/** fd_filestat_set_size: truncates or extends the file to `size`. */
export function fdFilestatSetSize(s: State, fd: number, size: bigint): Errno {
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  if (d.dropped & Rights.FD_FILESTAT_SET_SIZE) return Errno.NOTCAPABLE;
  const n = offsetOf(size);
  if (n < 0) return Errno.INVAL;
  return d.truncate(n);
}

/**
 * Resolves `$fstflags` to the times to set (null: unchanged), or an errno for conflicting or
 * undefined flags. Returns them through `out` to allocate nothing.
 */
export function resolveTimes(
  s: State,
  atim: bigint,
  mtim: bigint,
  flags: number,
  out: [bigint | null, bigint | null],
): Errno {
  if ((flags & ~0xf) !== 0) return Errno.INVAL;
  if ((flags & FstFlags.ATIM) && (flags & FstFlags.ATIM_NOW)) return Errno.INVAL;
  if ((flags & FstFlags.MTIM) && (flags & FstFlags.MTIM_NOW)) return Errno.INVAL;
  const now = (flags & (FstFlags.ATIM_NOW | FstFlags.MTIM_NOW)) ? s.clocks.now(ClockId.REALTIME) : 0n;
  out[0] = flags & FstFlags.ATIM ? atim : flags & FstFlags.ATIM_NOW ? now : null;
  out[1] = flags & FstFlags.MTIM ? mtim : flags & FstFlags.MTIM_NOW ? now : null;
  return Errno.SUCCESS;
}
const times: [bigint | null, bigint | null] = [null, null];

/** fd_filestat_set_times: sets access and/or modification times (ns, or now). */
export function fdFilestatSetTimes(s: State, fd: number, atim: bigint, mtim: bigint, fstFlags: number): Errno {
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  if (d.dropped & Rights.FD_FILESTAT_SET_TIMES) return Errno.NOTCAPABLE;
  const e = resolveTimes(s, atim, mtim, fstFlags, times);
  if (e !== Errno.SUCCESS) return e;
  return d.utimes(times[0], times[1]);
}

/** fd_advise: advice is a hint; checked, then passed to the descriptor. */
export function fdAdvise(s: State, fd: number, offset: bigint, len: bigint, advice: number): Errno {
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  if (advice > ADVICE_MAX) return Errno.INVAL;
  if (d.dropped & Rights.FD_ADVISE) return Errno.NOTCAPABLE;
  const off = offsetOf(offset), n = offsetOf(len);
  if (off < 0 || n < 0) return Errno.INVAL;
  return d.advise(off, n, advice);
}

/** fd_allocate: ensures the file has room for `offset + len` bytes. */
export function fdAllocate(s: State, fd: number, offset: bigint, len: bigint): Errno {
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  if (d.dropped & Rights.FD_ALLOCATE) return Errno.NOTCAPABLE;
  const off = offsetOf(offset), n = offsetOf(len);
  if (off < 0 || n < 0 || off + n > Number.MAX_SAFE_INTEGER) return Errno.INVAL;
  return d.allocate(off, n);
}

/** fd_datasync: the file's data is durable when this returns. */
export function fdDatasync(s: State, fd: number): Errno {
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  if (d.dropped & Rights.FD_DATASYNC) return Errno.NOTCAPABLE;
  return d.datasync();
}

/** fd_sync: the file's data and metadata are durable when this returns. */
export function fdSync(s: State, fd: number): Errno {
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  if (d.dropped & Rights.FD_SYNC) return Errno.NOTCAPABLE;
  return d.sync();
}

/**
 * fd_readdir: directory entries from `cookie` into the buffer; bytes used at `bufusedPtr`. "." and
 * ".." come first (cookies 0 and 1), then the backend's entries (cookie n + 2 is its n-th). An entry
 * that does not fit is written truncated and fills the buffer, as the spec describes:
 *
 * ```
 *   [d_next u64][d_ino u64][d_namlen u32][d_type u8][pad 3] name (namlen bytes, no NUL) ...
 * ```
 */
export function fdReaddir(
  s: State,
  fd: number,
  bufPtr: number,
  bufLen: number,
  cookie: bigint,
  bufusedPtr: number,
): Errno {
  const m = s.mem;
  if (!m.fits(bufPtr, bufLen) || !m.fits(bufusedPtr, 4)) return Errno.FAULT;
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  if (!(d instanceof DirDescriptor)) return d instanceof FileDescriptor ? Errno.NOTDIR : Errno.BADF;
  if (d.dropped & Rights.FD_READDIR) return Errno.NOTCAPABLE;
  const h = d.handle();
  if (typeof h === "number") return h;
  let used = 0;
  let next = Number(cookie); // cookies are indexes: far below 2^53
  /** Writes one entry; false once the buffer is full. */
  const put = (name: string, type: number, ino: bigint): boolean => {
    const at = bufPtr + used, room = bufLen - used;
    if (room >= DIRENT.size + name.length * 3) { // surely fits: encode straight into guest memory
      const n = m.writeString(at + DIRENT.size, name, room - DIRENT.size);
      m.setU64n(at + DIRENT.next, ++next);
      m.setU64(at + DIRENT.ino, ino);
      m.setU32(at + DIRENT.namlen, n);
      m.setU32(at + DIRENT.type, type); // the type byte and the 3 bytes of padding after it, zeroed
      used += DIRENT.size + n;
      return used < bufLen;
    }
    const bytes = utf8.encode(name); // near the end: build the entry aside and copy what fits
    const entry = scratchEntry(DIRENT.size + bytes.length);
    const dv = new DataView(entry.buffer, 0, entry.length);
    dv.setBigUint64(DIRENT.next, BigInt(++next), true);
    dv.setBigUint64(DIRENT.ino, ino, true);
    dv.setUint32(DIRENT.namlen, bytes.length, true);
    dv.setUint8(DIRENT.type, type);
    entry.set(bytes, DIRENT.size);
    const n = Math.min(entry.length, room);
    m.bytes.set(entry.subarray(0, n), at);
    used += n;
    return used < bufLen;
  };
  const st = clearStat(s.stat);
  if (cookie <= 1n) {
    let e = d.stat(st);
    if (e !== Errno.SUCCESS) return e;
    if (cookie === 0n && !put(".", Filetype.DIRECTORY, st.ino)) return done(s, bufusedPtr, used);
    if (d.path !== "") {
      e = d.statParent(st);
      if (e !== Errno.SUCCESS) return e;
    }
    if (!put("..", Filetype.DIRECTORY, st.ino)) return done(s, bufusedPtr, used);
  }
  const e = h.readdir(BigInt(next - 2), put);
  if (e !== Errno.SUCCESS) return e;
  return done(s, bufusedPtr, used);
}

function done(s: State, bufusedPtr: number, used: number): Errno {
  s.mem.setU32(bufusedPtr, used);
  return Errno.SUCCESS;
}

const utf8 = new TextEncoder();
let direntScratch = new Uint8Array(256);
function scratchEntry(n: number): Uint8Array {
  if (direntScratch.length < n) direntScratch = new Uint8Array(Math.max(n, direntScratch.length * 2));
  direntScratch.fill(0, 0, DIRENT.size);
  return direntScratch.subarray(0, n);
}

/** fd_prestat_get: for a preopen, its type (dir) and name length, at `bufPtr`. */
export function fdPrestatGet(s: State, fd: number, bufPtr: number): Errno {
  const m = s.mem;
  if (!m.fits(bufPtr, PRESTAT.size)) return Errno.FAULT;
  const d = s.fds.get(fd);
  if (!(d instanceof DirDescriptor) || d.preopenName === null) return Errno.BADF;
  m.zero(bufPtr, PRESTAT.size);
  m.setU32(bufPtr + PRESTAT.nameLen, d.preopenName.length);
  return Errno.SUCCESS;
}

/** fd_prestat_dir_name: the preopen's guest path (no NUL) at `pathPtr`; a shorter buffer is NAMETOOLONG. */
export function fdPrestatDirName(s: State, fd: number, pathPtr: number, pathLen: number): Errno {
  const m = s.mem;
  if (!m.fits(pathPtr, pathLen)) return Errno.FAULT;
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  if (!(d instanceof DirDescriptor) || d.preopenName === null) return Errno.NOTDIR; // as wasmtime
  if (pathLen < d.preopenName.length) return Errno.NAMETOOLONG;
  m.bytes.set(d.preopenName, pathPtr);
  return Errno.SUCCESS;
}
