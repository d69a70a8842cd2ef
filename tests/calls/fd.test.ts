// fd_* calls on stdio and preopens: write/read, fdstat, rights, filestat, seek/tell, close, renumber, prestat.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Errno, MemoryFs } from "../../mod.ts";
import {
  assertSentinelExcept,
  assertUnchanged,
  assertWindow,
  bytesAt,
  type Env,
  le,
  put,
  putIovecs,
  setup,
  snapshot,
  u16,
  u32,
  u64,
} from "../helpers.ts";

// $rights bits, by their position in typenames.witx.
const FD_READ = 1 << 1, FD_SEEK = 1 << 2, FD_TELL = 1 << 5, FD_WRITE = 1 << 6;
/** What the host grants a stdio stream (a terminal-like stream: no seek or tell). */
// Stdio has exactly what wasmtime gives it: read or write, base and inheriting (decisions.md#stdio-filetype).
const STDIN_RIGHTS = FD_READ;
const STDOUT_RIGHTS = FD_WRITE;

const IOVS = 0x100, NW = 0x80, DATA = 0x1000;
const dec = (b: Uint8Array | number[]) => new TextDecoder().decode(new Uint8Array(b));

/** Writes `text` to `fd` through one iovec; returns the errno. */
function write(env: Env, fd: number, text: string): number {
  const n = put(env, DATA, text);
  putIovecs(env, IOVS, [[DATA, n]]);
  return env.p1.fd_write(fd, IOVS, 1, NW);
}

/** Reads into one iovec of `len` bytes from `fd`; returns [errno, text read]. */
function read(env: Env, fd: number, len: number): [number, string] {
  putIovecs(env, IOVS, [[DATA, len]]);
  const e = env.p1.fd_read(fd, IOVS, 1, NW);
  return [e, e === Errno.SUCCESS ? dec(bytesAt(env, DATA, u32(env, NW))) : ""];
}

