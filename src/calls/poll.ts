// poll_oneoff: clock timeouts (relative and absolute) and fd readiness, with a real blocking sleep.

import { Errno } from "../abi/errno.ts";
import { ClockId, EventRwFlags, EventType, Rights, SubclockFlags } from "../abi/consts.ts";
import { EVENT, SUBSCRIPTION, type SubscriptionLayout } from "../abi/layout.ts";
import type { GuestMemory } from "../memory.ts";
import type { State } from "../state.ts";
import { macrotask, PENDING, pending, timerWait } from "../pending.ts";

/** Subscriptions whose scratch is kept between calls; a larger call gets its own, dropped after it. */
const KEPT = 4096;
/** Per-subscription delays (ns) of the current call. */
let delays = new Float64Array(16);
/** A delay that marks a subscription as failed: `errors` holds its errno. */
const FAILED = -Infinity;
let errors = new Uint16Array(16);
/**
 * What pass 2 needs of each subscription, copied in pass 1 (userdata low and high words, tag, fd): the events may be
 * written over the subscriptions (nothing forbids `out` to overlap `in`), as the kernel copies a poll's input first.
 */
let copied = new Uint32Array(16 * 4);

/**
 * poll_oneoff: waits until a subscription is ready, then writes one `$event` per ready
 * subscription at `outPtr` and their count at `neventsPtr`.
 *
 * ```
 *  in:  [userdata u64][tag u8]..[clock: id, timeout, precision, flags | fd_readwrite: fd]  × n
 *  out: [userdata u64][error u16][type u8]..[nbytes u64][flags u16]..                      × ready
 * ```
 *
 * Stdio and files are always ready (decisions.md#poll_oneoff); a clock subscription is
 * ready when its time has come. With only clocks pending, the call blocks until the earliest.
 */
export function pollOneoff(
  s: State,
  inPtr: number,
  outPtr: number,
  nsubscriptions: number,
  neventsPtr: number,
  L: SubscriptionLayout = SUBSCRIPTION,
): Errno {
  const m = s.mem;
  if (nsubscriptions === 0) return Errno.INVAL;
  if (
    !m.fits(inPtr, nsubscriptions * L.size) || !m.fits(outPtr, nsubscriptions * EVENT.size) ||
    !m.fits(neventsPtr, 4)
  ) return Errno.FAULT;
  let D = delays, E = errors, C = copied;
  if (D.length < nsubscriptions) {
    D = new Float64Array(nsubscriptions);
    E = new Uint16Array(nsubscriptions);
    C = new Uint32Array(nsubscriptions * 4);
    if (nsubscriptions <= KEPT) { // kept for the next calls; a huge one (up to memory / 48) is not held on to
      delays = D;
      errors = E;
      copied = C;
    }
  }
  // Pass 1: each subscription's delay (0 = ready now), and the earliest pending clock.
  let ready = false, fdReady = false;
  let earliest = Infinity;
  const elapsed = s.async && s.retry > 0 ? elapsedNs(s) : 0;
  let waits: PromiseLike<unknown>[] | null = null; // async mode: what the fds that are not ready wait for
  for (let i = 0; i < nsubscriptions; i++) {
    const p = inPtr + i * L.size;
    const tag = m.u8(p + L.tag);
    C[i * 4] = m.u32(p + L.userdata);
    C[i * 4 + 1] = m.u32(p + L.userdata + 4);
    C[i * 4 + 2] = tag;
    C[i * 4 + 3] = m.u32(p + L.fd);
    if (tag === EventType.CLOCK) {
      const delay = clockDelay(s, m, p, L, i, E, elapsed);
      D[i] = delay;
      if (delay <= 0) ready = true;
      else if (delay < earliest) earliest = delay;
    } else if (tag === EventType.FD_READ || tag === EventType.FD_WRITE) {
      const w = fdWait(s, C[i * 4 + 3], tag);
      if (w === null) {
        D[i] = 0;
        ready = fdReady = true;
      } else {
        D[i] = Infinity; // not ready: reported only when a retry finds it so
        if (waits === null) waits = [w];
        else if (!waits.includes(w)) waits.push(w); // sockets share one wait (src/net/conn.ts Hub)
      }
    } else {
      return Errno.INVAL;
    }
  }
  if (s.async) {
    // Nothing ready: wait on a timer for the earliest clock and on the fds, then the call runs again
    // (decisions.md#async-poll). Zero timeouts ready while fds wait: one turn of the event loop first, so a guest
    // polling in a loop lets the streams it waits on make progress.
    if (!ready && !s.clocks.injectedSleep) return waitFor(s, waits, earliest);
    if (ready && !fdReady && waits !== null && s.retry === 0) return pending(macrotask());
  }
  // Only clocks pending: sleep until the earliest, which (with any equal to it) is then ready.
  const threshold = ready ? 0 : earliest;
  if (!ready) {
    const slept = s.clocks.sleep(earliest);
    if (slept !== undefined && s.async) return pending(slept); // an injected async sleep: the retry sees its time
  }
  // Pass 2: write the ready events.
  let n = 0;
  for (let i = 0; i < nsubscriptions; i++) {
    if (D[i] > threshold) continue;
    const e = outPtr + n * EVENT.size;
    n++;
    m.zero(e, EVENT.size);
    m.setU32(e + EVENT.userdata, C[i * 4]);
    m.setU32(e + EVENT.userdata + 4, C[i * 4 + 1]);
    const tag = C[i * 4 + 2];
    m.setU8(e + EVENT.type, tag);
    if (D[i] === FAILED) m.setU16(e + EVENT.error, E[i]);
    else if (tag !== EventType.CLOCK) fdEvent(s, m, e, C[i * 4 + 3], tag);
  }
  m.setU32(neventsPtr, n);
  return Errno.SUCCESS;
}

