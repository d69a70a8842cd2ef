// Runs the edge example's guest on a preopened host directory and prints, as JSON, its exit code and what the Wasi's
// onDenied option was told (tests/denied.test.ts runs it under Deno's and Node's permissions).
//
//   deno run --allow-read=<repo>,<dir> tests/denied_runner.ts <dir>
//   node --permission --allow-fs-read=<repo>,<dir> tests/denied_runner.ts <dir>

import process from "node:process";
import { type Denial, Wasi } from "../mod.ts";
import { wasmBytes } from "./guest_runner.ts";

const denials: Omit<Denial, "error">[] = [];
const wasi = new Wasi({
  args: ["guest", "run"],
  stdin: "null",
  stdout: "capture",
  preopens: { "/data": process.argv[2] },
  onDenied: ({ runtime, access, path, flag, error }) => {
    if (!(error instanceof Error)) throw new Error("no error given");
    denials.push({ runtime, access, path, flag });
  },
});
const { instance } = await wasi.instantiate(wasmBytes("../examples/edge/guest.wasm"));
const code = wasi.start(instance);
console.log(JSON.stringify({ code, stdout: wasi.stdoutText(), denials }));