describe("fd_write", () => {
  test("gathers 16 iovecs of 16 bytes, in iovec order, into one captured write", async () => {
    const env = await setup({ stdout: "capture" });
    const iovs: [number, number][] = [];
    const want: number[] = [];
    for (let i = 0; i < 16; i++) {
      const buf = DATA + (15 - i) * 32; // laid out in reverse, with gaps, to prove the order is the iovecs'
      const bytes = Array.from({ length: 16 }, (_, j) => (i * 16 + j) & 0xff);
      put(env, buf, new Uint8Array(bytes));
      iovs.push([buf, 16]);
      want.push(...bytes);
    }
    putIovecs(env, IOVS, iovs);
    const before = snapshot(env);
    assert.equal(env.p1.fd_write(1, IOVS, 16, NW), Errno.SUCCESS);
    assert.deepEqual([...env.wasi.stdoutBytes()], want);
    assertWindow(env, NW, le(256, 4));
    before.set(le(256, 4), NW);
    assertUnchanged(env, before, "memory other than nwritten");
  });

  test("adjacent iovecs in order go out as one write of the bytes they cover; out of order or overlapping, gathered", async () => {
    const chunks: number[][] = [];
    const env = await setup({ stdout: (b: Uint8Array) => void chunks.push([...b]) });
    const bytes = Array.from({ length: 48 }, (_, i) => 0x30 + i);
    put(env, DATA + 1, new Uint8Array(bytes)); // at an odd address, so no copy is 4-byte aligned
    const run = (from: number, to: number) => bytes.slice(from - DATA - 1, to - DATA - 1);
    const cases: [[number, number][], number[]][] = [
      [[[DATA + 1, 5], [DATA + 6, 0], [DATA + 6, 11], [DATA + 17, 32]], run(DATA + 1, DATA + 49)], // one run
      [[[DATA + 17, 16], [DATA + 1, 16]], [...run(DATA + 17, DATA + 33), ...run(DATA + 1, DATA + 17)]], // reversed
      [[[DATA + 1, 7], [DATA + 5, 7]], [...run(DATA + 1, DATA + 8), ...run(DATA + 5, DATA + 12)]], // overlapping
      [[[DATA + 1, 3], [DATA + 9, 13], [DATA + 30, 1]], [
        ...run(DATA + 1, DATA + 4),
        ...run(DATA + 9, DATA + 22),
        ...run(DATA + 30, DATA + 31),
      ]], // gaps, odd sizes
    ];
    for (const [iovs, want] of cases) {
      chunks.length = 0;
      putIovecs(env, IOVS, iovs);
      assert.equal(env.p1.fd_write(1, IOVS, iovs.length, NW), Errno.SUCCESS);
      assert.deepEqual(chunks, [want], JSON.stringify(iovs));
      assert.equal(u32(env, NW), want.length);
    }
  });

  test("zero-length iovecs are skipped (and may point at the end of memory)", async () => {
    const env = await setup({ stdout: "capture" });
    put(env, DATA, "abcdef");
    putIovecs(env, IOVS, [[DATA, 0], [DATA, 2], [env.size, 0], [DATA + 2, 0], [DATA + 2, 4], [DATA, 0]]);
    assert.equal(env.p1.fd_write(1, IOVS, 6, NW), Errno.SUCCESS);
    assert.equal(env.wasi.stdoutText(), "abcdef");
    assert.equal(u32(env, NW), 6);
  });

  test("iovsLen 0 writes nothing and stores nwritten 0", async () => {
    const chunks: Uint8Array[] = [];
    const env = await setup({ stdout: (b: Uint8Array) => void chunks.push(b) });
    assert.equal(env.p1.fd_write(1, IOVS, 0, NW), Errno.SUCCESS);
    assertWindow(env, NW, le(0, 4));
    assert.equal(chunks.length, 0);
  });

  test("all iovecs empty: nwritten 0", async () => {
    const env = await setup({ stdout: "capture" });
    putIovecs(env, IOVS, [[DATA, 0], [DATA, 0]]);
    assert.equal(env.p1.fd_write(1, IOVS, 2, NW), Errno.SUCCESS);
    assert.equal(u32(env, NW), 0);
    assert.equal(env.wasi.stdoutBytes().length, 0);
  });

  test("one iovec out of bounds -> FAULT: nothing written anywhere, not even the valid iovecs before it", async () => {
    const env = await setup({ stdout: "capture", stderr: "capture" });
    put(env, DATA, "abcdef");
    putIovecs(env, IOVS, [[DATA, 3], [env.size - 2, 3], [DATA + 3, 3]]);
    const before = snapshot(env);
    assert.equal(env.p1.fd_write(1, IOVS, 3, NW), Errno.FAULT);
    assert.equal(env.p1.fd_write(2, IOVS, 3, NW), Errno.FAULT);
    assertUnchanged(env, before);
    assert.equal(env.wasi.stdoutBytes().length, 0);
    assert.equal(env.wasi.stderrBytes().length, 0);
  });

  test("an iovec ending at the end of memory fits; one byte further -> FAULT", async () => {
    const env = await setup({ stdout: "capture" });
    put(env, env.size - 3, "xyz");
    putIovecs(env, IOVS, [[env.size - 3, 3]]);
    assert.equal(env.p1.fd_write(1, IOVS, 1, NW), Errno.SUCCESS);
    assert.equal(env.wasi.stdoutText(), "xyz");
    putIovecs(env, IOVS, [[env.size - 2, 3]]);
    assert.equal(env.p1.fd_write(1, IOVS, 1, NW), Errno.FAULT);
    putIovecs(env, IOVS, [[0xffffffff, 1]]);
    assert.equal(env.p1.fd_write(1, IOVS, 1, NW), Errno.FAULT);
    assert.equal(env.wasi.stdoutText(), "xyz");
  });

  test("the iovec array at byteLength-8 fits; at byteLength-7 -> FAULT", async () => {
    const env = await setup({ stdout: "capture" });
    put(env, DATA, "ok");
    putIovecs(env, env.size - 8, [[DATA, 2]]);
    assert.equal(env.p1.fd_write(1, env.size - 8, 1, NW), Errno.SUCCESS);
    const before = snapshot(env);
    assert.equal(env.p1.fd_write(1, env.size - 7, 1, NW), Errno.FAULT);
    assert.equal(env.p1.fd_write(1, IOVS, 0x2000_0000, NW), Errno.FAULT);
    assertUnchanged(env, before);
    assert.equal(env.wasi.stdoutText(), "ok");
  });

  test("nwritten at byteLength-4 fits; at byteLength-3 -> FAULT and nothing is written to the stream", async () => {
    const env = await setup({ stdout: "capture" });
    put(env, DATA, "ok");
    putIovecs(env, IOVS, [[DATA, 2]]);
    assert.equal(env.p1.fd_write(1, IOVS, 1, env.size - 4), Errno.SUCCESS);
    assert.deepEqual(bytesAt(env, env.size - 5, 5), [0xaa, 2, 0, 0, 0]);
    const before = snapshot(env);
    assert.equal(env.p1.fd_write(1, IOVS, 1, env.size - 3), Errno.FAULT);
    assertUnchanged(env, before);
    assert.equal(env.wasi.stdoutText(), "ok");
  });

  test("stderr is captured separately from stdout", async () => {
    const env = await setup({ stdout: "capture", stderr: "capture" });
    assert.equal(write(env, 2, "err"), Errno.SUCCESS);
    assert.equal(write(env, 1, "out"), Errno.SUCCESS);
    assert.equal(env.wasi.stdoutText(), "out");
    assert.equal(env.wasi.stderrText(), "err");
  });

  test('"null" stdout swallows the bytes and reports them all written', async () => {
    const env = await setup({ stdout: "null" });
    assert.equal(write(env, 1, "hello"), Errno.SUCCESS);
    assert.equal(u32(env, NW), 5);
  });

  test("writing to stdin (fd 0) -> BADF, nwritten untouched", async () => {
    const env = await setup({ stdin: "abc" });
    put(env, DATA, "x");
    putIovecs(env, IOVS, [[DATA, 1]]);
    const before = snapshot(env);
    assert.equal(env.p1.fd_write(0, IOVS, 1, NW), Errno.BADF);
    assertUnchanged(env, before);
  });

  test("writing to an fd that is not open (99) -> BADF", async () => {
    const env = await setup({ stdout: "capture" });
    assert.equal(write(env, 99, "x"), Errno.BADF);
    assert.equal(u32(env, NW), 0xaaaaaaaa);
  });
});