/** Async mode, on a retry: ns since this poll_oneoff first waited, on the guest's monotonic clock or in real time. */
function elapsedNs(s: State): number {
  // Real time too: an injected clock that does not sleep does not move while we wait on a timer.
  return Math.max(Number(s.clocks.now(ClockId.MONOTONIC) - s.pollStart), (performance.now() - s.pollStartMs) * 1e6);
}

/** Async mode, nothing ready: PENDING on a timer for `earliest` ns (if any clock) and on the fds' waits. */
function waitFor(s: State, waits: PromiseLike<unknown>[] | null, earliest: number): Errno {
  if (s.retry === 0) { // the first wait of this call: relative timeouts count from here (no clock read before it)
    s.pollStart = s.clocks.now(ClockId.MONOTONIC);
    s.pollStartMs = performance.now();
  }
  if (earliest !== Infinity) pending(timerWait(Math.ceil(earliest / 1e6)));
  if (waits !== null) { for (const w of waits) pending(w); }
  return PENDING; // one of the two is there: a subscription that is neither ready nor a clock is an fd that waits
}

/**
 * The delay (ns) until a clock subscription fires, `elapsed` ns into the call; FAILED with `errs[i]` set when it is
 * invalid.
 */
function clockDelay(
  s: State,
  m: GuestMemory,
  p: number,
  L: SubscriptionLayout,
  i: number,
  errs: Uint16Array,
  elapsed: number,
): number {
  const id = m.u32(p + L.clockId);
  const flags = m.u16(p + L.clockFlags);
  if (id > ClockId.THREAD_CPUTIME_ID || (flags & ~SubclockFlags.ABSTIME) !== 0) {
    errs[i] = Errno.INVAL;
    return FAILED;
  }
  if (id === ClockId.PROCESS_CPUTIME_ID || id === ClockId.THREAD_CPUTIME_ID) {
    errs[i] = Errno.NOTSUP; // CPU time does not pass while we sleep: see decisions.md#poll_oneoff
    return FAILED;
  }
  if ((flags & SubclockFlags.ABSTIME) === 0) {
    // Two 32-bit halves: no BigInt on the relative path. Exact below 2^53 ns (104 days).
    return m.u32(p + L.clockTimeout) + m.u32(p + L.clockTimeout + 4) * 0x1_0000_0000 - elapsed;
  }
  // Absolute: subtract exactly (realtime is near 2^61 ns, where a double's steps are 256 ns).
  return Number(m.u64(p + L.clockTimeout) - s.clocks.now(id));
}

/** The rights a read (or write) subscription needs; one the guest dropped makes the event an ENOTCAPABLE. */
function pollRights(tag: number): number {
  return Rights.POLL_FD_READWRITE | (tag === EventType.FD_READ ? Rights.FD_READ : Rights.FD_WRITE);
}

/** Null when an fd subscription is ready now (or is an error event: BADF, NOTCAPABLE); else what it waits for. */
function fdWait(s: State, fd: number, tag: number): PromiseLike<unknown> | null {
  const d = s.fds.get(fd);
  if (d === undefined || (d.dropped & pollRights(tag)) !== 0) return null;
  return d.whenReady(tag === EventType.FD_WRITE);
}

/**
 * Fills an fd_read/fd_write event: the fd's readiness and a hangup when its input ended or its peer hung up (as Linux
 * reports POLLHUP for a pipe whose writer closed); BADF for a closed fd, NOTCAPABLE for one whose rights the guest
 * narrowed (decisions.md#rights).
 */
function fdEvent(s: State, m: GuestMemory, e: number, fd: number, tag: number): void {
  const d = s.fds.get(fd);
  if (d === undefined) return m.setU16(e + EVENT.error, Errno.BADF);
  const read = tag === EventType.FD_READ;
  if (d.dropped & pollRights(tag)) return m.setU16(e + EVENT.error, Errno.NOTCAPABLE);
  const avail = read ? d.available() : 0;
  if (avail > 0) m.setU64n(e + EVENT.nbytes, avail);
  if (d.hungUp()) m.setU16(e + EVENT.flags, EventRwFlags.FD_READWRITE_HANGUP);
}
