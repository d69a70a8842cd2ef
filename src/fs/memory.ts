// MemoryFs: an in-memory FileSystem (inodes, hard links, verbatim symlinks, sparse files) for edge runtimes and tests.

import { Errno, errnoName } from "../abi/errno.ts";
import { Filetype, Whence } from "../abi/consts.ts";
import {
  type DirentSink,
  type FileHandle,
  type FileSystem,
  type IoResult,
  type OpenFlags,
  openFlags,
  type Stat,
} from "./types.ts";

/** Largest file size and offset: every byte position stays an exact JS number. */
const MAX_SIZE = Number.MAX_SAFE_INTEGER;
/** Default `capacity`: the file bytes one MemoryFs stores at most (decisions.md#memoryfs-capacity). */
const DEFAULT_CAPACITY = 2 ** 30;
/** Symlinks followed in one lookup before LOOP (Linux's MAXSYMLINKS). */
const MAX_HOPS = 40;
/** Copies shorter than this are done byte by byte, so a small read creates no `subarray` view. */
const SMALL_COPY = 32;
const EMPTY = new Uint8Array(0);
const SLASH = 47;

/** Module-wide counter for `dev`: each MemoryFs is its own device. */
let nextDev = 1n;

/** One file, directory or symlink. Every field exists on every kind, so lookups stay monomorphic. */
class Inode {
  readonly ino: bigint;
  readonly type: Filetype;
  /** Files and symlinks: hard links. Directories: 2 + subdirectories; 0 once removed. */
  nlink: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
  /** When it was made (ns, by this MemoryFs's clock); with `ino`, never reused, it is the inode's identity. */
  readonly birth: bigint;
  /**
   * `performance.now()` of a data change (write, truncate) whose mtim/ctim are not yet stored, or -1.
   * The default clock stamps lazily so that a write allocates no bigint; `Clock.settle` turns it into ns.
   */
  dirtyMs = -1;
  /** File bytes; capacity may exceed `size`. Invariant: every byte at or past `size` is 0. */
  data: Uint8Array = EMPTY;
  /** Files: length in bytes (may exceed `data.length`: the rest reads as zeros). Symlinks: UTF-8 target length. */
  size = 0;
  /** Directories: entries in insertion order; null for other kinds. */
  entries: Map<string, Inode> | null;
  /** Directories: the containing directory (the root's is itself); null for other kinds. */
  parent: Inode | null = null;
  /** Symlinks: the target, verbatim. */
  target = "";
  /** Open handles: an unlinked file's bytes are released when the last one closes. */
  opens = 0;

  constructor(ino: bigint, type: Filetype, nlink: bigint, t: bigint) {
    this.ino = ino;
    this.type = type;
    this.nlink = nlink;
    this.atim =
      this.mtim =
      this.ctim =
      this.birth =
        t;
    this.entries = type === Filetype.DIRECTORY ? new Map() : null;
  }
}

/** The time source of one MemoryFs: an injected `now`, or wall-clock ns built from Date.now() and performance.now(). */
class Clock {
  readonly #now: (() => bigint) | undefined;
  /** Wall-clock ms at performance time 0 (NaN until first used: no clock is read at construction). */
  #anchorMs = NaN;

  constructor(now: (() => bigint) | undefined) {
    this.#now = now;
  }

  /** The current time in ns since the epoch. */
  now(): bigint {
    return this.#now !== undefined ? this.#now() : this.#ns(performance.now());
  }

