// End to end: the edge example (examples/edge/) served by a real workerd (npm), with and without Node.js
// compatibility, and by Deno.serve; each on 127.0.0.1 on a free port, stopped afterwards, also when a check fails.
// Per server: /health, 20 runs with varied bodies and names, a 1 MiB body, a trap, an exit code, the clocks.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleWorker, type EdgeServer, startDenoServe, startWorkerd } from "../examples/edge/servers.ts";
import type { GuestAnswer } from "../examples/edge/handler.ts";
import { SPIN_MAX_MS } from "../src/clocks.ts";

/** FNV-1a, 32 bits, as the guest computes it. */
function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** What the guest prints and writes for `body` and `name`. */
function expected(body: Uint8Array, name: string): { stdout: string; output: string } {
  const lines = body.filter((b) => b === 10).length;
  const h = fnv1a(body);
  return {
    stdout: `stdin bytes=${body.length} lines=${lines} fnv1a=${h}\ninput name=${name}\n`,
    output: `Hello, ${name}! You sent ${body.length} bytes (fnv1a ${h}).\n`,
  };
}

/** A deterministic body of `n` bytes with some newlines. */
function body(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = (x >>> 24) % 11 === 0 ? 10 : 32 + ((x >>> 16) % 95);
  }
  return out;
}

async function post(url: string, data: Uint8Array<ArrayBuffer>): Promise<{ status: number; json: GuestAnswer }> {
  const res = await fetch(url, { method: "POST", body: data });
  const text = await res.text();
  try {
    return { status: res.status, json: JSON.parse(text) };
  } catch {
    assert.fail(`${url}: ${res.status}, not JSON: ${text.slice(0, 500)}`);
  }
}

