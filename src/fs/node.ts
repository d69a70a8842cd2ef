// NodeFs: the FileSystem seam over node:fs sync APIs (Bun, Node; Deno's node:fs too): real fds, positional I/O.
//
// node:fs is loaded with `process.getBuiltinModule` when a NodeFs is constructed, never at import, so importing this
// module on Deno or an edge runtime loads nothing. The host gaps worked around here are in DESIGN.md ("Known host
// gaps"); each workaround is recorded in docs/decisions.md (#node-backend).

import { Errno } from "../abi/errno.ts";
import { Filetype, Whence } from "../abi/consts.ts";
import { type DenialListener, type HostFsOptions, tellDenial } from "./denial.ts";
import type { DirentSink, FileHandle, FileSystem, IoResult, OpenFlags, Stat } from "./types.ts";

// The slice of node:fs this backend uses, typed here so that nothing imports node:fs statically.
interface BigStats {
  dev: bigint;
  ino: bigint;
  mode: bigint;
  nlink: bigint;
  size: bigint;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  /** 0n when the host filesystem keeps no birth time (statx without STATX_BTIME); the ctime when libuv has no statx. */
  birthtimeNs?: bigint;
}
/** The number form of a stat (cheaper than the bigint one): `ino` is exact while it is a safe integer. */
interface NumStats {
  ino: number;
  mode: number;
}
interface Dirent {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}
interface StatOpts {
  bigint: true;
  throwIfNoEntry: false;
}
interface NodeFsApi {
  constants: Record<string, number>;
  openSync(path: string, flags: number, mode?: number): number;
  closeSync(fd: number): void;
  readSync(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number;
  writeSync(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number;
  fstatSync(fd: number, o: { bigint: true }): BigStats;
  lstatSync(path: string, o: StatOpts): BigStats | undefined;
  lstatSync(path: string, o: { throwIfNoEntry: false }): NumStats | undefined;
  statSync(path: string, o: StatOpts): BigStats | undefined;
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

/** Stat options, shared (never mutated by node): exact ns times, and `undefined` for a missing path, no throw. */
const STAT: StatOpts = { bigint: true, throwIfNoEntry: false };
const FSTAT = { bigint: true } as const;
/** The number form, for readdir's inodes: 5-15% cheaper per entry than the bigint form. */
const LSTAT_NUM = { throwIfNoEntry: false } as const;
const WITH_TYPES = { withFileTypes: true } as const;
/** `Handle.#pos` after an appending write on a host O_APPEND fd: "the end", read with fstat when needed. */
const AT_END = -1;
/** Exact times remembered per NodeFs at most (the least recently set is forgotten first). */
const MAX_TIMES = 4096;
/**
 * The largest position node:fs takes (readSync throws a RangeError past it); a file on tmpfs may grow beyond it, so a
 * write stops there (EFBIG, as at Linux's largest offset) and a read past it is EOVERFLOW.
 */
const MAX_POS = Number.MAX_SAFE_INTEGER;
/** Bun's ftruncateSync throws a RangeError from 2^52 bytes; no filesystem we run on holds such a file (EFBIG). */
const MAX_TRUNCATE = 2 ** 52 - 1;

/** POSIX error codes whose WASI name is not the code without its "E". */
const RENAMED: ReadonlyMap<string, Errno> = new Map<string, Errno>([
  ["E2BIG", Errno.TOOBIG],
  ["EOPNOTSUPP", Errno.NOTSUP],
  ["EWOULDBLOCK", Errno.AGAIN],
  ["EDEADLOCK", Errno.DEADLK],
]);

/** The function told of each refusal by Node's permission model (see `onDenied`). */
let deniedListener: ((err: Error) => void) | undefined;

/**
 * Sets the function told of every `NodeFs` call that Node's permission model refuses (`node --permission` without the
 * `--allow-fs-read`/`--allow-fs-write` it needs): it is given Node's `ERR_ACCESS_DENIED` error, whose `permission`
 * (`"FileSystemRead"`, `"FileSystemWrite"`) and `resource` (the path) say what was refused; the guest still gets
 * `EACCES` (decisions.md#permissions). One listener for the process; `undefined` removes it. The command-line runner
 * uses it to name the flag to add, as with `onDenied` of `./deno.ts`.
 *
 * @example Report each refusal
 * ```ts
 * import { onDenied } from "@hostcall/wasi/fs/node";
 * onDenied((err: Error) => console.error(err.message)); // Access to this API has been restricted. ...
 * ```
 */
export function onDenied(listener: ((err: Error) => void) | undefined): void {
  deniedListener = listener;
}

/**
 * The errno for an error node:fs threw: its `code` ("ENOENT" → NOENT, "EOPNOTSUPP" → NOTSUP...); Node's permission
 * model (`ERR_ACCESS_DENIED`, also told to the `onDenied` listener) and Deno's node:fs `NotCapable` (a missing grant)
 * and `PermissionDenied` are ACCES (decisions.md#permissions); any other OS error (one with a numeric `errno` and a
 * `syscall`, like EUCLEAN) is IO. Anything else is a host bug: rethrown.
 */
function toErrno(err: unknown, denied?: DenialListener): Errno {
  const e = err as { code?: unknown; name?: unknown; errno?: unknown; syscall?: unknown } | null;
  if (e === null || typeof e !== "object") throw err;
  if (e.name === "NotCapable") tellDenial(err as Error, denied); // Deno's node:fs: a missing --allow-* grant
  if (e.name === "NotCapable" || e.name === "PermissionDenied") return Errno.ACCES;
  const code = e.code;
  if (code === "ERR_ACCESS_DENIED") {
    tellDenial(err as Error, denied);
    deniedListener?.(err as Error);
    return Errno.ACCES;
  }
  if (typeof code === "string" && code.length > 1 && code.charCodeAt(0) === 69 /* E */) {
    const name = code.substring(1);
    const v = RENAMED.get(code) ?? (Object.hasOwn(Errno, name) ? (Errno as Record<string, Errno>)[name] : undefined);
    if (v !== undefined && v !== Errno.SUCCESS) return v;
    if (typeof e.errno === "number" && typeof e.syscall === "string") return Errno.IO;
  }
  throw err;
}

/** The filetype of a stat's `mode` (POSIX S_IFMT values, the same on every Unix). */
function typeOf(mode: bigint | number): Filetype {
  switch (Number(mode) & 0o170000) {
    case 0o100000:
      return Filetype.REGULAR_FILE;
    case 0o040000:
      return Filetype.DIRECTORY;
    case 0o120000:
      return Filetype.SYMBOLIC_LINK;
    case 0o020000:
      return Filetype.CHARACTER_DEVICE;
    case 0o060000:
      return Filetype.BLOCK_DEVICE;
    case 0o140000:
      return Filetype.SOCKET_STREAM;
    default:
      return Filetype.UNKNOWN; // a FIFO: WASI has no pipe type
  }
}

function direntType(d: Dirent): Filetype {
  if (d.isFile()) return Filetype.REGULAR_FILE;
  if (d.isDirectory()) return Filetype.DIRECTORY;
  if (d.isSymbolicLink()) return Filetype.SYMBOLIC_LINK;
  return Filetype.UNKNOWN;
}

/** Seconds as a float for node's utimes (its only form), from ns: exact to about 240 ns today (decisions.md#node-backend). */
function seconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
}

/** The exact ns times a guest set on one inode, and what the host held right after (decisions.md#node-backend). */
interface SetTimes {
  dev: bigint;
  a: bigint;
  m: bigint;
  hostA: bigint;
  hostM: bigint;
}

/** What a NodeFs and its handles share: node:fs, the remembered exact times, Deno's node:fs quirks. */
class Host {
  readonly fs: NodeFsApi;
  readonly c: Record<string, number>;
  /** Exact times by inode number (dev checked in the entry), per NodeFs instance. */
  readonly times = new Map<bigint, SetTimes>();
  /** Deno's node:fs: unlink removes empty directories, and O_CREAT/O_TRUNC without write access misbehave. */
  readonly deno: boolean;
  /** Told of each refusal by the runtime's permissions (the Wasi's `onDenied`). */
  readonly denied: DenialListener | undefined;

  constructor(fs: NodeFsApi, deno: boolean, denied: DenialListener | undefined) {
    this.fs = fs;
    this.c = fs.constants;
    this.deno = deno;
    this.denied = denied;
  }

  /** Copies a stat into `out`, with the exact times the guest set while the host still holds what they became. */
  fill(out: Stat, st: BigStats): void {
    out.dev = st.dev;
    out.ino = st.ino;
    out.filetype = typeOf(st.mode);
    out.nlink = st.nlink;
    out.size = Number(st.size);
    out.atimNs = st.atimeNs;
    out.mtimNs = st.mtimeNs;
    out.ctimNs = st.ctimeNs;
    out.birthNs = st.birthtimeNs ?? 0n;
    if (this.times.size === 0) return;
    const set = this.times.get(st.ino);
    if (set === undefined || set.dev !== st.dev) return;
    if (set.hostA === st.atimeNs) out.atimNs = set.a;
    if (set.hostM === st.mtimeNs) out.mtimNs = set.m;
  }

  /**
   * Sets times with a node utimes function (float seconds) and remembers the exact values for `fill`. A null time
   * is written back as it is (node has no UTIME_OMIT) and keeps its exact remembered value.
   */
  setTimes(
    cur: BigStats,
    atimNs: bigint | null,
    mtimNs: bigint | null,
    apply: (a: number, m: number) => void,
    restat: () => BigStats,
  ): void {
    const old = this.times.get(cur.ino);
    const known = old !== undefined && old.dev === cur.dev;
    const a = atimNs ?? (known && old.hostA === cur.atimeNs ? old.a : cur.atimeNs);
    const m = mtimNs ?? (known && old.hostM === cur.mtimeNs ? old.m : cur.mtimeNs);
    apply(seconds(a), seconds(m));
    const after = restat();
    this.times.delete(after.ino); // re-inserted last: the least recently set is forgotten first
    if (after.atimeNs === a && after.mtimeNs === m) return; // the host holds them exactly (k/64 s): nothing to keep
    if (this.times.size >= MAX_TIMES) this.times.delete(this.times.keys().next().value!);
    this.times.set(after.ino, { dev: after.dev, a, m, hostA: after.atimeNs, hostM: after.mtimeNs });
  }
}

/**
 * A `FileSystem` over a host directory through `node:fs` sync APIs (Bun, Node, and Deno's node:fs): real fds,
 * positional I/O, ns stat times, `O_NOFOLLOW` opens. node:fs is loaded when constructed, never at import.
 *
 * @example Give a guest a host directory (what `hostFs("./data")` picks on Bun and Node)
 * ```ts
 * import { Errno, Wasi } from "@hostcall/wasi";
 * import { NodeFs } from "@hostcall/wasi/fs/node";
 * const data: NodeFs = new NodeFs("./data");
 * const wasi = new Wasi({ preopens: { "/data": data } });
 * console.log(data.mkdir("out") === Errno.SUCCESS); // the seam answers an errno, never throws
 * ```
 */
export class NodeFs implements FileSystem {
  readonly #h: Host;
  /** The root as given (trailing "/" removed): relative roots resolve against the cwd at each call. */
  readonly #root: string;
  /** `#root` + "/", the prefix of every other path. */
  readonly #prefix: string;

  /**
   * A backend rooted at host directory `root`, kept as given (nothing is looked at until the guest asks). Throws
   * a `TypeError` when the runtime has no `process.getBuiltinModule("node:fs")`.
   */
  constructor(root: string, options: HostFsOptions = {}) {
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    const fs = typeof g.process?.getBuiltinModule === "function"
      ? g.process.getBuiltinModule("node:fs") as NodeFsApi | undefined
      : undefined;
    if (fs === undefined || fs === null || typeof fs.openSync !== "function") {
      throw new TypeError("NodeFs needs node:fs through process.getBuiltinModule (Bun, Node >= 22, Deno)");
    }
    this.#h = new Host(fs, typeof g.Deno?.version?.deno === "string", options.onDenied);
    let r = root === "" ? "." : root;
    while (r.length > 1 && r.endsWith("/")) r = r.substring(0, r.length - 1);
    this.#root = r;
    this.#prefix = r === "/" ? "/" : r + "/";
  }

  #abs(path: string): string {
    return path === "" ? this.#root : this.#prefix + path;
  }

  #isSymlink(abs: string): boolean {
    try {
      const st = this.#h.fs.lstatSync(abs, STAT);
      return st !== undefined && typeOf(st.mode) === Filetype.SYMBOLIC_LINK;
    } catch {
      return false; // the open's own error stands
    }
  }

