// The sandbox: a guest path -> a backend path inside its preopen, walked component by component.

import { Errno } from "./abi/errno.ts";
import { Filetype } from "./abi/consts.ts";
import type { FileSystem, Stat } from "./fs/types.ts";
import { PENDING } from "./pending.ts";

/** Most symlinks one resolution may follow before it is a loop (Linux's limit). */
const MAX_SYMLINKS = 40;
/** Longest file name in bytes (Linux's NAME_MAX), for every backend alike. */
const NAME_MAX = 255;
/**
 * Longest path in bytes, its NUL included (Linux's PATH_MAX): a guest path or symlink target of this many bytes or more
 * is NAMETOOLONG before it is even decoded, which also bounds the work of one walk (decisions.md#sandbox).
 */
export const PATH_MAX = 4096;
const utf8 = new TextEncoder();

/**
 * What a walk found at one backend path: the identity of the object there. The walk had looked at every name of the
 * path with `lstat`, each one a real directory but the last (decisions.md#sandbox-identity).
 */
interface Checked {
  dev: bigint;
  ino: bigint;
  birth: bigint;
}

/**
 * An object is recognised by identity only once its birth time is this much older than the walk that checked it:
 * an object made later (one that took over its inode number) then has another birth time, even on a filesystem
 * that keeps birth times in whole seconds (FAT: 2 s).
 */
const TRUST_AFTER_MS = 2000;
/** Most checked paths remembered per filesystem (the oldest is forgotten first). */
const MAX_CHECKED = 4096;
/** Not an errno: the shortcut cannot decide, the full walk will. */
const UNSURE = -1 as Errno;

/**
 * The paths checked on each filesystem object, shared by every resolver: what one found is verified again at each
 * use, so one walk may shorten another's.
 */
const checkedBy = new WeakMap<FileSystem, Map<string, Checked>>();

/**
 * Forgets every path checked on `fs`. The guest's own rename of a directory calls it: a path found again by
 * identity is used as the guest wrote it, and after `mv a b; ln -s b a` that path would run through the new symlink,
 * where a walk gives the path of the directory itself (which directory fds must hold: decisions.md#directory-fds).
 */
export function forgetChecked(fs: FileSystem): void {
  checkedBy.get(fs)?.clear();
}

/**
 * Resolves guest paths. Every component is looked at with `lstat` and every symlink is read and
 * followed here, never by a backend. The wall is the directory fd the call names: its path (`base`)
 * is walked first, from the preopen's root, and the guest path (with every symlink target spliced
 * into it) may then never climb above the depth the base reached (decisions.md#sandbox):
 *
 * ```
 *   guest "a/../b/link/x"   base "d"        (backend path of the dir fd: the floor is depth 1)
 *   stack [d] -> [d,a] -> [d] -> [d,b] -> link="../c" spliced in -> [d] -> [d,c] -> [d,c,x]
 *   ".." at the floor, an absolute path or an absolute symlink target -> PERM (as wasmtime)
 * ```
 *
 * One resolver per `State`; results are left in its fields so a call allocates only the strings.
 *
 * **The shortcut.** A walk remembers, per backend path it went through, the identity (device, inode, birth time) of
 * the object it found there. A later plain path (no "", "." or ".." name) is then looked at by identity instead of
 * name by name: one `lstat` of the whole path, when that finds the very object a walk checked at it (a directory, or
 * a file with no other name), or one `lstat` of the directory holding its last name and then one of the name. Any
 * other answer, or a final symlink to follow, and the path is walked in full (decisions.md#sandbox-identity).
 */
export class PathResolver {
  /** The resolved backend path ("" is the preopen root). */
  path = "";
  /** The path named a directory: it ended in "/", "." or "..". */
  dirOnly = false;
  /** The final component exists; then `stat` holds its metadata (of the link itself when not followed). */
  exists = false;
  /** The path named the directory fd's own directory (".", "a/..", a symlink to "."): nothing above it is reachable. */
  atBase = false;
  readonly #st: Stat;
  /** Birth times at or before this (ns) are old enough to trust; computed once per call when needed, else -1n. */
  #trustBefore = -1n;

  constructor(st: Stat) {
    this.#st = st;
  }

  /** The metadata of the final component when `exists` (shared scratch, valid until the next call). */
  get stat(): Stat {
    return this.#st;
  }

