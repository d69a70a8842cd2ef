// The import objects `wasi_snapshot_preview1` and `wasi_unstable` over one State: each WASI call, in spec order.

import { WHENCE_FROM_P0 } from "./abi/consts.ts";
import { FILESTAT_P0, SUBSCRIPTION_P0 } from "./abi/layout.ts";
import type { State } from "./state.ts";
import { argsGet, argsSizesGet } from "./calls/args.ts";
import { environGet, environSizesGet } from "./calls/environ.ts";
import { clockResGet, clockTimeGet } from "./calls/clock.ts";
import * as fd from "./calls/fd.ts";
import * as path from "./calls/path.ts";
import { pollOneoff } from "./calls/poll.ts";
import { procExit, procRaise } from "./calls/proc.ts";
import { randomGet } from "./calls/random.ts";
import { schedYield } from "./calls/sched.ts";
import { sockAccept, sockRecv, sockSend, sockShutdown } from "./calls/sock.ts";

/** The import objects: both module names share one state. */
export interface WasiImports {
  /** The 46 preview1 functions, by their spec names. */
  wasi_snapshot_preview1: Record<string, (...args: never[]) => unknown>;
  /** The 45 preview0 functions (no sock_accept), translated where the ABI differs. */
  wasi_unstable: Record<string, (...args: never[]) => unknown>;
}

/**
 * Both import objects over one state, in spec order. i32 arguments are made unsigned once here
 * (`>>> 0`); i64 arguments arrive as bigint. Preview0 differs in whence numbering, the filestat
 * layout and the clock subscription layout, translated here.
 */
