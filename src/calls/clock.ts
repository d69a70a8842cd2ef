// clock_res_get, clock_time_get.

import { Errno } from "../abi/errno.ts";
import { Clocks } from "../clocks.ts";
import type { State } from "../state.ts";

/** clock_res_get: the resolution of clock `id` in ns, at `resolutionPtr`. Unknown id: INVAL. */
export function clockResGet(s: State, id: number, resolutionPtr: number): Errno {
  if (!s.mem.fits(resolutionPtr, 8)) return Errno.FAULT;
  if (!Clocks.valid(id)) return Errno.INVAL;
  s.clocks.writeResolution(s.mem, resolutionPtr, id);
  return Errno.SUCCESS;
}

/** clock_time_get: the time of clock `id` in ns, at `timePtr`; `precision` is a hint we need not use. */
export function clockTimeGet(s: State, id: number, _precision: bigint, timePtr: number): Errno {
  if (!s.mem.fits(timePtr, 8)) return Errno.FAULT;
  if (!Clocks.valid(id)) return Errno.INVAL;
  s.clocks.write(s.mem, timePtr, id);
  return Errno.SUCCESS;
}