  /**
   * Resolves `guest` under `base` (a backend path of a directory of `fs`, walked again from the root: it
   * must still lead to a directory inside the preopen). With `follow`, a final symlink is followed too.
   * A missing final component is not an error (`exists` is false); a missing or non-directory
   * intermediate one is NOENT or NOTDIR; climbing above `base` is PERM.
   */
  resolve(fs: FileSystem, base: string, guest: string, follow: boolean): Errno {
    if (guest.length === 0) return Errno.NOENT;
    if (guest.includes("\0")) return Errno.INVAL;
    if (guest.charCodeAt(0) === 0x2f) return Errno.PERM; // absolute: wasmtime refuses with PERM
    let checked = checkedBy.get(fs);
    if (checked === undefined) checkedBy.set(fs, checked = new Map());
    this.#trustBefore = -1n;
    if (checked.size !== 0 && isPlain(guest)) {
      const e = this.#byIdentity(fs, checked, base === "" ? guest : base + "/" + guest, follow);
      if (e !== UNSURE) return e;
    }
    return this.#walk(fs, checked, base, guest, follow);
  }

  /**
   * The shortcut for the plain backend path `path`: the object a walk checked there, found again by identity, or the
   * directory a walk checked that holds its last name (then that name is looked at, as the walk would). UNSURE
   * when neither is found as it was: the full walk decides.
   */
  #byIdentity(fs: FileSystem, checked: Map<string, Checked>, path: string, follow: boolean): Errno {
    const st = this.#st;
    const whole = checked.get(path);
    if (whole !== undefined) {
      const e = lstat(fs, path, st);
      if (e === PENDING) return e;
      // A directory has one name, and so has a file with one link: the name reached is that object's own.
      if (e === Errno.SUCCESS && isSame(whole, st) && (st.filetype === Filetype.DIRECTORY || st.nlink === 1n)) {
        return this.#found(path, true);
      }
      checked.delete(path);
    }
    const cut = path.lastIndexOf("/");
    if (cut < 0) return UNSURE; // in the preopen's root: the walk is that one lstat
    const dirPath = path.substring(0, cut);
    const dir = checked.get(dirPath);
    if (dir === undefined) return UNSURE;
    let e = lstat(fs, dirPath, st);
    if (e === PENDING) return e;
    if (e !== Errno.SUCCESS || !isSameDirectory(dir, st)) {
      checked.delete(dirPath);
      return UNSURE;
    }
    // The directory is the one a walk checked: its entry is looked at as the walk's last step would.
    const nameLen = path.length - cut - 1;
    if (nameLen > NAME_MAX / 3 && utf8.encode(path.substring(cut + 1)).length > NAME_MAX) return Errno.NAMETOOLONG;
    e = lstat(fs, path, st);
    if (e === Errno.NOENT) return this.#found(path, false);
    if (e !== Errno.SUCCESS) return e;
    if (st.filetype === Filetype.SYMBOLIC_LINK && follow) return UNSURE; // the walk follows it, under its wall
    this.#note(checked, path, st);
    return this.#found(path, true);
  }

  /** The result of the shortcut: `path`, below the wall (a plain path never names the fd's own directory). */
  #found(path: string, exists: boolean): Errno {
    this.path = path;
    this.exists = exists;
    this.dirOnly = false;
    this.atBase = false;
    return Errno.SUCCESS;
  }

  /**
   * Remembers what the walk found at `path` (in `st`) when it can be recognised by identity later: a directory or a
   * file with one name (not a symlink: that is no place), born long enough ago.
   */
  #note(checked: Map<string, Checked>, path: string, st: Stat): void {
    const birth = st.birthNs;
    if (birth === 0n) return; // the backend gives no identity
    if (st.filetype !== Filetype.DIRECTORY && (st.nlink !== 1n || st.filetype === Filetype.SYMBOLIC_LINK)) return;
    const had = checked.get(path);
    if (had !== undefined && isSame(had, st)) return;
    if (this.#trustBefore < 0n) this.#trustBefore = BigInt(Date.now() - TRUST_AFTER_MS) * 1_000_000n;
    if (birth > this.#trustBefore) { // too young to tell from an object made after it
      if (had !== undefined) checked.delete(path);
      return;
    }
    if (had === undefined && checked.size >= MAX_CHECKED) checked.delete(checked.keys().next().value!);
    checked.set(path, { dev: st.dev, ino: st.ino, birth });
  }

  /** The full walk: every name looked at, from the preopen's root. */
  #walk(fs: FileSystem, checked: Map<string, Checked>, base: string, guest: string, follow: boolean): Errno {
    const st = this.#st;
    const stack: string[] = [];
    // The base (a directory fd's path) is walked as well, never trusted: since the fd was opened, a name on it may
    // have become a symlink (decisions.md#directory-fds). For a preopen's root ("") this costs nothing. Its components are
    // parts[0, baseEnd): they may climb no higher than the preopen's root (floor 0); once they are all walked, the
    // floor is the depth reached, and nothing of the guest path may climb above it (decisions.md#sandbox).
    const g = guest.split("/");
    let parts = base === "" ? g : base.split("/").concat(g);
    let baseEnd = parts.length - g.length;
    let floor = 0;
    let lastReal = lastRealIndex(parts);
    let links = 0;
    let statted = false; // st holds the final component's metadata
    this.exists = true;
    this.dirOnly = false;
    let i = 0;
    while (i < parts.length) {
      if (i === baseEnd) floor = stack.length; // the base is walked: the wall is where it led
      const c = parts[i++];
      const last = i > baseEnd && lastReal < i; // no real guest component follows

      statted = false;
      if (c === "" || c === ".") {
        if (last) this.dirOnly = true;
        continue;
      }
      if (c === "..") {
        if (stack.length <= floor) return Errno.PERM; // would climb above the directory fd (or the preopen)
        stack.pop();
        if (last) this.dirOnly = true;
        continue;
      }
      if (c.length > NAME_MAX / 3 && utf8.encode(c).length > NAME_MAX) return Errno.NAMETOOLONG;
      stack.push(c);
      const trailing = last && i < parts.length; // "name/" or "name/." : must be a directory
      const here = stack.join("/");
      if (last && !follow && !trailing) {
        const e = lstat(fs, here, st);
        if (e === Errno.NOENT) this.exists = false;
        else if (e !== Errno.SUCCESS) return e;
        else this.#note(checked, here, st);
        statted = true;
        break;
      }
      const e = lstat(fs, here, st);
      if (e === Errno.NOENT && last) {
        this.exists = false;
        if (trailing) this.dirOnly = true;
        break;
      }
      if (e !== Errno.SUCCESS) return e;
      if (st.filetype === Filetype.SYMBOLIC_LINK) {
        if (++links > MAX_SYMLINKS) return Errno.LOOP;
        const target = fs.readlink(here);
        if (typeof target !== "string") return target;
        if (target.length === 0) return Errno.NOENT;
        if (target.charCodeAt(0) === 0x2f) return Errno.PERM; // an absolute target names the host's root
        stack.pop();
        const spliced = target.split("/");
        // A link on the base's path: what is left of the base now starts after its target. A link in the guest path:
        // the base is long walked, and its target stays under the same floor.
        baseEnd = i <= baseEnd ? baseEnd - i + spliced.length : -1;
        parts = spliced.concat(parts.slice(i));
        lastReal = lastRealIndex(parts);
        i = 0;
        continue;
      }
      statted = true;
      if (!last || trailing) {
        if (st.filetype !== Filetype.DIRECTORY) return Errno.NOTDIR;
        if (trailing) this.dirOnly = true;
      }
      this.#note(checked, here, st);
    }
    this.path = stack.join("/");
    this.atBase = stack.length === floor;
    if (this.exists && !statted) {
      // The walk ended on ".", ".." or the base itself: a directory we stood in.
      const e = fs.stat(this.path, st, true);
      if (e !== Errno.SUCCESS) return e;
    }
    return Errno.SUCCESS;
  }
}

