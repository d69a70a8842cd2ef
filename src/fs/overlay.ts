// overlay(lower, upper): a writable filesystem over a read-only one (copy-up on first write, whiteouts for removals).

import { Errno } from "../abi/errno.ts";
import { Filetype, type Whence } from "../abi/consts.ts";
import {
  type AsyncFileHandle,
  type AsyncFileSystem,
  type DirentSink,
  type FileHandle,
  type FileSystem,
  type IoResult,
  isAsyncFs,
  isPromise,
  type MaybeAsync,
  newStat,
  type OpenFlags,
  openFlags,
  type Stat,
} from "./types.ts";

type Lower = FileSystem | AsyncFileSystem;
type AnyHandle = FileHandle | AsyncFileHandle;
/** A compound operation: yields backend answers (maybe promises), gets them back settled. */
type Steps<T> = Generator<MaybeAsync<unknown>, T, unknown>;

/** Runs `steps`: synchronously while every answer is a value, as a promise from the first promise on. */
function drive<T>(steps: Steps<T>): MaybeAsync<T> {
  let r = steps.next();
  while (!r.done) {
    const v = r.value;
    if (isPromise(v)) {
      return (async () => {
        let x: unknown = await v;
        for (;;) {
          r = steps.next(x);
          if (r.done) return r.value;
          x = isPromise(r.value) ? await r.value : r.value;
        }
      })();
    }
    r = steps.next(v);
  }
  return r.value;
}

/** `f(v)` now, or when `v` settles. */
function then<A, B>(v: MaybeAsync<A>, f: (a: A) => B): MaybeAsync<B> {
  return isPromise(v) ? Promise.resolve(v).then(f) : f(v);
}

/** Each overlay is its own device; inodes are the layers' (upper 2n, lower 2n + 1), so they never collide. */
let nextDev = 0x4f56_0000n;
const RD = openFlags({ read: true });
const RD_DIR = openFlags({ read: true, directory: true });
const NEW_FILE = openFlags({ write: true, create: true, exclusive: true });

/**
 * A writable filesystem over a read-only one, as Linux's overlayfs: a path is looked up in `upper` first, then in
 * `lower`; a directory in both is merged. The first write to a file of `lower` (an open for writing, a truncate, new
 * times, a link) copies it up whole, with its times; removing something of `lower` leaves a whiteout (kept in memory)
 * that hides it, and a directory made where one was removed hides what `lower` had there. Renaming a directory of
 * `lower` is EXDEV (as overlayfs without redirect_dir: `mv` copies then). `upper` must be synchronous (a `MemoryFs`);
 * the overlay is async when `lower` is (a `FetchFs`), and answers synchronously whenever `lower` does.
 *
 * @example A guest writes beside a fetched tree
 * ```ts
 * import { FetchFs, MemoryFs, overlay, Wasi } from "@hostcall/wasi";
 * const tree = await FetchFs.fromUrl("https://example.com/tree/fetchfs.json");
 * const root = overlay(tree, new MemoryFs());
 * const wasi = new Wasi({ async: true, args: ["app"], preopens: { "/": root } });
 * ```
 */
export function overlay(lower: AsyncFileSystem, upper: FileSystem): AsyncFileSystem;
/** `upper` over a synchronous `lower`: a synchronous FileSystem (see above). */
export function overlay(lower: FileSystem, upper: FileSystem): FileSystem;
export function overlay(lower: Lower, upper: FileSystem): FileSystem | AsyncFileSystem {
  if (lower === null || typeof lower !== "object" || typeof lower.open !== "function") {
    throw new TypeError("overlay(): lower must be a FileSystem");
  }
  if (upper === null || typeof upper !== "object" || typeof upper.open !== "function") {
    throw new TypeError("overlay(): upper must be a FileSystem");
  }
  if (isAsyncFs(upper as FileSystem | AsyncFileSystem)) {
    throw new TypeError("overlay(): upper must be synchronous (a MemoryFs)");
  }
  return new OverlayFs(lower, upper) as unknown as FileSystem | AsyncFileSystem;
}

class OverlayFs {
  readonly async: boolean;
  readonly lower: Lower;
  readonly upper: FileSystem;
  readonly dev: bigint = nextDev++;
  /** Paths whose `lower` side (and all below it) is hidden: whiteouts, and directories made over one. */
  readonly #hidden = new Set<string>();
  /** Copy-ups in flight, by path (two waiting calls wanting one share it). */
  readonly #copying = new Map<string, MaybeAsync<Errno>>();

