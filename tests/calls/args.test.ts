// args_get, args_sizes_get: exact bytes (pointer table + NUL-terminated UTF-8), sizes, FAULT.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Errno } from "../../mod.ts";
import { assertSentinelExcept, assertUnchanged, assertWindow, bytesAt, le, setup, snapshot, u32 } from "../helpers.ts";

const ARGS = ["app", "-v", "héllo wörld ✓ 🎉", ""];
const enc = (s: string) => [...new TextEncoder().encode(s)];
/** The strings as args_get writes them: each followed by NUL. */
const BUF = ARGS.flatMap((a) => [...enc(a), 0]);

describe("args_sizes_get", () => {
  test("writes argc and the byte size of all strings with their NULs, non-ASCII counted in UTF-8", async () => {
    const env = await setup({ args: ARGS });
    assert.equal(env.p1.args_sizes_get(100, 200), Errno.SUCCESS);
    assertWindow(env, 100, le(4, 4));
    assertWindow(env, 200, le(BUF.length, 4));
    assert.equal(BUF.length, 3 + 1 + 2 + 1 + enc("héllo wörld ✓ 🎉").length + 1 + 0 + 1);
    assertSentinelExcept(env, [[100, 104], [200, 204]]);
  });

  test("an empty argv is 0 and 0", async () => {
    const env = await setup({});
    assert.equal(env.p1.args_sizes_get(100, 200), Errno.SUCCESS);
    assertWindow(env, 100, le(0, 4));
    assertWindow(env, 200, le(0, 4));
  });

  test("the two results may be at the last 4 bytes of memory", async () => {
    const env = await setup({ args: ARGS });
    assert.equal(env.p1.args_sizes_get(env.size - 8, env.size - 4), Errno.SUCCESS);
    assert.deepEqual(bytesAt(env, env.size - 9, 9), [0xaa, ...le(4, 4), ...le(BUF.length, 4)]);
  });

  for (const [label, a, b] of [["argc", -3, 200], ["the size", 100, -3], ["argc", 0xffffffff, 200]] as const) {
    test(`${label} pointer past the end (${a >>> 0}, ${b >>> 0}) -> FAULT, nothing written`, async () => {
      const env = await setup({ args: ARGS });
      const before = snapshot(env);
      assert.equal(env.p1.args_sizes_get(a, b), Errno.FAULT);
      assertUnchanged(env, before);
    });
  }
});

describe("args_get", () => {
  test("writes one pointer per arg into argv and the NUL-terminated UTF-8 strings into argv_buf", async () => {
    const env = await setup({ args: ARGS });
    const argv = 64, buf = 1000;
    assert.equal(env.p1.args_get(argv, buf), Errno.SUCCESS);
    const offsets = [0, 4, 7, 7 + enc("héllo wörld ✓ 🎉").length + 1];
    assertWindow(env, argv, offsets.flatMap((o) => le(buf + o, 4)));
    assertWindow(env, buf, BUF);
    assertSentinelExcept(env, [[argv, argv + 16], [buf, buf + BUF.length]]);
  });

  test("agrees with args_sizes_get byte for byte", async () => {
    const env = await setup({ args: ARGS });
    env.p1.args_sizes_get(0, 4);
    const argc = u32(env, 0), size = u32(env, 4);
    assert.equal(env.p1.args_get(16, 512), Errno.SUCCESS);
    assert.equal(env.u8()[512 + size], 0xaa, "nothing past the reported size");
    assert.equal(env.u8()[512 + size - 1], 0, "the last string ends with NUL");
    assert.equal(env.u8()[16 + argc * 4], 0xaa, "nothing past argc pointers");
  });

  test("an empty argv writes nothing at all", async () => {
    const env = await setup({ args: [] });
    const before = snapshot(env);
    assert.equal(env.p1.args_get(64, 1000), Errno.SUCCESS);
    assertUnchanged(env, before);
  });

  test("argv and argv_buf ending exactly at the end of memory fit", async () => {
    const env = await setup({ args: ARGS });
    const buf = env.size - BUF.length, argv = buf - 16;
    assert.equal(env.p1.args_get(argv, buf), Errno.SUCCESS);
    assert.deepEqual(bytesAt(env, buf, BUF.length), BUF);
    assert.equal(u32(env, argv), buf);
    assert.equal(env.u8()[argv - 1], 0xaa);
  });

  test("argv_buf one byte too far -> FAULT, nothing written (not even argv)", async () => {
    const env = await setup({ args: ARGS });
    const before = snapshot(env);
    assert.equal(env.p1.args_get(64, env.size - BUF.length + 1), Errno.FAULT);
    assertUnchanged(env, before);
  });

  test("argv one byte too far -> FAULT, nothing written (not even argv_buf)", async () => {
    const env = await setup({ args: ARGS });
    const before = snapshot(env);
    assert.equal(env.p1.args_get(env.size - 16 + 1, 64), Errno.FAULT);
    assertUnchanged(env, before);
  });

  test("negative i32 pointers are unsigned: -1 -> FAULT", async () => {
    const env = await setup({ args: ARGS });
    const before = snapshot(env);
    assert.equal(env.p1.args_get(-1, 64), Errno.FAULT);
    assert.equal(env.p1.args_get(64, -1), Errno.FAULT);
    assertUnchanged(env, before);
  });

  test("the args are copied at construction: mutating the caller's array changes nothing", async () => {
    const args = ["a", "b"];
    const env = await setup({ args });
    args.push("c");
    args[0] = "zzz";
    assert.equal(env.p1.args_sizes_get(0, 4), Errno.SUCCESS);
    assert.deepEqual([u32(env, 0), u32(env, 4)], [2, 4]);
  });
});
