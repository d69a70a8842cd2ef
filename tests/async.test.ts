// Async mode (JSPI): waiting calls suspend the guest, not the event loop; streams, cancellation, the safety rules.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { Wasi, WasiAsyncError, type WasiOptions } from "../mod.ts";
import { guest } from "./guest_runner.ts";

const ioModule = new WebAssembly.Module(guest("async_io") as Uint8Array<ArrayBuffer>);
const reactorModule = new WebAssembly.Module(guest("async_reactor") as Uint8Array<ArrayBuffer>);
const enc = new TextEncoder();
const dec = new TextDecoder();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs async_io with `args` in async mode; stdout/stderr captured unless `opts` says otherwise. */
async function runIo(args: string[], opts: WasiOptions = {}) {
  const wasi = new Wasi({
    async: true,
    args: ["async_io", ...args],
    stdin: "null",
    stdout: "capture",
    stderr: "capture",
    ...opts,
  });
  const { instance } = await wasi.instantiate(ioModule);
  const code = await wasi.startAsync(instance);
  const out = opts.stdout === undefined ? wasi.stdoutText() : "";
  const err = opts.stderr === undefined ? wasi.stderrText() : "";
  return { code, out, err };
}

/** A reactor Wasi, initialized; `cb` is the guest's env.cb import. */
async function reactor(opts: WasiOptions = {}, cb: (ms: number) => number = () => 0) {
  const wasi = new Wasi({ async: true, stdout: "capture", ...opts });
  const { instance } = await wasi.instantiate(reactorModule, { env: { cb } });
  await wasi.initializeAsync(instance);
  return { wasi, instance };
}

/** A WritableStream that records what it receives (with when) and whether it was closed or aborted. */
function recorder() {
  const chunks: { at: number; text: string }[] = [];
  const events: string[] = [];
  const t0 = performance.now();
  const stream = new WritableStream<Uint8Array>({
    write(chunk) {
      chunks.push({ at: performance.now() - t0, text: dec.decode(chunk) });
    },
    close() {
      events.push("close");
    },
    abort(reason) {
      events.push(`abort:${(reason as Error)?.message ?? reason}`);
    },
  });
  return { stream, chunks, events, text: () => chunks.map((c) => c.text).join("") };
}

