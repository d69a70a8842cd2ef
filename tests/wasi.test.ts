// The public API: option checking, defaults, instantiate() from every source, start()/initialize(),
// traps, captured output.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Errno, Wasi, type WasiOptions } from "../mod.ts";
import { memoryModule, setup, u32, wat } from "./helpers.ts";

/** A command that writes `text` to fd 1 with one fd_write, then returns (or traps, with `trap`). */
function printer(text: string, trap = false): Promise<Uint8Array<ArrayBuffer>> {
  const n = new TextEncoder().encode(text).length;
  return wat(`(module
    (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 64) "${text.replaceAll("\n", "\\n")}")
    (func (export "_start")
      (i32.store (i32.const 0) (i32.const 64))
      (i32.store (i32.const 4) (i32.const ${n}))
      (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      ${trap ? "unreachable" : ""}))`);
}

const wasmType = { headers: { "content-type": "application/wasm" } };

describe("new Wasi(options): a bad option is a TypeError naming it", () => {
  const cases: [string, unknown, RegExp][] = [
    ["args not an array", { args: "app -v" }, /options\.args/],
    ["args with a non-string", { args: ["a", 1] }, /options\.args/],
    ["an arg with NUL", { args: ["a\0b"] }, /options\.args/],
    ["env not an object", { env: "K=v" }, /options\.env/],
    ["env an array", { env: ["K=v"] }, /options\.env/],
    ["an env value not a string", { env: { K: 1 } }, /options\.env.*"K"/],
    ["an env key with =", { env: { "A=B": "v" } }, /options\.env.*"A=B"/],
    ["an empty env key", { env: { "": "v" } }, /options\.env/],
    ["an env value with NUL", { env: { K: "a\0" } }, /options\.env.*"K"/],
    ["preopens not an object", { preopens: ["/tmp"] }, /options\.preopens/],
    ["a preopen that is neither a path nor a FileSystem", { preopens: { "/d": 42 } }, /options\.preopens\["\/d"\]/],
    ["a preopen object without open()", { preopens: { "/d": {} } }, /options\.preopens\["\/d"\]/],
    ["stdin a negative fd", { stdin: -1 }, /options\.stdin: a host file descriptor must be an integer from 0, got -1/],
    ["stdin an object", { stdin: {} }, /options\.stdin/],
    ["stdout an unknown mode", { stdout: "pipe" }, /options\.stdout/],
    ["stdout a fractional fd", { stdout: 1.5 }, /options\.stdout: a host file descriptor/],
    [
      "a misspelt option",
      { stdOut: "capture" },
      /options\.stdOut is not an option of new Wasi\(\) \(did you mean stdout\?\)/,
    ],
    ["an unknown option", { cwd: "/" }, /options\.cwd is not an option of new Wasi\(\); the options are args, env/],
    ["captureLimit negative", { captureLimit: -1 }, /options\.captureLimit/],
    ["stderr an unknown mode", { stderr: "inherit2" }, /options\.stderr/],
    ["clock without now()", { clock: { resolution: () => 1n } }, /options\.clock/],
    ["clock null", { clock: null }, /options\.clock/],
    ["random not a function", { random: new Uint8Array(4) }, /options\.random/],
    ["maxFds not an integer", { maxFds: 10.5 }, /options\.maxFds/],
    ["maxFds above 65536", { maxFds: 65537 }, /options\.maxFds/],
    ["maxFds below stdio and the preopens", { maxFds: 4, preopens: { "/a": "/tmp", "/b": "/tmp" } }, /options\.maxFds/],
  ];
  for (const [label, options, message] of cases) {
    test(label, () => {
      assert.throws(
        () => new Wasi(options as WasiOptions),
        (e: unknown) => e instanceof TypeError && message.test(e.message),
      );
    });
  }

  test("options that are not an object", () => {
    assert.throws(() => new Wasi(null as unknown as WasiOptions), TypeError);
    assert.throws(() => new Wasi("x" as unknown as WasiOptions), TypeError);
  });

  test("every documented option form is accepted", () => {
    new Wasi();
    new Wasi({});
    for (const stdin of ["inherit", "null", "text", new Uint8Array(1), () => 0] as const) new Wasi({ stdin });
    for (const out of ["inherit", "null", "capture", () => {}] as const) new Wasi({ stdout: out, stderr: out });
    new Wasi({ clock: { now: () => 0n }, random: () => {}, preopens: { "/": "." }, args: [], env: {} });
  });
});

