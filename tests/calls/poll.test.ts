// poll_oneoff: relative and absolute clocks that really block, fd readiness, per-event errors, FAULT.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ClockName, Errno } from "../../mod.ts";
import {
  assertSentinelExcept,
  assertUnchanged,
  assertWindow,
  type Env,
  le,
  setU16,
  setU32,
  setU64,
  setup,
  snapshot,
  u32,
  u64,
} from "../helpers.ts";

const IN = 0x400, OUT = 0x1000, NEV = 0x80;
const SUB = 48, EV = 32;
const REALTIME = 0, MONOTONIC = 1, PROCESS = 2, THREAD = 3;
const CLOCK = 0, FD_READ = 1, FD_WRITE = 2, ABSTIME = 1;
const HANGUP = 1; // $eventrwflags fd_readwrite_hangup
const MS = 1_000_000n;

/** Writes a preview1 clock subscription as subscription `i`. */
function clockSub(env: Env, i: number, userdata: bigint, id: number, timeout: bigint, flags = 0): void {
  const p = IN + i * SUB;
  env.u8().fill(0, p, p + SUB);
  setU64(env, p, userdata);
  env.u8()[p + 8] = CLOCK;
  setU32(env, p + 16, id);
  setU64(env, p + 24, timeout);
  setU64(env, p + 32, 1_000n); // precision: a hint
  setU16(env, p + 40, flags);
}

/** Writes a preview1 fd_read/fd_write subscription as subscription `i`. */
function fdSub(env: Env, i: number, userdata: bigint, tag: number, fd: number): void {
  const p = IN + i * SUB;
  env.u8().fill(0, p, p + SUB);
  setU64(env, p, userdata);
  env.u8()[p + 8] = tag;
  setU32(env, p + 16, fd);
}

/** The 32 bytes of an event. */
function event(userdata: bigint, error: number, type: number, nbytes = 0n, flags = 0): number[] {
  return [
    ...le(userdata, 8),
    ...le(error, 2),
    type,
    0,
    0,
    0,
    0,
    0,
    ...le(nbytes, 8),
    ...le(flags, 2),
    0,
    0,
    0,
    0,
    0,
    0,
  ];
}

/** Calls poll_oneoff on `n` subscriptions; returns [errno, elapsed ms]. */
function poll(env: Env, n: number): [number, number] {
  const t0 = performance.now();
  const e = env.p1.poll_oneoff(IN, OUT, n, NEV);
  return [e, performance.now() - t0];
}