  /**
   * Opens with `O_NOFOLLOW` (a final symlink is LOOP: callers pass resolved paths) and the host's own checks: a
   * directory for writing, creating or truncating is ISDIR, `directory` on a file NOTDIR.
   */
  open(path: string, flags: OpenFlags): FileHandle | Errno {
    if (flags.create && flags.directory) return Errno.INVAL; // Linux: O_CREAT|O_DIRECTORY creates nothing
    const h = this.#h, c = h.c, abs = this.#abs(path);
    // Truncation needs write access on the host anyway (Linux checks MAY_WRITE for O_TRUNC); Deno's node:fs
    // refuses O_RDONLY|O_TRUNC outright. The handle itself stays read-only.
    const hostWrite = flags.write || flags.truncate;
    let mode = hostWrite ? (flags.read || !flags.write ? c.O_RDWR : c.O_WRONLY) : c.O_RDONLY;
    if (flags.create) mode |= c.O_CREAT;
    if (flags.exclusive) mode |= c.O_EXCL;
    if (flags.truncate) mode |= c.O_TRUNC;
    if (flags.append) mode |= c.O_APPEND;
    if (flags.directory) mode |= c.O_DIRECTORY;
    mode |= c.O_NOFOLLOW;
    try {
      if (flags.create && !hostWrite && h.deno) {
        // Deno's node:fs ignores O_CREAT (and O_EXCL) without write access: do what Linux's open(2) does.
        const st = flags.exclusive ? undefined : h.fs.lstatSync(abs, STAT);
        if (st === undefined) mode |= c.O_RDWR; // create (O_EXCL: EXIST on anything there) with write access
        else if (typeOf(st.mode) === Filetype.DIRECTORY) return Errno.ISDIR;
        else mode &= ~c.O_CREAT;
      }
      const fd = h.fs.openSync(abs, mode, 0o666);
      const kind = hostWrite ? KIND_OTHER : flags.directory ? KIND_DIR : KIND_UNKNOWN;
      return new NodeHandle(h, fd, abs, mode, flags.read, flags.write, flags.append, kind);
    } catch (err) {
      const e = toErrno(err, this.#h.denied);
      // Linux answers O_DIRECTORY|O_NOFOLLOW on a symlink with NOTDIR; a final symlink is LOOP here, as elsewhere.
      return e === Errno.NOTDIR && flags.directory && this.#isSymlink(abs) ? Errno.LOOP : e;
    }
  }

  /** Fills `out` with the metadata of `path` (of a final symlink itself unless `follow`), times in ns. */
  stat(path: string, out: Stat, follow: boolean): Errno {
    try {
      const fs = this.#h.fs;
      const st = follow ? fs.statSync(this.#abs(path), STAT) : fs.lstatSync(this.#abs(path), STAT);
      if (st === undefined) return Errno.NOENT;
      this.#h.fill(out, st);
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }

  /** Creates a directory (mode 0777 less the umask). */
  mkdir(path: string): Errno {
    try {
      this.#h.fs.mkdirSync(this.#abs(path));
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }

  /** Removes an empty directory; the root is BUSY (never remove the preopen itself). */
  rmdir(path: string): Errno {
    if (path === "") return Errno.BUSY; // Linux: rmdir("/") is EBUSY
    try {
      this.#h.fs.rmdirSync(this.#abs(path));
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }

  /** Removes a file or symlink; a directory is what the host says (Linux: ISDIR). */
  unlink(path: string): Errno {
    const h = this.#h, abs = this.#abs(path);
    try {
      // Deno's node:fs unlinkSync removes an empty directory (it is Deno.removeSync): refuse as Linux does.
      if (h.deno) {
        const st = h.fs.lstatSync(abs, STAT);
        if (st !== undefined && typeOf(st.mode) === Filetype.DIRECTORY) return Errno.ISDIR;
      }
      h.fs.unlinkSync(abs);
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }

  /** Renames as POSIX rename(2); the root, as either side, is BUSY (never move the preopen itself). */
  rename(from: string, to: string): Errno {
    return this.renameInto(from, this, to);
  }

  /** Creates a hard link `to` for `from` (the name itself: a symlink is not followed). */
  link(from: string, to: string): Errno {
    return this.linkInto(from, this, to);
  }

  /**
   * rename(2) from this root to `to` under another NodeFs's root: both are the host's filesystem, and the host
   * answers XDEV across devices. Any other backend is XDEV.
   */
  renameInto(from: string, dest: FileSystem, to: string): Errno {
    if (!(dest instanceof NodeFs)) return Errno.XDEV;
    if (from === "" || to === "") return Errno.BUSY;
    try {
      this.#h.fs.renameSync(this.#abs(from), dest.#abs(to));
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }

  /** A hard link `to` under another NodeFs's root for `from` under this one (XDEV for any other backend). */
  linkInto(from: string, dest: FileSystem, to: string): Errno {
    if (!(dest instanceof NodeFs)) return Errno.XDEV;
    try {
      this.#h.fs.linkSync(this.#abs(from), dest.#abs(to));
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }

  /** Creates a symlink at `path` holding `target` verbatim. */
  symlink(target: string, path: string): Errno {
    try {
      this.#h.fs.symlinkSync(target, this.#abs(path));
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }

  /** The target of the symlink at `path`, verbatim. */
  readlink(path: string): string | Errno {
    try {
      return this.#h.fs.readlinkSync(this.#abs(path));
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }

  /** Sets times in ns (null: unchanged), through `lutimes` on a final symlink itself unless `follow`. */
  utimes(path: string, atimNs: bigint | null, mtimNs: bigint | null, follow: boolean): Errno {
    const h = this.#h, fs = h.fs, abs = this.#abs(path);
    try {
      const get = (): BigStats => {
        const st = follow ? fs.statSync(abs, STAT) : fs.lstatSync(abs, STAT);
        if (st === undefined) throw NOENT;
        return st;
      };
      const cur = get();
      if (atimNs === null && mtimNs === null) return Errno.SUCCESS; // UTIME_OMIT twice: nothing changes
      const apply = follow
        ? (a: number, m: number) => fs.utimesSync(abs, a, m)
        : (a: number, m: number) => fs.lutimesSync(abs, a, m);
      h.setTimes(cur, atimNs, mtimNs, apply, get);
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }
}

/** Thrown inside `utimes` when a path vanished between two looks; `toErrno` makes it NOENT. */
const NOENT = { code: "ENOENT" };

/** What a handle's fd is, when known: a read-only open may be either until it is looked at. */
const KIND_UNKNOWN = 0, KIND_OTHER = 1, KIND_DIR = 2;

/**
 * An open file or directory: a real fd (and its path, for readdir and reopening). The offset is ours, not the
 * kernel's (node has no lseek): reads and writes always pass a position (decisions.md#node-backend).
 */
class NodeHandle implements FileHandle {
  readonly #h: Host;
  #fd: number;
  readonly #path: string;
  /** The host open mode, for a reopen without O_APPEND. */
  readonly #mode: number;
  readonly #readable: boolean;
  readonly #writable: boolean;
  /** Append mode: every write goes to the end. */
  #append: boolean;
  /** The fd itself has O_APPEND (atomic appends); else append mode writes at the size fstat gives. */
  #hostAppend: boolean;
  /** The offset, or `AT_END` after an appending write (read with fstat when asked). */
  #pos = 0;
  #kind: number;
  /** The listing taken at readdir cookie 0. */
  #listing: Dirent[] | null = null;

  constructor(
    h: Host,
    fd: number,
    path: string,
    mode: number,
    readable: boolean,
    writable: boolean,
    append: boolean,
    kind: number,
  ) {
    this.#h = h;
    this.#fd = fd;
    this.#path = path;
    this.#mode = mode;
    this.#readable = readable;
    this.#writable = writable;
    this.#append = append;
    this.#hostAppend = append;
    this.#kind = kind;
  }

  /** Reads at the offset (moving it) or at `pos`; a directory is ISDIR (the host says so). */
  read(dst: Uint8Array, pos?: number): IoResult {
    const fd = this.#fd;
    if (fd < 0) return -Errno.BADF;
    if (!this.#readable) return this.#isDir() ? -Errno.ISDIR : -Errno.BADF;
    try {
      const at = pos !== undefined ? pos : this.#pos >= 0 ? this.#pos : this.#end();
      if (at > MAX_POS) return -Errno.OVERFLOW; // POSIX read: an offset past what a position can hold
      const n = this.#h.fs.readSync(fd, dst, 0, dst.length, at);
      if (pos === undefined) this.#pos = at + n;
      return n;
    } catch (err) {
      return -toErrno(err, this.#h.denied);
    }
  }

  /** Writes at the offset (moving it) or at `pos`; in append mode at the end, `pos` too (as Linux). */
  write(src: Uint8Array, pos?: number): IoResult {
    const fd = this.#fd;
    if (fd < 0) return -Errno.BADF;
    if (!this.#writable) return this.#isDir() ? -Errno.ISDIR : -Errno.BADF;
    const fs = this.#h.fs;
    try {
      if (this.#append) {
        if (this.#hostAppend) {
          const n = fs.writeSync(fd, src, 0, src.length, null); // write(2) on O_APPEND: atomic at the end
          if (pos === undefined) this.#pos = AT_END;
          return n;
        }
        const end = Number(fs.fstatSync(fd, FSTAT).size);
        if (end >= MAX_POS) return -Errno.FBIG;
        const n = fs.writeSync(fd, src, 0, Math.min(src.length, MAX_POS - end), end);
        if (pos === undefined) this.#pos = end + n;
        return n;
      }
      const at = pos !== undefined ? pos : this.#pos >= 0 ? this.#pos : this.#end();
      if (at >= MAX_POS) return -Errno.FBIG; // as Linux at the largest offset
      const n = fs.writeSync(fd, src, 0, Math.min(src.length, MAX_POS - at), at);
      if (pos === undefined) this.#pos = at + n;
      return n;
    } catch (err) {
      return -toErrno(err, this.#h.denied);
    }
  }

  /** Moves the offset (END asks fstat for the size); below 0 is INVAL and leaves it. */
  seek(offset: number, whence: Whence): IoResult {
    if (this.#fd < 0) return -Errno.BADF;
    let base: number;
    try {
      if (whence === Whence.SET) base = 0;
      else if (whence === Whence.CUR) base = this.#pos >= 0 ? this.#pos : this.#end();
      else if (whence === Whence.END) base = Number(this.#h.fs.fstatSync(this.#fd, FSTAT).size);
      else return -Errno.INVAL;
    } catch (err) {
      return -toErrno(err, this.#h.denied);
    }
    const to = base + offset;
    if (to < 0 || !Number.isSafeInteger(to)) return -Errno.INVAL;
    this.#pos = to;
    return to;
  }

  /** Fills `out` from fstat (it follows the file through renames). */
  stat(out: Stat): Errno {
    if (this.#fd < 0) return Errno.BADF;
    try {
      const st = this.#h.fs.fstatSync(this.#fd, FSTAT);
      this.#kind = typeOf(st.mode) === Filetype.DIRECTORY ? KIND_DIR : KIND_OTHER;
      this.#h.fill(out, st);
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }

  /** ftruncate; a handle not open for writing is INVAL (Linux ftruncate). The offset stays. */
  truncate(size: number): Errno {
    if (this.#fd < 0) return Errno.BADF;
    if (!this.#writable) return Errno.INVAL;
    if (size > MAX_TRUNCATE) return Errno.FBIG;
    try {
      if (this.#pos < 0) this.#pos = this.#end();
      this.#h.fs.ftruncateSync(this.#fd, size);
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }

  /** fsync (directories too). */
  sync(): Errno {
    if (this.#fd < 0) return Errno.BADF;
    try {
      this.#h.fs.fsyncSync(this.#fd);
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }

  /** fdatasync (directories too). */
  datasync(): Errno {
    if (this.#fd < 0) return Errno.BADF;
    try {
      this.#h.fs.fdatasyncSync(this.#fd);
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }

  /** Closes the fd; a second close is BADF. */
  close(): Errno {
    const fd = this.#fd;
    if (fd < 0) return Errno.BADF;
    this.#fd = -1;
    this.#listing = null;
    try {
      this.#h.fs.closeSync(fd);
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }

  /**
   * Lists entries from `cookie` (an index into the listing taken at cookie 0). Dirents carry no inode: each entry
   * that reaches the sink is looked at with lstat (one gone since the listing: its dirent type and inode 0).
   */
  readdir(cookie: bigint, out: DirentSink): Errno {
    if (this.#fd < 0) return Errno.BADF;
    if (!this.#isDir()) return Errno.NOTDIR;
    const fs = this.#h.fs;
    try {
      if (cookie === 0n || this.#listing === null) this.#listing = fs.readdirSync(this.#path, WITH_TYPES);
      const list = this.#listing, prefix = this.#path + "/";
      for (let i = cookie < BigInt(list.length) ? Number(cookie) : list.length; i < list.length; i++) {
        const d = list[i], path = prefix + d.name;
        let type = direntType(d), ino = 0n;
        try {
          const st = fs.lstatSync(path, LSTAT_NUM);
          if (st !== undefined) {
            type = typeOf(st.mode);
            // A number holds an inode exactly below 2^53; a larger one is asked again in bigint form.
            ino = st.ino <= Number.MAX_SAFE_INTEGER ? BigInt(st.ino) : fs.lstatSync(path, STAT)?.ino ?? 0n;
          }
        } catch (err) {
          toErrno(err, this.#h.denied); // an OS refusal (EACCES...) for this entry: keep its dirent type; a bug is rethrown
        }
        if (!out(d.name, type, ino)) break;
      }
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }

  /**
   * Turns append mode on (emulated: writes at the size) or off. Off on an fd with O_APPEND reopens the same inode
   * without it, through /proc/self/fd or else the path if it still names that inode; NOTSUP when neither works.
   */
  setAppend(on: boolean): Errno {
    if (this.#fd < 0) return Errno.BADF;
    if (on || !this.#hostAppend) {
      this.#append = on;
      return Errno.SUCCESS;
    }
    const h = this.#h, c = h.c, old = this.#fd;
    const mode = this.#mode & ~(c.O_CREAT | c.O_EXCL | c.O_TRUNC | c.O_APPEND);
    try {
      if (this.#pos < 0) this.#pos = this.#end();
      const was = h.fs.fstatSync(old, FSTAT);
      let fd = -1;
      try {
        fd = h.fs.openSync(`/proc/self/fd/${old}`, mode & ~c.O_NOFOLLOW); // the magic link names the inode itself
      } catch {
        fd = h.fs.openSync(this.#path, mode);
      }
      const now = h.fs.fstatSync(fd, FSTAT);
      if (now.ino !== was.ino || now.dev !== was.dev) {
        h.fs.closeSync(fd);
        return Errno.NOTSUP;
      }
      this.#fd = fd;
      this.#hostAppend = false;
      this.#append = false;
      h.fs.closeSync(old);
      return Errno.SUCCESS;
    } catch (err) {
      const e = toErrno(err, this.#h.denied);
      return e === Errno.NOENT || e === Errno.LOOP ? Errno.NOTSUP : e;
    }
  }

  /** Sets times in ns (null: unchanged) with futimes. */
  utimes(atimNs: bigint | null, mtimNs: bigint | null): Errno {
    const h = this.#h, fs = h.fs, fd = this.#fd;
    if (fd < 0) return Errno.BADF;
    if (atimNs === null && mtimNs === null) return Errno.SUCCESS;
    try {
      const get = (): BigStats => fs.fstatSync(fd, FSTAT);
      h.setTimes(get(), atimNs, mtimNs, (a, m) => fs.futimesSync(fd, a, m), get);
      return Errno.SUCCESS;
    } catch (err) {
      return toErrno(err, this.#h.denied);
    }
  }

  /** The size, which is the offset after an appending write on an O_APPEND fd (throws as node does). */
  #end(): number {
    return Number(this.#h.fs.fstatSync(this.#fd, FSTAT).size);
  }

  /** Whether the fd is a directory, asked of fstat once when the open did not tell (false if fstat fails). */
  #isDir(): boolean {
    if (this.#kind === KIND_UNKNOWN) {
      try {
        this.#kind = typeOf(this.#h.fs.fstatSync(this.#fd, FSTAT).mode) === Filetype.DIRECTORY ? KIND_DIR : KIND_OTHER;
      } catch {
        return false;
      }
    }
    return this.#kind === KIND_DIR;
  }
}
