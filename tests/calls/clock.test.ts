// clock_time_get, clock_res_get: the host clocks, an injected clock, unknown ids, FAULT.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ClockName, Errno } from "../../mod.ts";
import { assertSentinelExcept, assertUnchanged, delay, le, setup, snapshot, u64 } from "../helpers.ts";

const REALTIME = 0, MONOTONIC = 1, PROCESS = 2, THREAD = 3;

describe("clock_time_get", () => {
  test("writes exactly 8 bytes", async () => {
    const env = await setup();
    assert.equal(env.p1.clock_time_get(MONOTONIC, 0n, 800), Errno.SUCCESS);
    assertSentinelExcept(env, [[800, 808]]);
  });

  test("monotonic never goes back over 20000 calls", async () => {
    const env = await setup();
    let prev = 0n;
    for (let i = 0; i < 20000; i++) {
      assert.equal(env.p1.clock_time_get(MONOTONIC, 0n, 8), Errno.SUCCESS);
      const t = u64(env, 8);
      if (t < prev) assert.fail(`call ${i}: monotonic went from ${prev} to ${t}`);
      prev = t;
    }
  });

  test("monotonic advances with real time (about 30 ms)", async () => {
    const env = await setup();
    env.p1.clock_time_get(MONOTONIC, 0n, 8);
    const a = u64(env, 8);
    const t0 = performance.now();
    await delay(30);
    const elapsed = performance.now() - t0;
    env.p1.clock_time_get(MONOTONIC, 0n, 8);
    const d = Number(u64(env, 8) - a) / 1e6;
    assert.ok(d >= elapsed - 1 && d <= elapsed + 20, `monotonic moved ${d} ms while ${elapsed} ms passed`);
  });

  test("monotonic is the runtime's cheapest ns clock: hrtime on Node and Bun (res 1 ns), performance.now on Deno", async () => {
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    const hrtime = typeof g.Bun !== "undefined" || String(g.navigator?.userAgent).startsWith("Node.js");
    const read = hrtime ? (): bigint => g.process.hrtime.bigint() : () => BigInt(Math.floor(performance.now() * 1e6));
    const env = await setup();
    for (let i = 0; i < 100; i++) {
      const before = read();
      assert.equal(env.p1.clock_time_get(MONOTONIC, 0n, 800), Errno.SUCCESS);
      const got = u64(env, 800), after = read();
      assert.ok(before <= got && got <= after, `monotonic ${got} outside [${before}, ${after}]`);
    }
    assert.equal(env.p1.clock_res_get(MONOTONIC, 800), Errno.SUCCESS);
    if (hrtime) assert.equal(u64(env, 800), 1n);
    else assert.ok(u64(env, 800) >= 1n && u64(env, 800) <= 1_000_000n);
  });

  test("realtime is Date.now() in ns, within 50 ms", async () => {
    const env = await setup();
    for (let i = 0; i < 5; i++) {
      const before = BigInt(Date.now()) * 1_000_000n;
      assert.equal(env.p1.clock_time_get(REALTIME, 1n, 16), Errno.SUCCESS);
      const after = BigInt(Date.now()) * 1_000_000n;
      const t = u64(env, 16);
      assert.ok(t >= before - 50_000_000n && t <= after + 50_000_000n, `realtime ${t} vs Date.now() ${before}`);
      await delay(5);
    }
  });

  test("process and thread CPU time succeed, are non-decreasing and grow with busy work", async () => {
    const env = await setup();
    for (const id of [PROCESS, THREAD]) {
      assert.equal(env.p1.clock_time_get(id, 0n, 0), Errno.SUCCESS);
      const a = u64(env, 0);
      const end = performance.now() + 30;
      let x = 0;
      while (performance.now() < end) x++;
      assert.ok(x > 0);
      assert.equal(env.p1.clock_time_get(id, 0n, 0), Errno.SUCCESS);
      const b = u64(env, 0);
      assert.ok(b > a, `clock ${id}: ${a} then ${b} after 30 ms of busy work`);
      assert.ok(b - a < 10_000_000_000n, `clock ${id} moved ${b - a} ns in 30 ms`);
    }
  });

  for (const id of [4, 99, 0xffffffff]) {
    test(`unknown clock id ${id} -> INVAL, nothing written`, async () => {
      const env = await setup();
      const before = snapshot(env);
      assert.equal(env.p1.clock_time_get(id, 0n, 0), Errno.INVAL);
      assert.equal(env.p1.clock_res_get(id, 0), Errno.INVAL);
      assertUnchanged(env, before);
    });
  }

  test("the precision is a hint: any value (0, 1, 2^63, u64 max as -1n) gives a time", async () => {
    const env = await setup();
    for (const p of [0n, 1n, 1n << 63n, -1n, 0x7fff_ffff_ffff_ffffn]) {
      env.u8().fill(0xaa, 0, 8);
      assert.equal(env.p1.clock_time_get(MONOTONIC, p, 0), Errno.SUCCESS, `precision ${p}`);
      assert.notEqual(u64(env, 0), 0xaaaa_aaaa_aaaa_aaaan);
    }
  });

  test("the result at byteLength-8 fits; byteLength-7 -> FAULT, nothing written", async () => {
    const env = await setup();
    assert.equal(env.p1.clock_time_get(REALTIME, 0n, env.size - 8), Errno.SUCCESS);
    assert.equal(env.u8()[env.size - 9], 0xaa);
    const env2 = await setup();
    const before = snapshot(env2);
    for (const id of [REALTIME, MONOTONIC, PROCESS, THREAD]) {
      assert.equal(env2.p1.clock_time_get(id, 0n, env2.size - 7), Errno.FAULT);
      assert.equal(env2.p1.clock_time_get(id, 0n, -1), Errno.FAULT);
    }
    assertUnchanged(env2, before);
  });
});

