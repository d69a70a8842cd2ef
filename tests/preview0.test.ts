// wasi_unstable (preview0): one test per ABI difference from preview1, and the state both share.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Errno, MemoryFs } from "../mod.ts";
import { Whence, WHENCE_FROM_P0 } from "../src/abi/consts.ts";
import {
  assertUnchanged,
  assertWindow,
  bytesAt,
  type Env,
  le,
  put,
  putIovecs,
  setU16,
  setU32,
  setU64,
  setup,
  snapshot,
  u32,
  u8,
} from "./helpers.ts";

const MS = 1_000_000n;

describe("wasi_unstable fd_seek: whence is numbered CUR=0, END=1, SET=2", () => {
  test("the translation table maps preview0 whence values to preview1's", () => {
    assert.deepEqual([...WHENCE_FROM_P0], [Whence.CUR, Whence.END, Whence.SET]);
    assert.deepEqual([Whence.SET, Whence.CUR, Whence.END], [0, 1, 2]);
  });

  test("whence 0, 1 and 2 are accepted (SPIPE on stdio, not INVAL); 3 and 255 -> INVAL, in both versions", async () => {
    const env = await setup({ stdout: "null" });
    const before = snapshot(env);
    for (const w of [0, 1, 2]) {
      assert.equal(env.p0.fd_seek(1, 0n, w, 64), Errno.SPIPE, `preview0 whence ${w}`);
      assert.equal(env.p1.fd_seek(1, 0n, w, 64), Errno.SPIPE, `preview1 whence ${w}`);
    }
    for (const w of [3, 255, -1]) {
      assert.equal(env.p0.fd_seek(1, 0n, w, 64), Errno.INVAL, `preview0 whence ${w}`);
      assert.equal(env.p1.fd_seek(1, 0n, w, 64), Errno.INVAL, `preview1 whence ${w}`);
    }
    assertUnchanged(env, before);
  });
});

describe("wasi_unstable fd_filestat_get: 56 bytes, nlink is a u32 at 20", () => {
  test("preview0 writes 56 bytes (filetype at 16, nlink u32 at 20, size at 24); byte 56 is untouched", async () => {
    const fs = new MemoryFs({ now: () => 1_700_000_000_123_456_789n });
    fs.files.writeFile("/f", "twelve bytes");
    const env = await setup({ preopens: { "/data": fs } });
    put(env, 100, "f");
    assert.equal(env.p1.path_filestat_get(3, 0, 100, 1, 256), Errno.SUCCESS);
    assert.equal(env.p0.path_filestat_get(3, 0, 100, 1, 512), Errno.SUCCESS);
    const p1 = bytesAt(env, 256, 64);
    const want = [
      ...p1.slice(0, 16), // dev, ino
      4,
      0,
      0,
      0, // REGULAR_FILE, padding
      ...p1.slice(24, 28), // nlink as a u32
      ...p1.slice(32, 64), // size, atim, mtim, ctim
    ];
    assert.equal(u8(env, 256 + 16), 4);
    assert.deepEqual(p1.slice(24, 32), le(1n, 8)); // one link
    assert.deepEqual(p1.slice(32, 40), le(12n, 8));
    assert.deepEqual(p1.slice(48, 56), le(1_700_000_000_123_456_789n, 8));
    assertWindow(env, 512, want);
  });

  test("preview1 writes 64 bytes for the same file; byte 64 is untouched", async () => {
    const fs = new MemoryFs({ now: () => 5n });
    fs.files.writeFile("/f", "x");
    const env = await setup({ preopens: { "/data": fs } });
    put(env, 100, "f");
    assert.equal(env.p1.path_filestat_get(3, 0, 100, 1, 256), Errno.SUCCESS);
    assert.equal(u8(env, 256 + 64), 0xaa);
    assert.deepEqual(bytesAt(env, 256 + 56, 8), le(5n, 8)); // ctim is the last field
  });

  test("preview0 fits at byteLength-56, preview1 does not", async () => {
    const env = await setup({ stdout: "null" });
    assert.equal(env.p0.fd_filestat_get(1, env.size - 56), Errno.SUCCESS);
    assert.equal(env.u8()[env.size - 57], 0xaa);
    const env2 = await setup({ stdout: "null" });
    const before = snapshot(env2);
    assert.equal(env2.p1.fd_filestat_get(1, env2.size - 56), Errno.FAULT);
    assert.equal(env2.p0.fd_filestat_get(1, env2.size - 55), Errno.FAULT);
    assertUnchanged(env2, before);
  });

  test("path_filestat_get also uses the 56-byte layout in preview0", async () => {
    const env = await setup({ preopens: { "/data": "/tmp" } });
    put(env, 64, "f");
    const before = snapshot(env);
    assert.notEqual(env.p0.path_filestat_get(3, 0, 64, 1, env.size - 56), Errno.FAULT);
    assert.equal(env.p0.path_filestat_get(3, 0, 64, 1, env.size - 55), Errno.FAULT);
    assert.equal(env.p1.path_filestat_get(3, 0, 64, 1, env.size - 56), Errno.FAULT);
    assertUnchanged(env, before);
  });
});

