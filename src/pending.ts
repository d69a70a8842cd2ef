// PENDING: how a call that must wait says so in async mode ("not yet: call me again once this settles").

import type { Errno } from "./abi/errno.ts";

/**
 * Not a WASI errno (those fit in a u16): the answer of a call, or of anything under it (a stream, a socket, an async
 * filesystem), that cannot finish without waiting. Whoever answers it first registers what to wait for with
 * `pending()`. In async mode the call's `Suspending` wrapper (src/async.ts) awaits that and calls the whole WASI call
 * again, from its first check: a call answering PENDING has changed nothing the guest can see, so running it again is
 * the same as running it once (decisions.md#async-retry). Sync mode never meets it: nothing there can wait.
 *
 * It travels like any errno: `return e` up the call, `-PENDING` in an `IoResult`.
 */
export const PENDING = 0x1_0000 as Errno;

let waits: PromiseLike<unknown>[] = [];

/** Registers `p` as what the current call waits for and returns PENDING (so `return pending(p)` reads as it does). */
export function pending(p: PromiseLike<unknown>): Errno {
  waits.push(p);
  return PENDING;
}

/** What the call that just answered PENDING waits for (and forgets it); empty when nothing was registered. */
export function takeWaits(): PromiseLike<unknown>[] {
  const w = waits;
  if (w.length !== 0) waits = [];
  return w;
}

/** A wait that can be called off: what it holds (a timer) is released when the call stops waiting on it. */
export interface CancellableWait extends PromiseLike<unknown> {
  cancel?(): void;
}

/** A wait of `ms` milliseconds on a timer (no spinning), cancelled with the call that waits on it. */
export function timerWait(ms: number): CancellableWait {
  let id: ReturnType<typeof setTimeout> | undefined;
  const p: CancellableWait = new Promise<void>((resolve) => {
    id = setTimeout(resolve, ms);
  });
  p.cancel = () => clearTimeout(id);
  return p;
}

/** One turn of the event loop (a macrotask: I/O and timers run), for sched_yield and polls that would spin. */
export function macrotask(): Promise<void> {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  return new Promise((resolve) =>
    typeof g.setImmediate === "function" ? g.setImmediate(resolve) : setTimeout(resolve, 0)
  );
}