/** `lstat` into `st`, its birth time cleared first: a backend that does not fill it leaves it unknown, not stale. */
function lstat(fs: FileSystem, path: string, st: Stat): Errno {
  st.birthNs = 0n;
  return fs.stat(path, st, false);
}

/** Is `st` the object `c` was (device, inode and birth time)? */
function isSame(c: Checked, st: Stat): boolean {
  return c.ino === st.ino && c.dev === st.dev && c.birth === st.birthNs;
}

/** Is `st` the directory `c` was? (A checked file's path may be asked for as a directory.) */
function isSameDirectory(c: Checked, st: Stat): boolean {
  return isSame(c, st) && st.filetype === Filetype.DIRECTORY;
}

/** A relative path with no empty, "." or ".." name (and so no trailing "/"): every name is a step down. */
function isPlain(p: string): boolean {
  let start = 0;
  for (let i = 0; i <= p.length; i++) {
    if (i < p.length && p.charCodeAt(i) !== 0x2f) continue;
    const n = i - start;
    if (n === 0) return false;
    if (n <= 2 && p.charCodeAt(start) === 0x2e && (n === 1 || p.charCodeAt(start + 1) === 0x2e)) return false;
    start = i + 1;
  }
  return true;
}

/** The index of the last real component (not "" or ".") of `parts`, or -1. */
function lastRealIndex(parts: readonly string[]): number {
  let j = parts.length - 1;
  while (j >= 0 && (parts[j] === "" || parts[j] === ".")) j--;
  return j;
}
