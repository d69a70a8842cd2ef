// A Deno.serve server stays responsive while guests wait: /health latency with 100 guests reading slow request bodies
// (a byte every 100 ms) against the same server idle, as a ratio from one run.
//
//   deno run -A bench/async_serve.ts [--guests=100] [--samples=1000]     (npm run bench:async:serve)
//
// The server runs in a child Deno process (`--serve`): each POST /drain runs the bench guest in async mode with the
// request body as its stdin (it reads to the end). This process sends the slow bodies and times /health.

import { Wasi } from "../mod.ts";

const arg = (name: string, fallback: number) =>
  Number(Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);

if (Deno.args[0] === "--serve") {
  const module = await WebAssembly.compile(await Deno.readFile(new URL("./guests/async.wasm", import.meta.url)));
  let waiting = 0;
  Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(`port ${port}`) }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/health") return new Response("ok");
    if (path === "/waiting") return new Response(String(waiting));
    const wasi = new Wasi({ async: true, stdin: req.body ?? "null" });
    const { instance } = await wasi.instantiate(module);
    await wasi.initializeAsync(instance);
    waiting++;
    try {
      return new Response(String(await wasi.callAsync("drain")));
    } finally {
      waiting--;
      await wasi.close();
    }
  });
} else {
  const guests = arg("guests", 100), samples = arg("samples", 1000);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--serve"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let first = "";
  while (!first.includes("\n")) first += (await lines.read()).value ?? "";
  const base = `http://127.0.0.1:${/port (\d+)/.exec(first)![1]}`;

  /** Median and p90 ms of `samples` sequential /health requests. */
  const health = async () => {
    const ms: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t = performance.now();
      await (await fetch(`${base}/health`)).text();
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return { median: ms[Math.floor(ms.length / 2)], p90: ms[Math.floor(ms.length * 0.9)] };
  };

  await health(); // warm-up
  const idle = await health();
  // 100 slow bodies: a byte every 100 ms until told to stop.
  let sending = true;
  const slow = Array.from({ length: guests }, () => {
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        await new Promise((r) => setTimeout(r, 100));
        if (sending) c.enqueue(new Uint8Array([120]));
        else c.close();
      },
    });
    return fetch(`${base}/drain`, { method: "POST", body, duplex: "half" } as RequestInit).then((r) => r.text());
  });
  let waiting = 0;
  for (let i = 0; i < 100 && waiting < guests; i++) {
    await new Promise((r) => setTimeout(r, 50));
    waiting = Number(await (await fetch(`${base}/waiting`)).text());
  }
  const loaded = await health();
  sending = false;
  const drained = await Promise.all(slow);
  child.kill();
  await child.status;
  console.log(`# Deno.serve /health while ${waiting} guests wait on slow request bodies (${samples} requests each)\n`);
  console.log("| server | /health median ms | p90 ms |");
  console.log("| --- | ---: | ---: |");
  console.log(`| idle | ${idle.median.toFixed(3)} | ${idle.p90.toFixed(3)} |`);
  console.log(`| ${waiting} guests waiting | ${loaded.median.toFixed(3)} | ${loaded.p90.toFixed(3)} |`);
  console.log(
    `\nmedian ratio ${(loaded.median / idle.median).toFixed(2)}, p90 ratio ${(loaded.p90 / idle.p90).toFixed(2)}`,
  );
  console.log(`(each guest read ${drained[0]} bytes before its body ended)`);
}
