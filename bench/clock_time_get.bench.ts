// clock_time_get: Hostcall vs Deno's node:wasi vs the bare performance.now() it rests on (N calls per iteration).

import { checked, type Guest, guestModule, loop, N, onHostcall, onNodeWasi } from "./_harness.ts";

const module = guestModule("clock_time_get");
const CLOCKS = [["realtime", 0], ["monotonic", 1]] as const;

let sink = 0;
/** The bare host call Hostcall's clocks read: performance.now(), N times. */
function barePerformanceNow(): void {
  let t = 0;
  for (let i = 0; i < N; i++) t += performance.now();
  sink += t;
}

/**
 * The floor of any host: the same guest over a minimal clock_time_get import (performance.now() in ns, two 32-bit
 * stores, no checks). What Hostcall adds over it is its own cost; the rest is the wasm→JS call and the clock.
 */
function onMinimalImport(): Guest {
  let dv: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));
  const clock_time_get = (_id: number, _precision: bigint, ptr: number): number => {
    const t = Math.floor(performance.now() * 1e6);
    dv.setUint32(ptr, t >>> 0, true);
    dv.setUint32(ptr + 4, t / 0x1_0000_0000, true);
    return 0;
  };
  const g = new WebAssembly.Instance(module, { wasi_snapshot_preview1: { clock_time_get } })
    .exports as unknown as Guest;
  dv = new DataView(g.memory.buffer);
  return g;
}

for (const [name, id] of CLOCKS) {
  const group = `clock_time_get ${name}`;
  const ours = onHostcall(module);
  const theirs = onNodeWasi(module);
  const floor = onMinimalImport();
  ours.setup!(id);
  theirs.setup!(id);
  floor.setup!(id);
  Deno.bench(`node:wasi ${name}`, { group, baseline: true }, checked(loop(theirs)));
  Deno.bench(`Hostcall ${name}`, { group }, checked(loop(ours)));
  Deno.bench("bare performance.now()", { group }, checked(barePerformanceNow));
  Deno.bench("floor: a minimal import", { group }, checked(loop(floor)));
}

globalThis.addEventListener("unload", () => {
  if (sink === -1) console.log(sink); // keeps the bare loop's result alive
});
