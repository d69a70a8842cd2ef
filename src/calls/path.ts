// path_* calls: every guest path goes through the sandbox (src/path.ts) before a backend sees it.

import { Errno } from "../abi/errno.ts";
import { FdFlags, FDFLAGS_ALL, Filetype, LookupFlags, OFlags, Rights, RIGHTS_ALL } from "../abi/consts.ts";
import { FILESTAT, type FilestatLayout } from "../abi/layout.ts";
import { DirDescriptor, FILE_RIGHTS, FileDescriptor } from "../fd_table.ts";
import { type OpenFlags, openFlags } from "../fs/types.ts";
import { forgetChecked, PATH_MAX } from "../path.ts";
import type { State } from "../state.ts";
import { resolveTimes, writeFilestat } from "./fd.ts";

/**
 * The directory fd a path call starts from, holding `right` (a `$rights` bit or several): BADF when closed, NOTDIR
 * when not a directory, NOTCAPABLE when it lacks the right (decisions.md#rights). Checked before anything happens.
 */
function dirOf(s: State, fd: number, right: number): DirDescriptor | Errno {
  const d = s.fds.get(fd);
  if (!(d instanceof DirDescriptor)) return d instanceof FileDescriptor ? Errno.NOTDIR : Errno.BADF; // stdio: BADF
  return (d.dropped & right) !== 0 ? Errno.NOTCAPABLE : d;
}

/** Reads the guest path and resolves it under `dir`; the result is in `s.resolver`. */
function resolve(s: State, dir: DirDescriptor, pathPtr: number, pathLen: number, follow: boolean): Errno {
  if (pathLen >= PATH_MAX) return Errno.NAMETOOLONG; // before decoding it (decisions.md#sandbox)
  const path = s.mem.readString(pathPtr, pathLen);
  if (path === null) return Errno.ILSEQ; // not UTF-8
  return s.resolver.resolve(dir.fs, dir.path, path, follow);
}

/** Rights that ask for writing: a file is opened for writing when any of them is requested. */
const WRITE_RIGHTS = Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE;
/** Reused by every path_open: the flags are set field by field, so opening allocates no flag object. */
const scratchFlags: OpenFlags = openFlags();

/**
 * path_open: opens (or creates) `path` under `fd`; the new fd goes to `fdPtr`. A final symlink is
 * followed only with SYMLINK_FOLLOW (else LOOP); DIRECTORY on a non-directory is NOTDIR; a directory
 * opened for writing is ISDIR. The directory needs PATH_OPEN (and PATH_CREATE_FILE for CREAT,
 * PATH_FILESTAT_SET_SIZE for TRUNC); the new fd gets the rights asked for (0: every right of its
 * kind) that the directory hands down (decisions.md#rights).
 */
