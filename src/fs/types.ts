// THE SEAM: the synchronous, POSIX-shaped, WASI-free filesystem interface that backends implement.

import type { Errno } from "../abi/errno.ts";
import type { Filetype, Whence } from "../abi/consts.ts";

/** A byte count or offset (>= 0), or a negated `Errno`. */
export type IoResult = number;

/** File metadata, owned by the caller and reused across calls (no allocation per stat). */
export interface Stat {
  dev: bigint;
  ino: bigint;
  filetype: Filetype;
  nlink: bigint;
  size: number;
  atimNs: bigint;
  mtimNs: bigint;
  ctimNs: bigint;
}

/** A fresh zeroed `Stat`. */
export function newStat(): Stat {
  return { dev: 0n, ino: 0n, filetype: 0, nlink: 0n, size: 0, atimNs: 0n, mtimNs: 0n, ctimNs: 0n };
}

/** How a backend opens a path (already resolved and sandboxed by `src/path.ts`). */
export interface OpenFlags {
  read: boolean;
  write: boolean;
  create: boolean;
  exclusive: boolean;
  truncate: boolean;
  append: boolean;
  directory: boolean;
}

/** Receives directory entries; returns false to stop early. */
export type DirentSink = (name: string, filetype: Filetype, ino: bigint) => boolean;

/** A filesystem rooted at a preopen. Paths are relative to its root, normalised, without `..`. */
export interface FileSystem {
  open(path: string, flags: OpenFlags): FileHandle | Errno;
  stat(path: string, out: Stat, follow: boolean): Errno;
  mkdir(path: string): Errno;
  rmdir(path: string): Errno;
  unlink(path: string): Errno;
  rename(from: string, to: string): Errno;
  link(from: string, to: string): Errno;
  symlink(target: string, path: string): Errno;
  readlink(path: string): string | Errno;
  utimes(path: string, atimNs: bigint | null, mtimNs: bigint | null, follow: boolean): Errno;
}

/** An open file or directory of a backend. */
export interface FileHandle {
  read(dst: Uint8Array, pos?: number): IoResult;
  write(src: Uint8Array, pos?: number): IoResult;
  seek(offset: number, whence: Whence): IoResult;
  stat(out: Stat): Errno;
  truncate(size: number): Errno;
  sync(): Errno;
  datasync(): Errno;
  close(): Errno;
  readdir(cookie: bigint, out: DirentSink): Errno;
  setAppend(on: boolean): Errno;
  utimes(atimNs: bigint | null, mtimNs: bigint | null): Errno;
}