describe("fd_read", () => {
  test("a Uint8Array stdin scatters into several iovecs, then reaches EOF (0)", async () => {
    const env = await setup({ stdin: new TextEncoder().encode("hello world") });
    putIovecs(env, IOVS, [[DATA, 4], [DATA + 100, 4], [DATA + 200, 8]]);
    assert.equal(env.p1.fd_read(0, IOVS, 3, NW), Errno.SUCCESS);
    assertWindow(env, NW, le(11, 4));
    assertWindow(env, DATA, [..."hell"].map((c) => c.charCodeAt(0)));
    assertWindow(env, DATA + 100, [..."o wo"].map((c) => c.charCodeAt(0)));
    assertWindow(env, DATA + 200, [..."rld"].map((c) => c.charCodeAt(0)), 6);
    assert.equal(env.p1.fd_read(0, IOVS, 3, NW), Errno.SUCCESS);
    assert.equal(u32(env, NW), 0);
  });

  test("odd sizes at odd addresses scatter exactly, and adjacent iovecs in order are read as one run", async () => {
    const input = Array.from({ length: 64 }, (_, i) => 0x40 + i);
    const sizes: number[] = [];
    const env = await setup({
      stdin(buf: Uint8Array): number {
        sizes.push(buf.length);
        buf.set(input.slice(0, buf.length));
        return buf.length;
      },
    });
    putIovecs(env, IOVS, [[DATA + 1, 7], [DATA + 21, 1], [DATA + 41, 13]]);
    assert.equal(env.p1.fd_read(0, IOVS, 3, NW), Errno.SUCCESS);
    assert.equal(u32(env, NW), 21);
    assertWindow(env, DATA + 1, input.slice(0, 7), 13);
    assertWindow(env, DATA + 21, input.slice(7, 8), 19);
    assertWindow(env, DATA + 41, input.slice(8, 21), 1);
    putIovecs(env, IOVS, [[DATA + 101, 3], [DATA + 104, 0], [DATA + 104, 10]]);
    const before = snapshot(env);
    assert.equal(env.p1.fd_read(0, IOVS, 3, NW), Errno.SUCCESS);
    assert.equal(u32(env, NW), 13);
    assertWindow(env, DATA + 101, input.slice(0, 13), 1);
    before.set(input.slice(0, 13), DATA + 101);
    before.set(le(13, 4), NW);
    assertUnchanged(env, before, "memory other than the run, the iovecs and nread");
    assert.deepEqual(sizes, [21, 13]);
  });

  test("a read over its own iovec array lands where the iovecs said before the read (one run, as readv)", async () => {
    const input = Array.from({ length: 16 }, (_, i) => 0xe0 + i);
    const env = await setup({ stdin: new Uint8Array(input) });
    putIovecs(env, IOVS, [[IOVS, 8], [IOVS + 8, 8]]); // the two iovecs cover themselves
    assert.equal(env.p1.fd_read(0, IOVS, 2, NW), Errno.SUCCESS);
    assert.equal(u32(env, NW), 16);
    assertWindow(env, IOVS, input);
  });

  test("a string stdin is read as UTF-8, a piece at a time", async () => {
    const env = await setup({ stdin: "héllo ✓" });
    const bytes = new TextEncoder().encode("héllo ✓");
    const got: number[] = [];
    for (;;) {
      putIovecs(env, IOVS, [[DATA, 3]]);
      assert.equal(env.p1.fd_read(0, IOVS, 1, NW), Errno.SUCCESS);
      const n = u32(env, NW);
      if (n === 0) break;
      assert.ok(n <= 3);
      got.push(...bytesAt(env, DATA, n));
    }
    assert.deepEqual(got, [...bytes]);
  });

  test("the Uint8Array given as stdin is copied at construction", async () => {
    const input = new TextEncoder().encode("abc");
    const env = await setup({ stdin: input });
    input[0] = 0x7a;
    assert.deepEqual(read(env, 0, 10), [Errno.SUCCESS, "abc"]);
  });

  test("a function stdin is called once per fd_read with a buffer the size of all iovecs", async () => {
    const sizes: number[] = [];
    let left = 2;
    const env = await setup({
      stdin(buf: Uint8Array): number {
        sizes.push(buf.length);
        if (left-- === 0) return 0;
        buf.set([0x41, 0x42, 0x43, 0x44, 0x45]);
        return 5;
      },
    });
    putIovecs(env, IOVS, [[DATA, 2], [DATA + 16, 0], [DATA + 32, 6]]);
    assert.equal(env.p1.fd_read(0, IOVS, 3, NW), Errno.SUCCESS);
    assert.equal(u32(env, NW), 5);
    assertWindow(env, DATA, [0x41, 0x42]);
    assertWindow(env, DATA + 32, [0x43, 0x44, 0x45], 3);
    assert.deepEqual(read(env, 0, 7), [Errno.SUCCESS, "ABCDE"]);
    assert.deepEqual(read(env, 0, 7), [Errno.SUCCESS, ""]);
    assert.deepEqual(sizes, [8, 7, 7]);
  });

  test('"null" stdin is at EOF at once', async () => {
    const env = await setup({ stdin: "null" });
    assert.deepEqual(read(env, 0, 16), [Errno.SUCCESS, ""]);
    assertSentinelExcept(env, [[IOVS, IOVS + 8], [NW, NW + 4]]);
  });

  test("an empty iovec list reads nothing and stores 0, consuming no input", async () => {
    const env = await setup({ stdin: "abc" });
    assert.equal(env.p1.fd_read(0, IOVS, 0, NW), Errno.SUCCESS);
    assert.equal(u32(env, NW), 0);
    assert.deepEqual(read(env, 0, 10), [Errno.SUCCESS, "abc"]);
  });

  test("an iovec out of bounds -> FAULT, memory unchanged and no input consumed", async () => {
    const env = await setup({ stdin: "abcdef" });
    putIovecs(env, IOVS, [[DATA, 2], [env.size - 1, 2]]);
    const before = snapshot(env);
    assert.equal(env.p1.fd_read(0, IOVS, 2, NW), Errno.FAULT);
    assertUnchanged(env, before);
    assert.deepEqual(read(env, 0, 10), [Errno.SUCCESS, "abcdef"]);
  });

  test("nread at byteLength-3 -> FAULT, memory unchanged and no input consumed", async () => {
    const env = await setup({ stdin: "abcdef" });
    putIovecs(env, IOVS, [[DATA, 4]]);
    const before = snapshot(env);
    assert.equal(env.p1.fd_read(0, IOVS, 1, env.size - 3), Errno.FAULT);
    assertUnchanged(env, before);
    assert.equal(env.p1.fd_read(0, IOVS, 1, env.size - 4), Errno.SUCCESS);
    assert.equal(u32(env, env.size - 4), 4);
  });

  test("a read into the last bytes of memory fits", async () => {
    const env = await setup({ stdin: "abcdef" });
    putIovecs(env, IOVS, [[env.size - 6, 6]]);
    assert.equal(env.p1.fd_read(0, IOVS, 1, NW), Errno.SUCCESS);
    assert.equal(dec(bytesAt(env, env.size - 6, 6)), "abcdef");
  });

  test("reading stdout or stderr -> BADF; fd 99 -> BADF", async () => {
    const env = await setup({ stdout: "capture", stderr: "capture" });
    const before = snapshot(env);
    putIovecs(env, IOVS, [[DATA, 4]]);
    before.set(bytesAt(env, IOVS, 8), IOVS);
    for (const fd of [1, 2, 99]) assert.equal(env.p1.fd_read(fd, IOVS, 1, NW), Errno.BADF, `fd ${fd}`);
    assertUnchanged(env, before);
  });
});

