// The edge example on Deno.serve, for Deno-style edges (Deno Deploy and the like): the same handler as the workerd
// worker, the guest compiled once at startup.
//
// deno run --allow-read=examples/edge --allow-net=127.0.0.1 examples/edge/deno_serve.ts [port]
// (port 0 picks a free one; the line "listening on http://127.0.0.1:<port>/" says which)

import { handle } from "./handler.ts";

const guest = await WebAssembly.compile(await Deno.readFile(new URL("./guest.wasm", import.meta.url)));
Deno.serve({
  hostname: "127.0.0.1",
  port: Number(Deno.args[0] ?? 8000),
  onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}/`),
}, (request) => handle(request, guest));
