// Host-call tracing: wraps import functions so that each call prints one strace-like line (decisions.md#tracing).

import {
  ClockId,
  EventRwFlags,
  EventType,
  FdFlags,
  Filetype,
  FstFlags,
  LookupFlags,
  OFlags,
  PreopenType,
  RiFlags,
  Rights,
  RIGHTS_ALL,
  SdFlags,
  SubclockFlags,
  Whence,
  WHENCE_FROM_P0,
} from "./abi/consts.ts";
import { PENDING } from "./pending.ts";
import { Errno, errnoName } from "./abi/errno.ts";
import {
  DIRENT,
  EVENT,
  FDSTAT,
  FILESTAT,
  FILESTAT_P0,
  type FilestatLayout,
  IOVEC,
  PRESTAT,
  SUBSCRIPTION,
  SUBSCRIPTION_P0,
  type SubscriptionLayout,
} from "./abi/layout.ts";
import { DirDescriptor } from "./fd_table.ts";
import type { GuestMemory } from "./memory.ts";
import type { State } from "./state.ts";
import { outputStream } from "./stdio.ts";

/** A scope of host-call tracing. */
export type TraceScope = "all" | "args" | "clock" | "fd" | "path" | "poll" | "proc" | "random" | "sock";

/** Where trace lines go and which calls are traced. */
export interface TraceOptions {
  /** Receives each line, without a trailing newline. Default: written synchronously to the host's stderr. */
  sink?: (line: string) => void;
  /** Which families to trace; default ["all"]. */
  scopes?: readonly TraceScope[];
}

/** The `trace` option of `new Wasi()` when tracing is on. */
export type TraceOption = true | ((line: string) => void) | TraceOptions;

/** Every scope, in the order the docs list them. */
export const TRACE_SCOPES: readonly TraceScope[] = [
  "all",
  "args",
  "clock",
  "fd",
  "path",
  "poll",
  "proc",
  "random",
  "sock",
];

const SCOPE_LIST = TRACE_SCOPES.join(", ");

/**
 * Parses a comma-separated list of trace scopes (`"fd,path"`), as `--trace=fd,path` takes it.
 * Throws a `TypeError` naming the first unknown scope (an empty item included).
 *
 * @example
 * ```ts
 * import { parseTraceScopes, Wasi } from "@hostcall/wasi";
 * const wasi = new Wasi({ trace: { scopes: parseTraceScopes("fd,path") } });
 * ```
 */
export function parseTraceScopes(text: string): TraceScope[] {
  const out: TraceScope[] = [];
  for (const item of String(text).split(",")) {
    const scope = item.trim();
    if (!(TRACE_SCOPES as readonly string[]).includes(scope)) {
      throw new TypeError(`unknown trace scope ${JSON.stringify(scope)} (scopes: ${SCOPE_LIST})`);
    }
    if (!out.includes(scope as TraceScope)) out.push(scope as TraceScope);
  }
  return out;
}

/** Checks `options.trace` (a `TypeError` names what is wrong); undefined and booleans are fine. */
export function checkTraceOption(v: unknown): void {
  if (v === undefined || typeof v === "boolean" || typeof v === "function") return;
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new TypeError("options.trace must be true, false, a function (line) => void or { sink?, scopes? }");
  }
  const { sink, scopes } = v as Record<string, unknown>;
  if (sink !== undefined && typeof sink !== "function") {
    throw new TypeError("options.trace.sink must be a function (line) => void");
  }
  if (scopes === undefined) return;
  if (!Array.isArray(scopes)) throw new TypeError(`options.trace.scopes must be an array of scopes (${SCOPE_LIST})`);
  for (const s of scopes) {
    if (!(TRACE_SCOPES as readonly unknown[]).includes(s)) {
      throw new TypeError(`options.trace.scopes: unknown scope ${JSON.stringify(s)} (scopes: ${SCOPE_LIST})`);
    }
  }
}