/** The 24 bytes fd_fdstat_get writes for a stream with these flags and rights. */
function fdstat(filetype: number, flags: number, base: number, inheriting: number): number[] {
  return [filetype, 0, ...le(flags, 2), 0, 0, 0, 0, ...le(base, 8), ...le(inheriting, 8)];
}

describe("fd_fdstat_get", () => {
  for (const mode of ["capture", "null"] as const) {
    test(`stdio with stdout/stderr "${mode}": filetype UNKNOWN (not a character device), exact rights, no seek/tell`, async () => {
      const env = await setup({ stdin: "null", stdout: mode, stderr: mode });
      for (const fd of [0, 1, 2]) {
        env.u8().fill(0xaa);
        assert.equal(env.p1.fd_fdstat_get(fd, 64), Errno.SUCCESS);
        assertWindow(
          env,
          64,
          fdstat(0, 0, fd === 0 ? STDIN_RIGHTS : STDOUT_RIGHTS, fd === 0 ? STDIN_RIGHTS : STDOUT_RIGHTS),
        );
        assertSentinelExcept(env, [[64, 88]]);
        assert.equal(Number(u64(env, 72)) & (FD_SEEK | FD_TELL), 0);
      }
    });
  }

  for (const stdin of [new Uint8Array([1]), "text", () => 0] as const) {
    test(`stdin given as ${typeof stdin === "function" ? "a function" : typeof stdin}: UNKNOWN, read rights`, async () => {
      const env = await setup({ stdin });
      assert.equal(env.p1.fd_fdstat_get(0, 64), Errno.SUCCESS);
      assertWindow(env, 64, fdstat(0, 0, STDIN_RIGHTS, STDIN_RIGHTS));
    });
  }

  test("a preopen is a directory", async () => {
    const env = await setup({ preopens: { "/data": "/tmp" } });
    assert.equal(env.p1.fd_fdstat_get(3, 64), Errno.SUCCESS);
    assert.equal(env.u8()[64], 3);
    assert.equal(env.u8()[88], 0xaa);
  });

  test("at byteLength-24 fits; byteLength-23 -> FAULT; fd 99 -> BADF; nothing written on error", async () => {
    const env = await setup({ stdout: "null" });
    assert.equal(env.p1.fd_fdstat_get(1, env.size - 24), Errno.SUCCESS);
    assert.deepEqual(bytesAt(env, env.size - 24, 24), fdstat(0, 0, STDOUT_RIGHTS, STDOUT_RIGHTS));
    const before = snapshot(env);
    assert.equal(env.p1.fd_fdstat_get(1, env.size - 23), Errno.FAULT);
    assert.equal(env.p1.fd_fdstat_get(99, 64), Errno.BADF);
    assertUnchanged(env, before);
  });
});

