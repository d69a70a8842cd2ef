// Counts lines, words and bytes with a C program compiled to wasm32-wasip1 (examples/wc.c), run by Hostcall.
//
//   deno run --allow-read=examples examples/wc.ts [FILE...]
//
// examples/data is preopened as /data: the guest opens /data/FILE itself, and Deno's permissions
// (--allow-read=examples) are a second wall around it.

import { Wasi } from "../mod.ts";

const files = Deno.args.length > 0 ? Deno.args : ["sample.txt", "short.txt"];
const wasi = new Wasi({
  args: ["wc", ...files.map((f) => `/data/${f.replace(/^.*\//, "")}`)],
  preopens: { "/data": new URL("./data", import.meta.url).pathname },
});
const { instance } = await wasi.instantiate(Deno.readFileSync(new URL("./wc.wasm", import.meta.url)));
Deno.exitCode = wasi.start(instance);