export function pathOpen(
  s: State,
  fd: number,
  dirflags: number,
  pathPtr: number,
  pathLen: number,
  oflags: number,
  rightsBase: bigint,
  rightsInheriting: bigint,
  fdflags: number,
  fdPtr: number,
): Errno {
  const m = s.mem;
  if (!m.fits(pathPtr, pathLen) || !m.fits(fdPtr, 4)) return Errno.FAULT;
  const need = Rights.PATH_OPEN | (oflags & OFlags.CREAT ? Rights.PATH_CREATE_FILE : 0) |
    (oflags & OFlags.TRUNC ? Rights.PATH_FILESTAT_SET_SIZE : 0);
  const dir = dirOf(s, fd, need);
  if (typeof dir === "number") return dir;
  if ((oflags & ~0xf) !== 0 || (fdflags & ~FDFLAGS_ALL) !== 0) return Errno.INVAL;
  if ((oflags & OFlags.DIRECTORY) !== 0 && (oflags & (OFlags.CREAT | OFlags.EXCL | OFlags.TRUNC)) !== 0) {
    return Errno.INVAL; // as wasmtime: a directory is neither created nor truncated by path_open
  }
  if ((fdflags & (FdFlags.DSYNC | FdFlags.RSYNC | FdFlags.SYNC)) !== 0) return Errno.NOTSUP; // as wasmtime
  // CREAT|EXCL never follows a final symlink: a dangling one still exists (POSIX open(2): EEXIST).
  const exclusive = (oflags & (OFlags.CREAT | OFlags.EXCL)) === (OFlags.CREAT | OFlags.EXCL);
  const follow = (dirflags & LookupFlags.SYMLINK_FOLLOW) !== 0 && !exclusive;
  const e = resolve(s, dir, pathPtr, pathLen, follow);
  if (e !== Errno.SUCCESS) return e;
  const r = s.resolver;
  // Asking for no rights at all means "no preference" (wasmtime's own programs do): every right of the kind.
  const asked = Number(BigInt.asUintN(30, rightsBase));
  const rights = (asked || RIGHTS_ALL) & dir.rightsInheriting;
  const wantsWrite = (asked !== 0 && (rights & WRITE_RIGHTS) !== 0) || (fdflags & FdFlags.APPEND) !== 0 ||
    (oflags & OFlags.TRUNC) !== 0;
  if (r.exists) {
    if (exclusive) return Errno.EXIST;
    const type = r.stat.filetype;
    if (type === Filetype.SYMBOLIC_LINK) return Errno.LOOP;
    if (type === Filetype.DIRECTORY) {
      if (wantsWrite) return Errno.ISDIR;
      const inheriting = (Number(BigInt.asUintN(30, rightsInheriting)) || RIGHTS_ALL) & dir.rightsInheriting;
      return addFd(s, new DirDescriptor(dir.fs, r.path, null, rights, inheriting), fdPtr);
    }
    if ((oflags & OFlags.DIRECTORY) !== 0 || r.dirOnly) return Errno.NOTDIR;
  } else {
    if ((oflags & OFlags.CREAT) === 0) return Errno.NOENT;
    if (r.dirOnly) return Errno.ISDIR; // "name/" cannot be created as a file
  }
  const f = scratchFlags;
  f.write = wantsWrite;
  f.read = (rights & Rights.FD_READ) !== 0 || !wantsWrite;
  f.create = (oflags & OFlags.CREAT) !== 0;
  f.exclusive = (oflags & OFlags.EXCL) !== 0;
  f.truncate = (oflags & OFlags.TRUNC) !== 0;
  f.append = (fdflags & FdFlags.APPEND) !== 0;
  f.seen = r.exists ? r.stat.filetype : undefined;
  // What was there (the resolver looked) or what we created: no fstat needed for the filetype.
  const filetype = r.exists ? r.stat.filetype : Filetype.REGULAR_FILE;
  const h = dir.fs.open(r.path, f);
  if (typeof h === "number") return h;
  // What the open mode excludes is not a capability but the handle's own answer (EBADF to write a read-only file).
  const excluded = (f.read ? 0 : Rights.FD_READ) | (f.write ? 0 : WRITE_RIGHTS);
  return addFd(s, new FileDescriptor(h, filetype, rights & ~excluded, fdflags, FILE_RIGHTS & ~excluded), fdPtr);
}

/** Puts a new descriptor in the table and writes its number; MFILE (and closes it) when full. */
function addFd(s: State, d: DirDescriptor | FileDescriptor, fdPtr: number): Errno {
  const n = s.fds.add(d);
  if (n < 0) {
    d.close();
    return -n as Errno;
  }
  s.mem.setU32(fdPtr, n);
  return Errno.SUCCESS;
}

/** path_create_directory: creates a directory at `path` under `fd`. */
export function pathCreateDirectory(s: State, fd: number, pathPtr: number, pathLen: number): Errno {
  if (!s.mem.fits(pathPtr, pathLen)) return Errno.FAULT;
  const dir = dirOf(s, fd, Rights.PATH_CREATE_DIRECTORY);
  if (typeof dir === "number") return dir;
  const e = resolve(s, dir, pathPtr, pathLen, false);
  if (e !== Errno.SUCCESS) return e;
  if (s.resolver.exists) return Errno.EXIST;
  return dir.fs.mkdir(s.resolver.path);
}

