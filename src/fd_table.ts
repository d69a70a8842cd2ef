// Descriptors (stdio streams, preopened directories; files come with the filesystem) and the fd table.

import { Errno } from "./abi/errno.ts";
import { FdFlags, Filetype, Rights, type Whence } from "./abi/consts.ts";
import {
  type FileHandle,
  type FileSystem,
  type IoResult,
  newStat,
  type OpenFlags,
  openFlags,
  type Stat,
} from "./fs/types.ts";
import { PathResolver } from "./path.ts";
import type { Stream } from "./stdio.ts";

/** Rights of a preopened directory and what it hands down (every right but the socket ones). */
export const DIR_RIGHTS = Rights.PATH_CREATE_DIRECTORY | Rights.PATH_CREATE_FILE | Rights.PATH_LINK_SOURCE |
  Rights.PATH_LINK_TARGET | Rights.PATH_OPEN | Rights.FD_READDIR | Rights.PATH_READLINK |
  Rights.PATH_RENAME_SOURCE | Rights.PATH_RENAME_TARGET | Rights.PATH_FILESTAT_GET |
  Rights.PATH_FILESTAT_SET_SIZE | Rights.PATH_FILESTAT_SET_TIMES | Rights.FD_FILESTAT_GET |
  Rights.FD_FILESTAT_SET_TIMES | Rights.PATH_SYMLINK | Rights.PATH_REMOVE_DIRECTORY |
  Rights.PATH_UNLINK_FILE | Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_SYNC | Rights.FD_DATASYNC;
export const FILE_RIGHTS = Rights.FD_DATASYNC | Rights.FD_READ | Rights.FD_SEEK | Rights.FD_FDSTAT_SET_FLAGS |
  Rights.FD_SYNC | Rights.FD_TELL | Rights.FD_WRITE | Rights.FD_ADVISE | Rights.FD_ALLOCATE |
  Rights.FD_FILESTAT_GET | Rights.FD_FILESTAT_SET_SIZE | Rights.FD_FILESTAT_SET_TIMES |
  Rights.POLL_FD_READWRITE;

/**
 * One open descriptor. The defaults are what a descriptor that cannot do a thing answers; each
 * kind overrides what it can do. Rights are reported by fd_fdstat_get and enforced as capabilities:
 * a right of its kind the descriptor lacks (never granted by path_open, or dropped with
 * fd_fdstat_set_rights) is refused with NOTCAPABLE (see `dropped`, decisions.md#rights).
 */
export abstract class Descriptor {
  abstract readonly filetype: Filetype;
  /** `$fdflags` as the guest sees them. */
  flags = 0;
  rightsBase = 0;
  rightsInheriting = 0;
  /**
   * Rights the descriptor's kind has but this one lacks: not granted when it was opened (the guest asked for less,
   * or the directory could not hand them down) or removed by fd_fdstat_set_rights. Using one is NOTCAPABLE; a right
   * the kind never has is answered by the kind (EBADF to read stdout, ESPIPE to seek it).
   */
  dropped = 0;

