// Latency of one request to the edge example (a full guest run: a fresh Wasi and MemoryFs, instantiate, _start)
// beside a /health answer of the same server, for workerd (with and without nodejs_compat) and Deno.serve.
// Median over `rounds` requests of each, interleaved; the ratio is run / health.
//
// deno run -A examples/edge/latency.ts [rounds=300]     (also: bun examples/edge/latency.ts, node examples/edge/latency.ts)

import process from "node:process";
import { type EdgeServer, startDenoServe, startWorkerd } from "./servers.ts";

const ROUNDS = Number(process.argv[2] ?? 300);
const WARMUP = 50;
const BODY = new TextEncoder().encode("hello from the latency script\n");

/** The time (ms) from sending `url` to having read the whole answer. */
async function timed(url: string, body: Uint8Array<ArrayBuffer> | null): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, body === null ? undefined : { method: "POST", body });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return performance.now() - t0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median run and health latencies (ms) of the server at `base`. */
async function measure(base: string): Promise<{ run: number; health: number }> {
  const run: number[] = [], health: number[] = [];
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    const r = await timed(`${base}/run?name=latency`, BODY);
    const h = await timed(`${base}/health`, null);
    if (i >= WARMUP) run.push(r), health.push(h);
  }
  return { run: median(run), health: median(health) };
}

const rows: string[] = [];
for (const start of [startWorkerd, startDenoServe]) {
  const server: EdgeServer = await start();
  try {
    const targets: [string, string][] = [[
      server.name === "workerd" ? "workerd (nodejs_compat)" : server.name,
      server.url,
    ]];
    if (server.bareUrl !== undefined) targets.push(["workerd (no nodejs_compat)", server.bareUrl]);
    for (const [label, url] of targets) {
      const { run, health } = await measure(url);
      rows.push(`| ${label} | ${run.toFixed(3)} | ${health.toFixed(3)} | ${(run / health).toFixed(2)} |`);
    }
  } finally {
    await server.stop();
  }
}
const client = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined"
  ? "Deno"
  : typeof (globalThis as { Bun?: unknown }).Bun !== "undefined"
  ? "Bun"
  : "Node";
console.log(`${ROUNDS} rounds (after ${WARMUP} warm-up), client: ${client} fetch, one connection, sequential\n`);
console.log("| server | run: median ms | /health: median ms | run / health |");
console.log("| --- | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