/** The same checks on one served example; `clockResNs` is what clock_res_get must say there (undefined: ≤ 1 ms). */
function checks(label: string, url: () => string, host: "workerd" | "deno") {
  test(`${label}: /health answers ok`, async () => {
    const res = await fetch(`${url()}/health`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "ok\n");
  });

  test(`${label}: asking for a listening socket ${host === "workerd" ? "throws at construction, naming why" : "works"}`, async () => {
    const { error } = await (await fetch(`${url()}/listen`)).json();
    assert.equal(
      error,
      host === "workerd"
        ? "TypeError: options.listeners[0]: this runtime cannot listen for connections (workerd's node:net servers take " +
          "no connections from the network): edge runtimes such as workerd take requests through a fetch handler, not sockets"
        : null,
    );
  });

  test(`${label}: 20 runs, bodies of 0 to 19 KiB and different names: exit code, stdout and the file the guest wrote`, async () => {
    for (let i = 0; i < 20; i++) {
      const data = body(i * 1024 + i, i);
      const name = `caller-${i}`;
      const { status, json } = await post(`${url()}/run?name=${name}`, data);
      assert.equal(status, 200, `run ${i}: ${JSON.stringify(json)}`);
      assert.deepEqual(json, { exitCode: 0, ...expected(data, name) }, `run ${i}`);
    }
  });

  test(`${label}: a 1 MiB body reaches the guest whole`, async () => {
    const data = body(1 << 20, 99);
    const { status, json } = await post(`${url()}/run?name=big`, data);
    assert.equal(status, 200);
    assert.deepEqual(json, { exitCode: 0, ...expected(data, "big") });
  });

  test(`${label}: a guest that traps gets a 500 with the trap and what it printed before, and no output file`, async () => {
    const data = body(100, 7);
    const { status, json } = await post(`${url()}/trap?name=t`, data);
    assert.equal(status, 500);
    assert.deepEqual(json, { error: "RuntimeError: unreachable", stdout: expected(data, "t").stdout });
    const again = await post(`${url()}/run?name=after`, data);
    assert.equal(again.json.exitCode, 0, "the server still runs guests after a trap");
  });

  test(`${label}: proc_exit(3) is the exit code, and the file written before it is there`, async () => {
    const { status, json } = await post(`${url()}/exit/3?name=x`, new Uint8Array(0));
    assert.equal(status, 200);
    assert.deepEqual(json, { exitCode: 3, ...expected(new Uint8Array(0), "x") });
  });

  test(`${label}: /stream (async mode): stdout streams while the guest runs, its sleeps really sleep`, async () => {
    const t0 = performance.now();
    const res = await fetch(`${url()}/stream?ms=60&n=5&name=s`, { method: "POST", body: "one\ntwo\n" });
    assert.equal(res.status, 200);
    const arrivals: { at: number; text: string }[] = [];
    const reader = res.body!.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      arrivals.push({ at: performance.now() - t0, text: new TextDecoder().decode(r.value) });
    }
    const text = arrivals.map((a) => a.text).join("");
    const m = text.match(
      /^stdin bytes=8 lines=2 fnv1a=[0-9a-f]{8}\ninput name=s\ntick 0 at_ms=\d+\ntick 1 at_ms=(\d+)\ntick 2 at_ms=\d+\ntick 3 at_ms=\d+\ntick 4 at_ms=(\d+)\n$/,
    );
    assert.ok(m !== null, text);
    // Real sleeps on every host (workerd too: timers, not a 10 ms spin): 4 gaps of 60 ms.
    assert.ok(Number(m[1]) >= 59 && Number(m[2]) >= 4 * 60 - 1, text);
    const firstTick = arrivals.find((a) => a.text.includes("tick 0"))!.at, last = arrivals[arrivals.length - 1].at;
    // Streamed, the first tick comes about 240 ms before the end; buffered, with it. Half of that under a busy machine.
    assert.ok(last - firstTick >= 2 * 60, `the first tick arrived ${last - firstTick} ms before the end`);
  });

  test(`${label}: /stream: a client that goes away stops its guest (none is left running)`, async () => {
    const ac = new AbortController();
    const res = await fetch(`${url()}/stream?ms=100&n=1000`, { method: "POST", body: "x", signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read(); // the guest is running
    assert.equal(await (await fetch(`${url()}/streaming`)).text(), "1\n");
    ac.abort();
    await reader.read().catch(() => {});
    let left = "";
    for (let i = 0; i < 50 && left !== "0\n"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await (await fetch(`${url()}/streaming`)).text();
    }
    assert.equal(left, "0\n", "the guest of the request that went away stopped");
  });

  test(`${label}: clock resolution, CPU clock, a 50 ms sleep and a 200000-byte random_get`, async () => {
    const { status, json } = await post(`${url()}/clock?ms=50`, new Uint8Array(0));
    assert.equal(status, 200, JSON.stringify(json));
    assert.equal(json.exitCode, 0);
    const m = json.stdout.match(
      /clock res_ns=(\d+) cpu_rc=(\d+) sleep_rc=(\d+) requested_ms=50 elapsed_ms=(\d+)\nrandom rc=0 bytes=200000 chunks_filled=4\n$/,
    );
    assert.ok(m !== null, json.stdout);
    const [res, cpuRc, sleepRc, elapsed] = m.slice(1).map(Number);
    assert.deepEqual([cpuRc, sleepRc], [0, 0], "clock_gettime(CPU) and nanosleep succeed");
    if (host === "workerd") {
      assert.equal(res, 1_000_000, "workerd's performance.now() moves in whole milliseconds");
      // No Atomics.wait: the sleep spins for at most SPIN_MAX_MS (decisions.md#sleeping-without-atomics-wait).
      assert.ok(elapsed >= SPIN_MAX_MS - 1 && elapsed < 50, `slept ${elapsed} ms`);
    } else {
      assert.ok(res >= 1 && res <= 1_000_000, `resolution ${res} ns`);
      assert.ok(elapsed >= 50 && elapsed < 1000, `slept ${elapsed} ms`);
    }
  });
}

describe("the edge example bundled for workerd", () => {
  test("the bundle holds no eval and no new Function (workerd forbids code from strings)", () => {
    const dir = mkdtempSync(join(tmpdir(), "hostcall-bundle-"));
    try {
      const text = readFileSync(bundleWorker(dir), "utf8");
      assert.ok(text.includes("wasi_snapshot_preview1"), "the bundle holds Hostcall");
      assert.match(text, /from "\.\/guest\.wasm"/, "the guest stays a module import");
      assert.doesNotMatch(text, /\beval\s*\(|new\s+Function\s*\(|\bFunction\s*\(\s*["'`]/);
      assert.doesNotMatch(text, /from\s+"node:|require\(\s*"node:/, "no static node: import");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the edge example in workerd", () => {
  let server: EdgeServer | undefined;
  before(async () => {
    server = await startWorkerd();
  });
  after(async () => {
    const output = server?.output() ?? "";
    await server?.stop();
    assert.doesNotMatch(output, /Uncaught|error:/i, `workerd logged an error:\n${output}`);
  });
  checks("workerd (nodejs_compat)", () => server!.url, "workerd");
  checks("workerd (no nodejs_compat: no process, no node:*)", () => server!.bareUrl!, "workerd");
});

describe("the edge example on Deno.serve", () => {
  let server: EdgeServer | undefined;
  before(async () => {
    server = await startDenoServe();
  });
  after(async () => {
    await server?.stop();
  });
  checks("Deno.serve", () => server!.url, "deno");
});