describe("maxFds", () => {
  test("the guest holds at most maxFds descriptors (default 1024), then path_open is EMFILE; a close frees one", async () => {
    for (const [maxFds, expect] of [[undefined, 1024], [5, 5], [2000, 2000]] as const) {
      const { MemoryFs } = await import("../mod.ts");
      const fs = new MemoryFs();
      fs.files.mkdir("d", { recursive: true });
      const env = await setup({ preopens: { "/m": fs }, maxFds });
      const PATH = 64, FDP = 128;
      env.u8().set(new TextEncoder().encode("d"), PATH);
      const open = () => env.p1.path_open(3, 0, PATH, 1, 0, 1n << 14n, 0n, 0, FDP);
      for (let fd = 4; fd < expect; fd++) assert.equal(open(), Errno.SUCCESS, `open #${fd} of ${expect}`);
      assert.equal(u32(env, FDP), expect - 1);
      assert.equal(open(), Errno.MFILE, `past ${expect}`);
      assert.equal(env.p1.fd_close(4), Errno.SUCCESS);
      assert.equal(open(), Errno.SUCCESS);
      assert.equal(u32(env, FDP), 4);
    }
  });
});

describe("defaults", () => {
  test("the environment is empty, whatever the host's", async () => {
    const env = await setup();
    assert.equal(env.p1.environ_sizes_get(0, 4), Errno.SUCCESS);
    assert.deepEqual([u32(env, 0), u32(env, 4)], [0, 0]);
  });

  test("argv is empty", async () => {
    const env = await setup();
    assert.equal(env.p1.args_sizes_get(0, 4), Errno.SUCCESS);
    assert.deepEqual([u32(env, 0), u32(env, 4)], [0, 0]);
  });

  test("there are no preopens: fd 3 is not open", async () => {
    const env = await setup();
    assert.equal(env.p1.fd_prestat_get(3, 0), Errno.BADF);
    assert.equal(env.p1.fd_fdstat_get(3, 0), Errno.BADF);
  });

  test("getImportObject() returns the same objects every time", () => {
    const wasi = new Wasi();
    assert.equal(wasi.getImportObject(), wasi.getImportObject());
    assert.deepEqual(Object.keys(wasi.getImportObject()).sort(), ["wasi_snapshot_preview1", "wasi_unstable"]);
  });
});

