// Counts lines, words and bytes with a C program compiled to wasm32-wasip1 (examples/wc.c), run by Hostcall.
//
//   deno run --allow-read=examples examples/wc.ts [FILE]
//
// The file is handed to the guest as its stdin; the guest prints "lines words bytes" to stdout.

import { Wasi } from "../mod.ts";

const file = Deno.args[0] ?? "examples/data/sample.txt";
const wasi = new Wasi({ args: ["wc"], stdin: Deno.readFileSync(file) });
const { instance } = await wasi.instantiate(Deno.readFileSync(new URL("./wc.wasm", import.meta.url)));
Deno.exitCode = wasi.start(instance);
