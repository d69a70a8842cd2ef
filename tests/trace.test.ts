// Host-call tracing: exact lines for every family, scopes, bad pointers, a sink that throws, the default stderr
// sink, no wrapper when off, and guests that run the same with and without a trace.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  Errno,
  Filetype,
  hostFs,
  MemoryFs,
  parseTraceScopes,
  type TraceScope,
  Wasi,
  type WasiClock,
  WasiExit,
  type WasiOptions,
} from "../mod.ts";
import {
  EventRwFlags,
  FdFlags,
  FstFlags,
  LookupFlags,
  OFlags,
  RiFlags,
  Rights,
  SdFlags,
  SubclockFlags,
} from "../src/abi/consts.ts";
import { scopeOf, TRACE_NAMES, TRACED_FUNCTIONS } from "../src/trace.ts";
import { newStat, openFlags } from "../src/fs/types.ts";
import { type Env, PAGE, put, putIovecs, setU16, setU32, setU64, setup, snapshot, u64 } from "./helpers.ts";
import { PREVIEW0, PREVIEW1 } from "./abi_facts.ts";
import { guest } from "./guest_runner.ts";

// Where arguments live in the test memory (one page).
const NW = 0x80, NW2 = 0x84, R8 = 0x90, IOVS = 0x100, PATH = 0x300, PATH2 = 0x380, STAT = 0x400;
const ARGV = 0x500, ARGBUF = 0x600, SUBS = 0x800, EVENTS = 0xa00, DATA = 0x1000, BUF = 0x2000;
const NOW = 1_700_000_000_123_456_789n;

/** A traced Env: every line the trace emitted, in order. */
interface Traced extends Env {
  lines: string[];
}

/** A Wasi on a sentinel-filled page, traced into `lines` (scopes: all unless given). */
async function traced(options: WasiOptions = {}, scopes?: TraceScope[]): Promise<Traced> {
  const lines: string[] = [];
  const env = await setup({
    stdin: "null",
    stdout: "capture",
    stderr: "capture",
    ...options,
    trace: { sink: (line) => lines.push(line), scopes },
  });
  return { ...env, lines };
}

/** Calls `f` and returns the one line the trace emitted for it (and asserts it emitted exactly one). */
function lineOf(env: Traced, f: () => unknown): string {
  const before = env.lines.length;
  f();
  assert.equal(env.lines.length, before + 1, `one line, got ${JSON.stringify(env.lines.slice(before))}`);
  return env.lines[before];
}

/** Puts `text` at `p` as a (ptr, len) pair's bytes; returns the length. */
const str = (env: Env, p: number, text: string | Uint8Array): number => put(env, p, text);

