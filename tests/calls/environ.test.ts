// environ_get, environ_sizes_get: "KEY=VALUE\0" strings, pointer table, sizes, FAULT.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Errno } from "../../mod.ts";
import { assertSentinelExcept, assertUnchanged, assertWindow, bytesAt, le, setup, snapshot, u32 } from "../helpers.ts";

const ENV = { HOME: "/", LANG: "C.UTF-8", "GRÜSSE": "ça va? ✓", EMPTY: "" };
const enc = (s: string) => [...new TextEncoder().encode(s)];
const STRINGS = Object.entries(ENV).map(([k, v]) => `${k}=${v}`);
const BUF = STRINGS.flatMap((s) => [...enc(s), 0]);

describe("environ_sizes_get", () => {
  test("writes the count and the byte size of all KEY=VALUE strings with NULs", async () => {
    const env = await setup({ env: ENV });
    assert.equal(env.p1.environ_sizes_get(100, 200), Errno.SUCCESS);
    assertWindow(env, 100, le(4, 4));
    assertWindow(env, 200, le(BUF.length, 4));
    assertSentinelExcept(env, [[100, 104], [200, 204]]);
  });

  test("an empty environment is 0 and 0", async () => {
    const env = await setup({ env: {} });
    assert.equal(env.p1.environ_sizes_get(100, 200), Errno.SUCCESS);
    assertWindow(env, 100, le(0, 4));
    assertWindow(env, 200, le(0, 4));
  });

  test("results at byteLength-4 fit; byteLength-3 -> FAULT, nothing written", async () => {
    const env = await setup({ env: ENV });
    assert.equal(env.p1.environ_sizes_get(env.size - 4, 0), Errno.SUCCESS);
    assert.deepEqual(bytesAt(env, env.size - 4, 4), le(4, 4));
    const env2 = await setup({ env: ENV });
    const before = snapshot(env2);
    assert.equal(env2.p1.environ_sizes_get(env2.size - 3, 0), Errno.FAULT);
    assert.equal(env2.p1.environ_sizes_get(0, env2.size - 3), Errno.FAULT);
    assertUnchanged(env2, before);
  });
});

describe("environ_get", () => {
  test("writes the entry pointers and the KEY=VALUE\\0 strings, in insertion order", async () => {
    const env = await setup({ env: ENV });
    const ptrs = 40, buf = 3000;
    assert.equal(env.p1.environ_get(ptrs, buf), Errno.SUCCESS);
    const offsets: number[] = [];
    let at = 0;
    for (const s of STRINGS) {
      offsets.push(buf + at);
      at += enc(s).length + 1;
    }
    assertWindow(env, ptrs, offsets.flatMap((o) => le(o, 4)));
    assertWindow(env, buf, BUF);
    assertSentinelExcept(env, [[ptrs, ptrs + 16], [buf, buf + BUF.length]]);
  });

  test("agrees with environ_sizes_get", async () => {
    const env = await setup({ env: ENV });
    env.p1.environ_sizes_get(0, 4);
    const n = u32(env, 0), size = u32(env, 4);
    assert.equal(env.p1.environ_get(16, 512), Errno.SUCCESS);
    assert.equal(env.u8()[512 + size], 0xaa);
    assert.equal(env.u8()[512 + size - 1], 0);
    assert.equal(env.u8()[16 + n * 4], 0xaa);
  });

  test("an empty environment writes nothing", async () => {
    const env = await setup({});
    const before = snapshot(env);
    assert.equal(env.p1.environ_get(40, 3000), Errno.SUCCESS);
    assertUnchanged(env, before);
  });

  test("the strings ending exactly at the end of memory fit; one byte further -> FAULT, nothing written", async () => {
    const env = await setup({ env: ENV });
    assert.equal(env.p1.environ_get(0, env.size - BUF.length), Errno.SUCCESS);
    assert.deepEqual(bytesAt(env, env.size - BUF.length, BUF.length), BUF);
    const env2 = await setup({ env: ENV });
    const before = snapshot(env2);
    assert.equal(env2.p1.environ_get(0, env2.size - BUF.length + 1), Errno.FAULT);
    assert.equal(env2.p1.environ_get(env2.size - 16 + 1, 0), Errno.FAULT);
    assert.equal(env2.p1.environ_get(0xffffffff, 0), Errno.FAULT);
    assertUnchanged(env2, before);
  });

  test("args and environ are separate lists", async () => {
    const env = await setup({ args: ["a", "b", "c"], env: { K: "v" } });
    env.p1.environ_sizes_get(0, 4);
    assert.deepEqual([u32(env, 0), u32(env, 4)], [1, 4]);
  });
});