describe("fd_fdstat_set_flags", () => {
  test("APPEND and NONBLOCK, in every combination, are accepted on stdio and read back", async () => {
    const env = await setup({ stdout: "null" });
    for (const f of [0, 1, 4, 5, 0]) {
      assert.equal(env.p1.fd_fdstat_set_flags(1, f), Errno.SUCCESS, `flags ${f}`);
      assert.equal(env.p1.fd_fdstat_get(1, 64), Errno.SUCCESS);
      assert.equal(u16(env, 66), f);
    }
  });

  test("DSYNC, RSYNC, SYNC (as wasmtime) and undefined bits -> INVAL, and the flags stay", async () => {
    const env = await setup({ stdout: "null" });
    assert.equal(env.p1.fd_fdstat_set_flags(1, 0x4), Errno.SUCCESS);
    for (const f of [0x2, 0x8, 0x10, 0x1f, 0x20, 0x21, 0x8000, 0xffff]) {
      assert.equal(env.p1.fd_fdstat_set_flags(1, f), Errno.INVAL, `flags ${f}`);
    }
    env.p1.fd_fdstat_get(1, 64);
    assert.equal(u16(env, 66), 0x4);
  });

  test("on a directory -> BADF (as wasmtime)", async () => {
    const env = await setup({ preopens: { "/data": "/tmp" } });
    assert.equal(env.p1.fd_fdstat_set_flags(3, 0), Errno.BADF);
  });

  test("fd 99 -> BADF", async () => {
    const env = await setup();
    assert.equal(env.p1.fd_fdstat_set_flags(99, 0), Errno.BADF);
  });
});
describe("fd_fdstat_set_rights", () => {
  test("narrowing is allowed and fd_fdstat_get reports the new rights", async () => {
    const env = await setup({ stdout: "null" });
    assert.equal(env.p1.fd_fdstat_set_rights(1, 0n, BigInt(FD_WRITE)), Errno.SUCCESS);
    env.p1.fd_fdstat_get(1, 64);
    assertWindow(env, 64, fdstat(0, 0, 0, FD_WRITE));
  });

  test("the same rights again is allowed (a no-op)", async () => {
    const env = await setup({ stdout: "null" });
    assert.equal(env.p1.fd_fdstat_set_rights(1, BigInt(STDOUT_RIGHTS), BigInt(STDOUT_RIGHTS)), Errno.SUCCESS);
    assert.equal(write(env, 1, "x"), Errno.SUCCESS);
  });

  test("widening -> NOTCAPABLE and the rights are unchanged", async () => {
    const env = await setup({ stdout: "null" });
    for (
      const [base, inh] of [
        [BigInt(STDOUT_RIGHTS | FD_SEEK), 0n],
        [BigInt(STDOUT_RIGHTS), BigInt(STDOUT_RIGHTS | 1)],
        [1n << 40n, 0n],
        [0xffff_ffff_ffff_ffffn, 0n],
        [-1n, 0n],
      ]
    ) {
      assert.equal(env.p1.fd_fdstat_set_rights(1, base, inh), Errno.NOTCAPABLE, `base ${base} inheriting ${inh}`);
    }
    env.p1.fd_fdstat_get(1, 64);
    assertWindow(env, 64, fdstat(0, 0, STDOUT_RIGHTS, STDOUT_RIGHTS));
  });

  test("a dropped right cannot be taken back", async () => {
    const env = await setup({ stdout: "null" });
    assert.equal(env.p1.fd_fdstat_set_rights(1, 0n, 0n), Errno.SUCCESS);
    assert.equal(env.p1.fd_fdstat_set_rights(1, BigInt(STDOUT_RIGHTS), 0n), Errno.NOTCAPABLE);
  });

  test("after dropping FD_WRITE, fd_write -> NOTCAPABLE and nothing is written", async () => {
    const env = await setup({ stdout: "capture" });
    assert.equal(env.p1.fd_fdstat_set_rights(1, 0n, 0n), Errno.SUCCESS);
    assert.equal(write(env, 1, "nope"), Errno.NOTCAPABLE);
    assert.equal(u32(env, NW), 0xaaaaaaaa);
    assert.equal(env.wasi.stdoutBytes().length, 0);
  });

  test("after dropping FD_READ, fd_read -> NOTCAPABLE and no input is consumed by it", async () => {
    const env = await setup({ stdin: "abc" });
    assert.equal(env.p1.fd_fdstat_set_rights(0, 0n, 0n), Errno.SUCCESS);
    assert.deepEqual(read(env, 0, 4), [Errno.NOTCAPABLE, ""]);
  });

  test("fd 99 -> BADF", async () => {
    const env = await setup();
    assert.equal(env.p1.fd_fdstat_set_rights(99, 0n, 0n), Errno.BADF);
  });
});

