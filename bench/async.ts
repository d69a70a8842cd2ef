// Async mode's costs, as ratios taken in one process (Deno, Bun or Node 26):
//   1. each wrapped call in async mode against the same call in sync mode (guest loops of N calls, interleaved rounds);
//   2. 50 and 1000 guests sleeping 100 ms at once: the wall time against one guest's sleep.
//
//   deno run -A bench/async.ts [--rounds=N]     (npm run bench:async)
//   bun bench/async.ts | node26 bench/async.ts  (npm run bench:async:bun / bench:async:node)

import process from "node:process";
import { Wasi, type WasiOptions } from "../mod.ts";
import { guestModule, N } from "./_harness.ts";

const runtime = typeof Deno !== "undefined" ? "deno" : "Bun" in globalThis ? "bun" : "node";
const rounds = Number(process.argv.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 15);
const module = guestModule("async");

type Loop = "write_loop" | "read_loop" | "poll_loop" | "yield_loop";

/** An endless stdin of 1 MiB chunks, for the read loops (sync mode: one big buffer read through). */
function endless(): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(1 << 20).fill(97);
  return new ReadableStream({ pull: (c) => c.enqueue(chunk) }, { highWaterMark: 2 });
}

/** A reactor on Hostcall in sync mode: `run(loop)` makes N calls. */
async function syncGuest(opts: WasiOptions): Promise<(loop: Loop) => Promise<number>> {
  const wasi = new Wasi(opts);
  const { instance } = await wasi.instantiate(module);
  wasi.initialize(instance);
  const ex = instance.exports as Record<Loop, (n: number) => number>;
  return (loop) => Promise.resolve(ex[loop](N));
}

/** The same in async mode: each run is one awaited callAsync (one promising entry per N calls). */
async function asyncGuest(opts: WasiOptions): Promise<(loop: Loop) => Promise<number>> {
  const wasi = new Wasi({ ...opts, async: true });
  const { instance } = await wasi.instantiate(module);
  await wasi.initializeAsync(instance);
  return (loop) => wasi.callAsync(loop, N) as Promise<number>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** ns per call of `run(loop)`, `reps` loops of N calls. */
async function sample(run: (loop: Loop) => Promise<number>, loop: Loop, reps: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const e = await run(loop);
    if (e !== 0) throw new Error(`${loop} failed in the guest (errno bits ${e})`);
  }
  return (performance.now() - t0) * 1e6 / (reps * N);
}

/** Sync against async on one loop, interleaved in rounds; the median ns of each and the median per-round ratio. */
async function compare(label: string, loop: Loop, sync: WasiOptions, async: WasiOptions): Promise<string> {
  const s = await syncGuest(sync), a = await asyncGuest(async);
  const reps = loop === "yield_loop" ? 2 : 20;
  for (let i = 0; i < 5; i++) await sample(s, loop, reps), await sample(a, loop, reps); // warm-up
  const ns: [number[], number[]] = [[], []];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const k of order) ns[k].push(await sample(k === 0 ? s : a, loop, reps));
  }
  const ratio = median(ns[1].map((x, r) => x / ns[0][r]));
  return `| ${label} | ${median(ns[0]).toFixed(0)} | ${median(ns[1]).toFixed(0)} | ${ratio.toFixed(2)} | ${
    (median(ns[1]) - median(ns[0])).toFixed(0)
  } |`;
}

/** JSPI alone: `count` instances of the guest whose poll_oneoff is a bare Suspending setTimeout (the floor). */
function bareJspi(count: number): ((ms: number) => Promise<number>)[] {
  const jspi = WebAssembly as unknown as {
    Suspending: new (f: unknown) => unknown;
    promising: (f: unknown) => (ms: number) => Promise<number>;
  };
  const poll_oneoff = new jspi.Suspending((_i: number, _o: number, _n: number, _p: number) =>
    new Promise((resolve) => setTimeout(() => resolve(0), SLEEP_MS))
  );
  return Array.from({ length: count }, () => {
    const instance = new WebAssembly.Instance(module, {
      wasi_snapshot_preview1: { fd_write: () => 0, fd_read: () => 0, sched_yield: () => 0, poll_oneoff },
    } as unknown as WebAssembly.Imports);
    return jspi.promising(instance.exports.sleep);
  });
}

const SLEEP_MS = 100;

/**
 * `count` guests each sleeping 100 ms at once, on Hostcall and on bare JSPI: wall time ÷ one sleep. Instantiated
 * first; only the sleeps (entering, suspending, the timers, resuming) are timed.
 */
async function concurrentSleeps(count: number): Promise<string> {
  const guests = await Promise.all(Array.from({ length: count }, async () => {
    const wasi = new Wasi({ async: true });
    const { instance } = await wasi.instantiate(module);
    await wasi.initializeAsync(instance);
    return wasi;
  }));
  const bare = bareJspi(count);
  let t0 = performance.now();
  await Promise.all(bare.map((f) => f(SLEEP_MS)));
  const floor = performance.now() - t0;
  t0 = performance.now();
  const errs = await Promise.all(guests.map((w) => w.callAsync("sleep", SLEEP_MS)));
  const wall = performance.now() - t0;
  if (errs.some((e) => e !== 0)) throw new Error("a sleep failed");
  return `| ${count} | ${wall.toFixed(0)} ms | ${(wall / SLEEP_MS).toFixed(2)} | ${floor.toFixed(0)} ms | ${
    (wall / floor).toFixed(2)
  } |`;
}

const sinkFn = (_b: Uint8Array) => {};
console.log(`# async mode on ${runtime} (${rounds} rounds; ns per call, N = ${N} calls per entry)\n`);
console.log("| call | sync ns | async ns | async ÷ sync | added ns |");
console.log("| --- | ---: | ---: | ---: | ---: |");
console.log(await compare("fd_write 16 B to a function", "write_loop", { stdout: sinkFn }, { stdout: sinkFn }));
console.log(
  await compare("fd_write 16 B, WritableStream vs capture", "write_loop", { stdout: "capture" }, {
    stdout: new WritableStream({ write() {} }, { highWaterMark: 1 << 30 }),
  }),
);
console.log(
  await compare("fd_read 16 B, stream vs bytes", "read_loop", { stdin: new Uint8Array(64 << 20) }, {
    stdin: endless(),
  }),
);
console.log(await compare("poll_oneoff, a 0 ns clock", "poll_loop", {}, {}));
console.log(await compare("sched_yield (async: one event-loop turn)", "yield_loop", {}, {}));
console.log("\n| guests sleeping 100 ms at once | wall | ÷ one sleep | bare JSPI (floor) | ÷ floor |");
console.log("| ---: | ---: | ---: | ---: | ---: |");
for (const count of [1, 50, 1000]) console.log(await concurrentSleeps(count));
