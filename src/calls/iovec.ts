// Scatter/gather over guest iovecs: range checks, and one backend read or write per call.

import { IOVEC } from "../abi/layout.ts";
import type { Descriptor } from "../fd_table.ts";
import type { GuestMemory } from "../memory.ts";
import { PENDING } from "../pending.ts";

/** iovecs up to this size are copied byte by byte: cheaper than a view plus `set` for a few bytes. */
const SMALL = 64;
/**
 * Most bytes one read or write moves, as Linux (MAX_RW_COUNT): more is a short count. The count then fits a u32, and
 * no host call sees a buffer over 2 GiB (Node's fs.writeSync/readSync throw a RangeError for one).
 */
export const MAX_RW = 0x7ffff000;
/** Largest gather/scatter buffer kept between calls; bigger vectors go iovec by iovec. */
const SCRATCH_MAX = 1 << 20;
let scratch = new Uint8Array(4096);
/**
 * The (buf, len) pairs of a multi-iovec read, copied before the read as the kernel does: the data read may land on
 * the iovec array itself. Only non-empty iovecs that can receive data are kept (at most SCRATCH_MAX of them).
 */
let iovCopy: Uint32Array = new Uint32Array(64);
function scratchOf(n: number): Uint8Array {
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/**
 * Checks every iovec of a vector; returns the total byte count, or -1 when a range is outside
 * memory. The total is exact: each length is a u32 and there are fewer than 2^29 iovecs.
 */
export function iovTotal(m: GuestMemory, iovsPtr: number, iovsLen: number): number {
  let total = 0;
  for (let p = iovsPtr, end = p + iovsLen * IOVEC.size; p < end; p += IOVEC.size) {
    const len = m.u32(p + IOVEC.bufLen);
    if (!m.fits(m.u32(p + IOVEC.buf), len)) return -1;
    total += len;
  }
  return total;
}

/** The one non-empty iovec of a vector, as a view; null when there are several (or none). */
function soleIov(m: GuestMemory, iovsPtr: number, iovsLen: number): Uint8Array | null {
  let found: Uint8Array | null = null;
  for (let p = iovsPtr, end = p + iovsLen * IOVEC.size; p < end; p += IOVEC.size) {
    const len = m.u32(p + IOVEC.bufLen);
    if (len === 0) continue;
    if (found !== null) return null;
    found = m.view(m.u32(p + IOVEC.buf), Math.min(len, MAX_RW));
  }
  return found ?? m.view(0, 0);
}

/** A positional `pos`, or -1 for the current offset. */
type Pos = number;

/** Gathers the iovecs and writes them with one backend write; returns the count or -errno. */
export function writev(
  d: Descriptor,
  m: GuestMemory,
  iovsPtr: number,
  iovsLen: number,
  total: number,
  pos: Pos,
): number {
  if (total === 0) return 0;
  const sole = soleIov(m, iovsPtr, iovsLen);
  if (sole !== null) return pos < 0 ? d.write(sole) : d.pwrite(sole, pos);
  if (total <= SCRATCH_MAX) {
    const buf = scratchOf(total);
    let at = 0;
    for (let p = iovsPtr, end = p + iovsLen * IOVEC.size; p < end; p += IOVEC.size) {
      const len = m.u32(p + IOVEC.bufLen), from = m.u32(p + IOVEC.buf);
      if (len <= SMALL) {
        const src = m.bytes;
        for (let i = 0; i < len; i++) buf[at + i] = src[from + i];
      } else buf.set(m.view(from, len), at);
      at += len;
    }
    const out = buf.subarray(0, total);
    return pos < 0 ? d.write(out) : d.pwrite(out, pos);
  }
  let done = 0;
  for (let p = iovsPtr, end = p + iovsLen * IOVEC.size; p < end && done < MAX_RW; p += IOVEC.size) {
    const len = Math.min(m.u32(p + IOVEC.bufLen), MAX_RW - done);
    const view = m.view(m.u32(p + IOVEC.buf), len);
    const n = pos < 0 ? d.write(view) : d.pwrite(view, pos + done);
    if (n < 0) return done > 0 && n !== -PENDING ? done : n; // PENDING: the retry replays the writes made (replay.ts)
    done += n;
    if (n < len) break; // a short write: report what was written
  }
  return done;
}

/** Reads once into the iovecs (one backend read, as readv); returns the count or -errno. */
export function readv(
  d: Descriptor,
  m: GuestMemory,
  iovsPtr: number,
  iovsLen: number,
  total: number,
  pos: Pos,
): number {
  if (total === 0) return 0;
  const sole = soleIov(m, iovsPtr, iovsLen);
  if (sole !== null) return pos < 0 ? d.read(sole) : d.pread(sole, pos);
  const max = Math.min(total, SCRATCH_MAX);
  let k = 0;
  for (let p = iovsPtr, end = p + iovsLen * IOVEC.size, room = max; p < end && room > 0; p += IOVEC.size) {
    const len = m.u32(p + IOVEC.bufLen);
    if (len === 0) continue;
    if (iovCopy.length < k + 2) iovCopy = grown(iovCopy);
    iovCopy[k++] = m.u32(p + IOVEC.buf);
    iovCopy[k++] = len;
    room -= len;
  }
  const buf = scratchOf(max).subarray(0, max);
  const n = pos < 0 ? d.read(buf) : d.pread(buf, pos);
  let at = 0;
  for (let j = 0; j < k && at < n; j += 2) {
    const len = Math.min(iovCopy[j + 1], n - at), to = iovCopy[j];
    if (len <= SMALL) {
      const dst = m.bytes;
      for (let i = 0; i < len; i++) dst[to + i] = buf[at + i];
    } else m.bytes.set(buf.subarray(at, at + len), to);
    at += len;
  }
  return n;
}

function grown(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}