  constructor(lower: Lower, upper: FileSystem) {
    this.lower = lower;
    this.upper = upper;
    this.async = isAsyncFs(lower);
  }

  /** Whether `lower` may show `path` (no whiteout at it or above it). */
  lowerSees(path: string): boolean {
    const h = this.#hidden;
    if (h.size === 0) return true;
    if (h.has(path)) return false;
    for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) if (h.has(path.slice(0, i))) return false;
    return true;
  }

  /** The inode as the overlay shows it. */
  remap(out: Stat, fromUpper: boolean): void {
    out.dev = this.dev;
    out.ino = out.ino * 2n + (fromUpper ? 0n : 1n);
  }

  /** Where `path` is: "upper", "lower", or an errno (NOENT, NOTDIR…); fills `out` with its metadata (not remapped). */
  locate(path: string, out: Stat): MaybeAsync<"upper" | "lower" | Errno> {
    const e = this.upper.stat(path, out, false);
    if (e === Errno.SUCCESS) return "upper";
    if (e !== Errno.NOENT || !this.lowerSees(path)) return e;
    return then(this.lower.stat(path, out, false), (l) => (l === Errno.SUCCESS ? "lower" : l));
  }

  stat(path: string, out: Stat, follow: boolean): MaybeAsync<Errno> {
    return drive(this.#stat(path, out, follow));
  }

  *#stat(path: string, out: Stat, follow: boolean): Steps<Errno> {
    for (let hops = 0;; hops++) {
      const where = (yield this.locate(path, out)) as "upper" | "lower" | Errno;
      if (typeof where === "number") return where;
      if (!follow || out.filetype !== Filetype.SYMBOLIC_LINK) {
        this.remap(out, where === "upper");
        return Errno.SUCCESS;
      }
      if (hops >= 40) return Errno.LOOP;
      const target = (yield this.readlink(path)) as string | Errno;
      if (typeof target === "number") return target;
      if (target.startsWith("/")) return Errno.NOENT;
      path = joinTarget(path, target);
    }
  }

  readlink(path: string): MaybeAsync<string | Errno> {
    const r = this.upper.readlink(path);
    if (r !== Errno.NOENT || !this.lowerSees(path)) return r;
    return this.lower.readlink(path);
  }

  open(path: string, flags: OpenFlags): MaybeAsync<AnyHandle | Errno> {
    return drive(this.#open(path, { ...flags }));
  }

  *#open(path: string, flags: OpenFlags): Steps<AnyHandle | Errno> {
    const st = newStat();
    const where = (yield this.locate(path, st)) as "upper" | "lower" | Errno;
    const writes = flags.write || flags.truncate || flags.append;
    if (where === "upper") {
      const h = this.upper.open(path, flags);
      if (typeof h === "number") return h;
      if (st.filetype !== Filetype.DIRECTORY) return new Layered(this, h, true, path);
      return new MergedDir(this, path, h, this.lowerSees(path) ? yield* this.#lowerDir(path) : null);
    }
    if (where === "lower") {
      if (flags.create && flags.exclusive) return Errno.EXIST;
      if (st.filetype === Filetype.SYMBOLIC_LINK) return Errno.LOOP;
      if (st.filetype === Filetype.DIRECTORY) {
        if (writes) return Errno.ISDIR;
        return new MergedDir(this, path, null, yield* this.#lowerDir(path));
      }
      if (flags.directory) return Errno.NOTDIR;
      if (!writes) {
        const h = (yield this.lower.open(path, RD)) as AnyHandle | Errno;
        return typeof h === "number" ? h : new Layered(this, h, false, path);
      }
      if (flags.truncate) { // emptied anyway: nothing to copy but the place
        const p = yield* this.#parentUp(path);
        if (p !== Errno.SUCCESS) return p;
        const h = this.upper.open(path, { ...flags, create: true });
        return typeof h === "number" ? h : new Layered(this, h, true, path);
      }
      const e = (yield this.copyUp(path)) as Errno;
      if (e !== Errno.SUCCESS) return e;
      const h = this.upper.open(path, flags);
      return typeof h === "number" ? h : new Layered(this, h, true, path);
    }
    if (where !== Errno.NOENT || !flags.create) return where;
    const e = (yield* this.#parentUp(path)) as Errno;
    if (e !== Errno.SUCCESS) return e;
    const h = this.upper.open(path, flags);
    return typeof h === "number" ? h : new Layered(this, h, true, path);
  }

  /** A handle on `lower`'s directory at `path`, or null when it has none there. */
  *#lowerDir(path: string): Steps<AnyHandle | null> {
    const h = (yield this.lower.open(path, RD_DIR)) as AnyHandle | Errno;
    return typeof h === "number" ? null : h;
  }

  /**
   * Makes the parent directory of `path` exist in `upper` (copying up the directories of `lower` on the way): SUCCESS,
   * or NOENT/NOTDIR when the parent does not exist as a directory in the overlay.
   */
  *#parentUp(path: string): Steps<Errno> {
    const i = path.lastIndexOf("/");
    return i < 0 ? Errno.SUCCESS : yield* this.#dirUp(path.slice(0, i));
  }

  /** Makes the directory `dir` of the overlay exist in `upper` too. */
  *#dirUp(dir: string): Steps<Errno> {
    const st = newStat();
    const where = (yield this.locate(dir, st)) as "upper" | "lower" | Errno;
    if (typeof where === "number") return where;
    if (st.filetype !== Filetype.DIRECTORY) return Errno.NOTDIR;
    if (where === "upper") return Errno.SUCCESS;
    const mtim = st.mtimNs, atim = st.atimNs;
    const e = yield* this.#parentUp(dir);
    if (e !== Errno.SUCCESS) return e;
    const m = this.upper.mkdir(dir);
    if (m !== Errno.SUCCESS && m !== Errno.EXIST) return m;
    this.upper.utimes(dir, atim, mtim, false);
    return Errno.SUCCESS;
  }

  /**
   * Copies the file or symlink `path` of `lower` up into `upper` (whole, with its times): its bytes are read first and
   * then written in one go, so nobody sees half a copy. SUCCESS when it is in `upper` (already, or now).
   */
  copyUp(path: string): MaybeAsync<Errno> {
    const running = this.#copying.get(path);
    if (running !== undefined) return running;
    const r = drive(this.#copyUp(path));
    if (isPromise(r)) {
      const p = Promise.resolve(r).finally(() => this.#copying.delete(path));
      this.#copying.set(path, p);
      return p;
    }
    return r;
  }

  *#copyUp(path: string): Steps<Errno> {
    const st = newStat();
    const where = (yield this.locate(path, st)) as "upper" | "lower" | Errno;
    if (where !== "lower") return typeof where === "number" ? where : Errno.SUCCESS;
    if (st.filetype === Filetype.DIRECTORY) return yield* this.#dirUp(path);
    let data: Uint8Array | string;
    if (st.filetype === Filetype.SYMBOLIC_LINK) {
      const t = (yield this.lower.readlink(path)) as string | Errno;
      if (typeof t === "number") return t;
      data = t;
    } else {
      const h = (yield this.lower.open(path, RD)) as AnyHandle | Errno;
      if (typeof h === "number") return h;
      const bytes = new Uint8Array(st.size);
      let at = 0, e: Errno = Errno.SUCCESS;
      while (at < bytes.length) {
        const n = (yield h.read(bytes.subarray(at), at)) as number;
        if (n < 0) e = -n as Errno;
        if (n <= 0) break;
        at += n;
      }
      const c = h.close();
      if (isPromise(c)) c.then(() => {}, () => {});
      if (e !== Errno.SUCCESS) return e;
      if (at < bytes.length) return Errno.IO; // shorter than it said
      data = bytes;
    }
    const p = yield* this.#parentUp(path);
    if (p !== Errno.SUCCESS) return p;
    // From here all is synchronous: the copy appears whole, or (someone was quicker) not at all.
    if (this.upper.stat(path, st, false) === Errno.SUCCESS) return Errno.SUCCESS;
    const up = this.upper;
    if (typeof data === "string") {
      const e = up.symlink(data, path);
      if (e !== Errno.SUCCESS) return e;
    } else {
      const h = up.open(path, NEW_FILE);
      if (typeof h === "number") return h;
      const n = h.write(data);
      h.close();
      if (n !== data.length) {
        up.unlink(path);
        return n < 0 ? -n as Errno : Errno.NOSPC;
      }
    }
    up.utimes(path, st.atimNs, st.mtimNs, false);
    return Errno.SUCCESS;
  }

  /** Whether the directory at `path` has nothing in it, upper and lower together. */
  *#empty(path: string, where: "upper" | "lower"): Steps<boolean> {
    let any = false;
    if (where === "upper") {
      const h = this.upper.open(path, RD_DIR);
      if (typeof h !== "number") {
        h.readdir(0n, () => (any = true, false));
        h.close();
      }
      if (any) return false;
    }
    if (!this.lowerSees(path)) return true;
    const l = (yield this.lower.open(path, RD_DIR)) as AnyHandle | Errno;
    if (typeof l === "number") return true;
    const prefix = path === "" ? "" : path + "/";
    yield l.readdir(0n, (name) => {
      if (this.lowerSees(prefix + name)) any = true;
      return !any;
    });
    const c = l.close();
    if (isPromise(c)) c.then(() => {}, () => {});
    return !any;
  }

  mkdir(path: string): MaybeAsync<Errno> {
    return drive(this.#mkdir(path));
  }

  *#mkdir(path: string): Steps<Errno> {
    const where = (yield this.locate(path, newStat())) as "upper" | "lower" | Errno;
    if (typeof where !== "number") return Errno.EXIST;
    if (where !== Errno.NOENT) return where;
    const e = yield* this.#parentUp(path);
    return e !== Errno.SUCCESS ? e : this.upper.mkdir(path); // over a whiteout, the whiteout stays: lower is hidden
  }

  rmdir(path: string): MaybeAsync<Errno> {
    return drive(this.#remove(path, true));
  }

  unlink(path: string): MaybeAsync<Errno> {
    return drive(this.#remove(path, false));
  }

  *#remove(path: string, dir: boolean): Steps<Errno> {
    const st = newStat();
    const where = (yield this.locate(path, st)) as "upper" | "lower" | Errno;
    if (typeof where === "number") return where;
    const isDir = st.filetype === Filetype.DIRECTORY;
    if (dir && !isDir) return Errno.NOTDIR;
    if (!dir && isDir) return Errno.ISDIR;
    if (dir && path === "") return Errno.BUSY;
    if (dir && !(yield* this.#empty(path, where))) return Errno.NOTEMPTY;
    if (where === "upper") {
      const e = dir ? this.upper.rmdir(path) : this.upper.unlink(path);
      if (e !== Errno.SUCCESS) return e;
    }
    if (this.lowerSees(path)) {
      const l = (yield this.lower.stat(path, st, false)) as Errno;
      if (l === Errno.SUCCESS) this.#hidden.add(path);
    }
    return Errno.SUCCESS;
  }

  rename(from: string, to: string): MaybeAsync<Errno> {
    return drive(this.#rename(from, to));
  }

  *#rename(from: string, to: string): Steps<Errno> {
    const sf = newStat(), stt = newStat();
    const wf = (yield this.locate(from, sf)) as "upper" | "lower" | Errno;
    if (typeof wf === "number") return wf;
    const fromDir = sf.filetype === Filetype.DIRECTORY;
    const wt = (yield this.locate(to, stt)) as "upper" | "lower" | Errno;
    if (typeof wt === "number" && wt !== Errno.NOENT) return wt;
    if (from === to) return Errno.SUCCESS;
    if (fromDir && (to + "/").startsWith(from + "/")) return Errno.INVAL;
    const probe = newStat();
    if (fromDir && (wf === "lower" || (this.lowerSees(from) && (yield this.lower.stat(from, probe, false)) === 0))) {
      return Errno.XDEV; // a directory of lower cannot move (overlayfs without redirect_dir): mv copies instead
    }
    if (typeof wt !== "number") {
      const toDir = stt.filetype === Filetype.DIRECTORY;
      if (fromDir && !toDir) return Errno.NOTDIR;
      if (!fromDir && toDir) return Errno.ISDIR;
      if (toDir && !(yield* this.#empty(to, wt))) return Errno.NOTEMPTY;
      if (wt === "upper" && (yield this.#sameUpperFile(from, to))) return Errno.SUCCESS;
    }
    if (wf === "lower") {
      const e = (yield this.copyUp(from)) as Errno;
      if (e !== Errno.SUCCESS) return e;
    }
    let e = yield* this.#parentUp(to);
    if (e !== Errno.SUCCESS) return e;
    if (wt === "lower" && stt.filetype === Filetype.DIRECTORY) {
      this.#hidden.add(to); // an empty directory of lower, replaced
    }
    e = this.upper.rename(from, to);
    if (e !== Errno.SUCCESS) return e;
    if (this.lowerSees(from) && (yield this.lower.stat(from, probe, false)) === Errno.SUCCESS) this.#hidden.add(from);
    if (this.lowerSees(to) && (yield this.lower.stat(to, probe, false)) === Errno.SUCCESS) this.#hidden.add(to);
    return Errno.SUCCESS;
  }

  /** Two names of one upper file (rename between them changes nothing, as POSIX). */
  #sameUpperFile(a: string, b: string): boolean {
    const x = newStat(), y = newStat();
    return this.upper.stat(a, x, false) === Errno.SUCCESS && this.upper.stat(b, y, false) === Errno.SUCCESS &&
      x.ino === y.ino && x.dev === y.dev;
  }

  link(from: string, to: string): MaybeAsync<Errno> {
    return drive(this.#link(from, to));
  }

  *#link(from: string, to: string): Steps<Errno> {
    const st = newStat();
    const wf = (yield this.locate(from, st)) as "upper" | "lower" | Errno;
    if (typeof wf === "number") return wf;
    const wt = (yield this.locate(to, newStat())) as "upper" | "lower" | Errno;
    if (typeof wt !== "number") return Errno.EXIST;
    if (wt !== Errno.NOENT) return wt;
    if (st.filetype === Filetype.DIRECTORY) return Errno.PERM;
    if (wf === "lower") {
      const e = (yield this.copyUp(from)) as Errno;
      if (e !== Errno.SUCCESS) return e;
    }
    const e = yield* this.#parentUp(to);
    return e !== Errno.SUCCESS ? e : this.upper.link(from, to);
  }

  symlink(target: string, path: string): MaybeAsync<Errno> {
    return drive(this.#symlink(target, path));
  }

  *#symlink(target: string, path: string): Steps<Errno> {
    const where = (yield this.locate(path, newStat())) as "upper" | "lower" | Errno;
    if (typeof where !== "number") return Errno.EXIST;
    if (where !== Errno.NOENT) return where;
    const e = yield* this.#parentUp(path);
    return e !== Errno.SUCCESS ? e : this.upper.symlink(target, path);
  }

  utimes(path: string, atimNs: bigint | null, mtimNs: bigint | null, follow: boolean): MaybeAsync<Errno> {
    return drive(this.#utimes(path, atimNs, mtimNs, follow));
  }

  *#utimes(path: string, atimNs: bigint | null, mtimNs: bigint | null, follow: boolean): Steps<Errno> {
    const st = newStat();
    for (let hops = 0; follow; hops++) { // follow a final symlink through the overlay itself
      const w = (yield this.locate(path, st)) as "upper" | "lower" | Errno;
      if (typeof w === "number") return w;
      if (st.filetype !== Filetype.SYMBOLIC_LINK) break;
      if (hops >= 40) return Errno.LOOP;
      const t = (yield this.readlink(path)) as string | Errno;
      if (typeof t === "number") return t;
      path = joinTarget(path, t);
    }
    const e = (yield this.copyUp(path)) as Errno;
    return e !== Errno.SUCCESS ? e : this.upper.utimes(path, atimNs, mtimNs, false);
  }
}

/** The path a symlink at `linkPath` names with `target` (".." at the root stays there: the sandbox refused it). */
function joinTarget(linkPath: string, target: string): string {
  const parts = linkPath.split("/");
  parts.pop();
  for (const c of target.split("/")) {
    if (c === "..") parts.pop();
    else if (c !== "" && c !== ".") parts.push(c);
  }
  return parts.join("/");
}

/** A file handle of one layer, with the overlay's device and inode; a lower one is read-only. */
class Layered implements AsyncFileHandle {
  readonly #fs: OverlayFs;
  readonly #h: AnyHandle;
  readonly #upper: boolean;
  readonly #path: string;

  constructor(fs: OverlayFs, h: AnyHandle, upper: boolean, path: string) {
    this.#fs = fs;
    this.#h = h;
    this.#upper = upper;
    this.#path = path;
  }

  read(dst: Uint8Array, pos?: number): MaybeAsync<IoResult> {
    return this.#h.read(dst, pos);
  }
  write(src: Uint8Array, pos?: number): MaybeAsync<IoResult> {
    return this.#upper ? this.#h.write(src, pos) : -Errno.BADF; // a lower file is opened only for reading
  }
  seek(offset: number, whence: Whence): MaybeAsync<IoResult> {
    return this.#h.seek(offset, whence);
  }
  stat(out: Stat): MaybeAsync<Errno> {
    return then(this.#h.stat(out), (e) => {
      if (e === Errno.SUCCESS) this.#fs.remap(out, this.#upper);
      return e;
    });
  }
  truncate(size: number): MaybeAsync<Errno> {
    return this.#upper ? this.#h.truncate(size) : Errno.INVAL; // Linux ftruncate on a read-only descriptor
  }
  sync(): MaybeAsync<Errno> {
    return this.#h.sync();
  }
  datasync(): MaybeAsync<Errno> {
    return this.#h.datasync();
  }
  close(): MaybeAsync<Errno> {
    return this.#h.close();
  }
  readdir(cookie: bigint, out: DirentSink): MaybeAsync<Errno> {
    return this.#h.readdir(cookie, out);
  }
  setAppend(on: boolean): MaybeAsync<Errno> {
    return this.#upper ? this.#h.setAppend(on) : Errno.SUCCESS;
  }
  utimes(atimNs: bigint | null, mtimNs: bigint | null): MaybeAsync<Errno> {
    return this.#upper ? this.#h.utimes(atimNs, mtimNs) : this.#fs.utimes(this.#path, atimNs, mtimNs, false);
  }
}

/** A directory of the overlay: its upper and lower listings merged (upper first, whiteouts left out). */
class MergedDir implements AsyncFileHandle {
  readonly #fs: OverlayFs;
  readonly #path: string;
  readonly #upper: FileHandle | null;
  readonly #lower: AnyHandle | null;
  #closed = false;
  /** The listing taken at the last cookie 0. */
  #names: string[] = [];
  #types: Filetype[] = [];
  #inos: bigint[] = [];
  #listed = false;

  constructor(fs: OverlayFs, path: string, upper: FileHandle | null, lower: AnyHandle | null) {
    this.#fs = fs;
    this.#path = path;
    this.#upper = upper;
    this.#lower = lower;
  }

  read(): IoResult {
    return this.#closed ? -Errno.BADF : -Errno.ISDIR;
  }
  write(): IoResult {
    return this.#closed ? -Errno.BADF : -Errno.ISDIR;
  }
  seek(): IoResult {
    return this.#closed ? -Errno.BADF : 0;
  }
  stat(out: Stat): MaybeAsync<Errno> {
    return this.#closed ? Errno.BADF : this.#fs.stat(this.#path, out, false);
  }
  truncate(): Errno {
    return this.#closed ? Errno.BADF : Errno.INVAL;
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
    this.#upper?.close();
    const c = this.#lower?.close();
    if (isPromise(c)) c.then(() => {}, () => {});
    return Errno.SUCCESS;
  }
  setAppend(): Errno {
    return this.#closed ? Errno.BADF : Errno.SUCCESS;
  }
  utimes(atimNs: bigint | null, mtimNs: bigint | null): MaybeAsync<Errno> {
    return this.#closed ? Errno.BADF : this.#fs.utimes(this.#path, atimNs, mtimNs, false);
  }

  readdir(cookie: bigint, out: DirentSink): MaybeAsync<Errno> {
    if (this.#closed) return Errno.BADF;
    const emit = (): Errno => {
      const names = this.#names;
      for (let i = cookie < BigInt(names.length) ? Number(cookie) : names.length; i < names.length; i++) {
        if (!out(names[i], this.#types[i], this.#inos[i])) break;
      }
      return Errno.SUCCESS;
    };
    if (cookie !== 0n && this.#listed) return emit();
    return then(this.#list(), (e) => (e === Errno.SUCCESS ? emit() : e));
  }

  /** Takes a fresh listing: upper's entries, then lower's that upper does not have and no whiteout hides. */
  #list(): MaybeAsync<Errno> {
    const names: string[] = [], types: Filetype[] = [], inos: bigint[] = [];
    const seen = new Set<string>();
    if (this.#upper !== null) {
      const e = this.#upper.readdir(0n, (name, type, ino) => {
        names.push(name);
        types.push(type);
        inos.push(ino * 2n);
        seen.add(name);
        return true;
      });
      if (e !== Errno.SUCCESS) return e;
    }
    const done = (e: Errno): Errno => {
      if (e !== Errno.SUCCESS) return e;
      this.#names = names;
      this.#types = types;
      this.#inos = inos;
      this.#listed = true;
      return Errno.SUCCESS;
    };
    const fs = this.#fs;
    if (this.#lower === null || !fs.lowerSees(this.#path)) return done(Errno.SUCCESS);
    const prefix = this.#path === "" ? "" : this.#path + "/";
    return then(
      this.#lower.readdir(0n, (name, type, ino) => {
        if (!seen.has(name) && fs.lowerSees(prefix + name)) {
          names.push(name);
          types.push(type);
          inos.push(ino * 2n + 1n);
        }
        return true;
      }),
      done,
    );
  }
}
