// args_get, args_sizes_get, and the string-list helpers that environ_* share.

import { Errno } from "../abi/errno.ts";
import type { State, StringList } from "../state.ts";

/** Writes a list's pointer array at `ptrsPtr` and its NUL-terminated strings at `bufPtr`. */
export function listGet(s: State, list: StringList, ptrsPtr: number, bufPtr: number): Errno {
  const m = s.mem;
  if (!m.fits(ptrsPtr, list.count * 4) || !m.fits(bufPtr, list.bytes.length)) return Errno.FAULT;
  for (let i = 0; i < list.count; i++) m.setU32(ptrsPtr + i * 4, (bufPtr + list.offsets[i]) >>> 0);
  m.bytes.set(list.bytes, bufPtr);
  return Errno.SUCCESS;
}

/** Writes a list's string count at `countPtr` and its total byte size at `sizePtr`. */
export function listSizesGet(s: State, list: StringList, countPtr: number, sizePtr: number): Errno {
  const m = s.mem;
  if (!m.fits(countPtr, 4) || !m.fits(sizePtr, 4)) return Errno.FAULT;
  m.setU32(countPtr, list.count);
  m.setU32(sizePtr, list.bytes.length);
  return Errno.SUCCESS;
}

/** args_get: argv pointers at `argvPtr`, the strings at `argvBufPtr` (sizes from args_sizes_get). */
export function argsGet(s: State, argvPtr: number, argvBufPtr: number): Errno {
  return listGet(s, s.args, argvPtr, argvBufPtr);
}

/** args_sizes_get: argc at `argcPtr`, the strings' total size (NULs included) at `argvBufSizePtr`. */
export function argsSizesGet(s: State, argcPtr: number, argvBufSizePtr: number): Errno {
  return listSizesGet(s, s.args, argcPtr, argvBufSizePtr);
}