describe("instantiate()", () => {
  function runs(wasi: Wasi, result: { module: WebAssembly.Module; instance: WebAssembly.Instance }): void {
    assert.ok(result.module instanceof WebAssembly.Module);
    assert.ok(result.instance instanceof WebAssembly.Instance);
    assert.equal(wasi.start(result.instance), 0);
    assert.equal(wasi.stdoutText(), "hello\n");
  }

  test("from a Uint8Array", async () => {
    const wasi = new Wasi({ stdout: "capture" });
    runs(wasi, await wasi.instantiate(await printer("hello\n")));
  });

  test("from an ArrayBuffer", async () => {
    const wasi = new Wasi({ stdout: "capture" });
    runs(wasi, await wasi.instantiate((await printer("hello\n")).buffer));
  });

  test("from a WebAssembly.Module, returning that same module", async () => {
    const wasi = new Wasi({ stdout: "capture" });
    const module = new WebAssembly.Module(await printer("hello\n"));
    const result = await wasi.instantiate(module);
    assert.equal(result.module, module);
    runs(wasi, result);
  });

  test("from a Response with content-type application/wasm", async () => {
    const wasi = new Wasi({ stdout: "capture" });
    runs(wasi, await wasi.instantiate(new Response(await printer("hello\n"), wasmType)));
  });

  test("from a Promise of a Response", async () => {
    const wasi = new Wasi({ stdout: "capture" });
    const bytes = await printer("hello\n");
    runs(wasi, await wasi.instantiate(Promise.resolve(new Response(bytes, wasmType))));
  });

  test("from a Response without the wasm content type", async () => {
    const wasi = new Wasi({ stdout: "capture" });
    runs(wasi, await wasi.instantiate(new Response(await printer("hello\n"))));
    const wasi2 = new Wasi({ stdout: "capture" });
    const res = new Response(await printer("hello\n"), { headers: { "content-type": "application/octet-stream" } });
    runs(wasi2, await wasi2.instantiate(res));
  });

  test("a Response that is not ok -> TypeError with its status", async () => {
    const wasi = new Wasi();
    await assert.rejects(
      wasi.instantiate(new Response(memoryModule(), { status: 404, statusText: "Not Found" })),
      (e: unknown) => e instanceof TypeError && /404/.test(e.message),
    );
  });

  test("something that is not a wasm source -> TypeError", async () => {
    const wasi = new Wasi();
    await assert.rejects(wasi.instantiate(42 as unknown as Uint8Array), TypeError);
  });

  test("bytes that are not wasm -> WebAssembly.CompileError", async () => {
    const wasi = new Wasi();
    await assert.rejects(wasi.instantiate(new Uint8Array([1, 2, 3, 4])), WebAssembly.CompileError);
  });

  test("extraImports are merged with the WASI imports (a module importing env.f)", async () => {
    const wasi = new Wasi({ stdout: "capture" });
    const seen: number[] = [];
    const bytes = await wat(`(module
      (import "env" "f" (func $f (param i32)))
      (import "wasi_snapshot_preview1" "sched_yield" (func $y (result i32)))
      (memory (export "memory") 1)
      (func (export "_start") (call $f (i32.const 41)) (call $f (i32.add (call $y) (i32.const 42)))))`);
    const { instance } = await wasi.instantiate(bytes, { env: { f: (x: number) => void seen.push(x) } });
    assert.equal(wasi.start(instance), 0);
    assert.deepEqual(seen, [41, 42]);
  });

  test("a module needing a WASI function that does not exist -> LinkError", async () => {
    const wasi = new Wasi();
    const bytes = await wat(`(module (import "wasi_snapshot_preview1" "no_such_call" (func)))`);
    await assert.rejects(wasi.instantiate(bytes), WebAssembly.LinkError);
  });
});

describe("start() and initialize()", () => {
  test("start() returns 0 when _start returns", async () => {
    const wasi = new Wasi({ stdout: "null" });
    const { instance } = await wasi.instantiate(memoryModule(1, true));
    assert.equal(wasi.start(instance), 0);
  });

  test("start() twice throws, and so does start() on a second instance", async () => {
    const wasi = new Wasi({ stdout: "capture" });
    const { instance } = await wasi.instantiate(await printer("once\n"));
    assert.equal(wasi.start(instance), 0);
    assert.throws(() => wasi.start(instance), /already started/);
    const { instance: other } = await wasi.instantiate(await printer("twice\n"));
    assert.throws(() => wasi.start(other), /already started/);
    assert.equal(wasi.stdoutText(), "once\n");
  });

  test("start() on a module without _start -> TypeError, and the Wasi can still initialize it", async () => {
    const wasi = new Wasi();
    const { instance } = await wasi.instantiate(memoryModule());
    assert.throws(() => wasi.start(instance), (e: unknown) => e instanceof TypeError && /_start/.test(e.message));
    wasi.initialize(instance);
  });

  test("start() on a module without a memory export -> TypeError", async () => {
    const wasi = new Wasi();
    const { instance } = await wasi.instantiate(await wat(`(module (func (export "_start")))`));
    assert.throws(() => wasi.start(instance), (e: unknown) => e instanceof TypeError && /memory/.test(e.message));
  });

  test("initialize() on a module with _start -> TypeError", async () => {
    const wasi = new Wasi();
    const { instance } = await wasi.instantiate(memoryModule(1, true));
    assert.throws(() => wasi.initialize(instance), (e: unknown) => e instanceof TypeError && /_start/.test(e.message));
  });

  test("initialize() runs _initialize once, and a second initialize() throws", async () => {
    const wasi = new Wasi();
    let calls = 0;
    const bytes = await wat(`(module (import "env" "hit" (func $hit)) (memory (export "memory") 1)
      (func (export "_initialize") (call $hit)))`);
    const { instance } = await wasi.instantiate(bytes, { env: { hit: () => void calls++ } });
    wasi.initialize(instance);
    assert.equal(calls, 1);
    assert.throws(() => wasi.initialize(instance), /already started/);
    assert.equal(calls, 1);
  });

  test("a trap propagates as WebAssembly.RuntimeError, and the output before it is kept", async () => {
    const wasi = new Wasi({ stdout: "capture" });
    const { instance } = await wasi.instantiate(await printer("before the trap\n", true));
    assert.throws(() => wasi.start(instance), WebAssembly.RuntimeError);
    assert.equal(wasi.stdoutText(), "before the trap\n");
  });

  test("an error thrown by an extra import propagates as itself", async () => {
    const wasi = new Wasi();
    const boom = new RangeError("boom");
    const bytes = await wat(`(module (import "env" "f" (func $f)) (memory (export "memory") 1)
      (func (export "_start") (call $f)))`);
    const { instance } = await wasi.instantiate(bytes, {
      env: {
        f: () => {
          throw boom;
        },
      },
    });
    assert.throws(() => wasi.start(instance), (e: unknown) => e === boom);
  });
});