describe("exact lines", () => {
  test("args and environ: counts, sizes and the strings the guest received", async () => {
    const env = await traced({ args: ["app", 'say "hi"'], env: { K: "V" } });
    assert.equal(
      lineOf(env, () => env.p1.args_sizes_get(NW, NW2)),
      "args_sizes_get() = SUCCESS argc=2, argv_buf_size=13",
    );
    assert.equal(lineOf(env, () => env.p1.args_get(ARGV, ARGBUF)), 'args_get() = SUCCESS argv=["app", "say \\"hi\\""]');
    assert.equal(
      lineOf(env, () => env.p1.environ_sizes_get(NW, NW2)),
      "environ_sizes_get() = SUCCESS environc=1, environ_buf_size=4",
    );
    assert.equal(lineOf(env, () => env.p1.environ_get(ARGV, ARGBUF)), 'environ_get() = SUCCESS environ=["K=V"]');
    assert.equal(lineOf(env, () => env.p1.args_get(PAGE, ARGBUF)), "args_get() = EFAULT");
  });

  test("clocks: id names, precision, the time and resolution written, EINVAL for an unknown id", async () => {
    const base = { realtime: 1_700_000_000_000_000_000n, monotonic: 123456789n, process: 5n, thread: 6n };
    const clock: WasiClock = { now: (id) => base[id], resolution: () => 1000n };
    const env = await traced({ clock });
    assert.equal(
      lineOf(env, () => env.p1.clock_time_get(1, 1000n, R8)),
      "clock_time_get(id=MONOTONIC, precision=1000) = SUCCESS time=123456789",
    );
    assert.equal(
      lineOf(env, () => env.p1.clock_time_get(0, -1n, R8)),
      "clock_time_get(id=REALTIME, precision=18446744073709551615) = SUCCESS time=1700000000000000000",
    );
    assert.equal(
      lineOf(env, () => env.p1.clock_res_get(2, R8)),
      "clock_res_get(id=PROCESS_CPUTIME_ID) = SUCCESS resolution=1000",
    );
    assert.equal(lineOf(env, () => env.p1.clock_time_get(7, 0n, R8)), "clock_time_get(id=7, precision=0) = EINVAL");
  });

  test("fd on stdio: iovec totals, nwritten/nread, whence names, fdstat, flags and errno names", async () => {
    const env = await traced({ stdin: "hello world\n" });
    putIovecs(env, IOVS, [[DATA, str(env, DATA, "hello, ")], [DATA + 64, str(env, DATA + 64, "world!")]]);
    assert.equal(
      lineOf(env, () => env.p1.fd_write(1, IOVS, 2, NW)),
      "fd_write(fd=1, iovs=[2 iovecs, 13 bytes]) = SUCCESS nwritten=13",
    );
    assert.equal(env.wasi.stdoutText(), "hello, world!");
    putIovecs(env, IOVS, [[BUF, 4096]]);
    assert.equal(
      lineOf(env, () => env.p1.fd_read(0, IOVS, 1, NW)),
      "fd_read(fd=0, iovs=[1 iovecs, 4096 bytes]) = SUCCESS nread=12",
    );
    assert.equal(
      lineOf(env, () => env.p1.fd_pread(0, IOVS, 1, 7n, NW)),
      "fd_pread(fd=0, iovs=[1 iovecs, 4096 bytes], offset=7) = ESPIPE",
    );
    assert.equal(
      lineOf(env, () => env.p1.fd_pwrite(1, IOVS, 1, 7n, NW)),
      "fd_pwrite(fd=1, iovs=[1 iovecs, 4096 bytes], offset=7) = ESPIPE",
    );
    assert.equal(lineOf(env, () => env.p1.fd_close(9)), "fd_close(fd=9) = EBADF");
    assert.equal(lineOf(env, () => env.p1.fd_seek(1, -2n, 2, R8)), "fd_seek(fd=1, offset=-2, whence=END) = ESPIPE");
    assert.equal(lineOf(env, () => env.p1.fd_seek(1, 0n, 9, R8)), "fd_seek(fd=1, offset=0, whence=9) = EINVAL");
    assert.equal(lineOf(env, () => env.p1.fd_tell(1, R8)), "fd_tell(fd=1) = ESPIPE");
    assert.equal(
      lineOf(env, () => env.p1.fd_fdstat_get(1, STAT)),
      "fd_fdstat_get(fd=1) = SUCCESS fdstat={fs_filetype=UNKNOWN, fs_flags=0, fs_rights_base=FD_WRITE, " +
        "fs_rights_inheriting=FD_WRITE}",
    );
    assert.equal(
      lineOf(env, () => env.p1.fd_fdstat_set_flags(1, FdFlags.APPEND | FdFlags.NONBLOCK)),
      "fd_fdstat_set_flags(fd=1, flags=APPEND|NONBLOCK) = SUCCESS",
    );
    assert.match(lineOf(env, () => env.p1.fd_fdstat_get(1, STAT)), /fs_flags=APPEND\|NONBLOCK,/);
    assert.equal(
      lineOf(env, () => env.p1.fd_fdstat_set_flags(1, 0x40)),
      "fd_fdstat_set_flags(fd=1, flags=0x40) = EINVAL",
    );
    assert.equal(
      lineOf(env, () => env.p1.fd_fdstat_set_rights(1, BigInt(Rights.FD_READ | Rights.FD_WRITE), 0n)),
      "fd_fdstat_set_rights(fd=1, fs_rights_base=FD_READ|FD_WRITE, fs_rights_inheriting=0) = ENOTCAPABLE",
    );
    assert.equal(
      lineOf(env, () => env.p1.fd_advise(1, 0n, 100n, 4)),
      "fd_advise(fd=1, offset=0, len=100, advice=DONTNEED) = EBADF",
    );
    assert.equal(lineOf(env, () => env.p1.fd_allocate(1, 0n, 10n)), "fd_allocate(fd=1, offset=0, len=10) = EBADF");
    assert.equal(lineOf(env, () => env.p1.fd_sync(1)), "fd_sync(fd=1) = EBADF");
    assert.equal(lineOf(env, () => env.p1.fd_datasync(1)), "fd_datasync(fd=1) = EBADF");
    assert.equal(lineOf(env, () => env.p1.fd_filestat_set_size(1, 10n)), "fd_filestat_set_size(fd=1, size=10) = EBADF");
    assert.equal(
      lineOf(env, () => env.p1.fd_filestat_set_times(1, 5n, 6n, FstFlags.ATIM | FstFlags.MTIM_NOW)),
      "fd_filestat_set_times(fd=1, atim=5, mtim=6, fst_flags=ATIM|MTIM_NOW) = EBADF",
    );
    assert.equal(lineOf(env, () => env.p1.fd_renumber(2, 1)), "fd_renumber(fd=2, to=1) = SUCCESS");
  });

  test("fd and path on a MemoryFs preopen: the example path_open, filestat fields, readdir entries, readlink", async () => {
    const fs = new MemoryFs({ now: () => NOW });
    const env = await traced({ preopens: { "/data": fs } });
    const p1 = env.p1;
    assert.equal(
      lineOf(env, () => p1.fd_prestat_get(3, STAT)),
      "fd_prestat_get(fd=3) = SUCCESS prestat={tag=DIR, name_len=5}",
    );
    assert.equal(
      lineOf(env, () => p1.fd_prestat_dir_name(3, BUF, 64)),
      'fd_prestat_dir_name(fd=3, path_len=64) = SUCCESS path="/data"',
    );
    assert.equal(
      lineOf(env, () => p1.path_create_directory(3, PATH, str(env, PATH, "data"))),
      'path_create_directory(dirfd=3, path="data") = SUCCESS',
    );
    const rw = BigInt(Rights.FD_READ | Rights.FD_SEEK | Rights.FD_TELL | Rights.FD_WRITE | Rights.FD_FILESTAT_GET);
    const n = str(env, PATH, "data/a.txt");
    assert.equal(
      lineOf(env, () => p1.path_open(3, 1, PATH, n, OFlags.CREAT | OFlags.TRUNC, rw, 0n, FdFlags.APPEND, NW)),
      'path_open(dirfd=3, dirflags=SYMLINK_FOLLOW, path="data/a.txt", oflags=CREAT|TRUNC, ' +
        "fs_rights_base=FD_READ|FD_SEEK|FD_TELL|FD_WRITE|FD_FILESTAT_GET, fs_rights_inheriting=0, fdflags=APPEND) = " +
        "SUCCESS fd=4",
    );
    putIovecs(env, IOVS, [[DATA, str(env, DATA, "hello, wasi\n")]]);
    assert.equal(
      lineOf(env, () => p1.fd_write(4, IOVS, 1, NW)),
      "fd_write(fd=4, iovs=[1 iovecs, 12 bytes]) = SUCCESS nwritten=12",
    );
    assert.equal(
      lineOf(env, () => p1.fd_seek(4, 0n, 0, R8)),
      "fd_seek(fd=4, offset=0, whence=SET) = SUCCESS newoffset=0",
    );
    assert.equal(
      lineOf(env, () => p1.fd_seek(4, 3n, 1, R8)),
      "fd_seek(fd=4, offset=3, whence=CUR) = SUCCESS newoffset=3",
    );
    assert.equal(lineOf(env, () => p1.fd_tell(4, R8)), "fd_tell(fd=4) = SUCCESS offset=3");
    putIovecs(env, IOVS, [[BUF, 5]]);
    assert.equal(
      lineOf(env, () => p1.fd_pread(4, IOVS, 1, 7n, NW)),
      "fd_pread(fd=4, iovs=[1 iovecs, 5 bytes], offset=7) = SUCCESS nread=5",
    );
    const times = FstFlags.ATIM | FstFlags.MTIM;
    assert.equal(
      lineOf(env, () => p1.path_filestat_set_times(3, 0, PATH, n, 1000n, 2000n, times)),
      'path_filestat_set_times(dirfd=3, flags=0, path="data/a.txt", atim=1000, mtim=2000, fst_flags=ATIM|MTIM) = SUCCESS',
    );
    // dev and ino are read back raw (by spec offset) to build the expected text; the rest is known.
    const statLine = (dev: bigint, ino: bigint) =>
      `filestat={dev=${dev}, ino=${ino}, filetype=REGULAR_FILE, nlink=1, size=12, atim=1000, mtim=2000, ctim=${NOW}}`;
    const got = lineOf(env, () => p1.path_filestat_get(3, 1, PATH, n, STAT));
    const stat = statLine(u64(env, STAT), u64(env, STAT + 8));
    assert.equal(got, `path_filestat_get(dirfd=3, flags=SYMLINK_FOLLOW, path="data/a.txt") = SUCCESS ${stat}`);
    env.u8().fill(0xaa, STAT, STAT + 64);
    assert.equal(lineOf(env, () => p1.fd_filestat_get(4, STAT)), `fd_filestat_get(fd=4) = SUCCESS ${stat}`);
    const ln = str(env, PATH2, "data/l");
    assert.equal(
      lineOf(env, () => p1.path_symlink(DATA + 0x100, str(env, DATA + 0x100, "a.txt"), 3, PATH2, ln)),
      'path_symlink(old_path="a.txt", dirfd=3, new_path="data/l") = SUCCESS',
    );
    assert.equal(
      lineOf(env, () => p1.path_readlink(3, PATH2, ln, BUF, 64, NW)),
      'path_readlink(dirfd=3, path="data/l", buf_len=64) = SUCCESS bufused=5, target="a.txt"',
    );
    const b = str(env, DATA + 0x200, "data/b.txt"), c = str(env, DATA + 0x300, "data/c.txt");
    assert.equal(
      lineOf(env, () => p1.path_link(3, 0, PATH, n, 3, DATA + 0x200, b)),
      'path_link(old_dirfd=3, old_flags=0, old_path="data/a.txt", new_dirfd=3, new_path="data/b.txt") = SUCCESS',
    );
    assert.equal(
      lineOf(env, () => p1.path_rename(3, DATA + 0x200, b, 3, DATA + 0x300, c)),
      'path_rename(dirfd=3, old_path="data/b.txt", new_dirfd=3, new_path="data/c.txt") = SUCCESS',
    );
    assert.equal(
      lineOf(env, () => p1.path_unlink_file(3, DATA + 0x300, c)),
      'path_unlink_file(dirfd=3, path="data/c.txt") = SUCCESS',
    );
    const d = str(env, PATH, "data");
    assert.equal(
      lineOf(env, () => p1.path_open(3, 0, PATH, d, OFlags.DIRECTORY, BigInt(Rights.FD_READDIR), 0n, 0, NW)),
      'path_open(dirfd=3, dirflags=0, path="data", oflags=DIRECTORY, fs_rights_base=FD_READDIR, ' +
        "fs_rights_inheriting=0, fdflags=0) = SUCCESS fd=5",
    );
    // 4 entries: 24-byte headers and names of 1 + 2 + 5 + 1 bytes.
    assert.equal(
      lineOf(env, () => p1.fd_readdir(5, BUF, 4096, 0n, NW)),
      'fd_readdir(fd=5, buf_len=4096, cookie=0) = SUCCESS bufused=105, entries=[".", "..", "a.txt", "l"]',
    );
    assert.equal(
      lineOf(env, () => p1.fd_readdir(5, BUF, 30, 0n, NW)),
      'fd_readdir(fd=5, buf_len=30, cookie=0) = SUCCESS bufused=30, entries=[".", ...]',
    );
    assert.equal(
      lineOf(env, () => p1.path_remove_directory(3, PATH, d)),
      'path_remove_directory(dirfd=3, path="data") = ENOTEMPTY',
    );
    assert.equal(lineOf(env, () => p1.fd_close(4)), "fd_close(fd=4) = SUCCESS");
  });

  test("poll_oneoff: subscriptions and events decoded; sched_yield", async () => {
    let t = 0n;
    const clock: WasiClock = { now: () => 1000n + t, sleep: (ns) => void (t += ns) };
    const env = await traced({ clock, stdin: "abc" });
    const sub = (i: number, userdata: bigint, tag: number) => {
      const p = SUBS + i * 48;
      env.u8().fill(0, p, p + 48);
      setU64(env, p, userdata);
      env.u8()[p + 8] = tag;
      return p;
    };
    const c = sub(0, 1n, 0);
    setU32(env, c + 16, 1);
    setU64(env, c + 24, 5000n);
    setU64(env, c + 32, 1000n);
    setU32(env, sub(1, 2n, 1) + 16, 0);
    assert.equal(
      lineOf(env, () => env.p1.poll_oneoff(SUBS, EVENTS, 2, NW)),
      "poll_oneoff(in=[{userdata=1, tag=CLOCK, id=MONOTONIC, timeout=5000, precision=1000, flags=0}, " +
        "{userdata=2, tag=FD_READ, fd=0}], nsubscriptions=2) = SUCCESS nevents=1, " +
        "out=[{userdata=2, error=SUCCESS, type=FD_READ, nbytes=3, flags=0}]",
    );
    setU16(env, c + 40, SubclockFlags.ABSTIME);
    setU32(env, sub(1, 3n, 2) + 16, 9);
    assert.equal(
      lineOf(env, () => env.p1.poll_oneoff(SUBS, EVENTS, 2, NW)),
      "poll_oneoff(in=[{userdata=1, tag=CLOCK, id=MONOTONIC, timeout=5000, precision=1000, flags=ABSTIME}, " +
        "{userdata=3, tag=FD_WRITE, fd=9}], nsubscriptions=2) = SUCCESS nevents=1, " +
        "out=[{userdata=3, error=EBADF, type=FD_WRITE, nbytes=0, flags=0}]",
    );
    assert.equal(
      lineOf(env, () => env.p1.poll_oneoff(SUBS, EVENTS, 1, NW)),
      "poll_oneoff(in=[{userdata=1, tag=CLOCK, id=MONOTONIC, timeout=5000, precision=1000, flags=ABSTIME}], " +
        "nsubscriptions=1) = SUCCESS nevents=1, out=[{userdata=1, error=SUCCESS, type=CLOCK}]",
    );
    assert.equal(t, 4000n, "the traced poll slept as an untraced one does");
    sub(0, 4n, 7);
    assert.equal(
      lineOf(env, () => env.p1.poll_oneoff(SUBS, EVENTS, 1, NW)),
      "poll_oneoff(in=[{userdata=4, tag=7}], nsubscriptions=1) = EINVAL",
    );
    assert.equal(
      lineOf(env, () => env.p1.poll_oneoff(SUBS, EVENTS, 0, NW)),
      "poll_oneoff(in=[], nsubscriptions=0) = EINVAL",
    );
    assert.equal(lineOf(env, () => env.p1.sched_yield()), "sched_yield() = SUCCESS");
  });

  test("proc_exit is traced before it unwinds, and the WasiExit reaches the caller; proc_raise names the signal", async () => {
    const env = await traced();
    assert.equal(lineOf(env, () => env.p1.proc_raise(15)), "proc_raise(sig=TERM) = ENOSYS");
    const before = env.lines.length;
    assert.throws(() => env.p1.proc_exit(3), (e) => e instanceof WasiExit && e.code === 3);
    assert.deepEqual(env.lines.slice(before), ["proc_exit(rval=3)"]);
  });

  test("random_get: the length; the bytes still come from the source", async () => {
    const env = await traced({ random: (buf) => buf.fill(7) });
    assert.equal(lineOf(env, () => env.p1.random_get(BUF, 32)), "random_get(buf_len=32) = SUCCESS");
    assert.deepEqual([...env.u8().subarray(BUF, BUF + 33)], [...new Array(32).fill(7), 0xaa]);
  });

  test("sock: flags, iovec totals, errno names", async () => {
    const env = await traced();
    putIovecs(env, IOVS, [[BUF, 16]]);
    assert.equal(
      lineOf(env, () => env.p1.sock_accept(1, FdFlags.NONBLOCK, NW)),
      "sock_accept(fd=1, flags=NONBLOCK) = ENOTSOCK",
    );
    assert.equal(
      lineOf(env, () => env.p1.sock_recv(1, IOVS, 1, RiFlags.RECV_PEEK, NW, NW2)),
      "sock_recv(fd=1, ri_data=[1 iovecs, 16 bytes], ri_flags=RECV_PEEK) = ENOTSOCK",
    );
    assert.equal(
      lineOf(env, () => env.p1.sock_send(9, IOVS, 1, 0, NW)),
      "sock_send(fd=9, si_data=[1 iovecs, 16 bytes], si_flags=0) = EBADF",
    );
    assert.equal(
      lineOf(env, () => env.p1.sock_shutdown(1, SdFlags.RD | SdFlags.WR)),
      "sock_shutdown(fd=1, how=RD|WR) = ENOTSOCK",
    );
  });

  test("rights: ALL, ALL&~(…) when most are set, and bits past the spec in hex", async () => {
    const fs = new MemoryFs();
    fs.files.writeFile("/f", "x");
    const env = await traced({ preopens: { "/": fs } });
    const n = str(env, PATH, "f");
    const all = BigInt((1 << 30) - 1);
    const open = (base: bigint) => lineOf(env, () => env.p1.path_open(3, 0, PATH, n, 0, base, 0n, 0, NW));
    assert.match(open(all), /fs_rights_base=ALL,/);
    assert.match(open(all & ~BigInt(Rights.FD_READ)), /fs_rights_base=ALL&~FD_READ,/);
    assert.match(
      open(all & ~BigInt(Rights.FD_READ | Rights.SOCK_ACCEPT)),
      /fs_rights_base=ALL&~\(FD_READ\|SOCK_ACCEPT\),/,
    );
    assert.match(open(-1n), /fs_rights_base=ALL\|0xffffffffc0000000,/);
    assert.match(open(1n << 40n), /fs_rights_base=0x10000000000,/);
  });
});