  /** The filetype fd_fdstat_get/fd_filestat_get report (a stream decides it lazily). */
  reportedFiletype(): Filetype {
    return this.filetype;
  }
  read(_dst: Uint8Array): IoResult {
    return -Errno.BADF;
  }
  write(_src: Uint8Array): IoResult {
    return -Errno.BADF;
  }
  pread(_dst: Uint8Array, _pos: number): IoResult {
    return -Errno.SPIPE;
  }
  pwrite(_src: Uint8Array, _pos: number): IoResult {
    return -Errno.SPIPE;
  }
  seek(_offset: number, _whence: Whence): IoResult {
    return -Errno.SPIPE;
  }
  /** Fills `out`; the caller has zeroed it. */
  stat(out: Stat): Errno {
    out.filetype = this.reportedFiletype();
    return Errno.SUCCESS;
  }
  advise(_offset: number, _len: number, _advice: number): Errno {
    return Errno.BADF;
  }
  allocate(_offset: number, _len: number): Errno {
    return Errno.BADF;
  }
  sync(): Errno {
    return Errno.BADF;
  }
  datasync(): Errno {
    return Errno.BADF;
  }
  truncate(_size: number): Errno {
    return Errno.BADF;
  }
  /** Sets times in ns; null leaves one unchanged. The call resolved the *_NOW flags already. */
  utimes(_atimNs: bigint | null, _mtimNs: bigint | null): Errno {
    return Errno.BADF;
  }
  setFlags(flags: number): Errno {
    this.flags = flags;
    return Errno.SUCCESS;
  }
  /** Bytes ready to read at once (poll_oneoff), or -1 when unknown. */
  available(): number {
    return -1;
  }
  /** Null when a read (or a write) would not wait now; else what to wait for (async mode, poll_oneoff). */
  whenReady(_write: boolean): PromiseLike<unknown> | null {
    return null;
  }
  /** True when the input is at its end or the peer hung up (poll_oneoff's FD_READWRITE_HANGUP). */
  hungUp(): boolean {
    return false;
  }
  close(): Errno {
    return Errno.SUCCESS;
  }
}

/** fd 0, 1 or 2 over a `Stream`. */
export class StreamDescriptor extends Descriptor {
  readonly filetype = Filetype.UNKNOWN;
  readonly stream: Stream;
  readonly #input: boolean;

  constructor(stream: Stream, input: boolean) {
    super();
    this.stream = stream;
    this.#input = input;
    // As wasmtime: read or write only, never seek or tell (wasi-libc's isatty() needs both absent).
    this.rightsBase = this.rightsInheriting = input ? Rights.FD_READ : Rights.FD_WRITE;
  }
  /** A terminal is a character device; anything else (pipe, file, buffer) is UNKNOWN, as wasmtime. */
  override reportedFiletype(): Filetype {
    return this.stream.isTerminal() ? Filetype.CHARACTER_DEVICE : Filetype.UNKNOWN;
  }
  override pread(): IoResult {
    return this.#input ? -Errno.SPIPE : -Errno.BADF;
  }
  override pwrite(): IoResult {
    return this.#input ? -Errno.BADF : -Errno.SPIPE;
  }

  override read(dst: Uint8Array): IoResult {
    return this.#input ? this.stream.read(dst) : -Errno.BADF;
  }
  override write(src: Uint8Array): IoResult {
    return this.#input ? -Errno.BADF : this.stream.write(src);
  }
  override available(): number {
    return this.#input ? this.stream.available() : 0;
  }
  override whenReady(write: boolean): PromiseLike<unknown> | null {
    return write === this.#input ? null : this.stream.whenReady?.(write) ?? null;
  }
  override hungUp(): boolean {
    return this.#input && this.stream.ended();
  }
}

/** A directory: a preopen, or one opened with path_open. Holds its backend and backend path. */
export class DirDescriptor extends Descriptor {
  readonly filetype = Filetype.DIRECTORY;
  /** The guest path of a preopen (fd_prestat_dir_name), UTF-8 encoded once; null for other dirs. */
  readonly preopenName: Uint8Array | null;
  /** Its backend; changed by `moved()` when the guest renames it into another preopen of the same host. */
  fs: FileSystem;
  /** Where it is in `fs` ("" for a preopen's root); moved by `moved()` when the guest renames it. */
  path: string;
  /** A backend handle for readdir and sync, opened at first use. */
  #handle: FileHandle | undefined;
  /** The backend path `#handle` was opened at. */
  #handlePath = "";

  /** A directory with `rights` (of DIR_RIGHTS; the rest are NOTCAPABLE) handing down `inheriting`. */
  constructor(
    fs: FileSystem,
    path: string,
    preopenName: string | null,
    rights = DIR_RIGHTS,
    inheriting = DIR_RIGHTS | FILE_RIGHTS,
  ) {
    super();
    this.fs = fs;
    this.path = path;
    this.preopenName = preopenName === null ? null : new TextEncoder().encode(preopenName);
    this.rightsBase = rights & DIR_RIGHTS;
    this.rightsInheriting = inheriting;
    this.dropped = DIR_RIGHTS & ~this.rightsBase;
  }