/** path_filestat_get: metadata of `path` (of a final symlink itself unless SYMLINK_FOLLOW) at `bufPtr`. */
export function pathFilestatGet(
  s: State,
  fd: number,
  flags: number,
  pathPtr: number,
  pathLen: number,
  bufPtr: number,
  L: FilestatLayout = FILESTAT,
): Errno {
  if (!s.mem.fits(pathPtr, pathLen) || !s.mem.fits(bufPtr, L.size)) return Errno.FAULT;
  const dir = dirOf(s, fd, Rights.PATH_FILESTAT_GET);
  if (typeof dir === "number") return dir;
  const e = resolve(s, dir, pathPtr, pathLen, (flags & LookupFlags.SYMLINK_FOLLOW) !== 0);
  if (e !== Errno.SUCCESS) return e;
  if (!s.resolver.exists) return Errno.NOENT;
  writeFilestat(s.mem, bufPtr, s.resolver.stat, L);
  return Errno.SUCCESS;
}

const times: [bigint | null, bigint | null] = [null, null];

/** path_filestat_set_times: sets the times of `path` (of a final symlink itself unless SYMLINK_FOLLOW). */
export function pathFilestatSetTimes(
  s: State,
  fd: number,
  flags: number,
  pathPtr: number,
  pathLen: number,
  atim: bigint,
  mtim: bigint,
  fstFlags: number,
): Errno {
  if (!s.mem.fits(pathPtr, pathLen)) return Errno.FAULT;
  const dir = dirOf(s, fd, Rights.PATH_FILESTAT_SET_TIMES);
  if (typeof dir === "number") return dir;
  const te = resolveTimes(s, atim, mtim, fstFlags, times);
  if (te !== Errno.SUCCESS) return te;
  const e = resolve(s, dir, pathPtr, pathLen, (flags & LookupFlags.SYMLINK_FOLLOW) !== 0);
  if (e !== Errno.SUCCESS) return e;
  if (!s.resolver.exists) return Errno.NOENT;
  // The resolver followed any symlink we were asked to follow: what is left is the object itself.
  return dir.fs.utimes(s.resolver.path, times[0], times[1], false);
}

/** path_link: a hard link at `newPath` (under `newFd`) to `oldPath` (under `oldFd`). */
export function pathLink(
  s: State,
  oldFd: number,
  oldFlags: number,
  oldPathPtr: number,
  oldPathLen: number,
  newFd: number,
  newPathPtr: number,
  newPathLen: number,
): Errno {
  if (!s.mem.fits(oldPathPtr, oldPathLen) || !s.mem.fits(newPathPtr, newPathLen)) return Errno.FAULT;
  const from = dirOf(s, oldFd, Rights.PATH_LINK_SOURCE);
  if (typeof from === "number") return from;
  const to = dirOf(s, newFd, Rights.PATH_LINK_TARGET);
  if (typeof to === "number") return to;
  // As wasmtime (its path_link test): a hard link is made to what is named, never through a symlink.
  if ((oldFlags & LookupFlags.SYMLINK_FOLLOW) !== 0) return Errno.INVAL;
  let e = resolve(s, from, oldPathPtr, oldPathLen, false);
  if (e !== Errno.SUCCESS) return e;
  if (!s.resolver.exists) return Errno.NOENT;
  if (s.resolver.stat.filetype === Filetype.DIRECTORY) return Errno.PERM;
  const source = s.resolver.path;
  e = resolve(s, to, newPathPtr, newPathLen, false);
  if (e !== Errno.SUCCESS) return e;
  if (s.resolver.exists) return Errno.EXIST;
  if (s.resolver.dirOnly) return Errno.NOENT;
  if (from.fs === to.fs) return to.fs.link(source, s.resolver.path);
  // Two preopens: one host filesystem when the backend says so (decisions.md#path-edges).
  return from.fs.linkInto?.(source, to.fs, s.resolver.path) ?? Errno.XDEV;
}

/** path_readlink: the target of symlink `path`, truncated to the buffer; the byte count at `bufusedPtr`. */
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
  const dir = dirOf(s, fd, Rights.PATH_READLINK);
  if (typeof dir === "number") return dir;
  const e = resolve(s, dir, pathPtr, pathLen, false);
  if (e !== Errno.SUCCESS) return e;
  if (!s.resolver.exists) return Errno.NOENT;
  if (s.resolver.stat.filetype !== Filetype.SYMBOLIC_LINK) return Errno.INVAL;
  const target = dir.fs.readlink(s.resolver.path);
  if (typeof target !== "string") return target;
  const bytes = new TextEncoder().encode(target);
  const n = Math.min(bytes.length, bufLen);
  m.bytes.set(bytes.subarray(0, n), bufPtr);
  m.setU32(bufusedPtr, n);
  return Errno.SUCCESS;
}

