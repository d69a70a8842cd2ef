// THE SEAM: the synchronous, POSIX-shaped, WASI-free filesystem interface that backends implement (and, at the end,
// its async form for async mode).
//
// The contract, for every backend (Deno, node:fs, memory) alike:
// - Paths are relative to the backend's root, "/"-separated, with no "", "." or ".." component and no
//   leading or trailing "/"; the root itself is "". `src/path.ts` resolves every symlink in a guest path
//   itself, so a backend never follows one except where a method says `follow`, and is never trusted
//   with containment. A backend must not follow a symlink in `open` (callers pass resolved paths).
// - Nothing throws across the seam: failures are `Errno` values (or negated ones in an `IoResult`),
//   mapped from the runtime's errors by one `toErrno` per backend. A denial by Deno's permissions is
//   ACCES. An unexpected error (a bug) may be rethrown.
// - `open` of a directory (with or without `flags.directory`) gives a handle whose `readdir`, `stat`,
//   `sync`, `utimes` and `close` work; its `read`/`write` answer ISDIR. `flags.directory` on anything
//   else is NOTDIR.
// - `readdir(cookie, sink)`: the entries without "." and "..", in a stable order. Cookie n means "from
//   the n-th entry of the listing"; cookie 0 takes a fresh listing, any other cookie continues the one
//   taken at the last cookie 0 (so cookies stay valid while entries are created). The sink returns
//   false to stop early.
// - Times are ns since the epoch as bigint; `null` leaves a time unchanged.
// - Two FileSystem objects are two filesystems (a rename or link between them is XDEV), unless the source's optional
//   `renameInto`/`linkInto` says otherwise: two backends of one kind over one host (two DenoFs, two NodeFs) are views
//   of the host's own filesystem, and there the host decides (XDEV across devices). Both paths arrive resolved and
//   sandboxed, each inside its own root, as for `rename` and `link`.

import type { Errno } from "../abi/errno.ts";
import type { Filetype, Whence } from "../abi/consts.ts";

/** A byte count or offset (>= 0), or a negated `Errno`. */
export type IoResult = number;

/** File metadata, owned by the caller and reused across calls (no allocation per stat). */
export interface Stat {
  /** Device id. */
  dev: bigint;
  /** Inode number, unique within `dev`. */
  ino: bigint;
  /** What kind of file this is. */
  filetype: Filetype;
  /** Hard link count. */
  nlink: bigint;
  /** Size in bytes. */
  size: number;
  /** Last access, ns since the epoch. */
  atimNs: bigint;
  /** Last data modification, ns since the epoch. */
  mtimNs: bigint;
  /** Last status change, ns since the epoch. */
  ctimNs: bigint;
  /**
   * When the object was made, ns since the epoch (the host's birth time), or 0n when the backend cannot say. With
   * `dev` and `ino` it tells an object from a later one given the same inode number: `src/path.ts` recognises a
   * directory it checked before by these three (decisions.md#sandbox-identity); a backend that leaves it 0n has its
   * paths walked in full at every call.
   */
  birthNs: bigint;
}

/** A fresh zeroed `Stat`. */
export function newStat(): Stat {
  return { dev: 0n, ino: 0n, filetype: 0, nlink: 0n, size: 0, atimNs: 0n, mtimNs: 0n, ctimNs: 0n, birthNs: 0n };
}

/** How a backend opens a path (already resolved and sandboxed by `src/path.ts`). */
export interface OpenFlags {
  /** Open for reading. */
  read: boolean;
  /** Open for writing. */
  write: boolean;
  /** Create the file if it does not exist (O_CREAT). */
  create: boolean;
  /** With `create`: fail with EXIST if it exists (O_EXCL). */
  exclusive: boolean;
  /** Truncate to zero length (O_TRUNC). */
  truncate: boolean;
  /** Every write goes to the end (O_APPEND). */
  append: boolean;
  /** Must be a directory (O_DIRECTORY). */
  directory: boolean;
  /**
   * What the caller's `lstat` found at `path` just before (`src/path.ts` looks at every component), or
   * `undefined` when it did not look or found nothing. A backend that would `lstat` again only to refuse a
   * final symlink may trust it: both look before opening, so the race with a concurrent swap is the same.
   */
  seen?: Filetype;
}

