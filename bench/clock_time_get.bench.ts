// clock_time_get: Hostcall vs Deno's node:wasi vs the bare performance.now() it rests on (N calls per iteration).

import { checked, guestModule, loop, N, onHostcall, onMinimalClock, onNodeWasi } from "./_harness.ts";

const module = guestModule("clock_time_get");
const CLOCKS = [["realtime", 0], ["monotonic", 1]] as const;

let sink = 0;
/** The bare host call Hostcall's clocks read: performance.now(), N times. */
function barePerformanceNow(): void {
  let t = 0;
  for (let i = 0; i < N; i++) t += performance.now();
  sink += t;
}

for (const [name, id] of CLOCKS) {
  const group = `clock_time_get ${name}`;
  const ours = onHostcall(module);
  const theirs = onNodeWasi(module);
  const floor = onMinimalClock(module);
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