/** path_remove_directory: removes the empty directory `path` (NOTEMPTY otherwise, NOTDIR for a file). */
export function pathRemoveDirectory(s: State, fd: number, pathPtr: number, pathLen: number): Errno {
  if (!s.mem.fits(pathPtr, pathLen)) return Errno.FAULT;
  const dir = dirOf(s, fd, Rights.PATH_REMOVE_DIRECTORY);
  if (typeof dir === "number") return dir;
  const e = resolve(s, dir, pathPtr, pathLen, false);
  if (e !== Errno.SUCCESS) return e;
  const r = s.resolver;
  if (!r.exists) return Errno.NOENT;
  if (r.stat.filetype !== Filetype.DIRECTORY) return Errno.NOTDIR;
  if (r.atBase) return Errno.INVAL; // "." (the directory fd's own directory, a preopen's root too): not removable
  return dir.fs.rmdir(r.path);
}

/** path_rename: renames `oldPath` (under `fd`) to `newPath` (under `newFd`), replacing as POSIX. */
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
  const from = dirOf(s, fd, Rights.PATH_RENAME_SOURCE);
  if (typeof from === "number") return from;
  const to = dirOf(s, newFd, Rights.PATH_RENAME_TARGET);
  if (typeof to === "number") return to;
  let e = resolve(s, from, oldPathPtr, oldPathLen, false);
  if (e !== Errno.SUCCESS) return e;
  if (!s.resolver.exists) return Errno.NOENT;
  const source = s.resolver.path;
  const sourceIsDir = s.resolver.stat.filetype === Filetype.DIRECTORY;
  // The directory fd's own directory (a preopen's root too) is named in its parent, above the wall: Linux's EBUSY.
  if (s.resolver.atBase) return Errno.BUSY;
  e = resolve(s, to, newPathPtr, newPathLen, false);
  if (e !== Errno.SUCCESS) return e;
  if (s.resolver.dirOnly && !sourceIsDir) return Errno.NOTDIR;
  if (s.resolver.atBase) return Errno.BUSY;
  const target = s.resolver.path;
  // Two preopens: one host filesystem when the backend says so (decisions.md#path-edges).
  const e2 = from.fs === to.fs
    ? to.fs.rename(source, target)
    : from.fs.renameInto?.(source, to.fs, target) ?? Errno.XDEV;
  if (e2 === Errno.SUCCESS && sourceIsDir) {
    for (const [, d] of s.fds) if (d instanceof DirDescriptor) d.moved(from.fs, source, to.fs, target);
    forgetChecked(from.fs); // paths under the old name are walked again (src/path.ts)
    forgetChecked(to.fs);
  }
  return e2;
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
  const dir = dirOf(s, fd, Rights.PATH_SYMLINK);
  if (typeof dir === "number") return dir;
  if (oldPathLen >= PATH_MAX) return Errno.NAMETOOLONG;
  const target = s.mem.readString(oldPathPtr, oldPathLen);
  if (target === null) return Errno.ILSEQ;
  if (target.includes("\0")) return Errno.INVAL;
  // As wasmtime (its symlink_create test): an absolute target would name the host's root; refused.
  if (target.charCodeAt(0) === 0x2f) return Errno.PERM;
  const e = resolve(s, dir, newPathPtr, newPathLen, false);
  if (e !== Errno.SUCCESS) return e;
  if (s.resolver.exists) return Errno.EXIST;
  if (s.resolver.dirOnly) return Errno.NOENT;
  return dir.fs.symlink(target, s.resolver.path);
}

/** path_unlink_file: removes the file or symlink `path`; a directory is ISDIR. */
export function pathUnlinkFile(s: State, fd: number, pathPtr: number, pathLen: number): Errno {
  if (!s.mem.fits(pathPtr, pathLen)) return Errno.FAULT;
  const dir = dirOf(s, fd, Rights.PATH_UNLINK_FILE);
  if (typeof dir === "number") return dir;
  const e = resolve(s, dir, pathPtr, pathLen, false);
  if (e !== Errno.SUCCESS) return e;
  const r = s.resolver;
  if (!r.exists) return Errno.NOENT;
  if (r.stat.filetype === Filetype.DIRECTORY) return Errno.ISDIR;
  return dir.fs.unlink(r.path);
}
