// NodeFs: the FileSystem seam over node:fs sync APIs (Bun, Node; Deno too): real fds, positional I/O.

import { Errno } from "../abi/errno.ts";
import { Filetype, Whence } from "../abi/consts.ts";
import type { DirentSink, FileHandle, FileSystem, IoResult, OpenFlags, Stat } from "./types.ts";

// The slice of node:fs this backend uses, typed here so that nothing imports node:fs statically.
interface BigStats {
  dev: bigint;
  ino: bigint;
  nlink: bigint;
  size: bigint;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isBlockDevice(): boolean;
  isCharacterDevice(): boolean;
  isSocket(): boolean;
}
interface Dirent {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}
interface NodeFsApi {
  constants: Record<string, number>;
  openSync(path: string, flags: number, mode?: number): number;
  closeSync(fd: number): void;
  readSync(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number;
  writeSync(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number;
  fstatSync(fd: number, o: { bigint: true }): BigStats;
  lstatSync(path: string, o: { bigint: true }): BigStats;
  statSync(path: string, o: { bigint: true }): BigStats;
  ftruncateSync(fd: number, len: number): void;
  fsyncSync(fd: number): void;
  fdatasyncSync(fd: number): void;
  futimesSync(fd: number, a: number, m: number): void;
  utimesSync(path: string, a: number, m: number): void;
  lutimesSync(path: string, a: number, m: number): void;
  readdirSync(path: string, o: { withFileTypes: true }): Dirent[];
  mkdirSync(path: string): void;
  rmdirSync(path: string): void;
  unlinkSync(path: string): void;
  renameSync(from: string, to: string): void;
  linkSync(from: string, to: string): void;
  symlinkSync(target: string, path: string): void;
  readlinkSync(path: string): string;
}

/** Maps a thrown node:fs error to an errno (see decisions.md#permissions); anything else is a bug. */
function toErrno(err: unknown): Errno {
  const e = err as { code?: string; name?: string };
  if (e?.name === "NotCapable") return Errno.ACCES; // Deno's node:fs, without a permission grant
  const code = e?.code;
  if (typeof code === "string" && code.startsWith("E")) {
    const alias: Record<string, Errno> = { E2BIG: Errno.TOOBIG, EOPNOTSUPP: Errno.NOTSUP, EWOULDBLOCK: Errno.AGAIN };
    const v = alias[code] ?? (Errno as Record<string, Errno>)[code.slice(1)];
    if (v !== undefined) return v;
  }
  throw err;
}

/** Seconds as a float for node's utimes, from ns (exact to about 240 ns today; see decisions.md). */
function seconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
}

function typeOf(st: BigStats): Filetype {
  if (st.isFile()) return Filetype.REGULAR_FILE;
  if (st.isDirectory()) return Filetype.DIRECTORY;
  if (st.isSymbolicLink()) return Filetype.SYMBOLIC_LINK;
  if (st.isCharacterDevice()) return Filetype.CHARACTER_DEVICE;
  if (st.isBlockDevice()) return Filetype.BLOCK_DEVICE;
  if (st.isSocket()) return Filetype.SOCKET_STREAM;
  return Filetype.UNKNOWN;
}

/** Exact ns times the guest set, per "dev:ino", reported while the host still holds what was set. */
const exactTimes = new Map<string, { a: bigint; m: bigint; hostA: bigint; hostM: bigint }>();
const EXACT_MAX = 4096;

function fill(out: Stat, st: BigStats): void {
  out.dev = st.dev;
  out.ino = st.ino;
  out.filetype = typeOf(st);
  out.nlink = st.nlink;
  out.size = Number(st.size);
  out.atimNs = st.atimeNs;
  out.mtimNs = st.mtimeNs;
  out.ctimNs = st.ctimeNs;
  if (exactTimes.size === 0) return;
  const exact = exactTimes.get(`${st.dev}:${st.ino}`);
  if (exact === undefined) return;
  if (exact.hostA === st.atimeNs) out.atimNs = exact.a;
  if (exact.hostM === st.mtimeNs) out.mtimNs = exact.m;
}

/** Sets times with a node utimes function, then remembers the exact values (decisions.md#node-times). */
function setTimes(
  current: BigStats,
  atimNs: bigint | null,
  mtimNs: bigint | null,
  apply: (a: number, m: number) => void,
  restat: () => BigStats,
): void {
  // A time left unchanged keeps its exact remembered value, not the host's rounded one.
  const known = exactTimes.get(`${current.dev}:${current.ino}`);
  const a = atimNs ?? (known?.hostA === current.atimeNs ? known.a : current.atimeNs);
  const m = mtimNs ?? (known?.hostM === current.mtimeNs ? known.m : current.mtimeNs);
  apply(seconds(a), seconds(m));
  const after = restat();
  const key = `${after.dev}:${after.ino}`;
  exactTimes.delete(key);
  if (exactTimes.size >= EXACT_MAX) exactTimes.delete(exactTimes.keys().next().value!);
  exactTimes.set(key, { a, m, hostA: after.atimeNs, hostM: after.mtimeNs });
}

/**
 * A `FileSystem` over a host directory through `node:fs` (Bun, Node, and Deno's node:fs), loaded
 * with `process.getBuiltinModule` when constructed, never at import.
 *
 * @example
 * ```ts
 * import { NodeFs } from "./node.ts";
 * const fs = new NodeFs("./examples/data");
 * ```
 */
export class NodeFs implements FileSystem {
  readonly #fs: NodeFsApi;
  readonly #root: string;