describe("async mode: construction", () => {
  test("options.async must be a boolean", () => {
    assert.throws(() => new Wasi({ async: "yes" as unknown as boolean }), /options\.async must be a boolean/);
  });

  test("a stream stdin, a WritableStream stdout and a signal need async: true", () => {
    assert.throws(
      () => new Wasi({ stdin: new ReadableStream() }),
      /options\.stdin: a stream or async iterable needs async: true/,
    );
    assert.throws(
      () => new Wasi({ stdout: new WritableStream() }),
      /options\.stdout: a WritableStream needs async: true/,
    );
    assert.throws(
      () => new Wasi({ stderr: new WritableStream() }),
      /options\.stderr: a WritableStream needs async: true/,
    );
    assert.throws(() => new Wasi({ signal: new AbortController().signal }), /options\.signal needs async: true/);
  });

  test("a locked stream is refused, and one WritableStream cannot be both stdout and stderr", () => {
    const rs = new ReadableStream();
    rs.getReader();
    assert.throws(() => new Wasi({ async: true, stdin: rs }), /the ReadableStream is locked/);
    const ws = new WritableStream();
    ws.getWriter();
    assert.throws(() => new Wasi({ async: true, stdout: ws }), /the WritableStream is locked/);
    const both = new WritableStream();
    assert.throws(() => new Wasi({ async: true, stdout: both, stderr: both }), /cannot be the same WritableStream/);
  });

  test("without JSPI, async: true throws at construction naming what is missing", () => {
    const wa = WebAssembly as unknown as Record<string, unknown>;
    const saved = wa.Suspending;
    try {
      delete wa.Suspending;
      assert.throws(
        () => new Wasi({ async: true }),
        /options\.async: this runtime has no JSPI \(WebAssembly\.Suspending missing\)/,
      );
      assert.doesNotThrow(() => new Wasi({})); // sync mode never needs it
    } finally {
      wa.Suspending = saved;
    }
  });

  test("only the calls that can wait are Suspending; the rest are plain functions", () => {
    // A Suspending import is an object on V8 and a native function on Bun; ours are JS closures.
    const isSuspending = (x: unknown) =>
      typeof x === "object" || /\[native code\]/.test(Function.prototype.toString.call(x));
    const plain = new Wasi({ async: true }).getImportObject().wasi_snapshot_preview1;
    for (const name of ["poll_oneoff", "sched_yield"]) assert.ok(isSuspending(plain[name]), name);
    for (const name of ["clock_time_get", "args_get", "random_get", "fd_read", "fd_write", "path_open", "proc_exit"]) {
      assert.ok(!isSuspending(plain[name]), name);
    }
    const streams = new Wasi({ async: true, stdin: new ReadableStream(), stdout: new WritableStream() });
    const p1 = streams.getImportObject().wasi_snapshot_preview1, p0 = streams.getImportObject().wasi_unstable;
    for (const t of [p1, p0]) {
      for (const name of ["fd_read", "fd_write", "poll_oneoff"]) assert.ok(isSuspending(t[name]), name);
      assert.ok(!isSuspending(t.fd_pread));
    }
  });

  test("start() and initialize() refuse an async Wasi; startAsync() refuses a sync one", async () => {
    const a = new Wasi({ async: true });
    const { instance } = await a.instantiate(ioModule);
    assert.throws(() => a.start(instance), /start\(\): this Wasi is async: use await wasi\.startAsync/);
    const r = new Wasi({ async: true });
    const { instance: ri } = await r.instantiate(reactorModule, { env: { cb: () => 0 } });
    assert.throws(() => r.initialize(ri), /initialize\(\): this Wasi is async/);
    const s = new Wasi({});
    const { instance: si } = await s.instantiate(ioModule);
    await assert.rejects(s.startAsync(si), /startAsync\(\): needs new Wasi\(\{ async: true \}\)/);
  });
});

describe("async mode: sleeping", () => {
  test("a guest's sleep waits on a timer while the event loop runs, and its clocks agree with real time", async () => {
    const wasi = new Wasi({ async: true, args: ["async_io", "sleep", "200"], stdout: "capture", stdin: "null" });
    const { instance } = await wasi.instantiate(ioModule);
    const t0 = performance.now();
    const run = wasi.startAsync(instance); // runs until the guest's sleep suspends it
    let firedAt = Infinity;
    setTimeout(() => firedAt = performance.now(), 10); // a blocking sleep would hold this until the guest is done
    const code = await run;
    const doneAt = performance.now();
    assert.equal(code, 0);
    const m = /monotonic_ms=(\d+) realtime_ms=(\d+)/.exec(wasi.stdoutText());
    assert.ok(m, wasi.stdoutText());
    assert.ok(Number(m[1]) >= 200 && Number(m[2]) >= 199, wasi.stdoutText());
    assert.ok(doneAt - t0 >= 200, `${doneAt - t0} ms`);
    assert.ok(
      firedAt < doneAt - 50,
      `a timer set during the sleep fired ${doneAt - firedAt} ms before the guest ended`,
    );
  });

  test("50 guests sleeping 100 ms at once finish together, not one after another", async () => {
    const wasis = await Promise.all(Array.from({ length: 50 }, async () => {
      const wasi = new Wasi({ async: true, args: ["async_io", "sleep", "100"], stdout: "capture", stdin: "null" });
      return { wasi, instance: (await wasi.instantiate(ioModule)).instance };
    }));
    const t0 = performance.now();
    const codes = await Promise.all(wasis.map(({ wasi, instance }) => wasi.startAsync(instance)));
    const wall = performance.now() - t0;
    assert.deepEqual(new Set(codes), new Set([0]));
    for (const { wasi } of wasis) assert.match(wasi.stdoutText(), /monotonic_ms=1\d\d /);
    assert.ok(wall < 2000, `50 sleeps of 100 ms took ${wall} ms in all (one after another: 5000)`);
  });

  test("sched_yield lets timers run between the guest's yields", async () => {
    let fired = false;
    setTimeout(() => fired = true, 0);
    const { out } = await runIo(["yield", "20"]);
    assert.equal(out, "yielded 20\n");
    assert.ok(fired, "a timer set before the guest ran fired while it yielded");
  });

  test("an injected clock with an async sleep is awaited: virtual time, no real wait", async () => {
    let t = 0n;
    const clock = { now: () => t, sleep: (ns: bigint) => Promise.resolve(void (t += ns)) };
    const t0 = performance.now();
    const { out } = await runIo(["sleep", "5000"], { clock });
    assert.equal(out, "monotonic_ms=5000 realtime_ms=5000\n");
    assert.ok(performance.now() - t0 < 2000);
  });
});