export function makeImports(s: State): WasiImports {
  const p1 = {
    args_get: (a: number, b: number) => argsGet(s, a >>> 0, b >>> 0),
    args_sizes_get: (a: number, b: number) => argsSizesGet(s, a >>> 0, b >>> 0),
    environ_get: (a: number, b: number) => environGet(s, a >>> 0, b >>> 0),
    environ_sizes_get: (a: number, b: number) => environSizesGet(s, a >>> 0, b >>> 0),
    clock_res_get: (id: number, p: number) => clockResGet(s, id >>> 0, p >>> 0),
    clock_time_get: (id: number, precision: bigint, p: number) => clockTimeGet(s, id >>> 0, precision, p >>> 0),
    fd_advise: (f: number, off: bigint, len: bigint, adv: number) => fd.fdAdvise(s, f >>> 0, off, len, adv >>> 0),
    fd_allocate: (f: number, off: bigint, len: bigint) => fd.fdAllocate(s, f >>> 0, off, len),
    fd_close: (f: number) => fd.fdClose(s, f >>> 0),
    fd_datasync: (f: number) => fd.fdDatasync(s, f >>> 0),
    fd_fdstat_get: (f: number, p: number) => fd.fdFdstatGet(s, f >>> 0, p >>> 0),
    fd_fdstat_set_flags: (f: number, fl: number) => fd.fdFdstatSetFlags(s, f >>> 0, fl >>> 0),
    fd_fdstat_set_rights: (f: number, b: bigint, i: bigint) =>
      fd.fdFdstatSetRights(s, f >>> 0, BigInt.asUintN(64, b), BigInt.asUintN(64, i)),
    fd_filestat_get: (f: number, p: number) => fd.fdFilestatGet(s, f >>> 0, p >>> 0),
    fd_filestat_set_size: (f: number, size: bigint) => fd.fdFilestatSetSize(s, f >>> 0, BigInt.asUintN(64, size)),
    fd_filestat_set_times: (f: number, a: bigint, m: bigint, fl: number) =>
      fd.fdFilestatSetTimes(s, f >>> 0, BigInt.asUintN(64, a), BigInt.asUintN(64, m), fl >>> 0),
    fd_pread: (f: number, iovs: number, n: number, off: bigint, p: number) =>
      fd.fdPread(s, f >>> 0, iovs >>> 0, n >>> 0, BigInt.asUintN(64, off), p >>> 0),
    fd_prestat_get: (f: number, p: number) => fd.fdPrestatGet(s, f >>> 0, p >>> 0),
    fd_prestat_dir_name: (f: number, p: number, n: number) => fd.fdPrestatDirName(s, f >>> 0, p >>> 0, n >>> 0),
    fd_pwrite: (f: number, iovs: number, n: number, off: bigint, p: number) =>
      fd.fdPwrite(s, f >>> 0, iovs >>> 0, n >>> 0, BigInt.asUintN(64, off), p >>> 0),
    fd_read: (f: number, iovs: number, n: number, p: number) => fd.fdRead(s, f >>> 0, iovs >>> 0, n >>> 0, p >>> 0),
    fd_readdir: (f: number, buf: number, len: number, cookie: bigint, p: number) =>
      fd.fdReaddir(s, f >>> 0, buf >>> 0, len >>> 0, BigInt.asUintN(64, cookie), p >>> 0),
    fd_renumber: (f: number, to: number) => fd.fdRenumber(s, f >>> 0, to >>> 0),
    fd_seek: (f: number, off: bigint, w: number, p: number) => fd.fdSeek(s, f >>> 0, off, w >>> 0, p >>> 0),
    fd_sync: (f: number) => fd.fdSync(s, f >>> 0),
    fd_tell: (f: number, p: number) => fd.fdTell(s, f >>> 0, p >>> 0),
    fd_write: (f: number, iovs: number, n: number, p: number) => fd.fdWrite(s, f >>> 0, iovs >>> 0, n >>> 0, p >>> 0),
    path_create_directory: (f: number, p: number, n: number) => path.pathCreateDirectory(s, f >>> 0, p >>> 0, n >>> 0),
    path_filestat_get: (f: number, fl: number, p: number, n: number, buf: number) =>
      path.pathFilestatGet(s, f >>> 0, fl >>> 0, p >>> 0, n >>> 0, buf >>> 0),
    path_filestat_set_times: (f: number, fl: number, p: number, n: number, a: bigint, m: bigint, fst: number) =>
      path.pathFilestatSetTimes(
        s,
        f >>> 0,
        fl >>> 0,
        p >>> 0,
        n >>> 0,
        BigInt.asUintN(64, a),
        BigInt.asUintN(64, m),
        fst >>> 0,
      ),
    path_link: (of: number, ofl: number, op: number, on: number, nf: number, np: number, nn: number) =>
      path.pathLink(s, of >>> 0, ofl >>> 0, op >>> 0, on >>> 0, nf >>> 0, np >>> 0, nn >>> 0),
    path_open: (
      f: number,
      dfl: number,
      p: number,
      n: number,
      ofl: number,
      rb: bigint,
      ri: bigint,
      fdfl: number,
      out: number,
    ) =>
      path.pathOpen(
        s,
        f >>> 0,
        dfl >>> 0,
        p >>> 0,
        n >>> 0,
        ofl >>> 0,
        BigInt.asUintN(64, rb),
        BigInt.asUintN(64, ri),
        fdfl >>> 0,
        out >>> 0,
      ),
    path_readlink: (f: number, p: number, n: number, buf: number, len: number, used: number) =>
      path.pathReadlink(s, f >>> 0, p >>> 0, n >>> 0, buf >>> 0, len >>> 0, used >>> 0),
    path_remove_directory: (f: number, p: number, n: number) => path.pathRemoveDirectory(s, f >>> 0, p >>> 0, n >>> 0),
    path_rename: (f: number, op: number, on: number, nf: number, np: number, nn: number) =>
      path.pathRename(s, f >>> 0, op >>> 0, on >>> 0, nf >>> 0, np >>> 0, nn >>> 0),
    path_symlink: (op: number, on: number, f: number, np: number, nn: number) =>
      path.pathSymlink(s, op >>> 0, on >>> 0, f >>> 0, np >>> 0, nn >>> 0),
    path_unlink_file: (f: number, p: number, n: number) => path.pathUnlinkFile(s, f >>> 0, p >>> 0, n >>> 0),
    poll_oneoff: (i: number, o: number, n: number, p: number) => pollOneoff(s, i >>> 0, o >>> 0, n >>> 0, p >>> 0),
    proc_exit: (code: number) => procExit(s, code >>> 0),
    proc_raise: (sig: number) => procRaise(s, sig >>> 0),
    sched_yield: () => schedYield(s),
    random_get: (p: number, n: number) => randomGet(s, p >>> 0, n >>> 0),
    sock_accept: (f: number, fl: number, p: number) => sockAccept(s, f >>> 0, fl >>> 0, p >>> 0),
    sock_recv: (f: number, p: number, n: number, fl: number, len: number, ofl: number) =>
      sockRecv(s, f >>> 0, p >>> 0, n >>> 0, fl >>> 0, len >>> 0, ofl >>> 0),
    sock_send: (f: number, p: number, n: number, fl: number, len: number) =>
      sockSend(s, f >>> 0, p >>> 0, n >>> 0, fl >>> 0, len >>> 0),
    sock_shutdown: (f: number, how: number) => sockShutdown(s, f >>> 0, how >>> 0),
  };
  const { sock_accept: _, ...shared } = p1;
  const p0 = {
    ...shared,
    fd_seek: (f: number, off: bigint, w: number, p: number) =>
      fd.fdSeek(s, f >>> 0, off, WHENCE_FROM_P0[w >>> 0] ?? 0xff, p >>> 0),
    fd_filestat_get: (f: number, p: number) => fd.fdFilestatGet(s, f >>> 0, p >>> 0, FILESTAT_P0),
    path_filestat_get: (f: number, fl: number, p: number, n: number, buf: number) =>
      path.pathFilestatGet(s, f >>> 0, fl >>> 0, p >>> 0, n >>> 0, buf >>> 0, FILESTAT_P0),
    poll_oneoff: (i: number, o: number, n: number, p: number) =>
      pollOneoff(s, i >>> 0, o >>> 0, n >>> 0, p >>> 0, SUBSCRIPTION_P0),
  };
  return { wasi_snapshot_preview1: p1, wasi_unstable: p0 };
}