  /** A backend rooted at host directory `root` (relative roots resolve against the cwd at each call). */
  constructor(root: string) {
    // deno-lint-ignore no-explicit-any
    const fs = (globalThis as any).process?.getBuiltinModule?.("node:fs") as NodeFsApi | undefined;
    if (fs === undefined) throw new TypeError("NodeFs needs node:fs (process.getBuiltinModule)");
    this.#fs = fs;
    this.#root = root.replace(/\/+$/, "") || (root.startsWith("/") ? "" : ".");
  }

  #abs(path: string): string {
    return path === "" ? this.#root || "/" : `${this.#root}/${path}`;
  }

  /** Opens without following a final symlink (O_NOFOLLOW): resolved paths only. */
  open(path: string, flags: OpenFlags): FileHandle | Errno {
    const fs = this.#fs, c = fs.constants;
    let mode = flags.write ? (flags.read ? c.O_RDWR : c.O_WRONLY) : c.O_RDONLY;
    if (flags.create) mode |= c.O_CREAT;
    if (flags.exclusive) mode |= c.O_EXCL;
    if (flags.truncate) mode |= c.O_TRUNC;
    // No host O_APPEND: node cannot clear it on an open fd, and setAppend must work both ways.
    // Appending writes at the size (not atomic against other processes: decisions.md#node-backend).
    if (flags.directory) mode |= c.O_DIRECTORY;
    mode |= c.O_NOFOLLOW;
    if (flags.create && flags.directory) return Errno.INVAL;
    const abs = this.#abs(path);
    try {
      if (!flags.write && !flags.truncate) {
        // A directory is held by its path (readdir, stat, sync), as on Deno; look before opening.
        let st: BigStats | undefined;
        try {
          st = fs.lstatSync(abs, { bigint: true });
        } catch (err) {
          if (!flags.create || (err as { code?: string }).code !== "ENOENT") throw err;
        }
        if (st?.isDirectory()) {
          if (flags.create) return flags.exclusive ? Errno.EXIST : Errno.ISDIR; // as Linux open(2)
          return new NodeDirHandle(fs, abs);
        }
        if (st !== undefined && flags.directory) return Errno.NOTDIR;
      }
      const fd = fs.openSync(abs, mode, 0o666);
      return new NodeFileHandle(fs, fd, flags.read || !flags.write, flags.write, flags.append);
    } catch (err) {
      return toErrno(err);
    }
  }

  stat(path: string, out: Stat, follow: boolean): Errno {
    try {
      const abs = this.#abs(path);
      fill(out, follow ? this.#fs.statSync(abs, { bigint: true }) : this.#fs.lstatSync(abs, { bigint: true }));
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err);
    }
  }

