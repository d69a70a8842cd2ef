// environ_get, environ_sizes_get: the guest's environment as "KEY=VALUE" strings.

import type { Errno } from "../abi/errno.ts";
import type { State } from "../state.ts";
import { listGet, listSizesGet } from "./args.ts";

/** environ_get: entry pointers at `environPtr`, the "KEY=VALUE\0" strings at `environBufPtr`. */
export function environGet(s: State, environPtr: number, environBufPtr: number): Errno {
  return listGet(s, s.env, environPtr, environBufPtr);
}

/** environ_sizes_get: the entry count at `countPtr`, the strings' total size at `sizePtr`. */
export function environSizesGet(s: State, countPtr: number, sizePtr: number): Errno {
  return listSizesGet(s, s.env, countPtr, sizePtr);
}