  /** Records a data change (write, truncate): mtim and ctim become now. */
  touch(node: Inode): void {
    if (this.#now !== undefined) node.mtim = node.ctim = this.#now();
    else node.dirtyMs = performance.now(); // stored as a number: no allocation on the write path
  }

  /** Turns a pending `touch` into stored mtim/ctim; call before reading or setting times. */
  settle(node: Inode): void {
    if (node.dirtyMs < 0) return;
    node.mtim = node.ctim = this.#ns(node.dirtyMs);
    node.dirtyMs = -1;
  }

  /** A metadata change: ctim becomes now. */
  changed(node: Inode): void {
    this.settle(node);
    node.ctim = this.now();
  }

  /** An entry was added or removed: the directory's mtim and ctim become now. */
  dirChanged(dir: Inode): void {
    this.settle(dir);
    dir.mtim = dir.ctim = this.now();
  }

  /** ns since the epoch at performance time `perfMs`, re-anchored to Date.now() when the two drift apart. */
  #ns(perfMs: number): bigint {
    const perf = performance.now(), wall = Date.now();
    if (!(Math.abs(this.#anchorMs + perf - wall) <= 2)) this.#anchorMs = wall - perf;
    // Integer ms as a bigint, the sub-ms rest in a small double: no digit of the ns count is lost.
    const whole = Math.floor(this.#anchorMs);
    return BigInt(whole) * 1_000_000n + BigInt(Math.round((this.#anchorMs - whole + perfMs) * 1e6));
  }
}

/** Options of `new MemoryFs(...)`. */
export interface MemoryFsOptions {
  /** The time in ns since the epoch for new and changed inodes; default: the wall clock (read only in calls). */
  now?: () => bigint;
  /**
   * The most bytes of file content this MemoryFs stores at once, over all its files (a sparse tail left by a
   * truncate costs nothing); a write that needs more is `ENOSPC`, as on a full tmpfs. Default 1 GiB
   * (decisions.md#memoryfs-capacity). On an edge runtime, set it well below the isolate's memory limit.
   */
  capacity?: number;
}

/** The bytes one MemoryFs stores, against its capacity; shared with its handles. */
class Space {
  readonly capacity: number;
  used = 0;
  constructor(capacity: number) {
    this.capacity = capacity;
  }
  /** Frees an unlinked file's bytes once no handle holds it. */
  release(node: Inode): void {
    if (node.nlink !== 0n || node.opens !== 0 || node.data.length === 0) return;
    this.used -= node.data.length;
    node.data = EMPTY;
  }
}

/** Options of `MemoryFiles.mkdir(path, options)`. */
export interface MemoryFsMkdirOptions {
  /** Also create missing parents, and accept an existing directory (`mkdir -p`). Default false. */
  recursive?: boolean;
}

/** Options of `MemoryFiles.remove(path, options)`. */
export interface MemoryFsRemoveOptions {
  /** Remove a directory with everything under it (`rm -r`). Default false: only an empty directory. */
  recursive?: boolean;
}

/** What `MemoryFiles.stat(path)` reports (symlinks are followed). */
export interface MemoryFsStat {
  /** A regular file or a directory. */
  type: "file" | "directory";
  /** Length in bytes; 0 for a directory. */
  size: number;
  /** Inode number, from 1 (the root) per MemoryFs. */
  ino: number;
  /** Hard links of a file; 2 + subdirectories for a directory. */
  nlink: number;
  /** Last access, in ns since the epoch (reads do not change it). */
  atimeNs: bigint;
  /** Last change of the content, in ns since the epoch. */
  mtimeNs: bigint;
  /** Last change of the content or the metadata, in ns since the epoch. */
  ctimeNs: bigint;
}

/** What `MemoryFiles` reaches inside a `MemoryFs` (private fields are per class); set by MemoryFs's static block. */
let inside: {
  /** The inode at seam path `path`, symlinks followed on the way (and at the end when `follow`). */
  lookup(fs: MemoryFs, path: string, follow: boolean): Inode | Errno;
  /** A write handle on the existing file `node`, truncated to 0 bytes. */
  rewrite(fs: MemoryFs, node: Inode): FileHandle;
  /** Brings the lazily kept times of `node` up to date. */
  settle(fs: MemoryFs, node: Inode): void;
};

/**
 * An in-memory filesystem with POSIX (Linux) semantics: inode numbers, hard links, symlinks stored verbatim,
 * sparse growth, open files that outlive their last link. Reads do not update atime (noatime).
 *
 * A `MemoryFs` is a backend: pass it as a preopen (or to `readOnly`), and Hostcall calls its `FileSystem` methods
 * (`open`, `stat(path, out, follow)`, `mkdir(path)`…), which take normalised paths and return errno values. To seed a
 * tree and read back what a guest wrote, use its `files` ({@link MemoryFiles}), whose methods throw on failure
 * (decisions.md#memoryfs-js-api).
 *
 * @example Seed a tree, hand it to a guest, read what it wrote
 * ```ts
 * import { MemoryFs } from "@hostcall/wasi/fs/memory";
 * import { Wasi } from "@hostcall/wasi";
 * const fs = new MemoryFs();
 * fs.files.writeFile("/in/hello.txt", "hello\n");
 * const wasi = new Wasi({ args: ["app"], preopens: { "/data": fs } }); // the guest sees /data/in/hello.txt
 * // ... wasi.start(instance) ...
 * for (const name of fs.files.readdir("/")) console.log(name, fs.files.stat(name).type); // "in" "directory"
 * ```
 */
export class MemoryFs implements FileSystem {
  readonly #dev: bigint;
  readonly #clock: Clock;
  readonly #space: Space;
  readonly #root: Inode;
  #nextIno = 1n;
  /** Symlinks followed so far in the current lookup. */
  #hops = 0;
  /** The last component of the path given to `#parentOf` (saves an allocation per call). */
  #name = "";
  /** The JS-side API over this tree: seeding files and reading back what a guest wrote; it throws on failure. */
  readonly files: MemoryFiles;

  static {
    inside = {
      lookup: (fs, path, follow) => fs.#lookup(path, follow),
      rewrite: (fs, node) => {
        setSize(node, 0, fs.#clock, fs.#space);
        return new MemoryHandle(node, fs.#clock, fs.#space, fs.#dev, WRITE_FLAGS);
      },
      settle: (fs, node) => fs.#clock.settle(node),
    };
  }

  /** An empty filesystem: just the root directory (inode 1). */
  constructor(options: MemoryFsOptions = {}) {
    const capacity = options.capacity ?? DEFAULT_CAPACITY;
    if (typeof capacity !== "number" || !(capacity >= 0)) {
      throw new TypeError("MemoryFs: options.capacity must be a number of bytes, 0 or more");
    }
    this.#dev = nextDev++;
    this.#clock = new Clock(options.now);
    this.#space = new Space(capacity);
    this.#root = this.#make(Filetype.DIRECTORY, 2n);
    this.#root.parent = this.#root;
    this.files = new MemoryFiles(this);
  }

  /** Opens a file or directory (never following a final symlink: that is LOOP, like O_NOFOLLOW). */
  open(path: string, flags: OpenFlags): FileHandle | Errno {
    let node: Inode;
    if (path === "") node = this.#root;
    else {
      const dir = this.#parentOf(path);
      if (typeof dir === "number") return dir;
      const found = dir.entries!.get(this.#name);
      if (found === undefined) {
        if (!flags.create) return Errno.NOENT;
        if (flags.directory) return Errno.INVAL; // O_CREAT|O_DIRECTORY creates nothing (Linux)
        const file = this.#make(Filetype.REGULAR_FILE, 1n);
        dir.entries!.set(this.#name, file);
        this.#clock.dirChanged(dir);
        return new MemoryHandle(file, this.#clock, this.#space, this.#dev, flags);
      }
      node = found;
    }
    if (flags.create && flags.exclusive) return Errno.EXIST;
    if (node.type === Filetype.SYMBOLIC_LINK) return Errno.LOOP;
    if (node.type === Filetype.DIRECTORY) {
      if (flags.write || flags.create) return Errno.ISDIR;
    } else {
      if (flags.directory) return Errno.NOTDIR;
      if (flags.truncate) setSize(node, 0, this.#clock, this.#space);
    }
    return new MemoryHandle(node, this.#clock, this.#space, this.#dev, flags);
  }

  /** Removes an empty directory; the root is BUSY. */
  rmdir(path: string): Errno {
    if (path === "") return Errno.BUSY; // Linux: rmdir("/") is EBUSY
    const dir = this.#parentOf(path);
    if (typeof dir === "number") return dir;
    const node = dir.entries!.get(this.#name);
    if (node === undefined) return Errno.NOENT;
    if (node.entries === null) return Errno.NOTDIR;
    if (node.entries.size !== 0) return Errno.NOTEMPTY;
    dir.entries!.delete(this.#name);
    dir.nlink--;
    node.nlink = 0n;
    this.#clock.changed(node);
    this.#clock.dirChanged(dir);
    return Errno.SUCCESS;
  }

  /** Removes a file or symlink (never what it points to); a directory is ISDIR (Linux). */
  unlink(path: string): Errno {
    if (path === "") return Errno.ISDIR;
    const dir = this.#parentOf(path);
    if (typeof dir === "number") return dir;
    const node = dir.entries!.get(this.#name);
    if (node === undefined) return Errno.NOENT;
    if (node.entries !== null) return Errno.ISDIR;
    dir.entries!.delete(this.#name);
    node.nlink--;
    this.#space.release(node);
    this.#clock.changed(node);
    this.#clock.dirChanged(dir);
    return Errno.SUCCESS;
  }

  /** POSIX rename: replaces a file or empty directory at `to`; a final symlink is moved, not followed. */
  rename(from: string, to: string): Errno {
    if (from === "" || to === "") return Errno.BUSY; // Linux: renaming "/" or onto it is EBUSY
    const sp = this.#parentOf(from);
    if (typeof sp === "number") return sp;
    const sname = this.#name;
    const src = sp.entries!.get(sname);
    if (src === undefined) return Errno.NOENT;
    const dp = this.#parentOf(to);
    if (typeof dp === "number") return dp;
    const dname = this.#name;
    const dst = dp.entries!.get(dname);
    if (dst === src) return Errno.SUCCESS; // the same path, or two links to one file: nothing to do
    if (src.entries !== null) {
      for (let d = dp;; d = d.parent!) {
        if (d === src) return Errno.INVAL; // into its own subtree
        if (d === this.#root) break;
      }
      if (dst !== undefined) {
        if (dst.entries === null) return Errno.NOTDIR;
        if (dst.entries.size !== 0) return Errno.NOTEMPTY;
      }
    } else if (dst !== undefined && dst.entries !== null) return Errno.ISDIR;
    if (dst !== undefined) {
      dp.entries!.delete(dname); // the new name goes last in the listing
      if (dst.entries !== null) {
        dst.nlink = 0n;
        dp.nlink--;
      } else {
        dst.nlink--;
        this.#space.release(dst);
      }
      this.#clock.changed(dst);
    }
    sp.entries!.delete(sname);
    dp.entries!.set(dname, src);
    if (src.entries !== null && sp !== dp) {
      sp.nlink--;
      dp.nlink++;
      src.parent = dp;
    }
    this.#clock.changed(src);
    this.#clock.dirChanged(sp);
    if (dp !== sp) this.#clock.dirChanged(dp);
    return Errno.SUCCESS;
  }

  /** Creates a hard link `to` for `from` (a symlink is linked itself); directories are PERM. */
  link(from: string, to: string): Errno {
    const src = this.#lookup(from, false);
    if (typeof src === "number") return src;
    if (to === "") return Errno.EXIST;
    const dir = this.#parentOf(to);
    if (typeof dir === "number") return dir;
    if (dir.entries!.has(this.#name)) return Errno.EXIST;
    if (src.entries !== null) return Errno.PERM;
    dir.entries!.set(this.#name, src);
    src.nlink++;
    this.#clock.changed(src);
    this.#clock.dirChanged(dir);
    return Errno.SUCCESS;
  }

  /** Creates a symlink holding `target` verbatim (any string but ""); it is never resolved here. */
  symlink(target: string, path: string): Errno {
    if (path === "") return Errno.EXIST;
    const dir = this.#parentOf(path);
    if (typeof dir === "number") return dir;
    if (dir.entries!.has(this.#name)) return Errno.EXIST;
    if (target === "") return Errno.NOENT; // Linux refuses an empty target
    const link = this.#make(Filetype.SYMBOLIC_LINK, 1n);
    link.target = target;
    link.size = utf8Length(target);
    dir.entries!.set(this.#name, link);
    this.#clock.dirChanged(dir);
    return Errno.SUCCESS;
  }

  /** The verbatim target of the symlink at `path`; INVAL for anything else. */
  readlink(path: string): string | Errno {
    const node = this.#lookup(path, false);
    if (typeof node === "number") return node;
    return node.type === Filetype.SYMBOLIC_LINK ? node.target : Errno.INVAL;
  }

  /** Sets times in ns (null: unchanged) and ctim to now; on a final symlink itself unless `follow`. */
  utimes(path: string, atimNs: bigint | null, mtimNs: bigint | null, follow: boolean): Errno {
    const node = this.#lookup(path, follow);
    if (typeof node === "number") return node;
    setTimes(node, atimNs, mtimNs, this.#clock);
    return Errno.SUCCESS;
  }

  /** Creates a directory; `EXIST` when anything has the name. */
  mkdir(path: string): Errno {
    if (path === "") return Errno.EXIST;
    const dir = this.#parentOf(path);
    if (typeof dir === "number") return dir;
    if (dir.entries!.has(this.#name)) return Errno.EXIST;
    const sub = this.#make(Filetype.DIRECTORY, 2n);
    sub.parent = dir;
    dir.entries!.set(this.#name, sub);
    dir.nlink++;
    this.#clock.dirChanged(dir);
    return Errno.SUCCESS;
  }

  /** Fills `out` with the metadata of `path` (of a final symlink itself unless `follow`). */
  stat(path: string, out: Stat, follow: boolean): Errno {
    const node = this.#lookup(path, follow);
    if (typeof node === "number") return node;
    fill(node, out, this.#dev, this.#clock);
    return Errno.SUCCESS;
  }

  #make(type: Filetype, nlink: bigint): Inode {
    return new Inode(this.#nextIno++, type, nlink, this.#clock.now());
  }

  /** The inode at `path`; symlinks are followed within the tree on the way, and at the end when `follow`. */
  #lookup(path: string, follow: boolean): Inode | Errno {
    this.#hops = 0;
    return this.#walk(this.#root, path, follow);
  }

  /** The directory holding the last component of `path` (a non-empty seam path), which goes to `#name`. */
  #parentOf(path: string): Inode | Errno {
    const k = path.lastIndexOf("/");
    this.#name = k < 0 ? path : path.substring(k + 1);
    if (k < 0) return this.#root;
    this.#hops = 0;
    const dir = this.#walk(this.#root, path.substring(0, k), true);
    if (typeof dir === "number") return dir;
    return dir.entries === null ? Errno.NOTDIR : dir;
  }

  /**
   * Walks `path` from `start`. Seam paths never hold "." or ".." or symlinks before their end (src/path.ts resolves
   * them), but symlink targets may: ".." stops at the root and an absolute target starts from the root.
   */
  #walk(start: Inode, path: string, follow: boolean): Inode | Errno {
    let cur = start;
    const n = path.length;
    for (let i = 0; i < n;) {
      let j = path.indexOf("/", i);
      if (j < 0) j = n;
      if (j === i) {
        i++;
        continue;
      }
      const name = path.substring(i, j);
      i = j + 1;
      if (cur.entries === null) return Errno.NOTDIR;
      if (name === ".") continue;
      let next = name === ".." ? cur.parent! : cur.entries.get(name);
      if (next === undefined) return Errno.NOENT;
      if (next.type === Filetype.SYMBOLIC_LINK && (follow || i < n)) {
        if (++this.#hops > MAX_HOPS) return Errno.LOOP;
        const t = next.target;
        const r = this.#walk(t.charCodeAt(0) === SLASH ? this.#root : cur, t, true);
        if (typeof r === "number") return r;
        next = r;
      }
      cur = next;
    }
    return cur;
  }
}

/**
 * The JS-side API of a {@link MemoryFs} (its `files`): seeds a tree before a guest runs and reads back what it wrote.
 * Paths are "/"-separated from the root of the MemoryFs (the leading "/" is optional; it is the preopen's root,
 * wherever the guest sees it). A bad path (not a string, empty, a NUL, a ".." part) is a `TypeError`; a failure is an
 * `Error` naming the call, the path and the errno (`MemoryFiles.readFile("/in.txt"): ENOENT`), with `code` ("ENOENT",
 * …) and `errno` (the WASI number) on it (decisions.md#memoryfs-js-api).
 *
 * @example Seed an input, run a guest, read its output
 * ```ts
 * import { MemoryFs } from "@hostcall/wasi/fs/memory";
 * const fs = new MemoryFs();
 * fs.files.writeFile("/input.txt", "hello\n");
 * // ... new Wasi({ preopens: { "/data": fs } }), instantiate, start ...
 * if (fs.files.readdir("/").includes("output.txt")) console.log(new TextDecoder().decode(fs.files.readFile("/output.txt")));
 * ```
 */
export class MemoryFiles {
  /** The filesystem these calls read and change: what a preopen is given. */
  readonly fs: MemoryFs;

  /** The JS-side API over `fs` (the same as `fs.files`). */
  constructor(fs: MemoryFs) {
    this.fs = fs;
  }

  /**
   * Writes `data` (a string is UTF-8 encoded) to the file at `path`, replacing its content, creating the file and any
   * missing parent directories. A symlink at `path` is followed to the file it names. Throws on failure.
   *
   * @example
   * ```ts
   * import { MemoryFs } from "@hostcall/wasi/fs/memory";
   * const fs = new MemoryFs();
   * fs.files.writeFile("/in/data.txt", "hello\n"); // creates /in
   * fs.files.writeFile("/in/raw.bin", new Uint8Array([1, 2, 3]));
   * ```
   */
  writeFile(path: string, data: Uint8Array | string): void {
    const p = jsPath("writeFile", path);
    if (typeof data !== "string" && !(data instanceof Uint8Array)) {
      throw new TypeError(`MemoryFiles.writeFile(${JSON.stringify(path)}): data must be a string or a Uint8Array`);
    }
    if (p === "") throw fsError("writeFile", path, Errno.ISDIR);
    const k = p.lastIndexOf("/");
    if (k > 0) this.#mkdirs("writeFile", path, p.substring(0, k), false);
    const found = inside.lookup(this.fs, p, true);
    let h: FileHandle | Errno;
    if (typeof found === "number") h = this.fs.open(p, WRITE_FLAGS); // creates it (a dangling symlink is LOOP)
    else if (found.entries !== null) h = Errno.ISDIR;
    else h = inside.rewrite(this.fs, found);
    if (typeof h === "number") throw fsError("writeFile", path, h);
    const n = h.write(typeof data === "string" ? new TextEncoder().encode(data) : data);
    h.close();
    if (n < 0) throw fsError("writeFile", path, -n);
  }

  /**
   * A copy of the content of the file at `path` (symlinks followed). Throws on failure (`EISDIR` for a directory).
   *
   * @example
   * ```ts
   * import { MemoryFs } from "@hostcall/wasi/fs/memory";
   * const fs = new MemoryFs();
   * fs.files.writeFile("/out.txt", "done\n");
   * const text: string = new TextDecoder().decode(fs.files.readFile("/out.txt")); // "done\n"
   * const response = new Response(fs.files.readFile("/out.txt")); // a BodyInit as it is
   * ```
   */
  readFile(path: string): Uint8Array<ArrayBuffer> {
    const node = inside.lookup(this.fs, jsPath("readFile", path), true);
    if (typeof node === "number") throw fsError("readFile", path, node);
    if (node.entries !== null) throw fsError("readFile", path, Errno.ISDIR);
    const out = new Uint8Array(node.size);
    out.set(node.data.subarray(0, Math.min(node.size, node.data.length)));
    return out;
  }

  /**
   * Creates the directory `path`; with `recursive`, also its missing parents, and an existing directory is fine
   * (`mkdir -p`). Throws on failure (`EEXIST`, `ENOENT`, `ENOTDIR`).
   *
   * @example
   * ```ts
   * import { MemoryFs } from "@hostcall/wasi/fs/memory";
   * const fs = new MemoryFs();
   * fs.files.mkdir("/out");
   * fs.files.mkdir("/deep/er/still", { recursive: true });
   * ```
   */
  mkdir(path: string, options: MemoryFsMkdirOptions = {}): void {
    if (options === null || typeof options !== "object") {
      throw new TypeError(`MemoryFiles.mkdir(${JSON.stringify(path)}): options must be an object`);
    }
    const p = jsPath("mkdir", path);
    if (options.recursive === true) return this.#mkdirs("mkdir", path, p, true);
    const e = this.fs.mkdir(p);
    if (e !== Errno.SUCCESS) throw fsError("mkdir", path, e);
  }

  /**
   * The names in the directory `path` (symlinks followed), in the order they were created, without `.` and `..`.
   * Throws on failure (`ENOTDIR` for a file).
   *
   * @example
   * ```ts
   * import { MemoryFs } from "@hostcall/wasi/fs/memory";
   * const fs = new MemoryFs();
   * fs.files.writeFile("/out/b.txt", "");
   * fs.files.writeFile("/out/a.txt", "");
   * const names: string[] = fs.files.readdir("/out"); // ["b.txt", "a.txt"]
   * ```
   */
  readdir(path: string): string[] {
    const node = inside.lookup(this.fs, jsPath("readdir", path), true);
    if (typeof node === "number") throw fsError("readdir", path, node);
    if (node.entries === null) throw fsError("readdir", path, Errno.NOTDIR);
    return [...node.entries.keys()];
  }

  /**
   * What `path` is (symlinks followed), how big, and its times. Throws on failure.
   *
   * @example
   * ```ts
   * import { MemoryFs, type MemoryFsStat } from "@hostcall/wasi/fs/memory";
   * const fs = new MemoryFs();
   * fs.files.writeFile("/f.txt", "12345");
   * const st: MemoryFsStat = fs.files.stat("/f.txt");
   * console.log(st.type, st.size); // "file" 5
   * ```
   */
  stat(path: string): MemoryFsStat {
    const node = inside.lookup(this.fs, jsPath("stat", path), true);
    if (typeof node === "number") throw fsError("stat", path, node);
    inside.settle(this.fs, node);
    return {
      type: node.entries !== null ? "directory" : "file",
      size: node.entries !== null ? 0 : node.size,
      ino: Number(node.ino),
      nlink: Number(node.nlink),
      atimeNs: node.atim,
      mtimeNs: node.mtim,
      ctimeNs: node.ctim,
    };
  }

  /**
   * Removes the file or symlink (not what it names) at `path`, or the directory at `path`: an empty one, or with
   * `recursive` one and everything under it. The root cannot be removed (`EBUSY`). Throws on failure (`ENOENT`,
   * `ENOTEMPTY`).
   *
   * @example
   * ```ts
   * import { MemoryFs } from "@hostcall/wasi/fs/memory";
   * const fs = new MemoryFs();
   * fs.files.writeFile("/tmp/a/f.txt", "x");
   * fs.files.remove("/tmp/a/f.txt");
   * fs.files.remove("/tmp", { recursive: true });
   * ```
   */
  remove(path: string, options: MemoryFsRemoveOptions = {}): void {
    const p = jsPath("remove", path);
    if (options === null || typeof options !== "object") {
      throw new TypeError(`MemoryFiles.remove(${JSON.stringify(path)}): options must be an object`);
    }
    if (p === "") throw fsError("remove", path, Errno.BUSY);
    const e = this.#remove(p, options.recursive === true);
    if (e !== Errno.SUCCESS) throw fsError("remove", path, e);
  }

  /** Creates every missing directory of seam path `p`; a file in the way is NOTDIR (EXIST at the end when `last`). */
  #mkdirs(what: string, original: string, p: string, last: boolean): void {
    for (let i = 0; i <= p.length; i++) {
      if (i !== p.length && p.charCodeAt(i) !== SLASH) continue;
      const prefix = p.substring(0, i);
      const node = inside.lookup(this.fs, prefix, true);
      if (node === Errno.NOENT) {
        const e = this.fs.mkdir(prefix);
        if (e !== Errno.SUCCESS) throw fsError(what, original, e);
      } else if (typeof node === "number") throw fsError(what, original, node);
      else if (node.entries === null) {
        throw fsError(what, original, last && i === p.length ? Errno.EXIST : Errno.NOTDIR);
      }
    }
  }

  /** Removes seam path `p` (never the root): a file or symlink, an empty directory, or a whole tree. */
  #remove(p: string, recursive: boolean): Errno {
    const node = inside.lookup(this.fs, p, false);
    if (typeof node === "number") return node;
    if (node.entries === null) return this.fs.unlink(p);
    if (recursive) {
      for (const name of [...node.entries.keys()]) {
        const e = this.#remove(p + "/" + name, true);
        if (e !== Errno.SUCCESS) return e;
      }
    }
    return this.fs.rmdir(p);
  }
}

/** Flags for the JS-side `writeFile`. */
const WRITE_FLAGS: OpenFlags = openFlags({ write: true, create: true, truncate: true });

/** An open file or directory of a MemoryFs; it keeps its inode alive after the last link goes. */
class MemoryHandle implements FileHandle {
  readonly #node: Inode;
  readonly #clock: Clock;
  readonly #space: Space;
  readonly #dev: bigint;
  readonly #readable: boolean;
  readonly #writable: boolean;
  #append: boolean;
  #pos = 0;
  #closed = false;
  /** The listing taken at the last readdir cookie 0. */
  #names: string[] | null = null;
  #nodes: Inode[] | null = null;

  constructor(node: Inode, clock: Clock, space: Space, dev: bigint, flags: OpenFlags) {
    this.#node = node;
    this.#clock = clock;
    this.#space = space;
    node.opens++;
    this.#dev = dev;
    this.#readable = flags.read;
    this.#writable = flags.write;
    this.#append = flags.append;
  }

  read(dst: Uint8Array, pos?: number): IoResult {
    const node = this.#node;
    if (this.#closed) return -Errno.BADF;
    if (node.entries !== null) return -Errno.ISDIR;
    if (!this.#readable) return -Errno.BADF;
    const at = pos === undefined ? this.#pos : pos;
    if (at < 0) return -Errno.INVAL;
    if (at >= node.size) return 0;
    const n = Math.min(dst.length, node.size - at);
    const data = node.data;
    const stored = Math.max(0, Math.min(n, data.length - at)); // the rest of a sparse file reads as zeros
    if (stored > SMALL_COPY) dst.set(data.subarray(at, at + stored));
    else for (let k = 0; k < stored; k++) dst[k] = data[at + k];
    if (stored < n) dst.fill(0, stored, n);
    if (pos === undefined) this.#pos = at + n;
    return n;
  }

  write(src: Uint8Array, pos?: number): IoResult {
    const node = this.#node;
    if (this.#closed) return -Errno.BADF;
    if (node.entries !== null) return -Errno.ISDIR;
    if (!this.#writable) return -Errno.BADF;
    // In append mode every write goes to the end, a positional one too (Linux pwrite on O_APPEND).
    const at = this.#append ? node.size : pos === undefined ? this.#pos : pos;
    if (at < 0) return -Errno.INVAL;
    const n = src.length, end = at + n;
    if (end > MAX_SIZE) return -Errno.FBIG;
    if (n === 0) return 0;
    if (end > node.data.length) {
      const e = grow(node, end, this.#space);
      if (e !== Errno.SUCCESS) return -e;
    }
    node.data.set(src, at);
    if (end > node.size) node.size = end;
    this.#clock.touch(node);
    if (pos === undefined) this.#pos = end;
    return n;
  }

  seek(offset: number, whence: Whence): IoResult {
    if (this.#closed) return -Errno.BADF;
    let base: number;
    if (whence === Whence.SET) base = 0;
    else if (whence === Whence.CUR) base = this.#pos;
    else if (whence === Whence.END) base = this.#node.entries === null ? this.#node.size : 0;
    else return -Errno.INVAL;
    const to = base + offset;
    if (to < 0 || to > MAX_SIZE) return -Errno.INVAL;
    this.#pos = to;
    return to;
  }

  stat(out: Stat): Errno {
    if (this.#closed) return Errno.BADF;
    fill(this.#node, out, this.#dev, this.#clock);
    return Errno.SUCCESS;
  }

  truncate(size: number): Errno {
    if (this.#closed) return Errno.BADF;
    if (this.#node.entries !== null || !this.#writable || size < 0) return Errno.INVAL; // Linux ftruncate
    if (size > MAX_SIZE) return Errno.FBIG;
    setSize(this.#node, size, this.#clock, this.#space);
    return Errno.SUCCESS;
  }

  sync(): Errno {
    return this.#closed ? Errno.BADF : Errno.SUCCESS;
  }

  datasync(): Errno {
    return this.#closed ? Errno.BADF : Errno.SUCCESS;
  }

  close(): Errno {
    if (this.#closed) return Errno.BADF;
    this.#closed = true;
    this.#names = this.#nodes = null;
    this.#node.opens--;
    this.#space.release(this.#node);
    return Errno.SUCCESS;
  }

  readdir(cookie: bigint, out: DirentSink): Errno {
    if (this.#closed) return Errno.BADF;
    const entries = this.#node.entries;
    if (entries === null) return Errno.NOTDIR;
    if (cookie === 0n || this.#names === null) {
      this.#names = [...entries.keys()];
      this.#nodes = [...entries.values()];
    }
    const names = this.#names, nodes = this.#nodes!;
    for (let i = cookie < BigInt(names.length) ? Number(cookie) : names.length; i < names.length; i++) {
      if (!out(names[i], nodes[i].type, nodes[i].ino)) break;
    }
    return Errno.SUCCESS;
  }

  setAppend(on: boolean): Errno {
    if (this.#closed) return Errno.BADF;
    this.#append = on;
    return Errno.SUCCESS;
  }

  utimes(atimNs: bigint | null, mtimNs: bigint | null): Errno {
    if (this.#closed) return Errno.BADF;
    setTimes(this.#node, atimNs, mtimNs, this.#clock);
    return Errno.SUCCESS;
  }
}

function fill(node: Inode, out: Stat, dev: bigint, clock: Clock): void {
  clock.settle(node);
  out.dev = dev;
  out.ino = node.ino;
  out.filetype = node.type;
  out.nlink = node.nlink;
  out.size = node.entries === null ? node.size : 0;
  out.atimNs = node.atim;
  out.mtimNs = node.mtim;
  out.ctimNs = node.ctim;
  out.birthNs = node.birth;
}

function setTimes(node: Inode, atimNs: bigint | null, mtimNs: bigint | null, clock: Clock): void {
  clock.settle(node);
  if (atimNs !== null) node.atim = atimNs;
  if (mtimNs !== null) node.mtim = mtimNs;
  node.ctim = clock.now();
}

/** Sets a file's length: bytes past a smaller size are zeroed (or released), a larger size reads as zeros. */
function setSize(node: Inode, size: number, clock: Clock, space: Space): void {
  const data = node.data;
  if (size < node.size) {
    if (size === 0) node.data = EMPTY;
    else if (size * 4 < data.length) node.data = data.slice(0, size);
    else if (size < data.length) data.fill(0, size, Math.min(node.size, data.length));
    space.used -= data.length - node.data.length;
  }
  node.size = size;
  clock.touch(node);
}

/**
 * Grows a file's buffer to hold `end` bytes, doubling, within the capacity left; NOSPC past it (a write at 4 GiB
 * would otherwise allocate 4 GiB: decisions.md#memoryfs-capacity) or when the engine cannot allocate it.
 */
function grow(node: Inode, end: number, space: Space): Errno {
  const old = node.data;
  const room = space.capacity - space.used + old.length; // the most this file's buffer may hold
  if (end > room) return Errno.NOSPC;
  let next: Uint8Array;
  try {
    next = new Uint8Array(Math.min(Math.max(end, old.length * 2, 64), room));
  } catch {
    try {
      next = new Uint8Array(end);
    } catch {
      return Errno.NOSPC;
    }
  }
  next.set(old);
  space.used += next.length - old.length;
  node.data = next;
  return Errno.SUCCESS;
}

/** UTF-8 byte length of `s` without encoding it (a lone surrogate counts 3, as TextEncoder writes U+FFFD). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * A JS-side path ("/a/b", "a/b", "/") as a seam path ("a/b", ""): "." parts and repeated or trailing "/" are dropped.
 * Not a string, empty, a NUL or a ".." part: a TypeError.
 */
function jsPath(what: string, path: string): string {
  const bad = (why: string): TypeError => new TypeError(`MemoryFiles.${what}(${JSON.stringify(path)}): ${why}`);
  if (typeof path !== "string") {
    throw new TypeError(`MemoryFiles.${what}(): the path must be a string, not ${typeof path}`);
  }
  if (path === "") throw bad('the path is empty (the root is "/")');
  if (path.includes("\0")) throw bad("the path holds a NUL character");
  let out = "";
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") throw bad('".." is not allowed (paths are from the root of this MemoryFs)');
    out = out === "" ? part : out + "/" + part;
  }
  return out;
}

/** The Error of a failed JS-side call: names the call, the path and the errno (`code`: "ENOENT", …; `errno`: 44). */
function fsError(what: string, path: string, e: number): Error {
  const code = errnoName(e);
  return Object.assign(new Error(`MemoryFiles.${what}(${JSON.stringify(path)}): ${code}`), { code, errno: e });
}
