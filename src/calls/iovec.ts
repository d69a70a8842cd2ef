// Scatter/gather over guest iovecs: range checks, and one backend read or write per call.

import { IOVEC } from "../abi/layout.ts";
import type { Descriptor } from "../fd_table.ts";
import type { GuestMemory } from "../memory.ts";

/** iovecs up to this size are copied 4 bytes at a time: cheaper than a view plus `set` for a few bytes. */
const SMALL = 64;
/**
 * Most bytes one read or write moves, as Linux (MAX_RW_COUNT): more is a short count. The count then fits a u32, and
 * no host call sees a buffer over 2 GiB (Node's fs.writeSync/readSync throw a RangeError for one).
 */
export const MAX_RW = 0x7ffff000;
/** Largest gather/scatter buffer kept between calls; bigger vectors go iovec by iovec. */
const SCRATCH_MAX = 1 << 20;
let scratch = new Uint8Array(4096);
/** `scratch` as a DataView, for the 4-byte copies (on V8 a third of the time of a byte loop). */
let scratchDv = new DataView(scratch.buffer);
/** The last view of `scratch` handed to a backend, and the `scratch` it was cut from. */
let lastView = scratch.subarray(0, 0);
let lastViewOf = scratch;
/**
 * The (buf, len) pairs of a multi-iovec read, copied before the read as the kernel does: the data read may land on
 * the iovec array itself. Only non-empty iovecs that can receive data are kept (at most SCRATCH_MAX of them).
 */
let iovCopy: Uint32Array = new Uint32Array(64);

/** The first `n` bytes of the scratch buffer, grown to hold them; the view is reused while `n` repeats. */
function scratchView(n: number): Uint8Array {
  if (scratch.length < n) {
    scratch = new Uint8Array(Math.max(n, scratch.length * 2));
    scratchDv = new DataView(scratch.buffer);
  }
  // A `subarray` costs V8 a few hundred ns, as much as the rest of a small fd_write: keep the last one.
  if (lastView.length !== n || lastViewOf !== scratch) {
    lastView = scratch.subarray(0, n);
    lastViewOf = scratch;
  }
  return lastView;
}

/**
 * Where the bytes of the vector that `iovTotal` looked at last lie, when its non-empty iovecs follow one another in
 * memory (one iovec, or several adjacent ones): the address of the first byte; -1 when there are gaps or no bytes.
 * One view of that run then stands for the whole vector, and nothing is copied. Read it right after `iovTotal`.
 */
export let iovRun = -1;

/**
 * Checks every iovec of a vector; returns the total byte count, or -1 when a range is outside memory. The total is
 * exact: each length is a u32 and there are fewer than 2^29 iovecs. Sets `iovRun` (one pass does both).
 */
export function iovTotal(m: GuestMemory, iovsPtr: number, iovsLen: number): number {
  let total = 0, hi = 0, run = -1, runEnd = 0; // run: -1 before the first byte, -2 after a gap
  for (let p = iovsPtr, end = p + iovsLen * IOVEC.size; p < end; p += IOVEC.size) {
    const len = m.u32(p + IOVEC.bufLen), buf = m.u32(p + IOVEC.buf), top = buf + len;
    if (top > hi) hi = top;
    if (len !== 0) {
      if (run === -1) run = buf;
      else if (buf !== runEnd) run = -2;
      runEnd = top;
    }
    total += len;
  }
  iovRun = run < 0 ? -1 : run;
  return m.fits(hi, 0) ? total : -1; // every range is inside memory when the highest end is: one check, not one each
}

/** A positional `pos`, or -1 for the current offset. */
type Pos = number;

/**
 * Gathers the iovecs and writes them with one backend write; returns the count or -errno. `total` and `run` are what
 * `iovTotal` and `iovRun` said of the vector.
 */
export function writev(
  d: Descriptor,
  m: GuestMemory,
  iovsPtr: number,
  iovsLen: number,
  total: number,
  run: number,
  pos: Pos,
): number {
  if (total === 0) return 0;
  if (run >= 0) { // one run of bytes: written straight from guest memory
    const bytes = m.view(run, Math.min(total, MAX_RW));
    return pos < 0 ? d.write(bytes) : d.pwrite(bytes, pos);
  }
  if (total <= SCRATCH_MAX) {
    const buf = scratchView(total), dv = scratchDv;
    let at = 0;
    for (let p = iovsPtr, end = p + iovsLen * IOVEC.size; p < end; p += IOVEC.size) {
      const len = m.u32(p + IOVEC.bufLen), from = m.u32(p + IOVEC.buf);
      if (len <= SMALL) {
        let i = 0;
        for (; i + 4 <= len; i += 4) dv.setUint32(at + i, m.u32(from + i), true);
        for (; i < len; i++) buf[at + i] = m.u8(from + i);
      } else buf.set(m.view(from, len), at);
      at += len;
    }
    return pos < 0 ? d.write(buf) : d.pwrite(buf, pos);
  }
  let done = 0;
  for (let p = iovsPtr, end = p + iovsLen * IOVEC.size; p < end && done < MAX_RW; p += IOVEC.size) {
    const len = Math.min(m.u32(p + IOVEC.bufLen), MAX_RW - done);
    const view = m.view(m.u32(p + IOVEC.buf), len);
    const n = pos < 0 ? d.write(view) : d.pwrite(view, pos + done);
    // After some iovecs went out, an error or a wait ends the call with a short count (POSIX writev): a retry would
    // send them again to a stream or a socket, which keep no log (decisions.md#async-retry).
    if (n < 0) return done > 0 ? done : n;
    done += n;
    if (n < len) break; // a short write: report what was written
  }
  return done;
}

/**
 * Reads once into the iovecs (one backend read, as readv); returns the count or -errno. `total` and `run` are what
 * `iovTotal` and `iovRun` said of the vector.
 */
export function readv(
  d: Descriptor,
  m: GuestMemory,
  iovsPtr: number,
  iovsLen: number,
  total: number,
  run: number,
  pos: Pos,
): number {
  if (total === 0) return 0;
  if (run >= 0) { // one run of bytes: read straight into guest memory
    const bytes = m.view(run, Math.min(total, MAX_RW));
    return pos < 0 ? d.read(bytes) : d.pread(bytes, pos);
  }
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
  const buf = scratchView(max), dv = scratchDv;
  const n = pos < 0 ? d.read(buf) : d.pread(buf, pos);
  let at = 0;
  for (let j = 0; j < k && at < n; j += 2) {
    const len = Math.min(iovCopy[j + 1], n - at), to = iovCopy[j];
    if (len <= SMALL) {
      let i = 0;
      for (; i + 4 <= len; i += 4) m.setU32(to + i, dv.getUint32(at + i, true));
      for (; i < len; i++) m.setU8(to + i, buf[at + i]);
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