  /**
   * Where this directory is now: its path walked again from the preopen's root by the sandbox, every name looked at
   * and symlinks followed inside the preopen only. The path is never trusted as it is: since the fd was opened, the
   * guest (or anyone) may have put a symlink at one of its names (decisions.md#directory-fds).
   */
  where(): string | Errno {
    if (this.path === "") return ""; // a preopen's root: nothing above it to swap
    const e = walker.resolve(this.fs, "", this.path, true);
    if (e !== Errno.SUCCESS) return e;
    if (!walker.exists) return Errno.NOENT;
    return walker.stat.filetype === Filetype.DIRECTORY ? walker.path : Errno.NOTDIR;
  }

  /** The backend handle of this directory (reopened when its path leads elsewhere now), or an errno. */
  handle(): FileHandle | Errno {
    const at = this.where();
    if (typeof at === "number") return at;
    if (this.#handle !== undefined) {
      if (this.#handlePath === at) return this.#handle;
      this.close();
    }
    const h = this.fs.open(at, DIR_OPEN);
    if (typeof h !== "number") {
      this.#handle = h;
      this.#handlePath = at;
    }
    return h;
  }
  override stat(out: Stat): Errno {
    const at = this.where();
    return typeof at === "number" ? at : this.fs.stat(at, out, true);
  }
  /** Fills `out` for `..`: the directory holding this one (a preopen's root is its own parent). */
  statParent(out: Stat): Errno {
    const at = this.where();
    if (typeof at === "number") return at;
    return this.fs.stat(at.slice(0, Math.max(0, at.lastIndexOf("/"))), out, true);
  }
  /**
   * Follows a rename of `from` in `fromFs` to `to` in `toFs` (the same backend, or another preopen of the same host
   * filesystem), when it moved this directory or one of its parents, so the fd keeps naming the directory it was
   * opened on (decisions.md#directory-fds).
   */
  moved(fromFs: FileSystem, from: string, toFs: FileSystem, to: string): void {
    if (fromFs !== this.fs || this.preopenName !== null) return;
    if (this.path !== from && !this.path.startsWith(`${from}/`)) return;
    this.fs = toFs;
    this.path = to + this.path.slice(from.length);
    this.close(); // the cached backend handle names the old path: reopen at next use
  }
  override utimes(atimNs: bigint | null, mtimNs: bigint | null): Errno {
    const at = this.where();
    return typeof at === "number" ? at : this.fs.utimes(at, atimNs, mtimNs, true);
  }
  // As wasmtime (its dir_fd_op_failures test): reading, writing, seeking, syncing, advising,
  // allocating, truncating and setting flags on a directory fd are all BADF (the defaults above).
  override pread(): IoResult {
    return -Errno.BADF;
  }
  override pwrite(): IoResult {
    return -Errno.BADF;
  }
  override seek(): IoResult {
    return -Errno.BADF;
  }
  override setFlags(): Errno {
    return Errno.BADF;
  }
  override close(): Errno {
    const h = this.#handle;
    this.#handle = undefined;
    return h === undefined ? Errno.SUCCESS : h.close();
  }
}

const DIR_OPEN: OpenFlags = openFlags({ read: true, directory: true });
/** Walks directory fds' paths again (`where`); one is enough: calls never nest. */
const walker = new PathResolver(newStat());

/** An open file (or anything not a directory) of a backend. */
export class FileDescriptor extends Descriptor {
  readonly filetype: Filetype;
  readonly handle: FileHandle;

