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
