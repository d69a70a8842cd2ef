// Serves the C HTTP server guest (server.wasm) on 127.0.0.1:PORT (default 8080; 0 picks a free port) from Deno, Bun
// or Node; GET /exit stops it. See README.md beside it.
import { readFile } from "node:fs/promises";
import process from "node:process";
import { Wasi } from "../../mod.ts";

const wasi = new Wasi({
  async: true,
  args: ["server"],
  listeners: [{ hostname: "127.0.0.1", port: Number(process.argv[2] ?? 8080) }],
});
const [{ hostname, port }] = await wasi.listening();
console.log(`serving on http://${hostname}:${port}/`);
const { instance } = await wasi.instantiate(await readFile(new URL("./server.wasm", import.meta.url)));
process.exitCode = await wasi.startAsync(instance);
