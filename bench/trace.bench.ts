// Tracing's cost: the same guest loops with no trace option (the baseline), trace off, trace on for another
// scope (the call is not wrapped), and trace on for the call itself into an empty sink (N calls per iteration).

import type { WasiOptions } from "../mod.ts";
import { checked, guestModule, loop, onHostcall } from "./_harness.ts";

const sink = (_line: string): void => {};
/** [name, options]: the first is each group's baseline. */
const VARIANTS: [string, WasiOptions][] = [
  ["no trace option", {}],
  ["trace: false", { trace: false }],
  ["trace on, another scope", { trace: { sink, scopes: ["path"] } }],
  ["trace on, this call, empty sink", { trace: sink }],
];

const GROUPS = [
  ["clock_time_get monotonic", "clock_time_get", 1],
  ['fd_write 16 iovecs × 16 B to "null"', "fd_write", 0],
  ["random_get 32 B", "random_get", undefined],
] as const;

for (const [group, guest, arg] of GROUPS) {
  const module = guestModule(guest);
  VARIANTS.forEach(([name, options], i) => {
    const g = onHostcall(module, guest === "fd_write" ? { stdout: "null", ...options } : options);
    if (arg !== undefined) g.setup!(arg);
    Deno.bench(name, { group, baseline: i === 0 }, checked(loop(g)));
  });
}
