// Descriptors (stdio streams, preopened directories; files come with the filesystem) and the fd table.

import { Errno } from "./abi/errno.ts";
import { Filetype, Rights, type Whence } from "./abi/consts.ts";
import type { FileSystem, IoResult, Stat } from "./fs/types.ts";
import type { Stream } from "./stdio.ts";

/** Rights of a terminal: no seek or tell, which is how wasi-libc's isatty() recognises one. */
const STREAM_RIGHTS = Rights.FD_READ | Rights.FD_WRITE | Rights.FD_FDSTAT_SET_FLAGS |
  Rights.FD_FILESTAT_GET | Rights.POLL_FD_READWRITE;

/** Rights of a preopened directory and what it hands down (every right but the socket ones). */
const DIR_RIGHTS = Rights.PATH_CREATE_DIRECTORY | Rights.PATH_CREATE_FILE | Rights.PATH_LINK_SOURCE |
  Rights.PATH_LINK_TARGET | Rights.PATH_OPEN | Rights.FD_READDIR | Rights.PATH_READLINK |
  Rights.PATH_RENAME_SOURCE | Rights.PATH_RENAME_TARGET | Rights.PATH_FILESTAT_GET |
  Rights.PATH_FILESTAT_SET_SIZE | Rights.PATH_FILESTAT_SET_TIMES | Rights.FD_FILESTAT_GET |
  Rights.FD_FILESTAT_SET_TIMES | Rights.PATH_SYMLINK | Rights.PATH_REMOVE_DIRECTORY |
  Rights.PATH_UNLINK_FILE | Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_SYNC | Rights.FD_DATASYNC;
const FILE_RIGHTS = Rights.FD_DATASYNC | Rights.FD_READ | Rights.FD_SEEK | Rights.FD_FDSTAT_SET_FLAGS |
  Rights.FD_SYNC | Rights.FD_TELL | Rights.FD_WRITE | Rights.FD_ADVISE | Rights.FD_ALLOCATE |
  Rights.FD_FILESTAT_GET | Rights.FD_FILESTAT_SET_SIZE | Rights.FD_FILESTAT_SET_TIMES |
  Rights.POLL_FD_READWRITE;

/**
 * One open descriptor. The defaults are what a descriptor that cannot do a thing answers; each
 * kind overrides what it can do. Rights are reported by fd_fdstat_get; a right the guest dropped
 * with fd_fdstat_set_rights is refused with NOTCAPABLE (see `dropped`).
 */
export abstract class Descriptor {
  abstract readonly filetype: Filetype;
  /** `$fdflags` as the guest sees them. */
  flags = 0;
  rightsBase = 0;
  rightsInheriting = 0;
  /** Rights removed by fd_fdstat_set_rights: using one of them is NOTCAPABLE. */
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
  /** Writes dirents from `cookie` into `out`, returning the bytes used (fd_readdir), or -errno. */
  readdir(_out: Uint8Array, _cookie: bigint): IoResult {
    return -Errno.NOTDIR;
  }
  setFlags(flags: number): Errno {
    this.flags = flags;
    return Errno.SUCCESS;
  }
  /** Bytes ready to read at once (poll_oneoff), or -1 when unknown. */
  available(): number {
    return -1;
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
    this.rightsBase = STREAM_RIGHTS & ~(input ? Rights.FD_WRITE : Rights.FD_READ);
  }
  override reportedFiletype(): Filetype {
    return this.stream.filetype();
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
}

/** A preopened directory: the guest path it is known by, and the backend or host dir behind it. */
export class DirDescriptor extends Descriptor {
  readonly filetype = Filetype.DIRECTORY;
  /** The guest path of a preopen (fd_prestat_dir_name), UTF-8 encoded once; null for other dirs. */
  readonly preopenName: Uint8Array | null;
  readonly target: FileSystem | string;

  constructor(target: FileSystem | string, preopenName: string | null) {
    super();
    this.target = target;
    this.preopenName = preopenName === null ? null : new TextEncoder().encode(preopenName);
    this.rightsBase = DIR_RIGHTS;
    this.rightsInheriting = DIR_RIGHTS | FILE_RIGHTS;
  }
}

/** Most descriptors one guest may hold; past it, opening more is MFILE. */
export const MAX_FDS = 1 << 16;

/** The table of descriptors, numbered lowest free first. */
export class FdTable {
  #slots: (Descriptor | undefined)[] = [];

  /** The descriptor at `fd`, or undefined when none is open there. */
  get(fd: number): Descriptor | undefined {
    return this.#slots[fd];
  }

  /** Puts `d` in the lowest free slot and returns its number, or -MFILE when full. */
  add(d: Descriptor): number {
    const slots = this.#slots;
    let fd = 0;
    while (fd < slots.length && slots[fd] !== undefined) fd++;
    if (fd >= MAX_FDS) return -Errno.MFILE;
    slots[fd] = d;
    return fd;
  }

  /** Empties slot `fd`, trimming the table's tail; returns what was there. */
  remove(fd: number): Descriptor | undefined {
    const slots = this.#slots;
    const d = slots[fd];
    slots[fd] = undefined;
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
