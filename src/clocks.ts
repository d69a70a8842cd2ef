// Host clocks for clock_time_get/clock_res_get/poll_oneoff: the runtime's, or an injected one.

import { ClockId } from "./abi/consts.ts";
import type { GuestMemory } from "./memory.ts";

/** The four WASI clocks by name, as an injected clock sees them. */
export type ClockName = "realtime" | "monotonic" | "process" | "thread";

/**
 * An injectable clock, for deterministic runs. Times are nanoseconds.
 *
 * @example A virtual clock that only moves when the guest sleeps
 * ```ts
 * let t = 0n;
 * const clock = { now: () => t, sleep: (ns: bigint) => { t += ns; } };
 * ```
 */
export interface WasiClock {
  /** The current time of clock `id`, in nanoseconds. */
  now(id: ClockName): bigint;
  /** The resolution of clock `id`, in nanoseconds; 1 µs when absent. */
  resolution?(id: ClockName): bigint;
  /**
   * Blocks (or advances virtual time) for `ns` nanoseconds; when absent, the host sleeps for real. In async mode it
   * may return a promise, which the guest waits for without blocking the event loop.
   */
  sleep?(ns: bigint): void | Promise<void>;
}

const NAMES: readonly ClockName[] = ["realtime", "monotonic", "process", "thread"];
/** Wall-clock drift (ms) between performance time and `Date.now()` that triggers a resync. */
const RESYNC_MS = 2;
/** Longest busy wait (ms) of one sleep where the host cannot block (decisions.md#sleeping-without-atomics-wait). */
export const SPIN_MAX_MS = 10;
/** Clock reads in a row without the clock moving after which a busy wait gives up (a clock frozen while code runs). */
const SPIN_STUCK_READS = 1 << 18;
/** Steps of performance.now() seen before the smallest is trusted: workerd's 1 ms clock sometimes jumps 2-8 ms. */
const RES_STEPS = 8;
/** Most reads of performance.now() one measurement takes (a clock that never moves is then said to have 1 ms). */
const RES_READS = 1 << 16;
/** The measured resolution (ns), and the performance.now it was measured on: a replaced one is measured again. */
let resolution: { ns: number; of: unknown } = { ns: 0, of: undefined };

/** performance.now as the runtime made it (a reference, not a call: nothing reads a clock at load). */
const hostPerformanceNow = globalThis.performance?.now;

/**
 * A native ns clock cheaper than performance.now(): Node's and Bun's `process.hrtime.bigint` (CLOCK_MONOTONIC, ns).
 * Not on Deno, where it is slower, nor on an edge runtime that merely imitates `process`; and not when someone has
 * replaced performance.now (fake timers, a test imitating an edge runtime): then their clock is the one we read.
 */
function nativeHrtime(): (() => bigint) | undefined {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (performance.now !== hostPerformanceNow) return undefined;
  const ua: unknown = g.navigator?.userAgent;
  if (typeof g.Bun === "undefined" && !(typeof ua === "string" && ua.startsWith("Node.js"))) return undefined;
  const hr = g.process?.hrtime?.bigint;
  return typeof hr === "function" ? hr : undefined;
}

/** The host's clocks (performance.now or hrtime, Date.now, process.cpuUsage) behind the WASI clock ids. */
export class Clocks {
  #injected: WasiClock | undefined;
  /** Wall time (ms since the epoch) at performance time 0, refreshed when it drifts. */
  #epochMs = 0;
  /** `#epochMs` as whole seconds in ns (u64 halves) plus the ns below a second, for exact realtime writes. */
  #epochHi = 0;
  #epochLo = 0;
  #epochRemNs = 0;
  #lastSyncMs = -Infinity;
  #startMs = 0;
  #sleeper: Int32Array | undefined;
  #canWait = true;
  /** `process.cpuUsage` once looked up and tried; null where absent or broken. */
  #cpu: ((prev?: unknown) => { user: number; system: number }) | null | undefined;

  /** Where set (Node, Bun), monotonic and realtime are read from it instead of performance.now(). */
  #hr: (() => bigint) | undefined;
  /** With `#hr`: realtime = hrtime + this (ns), re-anchored to Date.now() once a second if it drifts. */
  #epochNs = 0n;
  #nextSyncNs = 0n;
  #startNs = 0n;

