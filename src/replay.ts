// Async filesystems under the one logic of each call: a per-State log that answers, on the retry of a WASI call, the
// backend calls that call made before it waited (decisions.md#async-filesystems).

import { Errno } from "./abi/errno.ts";
import type { Whence } from "./abi/consts.ts";
import { pending } from "./pending.ts";
import {
  type AsyncFileHandle,
  type AsyncFileSystem,
  type DirentSink,
  type FileHandle,
  type FileSystem,
  type IoResult,
  isPromise,
  type MaybeAsync,
  newStat,
  type OpenFlags,
  type Stat,
} from "./fs/types.ts";

/**
 * Most bytes one read of an async filesystem moves (a larger read is short, as POSIX allows): the bytes go through a
 * buffer of the log's own, never guest memory, so this bounds what one waiting read holds (decisions.md#async-filesystems).
 */
export const ASYNC_READ_MAX = 16 << 20;
/** A read buffer larger than this is not kept for the next call. */
const KEEP_BUFFER = 1 << 20;

/** The backend calls, as logged. */
const Op = {
  OPEN: 1,
  STAT: 2,
  MKDIR: 3,
  RMDIR: 4,
  UNLINK: 5,
  RENAME: 6,
  LINK: 7,
  SYMLINK: 8,
  READLINK: 9,
  UTIMES: 10,
  READ: 11,
  WRITE: 12,
  SEEK: 13,
  HSTAT: 14,
  TRUNCATE: 15,
  SYNC: 16,
  DATASYNC: 17,
  READDIR: 18,
  SET_APPEND: 19,
  HUTIMES: 20,
} as const;
/** The calls that answer an IoResult (a failure is a negated errno). */
const IO_OPS = (1 << Op.READ) | (1 << Op.WRITE) | (1 << Op.SEEK);

/** Which call of which attempt the State is in: `call` moves at each new WASI call, `retry` at each retry of it. */
export interface CallSeq {
  readonly call: number;
  readonly retry: number;
}

/** One backend call: what was asked (the key) and what the backend answered. Reused from call to call. */
class Entry {
  op = 0;
  /** The backend filesystem or handle asked. */
  target: object | null = null;
  a = "";
  b = "";
  n1 = 0;
  n2 = 0;
  settled = false;
  /** The answer: an errno, an IoResult, a string (readlink) or a backend handle (open). */
  result: unknown = 0;
  promise: PromiseLike<unknown> | null = null;
  /** Changes whenever the entry is reused, so a promise settling late knows it is no longer wanted. */
  gen = 0;
  /** A handle answer was returned to a caller (then it is the caller's to close). */
  delivered = false;
  /** Skipped by a retry that went another way: never answered again. */
  dead = false;
  /** The handle answer as the calls see it. */
  handle: ReplayHandle | null = null;
  /** stat answers (the backend fills the entry's own). */
  stat: Stat | null = null;
  /** read answers (the backend fills the log's buffer, never guest memory). */
  bytes: Uint8Array | null = null;
  /** readdir answers, in order: names, filetypes, inodes. */
  names: string[] | null = null;
  types: number[] | null = null;
  inos: bigint[] | null = null;
}

let generation = 0;
const noop = () => {};

/** Closes a backend handle nobody will use, ignoring what it answers. */
function discard(h: unknown): void {
  if (typeof h !== "object" || h === null || typeof (h as AsyncFileHandle).close !== "function") return;
  try {
    const r = (h as AsyncFileHandle).close();
    if (isPromise(r)) r.then(noop, noop);
  } catch { /* it is gone either way */ }
}

/** Whether `v` is an answer the seam allows for `op` (a backend breaking the contract reads as EIO). */
function valid(op: number, v: unknown): boolean {
  if (typeof v === "number") return Number.isInteger(v);
  if (op === Op.READLINK) return typeof v === "string";
  return op === Op.OPEN && typeof v === "object" && v !== null;
}