describe("wasi_unstable (preview0) is decoded in its own ABI", () => {
  test("whence CUR=0 END=1 SET=2, the 56-byte filestat, the 56-byte clock subscription; lines say wasi_unstable", async () => {
    const fs = new MemoryFs({ now: () => NOW });
    fs.files.writeFile("/hello.txt", "hello, wasi\n");
    let t = 0n;
    const env = await traced({ preopens: { "/data": fs }, clock: { now: () => t, sleep: (ns) => void (t += ns) } });
    const p0 = env.p0;
    const n = str(env, PATH, "hello.txt");
    const ro = BigInt(Rights.FD_READ | Rights.FD_SEEK | Rights.FD_FILESTAT_GET);
    assert.equal(
      lineOf(env, () => p0.path_open(3, 0, PATH, n, 0, ro, 0n, 0, NW)),
      'wasi_unstable.path_open(dirfd=3, dirflags=0, path="hello.txt", oflags=0, ' +
        "fs_rights_base=FD_READ|FD_SEEK|FD_FILESTAT_GET, fs_rights_inheriting=0, fdflags=0) = SUCCESS fd=4",
    );
    assert.equal(
      lineOf(env, () => p0.fd_seek(4, -2n, 1, R8)),
      "wasi_unstable.fd_seek(fd=4, offset=-2, whence=END) = SUCCESS newoffset=10",
    );
    assert.equal(
      lineOf(env, () => p0.fd_seek(4, 3n, 2, R8)),
      "wasi_unstable.fd_seek(fd=4, offset=3, whence=SET) = SUCCESS newoffset=3",
    );
    assert.equal(
      lineOf(env, () => p0.fd_seek(4, 1n, 0, R8)),
      "wasi_unstable.fd_seek(fd=4, offset=1, whence=CUR) = SUCCESS newoffset=4",
    );
    const got = lineOf(env, () => p0.fd_filestat_get(4, STAT));
    assert.equal(
      got,
      `wasi_unstable.fd_filestat_get(fd=4) = SUCCESS filestat={dev=${u64(env, STAT)}, ino=${u64(env, STAT + 8)}, ` +
        `filetype=REGULAR_FILE, nlink=1, size=12, atim=${NOW}, mtim=${NOW}, ctim=${NOW}}`,
    );
    assert.match(lineOf(env, () => p0.path_filestat_get(3, 0, PATH, n, STAT)), /nlink=1, size=12,/);
    // The preview0 clock subscription: identifier u64 at 16 (not shown), id at 24, timeout 32, precision 40, flags 48.
    env.u8().fill(0, SUBS, SUBS + 56);
    setU64(env, SUBS, 77n);
    setU64(env, SUBS + 16, 0xdeadn);
    setU32(env, SUBS + 24, 1);
    setU64(env, SUBS + 32, 2500n);
    setU64(env, SUBS + 40, 10n);
    assert.equal(
      lineOf(env, () => p0.poll_oneoff(SUBS, EVENTS, 1, NW)),
      "wasi_unstable.poll_oneoff(in=[{userdata=77, tag=CLOCK, id=MONOTONIC, timeout=2500, precision=10, flags=0}], " +
        "nsubscriptions=1) = SUCCESS nevents=1, out=[{userdata=77, error=SUCCESS, type=CLOCK}]",
    );
    assert.equal(t, 2500n);
  });
});

