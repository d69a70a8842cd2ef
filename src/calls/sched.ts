// sched_yield.

import { Errno } from "../abi/errno.ts";
import type { State } from "../state.ts";

/** sched_yield: a single-threaded guest has no one to yield to; succeeds at once. */
export function schedYield(_s: State): Errno {
  return Errno.SUCCESS;
}