/**
 * The log of one State's backend calls in the current WASI call (shared by all its async filesystems, in order). The
 * first attempt makes each call live and logs its answer; when one answers a promise, the WASI call answers PENDING
 * and its retry gets the logged answers back, in order, so it goes on past the point where it waited:
 *
 * ```
 *   attempt 0:  stat a ✓  stat a/b ✓  open a/b → promise → PENDING        (log: stat, stat, open…)
 *   attempt 1:  stat a ←log  stat a/b ←log  open a/b ←log (settled) → the call goes on, live from here
 * ```
 *
 * A retry that asks something the log does not hold at its place looks further down the log for the same question
 * (a cache above the seam may skip a call: a directory fd's handle is opened once), and when nothing matches, the call
 * goes live from there: an answer is only ever given to the very question it answered (decisions.md#async-filesystems).
 */
export class ReplayLog {
  readonly #seq: CallSeq;
  #call = -1;
  #retry = -1;
  readonly #entries: Entry[] = [];
  #length = 0;
  #cursor = 0;
  /** The read buffer of the first read of a call (the next reads of the same call get their own). */
  #buf: Uint8Array = new Uint8Array(0);
  #bufTaken = false;

  constructor(seq: CallSeq) {
    this.#seq = seq;
  }

  /** The logged answer to this question in this attempt, or null (then `push` it and ask the backend). */
  find(op: number, target: object, a: string, b: string, n1: number, n2: number): Entry | null {
    const seq = this.#seq;
    if (seq.call !== this.#call) {
      this.clear();
      this.#call = seq.call;
      this.#retry = seq.retry;
    } else if (seq.retry !== this.#retry) {
      this.#retry = seq.retry;
      this.#cursor = 0;
    }
    const entries = this.#entries;
    for (let j = this.#cursor; j < this.#length; j++) {
      const e = entries[j];
      if (
        e.op === op && e.target === target && e.a === a && e.b === b && e.n1 === n1 && e.n2 === n2 && !e.dead
      ) {
        for (let k = this.#cursor; k < j; k++) entries[k].dead = true;
        this.#cursor = j + 1;
        return e;
      }
    }
    for (let k = this.#cursor; k < this.#length; k++) entries[k].dead = true; // diverged: live from here
    this.#cursor = this.#length;
    return null;
  }

  /** A new entry at the end of the log for a call about to be made live. */
  push(op: number, target: object, a: string, b: string, n1: number, n2: number): Entry {
    let e = this.#entries[this.#length];
    if (e === undefined) this.#entries.push(e = new Entry());
    e.op = op;
    e.target = target;
    e.a = a;
    e.b = b;
    e.n1 = n1;
    e.n2 = n2;
    e.settled = false;
    e.result = 0;
    e.promise = null;
    e.gen = ++generation;
    e.delivered = false;
    e.dead = false;
    e.handle = null;
    e.bytes = null;
    e.names = e.types = e.inos = null;
    this.#length++;
    this.#cursor = this.#length;
    return e;
  }

  /** Logs the backend's answer `r` to `e`: now when it is a value, when it settles when it is a promise. */
  answer(e: Entry, r: MaybeAsync<unknown>): void {
    if (!isPromise(r)) {
      e.result = valid(e.op, r) ? r : this.#failure(e.op);
      e.settled = true;
      return;
    }
    const gen = e.gen;
    e.promise = Promise.resolve(r).then(
      (v) => {
        if (e.gen !== gen) return discard(v); // the call it was for is over: a handle nobody will get is closed
        e.result = valid(e.op, v) ? v : this.#failure(e.op);
        e.settled = true;
      },
      () => {
        if (e.gen !== gen) return;
        e.result = this.#failure(e.op);
        e.settled = true;
      },
    );
  }

  /** PENDING until `e` settles (registered as what the current call waits for). */
  wait(e: Entry): Errno {
    return pending(e.promise!);
  }

  /** A buffer for a read of `n` bytes, owned by the log until the next WASI call. */
  readBuffer(n: number): Uint8Array {
    if (this.#bufTaken) return new Uint8Array(n);
    this.#bufTaken = true;
    if (this.#buf.length < n) this.#buf = new Uint8Array(Math.min(Math.max(n, this.#buf.length * 2), ASYNC_READ_MAX));
    return this.#buf.subarray(0, n);
  }

  /**
   * Forgets the log (a new WASI call, or the guest is done): a handle that an open answered after its call stopped
   * waiting for it, and that no call got, is closed.
   */
  clear(): void {
    for (let j = 0; j < this.#length; j++) {
      const e = this.#entries[j];
      if (e.op === Op.OPEN && e.settled && !e.delivered) discard(e.result);
      if (!e.settled) {
        // A backend still out may yet write into what it was given: that Stat and buffer are never reused.
        e.stat = null;
        if (e.bytes !== null && e.bytes.buffer === this.#buf.buffer) this.#buf = new Uint8Array(0);
      }
      e.gen = 0; // a promise still out finds its entry gone
      e.target =
        e.handle =
        e.promise =
        e.bytes =
          null;
      e.names = e.types = e.inos = null;
      e.result = 0;
    }
    this.#length = this.#cursor = 0;
    this.#bufTaken = false;
    if (this.#buf.length > KEEP_BUFFER) this.#buf = new Uint8Array(0);
  }

  #failure(op: number): number {
    return (IO_OPS & (1 << op)) !== 0 ? -Errno.IO : Errno.IO;
  }
}

/** The open flags as one number, for the log's key (the flags object itself is the caller's scratch). */
function flagBits(f: OpenFlags): number {
  return (f.read ? 1 : 0) | (f.write ? 2 : 0) | (f.create ? 4 : 0) | (f.exclusive ? 8 : 0) | (f.truncate ? 16 : 0) |
    (f.append ? 32 : 0) | (f.directory ? 64 : 0);
}

function copyStat(from: Stat, to: Stat): void {
  to.dev = from.dev;
  to.ino = from.ino;
  to.filetype = from.filetype;
  to.nlink = from.nlink;
  to.size = from.size;
  to.atimNs = from.atimNs;
  to.mtimNs = from.mtimNs;
  to.ctimNs = from.ctimNs;
}

/** An errno answer of entry `e`, or PENDING while it is out. */
function errnoOf(log: ReplayLog, e: Entry): Errno {
  return e.settled ? e.result as Errno : log.wait(e);
}

/**
 * An async filesystem as the calls see it: the synchronous seam, answering PENDING while the backend's promise is out
 * (one per State and filesystem, so that two instances sharing a filesystem never share a log).
 */
export class ReplayFs implements FileSystem {
  readonly #fs: AsyncFileSystem;
  readonly #log: ReplayLog;

  constructor(fs: AsyncFileSystem, log: ReplayLog) {
    this.#fs = fs;
    this.#log = log;
  }

  open(path: string, flags: OpenFlags): FileHandle | Errno {
    const log = this.#log, bits = flagBits(flags), seen = flags.seen ?? -1;
    let e = log.find(Op.OPEN, this.#fs, path, "", bits, seen);
    if (e === null) {
      e = log.push(Op.OPEN, this.#fs, path, "", bits, seen);
      log.answer(e, this.#fs.open(path, flags));
    }
    if (!e.settled) return log.wait(e);
    if (typeof e.result === "number") return e.result as Errno;
    e.delivered = true;
    return e.handle ??= new ReplayHandle(e.result as AsyncFileHandle, log);
  }

  stat(path: string, out: Stat, follow: boolean): Errno {
    const log = this.#log;
    let e = log.find(Op.STAT, this.#fs, path, "", follow ? 1 : 0, 0);
    if (e === null) {
      e = log.push(Op.STAT, this.#fs, path, "", follow ? 1 : 0, 0);
      log.answer(e, this.#fs.stat(path, e.stat ??= newStat(), follow));
    }
    if (!e.settled) return log.wait(e);
    if (e.result === Errno.SUCCESS) copyStat(e.stat!, out);
    return e.result as Errno;
  }

  mkdir(path: string): Errno {
    return this.#simple(Op.MKDIR, path, "");
  }

  rmdir(path: string): Errno {
    return this.#simple(Op.RMDIR, path, "");
  }

  unlink(path: string): Errno {
    return this.#simple(Op.UNLINK, path, "");
  }

  rename(from: string, to: string): Errno {
    return this.#simple(Op.RENAME, from, to);
  }

  link(from: string, to: string): Errno {
    return this.#simple(Op.LINK, from, to);
  }

  symlink(target: string, path: string): Errno {
    return this.#simple(Op.SYMLINK, target, path);
  }

  readlink(path: string): string | Errno {
    const log = this.#log;
    let e = log.find(Op.READLINK, this.#fs, path, "", 0, 0);
    if (e === null) {
      e = log.push(Op.READLINK, this.#fs, path, "", 0, 0);
      log.answer(e, this.#fs.readlink(path));
    }
    return e.settled ? e.result as string | Errno : log.wait(e);
  }

  /** The times are not part of the question: `*_NOW` reads the clock again on a retry (the guest's values do not change). */
  utimes(path: string, atimNs: bigint | null, mtimNs: bigint | null, follow: boolean): Errno {
    const log = this.#log;
    let e = log.find(Op.UTIMES, this.#fs, path, "", follow ? 1 : 0, 0);
    if (e === null) {
      e = log.push(Op.UTIMES, this.#fs, path, "", follow ? 1 : 0, 0);
      log.answer(e, this.#fs.utimes(path, atimNs, mtimNs, follow));
    }
    return errnoOf(log, e);
  }

  #simple(op: number, a: string, b: string): Errno {
    const log = this.#log, fs = this.#fs;
    let e = log.find(op, fs, a, b, 0, 0);
    if (e === null) {
      e = log.push(op, fs, a, b, 0, 0);
      log.answer(
        e,
        op === Op.MKDIR
          ? fs.mkdir(a)
          : op === Op.RMDIR
          ? fs.rmdir(a)
          : op === Op.UNLINK
          ? fs.unlink(a)
          : op === Op.RENAME
          ? fs.rename(a, b)
          : op === Op.LINK
          ? fs.link(a, b)
          : fs.symlink(a, b),
      );
    }
    return errnoOf(log, e);
  }
}

/** A handle of an async filesystem as the calls see it (through its State's log). */
class ReplayHandle implements FileHandle {
  readonly #h: AsyncFileHandle;
  readonly #log: ReplayLog;

  constructor(h: AsyncFileHandle, log: ReplayLog) {
    this.#h = h;
    this.#log = log;
  }

  read(dst: Uint8Array, pos?: number): IoResult {
    const log = this.#log, h = this.#h, want = Math.min(dst.length, ASYNC_READ_MAX), at = pos ?? -1;
    let e = log.find(Op.READ, h, "", "", want, at);
    if (e === null) {
      e = log.push(Op.READ, h, "", "", want, at);
      const buf = e.bytes = log.readBuffer(want);
      log.answer(e, pos === undefined ? h.read(buf) : h.read(buf, pos));
    }
    if (!e.settled) return -log.wait(e);
    const n = e.result as number;
    if (n > want) return -Errno.IO; // more than was asked: a backend bug, never bytes past the buffer
    if (n > 0) dst.set(e.bytes!.subarray(0, n));
    return n;
  }

  write(src: Uint8Array, pos?: number): IoResult {
    const log = this.#log, h = this.#h, at = pos ?? -1;
    let e = log.find(Op.WRITE, h, "", "", src.length, at);
    if (e === null) {
      e = log.push(Op.WRITE, h, "", "", src.length, at);
      log.answer(e, pos === undefined ? h.write(src) : h.write(src, pos));
    }
    return e.settled ? e.result as number : -log.wait(e);
  }

  seek(offset: number, whence: Whence): IoResult {
    const log = this.#log, h = this.#h;
    let e = log.find(Op.SEEK, h, "", "", offset, whence);
    if (e === null) {
      e = log.push(Op.SEEK, h, "", "", offset, whence);
      log.answer(e, h.seek(offset, whence));
    }
    return e.settled ? e.result as number : -log.wait(e);
  }

  stat(out: Stat): Errno {
    const log = this.#log, h = this.#h;
    let e = log.find(Op.HSTAT, h, "", "", 0, 0);
    if (e === null) {
      e = log.push(Op.HSTAT, h, "", "", 0, 0);
      log.answer(e, h.stat(e.stat ??= newStat()));
    }
    if (!e.settled) return log.wait(e);
    if (e.result === Errno.SUCCESS) copyStat(e.stat!, out);
    return e.result as Errno;
  }

  truncate(size: number): Errno {
    return this.#simple(Op.TRUNCATE, size);
  }

  sync(): Errno {
    return this.#simple(Op.SYNC, 0);
  }

  datasync(): Errno {
    return this.#simple(Op.DATASYNC, 0);
  }

  setAppend(on: boolean): Errno {
    return this.#simple(Op.SET_APPEND, on ? 1 : 0);
  }

  utimes(atimNs: bigint | null, mtimNs: bigint | null): Errno {
    const log = this.#log, h = this.#h;
    let e = log.find(Op.HUTIMES, h, "", "", 0, 0);
    if (e === null) {
      e = log.push(Op.HUTIMES, h, "", "", 0, 0);
      log.answer(e, h.utimes(atimNs, mtimNs));
    }
    return errnoOf(log, e);
  }

  /** Not logged and not waited for: fd_close answers at once (decisions.md#async-filesystems). */
  close(): Errno {
    const r = this.#h.close();
    if (!isPromise(r)) return r;
    r.then(noop, noop);
    return Errno.SUCCESS;
  }

  /**
   * The backend lists into the entry (and, while it answers synchronously, straight on into `out`, stopping when `out`
   * does); a listing that came by promise is given to `out` from the entry on the retry.
   */
  readdir(cookie: bigint, out: DirentSink): Errno {
    const log = this.#log, h = this.#h, c = Number(cookie);
    let e = log.find(Op.READDIR, h, "", "", c, 0);
    if (e === null) {
      e = log.push(Op.READDIR, h, "", "", c, 0);
      const names: string[] = e.names = [], types: number[] = e.types = [], inos: bigint[] = e.inos = [];
      let now = true, stopped = false;
      const r = h.readdir(cookie, (name, type, ino) => {
        names.push(name);
        types.push(type);
        inos.push(ino);
        if (!now) return true; // listing into the entry after a promise: all of it, the retry's `out` picks
        if (!stopped && !out(name, type, ino)) stopped = true;
        return !stopped;
      });
      now = false;
      log.answer(e, r);
      if (!isPromise(r)) return e.result as Errno; // `out` has had its entries already
    }
    if (!e.settled) return log.wait(e);
    if (e.result !== Errno.SUCCESS) return e.result as Errno;
    const names = e.names!, types = e.types!, inos = e.inos!;
    for (let i = 0; i < names.length; i++) if (!out(names[i], types[i] as never, inos[i])) break;
    return Errno.SUCCESS;
  }

  #simple(op: number, n: number): Errno {
    const log = this.#log, h = this.#h;
    let e = log.find(op, h, "", "", n, 0);
    if (e === null) {
      e = log.push(op, h, "", "", n, 0);
      log.answer(
        e,
        op === Op.TRUNCATE
          ? h.truncate(n)
          : op === Op.SYNC
          ? h.sync()
          : op === Op.DATASYNC
          ? h.datasync()
          : h.setAppend(n !== 0),
      );
    }
    return errnoOf(log, e);
  }
}
