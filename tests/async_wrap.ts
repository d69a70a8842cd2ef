// A synchronous FileSystem made async for tests: each answer comes as a promise (always, or by a seeded draw), and the
// work itself (the inner call, filling `dst`, `out` and the sink) happens only when that promise settles.

import type { Whence } from "../src/abi/consts.ts";
import {
  type AsyncFileHandle,
  type AsyncFileSystem,
  type DirentSink,
  type FileHandle,
  type FileSystem,
  type IoResult,
  type MaybeAsync,
  newStat,
  type OpenFlags,
  type Stat,
} from "../src/fs/types.ts";
import { Prng } from "./prng.ts";

/** How the wrapper answers: every call by promise, or each by a seeded coin (then some synchronously). */
export type AsyncMode = "always" | { seed: number };

/** Counts of what the wrapper was asked, by method name, and how many answers were promises. */
export interface AsyncCounts {
  calls: Map<string, number>;
  promised: number;
}

/** `fs` made async (see the file comment). `close` answers a promise too, but closes at once. */
export function asyncFs(fs: FileSystem, mode: AsyncMode = "always"): AsyncFileSystem & { counts: AsyncCounts } {
  const rng = mode === "always" ? null : new Prng(mode.seed);
  const counts: AsyncCounts = { calls: new Map(), promised: 0 };
  /** `work` now, or in a promise settling after a microtask (one in 8 after a macrotask). */
  function later<T>(name: string, work: () => T): MaybeAsync<T> {
    counts.calls.set(name, (counts.calls.get(name) ?? 0) + 1);
    if (rng !== null && rng.int(2) === 0) return work();
    counts.promised++;
    const slow = rng !== null ? rng.int(8) === 0 : counts.promised % 8 === 0;
    return new Promise<T>((resolve) =>
      slow ? setTimeout(() => resolve(work()), 0) : queueMicrotask(() => resolve(work()))
    );
  }
  const handle = (h: FileHandle): AsyncFileHandle => ({
    read: (dst: Uint8Array, pos?: number) => later("read", (): IoResult => h.read(dst, pos)),
    write(src: Uint8Array, pos?: number) {
      const copy = src.slice(); // the caller's bytes are valid only during the call
      return later("write", (): IoResult => h.write(copy, pos));
    },
    seek: (offset: number, whence: Whence) => later("seek", () => h.seek(offset, whence)),
    stat: (out: Stat) => later("fstat", () => h.stat(out)),
    truncate: (size: number) => later("truncate", () => h.truncate(size)),
    sync: () => later("sync", () => h.sync()),
    datasync: () => later("datasync", () => h.datasync()),
    close() {
      const e = h.close();
      return rng !== null && rng.int(2) === 0 ? e : Promise.resolve(e);
    },
    readdir: (cookie: bigint, out: DirentSink) => later("readdir", () => h.readdir(cookie, out)),
    setAppend: (on: boolean) => later("setAppend", () => h.setAppend(on)),
    utimes: (a: bigint | null, m: bigint | null) => later("futimes", () => h.utimes(a, m)),
  });
  return {
    async: true,
    counts,
    open(path: string, flags: OpenFlags) {
      const f = { ...flags }; // the caller's flags object is scratch
      return later("open", () => {
        const h = fs.open(path, f);
        return typeof h === "number" ? h : handle(h);
      });
    },
    stat: (path: string, out: Stat, follow: boolean) => later("stat", () => fs.stat(path, out, follow)),
    mkdir: (path: string) => later("mkdir", () => fs.mkdir(path)),
    rmdir: (path: string) => later("rmdir", () => fs.rmdir(path)),
    unlink: (path: string) => later("unlink", () => fs.unlink(path)),
    rename: (from: string, to: string) => later("rename", () => fs.rename(from, to)),
    link: (from: string, to: string) => later("link", () => fs.link(from, to)),
    symlink: (target: string, path: string) => later("symlink", () => fs.symlink(target, path)),
    readlink: (path: string) => later("readlink", () => fs.readlink(path)),
    utimes: (path: string, a: bigint | null, m: bigint | null, follow: boolean) =>
      later("utimes", () => fs.utimes(path, a, m, follow)),
  };
}

/** A Stat for tests. */
export const scratchStat: Stat = newStat();
