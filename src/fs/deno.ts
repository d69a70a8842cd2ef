// DenoFs: a host directory through Deno's permission-aware sync APIs (Deno.openSync, Deno.FsFile, Deno.lstatSync...).
//
// Nothing here touches `Deno` until a DenoFs is constructed and called, so importing this module on Bun, Node or an
// edge runtime is harmless. The host gaps this file works around are listed in DESIGN.md ("Known host gaps") and each
// workaround is recorded in docs/decisions.md (#deno-backend).

import { Errno } from "../abi/errno.ts";
import { Filetype, type Whence } from "../abi/consts.ts";
import { type DenialListener, type HostFsOptions, tellDenial } from "./denial.ts";
import type { DirentSink, FileHandle, FileSystem, IoResult, OpenFlags, Stat } from "./types.ts";

/** `Deno.SeekMode` values; preview1's `$whence` uses the same numbers (SET 0, CUR 1, END 2). */
const SEEK_SET = 0 as Deno.SeekMode, SEEK_CUR = 1 as Deno.SeekMode, SEEK_END = 2 as Deno.SeekMode;
/** A filetype not known until the entry is looked at with lstat. */
const PENDING = -1;
const NS_PER_MS = 1_000_000n;
/** Times remembered at most, across all DenoFs instances (the oldest is forgotten first). */
const MAX_TIMES = 4096;

/**
 * The exact ns times a guest set on one inode, with the ms value the host then holds: Deno's stat reports ms, so
 * while the host still holds that ms value we report the exact ns value instead (decisions.md #deno-times).
 */
interface SetTimes {
  dev: number;
  /** Exact atime set, or null when unknown. */
  aNs: bigint | null;
  /** The host's atime in ms after the set (valid when `aNs` is not null). */
  aMs: number;
  mNs: bigint | null;
  mMs: number;
}

/** Set times by inode number (dev checked in the entry), shared by every DenoFs: two preopens may share a file. */
const setTimes = new Map<number, SetTimes>();

/**
 * A `FileSystem` over a host directory on Deno, using only Deno's permission-aware sync APIs: a path the process
 * has no `--allow-read`/`--allow-write` grant for answers `ACCES`, never an exception. Directory handles are
 * virtual (a path and a cached listing); positional I/O, exact ns times, `lutimes` and append switching are emulated
 * (decisions.md #deno-backend).
 *
 * @example Give a guest a host directory (what `hostFs("./data")` picks on Deno)
 * ```ts
 * import { Errno, Wasi } from "@hostcall/wasi";
 * import { DenoFs } from "@hostcall/wasi/fs/deno";
 * const data: DenoFs = new DenoFs("./data");
 * const wasi = new Wasi({ preopens: { "/data": data } });
 * console.log(data.mkdir("out") === Errno.SUCCESS); // the seam answers an errno (needs --allow-write=./data)
 * ```
 */
export class DenoFs implements FileSystem {
  /** The root as given (trailing "/" removed): relative roots resolve against the cwd at each call. */
  readonly #root: string;
  /** `#root` + "/", the prefix of every other path. */
  readonly #prefix: string;
  /** Told of each refusal by Deno's permissions (the Wasi's `onDenied`). */
  readonly #denied: DenialListener | undefined;

  /**
   * A backend rooted at host directory `root`, kept as given: no host call and no permission is needed here, and
   * a denial shows as `ACCES` when the guest looks.
   */
  constructor(root: string, options: HostFsOptions = {}) {
    this.#denied = options.onDenied;
    let r = root === "" ? "." : root;
    while (r.length > 1 && r.endsWith("/")) r = r.substring(0, r.length - 1);
    this.#root = r;
    this.#prefix = r === "/" ? "/" : r + "/";
  }

