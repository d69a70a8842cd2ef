// The edge example's request handler, shared by the workerd worker (worker.js) and the Deno.serve server
// (deno_serve.ts): runs the C guest on the request body, with an input file in a MemoryFs, and answers with JSON.

import { MemoryFs, Wasi } from "../../mod.ts";

/** The JSON body of an answer: a run (status 200) or a trap (status 500). */
export interface GuestAnswer {
  /** The guest's exit code (a run). */
  exitCode?: number;
  /** What the guest printed (up to the trap, for a trap). */
  stdout: string;
  /** The file the guest wrote, `/data/output.txt`, or null when it wrote none (a run). */
  output?: string | null;
  /** The trap, as `RuntimeError: unreachable` (a trap). */
  error?: string;
}

/**
 * Answers one request by running `guest` (a compiled module: edge runtimes forbid compiling wasm in a handler).
 *
 * - `/health` answers `ok` without running anything (the baseline of the latency figures).
 * - Any other path runs the guest once: the request body is its stdin, `/data/input.txt` (in a fresh `MemoryFs`
 *   preopened at `/data`) holds the `name` query parameter (default `edge`), `argv[1]` is the path without its
 *   leading `/` (`run`, `trap`, `exit/3`, `clock`), `argv[2]` the `ms` query parameter (default 5).
 *
 * The answer is `{ exitCode, stdout, output }` (200), or `{ error, stdout }` (500) when the guest traps.
 *
 * @example
 * ```ts
 * import { handle } from "./handler.ts";
 * const guest = await WebAssembly.compile(await Deno.readFile("examples/edge/guest.wasm"));
 * const res = await handle(new Request("http://x/run?name=Ada", { method: "POST", body: "hi\n" }), guest);
 * console.log(await res.json()); // { exitCode: 0, stdout: "stdin bytes=3 ...", output: "Hello, Ada! ..." }
 * ```
 */
export async function handle(req: Request, guest: WebAssembly.Module): Promise<Response> {
  const url = new URL(req.url);
  if (url.pathname === "/health") return new Response("ok\n");
  if (url.pathname === "/stream") return await stream(req, url, guest);
  if (url.pathname === "/streaming") return new Response(`${streaming}\n`); // guests of /stream still running
  if (url.pathname === "/listen") return Response.json({ error: await listenError() });

  const fs = new MemoryFs();
  fs.files.writeFile("/input.txt", url.searchParams.get("name") ?? "edge");
  const wasi = new Wasi({
    args: ["guest", url.pathname.slice(1) || "run", url.searchParams.get("ms") ?? "5"],
    stdin: new Uint8Array(await req.arrayBuffer()),
    stdout: "capture",
    stderr: "capture",
    preopens: { "/data": fs },
  });
  const { instance } = await wasi.instantiate(guest);
  let exitCode: number;
  try {
    exitCode = wasi.start(instance);
  } catch (err) {
    if (!(err instanceof WebAssembly.RuntimeError)) throw err; // a host bug, not the guest's
    return Response.json({ error: String(err), stdout: wasi.stdoutText() } satisfies GuestAnswer, { status: 500 });
  }
  const wrote = fs.files.readdir("/").includes("output.txt");
  const output = wrote ? new TextDecoder().decode(fs.files.readFile("/output.txt")) : null;
  return Response.json({ exitCode, stdout: wasi.stdoutText(), output } satisfies GuestAnswer);
}

/** Guests of `/stream` running now (answered at `/streaming`: none may be left behind by a client that went away). */
let streaming = 0;

/**
 * `/stream`: the guest in async mode. The request body is its stdin as it arrives (never buffered whole), its stdout
 * streams into the response as it writes (the first lines reach the client while it still runs), and its sleeps wait
 * on timers (real time, no spinning, the isolate free for other requests). `ms` (default 50) and `n` (default 5) set
 * the ticks. When the client goes away, `req.signal` stops the guest at its next wait.
 */
async function stream(req: Request, url: URL, guest: WebAssembly.Module): Promise<Response> {
  const fs = new MemoryFs();
  fs.files.writeFile("/input.txt", url.searchParams.get("name") ?? "edge");
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const wasi = new Wasi({
    async: true,
    args: ["guest", "stream", url.searchParams.get("ms") ?? "50", url.searchParams.get("n") ?? "5"],
    stdin: req.body ?? "null",
    stdout: writable,
    stderr: "null",
    preopens: { "/data": fs },
    signal: req.signal,
  });
  const { instance } = await wasi.instantiate(guest);
  // Not awaited: the response streams while the guest runs; a trap aborts the stream (the client sees it cut short).
  streaming++;
  wasi.startAsync(instance).catch(() => {}).finally(() => streaming--);
  return new Response(readable, { headers: { "content-type": "text/plain; charset=utf-8" } });
}

/**
 * `/listen`: what asking for a listening socket answers here: workerd refuses at construction (its node:net servers take
 * no connections from the network), Deno listens (and the listener is closed again).
 */
async function listenError(): Promise<string | null> {
  let wasi: Wasi;
  try {
    wasi = new Wasi({ async: true, listeners: [{ hostname: "127.0.0.1", port: 0 }] });
  } catch (err) {
    return String(err);
  }
  await wasi.close();
  return null;
}
