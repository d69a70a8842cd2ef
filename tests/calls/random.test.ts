// random_get: host randomness (chunked past 65536 bytes), an injected source, FAULT.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Errno } from "../../mod.ts";
import { assertSentinelExcept, assertUnchanged, bytesAt, setup, snapshot } from "../helpers.ts";

describe("random_get", () => {
  test("0 bytes writes nothing, even at the very end of memory", async () => {
    const env = await setup();
    const before = snapshot(env);
    assert.equal(env.p1.random_get(100, 0), Errno.SUCCESS);
    assert.equal(env.p1.random_get(env.size, 0), Errno.SUCCESS);
    assertUnchanged(env, before);
  });

  test("32 bytes fills exactly that window with random bytes", async () => {
    const env = await setup();
    assert.equal(env.p1.random_get(1000, 32), Errno.SUCCESS);
    assertSentinelExcept(env, [[1000, 1032]]);
    const got = bytesAt(env, 1000, 32);
    assert.ok(new Set(got).size > 8, `32 random bytes with only ${new Set(got).size} distinct values: ${got}`);
    const first = got.slice();
    assert.equal(env.p1.random_get(1000, 32), Errno.SUCCESS);
    assert.notDeepEqual(bytesAt(env, 1000, 32), first, "two calls gave the same 32 bytes");
  });

  test("small requests come from a pool that never hands out the same bytes twice, across refills", async () => {
    const env = await setup();
    const seen = new Set<string>();
    const realGet = crypto.getRandomValues;
    let hostCalls = 0;
    crypto.getRandomValues = <T extends ArrayBufferView | null>(a: T): T => {
      hostCalls++;
      return realGet.call(crypto, a as ArrayBufferView) as T;
    };
    try {
      // 3 × 4096 bytes in pieces of 7, 64 and 256 bytes: every refill boundary is crossed.
      for (const size of [7, 64, 256]) {
        for (let drawn = 0; drawn < 4096; drawn += size) {
          assert.equal(env.p1.random_get(2000, size), Errno.SUCCESS);
          const hex = Array.from(bytesAt(env, 2000, size), (b) => b.toString(16).padStart(2, "0")).join("");
          assert.ok(!seen.has(hex), `random_get(${size}) repeated earlier bytes`);
          seen.add(hex);
        }
      }
    } finally {
      crypto.getRandomValues = realGet;
    }
    assertSentinelExcept(env, [[2000, 2256]]);
    assert.ok(hostCalls >= 3 && hostCalls <= 5, `${hostCalls} host calls for 12 KiB in small pieces (a 4 KiB pool)`);
  });

  test("200000 bytes (more than one 65536-byte getRandomValues chunk) are random in every chunk", async () => {
    const env = await setup({}, 4);
    const p = 7, n = 200000;
    assert.equal(env.p1.random_get(p, n), Errno.SUCCESS);
    assertSentinelExcept(env, [[p, p + n]]);
    const buf = env.u8().subarray(p, p + n);
    for (let off = 0; off < n; off += 16384) {
      const part = buf.subarray(off, Math.min(n, off + 16384));
      const counts = new Array(256).fill(0);
      for (const b of part) counts[b]++;
      const distinct = counts.filter((c) => c > 0).length;
      const sentinels = counts[0xaa];
      assert.ok(distinct > 250, `bytes ${off}..: only ${distinct} distinct values`);
      assert.ok(sentinels < part.length / 64, `bytes ${off}..: ${sentinels} bytes still 0xAA`);
    }
    // The last bytes (past the third chunk) too.
    assert.ok(new Set(buf.subarray(n - 64)).size > 16);
  });

  test("the last 32 bytes of memory fit; one byte further -> FAULT, nothing written", async () => {
    const env = await setup();
    assert.equal(env.p1.random_get(env.size - 32, 32), Errno.SUCCESS);
    assertSentinelExcept(env, [[env.size - 32, env.size]]);
    const env2 = await setup();
    const before = snapshot(env2);
    assert.equal(env2.p1.random_get(env2.size - 32 + 1, 32), Errno.FAULT);
    assert.equal(env2.p1.random_get(0, env2.size + 1), Errno.FAULT);
    assert.equal(env2.p1.random_get(0xffffffff, 2), Errno.FAULT);
    assertUnchanged(env2, before);
  });

  test("an injected source is given a view of exactly the guest's buffer, and what it writes lands there", async () => {
    const calls: Uint8Array[] = [];
    const env = await setup({
      random(buf: Uint8Array) {
        calls.push(buf);
        for (let i = 0; i < buf.length; i++) buf[i] = i + 1;
      },
    });
    assert.equal(env.p1.random_get(300, 5), Errno.SUCCESS);
    assert.equal(calls.length, 1);
    assert.equal(calls[0].buffer, env.memory.buffer, "a view of guest memory, not a copy");
    assert.equal(calls[0].byteOffset, 300);
    assert.equal(calls[0].length, 5);
    assert.deepEqual(bytesAt(env, 299, 7), [0xaa, 1, 2, 3, 4, 5, 0xaa]);
  });

  test("an injected source is not called for a range out of bounds", async () => {
    let called = 0;
    const env = await setup({ random: () => void called++ });
    const before = snapshot(env);
    assert.equal(env.p1.random_get(env.size - 3, 4), Errno.FAULT);
    assert.equal(called, 0);
    assertUnchanged(env, before);
  });
});