  constructor(injected?: WasiClock) {
    this.#injected = injected;
    if (injected === undefined) {
      this.#startMs = performance.now();
      this.#hr = nativeHrtime();
      if (this.#hr !== undefined) this.#startNs = this.#hr();
    }
  }

  /** True for the ids this host knows. */
  static valid(id: number): boolean {
    return id <= ClockId.THREAD_CPUTIME_ID;
  }

  /** Writes the time of clock `id` (a valid id) as a u64 at `p`. */
  write(m: GuestMemory, p: number, id: number): void {
    const inj = this.#injected;
    if (inj !== undefined) return m.setU64(p, BigInt.asUintN(64, injectedNow(inj, id)));
    const hr = this.#hr;
    if (id === ClockId.MONOTONIC) {
      return hr !== undefined ? m.setU64(p, hr()) : m.setU64n(p, Math.floor(performance.now() * 1e6));
    }
    if (id === ClockId.REALTIME) {
      return hr !== undefined ? m.setU64(p, this.#realtimeNs(hr())) : this.#writeRealtime(m, p);
    }
    return m.setU64n(p, this.#cpuNs());
  }

  /** The time of clock `id` in nanoseconds, exactly as `write` would report it (for ABSTIME and *_NOW). */
  now(id: number): bigint {
    const inj = this.#injected;
    if (inj !== undefined) return BigInt.asUintN(64, injectedNow(inj, id));
    const hr = this.#hr;
    if (hr !== undefined && id <= ClockId.MONOTONIC) return id === ClockId.MONOTONIC ? hr() : this.#realtimeNs(hr());
    if (id === ClockId.MONOTONIC) return BigInt(Math.floor(performance.now() * 1e6));
    if (id === ClockId.REALTIME) {
      const now = performance.now();
      if (now - this.#lastSyncMs > 1000) this.#wallEpochMs(now);
      const epoch = (BigInt(this.#epochHi) << 32n) + BigInt(this.#epochLo);
      return epoch + BigInt(this.#epochRemNs + Math.floor(now * 1e6)); // as #writeRealtime, to the ns
    }
    return BigInt(this.#cpuNs());
  }

  /** Writes the resolution of clock `id` at `p`. */
  writeResolution(m: GuestMemory, p: number, id: number): void {
    const inj = this.#injected;
    if (inj !== undefined) {
      const res = inj.resolution?.(NAMES[id]) ?? 1000n;
      if (typeof res !== "bigint") throw notBigint(`resolution("${NAMES[id]}")`, res);
      return m.setU64(p, BigInt.asUintN(64, res));
    }
    // hrtime is CLOCK_MONOTONIC, 1 ns; the CPU clocks without process.cpuUsage are monotonic time since construction.
    const mono = this.#hr !== undefined ? 1 : hostResolutionNs();
    m.setU64n(p, id >= ClockId.PROCESS_CPUTIME_ID && this.#cpuUsage() ? 1000 : mono);
  }

  /** True when an injected clock sleeps (virtual time): then even async mode asks it instead of a timer. */
  get injectedSleep(): boolean {
    return this.#injected?.sleep !== undefined;
  }

  /**
   * Blocks for at least `ns` nanoseconds of monotonic time, without spinning where the host allows. An injected
   * clock's sleep is asked instead; what it returns (a promise, in async mode) is returned.
   */
  sleep(ns: number): void | Promise<void> {
    if (!(ns > 0)) return;
    const inj = this.#injected;
    if (inj !== undefined) {
      if (inj.sleep !== undefined) return inj.sleep(BigInt(Math.ceil(ns)));
    }
    const start = performance.now();
    const end = start + ns / 1e6;
    // Atomics.wait may wake a little early: wait again for the rest.
    for (let left = ns / 1e6; left > 0; left = end - performance.now()) {
      // Where the host forbids blocking (workerd), spin on the clock, for at most SPIN_MAX_MS of this sleep.
      if (!this.#wait(left)) return spin(Math.min(end, start + SPIN_MAX_MS));
    }
  }

  /** `Atomics.wait` on a private buffer: a real block for `ms`; false where the host forbids it. */
  #wait(ms: number): boolean {
    if (!this.#canWait) return false;
    try {
      this.#sleeper ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(this.#sleeper, 0, 0, ms);
      return true;
    } catch {
      this.#canWait = false; // see docs/decisions.md#sleeping-without-atomics-wait
      return false;
    }
  }

  #writeRealtime(m: GuestMemory, p: number): void {
    // The epoch's whole seconds as exact u64 halves (set at each re-anchoring) plus ns below 2^53: no digit is lost.
    const now = performance.now();
    if (now - this.#lastSyncMs > 1000) this.#wallEpochMs(now);
    const x = this.#epochRemNs + Math.floor(now * 1e6), xHi = Math.floor(x / 0x1_0000_0000);
    const lo = this.#epochLo + (x - xHi * 0x1_0000_0000);
    m.setU32(p, lo >>> 0);
    m.setU32(p + 4, this.#epochHi + xHi + (lo >= 0x1_0000_0000 ? 1 : 0));
  }

  /** Realtime from an hrtime reading `t`: anchored on performance.timeOrigin, re-anchored like #wallEpochMs. */
  #realtimeNs(t: bigint): bigint {
    if (t >= this.#nextSyncNs) {
      this.#nextSyncNs = t + 1_000_000_000n;
      const now = performance.now();
      const est = this.#epochNs === 0n
        ? BigInt(Math.round((performance.timeOrigin + now) * 1e6)) // this instant, as performance time sees it
        : t + this.#epochNs;
      const wall = BigInt(Date.now()) * 1_000_000n;
      const drift = est > wall ? est - wall : wall - est;
      this.#epochNs = (drift > BigInt(RESYNC_MS) * 1_000_000n ? wall : est) - t;
    }
    return t + this.#epochNs;
  }

  /** performance.timeOrigin, re-anchored to Date.now() when they drift apart (see decisions.md#clocks). */
  #wallEpochMs(now: number = performance.now()): number {
    if (now - this.#lastSyncMs > 1000) {
      this.#lastSyncMs = now;
      const est = (this.#epochMs || performance.timeOrigin) + now;
      const wall = Date.now();
      this.#epochMs = Math.abs(est - wall) > RESYNC_MS ? wall - now : est - now;
      // The same epoch as whole seconds (split into exact u32 halves: sec * 1e9 = sec * 1953125 * 512, where
      // sec * 1953125 < 2^53) and the ns remainder.
      const sec = Math.floor(this.#epochMs / 1000), x = sec * 1953125, hi = Math.floor(x / 0x800000);
      this.#epochHi = hi;
      this.#epochLo = (x - hi * 0x800000) * 512;
      this.#epochRemNs = Math.round((this.#epochMs - sec * 1000) * 1e6);
    }
    return this.#epochMs;
  }

  /** `process.cpuUsage` where it exists and works (workerd has one that throws "not implemented"); asked once. */
  #cpuUsage(): ((prev?: unknown) => { user: number; system: number }) | undefined {
    if (this.#cpu === undefined) {
      // deno-lint-ignore no-explicit-any
      const proc = (globalThis as any).process, fn = proc?.cpuUsage;
      this.#cpu = null;
      try {
        if (typeof fn === "function" && typeof fn.call(proc).user === "number") this.#cpu = fn;
      } catch { /* not implemented here: time since construction instead */ }
    }
    return this.#cpu ?? undefined;
  }

  /** CPU time of this process (process.cpuUsage, µs); where absent, time since construction. */
  #cpuNs(): number {
    const cpu = this.#cpuUsage();
    if (cpu !== undefined) {
      // deno-lint-ignore no-explicit-any
      const u = cpu.call((globalThis as any).process);
      return (u.user + u.system) * 1000;
    }
    if (this.#hr !== undefined) return Number(this.#hr() - this.#startNs);
    return Math.floor((performance.now() - this.#startMs) * 1e6);
  }
}

/** An injected clock's reading, which must be a bigint (a number would fail deep inside a BigInt operation). */
function injectedNow(inj: WasiClock, id: number): bigint {
  const v = inj.now(NAMES[id]);
  if (typeof v !== "bigint") throw notBigint(`now("${NAMES[id]}")`, v);
  return v;
}

function notBigint(call: string, v: unknown): TypeError {
  const got = typeof v === "number" ? `the number ${v}` : typeof v;
  return new TypeError(
    `options.clock.${call} returned ${got}: it must return nanoseconds as a bigint (e.g. BigInt(Date.now()) * 1_000_000n)`,
  );
}

/**
 * Busy-waits until performance time `until` (ms), where the host cannot block. Gives up when the clock has not moved
 * for SPIN_STUCK_READS reads: some edge runtimes freeze the clock while code runs, and the wait would never end.
 */
function spin(until: number): void {
  let prev = performance.now();
  for (let same = 0, t = prev; t < until; t = performance.now()) {
    if (t !== prev) {
      prev = t;
      same = 0;
    } else if (++same >= SPIN_STUCK_READS) return;
  }
}

/**
 * The smallest step performance.now() takes here, rounded up to a power of ten ns: measured at the first
 * clock_res_get and kept for every Wasi (a property of the host, and 8 ms or more of spinning on a 1 ms clock).
 */
function hostResolutionNs(): number {
  if (resolution.ns !== 0 && resolution.of === performance.now) return resolution.ns;
  let min = Infinity, steps = 0, prev = performance.now();
  for (let i = 0; i < RES_READS && (i < 2000 || steps < RES_STEPS); i++) {
    const t = performance.now();
    if (t > prev) {
      steps++;
      if (t - prev < min) min = t - prev;
      prev = t;
    }
  }
  const ns = min === Infinity ? 1e6 : min * 1e6;
  resolution = { ns: 10 ** Math.ceil(Math.log10(Math.max(1, ns))), of: performance.now };
  return resolution.ns;
}
