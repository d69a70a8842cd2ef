// random_get.

import { Errno } from "../abi/errno.ts";
import type { State } from "../state.ts";

/** crypto.getRandomValues fills at most this many bytes per call. */
const CHUNK = 65536;

/** random_get: fills `bufLen` bytes at `bufPtr` with random bytes (the injected source if given). */
export function randomGet(s: State, bufPtr: number, bufLen: number): Errno {
  const m = s.mem;
  if (!m.fits(bufPtr, bufLen)) return Errno.FAULT;
  if (s.random !== undefined) s.random(m.view(bufPtr, bufLen));
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
