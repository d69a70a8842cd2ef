// random_get.

import { Errno } from "../abi/errno.ts";
import type { GuestMemory } from "../memory.ts";
import type { State } from "../state.ts";

/** crypto.getRandomValues fills at most this many bytes per call. */
const CHUNK = 65536;
/** Requests up to this size are served from the pool. */
const POOLED_MAX = 256;
/**
 * Random bytes drawn ahead, 4 KiB per crypto.getRandomValues call: a call costs far more than its bytes on some hosts
 * (Node's makes syscalls each time), and guests ask for a few bytes at a time (hash seeds, UUIDs). Bytes are handed
 * out once and zeroed as they go, so none is given twice or left behind. Filled on first use, never at load.
 */
const pool = new Uint32Array(1024);
let poolAt = pool.length; // in words

/** Writes `n` fresh random bytes from the pool at guest address `p`, a word at a time. */
function fromPool(m: GuestMemory, p: number, n: number): void {
  if (pool.length - poolAt < (n + 3) >>> 2) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  let w = poolAt, i = 0;
  for (; i + 4 <= n; i += 4, w++) {
    m.setU32(p + i, pool[w]);
    pool[w] = 0;
  }
  if (i < n) {
    let v = pool[w];
    pool[w++] = 0;
    for (; i < n; i++, v >>>= 8) m.setU8(p + i, v & 0xff);
  }
  poolAt = w;
}

/** random_get: fills `bufLen` bytes at `bufPtr` with random bytes (the injected source if given). */
export function randomGet(s: State, bufPtr: number, bufLen: number): Errno {
  const m = s.mem;
  if (!m.fits(bufPtr, bufLen)) return Errno.FAULT;
  if (s.random !== undefined) s.random(m.view(bufPtr, bufLen));
  else if (bufLen <= POOLED_MAX) fromPool(m, bufPtr, bufLen);
  else if (bufLen <= CHUNK && !m.shared) crypto.getRandomValues(m.view(bufPtr, bufLen)); // the common case
  else {
    for (let off = 0; off < bufLen; off += CHUNK) {
      const part = m.view(bufPtr + off, Math.min(CHUNK, bufLen - off));
      // Shared memory cannot be handed to getRandomValues: fill a private copy.
      if (m.shared) part.set(crypto.getRandomValues(new Uint8Array(part.length)));
      else crypto.getRandomValues(part);
    }
  }
  return Errno.SUCCESS;
}