describe("clock_res_get", () => {
  test("every clock has a positive resolution of at most 1 s, written as 8 bytes", async () => {
    const env = await setup();
    for (const id of [REALTIME, MONOTONIC, PROCESS, THREAD]) {
      env.u8().fill(0xaa);
      assert.equal(env.p1.clock_res_get(id, 64), Errno.SUCCESS);
      const r = u64(env, 64);
      assert.ok(r > 0n && r <= 1_000_000_000n, `clock ${id}: resolution ${r}`);
      assertSentinelExcept(env, [[64, 72]]);
    }
  });

  test("the result at byteLength-8 fits; byteLength-7 -> FAULT, nothing written", async () => {
    const env = await setup();
    assert.equal(env.p1.clock_res_get(MONOTONIC, env.size - 8), Errno.SUCCESS);
    const env2 = await setup();
    const before = snapshot(env2);
    assert.equal(env2.p1.clock_res_get(MONOTONIC, env2.size - 7), Errno.FAULT);
    assert.equal(env2.p1.clock_res_get(REALTIME, 0xffffffff), Errno.FAULT);
    assertUnchanged(env2, before);
  });
});

describe("an injected clock", () => {
  function injected() {
    const asked: ClockName[] = [];
    const clock = {
      now(id: ClockName): bigint {
        asked.push(id);
        return { realtime: (1n << 63n) + 5n, monotonic: 42n, process: 0xffff_ffff_ffff_ffffn, thread: 1n }[id];
      },
      resolution(id: ClockName): bigint {
        return { realtime: 7n, monotonic: 1n, process: 1n << 40n, thread: 999n }[id];
      },
    };
    return { clock, asked };
  }

  test("its times are written exactly, 2^63+5 and u64 max included, by clock name", async () => {
    const { clock, asked } = injected();
    const env = await setup({ clock });
    const want = [(1n << 63n) + 5n, 42n, 0xffff_ffff_ffff_ffffn, 1n];
    for (const id of [REALTIME, MONOTONIC, PROCESS, THREAD]) {
      env.u8().fill(0xaa);
      assert.equal(env.p1.clock_time_get(id, 0n, 100), Errno.SUCCESS);
      assert.deepEqual([...env.u8().subarray(99, 109)], [0xaa, ...le(want[id], 8), 0xaa]);
    }
    assert.deepEqual(asked, ["realtime", "monotonic", "process", "thread"]);
  });

  test("its resolutions are written exactly", async () => {
    const { clock } = injected();
    const env = await setup({ clock });
    const want = [7n, 1n, 1n << 40n, 999n];
    for (const id of [REALTIME, MONOTONIC, PROCESS, THREAD]) {
      assert.equal(env.p1.clock_res_get(id, 200), Errno.SUCCESS);
      assert.equal(u64(env, 200), want[id]);
    }
  });

  test("without resolution(), the resolution is 1 µs", async () => {
    const env = await setup({ clock: { now: () => 0n } });
    assert.equal(env.p1.clock_res_get(MONOTONIC, 200), Errno.SUCCESS);
    assert.equal(u64(env, 200), 1000n);
  });

  test("a negative time from the clock is written as its u64 two's complement", async () => {
    const env = await setup({ clock: { now: () => -2n } });
    assert.equal(env.p1.clock_time_get(MONOTONIC, 0n, 0), Errno.SUCCESS);
    assert.equal(u64(env, 0), 0xffff_ffff_ffff_fffen);
  });

  test("unknown ids never reach the injected clock", async () => {
    const { clock, asked } = injected();
    const env = await setup({ clock });
    assert.equal(env.p1.clock_time_get(4, 0n, 0), Errno.INVAL);
    assert.deepEqual(asked, []);
  });
});
