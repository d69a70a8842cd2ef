// The limits of edge runtimes (workerd), imitated here on Deno, Bun and Node: nothing read at load, no Atomics.wait,
// a clock frozen while code runs, whole-millisecond clocks, a process.cpuUsage that throws, 64 KiB getRandomValues.
// The real thing runs in tests/edge.test.ts; see docs/decisions.md#edge-runtimes.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Errno } from "../mod.ts";
import { SPIN_MAX_MS } from "../src/clocks.ts";
import { type Env, setU16, setU32, setU64, setup, u16, u32, u64 } from "./helpers.ts";

const IN = 0x400, OUT = 0x1000, NEV = 0x80, RES = 0x40;
const MONOTONIC = 1, PROCESS = 2;
const MS = 1_000_000n;

/** Replaces `obj[key]` for the length of `body`, then puts the original property back exactly. */
async function replaced<T>(obj: object, key: string, value: unknown, body: () => T | Promise<T>): Promise<T> {
  const original = Object.getOwnPropertyDescriptor(obj, key);
  Object.defineProperty(obj, key, { configurable: true, writable: true, value });
  try {
    return await body();
  } finally {
    if (original !== undefined) Object.defineProperty(obj, key, original);
    else delete (obj as Record<string, unknown>)[key];
  }
}

/** Atomics.wait as workerd has it: it throws. */
function forbiddenWait(): never {
  throw new TypeError("Atomics.wait cannot be called in this context");
}

/** One relative monotonic clock subscription of `ms` as subscription 0; returns [errno, elapsed ms]. */
function sleepPoll(env: Env, ms: bigint): [number, number] {
  env.u8().fill(0, IN, IN + 48);
  setU64(env, IN, 77n);
  setU32(env, IN + 16, MONOTONIC);
  setU64(env, IN + 24, ms * MS);
  setU16(env, IN + 40, 0);
  const t0 = performance.now();
  const e = env.p1.poll_oneoff(IN, OUT, 1, NEV);
  return [e, performance.now() - t0];
}

/** The process's own runtime, running `script` with `args` (deno needs `run`). */
function runScript(script: string, args: string[]): string {
  const deno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
  const argv = deno ? ["run", "--no-check", "--allow-read", script, ...args] : [script, ...args];
  const r = spawnSync(process.execPath, argv, { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, `${process.execPath} ${argv.join(" ")}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

describe("load-time purity", () => {
  const probe = fileURLToPath(new URL("./load_probe.ts", import.meta.url));

  test("importing mod.ts reads no clock, draws no randomness and touches no Deno, Bun or process", () => {
    const out = JSON.parse(runScript(probe, []));
    assert.deepEqual(out.touched, []);
    assert.equal(out.error, null);
    for (const name of ["Date.now", "performance.now", "crypto.getRandomValues", "Math.random", "new Date()"]) {
      assert.ok(out.watched.includes(name), `${name} was watched`);
    }
    assert.ok(out.watched.includes("process"), "process was watched");
  });

  test("the probe sees a module that reads the clock at load (so the test above can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "load_probe-"));
    try {
      const impure = join(dir, "impure.mjs");
      writeFileSync(impure, "export const T0 = Date.now();\n");
      const out = JSON.parse(runScript(probe, [pathToFileURL(impure).href]));
      assert.deepEqual(out.touched, ["Date.now"]);
      assert.match(out.error, /Date\.now called while mod\.ts loads/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("poll_oneoff where Atomics.wait throws", () => {
  test(`a 50 ms sleep busy-waits ${SPIN_MAX_MS} ms and reports the clock event; the guest's clock tells the truth`, async () => {
    await replaced(Atomics, "wait", forbiddenWait, async () => {
      const env = await setup();
      env.p1.clock_time_get(MONOTONIC, 0n, 0x100);
      const [e, ms] = sleepPoll(env, 50n);
      env.p1.clock_time_get(MONOTONIC, 0n, 0x108);
      assert.equal(e, Errno.SUCCESS);
      assert.ok(ms >= SPIN_MAX_MS - 0.5 && ms < 45, `returned after ${ms} ms`);
      assert.equal(u32(env, NEV), 1, "one event");
      assert.deepEqual([u64(env, OUT), u16(env, OUT + 8), env.u8()[OUT + 10]], [77n, 0, 0], "clock event, no error");
      const guestMs = Number(u64(env, 0x108) - u64(env, 0x100)) / 1e6;
      assert.ok(guestMs >= SPIN_MAX_MS - 0.5 && guestMs < 45, `the guest saw ${guestMs} ms pass`);
    });
  });

  test("a sleep shorter than the cap is waited in full", async () => {
    await replaced(Atomics, "wait", forbiddenWait, async () => {
      const env = await setup();
      const [e, ms] = sleepPoll(env, 3n);
      assert.equal(e, Errno.SUCCESS);
      assert.ok(ms >= 3 && ms < SPIN_MAX_MS + 30, `returned after ${ms} ms`);
    });
  });

  test("a clock frozen while code runs: the busy wait gives up instead of spinning forever", async () => {
    const env = await setup(); // before the clock stops: setup itself needs none, but keep it out of the count
    let reads = 0;
    const frozen = () => (reads++, 1234.5);
    const [e] = await replaced(
      Atomics,
      "wait",
      forbiddenWait,
      () => replaced(performance, "now", frozen, () => sleepPoll(env, 50n)),
    );
    assert.equal(e, Errno.SUCCESS);
    assert.equal(u32(env, NEV), 1, "the clock event is reported");
    assert.ok(reads > 1000 && reads < 2_000_000, `${reads} clock reads`);
  });
});