describe("wasi_unstable poll_oneoff: 56-byte subscriptions, clock id at 24, timeout at 32, flags at 48", () => {
  const IN = 0x400, OUT = 0x1000, NEV = 0x80, SUB = 56;

  /** A preview0 clock subscription; its `identifier` (at 16) is set to junk that must be ignored. */
  function clockSub0(env: Env, i: number, userdata: bigint, id: number, timeout: bigint, flags = 0): void {
    const p = IN + i * SUB;
    env.u8().fill(0, p, p + SUB);
    setU64(env, p, userdata);
    env.u8()[p + 8] = 0;
    setU64(env, p + 16, 0xdead_beef_0000_0063n); // identifier: low half 99, an invalid clock id in preview1's place
    setU32(env, p + 24, id);
    setU64(env, p + 32, timeout);
    setU64(env, p + 40, 0n);
    setU16(env, p + 48, flags);
  }

  test("a 10 ms relative clock blocks about 10 ms and returns one event with its userdata", async () => {
    const env = await setup();
    clockSub0(env, 0, 0x1122_3344_5566_7788n, 1, 10n * MS);
    const t0 = performance.now();
    assert.equal(env.p0.poll_oneoff(IN, OUT, 1, NEV), Errno.SUCCESS);
    const ms = performance.now() - t0;
    assert.ok(ms >= 10 && ms < 500, `returned after ${ms} ms`);
    assertWindow(env, NEV, le(1, 4));
    assertWindow(env, OUT, [...le(0x1122_3344_5566_7788n, 8), ...new Array(24).fill(0)]);
  });

  test("subscriptions are 56 bytes apart: of 40 ms and 5 ms, only the second fires", async () => {
    const env = await setup();
    clockSub0(env, 0, 40n, 1, 40n * MS);
    clockSub0(env, 1, 5n, 1, 5n * MS);
    const t0 = performance.now();
    assert.equal(env.p0.poll_oneoff(IN, OUT, 2, NEV), Errno.SUCCESS);
    const ms = performance.now() - t0;
    assert.ok(ms >= 5 && ms < 40, `returned after ${ms} ms`);
    assert.equal(u32(env, NEV), 1);
    assertWindow(env, OUT, [...le(5n, 8), ...new Array(24).fill(0)], 32);
  });

  test("the abstime flag is read at 48: a deadline in the past fires at once", async () => {
    const env = await setup();
    clockSub0(env, 0, 1n, 1, 1n, 1); // monotonic time 1 ns: long past
    const t0 = performance.now();
    assert.equal(env.p0.poll_oneoff(IN, OUT, 1, NEV), Errno.SUCCESS);
    assert.ok(performance.now() - t0 < 50);
    assert.equal(u32(env, NEV), 1);
  });

  test("the same bytes read as preview1 would be an invalid clock (99 at 16)", async () => {
    const env = await setup();
    clockSub0(env, 0, 1n, 1, 0n);
    assert.equal(env.p1.poll_oneoff(IN, OUT, 1, NEV), Errno.SUCCESS);
    assert.equal(env.u8()[OUT + 8], Errno.INVAL);
  });

  test("an fd_write subscription has its fd at 16, as in preview1", async () => {
    const env = await setup({ stdout: "null" });
    const p = IN;
    env.u8().fill(0, p, p + SUB);
    setU64(env, p, 7n);
    env.u8()[p + 8] = 2;
    setU32(env, p + 16, 1);
    assert.equal(env.p0.poll_oneoff(IN, OUT, 1, NEV), Errno.SUCCESS);
    assert.equal(u32(env, NEV), 1);
    assert.deepEqual([...env.u8().subarray(OUT, OUT + 11)], [...le(7n, 8), 0, 0, 2]);
  });

  test("the input is 56 bytes per subscription: at byteLength-56 it fits, one further -> FAULT", async () => {
    const env = await setup();
    const at = env.size - SUB;
    env.u8().fill(0, at, env.size);
    setU32(env, at + 24, 1);
    assert.equal(env.p0.poll_oneoff(at, OUT, 1, NEV), Errno.SUCCESS);
    const before = snapshot(env);
    assert.equal(env.p0.poll_oneoff(at + 1, OUT, 1, NEV), Errno.FAULT);
    assertUnchanged(env, before);
  });
});

describe("wasi_unstable and wasi_snapshot_preview1 together", () => {
  test("wasi_unstable has no sock_accept; the other sock calls are there", async () => {
    const env = await setup();
    assert.equal("sock_accept" in env.p0, false);
    assert.equal(typeof env.p1.sock_accept, "function");
    for (const n of ["sock_recv", "sock_send", "sock_shutdown"]) assert.equal(typeof env.p0[n], "function");
  });

  test("both share one fd table: closing fd 1 through one is seen by the other", async () => {
    const env = await setup({ stdout: "capture" });
    put(env, 0x200, "hi");
    putIovecs(env, 0x100, [[0x200, 2]]);
    assert.equal(env.p0.fd_write(1, 0x100, 1, 0x80), Errno.SUCCESS);
    assert.equal(env.p1.fd_write(1, 0x100, 1, 0x80), Errno.SUCCESS);
    assert.equal(env.wasi.stdoutText(), "hihi");
    assert.equal(env.p0.fd_close(1), Errno.SUCCESS);
    assert.equal(env.p1.fd_write(1, 0x100, 1, 0x80), Errno.BADF);
  });
});
