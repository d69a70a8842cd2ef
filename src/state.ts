// State: everything one Wasi instance's calls share (memory, fds, encoded args/env, clocks, random).

import { Clocks, type WasiClock } from "./clocks.ts";
import { FdTable } from "./fd_table.ts";
import { GuestMemory } from "./memory.ts";
import { newStat, type Stat } from "./fs/types.ts";
import { PathResolver } from "./path.ts";
import type { Run } from "./async.ts";
import type { ReplayLog } from "./replay.ts";

/**
 * A list of strings encoded once as NUL-terminated UTF-8, for args_* and environ_*:
 *
 * ```
 *   ptrs (count × u32)        buf (size bytes)
 *   [p0][p1][p2]  ──────────▶ "app\0" "-v\0" "x\0"
 * ```
 */
export class StringList {
  readonly count: number;
  /** All strings, each followed by NUL. */
  readonly bytes: Uint8Array;
  /** Where each string starts in `bytes`. */
  readonly offsets: Uint32Array;

  constructor(strings: readonly string[]) {
    const enc = new TextEncoder();
    const parts = strings.map((s) => enc.encode(s));
    this.count = parts.length;
    this.bytes = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
    this.offsets = new Uint32Array(parts.length);
    let at = 0;
    parts.forEach((p, i) => {
      this.offsets[i] = at;
      this.bytes.set(p, at);
      at += p.length + 1; // the NUL is already there: the buffer starts zeroed
    });
  }
}

/** Fills `buf` with random bytes (crypto.getRandomValues, or the injected source). */
export type RandomSource = (buf: Uint8Array) => void;

/** What every call of one instance shares. */
export class State {
  readonly mem = new GuestMemory();
  readonly fds: FdTable;
  readonly args: StringList;
  readonly env: StringList;
  readonly clocks: Clocks;
  readonly random: RandomSource | undefined;
  /** A scratch `Stat` the calls reuse, so a stat allocates nothing. */
  readonly stat: Stat = newStat();
  /** The sandbox: resolves guest paths inside their preopen (with its own scratch `Stat`). */
  readonly resolver = new PathResolver(newStat());
  /** Async mode (decisions.md#async-mode): calls may answer PENDING and are retried by their Suspending wrapper. */
  readonly async: boolean;
  /** The entry into the guest in flight (async mode), or undefined. */
  run: Run | undefined = undefined;
  /** Async mode: host JS functions (the caller's own imports) on the stack now; a wait cannot suspend across them. */
  jsDepth = 0;
  /** Which attempt of the current call this is: 0 first, then 1, 2… after each wait (always 0 in sync mode). */
  retry = 0;
  /** Async mode: counts the suspending calls made, so a call's retry is told from the next call (src/replay.ts). */
  call = 0;
  /** Async mode with an async filesystem preopened: the log of the current call's backend calls. */
  fsLog: ReplayLog | undefined = undefined;
  /** Monotonic ns when the current poll_oneoff first waited, for its relative timeouts across retries. */
  pollStart = 0n;
  /** The same instant as `performance.now()` (ms). */
  pollStartMs = 0;

  constructor(
    args: readonly string[],
    env: readonly string[],
    clock?: WasiClock,
    random?: RandomSource,
    maxFds?: number,
    async = false,
  ) {
    this.async = async;
    this.fds = new FdTable(maxFds);
    this.args = new StringList(args);
    this.env = new StringList(env);
    this.clocks = new Clocks(clock);
    this.random = random;
  }
}
