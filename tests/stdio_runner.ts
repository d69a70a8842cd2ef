// Runs guests from tests/guests/ one after another through Hostcall with inherited stdio (tests/stdio_pipes.test.ts).
//
//   <deno run -A | bun | node> tests/stdio_runner.ts [--touch-stdio] name[:arg,arg...] ...
//
// Each guest gets argv [name, ...args] and the process's own fds 0-2. After the last one the process ends at once
// with process.exit(code): nothing waits for pending output. A trap is not caught: it ends the process as an
// uncaught error. --touch-stdio first writes "runner\n" through process.stdout and looks at process.stdin, which makes
// a stdout pipe non-blocking on Bun (src/stdio.ts's EAGAIN path). Node 26 running a .ts file has pipes on fds 0 and 1
// non-blocking from its start anyway; Deno leaves them blocking (seen in /proc/self/fdinfo, 2026-11-24).

import process from "node:process";
import { Wasi } from "../mod.ts";
import { guest } from "./guest_runner.ts";

const argv = process.argv.slice(2);
if (argv[0] === "--touch-stdio") {
  argv.shift();
  process.stdout.write("runner\n");
  void process.stdin;
}
let code = 0;
for (const spec of argv) {
  const [name, rest] = spec.split(":");
  const wasi = new Wasi({ args: [name, ...(rest === undefined ? [] : rest.split(","))] });
  const { instance } = await wasi.instantiate(guest(name));
  code = wasi.start(instance);
}
process.exit(code);
