// The sandbox: a guest path -> a backend path inside its preopen, walked component by component.

import { Errno } from "./abi/errno.ts";
import { Filetype } from "./abi/consts.ts";
import type { FileSystem, Stat } from "./fs/types.ts";

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
      if (last && !follow && !trailing) {
        const e = fs.stat(stack.join("/"), st, false);
        if (e === Errno.NOENT) this.exists = false;
        else if (e !== Errno.SUCCESS) return e;
        statted = true;
        break;
      }
      const here = stack.join("/");
      const e = fs.stat(here, st, false);
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

/** The index of the last real component (not "" or ".") of `parts`, or -1. */
function lastRealIndex(parts: readonly string[]): number {
  let j = parts.length - 1;
  while (j >= 0 && (parts[j] === "" || parts[j] === ".")) j--;
  return j;
}
