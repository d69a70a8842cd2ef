// Guest programs (tests/guests/*.wasm, examples/wc.wasm) run in-process through the public Wasi API.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Wasi, type WasiClock } from "../mod.ts";
import { guest, run, wasmBytes } from "./guest_runner.ts";

const GUEST_DATA = fileURLToPath(new URL("./guests/data", import.meta.url));

/** Index of the first byte where `a` and `b` differ (a length mismatch counts), or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** The `key=<integer>` value on the line that starts with `prefix`. */
function field(out: string, prefix: string, key: string): number {
  const line = out.split("\n").find((l) => l.startsWith(prefix));
  assert.ok(line !== undefined, `no line starting with ${JSON.stringify(prefix)} in:\n${out}`);
  const m = line.match(new RegExp(`(?:^| )${key}=(-?\\d+)`));
  assert.ok(m !== null, `no ${key}= on line ${JSON.stringify(line)}`);
  return Number(m[1]);
}

/** A virtual clock: every clock reads its base plus `t`, and sleeping only advances `t`. */
function virtualClock(realtime = 1_700_000_000_000_000_000n): WasiClock & { sleeps: bigint[] } {
  let t = 0n;
  const sleeps: bigint[] = [];
  const base = { realtime, monotonic: 5_000_000_000n, process: 7_000n, thread: 3_000n };
  const res = { realtime: 1_000n, monotonic: 1n, process: 100n, thread: 10n };
  return {
    sleeps,
    now: (id) => base[id] + t,
    resolution: (id) => res[id],
    sleep: (ns) => {
      sleeps.push(ns);
      t += ns;
    },
  };
}

// --- args and environment ---------------------------------------------------------------

test("args_env sees every argument and environment entry, in order", async () => {
  const r = await run("args_env", {
    args: ["args_env", "a b", "", "ünï ✓"],
    env: { K: "V", EMPTY: "", EQ: "x=y" },
  });
  assert.equal(
    r.stdout,
    [
      "argc=4",
      "argv[0]=args_env",
      "argv[1]=a b",
      "argv[2]=",
      "argv[3]=ünï ✓",
      "env=K=V",
      "env=EMPTY=",
      "env=EQ=x=y",
      "",
    ].join("\n"),
  );
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
});

test("args_env with no arguments and no environment sees argc=0 and an empty environ", async () => {
  const r = await run("args_env", { args: [], env: {} });
  assert.equal(r.stdout, "argc=0\n");
  assert.equal(r.code, 0);
});

// --- exit codes --------------------------------------------------------------------------

test("exit(n) in the guest becomes start()'s return value", async () => {
  for (const n of [0, 1, 42, 255]) {
    const r = await run("exit_code", { args: ["exit_code", String(n)] });
    assert.equal(r.stdout, `exiting with ${n} via exit\n`);
    assert.equal(r.code, n, `exit(${n})`);
  }
});

test("returning n from main becomes start()'s return value", async () => {
  for (const n of [0, 1, 42, 255]) {
    const r = await run("exit_code", { args: ["exit_code", String(n), "return"] });
    assert.equal(r.stdout, `exiting with ${n} via return\n`);
    assert.equal(r.code, n, `return ${n}`);
  }
});

test("proc_exit(7) ends the guest at once: code 7, nothing after it runs", async () => {
  const r = await run("proc_exit");
  assert.equal(r.code, 7);
  assert.equal(r.stdout, "exiting\n"); // "proc_exit returned" would follow if the call came back
});

test("start() cannot run a second time", async () => {
  const wasi = new Wasi({ args: ["exit_code", "3"], stdout: "capture", stdin: "null" });
  const { instance } = await wasi.instantiate(guest("exit_code"));
  assert.equal(wasi.start(instance), 3);
  assert.throws(() => wasi.start(instance));
  assert.equal(wasi.stdoutText(), "exiting with 3 via exit\n");
});

