// args_sizes_get: Hostcall vs Deno's node:wasi vs the same guest loop over an empty import (N calls per iteration).

import { ARGS, checked, guestModule, loop, onEmptyImports, onHostcall, onNodeWasi } from "./_harness.ts";

const module = guestModule("args_sizes_get");
const group = "args_sizes_get";

// Both hosts must report the same argc and argv buffer size.
const expected = [ARGS.length, ARGS.reduce((n, a) => n + new TextEncoder().encode(a).length + 1, 0)];
const ours = onHostcall(module);
const theirs = onNodeWasi(module);
for (const g of [ours, theirs]) {
  g.run(1);
  const got = [...new Uint32Array(g.memory.buffer, 0x10, 2)];
  if (got.join() !== expected.join()) throw new Error(`args_sizes_get wrote ${got}, expected ${expected}`);
}

Deno.bench("node:wasi", { group, baseline: true }, checked(loop(theirs)));
Deno.bench("Hostcall", { group }, checked(loop(ours)));
// There is no host call under args_sizes_get: its floor is the wasm→JS import call itself.
Deno.bench("empty JS import (floor)", { group }, checked(loop(onEmptyImports(module))));
