// path_* calls. Arguments are checked here; the operations arrive with the filesystem (issue #3).

import { Errno } from "../abi/errno.ts";
import { FILESTAT, type FilestatLayout } from "../abi/layout.ts";
import { DirDescriptor } from "../fd_table.ts";
import type { State } from "../state.ts";

/**
 * The directory a path call starts from: BADF for a closed fd, NOTDIR for one that is not a
 * directory. Until the filesystem lands, a directory answers NOSYS.
 */
function atDir(s: State, fd: number): Errno {
  const d = s.fds.get(fd);
  if (d === undefined) return Errno.BADF;
  if (!(d instanceof DirDescriptor)) return Errno.NOTDIR;
  return Errno.NOSYS;
}

/** path_create_directory: creates a directory at `path` under `fd`. */
export function pathCreateDirectory(s: State, fd: number, pathPtr: number, pathLen: number): Errno {
  if (!s.mem.fits(pathPtr, pathLen)) return Errno.FAULT;
  return atDir(s, fd);
}

/** path_filestat_get: metadata of `path` (following a final symlink when `flags` says so) at `bufPtr`. */
export function pathFilestatGet(
  s: State,
  fd: number,
  _flags: number,
  pathPtr: number,
  pathLen: number,
  bufPtr: number,
  L: FilestatLayout = FILESTAT,
): Errno {
  if (!s.mem.fits(pathPtr, pathLen) || !s.mem.fits(bufPtr, L.size)) return Errno.FAULT;
  return atDir(s, fd);
}

/** path_filestat_set_times: sets the times of `path`. */
export function pathFilestatSetTimes(
  s: State,
  fd: number,
  _flags: number,
  pathPtr: number,
  pathLen: number,
  _atim: bigint,
  _mtim: bigint,
  _fstFlags: number,
): Errno {
  if (!s.mem.fits(pathPtr, pathLen)) return Errno.FAULT;
  return atDir(s, fd);
}

/** path_link: a hard link at `newPath` (under `newFd`) to `oldPath` (under `oldFd`). */
export function pathLink(
  s: State,
  oldFd: number,
  _oldFlags: number,
  oldPathPtr: number,
  oldPathLen: number,
  newFd: number,
  newPathPtr: number,
  newPathLen: number,
): Errno {
  if (!s.mem.fits(oldPathPtr, oldPathLen) || !s.mem.fits(newPathPtr, newPathLen)) return Errno.FAULT;
  const e = atDir(s, oldFd);
  return e === Errno.NOSYS ? atDir(s, newFd) : e;
}

/** path_open: opens `path` under `fd`; the new fd goes to `fdPtr`. */
export function pathOpen(
  s: State,
  fd: number,
  _dirflags: number,
  pathPtr: number,
  pathLen: number,
  _oflags: number,
  _rightsBase: bigint,
  _rightsInheriting: bigint,
  _fdflags: number,
  fdPtr: number,
): Errno {
  if (!s.mem.fits(pathPtr, pathLen) || !s.mem.fits(fdPtr, 4)) return Errno.FAULT;
  return atDir(s, fd);
}

/** path_readlink: the target of symlink `path`, truncated to the buffer; bytes used at `bufusedPtr`. */
export function pathReadlink(
  s: State,
  fd: number,
  pathPtr: number,
  pathLen: number,
  bufPtr: number,
  bufLen: number,
  bufusedPtr: number,
): Errno {
  const m = s.mem;
  if (!m.fits(pathPtr, pathLen) || !m.fits(bufPtr, bufLen) || !m.fits(bufusedPtr, 4)) return Errno.FAULT;
  return atDir(s, fd);
}

/** path_remove_directory: removes the empty directory `path`. */
export function pathRemoveDirectory(s: State, fd: number, pathPtr: number, pathLen: number): Errno {
  if (!s.mem.fits(pathPtr, pathLen)) return Errno.FAULT;
  return atDir(s, fd);
}

/** path_rename: renames `oldPath` (under `fd`) to `newPath` (under `newFd`). */
export function pathRename(
  s: State,
  fd: number,
  oldPathPtr: number,
  oldPathLen: number,
  newFd: number,
  newPathPtr: number,
  newPathLen: number,
): Errno {
  if (!s.mem.fits(oldPathPtr, oldPathLen) || !s.mem.fits(newPathPtr, newPathLen)) return Errno.FAULT;
  const e = atDir(s, fd);
  return e === Errno.NOSYS ? atDir(s, newFd) : e;
}

/** path_symlink: a symlink at `newPath` (under `fd`) whose target is `oldPath`, stored verbatim. */
export function pathSymlink(
  s: State,
  oldPathPtr: number,
  oldPathLen: number,
  fd: number,
  newPathPtr: number,
  newPathLen: number,
): Errno {
  if (!s.mem.fits(oldPathPtr, oldPathLen) || !s.mem.fits(newPathPtr, newPathLen)) return Errno.FAULT;
  return atDir(s, fd);
}

/** path_unlink_file: removes the file (or symlink) `path`. */
export function pathUnlinkFile(s: State, fd: number, pathPtr: number, pathLen: number): Errno {
  if (!s.mem.fits(pathPtr, pathLen)) return Errno.FAULT;
  return atDir(s, fd);
}