test("a trap in the guest rethrows the RuntimeError and keeps what was written before it", async () => {
  const wasi = new Wasi({ args: ["trap"], stdout: "capture", stderr: "capture", stdin: "null" });
  const { instance } = await wasi.instantiate(guest("trap"));
  assert.throws(() => wasi.start(instance), WebAssembly.RuntimeError);
  assert.equal(wasi.stdoutText(), "before\n");
  assert.equal(wasi.stderrText(), "");
});

// --- stdin -------------------------------------------------------------------------------

test("stdin from a string is read to EOF and echoed unchanged", async () => {
  const text = "héllo\nworld\n" + "x".repeat(2500) + "\nend";
  const r = await run("stdin_echo", { stdin: text });
  assert.equal(r.stdout, text);
  assert.equal(r.stderr, `n=${new TextEncoder().encode(text).length}\n`);
  assert.equal(r.code, 0);
});

test("stdin from a Uint8Array delivers every byte value unchanged", async () => {
  const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7 + 3) & 0xff);
  const r = await run("stdin_echo", { stdin: data });
  assert.equal(firstDifference(r.wasi.stdoutBytes(), data), -1);
  assert.equal(r.stderr, "n=5000\n");
  assert.equal(r.code, 0);
});

test("stdin from a function is read in the chunks it returns until it returns 0", async () => {
  const data = Uint8Array.from({ length: 3001 }, (_, i) => 0x20 + (i % 90));
  let at = 0, calls = 0;
  const source = (buf: Uint8Array): number => {
    calls++;
    const n = Math.min(7, buf.length, data.length - at); // short reads on purpose
    buf.set(data.subarray(at, at + n));
    at += n;
    return n;
  };
  const r = await run("stdin_echo", { stdin: source });
  assert.equal(firstDifference(r.wasi.stdoutBytes(), data), -1);
  assert.equal(r.stderr, "n=3001\n");
  assert.equal(calls, Math.ceil(3001 / 7) + 1); // every chunk, then the 0 that ends the input
  assert.equal(r.code, 0);
});

test('stdin "null" is empty: the guest reads EOF at once', async () => {
  const r = await run("stdin_echo", { stdin: "null" });
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "n=0\n");
  assert.equal(r.code, 0);
});

// --- big writes --------------------------------------------------------------------------

function bigWriteExpected(n: number): Uint8Array {
  const tail = new TextEncoder().encode(`\nwrote=${n}\ntail=${String.fromCharCode(97 + (n - 1) % 26)}\nend\n`);
  const out = new Uint8Array(n + tail.length);
  for (let i = 0; i < n; i++) out[i] = 97 + i % 26;
  out.set(tail, n);
  return out;
}

test("a 1 MiB write() reaches captured stdout byte for byte, followed by the printf's", async () => {
  const r = await run("big_write", { args: ["big_write", "1048576"] });
  const expected = bigWriteExpected(1048576);
  const got = r.wasi.stdoutBytes();
  assert.equal(got.length, expected.length);
  assert.equal(firstDifference(got, expected), -1);
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
});

test("a 1 MiB write() through a stdout function arrives complete and in order", async () => {
  const chunks: Uint8Array[] = [];
  const r = await run("big_write", { args: ["big_write"], stdout: (b) => void chunks.push(b) });
  const got = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    got.set(c, at);
    at += c.length;
  }
  assert.equal(firstDifference(got, bigWriteExpected(1048576)), -1);
  assert.equal(r.code, 0);
});

// --- clocks ------------------------------------------------------------------------------