describe("fd_filestat_get", () => {
  test("stdio: 64 bytes, all zero but the filetype (UNKNOWN for captured/null streams)", async () => {
    const env = await setup({ stdin: "null", stdout: "capture", stderr: "null" });
    for (const fd of [0, 1, 2]) {
      env.u8().fill(0xaa);
      assert.equal(env.p1.fd_filestat_get(fd, 128), Errno.SUCCESS);
      assertWindow(env, 128, new Array(64).fill(0));
      assertSentinelExcept(env, [[128, 192]]);
    }
  });

  test("a preopen: the filetype DIRECTORY at offset 16", async () => {
    const env = await setup({ preopens: { "/data": "/tmp" } });
    assert.equal(env.p1.fd_filestat_get(3, 128), Errno.SUCCESS);
    assert.equal(env.u8()[128 + 16], 3);
    assert.equal(env.u8()[127], 0xaa);
    assert.equal(env.u8()[192], 0xaa);
  });

  test("at byteLength-64 fits; byteLength-63 -> FAULT; fd 99 -> BADF; nothing written on error", async () => {
    const env = await setup({ stdout: "null" });
    assert.equal(env.p1.fd_filestat_get(1, env.size - 64), Errno.SUCCESS);
    assert.equal(env.u8()[env.size - 65], 0xaa);
    const before = snapshot(env);
    assert.equal(env.p1.fd_filestat_get(1, env.size - 63), Errno.FAULT);
    assert.equal(env.p1.fd_filestat_get(99, 128), Errno.BADF);
    assertUnchanged(env, before);
  });
});

describe("fd_seek and fd_tell", () => {
  test("on stdio: SPIPE for every whence and for tell, nothing written", async () => {
    const env = await setup({ stdin: "abc", stdout: "null", stderr: "null" });
    const before = snapshot(env);
    for (const fd of [0, 1, 2]) {
      for (const whence of [0, 1, 2]) {
        for (const off of [0n, 5n, -1n]) {
          assert.equal(env.p1.fd_seek(fd, off, whence, 64), Errno.SPIPE, `fd ${fd} whence ${whence} offset ${off}`);
        }
      }
      assert.equal(env.p1.fd_tell(fd, 64), Errno.SPIPE);
    }
    assertUnchanged(env, before);
  });

  test("an invalid whence (3, 255) -> INVAL", async () => {
    const env = await setup({ stdout: "null" });
    assert.equal(env.p1.fd_seek(1, 0n, 3, 64), Errno.INVAL);
    assert.equal(env.p1.fd_seek(1, 0n, 255, 64), Errno.INVAL);
  });

  test("a closed fd -> BADF, whatever the whence", async () => {
    const env = await setup();
    assert.equal(env.p1.fd_seek(99, 0n, 0, 64), Errno.BADF);
    assert.equal(env.p1.fd_seek(99, 0n, 3, 64), Errno.BADF);
    assert.equal(env.p1.fd_tell(99, 64), Errno.BADF);
  });

  test("the result at byteLength-7 -> FAULT, nothing written", async () => {
    const env = await setup({ stdout: "null" });
    const before = snapshot(env);
    assert.equal(env.p1.fd_seek(1, 0n, 0, env.size - 7), Errno.FAULT);
    assert.equal(env.p1.fd_tell(1, env.size - 7), Errno.FAULT);
    assertUnchanged(env, before);
  });
});

describe("fd_close", () => {
  test("a closed fd is BADF for every later use, and a second close is BADF", async () => {
    const env = await setup({ stdout: "capture" });
    assert.equal(env.p1.fd_close(1), Errno.SUCCESS);
    assert.equal(write(env, 1, "x"), Errno.BADF);
    assert.equal(env.p1.fd_fdstat_get(1, 64), Errno.BADF);
    assert.equal(env.p1.fd_filestat_get(1, 64), Errno.BADF);
    assert.equal(env.p1.fd_seek(1, 0n, 0, 64), Errno.BADF);
    assert.equal(env.p1.fd_close(1), Errno.BADF);
    assert.equal(env.wasi.stdoutBytes().length, 0);
  });

  test("closing stdin and a preopen works too; fd 99 -> BADF", async () => {
    const env = await setup({ stdin: "abc", preopens: { "/d": "/tmp" } });
    assert.equal(env.p1.fd_close(0), Errno.SUCCESS);
    assert.deepEqual(read(env, 0, 4), [Errno.BADF, ""]);
    assert.equal(env.p1.fd_close(3), Errno.SUCCESS);
    assert.equal(env.p1.fd_prestat_get(3, 64), Errno.BADF);
    assert.equal(env.p1.fd_close(99), Errno.BADF);
  });
});