  #full(path: string): string {
    return path === "" ? this.#root : this.#prefix + path;
  }

  /**
   * Opens a file or directory. A final symlink is LOOP (looked at with lstat first: Deno has no O_NOFOLLOW); a
   * directory gives a virtual handle; neither read nor write opens the host file for reading.
   */
  open(path: string, flags: OpenFlags): FileHandle | Errno {
    return this.#open(path, flags, 1);
  }

  #open(path: string, flags: OpenFlags, retries: number): FileHandle | Errno {
    const full = this.#full(path);
    // The caller has just seen a regular file there: no second lstat (see OpenFlags.seen).
    if (flags.seen === Filetype.REGULAR_FILE && !flags.exclusive && !flags.directory) {
      const h = openFile(full, flags, false, this.#denied);
      if (h !== Errno.NOENT || !flags.create) return h; // else it vanished since: look again, and create it
    }
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(full);
    } catch (err) {
      const e = toErrno(err, this.#denied);
      if (e !== Errno.NOENT || !flags.create) return e;
      if (flags.directory) return Errno.INVAL; // O_CREAT|O_DIRECTORY creates nothing (Linux)
      const h = openFile(full, flags, true, this.#denied);
      // Created by someone else since the lstat: look again, unless the guest asked for exclusive creation.
      if (h === Errno.EXIST && !flags.exclusive && retries > 0) return this.#open(path, flags, retries - 1);
      return h;
    }
    if (flags.create && flags.exclusive) return Errno.EXIST;
    if (info.isSymlink) return Errno.LOOP;
    if (info.isDirectory) {
      if (flags.write || flags.create || flags.truncate) return Errno.ISDIR;
      return new DenoDir(full, this.#denied);
    }
    if (flags.directory) return Errno.NOTDIR;
    return openFile(full, flags, false, this.#denied);
  }

  /** Fills `out` with the metadata of `path` (of a final symlink itself unless `follow`). */
  stat(path: string, out: Stat, follow: boolean): Errno {
    try {
      fill(out, follow ? Deno.statSync(this.#full(path)) : Deno.lstatSync(this.#full(path)));
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }

  /** Creates a directory (mode 0777 less the umask). */
  mkdir(path: string): Errno {
    if (path === "") return Errno.EXIST;
    try {
      Deno.mkdirSync(this.#full(path));
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }

  /** Removes an empty directory; anything else (a symlink to one too) is NOTDIR; the root is BUSY. */
  rmdir(path: string): Errno {
    if (path === "") return Errno.BUSY; // Linux: rmdir("/") is EBUSY; never remove the preopen itself
    const full = this.#full(path);
    try {
      if (!Deno.lstatSync(full).isDirectory) return Errno.NOTDIR;
      Deno.removeSync(full);
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }

  /** Removes a file or symlink (never what it points to); a directory is ISDIR (Linux unlink(2)). */
  unlink(path: string): Errno {
    if (path === "") return Errno.ISDIR;
    const full = this.#full(path);
    try {
      if (Deno.lstatSync(full).isDirectory) return Errno.ISDIR; // removeSync would rmdir it
      Deno.removeSync(full);
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }

  /** POSIX rename(2); renaming the root or onto it is BUSY. */
  rename(from: string, to: string): Errno {
    return this.renameInto(from, this, to);
  }

  /** Creates a hard link `to` for `from` (a symlink is linked itself, as Linux link(2)); directories are PERM. */
  link(from: string, to: string): Errno {
    return this.linkInto(from, this, to);
  }

  /**
   * POSIX rename(2) from this root to `to` under another DenoFs's root: both are the host's filesystem, and the host
   * answers XDEV across devices. Any other backend is XDEV.
   */
  renameInto(from: string, dest: FileSystem, to: string): Errno {
    if (!(dest instanceof DenoFs)) return Errno.XDEV;
    if (from === "" || to === "") return Errno.BUSY;
    try {
      Deno.renameSync(this.#full(from), dest.#full(to));
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }

  /** A hard link `to` under another DenoFs's root for `from` under this one (XDEV for any other backend). */
  linkInto(from: string, dest: FileSystem, to: string): Errno {
    if (!(dest instanceof DenoFs)) return Errno.XDEV;
    if (to === "") return Errno.EXIST;
    try {
      Deno.linkSync(this.#full(from), dest.#full(to));
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }

  /**
   * Creates a symlink holding `target` verbatim. Deno allows this only with unscoped `--allow-read` and
   * `--allow-write`: under path-scoped grants it is ACCES.
   */
  symlink(target: string, path: string): Errno {
    if (path === "") return Errno.EXIST;
    try {
      Deno.symlinkSync(target, this.#full(path));
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }

  /** The target of the symlink at `path`; INVAL for anything else, ILSEQ when it is not UTF-8. */
  readlink(path: string): string | Errno {
    try {
      return Deno.readLinkSync(this.#full(path));
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }

  /**
   * Sets times in ns (null: unchanged), on a final symlink itself unless `follow` (through Deno's own
   * `node:fs.lutimesSync`, still permission-checked; NOTSUP without it).
   */
  utimes(path: string, atimNs: bigint | null, mtimNs: bigint | null, follow: boolean): Errno {
    const full = this.#full(path);
    try {
      const info = follow ? Deno.statSync(full) : Deno.lstatSync(full);
      if (!info.isSymlink) return applyTimes(info, atimNs, mtimNs, (a, m) => Deno.utimeSync(full, a, m));
      const lutimes = nodeLutimes();
      if (lutimes === undefined) return Errno.NOTSUP;
      return applyTimes(info, atimNs, mtimNs, (a, m) => lutimes(full, a, m));
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }
}

/** Opens a regular file (or device): `fresh` when lstat found nothing, so it is created with O_EXCL. */
function openFile(
  full: string,
  flags: OpenFlags,
  fresh: boolean,
  denied: DenialListener | undefined,
): FileHandle | Errno {
  // Deno refuses create/truncate without write: the host file is then writable but the handle is not.
  const read = flags.read || !flags.write;
  const write = flags.write || flags.truncate || fresh;
  const hostAppend = flags.append && flags.write; // O_APPEND: appends stay atomic against other processes
  try {
    const file = Deno.openSync(full, { read, write, truncate: flags.truncate, append: hostAppend, createNew: fresh });
    return new DenoFile(file, full, flags, read, hostAppend, denied);
  } catch (err) {
    return toErrno(err, denied);
  }
}

/** An open host file: a `Deno.FsFile` (never a rid) plus the handle's own read/write/append state. */
class DenoFile implements FileHandle {
  #file: Deno.FsFile;
  readonly #path: string;
  readonly #readable: boolean;
  readonly #writable: boolean;
  /** Whether the host file was opened for reading (a reopen must ask for the same). */
  readonly #hostRead: boolean;
  /** Whether the host file has O_APPEND (the kernel appends); else appending is emulated while `#append`. */
  #hostAppend: boolean;
  #append: boolean;
  #closed = false;
  /**
   * The handle's offset while the host's is elsewhere after positional reads/writes, or -1 when the host's offset is
   * the handle's. It is put back lazily, by the next call that uses the offset, so a run of positional calls costs one
   * seek each, as a bare seek + read (decisions.md #deno-backend).
   */
  #lag = -1;

  readonly #denied: DenialListener | undefined;

  constructor(
    file: Deno.FsFile,
    path: string,
    flags: OpenFlags,
    hostRead: boolean,
    hostAppend: boolean,
    denied: DenialListener | undefined,
  ) {
    this.#denied = denied;
    this.#file = file;
    this.#path = path;
    this.#readable = flags.read;
    this.#writable = flags.write;
    this.#hostRead = hostRead;
    this.#hostAppend = hostAppend;
    this.#append = flags.append;
  }

  read(dst: Uint8Array, pos?: number): IoResult {
    if (this.#closed || !this.#readable) return -Errno.BADF;
    const f = this.#file;
    try {
      if (pos === undefined) {
        if (this.#lag >= 0) this.#settle(f);
        return f.readSync(dst) ?? 0;
      }
      if (pos < 0) return -Errno.INVAL;
      if (this.#lag < 0) this.#lag = f.seekSync(0, SEEK_CUR); // FsFile has no pread: seek, read, restore later
      if (!seekTo(f, pos)) return 0; // past the largest offset the filesystem allows: EOF, as Linux pread
      return f.readSync(dst) ?? 0;
    } catch (err) {
      return -toErrno(err, this.#denied);
    }
  }

  write(src: Uint8Array, pos?: number): IoResult {
    if (this.#closed || !this.#writable) return -Errno.BADF;
    const f = this.#file;
    // Appending emulated (setAppend(true) on a handle without O_APPEND): every write goes to the end.
    const toEnd = this.#append && !this.#hostAppend;
    try {
      if (pos === undefined) {
        if (this.#lag >= 0) this.#settle(f);
        if (toEnd) f.seekSync(0, SEEK_END);
        return f.writeSync(src);
      }
      if (pos < 0) return -Errno.INVAL;
      if (pos >= MAX_POS) return -Errno.FBIG; // decisions.md#offsets-past-253
      if (pos + src.length > MAX_POS) src = src.subarray(0, MAX_POS - pos);
      if (this.#lag < 0) this.#lag = f.seekSync(0, SEEK_CUR);
      // In append mode a positional write appends too (Linux pwrite on O_APPEND); with O_APPEND the kernel does it.
      if (toEnd) f.seekSync(0, SEEK_END);
      else if (!this.#hostAppend && !seekTo(f, pos)) return -Errno.FBIG; // past the largest offset, as Linux pwrite
      return f.writeSync(src);
    } catch (err) {
      return -toErrno(err, this.#denied);
    }
  }

  seek(offset: number, whence: Whence): IoResult {
    if (this.#closed) return -Errno.BADF;
    const lag = this.#lag;
    try {
      if (lag < 0) return this.#file.seekSync(offset, whence as Deno.SeekMode);
      if (whence === 1 && offset === 0) return lag; // fd_tell after positional calls: no host call
      const to = whence === 1
        ? this.#file.seekSync(lag + offset, SEEK_SET)
        : this.#file.seekSync(offset, whence as Deno.SeekMode);
      this.#lag = -1; // only once it succeeded: a failed seek leaves the handle's offset
      return to;
    } catch (err) {
      return -toErrno(err, this.#denied);
    }
  }

  /** Moves the host offset back to the handle's after positional calls. */
  #settle(f: Deno.FsFile): void {
    f.seekSync(this.#lag, SEEK_SET);
    this.#lag = -1;
  }

  stat(out: Stat): Errno {
    if (this.#closed) return Errno.BADF;
    try {
      fill(out, this.#file.statSync());
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }

  truncate(size: number): Errno {
    if (this.#closed) return Errno.BADF;
    if (!this.#writable || size < 0) return Errno.INVAL; // Linux ftruncate on a handle not open for writing
    try {
      this.#file.truncateSync(size);
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }

  sync(): Errno {
    if (this.#closed) return Errno.BADF;
    try {
      this.#file.syncSync();
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }

  datasync(): Errno {
    if (this.#closed) return Errno.BADF;
    try {
      this.#file.syncDataSync();
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }

  close(): Errno {
    if (this.#closed) return Errno.BADF;
    this.#closed = true;
    try {
      this.#file.close();
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }

  readdir(_cookie: bigint, _out: DirentSink): Errno {
    return this.#closed ? Errno.BADF : Errno.NOTDIR;
  }

  /**
   * Turns append mode on (emulated: seek to the end before each write) or off. Deno cannot clear O_APPEND, so a
   * handle opened with it is reopened by path without it, if the path still names the same inode (else NOTSUP).
   */
  setAppend(on: boolean): Errno {
    if (this.#closed) return Errno.BADF;
    if (on || !this.#hostAppend) {
      this.#append = on;
      return Errno.SUCCESS;
    }
    const old = this.#file;
    let file: Deno.FsFile | undefined;
    try {
      file = Deno.openSync(this.#path, { read: this.#hostRead, write: true });
      const a = old.statSync(), b = file.statSync();
      if (a.dev !== b.dev || a.ino !== b.ino) {
        file.close();
        return Errno.NOTSUP;
      }
      file.seekSync(this.#lag >= 0 ? this.#lag : old.seekSync(0, SEEK_CUR), SEEK_SET);
      old.close();
    } catch (err) {
      try {
        file?.close();
      } catch { /* already failing: report the first error */ }
      return toErrno(err, this.#denied);
    }
    this.#file = file;
    this.#lag = -1;
    this.#hostAppend = this.#append = false;
    return Errno.SUCCESS;
  }

  utimes(atimNs: bigint | null, mtimNs: bigint | null): Errno {
    if (this.#closed) return Errno.BADF;
    const f = this.#file;
    try {
      return applyTimes(f.statSync(), atimNs, mtimNs, (a, m) => f.utimeSync(a, m));
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }
}

/**
 * Seeks to `pos` (>= 0) for a positional read or write; false (offset unchanged) when the filesystem refuses it as
 * beyond its largest file (EINVAL from lseek), which Linux pread/pwrite report as EOF/EFBIG.
 */
function seekTo(f: Deno.FsFile, pos: number): boolean {
  try {
    f.seekSync(pos, SEEK_SET);
    return true;
  } catch (err) {
    if (toErrno(err) === Errno.INVAL) return false;
    throw err;
  }
}

/**
 * A directory handle: its host path and the listing taken at the last readdir cookie 0. No host descriptor is held
 * (`Deno.openSync` of a directory is not portable), so it follows its path, not its inode, if the directory moves.
 */
class DenoDir implements FileHandle {
  readonly #path: string;
  #closed = false;
  #pos = 0;
  #names: string[] | null = null;
  /** Filetypes from `readDirSync`, or PENDING until lstat tells (devices, fifos, sockets). */
  #types: number[] = [];
  /** Inode numbers, looked up with lstat only when the sink reaches the entry. */
  #inos: (bigint | undefined)[] = [];

  readonly #denied: DenialListener | undefined;

  constructor(path: string, denied: DenialListener | undefined) {
    this.#path = path;
    this.#denied = denied;
  }

  read(_dst: Uint8Array, _pos?: number): IoResult {
    return this.#closed ? -Errno.BADF : -Errno.ISDIR;
  }

  write(_src: Uint8Array, _pos?: number): IoResult {
    return this.#closed ? -Errno.BADF : -Errno.ISDIR;
  }

  /** A virtual offset, as MemoryFs (fd_seek on a directory is refused above the seam). */
  seek(offset: number, whence: Whence): IoResult {
    if (this.#closed) return -Errno.BADF;
    const to = (whence === 1 ? this.#pos : 0) + offset;
    if (to < 0 || whence > 2) return -Errno.INVAL;
    return this.#pos = to;
  }

  stat(out: Stat): Errno {
    if (this.#closed) return Errno.BADF;
    try {
      fill(out, Deno.statSync(this.#path));
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }

  truncate(_size: number): Errno {
    return this.#closed ? Errno.BADF : Errno.INVAL;
  }

  sync(): Errno {
    return this.#sync(false);
  }

  datasync(): Errno {
    return this.#sync(true);
  }

  #sync(dataOnly: boolean): Errno {
    if (this.#closed) return Errno.BADF;
    try {
      const f = Deno.openSync(this.#path);
      try {
        if (dataOnly) f.syncDataSync();
        else f.syncSync();
      } finally {
        f.close();
      }
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }

  close(): Errno {
    if (this.#closed) return Errno.BADF;
    this.#closed = true;
    this.#names = null;
    this.#types = [];
    this.#inos = [];
    return Errno.SUCCESS;
  }

  readdir(cookie: bigint, out: DirentSink): Errno {
    if (this.#closed) return Errno.BADF;
    if (cookie === 0n || this.#names === null) {
      const names: string[] = [], types: number[] = [];
      try {
        for (const e of Deno.readDirSync(this.#path)) {
          names.push(e.name);
          types.push(direntType(e));
        }
      } catch (err) {
        return toErrno(err, this.#denied);
      }
      this.#names = names;
      this.#types = types;
      this.#inos = new Array(names.length);
    }
    const names = this.#names, types = this.#types, inos = this.#inos, n = names.length;
    for (let i = cookie < BigInt(n) ? Number(cookie) : n; i < n; i++) {
      let ino = inos[i];
      if (ino === undefined) {
        try {
          const info = Deno.lstatSync(this.#path + "/" + names[i]);
          ino = BigInt(info.ino ?? 0);
          if (types[i] === PENDING) types[i] = filetypeOf(info);
        } catch (err) {
          const e = toErrno(err, this.#denied);
          if (e !== Errno.NOENT) return e;
          ino = 0n; // gone since the listing (or a name Deno decoded lossily): still listed, as getdents would
        }
        inos[i] = ino;
      }
      if (!out(names[i], (types[i] === PENDING ? Filetype.UNKNOWN : types[i]) as Filetype, ino)) break;
    }
    return Errno.SUCCESS;
  }

  setAppend(_on: boolean): Errno {
    return this.#closed ? Errno.BADF : Errno.SUCCESS;
  }

  utimes(atimNs: bigint | null, mtimNs: bigint | null): Errno {
    if (this.#closed) return Errno.BADF;
    const path = this.#path;
    try {
      return applyTimes(Deno.statSync(path), atimNs, mtimNs, (a, m) => Deno.utimeSync(path, a, m));
    } catch (err) {
      return toErrno(err, this.#denied);
    }
  }
}

/** The filetype `readDirSync` tells, or PENDING for the kinds it has no flag for (devices, fifos, sockets). */
function direntType(e: Deno.DirEntry): number {
  if (e.isFile) return Filetype.REGULAR_FILE;
  if (e.isDirectory) return Filetype.DIRECTORY;
  return e.isSymlink ? Filetype.SYMBOLIC_LINK : PENDING;
}

function filetypeOf(info: Deno.FileInfo): Filetype {
  if (info.isFile) return Filetype.REGULAR_FILE;
  if (info.isDirectory) return Filetype.DIRECTORY;
  if (info.isSymlink) return Filetype.SYMBOLIC_LINK;
  if (info.isBlockDevice) return Filetype.BLOCK_DEVICE;
  if (info.isCharDevice) return Filetype.CHARACTER_DEVICE;
  if (info.isSocket) return Filetype.SOCKET_STREAM;
  return Filetype.UNKNOWN; // a FIFO: WASI has no pipe type
}

/** Copies a `Deno.FileInfo` into `out`, with the exact ns times the guest set while the host still holds them. */
function fill(out: Stat, info: Deno.FileInfo): void {
  out.dev = BigInt(info.dev);
  out.ino = BigInt(info.ino ?? 0);
  out.filetype = filetypeOf(info);
  out.nlink = BigInt(info.nlink ?? 1);
  out.size = info.size;
  const aMs = msOf(info.atime), mMs = msOf(info.mtime);
  const set = setTimes.size === 0 || info.ino === null ? undefined : setTimes.get(info.ino);
  if (set !== undefined && set.dev === info.dev) {
    out.atimNs = set.aNs !== null && set.aMs === aMs ? set.aNs : BigInt(aMs) * NS_PER_MS;
    out.mtimNs = set.mNs !== null && set.mMs === mMs ? set.mNs : BigInt(mMs) * NS_PER_MS;
  } else {
    out.atimNs = BigInt(aMs) * NS_PER_MS;
    out.mtimNs = BigInt(mMs) * NS_PER_MS;
  }
  out.ctimNs = BigInt(ctimeMs(info, mMs)) * NS_PER_MS;
  out.birthNs = BigInt(msOf(info.birthtime)) * NS_PER_MS; // 0n when the host keeps none (null)
}

function msOf(d: Date | null): number {
  return d === null ? 0 : d.getTime();
}

/**
 * Deno 2.9 reports ctime in whole seconds. The true ctime lies in that second and is never before the last data
 * change (mtime) or the birth: when one of those falls in the same second, it is the closer bound we report.
 */
function ctimeMs(info: Deno.FileInfo, mMs: number): number {
  if (info.ctime === null || info.ctime === undefined) return mMs;
  let c = info.ctime.getTime();
  if (c % 1000 !== 0) return c; // a Deno that reports it finer
  const end = c + 1000, b = msOf(info.birthtime);
  if (mMs > c && mMs < end) c = mMs;
  if (b > c && b < end) c = b;
  return c;
}

/**
 * Sets times through `apply` (Deno keeps ms: it is given `Date`s, so the host holds exactly floor(ns / 1e6) ms) and
 * remembers the exact ns values for `fill`. A null time keeps its exact value when known, else its host ms value.
 */
function applyTimes(
  info: Deno.FileInfo,
  atimNs: bigint | null,
  mtimNs: bigint | null,
  apply: (atime: Date, mtime: Date) => void,
): Errno {
  const ino = info.ino ?? -1, hostA = msOf(info.atime), hostM = msOf(info.mtime); // no ino: nothing remembered
  const old = setTimes.get(ino);
  const known = old !== undefined && old.dev === info.dev;
  const aNs = atimNs ?? (known && old.aNs !== null && old.aMs === hostA ? old.aNs : null);
  const mNs = mtimNs ?? (known && old.mNs !== null && old.mMs === hostM ? old.mNs : null);
  const aMs = atimNs === null ? hostA : Number(atimNs / NS_PER_MS);
  const mMs = mtimNs === null ? hostM : Number(mtimNs / NS_PER_MS);
  apply(new Date(aMs), new Date(mMs));
  setTimes.delete(ino); // re-inserted last: the map forgets the least recently set first
  if (setTimes.size >= MAX_TIMES) setTimes.delete(setTimes.keys().next().value!);
  if ((aNs !== null || mNs !== null) && ino >= 0) setTimes.set(ino, { dev: info.dev, aNs, aMs, mNs, mMs });
  return Errno.SUCCESS;
}

type Lutimes = (path: string, atime: Date, mtime: Date) => void;
let lutimesFn: Lutimes | null | undefined;

/** Deno's own `node:fs.lutimesSync` (permission-checked like Deno.*), loaded on first use; undefined if absent. */
function nodeLutimes(): Lutimes | undefined {
  if (lutimesFn === undefined) {
    // deno-lint-ignore no-explicit-any
    const p = (globalThis as any).process;
    const fs = typeof p?.getBuiltinModule === "function" ? p.getBuiltinModule("node:fs") : undefined;
    lutimesFn = typeof fs?.lutimesSync === "function" ? fs.lutimesSync : null;
  }
  return lutimesFn ?? undefined;
}

/** Deno error classes without an OS `code` (the grants, Deno's own checks). */
const BY_NAME: ReadonlyMap<string, Errno> = new Map<string, Errno>([
  ["NotCapable", Errno.ACCES], // a missing --allow-* grant (decisions.md #permissions)
  ["PermissionDenied", Errno.ACCES],
  ["NotFound", Errno.NOENT],
  ["AlreadyExists", Errno.EXIST],
  ["IsADirectory", Errno.ISDIR],
  ["NotADirectory", Errno.NOTDIR],
  ["FilesystemLoop", Errno.LOOP],
  ["InvalidData", Errno.ILSEQ], // Deno's answer to a name or link target that is not UTF-8
  ["Busy", Errno.BUSY],
  ["BrokenPipe", Errno.PIPE],
  ["WriteZero", Errno.IO],
  ["UnexpectedEof", Errno.IO],
  ["TimedOut", Errno.TIMEDOUT],
  ["Interrupted", Errno.INTR],
  ["WouldBlock", Errno.AGAIN],
  ["NotSupported", Errno.NOTSUP],
  ["BadResource", Errno.BADF],
]);

/** POSIX error names whose WASI name is not the POSIX one without its "E". */
const RENAMED: ReadonlyMap<string, Errno> = new Map<string, Errno>([
  ["E2BIG", Errno.TOOBIG],
  ["EOPNOTSUPP", Errno.NOTSUP],
  ["EWOULDBLOCK", Errno.AGAIN],
]);

/** The function told of each refusal for a missing grant (see `onDenied`). */
let deniedListener: ((err: Error) => void) | undefined;

/**
 * Sets the function told of every `DenoFs` call that Deno refuses for a missing `--allow-*` grant: it is given Deno's
 * `NotCapable` error, whose message names the access and the path; the guest still gets `EACCES`
 * (decisions.md #permissions). One listener for the process; `undefined` removes it. The command-line runner uses it
 * to name the flag to add.
 *
 * @example Report each refusal
 * ```ts
 * import { onDenied } from "@hostcall/wasi/fs/deno";
 * onDenied((err: Error) => console.error(err.message)); // Requires write access to "out/x", run again with ...
 * ```
 */
export function onDenied(listener: ((err: Error) => void) | undefined): void {
  deniedListener = listener;
}

/**
 * The errno for an error Deno threw: its OS `code` ("ENOTEMPTY", "EPERM", "EXDEV"...) when it has one, else its
 * class (a missing grant is also told to the `onDenied` listener). Anything else is a host bug and is rethrown.
 */
function toErrno(err: unknown, denied?: DenialListener): Errno {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code.length > 1 && code.charCodeAt(0) === 69 /* E */) {
      const name = code.substring(1);
      const e = RENAMED.get(code) ?? (Object.hasOwn(Errno, name) ? (Errno as Record<string, Errno>)[name] : undefined);
      if (e !== undefined && e !== Errno.SUCCESS) return e;
    }
    const e = BY_NAME.get(err.name);
    if (e !== undefined) {
      if (err.name === "NotCapable") {
        tellDenial(err, denied);
        deniedListener?.(err);
      }
      return e;
    }
    // Some OS refusals come as a plain Error with no code, only "File too large (os error 27)": the number is the
    // OS's errno. 1-34 are the same on Linux and the BSDs (macOS) except 11; anything else is an I/O error.
    const os = OS_ERROR.exec(err.message);
    if (os !== null) return (Deno.build.os !== "windows" ? UNIX_ERRNO[Number(os[1])] : undefined) ?? Errno.IO;
  }
  throw err;
}

/** The largest position a JS number holds exactly: positional writes stop there, as on NodeFs. */
const MAX_POS = Number.MAX_SAFE_INTEGER;
/** The errno number at the end of a Rust io::Error's message. */
const OS_ERROR = /\(os error (\d+)\)$/;
/** Unix errno numbers 1-34 (identical on Linux and the BSDs but for 11, left out) as WASI errnos. */
const UNIX_ERRNO: readonly (Errno | undefined)[] = [
  undefined,
  Errno.PERM,
  Errno.NOENT,
  Errno.SRCH,
  Errno.INTR,
  Errno.IO,
  Errno.NXIO,
  Errno.TOOBIG,
  Errno.NOEXEC,
  Errno.BADF,
  Errno.CHILD,
  undefined, // EAGAIN on Linux, EDEADLK on the BSDs
  Errno.NOMEM,
  Errno.ACCES,
  Errno.FAULT,
  undefined, // ENOTBLK: no WASI errno
  Errno.BUSY,
  Errno.EXIST,
  Errno.XDEV,
  Errno.NODEV,
  Errno.NOTDIR,
  Errno.ISDIR,
  Errno.INVAL,
  Errno.NFILE,
  Errno.MFILE,
  Errno.NOTTY,
  Errno.TXTBSY,
  Errno.FBIG,
  Errno.NOSPC,
  Errno.SPIPE,
  Errno.ROFS,
  Errno.MLINK,
  Errno.PIPE,
  Errno.DOM,
  Errno.RANGE,
];