test("clocks: all four clocks read and resolve, monotonic never goes back, a 50 ms sleep takes >= 50 ms", async () => {
  const before = BigInt(Date.now()) * 1_000_000n;
  const r = await run("clocks", { args: ["clocks", "50"] });
  const after = BigInt(Date.now()) * 1_000_000n;
  assert.equal(r.code, 0, r.stdout);
  // Everything but the numbers is fixed.
  assert.equal(
    r.stdout.replace(/=\d+/g, "=N"),
    [
      "realtime now_ns=N res_ns=N",
      "monotonic now_ns=N res_ns=N",
      "process now_ns=N res_ns=N",
      "thread now_ns=N res_ns=N",
      "monotonic reads=N backwards=N",
      "sleep rc=N requested_ms=N elapsed_ms=N elapsed_ns=N",
      "ok",
      "",
    ].join("\n"),
  );
  const realtime = BigInt(r.stdout.match(/^realtime now_ns=(\d+)/m)![1]);
  assert.ok(realtime >= before - 5_000_000n && realtime <= after + 5_000_000n, `realtime ${realtime}`);
  for (const id of ["realtime", "monotonic", "process", "thread"]) {
    const res = field(r.stdout, `${id} `, "res_ns");
    assert.ok(res > 0 && res <= 1e9, `${id} resolution ${res}`);
  }
  assert.equal(field(r.stdout, "monotonic reads", "backwards"), 0);
  assert.equal(field(r.stdout, "sleep", "rc"), 0);
  const elapsed = field(r.stdout, "sleep", "elapsed_ns");
  assert.ok(elapsed >= 50e6, `slept ${elapsed} ns, asked 50 ms`);
  assert.ok(elapsed < 50e6 + 1000e6, `slept ${elapsed} ns, asked 50 ms`);
});

test("clocks: an injected clock gives exact times, resolutions and a virtual sleep", async () => {
  const clock = virtualClock();
  const r = await run("clocks", { args: ["clocks", "50"], clock });
  assert.equal(
    r.stdout,
    [
      "realtime now_ns=1700000000000000000 res_ns=1000",
      "monotonic now_ns=5000000000 res_ns=1",
      "process now_ns=7000 res_ns=100",
      "thread now_ns=3000 res_ns=10",
      "monotonic reads=10000 backwards=0",
      "sleep rc=0 requested_ms=50 elapsed_ms=50 elapsed_ns=50000000",
      "ok",
      "",
    ].join("\n"),
  );
  assert.deepEqual(clock.sleeps, [50_000_000n]);
  assert.equal(r.code, 0);
});

// --- random ------------------------------------------------------------------------------

test("random_get fills 100000 bytes from an injected source, past the 65536-byte chunk", async () => {
  let counter = 0, requested = 0;
  const random = (buf: Uint8Array): void => {
    requested += buf.length;
    for (let i = 0; i < buf.length; i++) buf[i] = counter++ & 0xff;
  };
  const r = await run("random", { random });
  const hex = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => ((from + i) & 0xff).toString(16).padStart(2, "0")).join("");
  assert.equal(
    r.stdout,
    [
      "big errno=0 distinct=256 head_distinct=256 tail_distinct=256",
      "getentropy rc=0",
      `a=${hex(100000, 32)}`, // a0a1..bf
      "small errno=0",
      `b=${hex(100032, 16)}`, // c0c1..cf
      "a_differs_from_b=yes",
      "",
    ].join("\n"),
  );
  assert.equal(requested, 100000 + 32 + 16);
  assert.equal(r.code, 0);
});

test("random_get from the host's source fills big and small draws with varied bytes", async () => {
  const r = await run("random");
  assert.equal(r.code, 0);
  const lines = r.stdout.split("\n");
  assert.equal(lines[0], "big errno=0 distinct=256 head_distinct=256 tail_distinct=256");
  assert.equal(lines[1], "getentropy rc=0");
  assert.match(lines[2], /^a=[0-9a-f]{64}$/);
  assert.equal(lines[3], "small errno=0");
  assert.match(lines[4], /^b=[0-9a-f]{32}$/);
  assert.equal(lines[5], "a_differs_from_b=yes");
  assert.equal(lines.length, 7);
  assert.notEqual(lines[2], "a=" + "0".repeat(64));
  // Two runs draw different bytes.
  const again = await run("random");
  assert.notEqual(again.stdout.split("\n")[2], lines[2]);
});

