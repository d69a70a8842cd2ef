// random_get.

import { Errno } from "../abi/errno.ts";
import type { State } from "../state.ts";

/** crypto.getRandomValues fills at most this many bytes per call. */
const CHUNK = 65536;

/** random_get: fills `bufLen` bytes at `bufPtr` with random bytes (the injected source if given). */
export function randomGet(s: State, bufPtr: number, bufLen: number): Errno {
  const m = s.mem;
  if (!m.fits(bufPtr, bufLen)) return Errno.FAULT;
  const dst = m.view(bufPtr, bufLen);
  if (s.random !== undefined) {
    s.random(dst);
    return Errno.SUCCESS;
  }
  // Shared memory cannot be handed to getRandomValues: fill a private copy.
  const shared = typeof SharedArrayBuffer !== "undefined" && dst.buffer instanceof SharedArrayBuffer;
  for (let off = 0; off < bufLen; off += CHUNK) {
    const part = dst.subarray(off, off + CHUNK);
    if (shared) part.set(crypto.getRandomValues(new Uint8Array(part.length)));
    else crypto.getRandomValues(part);
  }
  return Errno.SUCCESS;
}
