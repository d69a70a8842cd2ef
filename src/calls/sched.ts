// sched_yield.

import { Errno } from "../abi/errno.ts";
import { macrotask, pending } from "../pending.ts";
import type { State } from "../state.ts";

/**
 * sched_yield: a single-threaded guest has no one to yield to, so in sync mode it succeeds at once; in async mode the
 * event loop runs once first (timers, I/O, other guests), then it succeeds.
 */
export function schedYield(s: State): Errno {
  return s.async && s.retry === 0 ? pending(macrotask()) : Errno.SUCCESS;
}