/** The scope a WASI function belongs to. */
export function scopeOf(name: string): TraceScope {
  if (name.startsWith("args_") || name.startsWith("environ_")) return "args";
  if (name === "poll_oneoff" || name === "sched_yield") return "poll";
  if (name === "random_get") return "random";
  return name.slice(0, name.indexOf("_")) as TraceScope; // clock_, fd_, path_, proc_, sock_
}

/** An import table of one module name. */
export type ImportTable = Record<string, (...args: never[]) => unknown>;
/** Both import tables, as `makeImports` builds them. */
export interface ImportTables {
  wasi_snapshot_preview1: ImportTable;
  wasi_unstable: ImportTable;
}

/**
 * Wraps the functions of the selected scopes so that each call emits one line; every other
 * function is returned as it is (the same object), so an unselected call costs nothing.
 */
export function traceImports<T extends ImportTables>(imports: T, s: State, option: TraceOption): T {
  const opts: TraceOptions = option === true ? {} : typeof option === "function" ? { sink: option } : option;
  const scopes = opts.scopes ?? ["all"];
  const selected = (name: string) => scopes.includes("all") || scopes.includes(scopeOf(name));
  const emit = guardedSink(opts.sink ?? stderrSink());
  return {
    ...imports,
    wasi_snapshot_preview1: wrapTable(imports.wasi_snapshot_preview1, new Tracer(s, P1), selected, emit, ""),
    wasi_unstable: wrapTable(imports.wasi_unstable, new Tracer(s, P0), selected, emit, "wasi_unstable."),
  } as T;
}

function wrapTable(
  table: ImportTable,
  t: Tracer,
  selected: (name: string) => boolean,
  emit: (line: string) => void,
  prefix: string,
): ImportTable {
  const out: ImportTable = {};
  for (const [name, fn] of Object.entries(table)) {
    const dec = DECODERS[name];
    out[name] = dec !== undefined && selected(name) ? traced(prefix + name, fn, dec, t, emit) : fn;
  }
  return out;
}

/**
 * One traced function. Arguments are decoded before the call (inputs such as paths and iovecs),
 * results after it, only on success. The return value and any exception pass through unchanged.
 */
function traced(
  name: string,
  fn: (...args: never[]) => unknown,
  dec: Decoder,
  t: Tracer,
  emit: (line: string) => void,
): (...args: never[]) => unknown {
  const call = fn as (...args: unknown[]) => unknown;
  return (...a: unknown[]): unknown => {
    const head = `${name}(${attempt(dec.args, t, a)})`;
    if (dec.noReturn) { // proc_exit: the line goes out before the call, which never returns
      emit(head);
      return call(...a);
    }
    let r: unknown;
    try {
      r = call(...a);
    } catch (err) {
      emit(`${head} = ? (threw ${thrown(err)})`);
      throw err;
    }
    if (r === PENDING) return r; // async mode: the call waits and runs again; the line comes with its answer
    const out = r === Errno.SUCCESS && dec.out !== undefined ? " " + attempt(dec.out, t, a) : "";
    emit(`${head} = ${errnoText(r)}${out}`);
    return r;
  };
}

/** Runs a decoder; whatever goes wrong in it becomes text, never an exception in the guest's call. */
function attempt(f: (t: Tracer, a: Raw) => string, t: Tracer, a: Raw): string {
  try {
    return f(t, a);
  } catch (err) {
    return `<undecodable: ${thrown(err)}>`;
  }
}

function thrown(err: unknown): string {
  try {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  } catch {
    return "?";
  }
}

/** A sink whose exceptions are dropped (decisions.md#tracing): the guest never sees them. */
function guardedSink(sink: (line: string) => void): (line: string) => void {
  let warned = false;
  return (line) => {
    try {
      sink(line);
    } catch (err) {
      if (warned) return;
      warned = true;
      try {
        console.error("hostcall: the trace sink threw; its failed lines are dropped:", err);
      } catch { /* nowhere to report it */ }
    }
  };
}