  mkdir(path: string): Errno {
    return this.#try(() => this.#fs.mkdirSync(this.#abs(path)));
  }
  rmdir(path: string): Errno {
    if (path === "") return Errno.BUSY;
    return this.#try(() => this.#fs.rmdirSync(this.#abs(path)));
  }
  unlink(path: string): Errno {
    if (path === "") return Errno.ISDIR;
    return this.#try(() => {
      const abs = this.#abs(path);
      // Linux unlink(2) on a directory is EISDIR; some systems say EPERM: ask first.
      if (this.#fs.lstatSync(abs, { bigint: true }).isDirectory()) throw Object.assign(new Error(), { code: "EISDIR" });
      this.#fs.unlinkSync(abs);
    });
  }
  rename(from: string, to: string): Errno {
    if (from === "" || to === "") return Errno.BUSY;
    return this.#try(() => this.#fs.renameSync(this.#abs(from), this.#abs(to)));
  }
  link(from: string, to: string): Errno {
    if (to === "") return Errno.EXIST;
    return this.#try(() => this.#fs.linkSync(this.#abs(from), this.#abs(to)));
  }
  symlink(target: string, path: string): Errno {
    if (path === "") return Errno.EXIST;
    if (target === "") return Errno.NOENT;
    return this.#try(() => this.#fs.symlinkSync(target, this.#abs(path)));
  }
  readlink(path: string): string | Errno {
    try {
      return this.#fs.readlinkSync(this.#abs(path));
    } catch (err) {
      return toErrno(err);
    }
  }
  utimes(path: string, atimNs: bigint | null, mtimNs: bigint | null, follow: boolean): Errno {
    const fs = this.#fs, abs = this.#abs(path);
    return this.#try(() => {
      const get = () => follow ? fs.statSync(abs, { bigint: true }) : fs.lstatSync(abs, { bigint: true });
      const apply = (a: number, m: number) => follow ? fs.utimesSync(abs, a, m) : fs.lutimesSync(abs, a, m);
      setTimes(get(), atimNs, mtimNs, apply, get);
    });
  }

  #try(fn: () => void): Errno {
    try {
      fn();
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err);
    }
  }
}

/** An open file: a real fd; the offset is the kernel's, positional I/O passes a position. */
class NodeFileHandle implements FileHandle {
  readonly #fs: NodeFsApi;
  #fd: number;
  readonly #readable: boolean;
  readonly #writable: boolean;
  /** Every write goes to the end (emulated: see NodeFs.open). */
  #append: boolean;
  /** Our offset: node's readSync/writeSync with a null position use the kernel's, kept in step here. */
  #pos = 0;

  constructor(fs: NodeFsApi, fd: number, readable: boolean, writable: boolean, append: boolean) {
    this.#fs = fs;
    this.#fd = fd;
    this.#readable = readable;
    this.#writable = writable;
    this.#append = append;
  }

