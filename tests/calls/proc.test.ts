// proc_exit (through start()), proc_raise, sched_yield, WasiExit.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Errno, Wasi, WasiExit } from "../../mod.ts";
import { setup, wat } from "../helpers.ts";

/** A command whose _start writes "hi\n" to stdout, then calls proc_exit(code), then traps if it returns. */
function exitModule(code: number): Promise<Uint8Array<ArrayBuffer>> {
  return wat(`(module
    (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "hi\\n")
    (data (i32.const 0) "\\10\\00\\00\\00\\03\\00\\00\\00")
    (func (export "_start")
      (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (call $exit (i32.const ${code | 0}))
      unreachable))`);
}

describe("proc_exit", () => {
  for (const code of [0, 1, 255, 256, 2 ** 32 - 1]) {
    test(`start() returns ${code} after proc_exit(${code}), without running the code after it`, async () => {
      const wasi = new Wasi({ stdout: "capture" });
      const { instance } = await wasi.instantiate(await exitModule(code));
      assert.equal(wasi.start(instance), code);
      assert.equal(wasi.stdoutText(), "hi\n");
    });
  }

  test("called directly, it throws a WasiExit carrying the code", async () => {
    const env = await setup();
    assert.throws(() => env.p1.proc_exit(3), (e: unknown) => e instanceof WasiExit && e.code === 3);
    assert.throws(() => env.p1.proc_exit(-1), (e: unknown) => e instanceof WasiExit && e.code === 0xffffffff);
    assert.throws(() => env.p0.proc_exit(7), (e: unknown) => e instanceof WasiExit && e.code === 7);
  });

  test("WasiExit is an Error named WasiExit with a readable message", () => {
    const e = new WasiExit(42);
    assert.ok(e instanceof Error);
    assert.equal(e.name, "WasiExit");
    assert.equal(e.code, 42);
    assert.match(e.message, /42/);
  });

  test("a reactor export calling proc_exit throws WasiExit to its caller", async () => {
    const wasi = new Wasi();
    const { instance } = await wasi.instantiate(
      await wat(`(module
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1)
        (func (export "quit") (call $exit (i32.const 9))))`),
    );
    wasi.initialize(instance);
    const quit = instance.exports.quit as () => void;
    assert.throws(() => quit(), (e: unknown) => e instanceof WasiExit && e.code === 9);
  });
});

describe("proc_raise", () => {
  test("every signal (0..30) -> NOSYS", async () => {
    const env = await setup();
    for (let sig = 0; sig <= 30; sig++) assert.equal(env.p1.proc_raise(sig), Errno.NOSYS, `signal ${sig}`);
  });
});

describe("sched_yield", () => {
  test("succeeds at once", async () => {
    const env = await setup();
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) assert.equal(env.p1.sched_yield(), Errno.SUCCESS);
    assert.ok(performance.now() - t0 < 1000);
  });
});