/** The default sink: each line, newline-terminated, written synchronously to the host's stderr. */
function stderrSink(): (line: string) => void {
  const stderr = outputStream("inherit", 2);
  const utf8 = new TextEncoder();
  return (line) => {
    stderr.write(utf8.encode(line + "\n"));
  };
}

// ---- decoding ------------------------------------------------------------------------------------

/** The raw arguments of an import call: numbers (i32, maybe negative) and bigints (i64). */
type Raw = readonly unknown[];

/** How one function's arguments and results are shown. */
interface Decoder {
  /** The arguments, read before the call. */
  args(t: Tracer, a: Raw): string;
  /** What the call wrote, read after a successful call. */
  out?(t: Tracer, a: Raw): string;
  /** The call never returns (proc_exit): its line is emitted before it. */
  noReturn?: true;
}

/** A string longer than this many bytes is cut and followed by `...`. */
const MAX_STRING = 256;
/** Lists (argv, dirents, subscriptions, events) show this many items, then `...`. */
const MAX_ITEMS = 16;
const BAD = "<bad ptr>";

/** Names by value, from a const object of the ABI (`{ REALTIME: 0, ... }`). */
function namesOf(o: Readonly<Record<string, number>>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(o)) out[v] = k;
  return out;
}

/** Name tables the trace uses; `tests/trace.test.ts` checks each against the witx files. */
export const TRACE_NAMES = {
  clockid: namesOf(ClockId),
  whence: namesOf(Whence),
  /** Preview0 numbers whence CUR=0, END=1, SET=2. */
  whenceP0: WHENCE_FROM_P0.map((w) => namesOf(Whence)[w]),
  filetype: namesOf(Filetype),
  eventtype: namesOf(EventType),
  preopentype: namesOf(PreopenType),
  /** `$advice`, in spec order (consts.ts keeps only its maximum). */
  advice: ["NORMAL", "SEQUENTIAL", "RANDOM", "WILLNEED", "DONTNEED", "NOREUSE"],
  /** `$signal`, in spec order. */
  signal: ("NONE HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM CHLD CONT STOP TSTP " +
    "TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH POLL PWR SYS").split(" "),
  /** `$roflags`. */
  roflags: { RECV_DATA_TRUNCATED: 1 },
} as const;

const u = (x: unknown): number => (x as number) >>> 0;
const u64 = (x: unknown): string => typeof x === "bigint" ? String(BigInt.asUintN(64, x)) : String(x);
const s64 = (x: unknown): string => typeof x === "bigint" ? String(BigInt.asIntN(64, x)) : String(x);
const named = (names: readonly string[], v: number): string => names[v] ?? String(v);

/** Flag names joined by `|`; bits without a name as hex; `0` when none is set. */
function flags(v: number, table: Readonly<Record<string, number>>): string {
  if (v === 0) return "0";
  const parts: string[] = [];
  let rest = v;
  for (const [k, bit] of Object.entries(table)) {
    if ((v & bit) !== 0) {
      parts.push(k);
      rest &= ~bit;
    }
  }
  if (rest !== 0) parts.push(`0x${(rest >>> 0).toString(16)}`);
  return parts.join("|");
}

/** How many bits of `v` are set. */
function bitCount(v: number): number {
  let n = 0;
  for (; v !== 0; v &= v - 1) n++;
  return n;
}

/**
 * `$rights` (u64): every defined bit is `ALL`; a set with more bits than it lacks is `ALL&~(…)`,
 * naming what is missing; bits past the defined ones as hex.
 */
function rights(x: unknown): string {
  if (typeof x !== "bigint") return String(x);
  const v = BigInt.asUintN(64, x);
  const low = Number(v & BigInt(RIGHTS_ALL));
  const high = v & ~BigInt(RIGHTS_ALL);
  const missing = RIGHTS_ALL & ~low;
  const names = missing === 0
    ? "ALL"
    : bitCount(missing) < bitCount(low)
    ? `ALL&~${bitCount(missing) === 1 ? flags(missing, Rights) : `(${flags(missing, Rights)})`}`
    : flags(low, Rights);
  if (high === 0n) return names;
  return `${low === 0 ? "" : names + "|"}0x${high.toString(16)}`;
}

