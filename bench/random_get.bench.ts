// random_get (32 bytes): Hostcall vs Deno's node:wasi vs bare crypto.getRandomValues (N calls per iteration).

import { checked, guestModule, loop, N, onHostcall, onNodeWasi } from "./_harness.ts";

const module = guestModule("random_get");
const group = "random_get 32 B";
const bytes = new Uint8Array(32);

Deno.bench("node:wasi", { group, baseline: true }, checked(loop(onNodeWasi(module))));
Deno.bench("Hostcall", { group }, checked(loop(onHostcall(module))));
Deno.bench("bare crypto.getRandomValues(32 B)", { group }, () => {
  for (let i = 0; i < N; i++) crypto.getRandomValues(bytes);
});