/** Open flags with every field false, then those in `set` (the one place that spells them all out). */
export function openFlags(set: Partial<OpenFlags> = {}): OpenFlags {
  return {
    read: false,
    write: false,
    create: false,
    exclusive: false,
    truncate: false,
    append: false,
    directory: false,
    seen: undefined,
    ...set,
  };
}

/** Receives directory entries; returns false to stop early. */
export type DirentSink = (name: string, filetype: Filetype, ino: bigint) => boolean;

/** A filesystem rooted at a preopen. Paths are relative to its root, normalised, without `..`. */
export interface FileSystem {
  /** Opens a file or directory; a handle, or an errno. */
  open(path: string, flags: OpenFlags): FileHandle | Errno;
  /** Fills `out` with the metadata of `path` (of a final symlink itself unless `follow`). */
  stat(path: string, out: Stat, follow: boolean): Errno;
  /** Creates a directory. */
  mkdir(path: string): Errno;
  /** Removes an empty directory. */
  rmdir(path: string): Errno;
  /** Removes a file or symlink. */
  unlink(path: string): Errno;
  /** Renames `from` to `to`, replacing a file or empty directory there (POSIX rename). */
  rename(from: string, to: string): Errno;
  /** Creates a hard link `to` for `from`. */
  link(from: string, to: string): Errno;
  /**
   * Optional: renames `from` (of this filesystem) to `to` of `dest`, another FileSystem object, when both are views
   * of one host filesystem; XDEV when `dest` is not one this backend can reach (and where the host says so). A
   * backend without it is a filesystem of its own: the caller answers XDEV.
   */
  renameInto?(from: string, dest: FileSystem, to: string): Errno;
  /** Optional: as `renameInto`, for a hard link `to` (in `dest`) of `from` (in this filesystem). */
  linkInto?(from: string, dest: FileSystem, to: string): Errno;
  /** Creates a symlink at `path` holding `target` verbatim. */
  symlink(target: string, path: string): Errno;
  /** The target of the symlink at `path`. */
  readlink(path: string): string | Errno;
  /** Sets times in ns (null: unchanged), on a final symlink itself unless `follow`. */
  utimes(path: string, atimNs: bigint | null, mtimNs: bigint | null, follow: boolean): Errno;
}

/** An open file or directory of a backend. */
export interface FileHandle {
  /** Reads into `dst` at the offset (moving it), or at `pos` (not moving it). */
  read(dst: Uint8Array, pos?: number): IoResult;
  /** Writes `src` at the offset (moving it), or at `pos` (not moving it). */
  write(src: Uint8Array, pos?: number): IoResult;
  /** Moves the offset; returns the new one. */
  seek(offset: number, whence: Whence): IoResult;
  /** Fills `out` with the file's metadata. */
  stat(out: Stat): Errno;
  /** Truncates or extends the file to `size` bytes. */
  truncate(size: number): Errno;
  /** Makes data and metadata durable. */
  sync(): Errno;
  /** Makes data durable. */
  datasync(): Errno;
  /** Closes the handle. */
  close(): Errno;
  /** Lists entries from `cookie` (an index) into `out` until it returns false. */
  readdir(cookie: bigint, out: DirentSink): Errno;
  /** Turns append mode on or off. */
  setAppend(on: boolean): Errno;
  /** Sets times in ns (null: unchanged). */
  utimes(atimNs: bigint | null, mtimNs: bigint | null): Errno;
}

// ---- The async seam (async mode only; decisions.md#async-filesystems) ----
//
// A filesystem whose bytes live elsewhere (a URL, an object store, a KV namespace) cannot answer at once. It declares
// `async: true` and then any method of it or of its handles may answer a promise of what the synchronous seam
// answers, with the same errno contract (a promise that rejects reads as EIO). Hostcall awaits it while the guest is
// suspended and runs the guest's call again from its first check (src/replay.ts answers the backend calls made before
// the wait from a log, so each backend call is made once). It needs `new Wasi({ async: true })`; only the calls that
// touch a filesystem are suspending then, and a synchronous answer costs no wait.
//
// What an async answer may keep, and until when:
// - `read(dst)`: `dst` is Hostcall's own buffer, filled until the promise settles (never guest memory).
// - `stat(out)`, `readdir(cookie, sink)`: `out` and `sink` are Hostcall's own, filled or called until it settles.
// - `write(src)`: `src` is valid only while the method runs: copy what the promise still needs.
// - `close()`: Hostcall does not wait for it (fd_close answers at once); make data durable in `sync`/`datasync`.