/** An errno as strace shows it: `SUCCESS`, `EBADF`, …; a non-errno value as it is. */
function errnoText(r: unknown): string {
  return typeof r === "number" ? errnoName(r) : String(r);
}

/** The length of the valid UTF-8 sequence at `i`, or 0 when the byte there starts none. */
function utf8Length(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const ok1 = c === 0xe0 ? cont(1, 0xa0) : c === 0xed ? cont(1, 0x80, 0x9f) : cont(1);
    return ok1 && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const ok1 = c === 0xf0 ? cont(1, 0x90) : c === 0xf4 ? cont(1, 0x80, 0x8f) : cont(1);
    return ok1 && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

const utf8Decoder = new TextDecoder();

/** Bytes as a JSON-quoted string; bytes that are not UTF-8 appear as `\xNN`; `...` after a cut. */
export function quoteBytes(b: Uint8Array, cut: boolean): string {
  let out = '"';
  for (let i = 0; i < b.length;) {
    const n = utf8Length(b, i);
    if (n === 0) {
      out += `\\x${b[i].toString(16).padStart(2, "0")}`;
      i++;
      continue;
    }
    const ch = n === 1 ? String.fromCharCode(b[i]) : utf8Decoder.decode(b.subarray(i, i + n));
    out += JSON.stringify(ch).slice(1, -1);
    i += n;
  }
  return out + '"' + (cut ? "..." : "");
}

/** Bytes `p .. p+len` of memory (which must fit), quoted, cut at MAX_STRING on a character boundary. */
function quoted(m: GuestMemory, p: number, len: number): string {
  let n = Math.min(len, MAX_STRING);
  if (n < len) {
    while (n > 0 && (m.u8(p + n) & 0xc0) === 0x80 && n > MAX_STRING - 3) n--; // not inside a character
  }
  return quoteBytes(m.bytes.subarray(p, p + n), n < len);
}

/** The ABI differences between preview1 and preview0 (wasi_unstable). */
interface Abi {
  whence: readonly string[];
  filestat: FilestatLayout;
  subscription: SubscriptionLayout;
}
const P1: Abi = { whence: TRACE_NAMES.whence, filestat: FILESTAT, subscription: SUBSCRIPTION };
const P0: Abi = { whence: TRACE_NAMES.whenceP0, filestat: FILESTAT_P0, subscription: SUBSCRIPTION_P0 };

/** Reads what a call took and wrote, through the State's GuestMemory, every range checked first. */
class Tracer {
  readonly s: State;
  readonly abi: Abi;
  constructor(s: State, abi: Abi) {
    this.s = s;
    this.abi = abi;
  }

  u32At(p: number): string {
    return this.s.mem.fits(p, 4) ? String(this.s.mem.u32(p)) : BAD;
  }
  u64At(p: number): string {
    return this.s.mem.fits(p, 8) ? String(this.s.mem.u64(p)) : BAD;
  }

  /** A (ptr, len) string argument. */
  str(p: number, len: number): string {
    return this.s.mem.fits(p, len) ? quoted(this.s.mem, p, len) : BAD;
  }

  /** An iovec array: its count and total length, `<bad ptr>` when it or a buffer lies outside memory. */
  iovs(p: number, n: number): string {
    const m = this.s.mem;
    if (!m.fits(p, n * IOVEC.size)) return BAD;
    let total = 0, bad = false;
    for (let i = 0; i < n; i++) {
      const at = p + i * IOVEC.size;
      const len = m.u32(at + IOVEC.bufLen);
      if (!m.fits(m.u32(at + IOVEC.buf), len)) bad = true;
      total += len;
    }
    return bad ? `[${n} iovecs, ${total} bytes, ${BAD}]` : `[${n} iovecs, ${total} bytes]`;
  }

  /** The strings args_get/environ_get wrote: `count` pointers at `p`, each to a NUL-terminated string. */
  cstrings(p: number, count: number): string {
    const m = this.s.mem;
    if (!m.fits(p, count * 4)) return BAD;
    const items: string[] = [];
    for (let i = 0; i < Math.min(count, MAX_ITEMS); i++) {
      const at = m.u32(p + i * 4);
      if (!m.fits(at, 1)) {
        items.push(BAD);
        continue;
      }
      const end = Math.min(m.bytes.length, at + MAX_STRING + 1);
      const nul = m.bytes.subarray(at, end).indexOf(0);
      items.push(quoted(m, at, nul < 0 ? end - at : nul));
    }
    return list(items, count);
  }

  filestat(p: number): string {
    const m = this.s.mem, L = this.abi.filestat;
    if (!m.fits(p, L.size)) return BAD;
    const nlink = L.nlinkSize === 8 ? m.u64(p + L.nlink) : m.u32(p + L.nlink);
    return `{dev=${m.u64(p + L.dev)}, ino=${m.u64(p + L.ino)}, filetype=${
      named(TRACE_NAMES.filetype, m.u8(p + L.filetype))
    }, nlink=${nlink}, size=${m.u64(p + L.fileSize)}, atim=${m.u64(p + L.atim)}, mtim=${m.u64(p + L.mtim)}, ctim=${
      m.u64(p + L.ctim)
    }}`;
  }

  fdstat(p: number): string {
    const m = this.s.mem;
    if (!m.fits(p, FDSTAT.size)) return BAD;
    return `{fs_filetype=${named(TRACE_NAMES.filetype, m.u8(p + FDSTAT.filetype))}, fs_flags=${
      flags(m.u16(p + FDSTAT.flags), FdFlags)
    }, fs_rights_base=${rights(m.u64(p + FDSTAT.rightsBase))}, fs_rights_inheriting=${
      rights(m.u64(p + FDSTAT.rightsInheriting))
    }}`;
  }

  prestat(p: number): string {
    const m = this.s.mem;
    if (!m.fits(p, PRESTAT.size)) return BAD;
    return `{tag=${named(TRACE_NAMES.preopentype, m.u8(p + PRESTAT.tag))}, name_len=${m.u32(p + PRESTAT.nameLen)}}`;
  }

  /** The preopen name fd_prestat_dir_name wrote: as long as the name (the buffer may be longer). */
  preopenName(fd: number, p: number, len: number): string {
    const d = this.s.fds.get(fd);
    const n = d instanceof DirDescriptor && d.preopenName !== null ? Math.min(len, d.preopenName.length) : len;
    return this.str(p, n);
  }

  /** The names of the dirents in `used` bytes at `p`; a last entry cut by the buffer's end is `...`. */
  dirents(p: number, used: number): string {
    const m = this.s.mem;
    if (!m.fits(p, used)) return BAD;
    const names: string[] = [];
    let count = 0, at = 0, cut = false;
    while (at < used) {
      if (at + DIRENT.size > used) {
        cut = true;
        break;
      }
      const len = m.u32(p + at + DIRENT.namlen);
      if (at + DIRENT.size + len > used) {
        cut = true;
        break;
      }
      if (count++ < MAX_ITEMS) names.push(quoted(m, p + at + DIRENT.size, len));
      at += DIRENT.size + len;
    }
    return list(names, count, cut);
  }

  /** poll_oneoff's subscriptions, in this ABI's layout. */
  subscriptions(p: number, n: number): string {
    const m = this.s.mem, L = this.abi.subscription;
    if (!m.fits(p, n * L.size)) return BAD;
    const items: string[] = [];
    for (let i = 0; i < Math.min(n, MAX_ITEMS); i++) {
      const at = p + i * L.size;
      const tag = m.u8(at + L.tag);
      let item = `{userdata=${m.u64(at + L.userdata)}, tag=${named(TRACE_NAMES.eventtype, tag)}`;
      if (tag === EventType.CLOCK) {
        item += `, id=${named(TRACE_NAMES.clockid, m.u32(at + L.clockId))}, timeout=${
          m.u64(at + L.clockTimeout)
        }, precision=${m.u64(at + L.clockPrecision)}, flags=${flags(m.u16(at + L.clockFlags), SubclockFlags)}`;
      } else if (tag === EventType.FD_READ || tag === EventType.FD_WRITE) {
        item += `, fd=${m.u32(at + L.fd)}`;
      }
      items.push(item + "}");
    }
    return list(items, n);
  }

  /** poll_oneoff's events (the same layout in both ABIs). */
  events(p: number, n: number): string {
    const m = this.s.mem;
    if (!m.fits(p, n * EVENT.size)) return BAD;
    const items: string[] = [];
    for (let i = 0; i < Math.min(n, MAX_ITEMS); i++) {
      const at = p + i * EVENT.size;
      const type = m.u8(at + EVENT.type);
      let item = `{userdata=${m.u64(at + EVENT.userdata)}, error=${errnoText(m.u16(at + EVENT.error))}, type=${
        named(TRACE_NAMES.eventtype, type)
      }`;
      if (type === EventType.FD_READ || type === EventType.FD_WRITE) {
        item += `, nbytes=${m.u64(at + EVENT.nbytes)}, flags=${flags(m.u16(at + EVENT.flags), EventRwFlags)}`;
      }
      items.push(item + "}");
    }
    return list(items, n);
  }
}

/** `[a, b, ...]`: the items shown, and `...` when there were more (or the last was cut). */
function list(items: string[], total: number, cut = false): string {
  const more = total > items.length || cut;
  return `[${items.join(", ")}${more ? (items.length > 0 ? ", ..." : "...") : ""}]`;
}

const none = (): string => "";
const path = (t: Tracer, p: unknown, len: unknown): string => t.str(u(p), u(len));

/**
 * Every preview1 function, in spec order: how its arguments and results are shown. Argument names
 * are the spec's, except that a path call's directory fd is `dirfd`; pointers to results are not
 * shown (their values are, after the call), nor pointers of buffers the call fills (their length is).
 */
const DECODERS: Readonly<Record<string, Decoder>> = {
  args_get: { args: none, out: (t, a) => `argv=${t.cstrings(u(a[0]), t.s.args.count)}` },
  args_sizes_get: { args: none, out: (t, a) => `argc=${t.u32At(u(a[0]))}, argv_buf_size=${t.u32At(u(a[1]))}` },
  environ_get: { args: none, out: (t, a) => `environ=${t.cstrings(u(a[0]), t.s.env.count)}` },
  environ_sizes_get: {
    args: none,
    out: (t, a) => `environc=${t.u32At(u(a[0]))}, environ_buf_size=${t.u32At(u(a[1]))}`,
  },
  clock_res_get: {
    args: (_, a) => `id=${named(TRACE_NAMES.clockid, u(a[0]))}`,
    out: (t, a) => `resolution=${t.u64At(u(a[1]))}`,
  },
  clock_time_get: {
    args: (_, a) => `id=${named(TRACE_NAMES.clockid, u(a[0]))}, precision=${u64(a[1])}`,
    out: (t, a) => `time=${t.u64At(u(a[2]))}`,
  },
  fd_advise: {
    args: (_, a) =>
      `fd=${u(a[0])}, offset=${u64(a[1])}, len=${u64(a[2])}, advice=${named(TRACE_NAMES.advice, u(a[3]))}`,
  },
  fd_allocate: { args: (_, a) => `fd=${u(a[0])}, offset=${u64(a[1])}, len=${u64(a[2])}` },
  fd_close: { args: (_, a) => `fd=${u(a[0])}` },
  fd_datasync: { args: (_, a) => `fd=${u(a[0])}` },
  fd_fdstat_get: { args: (_, a) => `fd=${u(a[0])}`, out: (t, a) => `fdstat=${t.fdstat(u(a[1]))}` },
  fd_fdstat_set_flags: { args: (_, a) => `fd=${u(a[0])}, flags=${flags(u(a[1]), FdFlags)}` },
  fd_fdstat_set_rights: {
    args: (_, a) => `fd=${u(a[0])}, fs_rights_base=${rights(a[1])}, fs_rights_inheriting=${rights(a[2])}`,
  },
  fd_filestat_get: { args: (_, a) => `fd=${u(a[0])}`, out: (t, a) => `filestat=${t.filestat(u(a[1]))}` },
  fd_filestat_set_size: { args: (_, a) => `fd=${u(a[0])}, size=${u64(a[1])}` },
  fd_filestat_set_times: {
    args: (_, a) => `fd=${u(a[0])}, atim=${u64(a[1])}, mtim=${u64(a[2])}, fst_flags=${flags(u(a[3]), FstFlags)}`,
  },
  fd_pread: {
    args: (t, a) => `fd=${u(a[0])}, iovs=${t.iovs(u(a[1]), u(a[2]))}, offset=${u64(a[3])}`,
    out: (t, a) => `nread=${t.u32At(u(a[4]))}`,
  },
  fd_prestat_get: { args: (_, a) => `fd=${u(a[0])}`, out: (t, a) => `prestat=${t.prestat(u(a[1]))}` },
  fd_prestat_dir_name: {
    args: (_, a) => `fd=${u(a[0])}, path_len=${u(a[2])}`,
    out: (t, a) => `path=${t.preopenName(u(a[0]), u(a[1]), u(a[2]))}`,
  },
  fd_pwrite: {
    args: (t, a) => `fd=${u(a[0])}, iovs=${t.iovs(u(a[1]), u(a[2]))}, offset=${u64(a[3])}`,
    out: (t, a) => `nwritten=${t.u32At(u(a[4]))}`,
  },
  fd_read: {
    args: (t, a) => `fd=${u(a[0])}, iovs=${t.iovs(u(a[1]), u(a[2]))}`,
    out: (t, a) => `nread=${t.u32At(u(a[3]))}`,
  },
  fd_readdir: {
    args: (_, a) => `fd=${u(a[0])}, buf_len=${u(a[2])}, cookie=${u64(a[3])}`,
    out: (t, a) => {
      const used = t.u32At(u(a[4]));
      return used === BAD ? `bufused=${BAD}` : `bufused=${used}, entries=${t.dirents(u(a[1]), Number(used))}`;
    },
  },
  fd_renumber: { args: (_, a) => `fd=${u(a[0])}, to=${u(a[1])}` },
  fd_seek: {
    args: (t, a) => `fd=${u(a[0])}, offset=${s64(a[1])}, whence=${named(t.abi.whence, u(a[2]))}`,
    out: (t, a) => `newoffset=${t.u64At(u(a[3]))}`,
  },
  fd_sync: { args: (_, a) => `fd=${u(a[0])}` },
  fd_tell: { args: (_, a) => `fd=${u(a[0])}`, out: (t, a) => `offset=${t.u64At(u(a[1]))}` },
  fd_write: {
    args: (t, a) => `fd=${u(a[0])}, iovs=${t.iovs(u(a[1]), u(a[2]))}`,
    out: (t, a) => `nwritten=${t.u32At(u(a[3]))}`,
  },
  path_create_directory: { args: (t, a) => `dirfd=${u(a[0])}, path=${path(t, a[1], a[2])}` },
  path_filestat_get: {
    args: (t, a) => `dirfd=${u(a[0])}, flags=${flags(u(a[1]), LookupFlags)}, path=${path(t, a[2], a[3])}`,
    out: (t, a) => `filestat=${t.filestat(u(a[4]))}`,
  },
  path_filestat_set_times: {
    args: (t, a) =>
      `dirfd=${u(a[0])}, flags=${flags(u(a[1]), LookupFlags)}, path=${path(t, a[2], a[3])}, atim=${u64(a[4])}, mtim=${
        u64(a[5])
      }, fst_flags=${flags(u(a[6]), FstFlags)}`,
  },
  path_link: {
    args: (t, a) =>
      `old_dirfd=${u(a[0])}, old_flags=${flags(u(a[1]), LookupFlags)}, old_path=${path(t, a[2], a[3])}, new_dirfd=${
        u(a[4])
      }, new_path=${path(t, a[5], a[6])}`,
  },
  path_open: {
    args: (t, a) =>
      `dirfd=${u(a[0])}, dirflags=${flags(u(a[1]), LookupFlags)}, path=${path(t, a[2], a[3])}, oflags=${
        flags(u(a[4]), OFlags)
      }, fs_rights_base=${rights(a[5])}, fs_rights_inheriting=${rights(a[6])}, fdflags=${flags(u(a[7]), FdFlags)}`,
    out: (t, a) => `fd=${t.u32At(u(a[8]))}`,
  },
  path_readlink: {
    args: (t, a) => `dirfd=${u(a[0])}, path=${path(t, a[1], a[2])}, buf_len=${u(a[4])}`,
    out: (t, a) => {
      const used = t.u32At(u(a[5]));
      return used === BAD ? `bufused=${BAD}` : `bufused=${used}, target=${t.str(u(a[3]), Number(used))}`;
    },
  },
  path_remove_directory: { args: (t, a) => `dirfd=${u(a[0])}, path=${path(t, a[1], a[2])}` },
  path_rename: {
    args: (t, a) =>
      `dirfd=${u(a[0])}, old_path=${path(t, a[1], a[2])}, new_dirfd=${u(a[3])}, new_path=${path(t, a[4], a[5])}`,
  },
  path_symlink: {
    args: (t, a) => `old_path=${path(t, a[0], a[1])}, dirfd=${u(a[2])}, new_path=${path(t, a[3], a[4])}`,
  },
  path_unlink_file: { args: (t, a) => `dirfd=${u(a[0])}, path=${path(t, a[1], a[2])}` },
  poll_oneoff: {
    args: (t, a) => `in=${t.subscriptions(u(a[0]), u(a[2]))}, nsubscriptions=${u(a[2])}`,
    out: (t, a) => {
      const n = t.u32At(u(a[3]));
      return n === BAD ? `nevents=${BAD}` : `nevents=${n}, out=${t.events(u(a[1]), Number(n))}`;
    },
  },
  proc_exit: { args: (_, a) => `rval=${u(a[0])}`, noReturn: true },
  proc_raise: { args: (_, a) => `sig=${named(TRACE_NAMES.signal, u(a[0]))}` },
  sched_yield: { args: none },
  random_get: { args: (_, a) => `buf_len=${u(a[1])}` },
  sock_accept: {
    args: (_, a) => `fd=${u(a[0])}, flags=${flags(u(a[1]), FdFlags)}`,
    out: (t, a) => `fd=${t.u32At(u(a[2]))}`,
  },
  sock_recv: {
    args: (t, a) => `fd=${u(a[0])}, ri_data=${t.iovs(u(a[1]), u(a[2]))}, ri_flags=${flags(u(a[3]), RiFlags)}`,
    out: (t, a) =>
      `ro_datalen=${t.u32At(u(a[4]))}, ro_flags=${
        t.s.mem.fits(u(a[5]), 2) ? flags(t.s.mem.u16(u(a[5])), TRACE_NAMES.roflags) : BAD
      }`,
  },
  sock_send: {
    args: (t, a) => `fd=${u(a[0])}, si_data=${t.iovs(u(a[1]), u(a[2]))}, si_flags=${u(a[3])}`,
    out: (t, a) => `so_datalen=${t.u32At(u(a[4]))}`,
  },
  sock_shutdown: { args: (_, a) => `fd=${u(a[0])}, how=${flags(u(a[1]), SdFlags)}` },
};

/** The names of the functions the trace decodes (all 46 of preview1), for tests. */
export const TRACED_FUNCTIONS: readonly string[] = Object.keys(DECODERS);