describe("fd_renumber", () => {
  test("both open: stdout moves onto stderr; fd 2 writes land in the old stdout, fd 1 is closed", async () => {
    const env = await setup({ stdout: "capture", stderr: "capture" });
    assert.equal(env.p1.fd_renumber(1, 2), Errno.SUCCESS);
    assert.equal(write(env, 2, "moved"), Errno.SUCCESS);
    assert.equal(env.wasi.stdoutText(), "moved");
    assert.equal(env.wasi.stderrText(), "");
    assert.equal(write(env, 1, "x"), Errno.BADF);
    assert.equal(env.p1.fd_fdstat_get(1, 64), Errno.BADF);
  });

  test("from a closed fd -> BADF, and the target stays open", async () => {
    const env = await setup({ stdout: "capture", stderr: "capture" });
    assert.equal(env.p1.fd_renumber(99, 2), Errno.BADF);
    assert.equal(env.p1.fd_close(1), Errno.SUCCESS);
    assert.equal(env.p1.fd_renumber(1, 2), Errno.BADF);
    assert.equal(write(env, 2, "still"), Errno.SUCCESS);
    assert.equal(env.wasi.stderrText(), "still");
  });

  test("to a closed fd above 2 -> BADF (as wasmtime), and the source stays open", async () => {
    const env = await setup({ stdout: "capture" });
    assert.equal(env.p1.fd_renumber(1, 5), Errno.BADF);
    assert.equal(env.p1.fd_renumber(1, 99), Errno.BADF);
    assert.equal(env.p1.fd_fdstat_get(5, 64), Errno.BADF);
    assert.equal(write(env, 1, "here"), Errno.SUCCESS);
    assert.equal(env.wasi.stdoutText(), "here");
  });

  test("to a freed stdio slot works (close 1, renumber 2 -> 1; decisions.md#fd_renumber)", async () => {
    const env = await setup({ stdout: "capture", stderr: "capture" });
    assert.equal(env.p1.fd_close(1), Errno.SUCCESS);
    assert.equal(env.p1.fd_renumber(2, 1), Errno.SUCCESS);
    assert.equal(write(env, 1, "to stderr"), Errno.SUCCESS);
    assert.equal(env.wasi.stderrText(), "to stderr");
    assert.equal(env.wasi.stdoutText(), "");
    assert.equal(write(env, 2, "x"), Errno.BADF);
  });

  test("from == to is a success that changes nothing", async () => {
    const env = await setup({ stdout: "capture" });
    assert.equal(env.p1.fd_renumber(1, 1), Errno.SUCCESS);
    assert.equal(write(env, 1, "same"), Errno.SUCCESS);
    assert.equal(env.wasi.stdoutText(), "same");
    assert.equal(env.p1.fd_renumber(99, 99), Errno.BADF);
  });

  test("a preopen renumbered onto stdin keeps its name", async () => {
    const env = await setup({ preopens: { "/data": "/tmp" } });
    assert.equal(env.p1.fd_renumber(3, 0), Errno.SUCCESS);
    assert.equal(env.p1.fd_prestat_get(0, 64), Errno.SUCCESS);
    assert.deepEqual(bytesAt(env, 64, 8), [0, 0, 0, 0, ...le(5, 4)]);
    assert.equal(env.p1.fd_prestat_get(3, 64), Errno.BADF);
  });
});

describe("fd_prestat_get and fd_prestat_dir_name", () => {
  const preopens = { "/data": "/tmp", "/x": "/tmp", "/dätä": "/tmp" };

  test("preopens are fds 3, 4, 5 in order: tag 0 (dir), padding zero, the UTF-8 name length", async () => {
    const env = await setup({ preopens });
    for (const [fd, len] of [[3, 5], [4, 2], [5, 7]]) {
      env.u8().fill(0xaa);
      assert.equal(env.p1.fd_prestat_get(fd, 64), Errno.SUCCESS);
      assertWindow(env, 64, [0, 0, 0, 0, ...le(len, 4)]);
      assertSentinelExcept(env, [[64, 72]]);
    }
  });

  test("names are written exactly, with no NUL or anything else past them", async () => {
    const env = await setup({ preopens });
    for (const [fd, name] of [[3, "/data"], [4, "/x"], [5, "/dätä"]] as const) {
      env.u8().fill(0xaa);
      const want = [...new TextEncoder().encode(name)];
      assert.equal(env.p1.fd_prestat_dir_name(fd, 200, want.length), Errno.SUCCESS);
      assertWindow(env, 200, want);
      assertSentinelExcept(env, [[200, 200 + want.length]]);
    }
  });

  test("a longer buffer gets just the name", async () => {
    const env = await setup({ preopens });
    assert.equal(env.p1.fd_prestat_dir_name(4, 200, 64), Errno.SUCCESS);
    assertWindow(env, 200, [0x2f, 0x78], 62);
  });

  test("a buffer shorter than the name -> NAMETOOLONG, nothing written", async () => {
    const env = await setup({ preopens });
    const before = snapshot(env);
    assert.equal(env.p1.fd_prestat_dir_name(3, 200, 4), Errno.NAMETOOLONG);
    assert.equal(env.p1.fd_prestat_dir_name(3, 200, 0), Errno.NAMETOOLONG);
    assertUnchanged(env, before);
  });

  test("stdio is not a preopen: prestat_get -> BADF, prestat_dir_name -> NOTDIR (as wasmtime)", async () => {
    const env = await setup({ preopens: { "/data": "/tmp", "/x": "/tmp" } });
    const before = snapshot(env);
    for (const fd of [0, 1, 2]) {
      assert.equal(env.p1.fd_prestat_get(fd, 64), Errno.BADF, `fd ${fd}`);
      assert.equal(env.p1.fd_prestat_dir_name(fd, 200, 16), Errno.NOTDIR, `fd ${fd}`);
    }
    for (const fd of [5, 99]) {
      assert.equal(env.p1.fd_prestat_get(fd, 64), Errno.BADF, `fd ${fd}`);
      assert.equal(env.p1.fd_prestat_dir_name(fd, 200, 16), Errno.BADF, `fd ${fd}`);
    }
    assertUnchanged(env, before);
  });

  test("prestat at byteLength-8 fits, at byteLength-7 -> FAULT; the name at the end fits, one further -> FAULT", async () => {
    const env = await setup({ preopens });
    assert.equal(env.p1.fd_prestat_get(3, env.size - 8), Errno.SUCCESS);
    assert.equal(env.p1.fd_prestat_dir_name(3, env.size - 5, 5), Errno.SUCCESS);
    assert.equal(dec(bytesAt(env, env.size - 5, 5)), "/data");
    const before = snapshot(env);
    assert.equal(env.p1.fd_prestat_get(3, env.size - 7), Errno.FAULT);
    assert.equal(env.p1.fd_prestat_dir_name(3, env.size - 4, 5), Errno.FAULT);
    assertUnchanged(env, before);
  });
});