describe("async mode: stdin from a stream", () => {
  test("a ReadableStream arriving over time is read as it comes", async () => {
    const parts = ["first line\n", "second ", "line\n", "x".repeat(10000), "\nlast"];
    const stdin = new ReadableStream<Uint8Array>({
      async start(c) {
        for (const p of parts) {
          c.enqueue(enc.encode(p));
          await sleep(5);
        }
        c.close();
      },
    });
    const { code, out, err } = await runIo(["echo"], { stdin });
    assert.equal(code, 0);
    assert.equal(out, parts.join(""));
    assert.equal(err, `n=${parts.join("").length}\n`);
  });

  test("an async generator and a node:stream Readable are async iterables: read the same way", async () => {
    async function* gen() {
      yield enc.encode("from ");
      await sleep(1);
      yield "a generator\n"; // text chunks are UTF-8 encoded
    }
    assert.equal((await runIo(["echo"], { stdin: gen() as AsyncIterable<Uint8Array> })).out, "from a generator\n");
    const r = Readable.from([enc.encode("node "), enc.encode("stream\n")]);
    assert.equal((await runIo(["echo"], { stdin: r })).out, "node stream\n");
  });

  test("a stream that fails is EIO to the guest, and the host stays up", async () => {
    const stdin = new ReadableStream<Uint8Array>({
      async pull(c) {
        await sleep(1);
        c.error(new Error("network gone"));
      },
      start(c) {
        c.enqueue(enc.encode("some\n"));
      },
    });
    const { code, out, err } = await runIo(["echo"], { stdin });
    assert.equal(code, 1);
    assert.equal(out, "some\n");
    assert.match(err, /^read: I\/O error/);
  });

  test("a chunk that is not bytes is EIO", async () => {
    const stdin = new ReadableStream({ start: (c) => (c.enqueue(42), c.close()) });
    const { code, err } = await runIo(["echo"], { stdin: stdin as ReadableStream<Uint8Array> });
    assert.equal(code, 1);
    assert.match(err, /I\/O error/);
  });

  test("poll() on a stream stdin waits for data, times out without it, and the unread rest is cancelled", async () => {
    const late = new ReadableStream<Uint8Array>({
      async pull(c) { // asked for data when the guest polls: it comes 40 ms later
        await sleep(40);
        c.enqueue(enc.encode("late\n"));
        c.close();
      },
    }, { highWaterMark: 0 });
    const a = await runIo(["poll", "5000"], { stdin: late });
    assert.match(a.out, /^poll=1 revents=IN after_ms=(\d+)\nread=5\n$/);
    assert.ok(Number(/after_ms=(\d+)/.exec(a.out)![1]) >= 35, a.out);
    let cancelled: unknown = null;
    const never = new ReadableStream<Uint8Array>({ cancel: (reason) => void (cancelled = reason ?? "cancelled") });
    const b = await runIo(["poll", "30"], { stdin: never });
    assert.match(b.out, /^poll=0 revents= after_ms=(\d+)\n$/);
    assert.ok(Number(/after_ms=(\d+)/.exec(b.out)![1]) >= 29, b.out);
    assert.notEqual(cancelled, null, "the stream the guest left was cancelled when it exited");
  });
});