  read(dst: Uint8Array, pos?: number): IoResult {
    if (this.#fd < 0) return -Errno.BADF;
    if (!this.#readable) return -Errno.BADF;
    try {
      if (pos !== undefined) return this.#fs.readSync(this.#fd, dst, 0, dst.length, pos);
      const n = this.#fs.readSync(this.#fd, dst, 0, dst.length, this.#pos);
      this.#pos += n;
      return n;
    } catch (err) {
      return -toErrno(err);
    }
  }

  write(src: Uint8Array, pos?: number): IoResult {
    if (this.#fd < 0) return -Errno.BADF;
    if (!this.#writable) return -Errno.BADF;
    try {
      if (this.#append) {
        // Linux: with O_APPEND every write (positional too) goes to the end.
        const at = Number(this.#fs.fstatSync(this.#fd, { bigint: true }).size);
        const n = this.#fs.writeSync(this.#fd, src, 0, src.length, at);
        if (pos === undefined) this.#pos = at + n;
        return n;
      }
      if (pos !== undefined) return this.#fs.writeSync(this.#fd, src, 0, src.length, pos);
      const n = this.#fs.writeSync(this.#fd, src, 0, src.length, this.#pos);
      this.#pos += n;
      return n;
    } catch (err) {
      return -toErrno(err);
    }
  }

  seek(offset: number, whence: Whence): IoResult {
    if (this.#fd < 0) return -Errno.BADF;
    let base = 0;
    if (whence === Whence.CUR) base = this.#pos;
    else if (whence === Whence.END) {
      try {
        base = Number(this.#fs.fstatSync(this.#fd, { bigint: true }).size);
      } catch (err) {
        return -toErrno(err);
      }
    }
    const to = base + offset;
    if (to < 0 || !Number.isSafeInteger(to)) return -Errno.INVAL;
    this.#pos = to;
    return to;
  }

  stat(out: Stat): Errno {
    if (this.#fd < 0) return Errno.BADF;
    try {
      fill(out, this.#fs.fstatSync(this.#fd, { bigint: true }));
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err);
    }
  }
  truncate(size: number): Errno {
    if (this.#fd < 0) return Errno.BADF;
    if (!this.#writable) return Errno.INVAL;
    return this.#try(() => this.#fs.ftruncateSync(this.#fd, size));
  }
  sync(): Errno {
    return this.#try(() => this.#fs.fsyncSync(this.#fd));
  }
  datasync(): Errno {
    return this.#try(() => this.#fs.fdatasyncSync(this.#fd));
  }
  close(): Errno {
    if (this.#fd < 0) return Errno.BADF;
    const fd = this.#fd;
    this.#fd = -1;
    try {
      this.#fs.closeSync(fd);
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err);
    }
  }
  readdir(_cookie: bigint, _out: DirentSink): Errno {
    return this.#fd < 0 ? Errno.BADF : Errno.NOTDIR;
  }
  setAppend(on: boolean): Errno {
    if (this.#fd < 0) return Errno.BADF;
    this.#append = on;
    return Errno.SUCCESS;
  }
  utimes(atimNs: bigint | null, mtimNs: bigint | null): Errno {
    const fs = this.#fs, fd = this.#fd;
    if (fd < 0) return Errno.BADF;
    return this.#try(() => {
      const get = () => fs.fstatSync(fd, { bigint: true });
      setTimes(get(), atimNs, mtimNs, (a, m) => fs.futimesSync(fd, a, m), get);
    });
  }

  #try(fn: () => void): Errno {
    if (this.#fd < 0) return Errno.BADF;
    try {
      fn();
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err);
    }
  }
}

/** A directory: its path; readdir lists it at cookie 0 and continues that listing after. */
class NodeDirHandle implements FileHandle {
  readonly #fs: NodeFsApi;
  readonly #path: string;
  #open = true;
  #listing: Dirent[] | null = null;

  constructor(fs: NodeFsApi, path: string) {
    this.#fs = fs;
    this.#path = path;
  }
  read(): IoResult {
    return this.#open ? -Errno.ISDIR : -Errno.BADF;
  }
  write(): IoResult {
    return this.#open ? -Errno.ISDIR : -Errno.BADF;
  }
  seek(): IoResult {
    return this.#open ? -Errno.ISDIR : -Errno.BADF;
  }
  stat(out: Stat): Errno {
    if (!this.#open) return Errno.BADF;
    try {
      fill(out, this.#fs.statSync(this.#path, { bigint: true }));
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err);
    }
  }
  truncate(): Errno {
    return this.#open ? Errno.INVAL : Errno.BADF;
  }
  sync(): Errno {
    return this.#withFd((fd) => this.#fs.fsyncSync(fd));
  }
  datasync(): Errno {
    return this.#withFd((fd) => this.#fs.fdatasyncSync(fd));
  }
  close(): Errno {
    if (!this.#open) return Errno.BADF;
    this.#open = false;
    this.#listing = null;
    return Errno.SUCCESS;
  }
  readdir(cookie: bigint, out: DirentSink): Errno {
    if (!this.#open) return Errno.BADF;
    try {
      if (cookie === 0n || this.#listing === null) {
        this.#listing = this.#fs.readdirSync(this.#path, { withFileTypes: true });
      }
      const list = this.#listing;
      for (let i = Number(cookie); i < list.length; i++) {
        const d = list[i];
        // Dirents carry no inode: lstat the entries the caller reaches (gone meanwhile: inode 0).
        let ino = 0n, type: Filetype = Filetype.UNKNOWN;
        try {
          const st = this.#fs.lstatSync(`${this.#path}/${d.name}`, { bigint: true });
          ino = st.ino;
          type = typeOf(st);
        } catch {
          type = d.isDirectory() ? Filetype.DIRECTORY : d.isSymbolicLink() ? Filetype.SYMBOLIC_LINK : Filetype.UNKNOWN;
        }
        if (!out(d.name, type, ino)) break;
      }
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err);
    }
  }
  setAppend(): Errno {
    return this.#open ? Errno.SUCCESS : Errno.BADF;
  }
  utimes(atimNs: bigint | null, mtimNs: bigint | null): Errno {
    if (!this.#open) return Errno.BADF;
    const fs = this.#fs, p = this.#path;
    try {
      const get = () => fs.statSync(p, { bigint: true });
      setTimes(get(), atimNs, mtimNs, (a, m) => fs.utimesSync(p, a, m), get);
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err);
    }
  }
  #withFd(fn: (fd: number) => void): Errno {
    if (!this.#open) return Errno.BADF;
    try {
      const fd = this.#fs.openSync(this.#path, this.#fs.constants.O_RDONLY | this.#fs.constants.O_DIRECTORY);
      try {
        fn(fd);
      } finally {
        this.#fs.closeSync(fd);
      }
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err);
    }
  }
}