// --- reactors ----------------------------------------------------------------------------

test("a reactor: initialize() runs its constructors, then exports can be called repeatedly", async () => {
  const wasi = new Wasi({ args: ["reactor"], stdout: "capture", stdin: "null" });
  const { instance } = await wasi.instantiate(guest("reactor"));
  wasi.initialize(instance);
  const add = instance.exports.add_and_print as (a: number, b: number) => number;
  assert.equal(add(2, 3), 5);
  assert.equal(add(40, 2), 42);
  assert.equal(wasi.stdoutText(), "sum=5 initialized=1 calls=1\nsum=42 initialized=1 calls=2\n");
});

test("start() refuses a reactor", async () => {
  const wasi = new Wasi({ args: ["reactor"], stdout: "capture", stdin: "null" });
  const { instance } = await wasi.instantiate(guest("reactor"));
  assert.throws(() => wasi.start(instance), TypeError);
  assert.equal(wasi.stdoutText(), "");
});

test("initialize() refuses a command and does not run its _start", async () => {
  const wasi = new Wasi({ args: ["args_env"], stdout: "capture", stdin: "null" });
  const { instance } = await wasi.instantiate(guest("args_env"));
  assert.throws(() => wasi.initialize(instance), TypeError);
  assert.equal(wasi.stdoutText(), "");
});

// --- fd calls ----------------------------------------------------------------------------

const GATHERED = Array.from({ length: 16 }, (_, i) => `iov${String(15 - i).padStart(2, "0")} ---------\n`).join("");
const FD_CALLS_STDIO = [
  "gather errno=0 nwritten=256",
  "write_zero_iovs errno=0 nwritten=0",
  "write_bad_fd errno=8", // EBADF
  "write_iovs_out_of_bounds errno=21", // EFAULT
  "write_buf_out_of_bounds errno=21",
  "fdstat_stdout errno=0 filetype=0", // a captured stream is not a terminal: UNKNOWN
  "fdstat_bad_fd errno=8",
  "seek_stdout errno=70", // ESPIPE
  "tell_stdout errno=70",
  "read_stdout errno=8", // stdout is not readable
];

test("fd_calls: gather writes, errnos on stdio and a bad fd, and the /data preopen at fd 3", async () => {
  const r = await run("fd_calls", { preopens: { "/data": GUEST_DATA } });
  assert.equal(
    r.stdout,
    GATHERED + [
      ...FD_CALLS_STDIO,
      "prestat_3 errno=0 type=0 name_len=5",
      "prestat_dir_name_3 errno=0 name=/data",
      "fdstat_3 errno=0 filetype=3", // DIRECTORY
      "prestat_4 errno=8",
      "close_bad_fd errno=8",
      "",
    ].join("\n"),
  );
  assert.equal(r.code, 0);
});

test("fd_calls without preopens: fd_prestat_get(3) is EBADF and writes nothing", async () => {
  const r = await run("fd_calls");
  assert.equal(
    r.stdout,
    GATHERED + [
      ...FD_CALLS_STDIO,
      "prestat_3 errno=8 type=99 name_len=0", // 99 and 0 are the guest's own sentinels
      "prestat_4 errno=8",
      "close_bad_fd errno=8",
      "",
    ].join("\n"),
  );
  assert.equal(r.code, 0);
});

// --- poll_oneoff -------------------------------------------------------------------------

const POLL_SHAPE = [
  "zero_subscriptions errno=28 elapsed_ns=N", // EINVAL
  "relative_10ms_vs_30ms errno=0 nevents=1 [userdata=10 type=0 error=0 nbytes=0] elapsed_ns=N",
  "absolute_realtime_20ms errno=0 nevents=1 [userdata=20 type=0 error=0 nbytes=0] elapsed_ns=N",
  "absolute_past errno=0 nevents=1 [userdata=5 type=0 error=0 nbytes=0] elapsed_ns=N",
  "stdin_read_or_1s errno=0 nevents=1 [userdata=7 type=1 error=0 nbytes=5] elapsed_ns=N",
  "",
].join("\n");