describe("async mode: stdout into a stream", () => {
  test("writes reach the consumer as they happen, before the guest exits; the stream closes at exit", async () => {
    const rec = recorder();
    const t0 = performance.now();
    const { code } = await runIo(["chunks", "5", "30"], { stdout: rec.stream });
    const exitAt = performance.now() - t0;
    assert.equal(code, 0);
    assert.equal(rec.text(), "chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n");
    assert.ok(rec.chunks[0].at < exitAt - 100, `first chunk at ${rec.chunks[0].at} ms, exit at ${exitAt} ms`);
    assert.deepEqual(rec.events, ["close"]);
  });

  test("a slow consumer paces the guest (backpressure): each write waits for room, nothing piles up", async () => {
    const got: string[] = [];
    const stdout = new WritableStream<Uint8Array>({
      async write(chunk) {
        got.push(dec.decode(chunk));
        await sleep(15);
      },
    }, new CountQueuingStrategy({ highWaterMark: 1 }));
    const { code, err } = await runIo(["blocks", "8"], { stdout }); // 64 KiB writes: each one chunk
    assert.equal(code, 0);
    assert.deepEqual(got.map((c) => [c.length, c[0]]), [..."abcdefgh"].map((ch) => [65536, ch]));
    // When each write returned (ms into the run): with room for one chunk ahead of a 15 ms consumer, write i cannot
    // return before the consumer took chunk i - 2; without backpressure all 8 would return at once.
    const at = err.trim().split(" ").map(Number);
    assert.equal(at.length, 8);
    for (let i = 2; i < 8; i++) assert.ok(at[i] >= (i - 1) * 15 - 2, `write ${i} returned at ${at[i]} ms: ${err}`);
  });

  test("a gather write over 1 MiB that meets a full stream is short, and what went out is never sent twice", async () => {
    const got: Uint8Array[] = [];
    const stdout = new WritableStream<Uint8Array>({
      async write(chunk) {
        got.push(chunk);
        await sleep(5);
      },
    }, new CountQueuingStrategy({ highWaterMark: 1 }));
    const { wasi } = await reactor({ stdout });
    const n = await wasi.callAsync("writev_big") as number;
    await wasi.close();
    assert.equal(n, 0xc0000, "the first iovec went out; the second waited, so the write is short");
    assert.deepEqual(got.map((c) => [c.length, c[0], c[c.length - 1]]), [[0xc0000, 97, 97]]);
  });

  test("small writes between two waits reach the stream as one chunk; each wait sends what came before it", async () => {
    const together = recorder();
    assert.equal((await runIo(["chunks", "5", "0"], { stdout: together.stream })).code, 0);
    assert.deepEqual(together.chunks.map((c) => c.text), ["chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n"]);
    const apart = recorder();
    assert.equal((await runIo(["chunks", "3", "5"], { stdout: apart.stream })).code, 0);
    assert.deepEqual(apart.chunks.map((c) => c.text), ["chunk 0\n", "chunk 1\n", "chunk 2\n"]);
  });

  test("when the consumer goes away, the next write is EPIPE and the guest ends", async () => {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const reader = readable.getReader();
    const done = runIo(["flood"], { stdout: writable });
    await reader.read(); // one chunk, then the client disconnects
    await reader.cancel(new Error("client went away"));
    const { code, err } = await done;
    assert.equal(code, 3);
    assert.match(err, /^write failed after \d+ KiB: EPIPE\n$/);
  });

  test("an async function stdout is awaited before the next write", async () => {
    const seen: string[] = [];
    let busy = false, overlapped = false;
    const stdout = async (b: Uint8Array) => {
      if (busy) overlapped = true;
      busy = true;
      await sleep(5);
      seen.push(dec.decode(b));
      busy = false;
    };
    const { code } = await runIo(["chunks", "4", "0"], { stdout });
    assert.equal(code, 0);
    assert.equal(seen.join(""), "chunk 0\nchunk 1\nchunk 2\nchunk 3\n");
    assert.equal(overlapped, false);
  });

  test("a trap aborts a stream stdout with the error (what was written before it arrives)", async () => {
    const rec = recorder();
    const { wasi } = await reactor({ stdout: rec.stream });
    await assert.rejects(wasi.callAsync("trap_after_write"), WebAssembly.RuntimeError);
    assert.equal(rec.text(), "hi\n"); // written before the trap; the stream stays open for a reactor
    await wasi.close();
    assert.deepEqual(rec.events, ["close"]);
    const rec2 = recorder();
    const w2 = new Wasi({ async: true, args: ["x"], stdout: rec2.stream });
    const { instance } = await w2.instantiate(guest("trap") as Uint8Array<ArrayBuffer>);
    await assert.rejects(w2.startAsync(instance), WebAssembly.RuntimeError);
    assert.equal(rec2.text(), "before\n");
    assert.equal(rec2.events.length, 1);
    assert.match(rec2.events[0], /^abort:/);
  });
});

