// Async mode on JSPI: the calls that can wait become `WebAssembly.Suspending` imports that retry while PENDING.

import { type CancellableWait, PENDING, takeWaits } from "./pending.ts";
import type { State } from "./state.ts";

/** JSPI as the engines expose it (not in TypeScript's lib yet). */
interface Jspi {
  Suspending: new (fn: (...args: never[]) => unknown) => unknown;
  promising: <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A) => Promise<R>;
}

/** JSPI, or a sentence naming what this runtime lacks of it. */
export function jspi(): Jspi | string {
  const wa = WebAssembly as unknown as Partial<Jspi>;
  const missing = [
    typeof wa.Suspending === "function" ? "" : "WebAssembly.Suspending",
    typeof wa.promising === "function" ? "" : "WebAssembly.promising",
  ].filter((x) => x !== "");
  if (missing.length === 0) return wa as Jspi;
  return `this runtime has no JSPI (${missing.join(" and ")} missing): async mode needs Deno 2.9, Bun 1.4, ` +
    `Node 26 or workerd`;
}

/**
 * Guests running in async mode at once, in this process (every `startAsync`/`callAsync` in flight holds a stack of
 * its own); past the limit a new one is refused. V8 aborts the whole process at about 30,000 suspended calls
 * (decisions.md#async-limit).
 */
export const asyncGuests = { active: 0, limit: 10_000 };

/** The error of a misuse of async mode: a second entry, too many guests, a waiting call outside our entry points. */
export class WasiAsyncError extends Error {
  /** An error with `message` (and `options.cause`). */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WasiAsyncError";
  }
}

const settled = () => {};

/** One entry into the guest in flight (a `startAsync` or `callAsync`): what its waiting calls share. */
export class Run {
  /** The call the guest is suspended in, or null while it runs. */
  waitingIn: string | null = null;
  readonly #signal: AbortSignal | undefined;
  readonly #beforeWait: (() => void) | undefined;
  /** Rejects when the signal aborts (made at the first wait); its listener is removed when the run ends. */
  #aborted: Promise<never> | undefined;
  #onAbort: (() => void) | undefined;

  /** `beforeWait` runs each time the guest is about to wait (the Wasi sends the output it gathered). */
  constructor(signal: AbortSignal | undefined, beforeWait?: () => void) {
    this.#signal = signal;
    this.#beforeWait = beforeWait;
  }

  /** Waits until one of `waits` settles (either way: the retry looks at what happened), or throws on abort. */
  async wait(name: string, waits: PromiseLike<unknown>[]): Promise<void> {
    const signal = this.#signal;
    this.#beforeWait?.();
    signal?.throwIfAborted();
    const all = waits.map((w) => Promise.resolve(w).then(settled, settled));
    if (signal !== undefined) {
      if (this.#aborted === undefined) {
        this.#aborted = new Promise<never>((_, reject) => {
          this.#onAbort = () => reject(signal.reason);
          signal.addEventListener("abort", this.#onAbort, { once: true });
        });
        this.#aborted.catch(settled); // a signal that aborts after the run is nobody's error
      }
      all.push(this.#aborted);
    }
    this.waitingIn = name;
    try {
      await Promise.race(all);
    } finally {
      this.waitingIn = null;
      for (const w of waits as CancellableWait[]) w.cancel?.(); // a timer that lost the race is not left running
    }
  }

  /** The run is over: a signal shared by many runs (a server's) keeps no listener of this one. */
  end(): void {
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener("abort", this.#onAbort);
  }
}

const THROUGH_JS = "a call that can wait was reached through a JS import (an import of yours called the guest " +
  "again); JSPI cannot suspend across JS frames";

/** Why a waiting call cannot suspend here (checked before it runs, so nothing happens on any engine). */
function misuse(s: State, name: string): WasiAsyncError {
  if (s.run === undefined) {
    return new WasiAsyncError(
      `${name}: a call that can wait was made outside startAsync()/callAsync(): run the guest through them`,
    );
  }
  if (s.jsDepth !== 0) return new WasiAsyncError(`${name}: ${THROUGH_JS}`);
  return new WasiAsyncError(`${name}: the instance was entered again while suspended in ${s.run.waitingIn}`);
}

/**
 * Inside our entry points, the engine's own error for a Suspending import that could not suspend (V8 and Bun name it
 * `SuspendError`; V8 throws it before our check can run) as ours: there it can only mean a JS frame in between.
 */
export function asOurs(err: unknown): unknown {
  if ((err as Error)?.name !== "SuspendError") return err;
  return new WasiAsyncError(THROUGH_JS, { cause: err });
}

/** An argument of a WASI call: an i32 as a number, an i64 as a bigint. */
type A = number | bigint;

/**
 * `fn` as a Suspending import: called, and while it answers PENDING, its waits are awaited and it is called again with
 * the same arguments. `s.retry` tells the call which attempt this is (0 first).
 */
export function suspending(
  api: Jspi,
  s: State,
  name: string,
  fn: (...args: never[]) => unknown,
): unknown {
  // Nine parameters (path_open has the most): no rest array and no spread per call, which costs V8 and JSC more than
  // the call itself; extra arguments are undefined and ignored by the call.
  type Call = (a: A, b: A, c: A, d: A, e: A, f: A, g: A, h: A, i: A) => unknown;
  const call = fn as unknown as Call;
  /** Waits and runs the call again until it answers something other than PENDING. */
  const retry = async (run: Run, a: A, b: A, c: A, d: A, e: A, f: A, g: A, h: A, i: A): Promise<unknown> => {
    let r: unknown = PENDING;
    while (r === PENDING) {
      const waits = takeWaits();
      if (waits.length === 0) throw new Error(`hostcall bug: ${name} answered PENDING without a wait`);
      await run.wait(name, waits);
      s.retry++;
      r = call(a, b, c, d, e, f, g, h, i);
    }
    return r;
  };
  // Not an async function: a misuse throws here, synchronously (as an async function it would leave a rejected
  // promise behind where the engine cannot suspend, which Bun then reports as unhandled).
  return new api.Suspending((a: A, b: A, c: A, d: A, e: A, f: A, g: A, h: A, i: A) => {
    const run = s.run;
    if (run === undefined || run.waitingIn !== null || s.jsDepth !== 0) throw misuse(s, name);
    s.call++; // a new call: an async filesystem's replay log starts afresh (src/replay.ts)
    s.retry = 0;
    const r = call(a, b, c, d, e, f, g, h, i);
    return r === PENDING ? retry(run, a, b, c, d, e, f, g, h, i) : r;
  });
}
