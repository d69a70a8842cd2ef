// Runs wasmtime parity programs (tests/guests/p1/) with the process's own fds 0-2, as wasmtime's harness does for
// its stdio programs; tests/wasmtime_p1.test.ts starts it under util-linux `script`, so those fds are a terminal.
//
//   <deno run -A | bun | node> tests/guests/p1/tty_runner.ts <guest> <program>...
//
// Each program gets argv [program, "."] and a fresh empty temp dir preopened as "."; the process exits with the
// first non-zero exit code, or 0.

import process from "node:process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wasi } from "../../../mod.ts";
import { guest } from "../../guest_runner.ts";

const [guestName, ...programs] = process.argv.slice(2);
let code = 0;
for (const program of programs) {
  const dir = mkdtempSync(join(tmpdir(), "hostcall-p1-tty-"));
  try {
    const wasi = new Wasi({ args: [program, "."], preopens: { ".": dir } });
    const { instance } = await wasi.instantiate(guest(`p1/${guestName}`));
    const c = wasi.start(instance);
    if (code === 0) code = c;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
process.exit(code);