describe("async mode: cancellation", () => {
  test("an AbortSignal stops a sleeping guest: startAsync rejects with the reason, streams end", async () => {
    const ac = new AbortController();
    const rec = recorder();
    let cancelled = false;
    const stdin = new ReadableStream<Uint8Array>({ cancel: () => void (cancelled = true) });
    const t0 = performance.now();
    setTimeout(() => ac.abort(new Error("enough")), 60);
    await assert.rejects(runIo(["forever"], { signal: ac.signal, stdout: rec.stream, stdin }), /^Error: enough$/);
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(rec.text(), "tick\n");
    assert.deepEqual(rec.events, ["abort:enough"]);
    assert.ok(cancelled, "the stdin stream was cancelled");
  });

  test("a signal shared by many runs (a server's) keeps no listener of a finished run, and aborting it later is no error", async () => {
    const ac = new AbortController();
    let added = 0, removed = 0;
    const add = ac.signal.addEventListener.bind(ac.signal), remove = ac.signal.removeEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((...a: Parameters<typeof add>) => (added++, add(...a))) as typeof add;
    ac.signal.removeEventListener = ((...a: Parameters<typeof remove>) => (removed++, remove(...a))) as typeof remove;
    for (let i = 0; i < 5; i++) assert.equal((await runIo(["sleep", "2"], { signal: ac.signal })).code, 0);
    assert.ok(added >= 5, `${added} listeners added`);
    assert.equal(removed, added);
    ac.abort(new Error("later")); // no run is there to reject: nothing may reach the host as unhandled
    await sleep(10);
  });

  test("AbortSignal.timeout works as a deadline", async () => {
    await assert.rejects(
      runIo(["forever"], { signal: AbortSignal.timeout(50) }),
      (e: Error) => e.name === "TimeoutError",
    );
  });

  test("a signal aborted before start rejects at once and the guest never runs", async () => {
    const ac = new AbortController();
    ac.abort(new Error("too late"));
    const rec = recorder();
    await assert.rejects(runIo(["chunks", "1", "0"], { signal: ac.signal, stdout: rec.stream }), /too late/);
    assert.equal(rec.text(), "");
  });

  test("a signal waits in the guest's read of a stream that never ends", async () => {
    const stdin = new ReadableStream<Uint8Array>(); // never yields
    await assert.rejects(
      runIo(["echo"], { stdin, signal: AbortSignal.timeout(40) }),
      (e: Error) => e.name === "TimeoutError",
    );
  });
});

