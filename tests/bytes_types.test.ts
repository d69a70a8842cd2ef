// Bytes handed to users are `Uint8Array<ArrayBuffer>`, so `new Response(…)` and `new Blob([…])` take them as they are.
// This file is also a type test: `deno check` (npm run check, CI) fails here with TS2345 when one of these return types
// is widened back to `Uint8Array` (`Uint8Array<ArrayBufferLike>`, which may view a SharedArrayBuffer).

import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryFs, Wasi } from "../mod.ts";
import { guest } from "./guest_runner.ts";

/** Compiles only for a `Uint8Array` over a plain `ArrayBuffer`. */
function plain(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  return bytes;
}

test("stdoutBytes() and stderrBytes() are Uint8Array<ArrayBuffer>: a Response body and a Blob part as they are", async () => {
  const wasi = new Wasi({ args: ["stdin_echo"], stdin: "héllo", stdout: "capture", stderr: "capture" });
  const { instance } = await wasi.instantiate(guest("stdin_echo"));
  assert.equal(wasi.start(instance), 0);
  const out = plain(wasi.stdoutBytes()), err = plain(wasi.stderrBytes());
  assert.ok(out.buffer instanceof ArrayBuffer && err.buffer instanceof ArrayBuffer);
  assert.equal(await new Response(wasi.stdoutBytes()).text(), "héllo");
  assert.equal(await new Blob([wasi.stderrBytes()]).text(), "n=6\n");
  const sum = (b: BufferSource): number => b.byteLength;
  assert.equal(sum(wasi.stdoutBytes()), 6);
});

test("MemoryFs.files.readFile() is Uint8Array<ArrayBuffer>: a Response body and a Blob part as it is", async () => {
  const fs = new MemoryFs();
  fs.files.writeFile("/a.txt", "abc");
  const bytes = plain(fs.files.readFile("/a.txt"));
  assert.ok(bytes.buffer instanceof ArrayBuffer);
  assert.equal(await new Response(fs.files.readFile("/a.txt")).text(), "abc");
  assert.equal(await new Blob([fs.files.readFile("/a.txt"), bytes]).text(), "abcabc");
});
