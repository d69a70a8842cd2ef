// The yosys example on Deno.serve: the tree is served at /tree/ from a directory (Range requests included), and the
// handler's FetchFs fetches it over HTTP from this same origin.
//
// deno run --allow-read --allow-net=127.0.0.1 examples/yosys/deno_serve.ts <tree dir> [port]
// (port 0 picks a free one; the line "listening on http://127.0.0.1:<port>/" says which)

import { handle } from "./handler.ts";
import { serveTree } from "./static.ts";

const dir = Deno.args[0];
if (dir === undefined) throw new Error("usage: deno_serve.ts <tree dir> [port]");
const yosys = await WebAssembly.compile(
  await Deno.readFile(new URL("../../node_modules/@yowasp/yosys/gen/yosys.core.wasm", import.meta.url)),
);
Deno.serve({
  hostname: "127.0.0.1",
  port: Number(Deno.args[1] ?? 8000),
  onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}/`),
}, (request) => {
  const path = new URL(request.url).pathname;
  return path.startsWith("/tree/") ? serveTree(dir, path.slice("/tree/".length), request) : handle(request, { yosys });
});