test("poll_oneoff: the earlier of two clocks fires, absolute deadlines work, stdin data is ready at once", async () => {
  const r = await run("poll", { stdin: "hello" });
  assert.equal(r.stdout.replace(/elapsed_ns=\d+/g, "elapsed_ns=N"), POLL_SHAPE);
  const ms = (label: string) => field(r.stdout, label, "elapsed_ns") / 1e6;
  assert.ok(ms("relative_10ms") >= 10, `10 ms timeout after ${ms("relative_10ms")} ms`);
  assert.ok(ms("relative_10ms") < 1000, `10 ms timeout after ${ms("relative_10ms")} ms`);
  // The deadline is on the realtime clock; the guest measures with the monotonic one (2 ms skew allowed).
  assert.ok(ms("absolute_realtime") >= 17, `20 ms deadline after ${ms("absolute_realtime")} ms`);
  assert.ok(ms("absolute_realtime") < 1000, `20 ms deadline after ${ms("absolute_realtime")} ms`);
  assert.ok(ms("absolute_past") < 10, `past deadline waited ${ms("absolute_past")} ms`);
  assert.ok(ms("stdin_read") < 500, `ready stdin waited ${ms("stdin_read")} ms`);
  assert.equal(r.code, 0);
});

test("poll_oneoff with an injected clock sleeps until the earliest deadline and no longer", async () => {
  const clock = virtualClock();
  const r = await run("poll", { stdin: "hello", clock });
  // An absolute realtime deadline (~1.7e18 ns) is past 2^53: allow the host 1 us of rounding, never early.
  const absolute = field(r.stdout, "absolute_realtime", "elapsed_ns");
  assert.ok(absolute >= 20_000_000 && absolute <= 20_001_000, `20 ms deadline slept ${absolute} ns`);
  assert.equal(
    r.stdout.replace(/^(absolute_realtime.*elapsed_ns=)\d+$/m, "$1N"),
    POLL_SHAPE.replace("elapsed_ns=N", "elapsed_ns=0")
      .replace("elapsed_ns=N", "elapsed_ns=10000000")
      .replace("elapsed_ns=N", "elapsed_ns=@")
      .replaceAll("elapsed_ns=N", "elapsed_ns=0")
      .replace("elapsed_ns=@", "elapsed_ns=N"),
  );
  assert.deepEqual(clock.sleeps, [10_000_000n, BigInt(absolute)]);
  assert.equal(r.code, 0);
});

test("poll_oneoff never fires an absolute realtime deadline early, even past 2^53 ns", async () => {
  // poll.c reads realtime after one 10 ms sleep: now = base + 10 ms, ≡ 384 (mod 512). As float64
  // (spacing 256 ns here) now rounds up and now + 20 ms rounds down, so a float delay is 20 ms - 256 ns.
  const clock = virtualClock(1_700_000_000_000_000_000n + 384n - 10_000_000n);
  const r = await run("poll", { stdin: "hello", clock });
  const slept = field(r.stdout, "absolute_realtime", "elapsed_ns");
  assert.ok(slept >= 20_000_000, `a deadline 20 ms ahead fired after ${slept} ns`);
  assert.equal(r.code, 0);
});

// --- preview0 ----------------------------------------------------------------------------

// The preview0 guest (unstable.wat) and examples/wc over preopened files need the filesystem:
// tests/guests_fs.test.ts runs them once it lands. Here: what needs no files.

// --- examples/wc -------------------------------------------------------------------------

test("examples/wc counts stdin when given no file", async () => {
  const text = readFileSync(new URL("../examples/data/sample.txt", import.meta.url));
  const r = await run("wc", { args: ["wc"], stdin: text }, wasmBytes("../examples/wc.wasm"));
  assert.equal(r.stdout, "      5      30     189\n");
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
});
