// What a new user meets first: misuse answered with errors that name the fix, and what node:wasi users expect
// (imported memory, host fds as stdio, a cap on captured output, exit statuses that keep failure).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exitStatus, Wasi } from "../mod.ts";
import { guest } from "./guest_runner.ts";
import { wat } from "./helpers.ts";

const reactor = guest("reactor") as Uint8Array<ArrayBuffer>;

describe("misuse gets an error that names the fix", () => {
  test("a reactor's export called without initialize() throws, naming initialize", async () => {
    const wasi = new Wasi({ stdout: "capture" });
    const { instance } = await wasi.instantiate(reactor);
    const add = instance.exports.add_and_print as (a: number, b: number) => number;
    assert.throws(
      () => add(1, 2),
      /no guest memory: call wasi\.start\(instance\) \(a command\) or wasi\.initialize\(instance\)/,
    );
    wasi.initialize(instance);
    assert.equal(add(1, 2), 3);
    // The first call got as far as its fflush (the text stayed in libc's buffer); the second flushes both.
    assert.equal(wasi.stdoutText(), "sum=3 initialized=1 calls=1sum=3 initialized=1 calls=2\n");
  });

  test("one Wasi started on an instance made with another's imports: the first host call says so", async () => {
    const a = new Wasi({ stdout: "capture" }), b = new Wasi({ stdout: "capture" });
    const { instance } = await b.instantiate(guest("args_env") as Uint8Array<ArrayBuffer>);
    assert.throws(() => a.start(instance), /on the instance made with this Wasi's imports/);
  });

  test("start() given what instantiate() resolves to (not the instance) is a TypeError saying so", async () => {
    const wasi = new Wasi({});
    const result = await wasi.instantiate(guest("exit_code") as Uint8Array<ArrayBuffer>);
    assert.throws(
      () => wasi.start(result as unknown as WebAssembly.Instance),
      /start\(\) takes a WebAssembly\.Instance, got \[object Object\]: pass the instance \(`const \{ instance \} = await wasi\.instantiate/,
    );
    assert.throws(
      () => wasi.initialize(undefined as unknown as WebAssembly.Instance),
      /initialize\(\) takes a WebAssembly\.Instance, got undefined/,
    );
  });

  test("an injected clock returning a number is a TypeError naming clock.now at its first use", async () => {
    const wasi = new Wasi({ args: ["clocks", "0"], stdout: "capture", clock: { now: () => 5 as unknown as bigint } });
    const { instance } = await wasi.instantiate(guest("clocks") as Uint8Array<ArrayBuffer>);
    assert.throws(() => wasi.start(instance), (e: Error) => {
      assert.ok(e instanceof TypeError);
      assert.match(
        e.message,
        /^options\.clock\.now\("(realtime|monotonic)"\) returned the number 5: it must return nanoseconds as a bigint/,
      );
      return true;
    });
  });

  test("missing imports are a LinkError listing them by module, capped, before the engine's own", async () => {
    const funcs = Array.from({ length: 30 }, (_, i) => `(import "env" "f${i}" (func))`).join("\n");
    const bytes = await wat(`(module ${funcs}
      (import "wasi_snapshot_preview1" "sock_open" (func))
      (import "other" "mem" (memory 1))
      (memory (export "memory") 1))`);
    const wasi = new Wasi({});
    await assert.rejects(wasi.instantiate(bytes), (e: Error) => {
      assert.ok(e instanceof WebAssembly.LinkError, e.name);
      assert.match(
        e.message,
        /^instantiate\(\): missing imports \(32\): env: f0, f1, f2, f3, f4, f5, f6, f7 and 22 more; wasi_snapshot_preview1: sock_open; other: mem \(memory\)\. Pass the module's own imports/,
      );
      return true;
    });
    const one = await wat(`(module (import "env" "host_add" (func)) (memory (export "memory") 1))`);
    await assert.rejects(wasi.instantiate(one), /missing import \(1\): env: host_add\./);
  });
});

describe("node:wasi parity", () => {
  /** A command that imports its memory as env.memory and writes "imported\n" to fd 1. */
  const importing = () =>
    wat(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
      (import "env" "memory" (memory 1))
      (data (i32.const 16) "imported\\n")
      (func (export "_start")
        (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 9))
        (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);

  test("a module that imports its memory runs: found among the imports given to instantiate()", async () => {
    const wasi = new Wasi({ stdout: "capture" });
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { instance } = await wasi.instantiate(await importing(), { env: { memory } });
    assert.equal(wasi.start(instance), 0);
    assert.equal(wasi.stdoutText(), "imported\n");
  });

  test("or given to start(instance, { memory }) by one who instantiated it; without one, an error naming the option", async () => {
    const bytes = await importing();
    const wasi = new Wasi({ stdout: "capture" });
    const memory = new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      ...wasi.getImportObject(),
      env: { memory },
    } as unknown as WebAssembly.Imports);
    const other = new Wasi({ stdout: "capture" });
    assert.throws(
      () => other.start(instance),
      /start\(\): the module exports no memory named "memory" and imports none: pass the one it uses as start\(instance, \{ memory \}\)/,
    );
    assert.equal(wasi.start(instance, { memory }), 0);
    assert.equal(wasi.stdoutText(), "imported\n");
  });

  test("host file descriptors as stdio, by number (as node:wasi): read from one file, written to another", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hostcall-fds-"));
    writeFileSync(join(dir, "in.txt"), "from a host fd\n");
    const inFd = openSync(join(dir, "in.txt"), "r"), outFd = openSync(join(dir, "out.txt"), "w");
    try {
      const wasi = new Wasi({ args: ["stdin_echo"], stdin: inFd, stdout: outFd, stderr: "capture" });
      const { instance } = await wasi.instantiate(guest("stdin_echo") as Uint8Array<ArrayBuffer>);
      assert.equal(wasi.start(instance), 0);
      assert.equal(wasi.stderrText(), "n=15\n");
      assert.equal(readFileSync(join(dir, "out.txt"), "utf8"), "from a host fd\n");
    } finally {
      closeSync(inFd);
      closeSync(outFd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("captured output stops at captureLimit: a short write, then ENOSPC", async () => {
    const wasi = new Wasi({ args: ["big_write", "5000"], stdout: "capture", stderr: "capture", captureLimit: 1000 });
    const { instance } = await wasi.instantiate(guest("big_write") as Uint8Array<ArrayBuffer>);
    assert.equal(wasi.start(instance), 1);
    assert.equal(wasi.stdoutBytes().length, 1000);
    assert.equal(wasi.stderrText(), "short write: 1000 of 5000\n");
    const dflt = new Wasi({ args: ["big_write"], stdout: "capture", stderr: "capture" }); // 1 MiB: under the 64 MiB default
    const r = await dflt.instantiate(guest("big_write") as Uint8Array<ArrayBuffer>);
    assert.equal(dflt.start(r.instance), 0);
  });

  test("exitStatus keeps failure: 0-255 as they are, above 255 is 255 (256 would read as success)", () => {
    assert.deepEqual([0, 1, 255, 256, 257, 4096, 0xffffffff].map(exitStatus), [0, 1, 255, 255, 255, 255, 255]);
  });
});