  /**
   * A file with `rights`; of the rights in `usable` (FILE_RIGHTS less those its open mode excludes: the write rights
   * of a file not open for writing answer what the handle answers, EBADF) the ones it lacks are NOTCAPABLE.
   */
  constructor(handle: FileHandle, filetype: Filetype, rights: number, flags: number, usable = FILE_RIGHTS) {
    super();
    this.handle = handle;
    this.filetype = filetype;
    this.rightsBase = rights & FILE_RIGHTS;
    this.dropped = usable & FILE_RIGHTS & ~this.rightsBase;
    this.flags = flags;
  }
  override read(dst: Uint8Array): IoResult {
    return this.handle.read(dst);
  }
  override write(src: Uint8Array): IoResult {
    return this.handle.write(src);
  }
  override pread(dst: Uint8Array, pos: number): IoResult {
    return this.handle.read(dst, pos);
  }
  override pwrite(src: Uint8Array, pos: number): IoResult {
    return this.handle.write(src, pos);
  }
  override seek(offset: number, whence: Whence): IoResult {
    return this.handle.seek(offset, whence);
  }
  override stat(out: Stat): Errno {
    return this.handle.stat(out);
  }
  override truncate(size: number): Errno {
    return this.handle.truncate(size);
  }
  override sync(): Errno {
    return this.handle.sync();
  }
  override datasync(): Errno {
    return this.handle.datasync();
  }
  override utimes(atimNs: bigint | null, mtimNs: bigint | null): Errno {
    return this.handle.utimes(atimNs, mtimNs);
  }
  override advise(): Errno {
    return Errno.SUCCESS; // advice is a hint; the hosts offer no fadvise
  }
  override allocate(): Errno {
    return Errno.NOTSUP; // as wasmtime (its file_allocate test): no host offers fallocate here
  }
  override setFlags(flags: number): Errno {
    if ((flags ^ this.flags) & FdFlags.APPEND) {
      const e = this.handle.setAppend((flags & FdFlags.APPEND) !== 0);
      if (e !== Errno.SUCCESS) return e;
    }
    this.flags = flags;
    return Errno.SUCCESS;
  }
  override close(): Errno {
    return this.handle.close();
  }
}

/** The largest `maxFds` a guest may be given (decisions.md#fd-limit). */
export const MAX_FDS = 1 << 16;
/** Descriptors a guest may hold unless told otherwise: Linux's default RLIMIT_NOFILE (decisions.md#fd-limit). */
export const DEFAULT_MAX_FDS = 1024;

/** The table of descriptors, numbered lowest free first. */
export class FdTable {
  #slots: (Descriptor | undefined)[] = [];
  /** Every slot below it is taken: the search for the lowest free one starts here, not at 0. */
  #free = 0;
  /** Past this many open descriptors, `add` answers MFILE. */
  readonly #max: number;

  constructor(max: number = DEFAULT_MAX_FDS) {
    this.#max = max;
  }

  /** The descriptor at `fd`, or undefined when none is open there. */
  get(fd: number): Descriptor | undefined {
    return this.#slots[fd];
  }

  /** Puts `d` in the lowest free slot and returns its number, or -MFILE when full. */
  add(d: Descriptor): number {
    const slots = this.#slots;
    let fd = this.#free;
    while (fd < slots.length && slots[fd] !== undefined) fd++;
    if (fd >= this.#max) return -Errno.MFILE;
    slots[fd] = d;
    this.#free = fd + 1;
    return fd;
  }

  /** Empties slot `fd`, trimming the table's tail; returns what was there. */
  remove(fd: number): Descriptor | undefined {
    const slots = this.#slots;
    if (fd >= slots.length) return undefined; // never assign past the end: a guest's 2^32-2 would stretch the array
    const d = slots[fd];
    slots[fd] = undefined;
    if (fd < this.#free) this.#free = fd;
    while (slots.length > 0 && slots[slots.length - 1] === undefined) slots.length--;
    return d;
  }

  /** Moves `from` to `to` (emptying `from`); the caller closed whatever was at `to`. */
  move(from: number, to: number): void {
    const d = this.#slots[from];
    this.remove(from);
    this.#slots[to] = d;
  }

  /** Open descriptor numbers, ascending. */
  *[Symbol.iterator](): IterableIterator<[number, Descriptor]> {
    for (let fd = 0; fd < this.#slots.length; fd++) {
      const d = this.#slots[fd];
      if (d !== undefined) yield [fd, d];
    }
  }
}