describe("fd_readdir", () => {
  test("each entry is next, ino, namlen, type and 3 zero bytes, then the UTF-8 name; a cut buffer gets the prefix", async () => {
    const fs = new MemoryFs();
    const names = ["plain.txt", "ünï✓", "dir"];
    fs.files.writeFile("/plain.txt", new Uint8Array(1));
    fs.files.writeFile("/ünï✓", new Uint8Array(2));
    fs.mkdir("/dir");
    const env = await setup({ preopens: { "/m": fs } });
    const STAT = 0x200;
    const inoOf = (name: string): [bigint, number] => {
      const n = put(env, DATA, name);
      assert.equal(env.p1.path_filestat_get(3, 0, DATA, n, STAT), Errno.SUCCESS);
      return [u64(env, STAT + 8), env.u8()[STAT + 16]];
    };
    const want: number[] = [];
    [".", "..", ...names].forEach((name, i) => {
      const [ino, type] = inoOf(name === ".." ? "." : name); // the preopen's .. is the preopen itself
      const bytes = new TextEncoder().encode(name);
      want.push(...le(BigInt(i + 1), 8), ...le(ino, 8), ...le(bytes.length, 4), type, 0, 0, 0, ...bytes);
    });
    const BUF = 0x1000;
    assert.equal(env.p1.fd_readdir(3, BUF, 1024, 0n, NW), Errno.SUCCESS);
    assert.equal(u32(env, NW), want.length);
    assertWindow(env, BUF, want);
    for (const cut of [want.length - 1, 24 * 4 + 1 + 2 + 9 + 3]) { // in the last name; inside "ünï✓" (a split ✓)
      env.u8().fill(0xaa, BUF - 1, BUF + 1024);
      assert.equal(env.p1.fd_readdir(3, BUF, cut, 0n, NW), Errno.SUCCESS);
      assert.equal(u32(env, NW), cut);
      assertWindow(env, BUF, want.slice(0, cut));
    }
  });
});

describe("after the guest's memory grows", () => {
  test("fd_write, fd_read, clock_time_get and random_get see the new pages and the old ones", async () => {
    const env = await setup({ stdin: "input", stdout: "capture" });
    env.memory.grow(1); // detaches the old buffer
    env.u8().fill(0xaa);
    const hi = 65536 + 100;
    put(env, hi + 64, "new page");
    putIovecs(env, hi, [[hi + 64, 8]]);
    assert.equal(env.p1.fd_write(1, hi, 1, hi + 32), Errno.SUCCESS);
    assert.equal(env.wasi.stdoutText(), "new page");
    assert.equal(u32(env, hi + 32), 8);
    putIovecs(env, 16, [[2 * 65536 - 5, 5]]);
    assert.equal(env.p1.fd_read(0, 16, 1, 8), Errno.SUCCESS);
    assert.equal(dec(bytesAt(env, 2 * 65536 - 5, 5)), "input");
    assert.equal(env.p1.clock_time_get(1, 0n, 0), Errno.SUCCESS);
    assert.notEqual(u64(env, 0), 0xaaaa_aaaa_aaaa_aaaan);
    assert.equal(env.p1.random_get(2 * 65536 - 32, 32), Errno.SUCCESS);
    assert.equal(env.p1.random_get(2 * 65536 - 31, 32), Errno.FAULT);
  });
});