/** A value, or (from an async filesystem) a promise of it. */
export type MaybeAsync<T> = T | PromiseLike<T>;

/** A filesystem that may answer with promises (async mode): the methods of `FileSystem`, each possibly async. */
export interface AsyncFileSystem {
  /** The marker that tells Hostcall to await this filesystem's answers. */
  readonly async: true;
  /** As `FileSystem.open`; the handle may answer with promises too. */
  open(path: string, flags: OpenFlags): MaybeAsync<AsyncFileHandle | Errno>;
  /** As `FileSystem.stat`; `out` is filled before the answer (or its promise) settles. */
  stat(path: string, out: Stat, follow: boolean): MaybeAsync<Errno>;
  /** As `FileSystem.mkdir`. */
  mkdir(path: string): MaybeAsync<Errno>;
  /** As `FileSystem.rmdir`. */
  rmdir(path: string): MaybeAsync<Errno>;
  /** As `FileSystem.unlink`. */
  unlink(path: string): MaybeAsync<Errno>;
  /** As `FileSystem.rename`. */
  rename(from: string, to: string): MaybeAsync<Errno>;
  /** As `FileSystem.link`. */
  link(from: string, to: string): MaybeAsync<Errno>;
  /** As `FileSystem.symlink`. */
  symlink(target: string, path: string): MaybeAsync<Errno>;
  /** As `FileSystem.readlink`. */
  readlink(path: string): MaybeAsync<string | Errno>;
  /** As `FileSystem.utimes`. */
  utimes(path: string, atimNs: bigint | null, mtimNs: bigint | null, follow: boolean): MaybeAsync<Errno>;
}

/** A handle of an `AsyncFileSystem`: the methods of `FileHandle`, each possibly async (see the rules above). */
export interface AsyncFileHandle {
  /** As `FileHandle.read`; `dst` may be filled until the promise settles. */
  read(dst: Uint8Array, pos?: number): MaybeAsync<IoResult>;
  /** As `FileHandle.write`; `src` is valid only during the call. */
  write(src: Uint8Array, pos?: number): MaybeAsync<IoResult>;
  /** As `FileHandle.seek`. */
  seek(offset: number, whence: Whence): MaybeAsync<IoResult>;
  /** As `FileHandle.stat`. */
  stat(out: Stat): MaybeAsync<Errno>;
  /** As `FileHandle.truncate`. */
  truncate(size: number): MaybeAsync<Errno>;
  /** As `FileHandle.sync`. */
  sync(): MaybeAsync<Errno>;
  /** As `FileHandle.datasync`. */
  datasync(): MaybeAsync<Errno>;
  /** As `FileHandle.close`; a promise is not waited for. */
  close(): MaybeAsync<Errno>;
  /** As `FileHandle.readdir`; `out` may be called until the promise settles. */
  readdir(cookie: bigint, out: DirentSink): MaybeAsync<Errno>;
  /** As `FileHandle.setAppend`. */
  setAppend(on: boolean): MaybeAsync<Errno>;
  /** As `FileHandle.utimes`. */
  utimes(atimNs: bigint | null, mtimNs: bigint | null): MaybeAsync<Errno>;
}

/** True for a filesystem that declared itself async (`async: true`). */
export function isAsyncFs(fs: FileSystem | AsyncFileSystem): fs is AsyncFileSystem {
  return (fs as AsyncFileSystem).async === true;
}

/** True for a promise (any thenable). */
export function isPromise<T>(x: MaybeAsync<T>): x is PromiseLike<T> {
  return typeof x === "object" && x !== null && typeof (x as PromiseLike<T>).then === "function";
}