describe("bad pointers and odd strings are traced without throwing or changing the result", () => {
  test("a pointer outside memory is <bad ptr> and the errno is EFAULT, as untraced", async () => {
    const env = await traced({ preopens: { "/": new MemoryFs() } });
    const plain = await setup({
      stdin: "null",
      stdout: "capture",
      stderr: "capture",
      preopens: { "/": new MemoryFs() },
    });
    const both = (name: string, ...args: (number | bigint)[]) => {
      const before = snapshot(env);
      const line = lineOf(env, () => assert.equal(env.p1[name](...args), plain.p1[name](...args), name));
      assert.deepEqual(snapshot(env), before, `${name} wrote nothing`);
      return line;
    };
    assert.equal(both("fd_write", 1, PAGE, 1, NW), "fd_write(fd=1, iovs=<bad ptr>) = EFAULT");
    assert.equal(both("fd_write", 1, -8, 1, NW), "fd_write(fd=1, iovs=<bad ptr>) = EFAULT");
    putIovecs(env, IOVS, [[PAGE - 8, 16]]);
    putIovecs(plain, IOVS, [[PAGE - 8, 16]]);
    assert.equal(both("fd_write", 1, IOVS, 1, NW), "fd_write(fd=1, iovs=[1 iovecs, 16 bytes, <bad ptr>]) = EFAULT");
    assert.equal(both("fd_write", 1, IOVS, 1, PAGE), "fd_write(fd=1, iovs=[1 iovecs, 16 bytes, <bad ptr>]) = EFAULT");
    assert.equal(
      both("path_open", 3, 0, PAGE - 2, 10, 0, 0n, 0n, 0, NW),
      "path_open(dirfd=3, dirflags=0, path=<bad ptr>, oflags=0, fs_rights_base=0, fs_rights_inheriting=0, fdflags=0) = EFAULT",
    );
    assert.equal(
      both("path_rename", 3, PATH, 0xffff_ffff, 3, PATH2, 1),
      'path_rename(dirfd=3, old_path=<bad ptr>, new_dirfd=3, new_path="\\xaa") = EFAULT',
    );
    assert.equal(both("poll_oneoff", PAGE - 47, EVENTS, 1, NW), "poll_oneoff(in=<bad ptr>, nsubscriptions=1) = EFAULT");
    assert.equal(both("clock_time_get", 1, 0n, PAGE - 7), "clock_time_get(id=MONOTONIC, precision=0) = EFAULT");
    assert.equal(both("args_sizes_get", NW, PAGE), "args_sizes_get() = EFAULT");
  });

  test("paths: invalid UTF-8 as \\xNN, JSON escapes, a cut at 256 bytes on a character boundary", async () => {
    const env = await traced({ preopens: { "/": new MemoryFs() } });
    const stat = (bytes: Uint8Array | string) =>
      lineOf(env, () => env.p1.path_filestat_get(3, 0, PATH, str(env, PATH, bytes), STAT));
    assert.equal(
      stat(new Uint8Array([0x61, 0xff, 0x62])),
      'path_filestat_get(dirfd=3, flags=0, path="a\\xffb") = EILSEQ',
    );
    // é is valid; then a lone continuation byte, an overlong NUL, a UTF-16 surrogate: each byte escaped.
    const odd = new Uint8Array([0xc3, 0xa9, 0x80, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0x80, 0xe2, 0x82]);
    assert.equal(
      stat(odd),
      'path_filestat_get(dirfd=3, flags=0, path="é\\x80\\xc0\\x80\\xed\\xa0\\x80😀\\xe2\\x82") = EILSEQ',
    );
    assert.equal(stat('q"\\\n\t\u0001'), 'path_filestat_get(dirfd=3, flags=0, path="q\\"\\\\\\n\\t\\u0001") = ENOENT');
    assert.equal(
      stat("ab/".repeat(100)),
      `path_filestat_get(dirfd=3, flags=0, path="${"ab/".repeat(85)}a"...) = ENOENT`,
    );
    const x255 = "x".repeat(100) + "/" + "x".repeat(154); // components stay under NAME_MAX
    assert.equal(
      stat(x255 + "é/y"),
      `path_filestat_get(dirfd=3, flags=0, path="${x255}"...) = ENOENT`,
    );
    assert.equal(stat(x255 + "z"), `path_filestat_get(dirfd=3, flags=0, path="${x255}z") = ENOENT`);
    assert.equal(
      stat("x".repeat(300)),
      `path_filestat_get(dirfd=3, flags=0, path="${"x".repeat(256)}"...) = ENAMETOOLONG`,
    );
    assert.equal(stat(""), 'path_filestat_get(dirfd=3, flags=0, path="") = ENOENT');
  });

  test("every function, with every pointer outside memory and then a closed fd: same result, same memory, one line", async () => {
    for (
      const [module, fns] of [
        ["p1", PREVIEW1.functions],
        ["p0", PREVIEW0.functions],
      ] as const
    ) {
      for (const pass of ["bad pointers", "closed fd"]) {
        const opts: WasiOptions = {
          stdin: "abc",
          stdout: "capture",
          stderr: "capture",
          args: ["a"],
          env: { K: "V" },
          clock: { now: () => 5n },
          random: (buf) => buf.fill(1),
        };
        const env = await traced({ ...opts, preopens: { "/": new MemoryFs() } });
        const plain = await setup({ ...opts, preopens: { "/": new MemoryFs() } });
        const prefix = module === "p0" ? "wasi_unstable." : "";
        for (const f of fns) {
          if (f.name === "proc_exit") continue;
          const args = f.params.map((k) =>
            k === "fd" ? (pass === "closed fd" ? 99 : 1) : k === "ptr" ? (pass === "bad pointers" ? PAGE : 0x40) : k ===
                "i64"
              ? 0n
              : 1
          );
          const before = snapshot(env);
          const line = lineOf(env, () => assert.equal(env[module][f.name](...args), plain[module][f.name](...args)));
          assert.deepEqual(snapshot(env), snapshot(plain), `${module} ${f.name}: the same memory`);
          if (pass === "bad pointers") assert.deepEqual(snapshot(env), before, `${f.name} wrote nothing`);
          assert.match(line, new RegExp(`^${prefix}${f.name}\\(.*\\) = (SUCCESS|E[A-Z0-9]+)( .*)?$`));
          assert.doesNotMatch(line, /undecodable|undefined|NaN/, line);
        }
        assert.equal(env.wasi.stdoutText(), plain.wasi.stdoutText());
      }
    }
  });
});