describe("captured and forwarded output", () => {
  test("stdoutText()/stdoutBytes()/stderrText() without capture -> TypeError naming the option", () => {
    const wasi = new Wasi({ stdout: "null", stderr: "null" });
    assert.throws(() => wasi.stdoutText(), (e: unknown) => e instanceof TypeError && /stdout/.test(e.message));
    assert.throws(() => wasi.stdoutBytes(), TypeError);
    assert.throws(() => wasi.stderrText(), (e: unknown) => e instanceof TypeError && /stderr/.test(e.message));
    assert.throws(() => new Wasi({ stdout: () => {} }).stdoutText(), TypeError);
  });

  test("stdoutBytes() returns a copy: changing it changes nothing", async () => {
    const wasi = new Wasi({ stdout: "capture" });
    const { instance } = await wasi.instantiate(await printer("abc"));
    wasi.start(instance);
    const b = wasi.stdoutBytes();
    b[0] = 0x7a;
    assert.equal(wasi.stdoutText(), "abc");
  });

  test("stdout as a function receives a copy of each write, once per fd_write", async () => {
    const got: Uint8Array[] = [];
    const env = await setup({ stdout: (bytes: Uint8Array) => void got.push(bytes) });
    const mem = env.u8();
    mem.set(new TextEncoder().encode("one"), 0x200);
    mem.set(new TextEncoder().encode("two!"), 0x300);
    const iov = new DataView(env.memory.buffer);
    iov.setUint32(0x100, 0x200, true);
    iov.setUint32(0x104, 3, true);
    iov.setUint32(0x108, 0x300, true);
    iov.setUint32(0x10c, 4, true);
    assert.equal(env.p1.fd_write(1, 0x100, 2, 0x80), Errno.SUCCESS);
    assert.equal(env.p1.fd_write(1, 0x108, 1, 0x80), Errno.SUCCESS);
    assert.equal(got.length, 2);
    assert.deepEqual(got.map((b) => new TextDecoder().decode(b)), ["onetwo!", "two!"]);
    for (const b of got) assert.notEqual(b.buffer, env.memory.buffer, "a copy, not a view of guest memory");
    mem.fill(0, 0x200, 0x400);
    assert.deepEqual(got.map((b) => new TextDecoder().decode(b)), ["onetwo!", "two!"]);
  });

  test("stderr as a function is separate from stdout", async () => {
    const out: string[] = [], err: string[] = [];
    const wasi = new Wasi({
      stdout: (b: Uint8Array) => void out.push(new TextDecoder().decode(b)),
      stderr: (b: Uint8Array) => void err.push(new TextDecoder().decode(b)),
    });
    const { instance } = await wasi.instantiate(await printer("to stdout\n"));
    assert.equal(wasi.start(instance), 0);
    assert.deepEqual(out, ["to stdout\n"]);
    assert.deepEqual(err, []);
  });
});
