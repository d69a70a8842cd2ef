// Requests per second of the C HTTP guest (examples/http-server/server.c) served by Hostcall's CLI on Deno, Bun and
// Node, beside the same C server built natively and a Deno.serve hello-world, on loopback with keep-alive, at 1 and 50
// connections, in one run (every figure is a ratio to the native server of the same run).
//
// Usage: node bench/http_server.mjs [--seconds=5] [--rounds=2] [--json]
// Needs wrk (apt-get install wrk) and clang-14 (for the native build). The load generator is wrk, not JavaScript: a
// native generator's own cost is small and the same for every server, while a JS one on this 2-core machine would take
// as much CPU as the server it measures. wrk runs one thread (-t1), so one core is the server's.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bun, deno, need, node } from "../scripts/runtimes.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const opt = (name, def) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? def);
const SECONDS = opt("seconds", 5), ROUNDS = opt("rounds", 2), JSON_OUT = process.argv.includes("--json");
const GUEST = join(ROOT, "examples/http-server/server.wasm");

function check(cmd, hint) {
  if (spawnSync(cmd, ["--version"], { stdio: "ignore" }).error) {
    console.error(`bench/http_server.mjs: ${cmd} not found (${hint})`);
    process.exit(2);
  }
}
check("wrk", "apt-get install wrk");
check("clang-14", "apt-get install clang-14");

const scratch = mkdtempSync(join(tmpdir(), "http-bench-"));
const native = join(scratch, "server");
execFileSync("clang-14", ["-O2", "-o", native, join(ROOT, "examples/http-server/server.c")]);

/** A free port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const servers = [
  { name: "native C (clang-14 -O2)", cmd: (p) => [native, String(p)] },
  {
    name: "Hostcall on Deno",
    cmd: (p) => [need("deno", deno), "run", "-A", "cli.ts", "--tcplisten", `127.0.0.1:${p}`, GUEST],
  },
  { name: "Hostcall on Bun", cmd: (p) => [need("bun", bun), "cli.ts", "--tcplisten", `127.0.0.1:${p}`, GUEST] },
  { name: "Hostcall on Node 26", cmd: (p) => [need("node", node), "cli.ts", "--tcplisten", `127.0.0.1:${p}`, GUEST] },
  { name: "Deno.serve hello-world", cmd: (p) => [need("deno", deno), "run", "-A", "bench/http_hello.ts", String(p)] },
];

/** Starts a server, waits until it answers, runs wrk at each concurrency, stops it. */
async function measure(server) {
  const port = await freePort();
  const [bin, ...args] = server.cmd(port);
  const child = spawn(bin, args, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  try {
    for (let i = 0;; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break;
      } catch { /* not up yet */ }
      if (i > 200) throw new Error(`${server.name} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const out = {};
    for (const c of [1, 50]) {
      const r = spawnSync("wrk", ["-t1", `-c${c}`, `-d${SECONDS}s`, `http://127.0.0.1:${port}/`], { encoding: "utf8" });
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
      if (!(rps > 0) || /Non-2xx|Socket errors/.test(r.stdout)) {
        throw new Error(`${server.name}: wrk said\n${r.stdout}`);
      }
      out[c] = rps;
    }
    return out;
  } finally {
    child.kill();
    await new Promise((r) => child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", r));
  }
}

const results = servers.map(() => ({ 1: [], 50: [] }));
try {
  for (let round = 0; round < ROUNDS; round++) { // interleaved rounds: a noisy neighbour hits every server alike
    for (const [i, s] of servers.entries()) {
      const r = await measure(s);
      results[i][1].push(r[1]);
      results[i][50].push(r[50]);
      if (!JSON_OUT) console.error(`round ${round + 1}: ${s.name}: ${r[1].toFixed(0)} / ${r[50].toFixed(0)} req/s`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = servers.map((s, i) => ({ server: s.name, rps1: median(results[i][1]), rps50: median(results[i][50]) }));
if (JSON_OUT) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  const base = rows[0];
  console.log(
    `\nGET / keep-alive on 127.0.0.1, wrk -t1, ${SECONDS} s per figure, median of ${ROUNDS} interleaved rounds`,
  );
  console.log("| server | 1 connection (req/s) | ÷ native | 50 connections (req/s) | ÷ native |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    console.log(
      `| ${r.server} | ${r.rps1.toFixed(0)} | ${(r.rps1 / base.rps1).toFixed(2)} | ${r.rps50.toFixed(0)} | ${
        (r.rps50 / base.rps50).toFixed(2)
      } |`,
    );
  }
}