describe("clocks as an edge runtime has them", () => {
  test("a clock that moves in whole milliseconds: clock_res_get says 1 ms", async () => {
    const real = performance.now.bind(performance);
    await replaced(performance, "now", () => Math.floor(real()), async () => {
      const env = await setup();
      assert.equal(env.p1.clock_res_get(MONOTONIC, RES), Errno.SUCCESS);
      assert.equal(u64(env, RES), 1_000_000n);
    });
  });

  test("the host's own clock: clock_res_get says at most 1 ms (a power of ten ns)", async () => {
    const env = await setup();
    assert.equal(env.p1.clock_res_get(MONOTONIC, RES), Errno.SUCCESS);
    const r = u64(env, RES);
    assert.ok(r <= 1_000_000n && /^10*$/.test(String(r)), `resolution ${r}`);
  });

  test("a process.cpuUsage that throws (workerd): the CPU clocks still answer, never throw", async () => {
    const proc = (globalThis as { process?: object }).process;
    assert.ok(proc !== undefined, "every runtime under test has a process object");
    const broken = () => {
      throw new Error("[ERR_METHOD_NOT_IMPLEMENTED]: The process.cpuUsage method is not implemented");
    };
    await replaced(proc, "cpuUsage", broken, async () => {
      const env = await setup();
      assert.equal(env.p1.clock_time_get(PROCESS, 0n, 0x100), Errno.SUCCESS);
      await new Promise((r) => setTimeout(r, 5));
      assert.equal(env.p1.clock_time_get(PROCESS, 0n, 0x108), Errno.SUCCESS);
      assert.ok(u64(env, 0x108) > u64(env, 0x100), "it moves (time since the Wasi was made)");
      assert.equal(env.p1.clock_res_get(PROCESS, RES), Errno.SUCCESS);
      const cpuRes = u64(env, RES);
      env.p1.clock_res_get(MONOTONIC, RES);
      assert.equal(cpuRes, u64(env, RES), "the fallback's resolution is the monotonic clock's");
    });
  });
});

describe("random_get under a 64 KiB getRandomValues", () => {
  test("200000 bytes are drawn in calls of at most 65536 bytes, every byte filled", async () => {
    const real = crypto.getRandomValues.bind(crypto);
    const sizes: number[] = [];
    const strict = <T extends ArrayBufferView | null>(buf: T): T => {
      const n = buf?.byteLength ?? 0;
      if (n > 65536) throw new Error(`QuotaExceededError: getRandomValues() only accepts buffers of size <= 64K`);
      sizes.push(n);
      return real(buf as Uint8Array) as unknown as T;
    };
    await replaced(crypto, "getRandomValues", strict, async () => {
      const env = await setup({}, 4);
      const u8 = env.u8();
      u8.fill(0, 0x1000, 0x1000 + 200_000);
      assert.equal(env.p1.random_get(0x1000, 200_000), Errno.SUCCESS);
      assert.deepEqual(sizes, [65536, 65536, 65536, 3392]);
      for (let chunk = 0; chunk < 4; chunk++) {
        const start = 0x1000 + chunk * 65536;
        const part = u8.subarray(start, Math.min(start + 65536, 0x1000 + 200_000));
        assert.ok(part.some((b) => b !== 0), `chunk ${chunk} is filled`);
      }
    });
  });
});