describe("poll_oneoff", () => {
  test("nsubscriptions 0 -> INVAL, nothing written (even with out-of-range pointers)", async () => {
    const env = await setup();
    const before = snapshot(env);
    assert.equal(env.p1.poll_oneoff(IN, OUT, 0, NEV), Errno.INVAL);
    assert.equal(env.p1.poll_oneoff(0xffffffff, 0xffffffff, 0, 0xffffffff), Errno.INVAL);
    assertUnchanged(env, before);
  });

  test("one relative monotonic clock of 20 ms blocks at least 20 ms and writes exactly one event", async () => {
    const env = await setup();
    clockSub(env, 0, 0x0123_4567_89ab_cdefn, MONOTONIC, 20n * MS);
    const [e, ms] = poll(env, 1);
    assert.equal(e, Errno.SUCCESS);
    assert.ok(ms >= 20, `returned after ${ms} ms`);
    assert.ok(ms < 500, `returned after ${ms} ms`);
    assertWindow(env, OUT, event(0x0123_4567_89ab_cdefn, 0, CLOCK));
    assertWindow(env, NEV, le(1, 4));
    assertSentinelExcept(env, [[IN, IN + SUB], [OUT, OUT + EV], [NEV, NEV + 4]]);
  });

  test("two clocks, 10 ms and 50 ms: only the 10 ms one fires, after 10 ms and before 50", async () => {
    const env = await setup();
    clockSub(env, 0, 50n, MONOTONIC, 50n * MS);
    clockSub(env, 1, 10n, MONOTONIC, 10n * MS);
    const [e, ms] = poll(env, 2);
    assert.equal(e, Errno.SUCCESS);
    assert.ok(ms >= 10 && ms < 50, `returned after ${ms} ms`);
    assert.equal(u32(env, NEV), 1);
    assertWindow(env, OUT, event(10n, 0, CLOCK), EV); // the second event slot is untouched
  });

  test("two clocks with the same timeout both fire, in subscription order", async () => {
    const env = await setup();
    clockSub(env, 0, 1n, MONOTONIC, 5n * MS);
    clockSub(env, 1, 2n, MONOTONIC, 5n * MS);
    assert.equal(poll(env, 2)[0], Errno.SUCCESS);
    assert.equal(u32(env, NEV), 2);
    assertWindow(env, OUT, [...event(1n, 0, CLOCK), ...event(2n, 0, CLOCK)]);
  });

  test("a relative timeout of 0 fires at once", async () => {
    const env = await setup();
    clockSub(env, 0, 7n, MONOTONIC, 0n);
    const [e, ms] = poll(env, 1);
    assert.equal(e, Errno.SUCCESS);
    assert.ok(ms < 50, `returned after ${ms} ms`);
    assertWindow(env, OUT, event(7n, 0, CLOCK));
  });

  test("an absolute realtime deadline 15 ms ahead blocks about 15 ms", async () => {
    const env = await setup();
    const t0 = performance.now(); // the deadline counts from the clock read, not from the call: time both from here
    assert.equal(env.p1.clock_time_get(REALTIME, 0n, 0), Errno.SUCCESS);
    clockSub(env, 0, 3n, REALTIME, u64(env, 0) + 15n * MS, ABSTIME);
    const [e] = poll(env, 1);
    const ms = performance.now() - t0;
    assert.equal(e, Errno.SUCCESS);
    assert.ok(ms >= 13 && ms < 500, `returned ${ms} ms after the clock read`);
    assertWindow(env, OUT, event(3n, 0, CLOCK));
  });

  test("an absolute monotonic deadline 15 ms ahead blocks about 15 ms", async () => {
    const env = await setup();
    const t0 = performance.now(); // the deadline counts from the clock read, not from the call: time both from here
    assert.equal(env.p1.clock_time_get(MONOTONIC, 0n, 0), Errno.SUCCESS);
    clockSub(env, 0, 4n, MONOTONIC, u64(env, 0) + 15n * MS, ABSTIME);
    const [e] = poll(env, 1);
    const ms = performance.now() - t0;
    assert.equal(e, Errno.SUCCESS);
    assert.ok(ms >= 14 && ms < 500, `returned ${ms} ms after the clock read`);
  });

  test("an absolute time in the past fires at once (realtime and monotonic)", async () => {
    const env = await setup();
    assert.equal(env.p1.clock_time_get(REALTIME, 0n, 0), Errno.SUCCESS);
    clockSub(env, 0, 5n, REALTIME, u64(env, 0) - 1000n * MS, ABSTIME);
    clockSub(env, 1, 6n, MONOTONIC, 0n, ABSTIME);
    const [e, ms] = poll(env, 2);
    assert.equal(e, Errno.SUCCESS);
    assert.ok(ms < 50, `returned after ${ms} ms`);
    assert.equal(u32(env, NEV), 2);
    assertWindow(env, OUT, [...event(5n, 0, CLOCK), ...event(6n, 0, CLOCK)]);
  });

  test("a clock of 1 s plus fd_write on stdout: the fd event comes at once, without sleeping", async () => {
    const env = await setup({ stdout: "capture" });
    clockSub(env, 0, 1n, MONOTONIC, 1000n * MS);
    fdSub(env, 1, 2n, FD_WRITE, 1);
    const [e, ms] = poll(env, 2);
    assert.equal(e, Errno.SUCCESS);
    assert.ok(ms < 200, `returned after ${ms} ms`);
    assert.equal(u32(env, NEV), 1);
    const ev = [...env.u8().subarray(OUT, OUT + EV)];
    assert.deepEqual(ev.slice(0, 11), event(2n, 0, FD_WRITE).slice(0, 11), "userdata, error 0, type fd_write");
    assert.equal(env.u8()[OUT + EV], 0xaa);
  });

  test("fd_read on a Uint8Array stdin: nbytes is what is left to read", async () => {
    const env = await setup({ stdin: new TextEncoder().encode("hello world") });
    fdSub(env, 0, 9n, FD_READ, 0);
    assert.equal(poll(env, 1)[0], Errno.SUCCESS);
    assertWindow(env, OUT, event(9n, 0, FD_READ, 11n));
    // Read 4 bytes: 7 are left.
    setU32(env, 0x200, 0x300);
    setU32(env, 0x204, 4);
    assert.equal(env.p1.fd_read(0, 0x200, 1, 0x208), Errno.SUCCESS);
    assert.equal(poll(env, 1)[0], Errno.SUCCESS);
    assertWindow(env, OUT, event(9n, 0, FD_READ, 7n));
  });

  test("fd_read on a Uint8Array stdin: no hangup while bytes are left, FD_READWRITE_HANGUP once all are read", async () => {
    const env = await setup({ stdin: new TextEncoder().encode("hi") });
    fdSub(env, 0, 9n, FD_READ, 0);
    fdSub(env, 1, 10n, FD_WRITE, 1);
    assert.equal(poll(env, 2)[0], Errno.SUCCESS);
    assertWindow(env, OUT, [...event(9n, 0, FD_READ, 2n), ...event(10n, 0, FD_WRITE)]);
    setU32(env, 0x200, 0x300);
    setU32(env, 0x204, 8);
    assert.equal(env.p1.fd_read(0, 0x200, 1, 0x208), Errno.SUCCESS);
    assert.equal(u32(env, 0x208), 2);
    assert.equal(poll(env, 2)[0], Errno.SUCCESS);
    assertWindow(env, OUT, [...event(9n, 0, FD_READ, 0n, HANGUP), ...event(10n, 0, FD_WRITE)]);
  });

  test('fd_read on stdin "null" and on an empty string: a hangup at once (nothing will ever come)', async () => {
    for (const stdin of ["null", ""] as const) {
      const env = await setup({ stdin });
      fdSub(env, 0, 3n, FD_READ, 0);
      assert.equal(poll(env, 1)[0], Errno.SUCCESS, String(stdin));
      assertWindow(env, OUT, event(3n, 0, FD_READ, 0n, HANGUP));
    }
  });

  test("fd_read on a function stdin: no hangup until the function returned 0, then a hangup", async () => {
    let left = 1;
    const env = await setup({ stdin: (buf: Uint8Array) => (left > 0 ? (buf[0] = 65, left--, 1) : 0) });
    fdSub(env, 0, 4n, FD_READ, 0);
    assert.equal(poll(env, 1)[0], Errno.SUCCESS);
    assertWindow(env, OUT, event(4n, 0, FD_READ, 0n, 0), 0);
    setU32(env, 0x200, 0x300);
    setU32(env, 0x204, 8);
    assert.equal(env.p1.fd_read(0, 0x200, 1, 0x208), Errno.SUCCESS);
    assert.equal(u32(env, 0x208), 1, "one byte");
    assert.equal(poll(env, 1)[0], Errno.SUCCESS);
    assertWindow(env, OUT, event(4n, 0, FD_READ, 0n, 0), 0);
    assert.equal(env.p1.fd_read(0, 0x200, 1, 0x208), Errno.SUCCESS);
    assert.equal(u32(env, 0x208), 0, "end of input");
    assert.equal(poll(env, 1)[0], Errno.SUCCESS);
    assertWindow(env, OUT, event(4n, 0, FD_READ, 0n, HANGUP));
  });

  test("fd_write on stdout never reports a hangup; a read subscription on stdout is not a hangup either", async () => {
    const env = await setup({ stdout: "null", stdin: "null" });
    fdSub(env, 0, 5n, FD_WRITE, 1);
    fdSub(env, 1, 6n, FD_READ, 1);
    assert.equal(poll(env, 2)[0], Errno.SUCCESS);
    assertWindow(env, OUT, [...event(5n, 0, FD_WRITE), ...event(6n, 0, FD_READ)]);
  });

  test("a subscription on an fd whose FD_READ the guest dropped: an event with error NOTCAPABLE", async () => {
    const env = await setup({ stdin: "x" });
    assert.equal(env.p1.fd_fdstat_set_rights(0, 0n, 0n), Errno.SUCCESS);
    fdSub(env, 0, 7n, FD_READ, 0);
    assert.equal(poll(env, 1)[0], Errno.SUCCESS);
    assertWindow(env, OUT, event(7n, Errno.NOTCAPABLE, FD_READ));
  });

  test("a subscription on an fd that is not open: an event with error BADF, at once", async () => {
    const env = await setup();
    clockSub(env, 0, 1n, MONOTONIC, 1000n * MS);
    fdSub(env, 1, 77n, FD_READ, 99);
    fdSub(env, 2, 78n, FD_WRITE, 42);
    const [e, ms] = poll(env, 3);
    assert.equal(e, Errno.SUCCESS);
    assert.ok(ms < 200, `returned after ${ms} ms`);
    assert.equal(u32(env, NEV), 2);
    assertWindow(env, OUT, [...event(77n, Errno.BADF, FD_READ), ...event(78n, Errno.BADF, FD_WRITE)]);
  });

  test("an unknown tag (3) -> INVAL for the call, nothing written", async () => {
    const env = await setup({ stdout: "null" });
    fdSub(env, 0, 1n, FD_WRITE, 1);
    fdSub(env, 1, 2n, 3, 1);
    const before = snapshot(env);
    assert.equal(env.p1.poll_oneoff(IN, OUT, 2, NEV), Errno.INVAL);
    assertUnchanged(env, before);
  });

  test("an unknown clock id: an event with error INVAL, at once", async () => {
    const env = await setup();
    clockSub(env, 0, 1n, MONOTONIC, 1000n * MS);
    clockSub(env, 1, 2n, 4, 1000n * MS);
    clockSub(env, 2, 3n, 99, 0n);
    const [e, ms] = poll(env, 3);
    assert.equal(e, Errno.SUCCESS);
    assert.ok(ms < 200, `returned after ${ms} ms`);
    assert.equal(u32(env, NEV), 2);
    assertWindow(env, OUT, [...event(2n, Errno.INVAL, CLOCK), ...event(3n, Errno.INVAL, CLOCK)]);
  });

  test("undefined subclockflags bits: an event with error INVAL", async () => {
    const env = await setup();
    clockSub(env, 0, 1n, MONOTONIC, 0n, 2);
    assert.equal(poll(env, 1)[0], Errno.SUCCESS);
    assertWindow(env, OUT, event(1n, Errno.INVAL, CLOCK));
  });

  test("a CPU-time clock: an event with error NOTSUP, at once", async () => {
    const env = await setup();
    clockSub(env, 0, 1n, PROCESS, 1000n * MS);
    clockSub(env, 1, 2n, THREAD, 1000n * MS);
    const [e, ms] = poll(env, 2);
    assert.equal(e, Errno.SUCCESS);
    assert.ok(ms < 200, `returned after ${ms} ms`);
    assertWindow(env, OUT, [...event(1n, Errno.NOTSUP, CLOCK), ...event(2n, Errno.NOTSUP, CLOCK)]);
  });

  test("in/out/nevents ending at the end of memory fit", async () => {
    const env = await setup();
    const inP = env.size - SUB;
    env.u8().fill(0, inP, env.size);
    setU64(env, inP, 5n);
    setU32(env, inP + 16, MONOTONIC);
    assert.equal(env.p1.poll_oneoff(inP, env.size - EV - 4, 1, env.size - 4), Errno.SUCCESS);
    assert.equal(u32(env, env.size - 4), 1);
    assert.equal(u64(env, env.size - EV - 4), 5n);
  });

  test("in, out or nevents one byte past the end -> FAULT, nothing written, no sleep", async () => {
    const env = await setup();
    clockSub(env, 0, 1n, MONOTONIC, 300n * MS);
    const before = snapshot(env);
    const t0 = performance.now();
    assert.equal(env.p1.poll_oneoff(env.size - SUB + 1, OUT, 1, NEV), Errno.FAULT);
    assert.equal(env.p1.poll_oneoff(IN, env.size - EV + 1, 1, NEV), Errno.FAULT);
    assert.equal(env.p1.poll_oneoff(IN, OUT, 1, env.size - 3), Errno.FAULT);
    assert.equal(env.p1.poll_oneoff(IN, OUT, 2000, NEV), Errno.FAULT); // 2000 × 48 bytes > one page
    assert.equal(env.p1.poll_oneoff(0xffffffff, OUT, 1, NEV), Errno.FAULT);
    assert.ok(performance.now() - t0 < 200);
    assertUnchanged(env, before);
  });

  test("with an injected clock that sleeps virtually, a 10 s poll returns at once and time advances", async () => {
    let t = 1_000n;
    const slept: bigint[] = [];
    const clock = {
      now: (_id: ClockName) => t,
      sleep(ns: bigint) {
        slept.push(ns);
        t += ns;
      },
    };
    const env = await setup({ clock });
    clockSub(env, 0, 1n, MONOTONIC, 10_000n * MS);
    const [e, ms] = poll(env, 1);
    assert.equal(e, Errno.SUCCESS);
    assert.ok(ms < 1000, `returned after ${ms} ms`);
    assert.deepEqual(slept, [10_000n * MS]);
    assertWindow(env, OUT, event(1n, 0, CLOCK));
    // An absolute deadline in virtual time sleeps just the difference.
    clockSub(env, 0, 2n, REALTIME, t + 5n * MS, ABSTIME);
    assert.equal(poll(env, 1)[0], Errno.SUCCESS);
    assert.deepEqual(slept, [10_000n * MS, 5n * MS]);
    assertWindow(env, OUT, event(2n, 0, CLOCK));
  });

  test("with an injected clock that has no sleep(), the host sleeps for real", async () => {
    const env = await setup({ clock: { now: () => 5n } });
    clockSub(env, 0, 1n, MONOTONIC, 15n * MS);
    const [e, ms] = poll(env, 1);
    assert.equal(e, Errno.SUCCESS);
    assert.ok(ms >= 15 && ms < 500, `returned after ${ms} ms`);
    assertWindow(env, OUT, event(1n, 0, CLOCK));
  });
});