describe("tracing never changes what the guest sees", () => {
  test("a sink that throws: the call's result and output are unchanged; reported once on console.error", async () => {
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => void errors.push(a);
    try {
      const env = await setup({
        stdout: "capture",
        trace: () => {
          throw new Error("sink broke");
        },
      });
      for (const text of ["one\n", "two\n"]) {
        putIovecs(env, IOVS, [[DATA, str(env, DATA, text)]]);
        assert.equal(env.p1.fd_write(1, IOVS, 1, NW), Errno.SUCCESS);
      }
      assert.equal(env.wasi.stdoutText(), "one\ntwo\n");
      assert.equal(errors.length, 1);
      assert.match(String(errors[0][0]), /trace sink threw/);
    } finally {
      console.error = original;
    }
  });

  test("an exception from inside a call reaches the caller as the same object, and is traced", async () => {
    const boom = new Error("boom");
    const env = await traced({
      stdin: () => {
        throw boom;
      },
    });
    putIovecs(env, IOVS, [[BUF, 16]]);
    const before = env.lines.length;
    assert.throws(() => env.p1.fd_read(0, IOVS, 1, NW), (e) => e === boom);
    assert.deepEqual(env.lines.slice(before), ["fd_read(fd=0, iovs=[1 iovecs, 16 bytes]) = ? (threw Error: boom)"]);
  });

  test("off (no option, false): the import functions are the plain ones, no wrapper at all", () => {
    const plain = new Wasi().getImportObject();
    for (const trace of [undefined, false]) {
      const imports = new Wasi({ trace }).getImportObject();
      for (const [name, fn] of Object.entries(imports.wasi_snapshot_preview1)) {
        const orig = plain.wasi_snapshot_preview1[name];
        assert.equal(fn.length, orig.length, `${name}: its own arity`);
        assert.equal(fn.toString(), orig.toString(), `${name}: the same source`);
        // preview0 shares the functions whose ABI is the same: the very same objects.
        const p0 = imports.wasi_unstable[name];
        if (p0 !== undefined && p0.toString() === fn.toString()) assert.equal(p0, fn, name);
      }
    }
    // The checks above can fail: with tracing on, fd_write is a wrapper.
    const on = new Wasi({ trace: () => {} }).getImportObject();
    assert.notEqual(on.wasi_snapshot_preview1.fd_write.toString(), plain.wasi_snapshot_preview1.fd_write.toString());
    assert.notEqual(on.wasi_snapshot_preview1.fd_write, on.wasi_unstable.fd_write);
  });

  test("on, a function outside the scopes is the plain function itself (shared by both module names)", () => {
    const imports = new Wasi({ trace: { sink: () => {}, scopes: ["fd"] } }).getImportObject();
    const { wasi_snapshot_preview1: p1, wasi_unstable: p0 } = imports;
    assert.equal(p1.clock_time_get, p0.clock_time_get);
    assert.equal(p1.clock_time_get.length, 3);
    assert.equal(p1.path_open, p0.path_open);
    assert.notEqual(p1.fd_write, p0.fd_write);
    assert.equal(p1.fd_write.length, 0);
  });

  /** What a run left: exit code (or the error it threw), output, trace lines. */
  interface Outcome {
    code: number | string;
    stdout: string;
    stderr: string;
    lines: number;
  }

  async function runGuest(bytes: Uint8Array, opts: WasiOptions, trace: boolean): Promise<Outcome> {
    const lines: string[] = [];
    const wasi = new Wasi({
      stdin: "null",
      stdout: "capture",
      stderr: "capture",
      ...opts,
      ...(trace ? { trace: (l: string) => void lines.push(l) } : {}),
    });
    const { instance } = await wasi.instantiate(bytes);
    let code: number | string;
    try {
      code = wasi.start(instance);
    } catch (err) {
      code = `${(err as Error).name}: ${(err as Error).message}`;
    }
    return { code, stdout: wasi.stdoutText(), stderr: wasi.stderrText(), lines: lines.length };
  }

  /** A clock whose time passes only when the guest sleeps. */
  function virtualClock(): WasiClock {
    let t = 0n;
    return { now: () => 1_000_000_000n + t, resolution: () => 1000n, sleep: (ns) => void (t += ns) };
  }

  /** Every entry under a MemoryFs root: path, kind, and content or target. */
  function memoryTree(fs: MemoryFs, dir = ""): string[] {
    const h = fs.open(dir, openFlags({ read: true, directory: true }));
    if (typeof h === "number") return [`${dir} open error ${h}`];
    const names: string[] = [];
    h.readdir(0n, (name) => (names.push(name), true));
    h.close();
    const out: string[] = [];
    const st = newStat();
    for (const name of names.sort()) {
      const p = dir === "" ? name : `${dir}/${name}`;
      fs.stat(p, st, false);
      if (st.filetype === Filetype.DIRECTORY) out.push(`${p}/`, ...memoryTree(fs, p));
      else if (st.filetype === Filetype.SYMBOLIC_LINK) out.push(`${p} -> ${fs.readlink(p)}`);
      else out.push(`${p} = ${new TextDecoder().decode(fs.files.readFile(p))}`);
    }
    return out;
  }

  /** Every entry under a host directory: path, kind, and content or target. */
  function hostTree(root: string, dir = ""): string[] {
    const out: string[] = [];
    for (const name of readdirSync(join(root, dir)).sort()) {
      const p = dir === "" ? name : `${dir}/${name}`;
      const st = lstatSync(join(root, p));
      if (st.isDirectory()) out.push(`${p}/`, ...hostTree(root, p));
      else if (st.isSymbolicLink()) out.push(`${p} -> ${readlinkSync(join(root, p))}`);
      else out.push(`${p} = ${readFileSync(join(root, p), "utf8")}`);
    }
    return out;
  }

  const GUEST_DATA = fileURLToPath(new URL("./guests/data", import.meta.url));
  const PLAIN_GUESTS: [string, WasiOptions][] = [
    ["args_env", { args: ["args_env", "a b", "ünï"], env: { K: "V", EQ: "x=y" } }],
    ["exit_code", { args: ["exit_code", "3"] }],
    ["proc_exit", {}],
    ["trap", {}],
    ["stdin_echo", { stdin: "some input\nmore\n" }],
    ["random", { random: (buf) => buf.forEach((_, i) => (buf[i] = (i * 7) & 0xff)) }],
    ["clocks", { args: ["clocks", "5"], clock: virtualClock() }],
    ["poll", { clock: virtualClock() }],
    ["fd_calls", { preopens: { "/data": GUEST_DATA } }],
    ["unstable", { preopens: { "/data": GUEST_DATA } }],
  ];
  for (const [name, opts] of PLAIN_GUESTS) {
    test(`guest ${name}: the same exit code, stdout and stderr with and without a trace`, async () => {
      const bytes = guest(name);
      // Fresh options per run: a clock or stdin must not carry state from one run to the other.
      const fresh = (): WasiOptions => ({ ...opts, clock: opts.clock === undefined ? undefined : virtualClock() });
      const off = await runGuest(bytes, fresh(), false);
      const on = await runGuest(bytes, fresh(), true);
      assert.deepEqual({ ...on, lines: 0 }, { ...off, lines: 0 });
      assert.ok(on.lines > 0, "the trace saw calls");
    });
  }

  const FS_GUESTS = ["fs_stdio", "fs_readdir", "fs_stat", "fs_open", "fs_symlink", "fs_rename", "fs_at", "fs_errno"];
  for (const name of FS_GUESTS) {
    test(`guest ${name}: the same output and the same files with and without a trace (MemoryFs and a host dir)`, async () => {
      const bytes = guest(name);
      const trees: string[][] = [];
      const outcomes: Outcome[] = [];
      for (const trace of [false, true]) {
        const fs = new MemoryFs();
        outcomes.push(await runGuest(bytes, { args: [name, "/data"], preopens: { "/data": fs } }, trace));
        trees.push(memoryTree(fs));
        const dir = mkdtempSync(join(tmpdir(), "hostcall-trace-"));
        try {
          outcomes.push(await runGuest(bytes, { args: [name, "/data"], preopens: { "/data": hostFs(dir) } }, trace));
          trees.push(hostTree(dir));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
      const [memOff, hostOff, memOn, hostOn] = outcomes;
      assert.equal(memOff.code, 0, memOff.stderr);
      assert.deepEqual({ ...memOn, lines: 0 }, { ...memOff, lines: 0 }, "MemoryFs");
      assert.deepEqual({ ...hostOn, lines: 0 }, { ...hostOff, lines: 0 }, "host dir");
      assert.deepEqual(trees[2], trees[0], "MemoryFs files");
      assert.deepEqual(trees[3], trees[1], "host files");
      assert.ok(memOn.lines > 0 && hostOn.lines > 0);
    });
  }
});

describe("scopes", () => {
  test("each function is in the scope the issue gives it", () => {
    const want = (name: string): TraceScope =>
      /^(args|environ)_/.test(name)
        ? "args"
        : name === "poll_oneoff" || name === "sched_yield"
        ? "poll"
        : name === "random_get"
        ? "random"
        : (name.split("_")[0] as TraceScope);
    for (const name of TRACED_FUNCTIONS) assert.equal(scopeOf(name), want(name), name);
    const count = (s: TraceScope) => TRACED_FUNCTIONS.filter((n) => scopeOf(n) === s).length;
    assert.deepEqual(
      ["args", "clock", "fd", "path", "poll", "proc", "random", "sock"].map((s) => count(s as TraceScope)),
      [4, 2, 21, 10, 2, 2, 1, 4],
    );
  });

  test("only the selected families are traced; all with others is all; no scopes traces nothing", async () => {
    const calls = (env: Traced) => {
      env.lines.length = 0;
      putIovecs(env, IOVS, [[DATA, 0]]);
      env.p1.fd_write(1, IOVS, 1, NW);
      env.p1.clock_time_get(1, 0n, R8);
      env.p1.random_get(BUF, 4);
      env.p1.args_sizes_get(NW, NW2);
      env.p1.sched_yield();
      env.p1.sock_shutdown(1, 1);
      env.p1.path_create_directory(3, PATH, 0);
      env.p1.proc_raise(0);
      env.p0.clock_time_get(1, 0n, R8);
      return env.lines.map((l) => l.slice(0, l.indexOf("(")));
    };
    const opts = { preopens: { "/": new MemoryFs() } };
    assert.deepEqual(calls(await traced(opts, ["fd"])), ["fd_write"]);
    assert.deepEqual(calls(await traced(opts, ["clock", "random"])), [
      "clock_time_get",
      "random_get",
      "wasi_unstable.clock_time_get",
    ]);
    assert.deepEqual(calls(await traced(opts, ["args", "poll", "sock", "path", "proc"])), [
      "args_sizes_get",
      "sched_yield",
      "sock_shutdown",
      "path_create_directory",
      "proc_raise",
    ]);
    const every = calls(await traced(opts, ["fd", "all"]));
    assert.equal(every.length, 9);
    assert.deepEqual(calls(await traced(opts, [])), []);
  });

  test("parseTraceScopes: comma-separated, trimmed, deduplicated; a TypeError names a bad scope", () => {
    assert.deepEqual(parseTraceScopes("fd,path"), ["fd", "path"]);
    assert.deepEqual(parseTraceScopes(" all , fd,fd "), ["all", "fd"]);
    assert.deepEqual(parseTraceScopes("args,clock,fd,path,poll,proc,random,sock").length, 8);
    assert.throws(() => parseTraceScopes("fd,bogus"), (e) => e instanceof TypeError && /"bogus"/.test(e.message));
    assert.throws(() => parseTraceScopes("fd,,path"), (e) => e instanceof TypeError && /""/.test(e.message));
    assert.throws(() => parseTraceScopes(""), TypeError);
    assert.throws(() => parseTraceScopes("FD"), /"FD"/);
  });

  test("options.trace is checked: a TypeError names it", () => {
    for (const bad of [1, "yes", null, [], { sink: 1 }, { scopes: "fd" }, { scopes: ["fd", "bogus"] }]) {
      assert.throws(
        () => new Wasi({ trace: bad as never }),
        (e) => e instanceof TypeError && /options\.trace/.test(e.message),
        JSON.stringify(bad),
      );
    }
    for (const good of [true, false, undefined, () => {}, {}, { scopes: ["all"] as TraceScope[] }]) {
      assert.ok(new Wasi({ trace: good, stderr: "null" }));
    }
  });
});

describe("names come from the ABI table (abi_facts.ts, checked against the witx by check:spec)", () => {
  const up = (xs: readonly string[]) => xs.map((x) => x.toUpperCase());
  const t1 = PREVIEW1.types, t0 = PREVIEW0.types;

  test("the trace decodes exactly the 46 preview1 functions, in spec order", () => {
    assert.deepEqual(TRACED_FUNCTIONS, PREVIEW1.functions.map((f) => f.name));
  });

  test("enum names match the spec's cases (preview0's whence too)", () => {
    assert.deepEqual(TRACE_NAMES.clockid, up(t1.clockid.cases));
    assert.deepEqual(TRACE_NAMES.whence, up(t1.whence.cases));
    assert.deepEqual(TRACE_NAMES.whenceP0, up(t0.whence.cases));
    assert.deepEqual(TRACE_NAMES.filetype, up(t1.filetype.cases));
    assert.deepEqual(TRACE_NAMES.eventtype, up(t1.eventtype.cases));
    assert.deepEqual(TRACE_NAMES.preopentype, up(t1.preopentype.cases));
    assert.deepEqual(TRACE_NAMES.advice, up(t1.advice.cases));
    assert.deepEqual(TRACE_NAMES.signal, up(t1.signal.cases));
  });

  test("flag names and bits match the spec's flags", () => {
    const tables: [keyof typeof t1, Record<string, number>][] = [
      ["rights", Rights],
      ["fdflags", FdFlags],
      ["oflags", OFlags],
      ["lookupflags", LookupFlags],
      ["fstflags", FstFlags],
      ["subclockflags", SubclockFlags],
      ["eventrwflags", EventRwFlags],
      ["riflags", RiFlags],
      ["roflags", TRACE_NAMES.roflags],
      ["sdflags", SdFlags],
    ];
    for (const [type, table] of tables) {
      const t = t1[type];
      assert.ok(t.kind === "flags", type);
      // The spec's subscription_clock_abstime is ABSTIME in consts.ts (and in the trace).
      const names = up(t.bits).map((c) => c.replace(/^SUBSCRIPTION_CLOCK_/, ""));
      assert.deepEqual(Object.keys(table), names, type);
      assert.deepEqual(Object.values(table), names.map((_, i) => 2 ** i), type);
    }
  });
});

test("trace: true writes each line, newline-terminated, to the host's stderr", () => {
  const dir = mkdtempSync(join(tmpdir(), "hostcall-trace-"));
  try {
    const script = join(dir, "child.mts");
    writeFileSync(
      script,
      `import { Wasi } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
import { readFileSync } from "node:fs";
const wasi = new Wasi({ args: ["args_env", "x"], stdin: "null", stdout: "capture", stderr: "capture", trace: true });
const { instance } = await wasi.instantiate(readFileSync(${
        JSON.stringify(fileURLToPath(new URL("./guests/args_env.wasm", import.meta.url)))
      }));
wasi.start(instance);
`,
    );
    const g = globalThis as { Deno?: unknown };
    const args = g.Deno !== undefined ? ["run", "-A", script] : [script];
    const r = spawnSync(process.execPath, args, { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.ok(r.stderr.endsWith("\n"));
    const lines = r.stderr.slice(0, -1).split("\n");
    assert.ok(lines.includes('args_get() = SUCCESS argv=["args_env", "x"]'), r.stderr);
    for (const line of lines) assert.match(line, /^[a-z_]+\(.*\) = (SUCCESS|E[A-Z0-9]+)( .*)?$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