describe("async mode: safety", () => {
  test("a reactor's exports run through callAsync, one at a time: a second entry while one waits is refused", async () => {
    const { wasi } = await reactor();
    assert.equal(await wasi.callAsync("add", 2, 3), 5);
    const first = wasi.callAsync("sleep_ms", 30);
    await assert.rejects(wasi.callAsync("add", 1, 1), (e: Error) => {
      assert.ok(e instanceof WasiAsyncError);
      assert.match(e.message, /already running \(suspended in poll_oneoff\): one call at a time per instance/);
      return true;
    });
    assert.equal(await first, 0);
    assert.equal(await wasi.callAsync("add", 1, 1), 2); // and the guest is intact
  });

  test("callAsync before initializeAsync, or of a missing export, is a TypeError", async () => {
    const wasi = new Wasi({ async: true });
    await assert.rejects(wasi.callAsync("add", 1, 2), /initializeAsync\(instance\) first/);
    const { wasi: w2 } = await reactor();
    await assert.rejects(w2.callAsync("nope"), /exports no function nope/);
  });

  test("a waiting call reached through a JS import is refused with our error on every runtime, before it runs", async () => {
    const self: { instance?: WebAssembly.Instance } = {};
    const cb = (ms: number) => (self.instance!.exports.sleep_ms as (n: number) => number)(ms);
    const { wasi, instance } = await reactor({}, cb);
    self.instance = instance;
    await assert.rejects(wasi.callAsync("via_js", 10), (e: Error) => {
      assert.ok(e instanceof WasiAsyncError, `${e.name}: ${e.message}`);
      assert.match(e.message, /through a JS import/);
      return true;
    });
  });

  test("a waiting export called directly (not through callAsync) throws, and the guest stays usable", async () => {
    const { wasi, instance } = await reactor();
    assert.throws(
      () => (instance.exports.sleep_ms as (n: number) => number)(1),
      (e: Error) => e.name === "SuspendError",
    );
    assert.equal(await wasi.callAsync("sleep_ms", 1), 0);
  });

  test("past Wasi.asyncLimit a new guest is refused with a catchable error, and the limit is restored", async () => {
    const saved = Wasi.asyncLimit;
    assert.throws(() => (Wasi.asyncLimit = 0), /positive integer/);
    Wasi.asyncLimit = 2;
    try {
      const running = [runIo(["sleep", "50"]), runIo(["sleep", "50"])];
      await sleep(5);
      await assert.rejects(runIo(["sleep", "1"]), (e: Error) => {
        assert.ok(e instanceof WasiAsyncError);
        assert.match(e.message, /2 guests are running in async mode, the most allowed \(Wasi\.asyncLimit\)/);
        return true;
      });
      for (const r of await Promise.all(running)) assert.equal(r.code, 0);
      assert.equal((await runIo(["sleep", "1"])).code, 0); // room again
    } finally {
      Wasi.asyncLimit = saved;
    }
    assert.equal(Wasi.asyncLimit, 10_000);
  });

  test("memory grown while a guest waits: the next calls see the new buffer", async () => {
    const { wasi, instance } = await reactor();
    const memory = instance.exports.memory as WebAssembly.Memory;
    const p = wasi.callAsync("sleep_ms", 20);
    memory.grow(1); // detaches every view taken before
    assert.equal(await p, 0);
    assert.equal(await wasi.callAsync("write_hi"), 0);
    assert.equal(wasi.stdoutText(), "hi\n");
  });

  test("a traced waiting call prints one line, with its final answer, however often it waited", async () => {
    const lines: string[] = [];
    const { wasi } = await reactor({ trace: (l) => lines.push(l) });
    assert.equal(await wasi.callAsync("sleep_ms", 15), 0);
    const polls = lines.filter((l) => l.startsWith("poll_oneoff("));
    assert.equal(polls.length, 1, lines.join("\n"));
    assert.match(polls[0], /= SUCCESS/);
  });
});
