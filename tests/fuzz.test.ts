// The syscall fuzzer: seeded random calls across every preview1 and preview0 function, on MemoryFs and on two
// host directories (one filesystem), with hostile pointers, lengths, iovecs, flags, fds, paths and i64 values.
//
// Every call must return an errno (0..76), or throw `WasiExit` from proc_exit and nothing else; a failed call must
// leave every guest byte as it was, and a successful one may change only its output ranges (computed before the
// call, from the arguments). After the run, the host outside the preopen (a sibling `outside/` with a canary file,
// and the temp dir itself: names, contents, inodes, sizes, mtimes, ctimes) and a read-only preopen must be exactly
// as they were, and no canary byte may have reached guest memory. The same sequence runs once more through the
// tracer (`trace: sink`): every call must still answer the same errno, with one line per call.
//
// A run is split into segments of SEGMENT calls; each segment is a fresh `Wasi` (and memory) over the same
// filesystems, so closing a preopen early does not leave the rest of the run without directories.
//
// Longer runs: HOSTCALL_FUZZ_ITERS=<calls per world and seed> HOSTCALL_FUZZ_SEEDS=<seed,seed,...>. A failure names
// the seed, the call number and the call, which replay with those two variables.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Errno,
  errnoName,
  type FileSystem,
  Filetype,
  MemoryFs,
  readOnly,
  Wasi,
  WasiExit,
  type WasiOptions,
} from "../mod.ts";
import { SUBSCRIPTION, SUBSCRIPTION_P0, type SubscriptionLayout } from "../src/abi/layout.ts";
import { newStat, openFlags } from "../src/fs/types.ts";
import { type Imports, memoryModule } from "./helpers.ts";
import { PREVIEW0, PREVIEW1 } from "./abi_facts.ts";
import { Prng } from "./prng.ts";

// ---- how much ----

/** Calls per world and seed in CI: the whole file takes 2.5 s on Bun, 5 s on Node, 7 s on Deno (2-core machine). */
const DEFAULT_ITERS = 5000;
const DEFAULT_SEEDS = [0x5eed];
const ITERS = Number(process.env.HOSTCALL_FUZZ_ITERS ?? "") || DEFAULT_ITERS;
const SEEDS = (process.env.HOSTCALL_FUZZ_SEEDS ?? "").split(",").filter((s) => s.trim() !== "").map(Number);
if (SEEDS.some((s) => !Number.isInteger(s))) throw new TypeError("HOSTCALL_FUZZ_SEEDS: a list of integers");
if (SEEDS.length === 0) SEEDS.push(...DEFAULT_SEEDS);
/** How long a host world's seeded tree is left to age (past src/path.ts's 2 s), in ms. */
const AGE_MS = 2100;
/** Calls per fresh Wasi. */
const SEGMENT = 400;
/** A call slower than this fails the run (a guest must not be able to stall the host in one call). */
const SLOW_MS = 2000;
/** HOSTCALL_FUZZ_VERBOSE=1 prints each call before making it (to find a call that hangs). */
const VERBOSE = (process.env.HOSTCALL_FUZZ_VERBOSE ?? "") !== "";
/** HOSTCALL_FUZZ_STATS=1 prints, per function, how often each errno came back. */
const STATS = (process.env.HOSTCALL_FUZZ_STATS ?? "") !== "";

// ---- the guest's view ----

const PAGE = 65536;
const START_PAGES = 2, MAX_PAGES = 4;
const ERRNO_MAX = 76; // NOTCAPABLE, the last $errno
const ARGS = ["fuzz", "two words", "ünïcödé", ""];
const ENV = { HOME: "/", EMPTY: "", K: "v=w" };
const utf8 = new TextEncoder();
const listSize = (xs: string[]) => xs.reduce((n, s) => n + utf8.encode(s).length + 1, 0);
const ARGV_SIZE = listSize(ARGS);
const ENV_LIST = Object.entries(ENV).map(([k, v]) => `${k}=${v}`);
const ENV_SIZE = listSize(ENV_LIST);
const CANARY = "CANARY-9d41c7e2-outside-the-preopen";
/**
 * A name that exists only beside the preopen and is never an argument: seen in guest memory, a listing of the outside
 * leaked (the fuzzer asks for it by a name with the same start, SIBLING_PREFIX, which never matches it whole).
 */
const SIBLING = "SIBLING-5b3f0a.txt";
const SIBLING_PREFIX = "SIBLING-5b3f0a";
const SECRETS = [utf8.encode(CANARY), utf8.encode(SIBLING)];

// ---- the filesystems every world starts with ----

const DEEP = "deep/" + "n/".repeat(15) + "n";
const DIRS = ["dir", "dir/sub", "empty", ...DEEP.split("/").map((_, i, a) => a.slice(0, i + 1).join("/"))];
const FILES: [string, string][] = [
  ["a.txt", "hello\n"],
  ["dir/b.txt", "b".repeat(100)],
  ["dir/sub/c.txt", ""],
  ["big.bin", "0123456789".repeat(500)],
  [DEEP + "/leaf.txt", "leaf"],
];
/** [target, path]: inside, up, out, absolute, loops, dangling, chains. */
const LINKS: [string, string][] = [
  ["dir", "link_dir"],
  ["a.txt", "link_file"],
  ["..", "link_up"],
  [".", "link_self"],
  ["../outside/canary.txt", "link_out"],
  ["../outside", "link_outdir"],
  ["/etc/passwd", "link_abs"],
  ["/", "link_abs_root"],
  ["loop2", "loop1"],
  ["loop1", "loop2"],
  ["nowhere", "dangling"],
  ["..", "dir/link_back"],
  ["../../outside", "dir/link_escape"],
  ["chain2", "chain1"],
  ["chain3", "chain2"],
  ["a.txt", "chain3"],
  ["dir/sub/../../link_up/outside/canary.txt", "link_twisty"],
];

interface Seeder {
  mkdir(p: string): void;
  write(p: string, data: string): void;
  symlink(target: string, p: string): void;
}

function seedTree(s: Seeder): void {
  for (const d of DIRS) s.mkdir(d);
  for (const [p, data] of FILES) s.write(p, data);
  for (const [target, p] of LINKS) s.symlink(target, p);
}

const NOW = 1_700_000_000_123_456_789n;

function seededMemoryFs(): MemoryFs {
  const fs = new MemoryFs({ now: () => NOW });
  seedTree({
    mkdir: (p) => fs.files.mkdir(p, { recursive: true }),
    write: (p, data) => fs.files.writeFile(p, data),
    symlink: (target, p) => assert.equal(fs.symlink(target, p), Errno.SUCCESS, `seeding ${p}`),
  });
  return fs;
}

/** Everything under `fs` (through the seam: links not followed), as comparable data. */
function fsSnapshot(fs: FileSystem): unknown[] {
  const out: unknown[] = [];
  const st = newStat();
  const walk = (dir: string) => {
    const h = fs.open(dir, openFlags({ read: true, directory: true }));
    assert.ok(typeof h !== "number", `open ${dir}`);
    const names: string[] = [];
    h.readdir(0n, (name) => (names.push(name), true));
    h.close();
    for (const name of names.sort()) {
      const p = dir === "" ? name : `${dir}/${name}`;
      assert.equal(fs.stat(p, st, false), Errno.SUCCESS);
      out.push([p, st.filetype, st.ino, st.nlink, st.size, st.mtimNs, st.ctimNs]);
      if (st.filetype === Filetype.SYMBOLIC_LINK) out.push(fs.readlink(p));
      else if (st.filetype === Filetype.DIRECTORY) walk(p);
      else {
        const f = fs.open(p, openFlags({ read: true }));
        assert.ok(typeof f !== "number");
        const buf = new Uint8Array(st.size);
        f.read(buf);
        f.close();
        out.push([...buf].join(","));
      }
    }
  };
  walk("");
  return out;
}

/** What one world gives the guest, and what must not change. */
interface World {
  preopens: Record<string, string | FileSystem>;
  /** Everything the guest must not change, as comparable data. */
  untouchable(): unknown;
  cleanup(): void;
}

function memoryWorld(): World {
  const ro = seededMemoryFs();
  return {
    preopens: { "/sandbox": seededMemoryFs(), "/other": seededMemoryFs(), "/ro": readOnly(ro) },
    untouchable: () => fsSnapshot(ro),
    cleanup: () => {},
  };
}

/**
 * `tmp/root/` and `tmp/other/` are the two host preopens (one filesystem: renames and links between them happen on
 * the host); `tmp/outside/` (the canary) and `tmp/SIBLING` are beside them. `tmp` is made in HOSTCALL_FUZZ_HOSTDIR
 * when set (e.g. /dev/shm: a tmpfs lets files grow past 2^53 bytes), else the temp dir. The seeded tree is left to
 * age past the 2 s after which the sandbox finds a path it checked by identity (src/path.ts), so the run goes through
 * that shortcut from its first calls, as a guest in a real tree does (the MemoryFs worlds' clock is long past).
 */
function hostWorld(): World {
  const parent = process.env.HOSTCALL_FUZZ_HOSTDIR || tmpdir();
  const tmp = realpathSync(mkdtempSync(join(parent, "hostcall-fuzz-")));
  const root = join(tmp, "root"), other = join(tmp, "other"), outside = join(tmp, "outside");
  mkdirSync(join(outside, "sub"), { recursive: true });
  writeFileSync(join(outside, "canary.txt"), CANARY);
  writeFileSync(join(outside, "sub", "inner.txt"), CANARY + "-inner");
  writeFileSync(join(tmp, SIBLING), CANARY + "-sibling");
  for (const dir of [root, other]) {
    mkdirSync(dir);
    seedTree({
      mkdir: (p) => mkdirSync(join(dir, p)),
      write: (p, data) => writeFileSync(join(dir, p), data),
      symlink: (target, p) => symlinkSync(target, join(dir, p)),
    });
  }
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, AGE_MS);
  const ro = seededMemoryFs();
  const hostSnapshot = () => {
    const out: unknown[] = [];
    const entry = (p: string) => {
      const s = lstatSync(p, { bigint: true });
      out.push([p.slice(tmp.length), s.ino, s.mode, s.nlink, s.size, s.mtimeNs, s.ctimeNs]);
      if (s.isSymbolicLink()) out.push(readlinkSync(p));
      else if (s.isFile()) out.push(readFileSync(p, "utf8"));
      else if (s.isDirectory()) {
        for (const name of readdirSync(p).sort()) {
          if (p === tmp && (name === "root" || name === "other")) out.push(`${name}/`);
          else entry(join(p, name));
        }
      }
    };
    entry(tmp);
    return out;
  };
  return {
    preopens: { "/sandbox": root, "/other": other, "/ro": readOnly(ro) },
    untouchable: () => [hostSnapshot(), fsSnapshot(ro)],
    cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

// ---- arguments ----

/** Paths: valid ones, and every hostile shape we know. Arrays are raw bytes (not UTF-8). */
/** Paths a program would use: existing names, and names to create. */
const PATHS: string[] = [
  "a.txt",
  "dir",
  "dir/b.txt",
  "dir/sub",
  "dir/sub/c.txt",
  "empty",
  "big.bin",
  "new",
  "new.txt",
  "newdir",
  "dir/new",
  "empty/x",
  "link_dir",
  "link_dir/b.txt",
  "link_file",
  "chain1",
  "dir/link_back/a.txt",
  DEEP,
  DEEP + "/leaf.txt",
  DEEP + "/x",
  "dir/sub/new.txt",
  "newdir/f",
  "chain2",
];
/** Paths that climb out, loop, dangle, hold NUL or bad UTF-8, or are too long. Arrays are raw bytes. */
const HOSTILE: (string | number[])[] = [
  "outside/canary.txt", // through a directory fd whose path became a symlink climbing out
  "canary.txt",
  "../../outside",
  "",
  ".",
  "./",
  "..",
  "../..",
  "/",
  "//",
  "a/../../x",
  "link_dir/..",
  "link_up/..",
  "link_up/a.txt",
  "link_self/link_self/a.txt",
  "a.txt/",
  "a.txt/.",
  "dir/",
  "dir//b.txt",
  "./dir/./sub/../b.txt",
  "dir/..",
  "dir/../..",
  "dir/sub/../../../x",
  "link_out",
  "link_outdir",
  "link_outdir/canary.txt",
  "link_abs",
  "link_abs_root",
  "link_abs_root/etc/passwd",
  "dir/link_escape",
  "dir/link_escape/canary.txt",
  "link_twisty",
  "loop1",
  "loop1/x",
  "dangling",
  "dangling/",
  "link_file/",
  "/etc/passwd",
  "/a.txt",
  "../outside/canary.txt",
  "../root/a.txt",
  "\0",
  "a.txt\0",
  "dir\0/b.txt",
  " ",
  "ü",
  "\u{1f600}",
  "x".repeat(255),
  "x".repeat(256),
  "x".repeat(4000),
  "é".repeat(128),
  "é".repeat(127) + "x",
  "d/".repeat(100),
  "../".repeat(64) + "etc/passwd",
  "a/".repeat(2000),
  "/".repeat(4097),
  "./".repeat(3000) + "a.txt",
  "dir/" + "../dir/".repeat(500) + "b.txt",
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0x61, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0x61, 0x2f, 0xff, 0x2f, 0x62],
];
const PARTS = [
  "a.txt",
  "dir",
  "sub",
  "..",
  ".",
  "",
  "new",
  "n",
  "link_dir",
  "link_up",
  "link_out",
  "link_self",
  "loop1",
  "dangling",
  "chain1",
  "x".repeat(300),
  "empty",
  "deep",
];
const GOOD_BYTES = PATHS.map((p) => utf8.encode(p));
const HOSTILE_BYTES = HOSTILE.map((p) => typeof p === "string" ? utf8.encode(p) : new Uint8Array(p));

type Arg = number | bigint;

const OFL_CREAT = 1, OFL_DIRECTORY = 2, OFL_EXCL = 4, OFL_TRUNC = 8; // $oflags
const FDF_APPEND = 1, FDF_NONBLOCK = 4; // $fdflags
const RIGHTS_ALL = (1n << 30n) - 1n;
const R_READ = (1n << 1n) | (1n << 2n) | (1n << 5n) | (1n << 14n) | (1n << 21n); // read, seek, tell, readdir, filestat
const R_WRITE = (1n << 6n) | (1n << 22n) | (1n << 23n) | (1n << 8n); // write, set size, set times, allocate
/** Every right but the writing ones (write, allocate, set size): a directory fd that may make every path call. */
const R_DIR = RIGHTS_ALL & ~((1n << 6n) | (1n << 8n) | (1n << 22n));

const I64S = [
  0n,
  1n,
  2n,
  7n,
  4096n,
  65536n,
  2n ** 31n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 62n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 1n,
  -1n,
  -2n,
  -4096n,
  -(2n ** 53n),
  -(2n ** 63n),
];

/** Draws arguments and writes their inputs into guest memory; records where a successful call may write. */
class Gen {
  readonly r: Prng;
  memory: WebAssembly.Memory;
  /** This call's arguments are all plausible (pointers inside memory, small lengths); else anything goes. */
  tame = false;
  /** `[start, end)` ranges the current call may write on success. */
  outs: [number, number][] = [];
  /** During a plan's step: the only descriptor drawn (-1: none forced), and the only paths drawn. */
  force = -1;
  forcePaths: readonly string[] | null = null;
  /** The descriptor the last successful path_open returned. */
  lastOpened = -1;
  /** The descriptors believed open (stdio, the preopens, what path_open and fd_renumber made). */
  open: Set<number> = new Set([0, 1, 2, 3, 4, 5]);

  constructor(r: Prng, memory: WebAssembly.Memory) {
    this.r = r;
    this.memory = memory;
  }

  get size(): number {
    return this.memory.buffer.byteLength;
  }
  #dv(): DataView {
    return new DataView(this.memory.buffer);
  }
  setU32(p: number, v: number): void {
    this.#dv().setUint32(p, v >>> 0, true);
  }
  setU64(p: number, v: bigint): void {
    this.#dv().setBigUint64(p, BigInt.asUintN(64, v), true);
  }

  /** A pointer to `len` bytes: mostly inside memory, else at or past its end, or wild. */
  ptr(len: number): number {
    const m = this.size, r = this.r;
    if (len <= m && (this.tame || r.chance(0.7))) return r.int(m - len + 1);
    return r.pick([
      0,
      1,
      m - len,
      m - len + 1,
      m - len - 1,
      m - 1,
      m,
      m + 1,
      m + PAGE,
      0x7fffffff,
      0x80000000,
      0xfffffff8,
      0xfffffffc,
      0xffffffff,
      r.u32(),
    ]) >>> 0;
  }
  /** An output of `len` bytes: a successful call may write there. */
  out(len: number): number {
    const p = this.ptr(len);
    this.allow(p, len);
    return p;
  }
  allow(p: number, len: number): void {
    if (len > 0) this.outs.push([p, p + len]);
  }
  /** A length: 0, small, the memory's size and around it, huge. */
  len(): number {
    const m = this.size, r = this.r;
    if (this.tame) return Math.min(m, r.pick([0, 1, 2, 3, 8, 24, r.int(64), r.int(300), r.int(4096)]));
    return r.pick([
      0,
      1,
      2,
      3,
      8,
      r.int(64),
      r.int(300),
      r.int(4096),
      r.int(m),
      m,
      m + 1,
      m - 1,
      0x7fffffff,
      0x80000000,
      0xfffffff0,
      0xffffffff,
      r.u32(),
    ]) >>> 0;
  }
  /** A descriptor: mostly one that is open (the runner keeps `open` up to date), else 0-10, else huge. */
  fd(): number {
    if (this.force >= 0) return this.force;
    const r = this.r, k = r.int(100);
    if (k < 65 && this.open.size > 0) return r.pick([...this.open]);
    if (k < 90) return r.int(11);
    return r.pick([
      11,
      12,
      16,
      64,
      1023,
      1024,
      65535,
      65536,
      1 << 20,
      0x7fffffff,
      0x80000000,
      0xfffffffe,
      0xffffffff,
      r.u32(),
    ]);
  }
  /** A directory fd for a path call: mostly a preopen still open, else any `fd()`. */
  dir(): number {
    if (this.force >= 0) return this.force;
    const pre = [3, 4, 5].filter((fd) => this.open.has(fd));
    return pre.length > 0 && this.r.chance(0.7) ? this.r.pick(pre) : this.fd();
  }
  /** Flags: none, valid bits, valid bits plus garbage, or anything. */
  flags(valid: number): number {
    const r = this.r, k = r.int(20);
    if (k < 4) return 0;
    if (k < 15) return r.u32() & valid;
    if (k < 18) return (r.u32() & valid) | (1 << r.int(32));
    return r.u32();
  }
  /** Mostly one of `usual` (combinations a program would pass), else any `flags(valid)`. */
  usual(usual: readonly number[], valid: number): number {
    return this.r.chance(0.75) ? this.r.pick(usual) : this.flags(valid);
  }
  /** A small enum value (clock ids, whence, advice...), sometimes garbage. */
  small(n: number): number {
    const r = this.r;
    return r.chance(0.85) ? r.int(n) : r.pick([n, n + 1, 255, 256, 0x7fffffff, 0xffffffff, r.u32()]);
  }
  i64(): bigint {
    const r = this.r;
    const k = r.int(10);
    if (k < 3) return BigInt(r.int(10000));
    if (k < 4) return r.u64();
    return r.pick(I64S);
  }
  rights(): bigint {
    const r = this.r, k = r.int(10);
    if (k < 3) return RIGHTS_ALL;
    if (k < 4) return R_READ;
    if (k < 5) return R_DIR;
    if (k < 6) return R_READ | R_WRITE;
    if (k < 7) return 0n;
    if (k < 8) return r.u64();
    if (k < 9) return 2n ** 64n - 1n;
    return BigInt(r.u32() & ((1 << 30) - 1));
  }

  /** Puts `bytes` somewhere in memory; returns where. */
  put(bytes: Uint8Array): number {
    const p = bytes.length <= this.size ? this.r.int(this.size - bytes.length + 1) : 0;
    new Uint8Array(this.memory.buffer).set(bytes.subarray(0, this.size - p), p);
    return p;
  }
  /** A path argument (ptr, len): a dictionary path, a composed one, or a wild range. */
  path(): [number, number] {
    const r = this.r;
    if (this.forcePaths !== null) {
      const bytes = utf8.encode(r.pick(this.forcePaths));
      return [this.put(bytes), bytes.length];
    }
    if (!this.tame && r.chance(0.2)) return [this.ptr(16), this.len()];
    let bytes: Uint8Array;
    const k = r.int(10);
    if (k < (this.tame ? 6 : 3)) bytes = r.pick(GOOD_BYTES);
    else if (k < (this.tame ? 8 : 7)) bytes = r.pick(HOSTILE_BYTES);
    else {
      const parts: string[] = [];
      for (let i = r.range(1, 6); i > 0; i--) parts.push(r.pick(PARTS));
      bytes = utf8.encode(parts.join("/"));
    }
    return [this.put(bytes), bytes.length];
  }

  /**
   * An iovec array (ptr, count). Buffers point anywhere: inside memory, over the iovec array itself, over
   * `near` (the call's result pointer), at and past the end, with huge lengths. For a read each buffer is an
   * output of the call.
   */
  iovs(read: boolean, near: number): [number, number] {
    const r = this.r, m = this.size;
    const count = this.tame || r.chance(0.5) ? r.pick([0, 1, 1, 1, 2, 2, 3, 4, 8, 16, 64]) : r.pick([
      1024,
      4096,
      Math.floor(m / 8),
      Math.floor(m / 8) + 1,
      2 ** 28,
      2 ** 29 - 1,
      2 ** 29,
      0x80000000,
      0xffffffff,
      r.u32(),
    ]);
    const at = this.ptr(count * 8);
    if (at + count * 8 > m) return [at, count];
    const dv = this.#dv();
    let buf = 0, len = 0;
    for (let i = 0; i < count; i++) {
      if (i < 64 || i % 512 === 0) { // beyond 64, runs of one repeated small iovec (bounded totals)
        const k = this.tame ? r.int(19) : r.int(24);
        if (k < 15) {
          len = r.pick([0, 1, 5, 16, 64, 65, 300, 4096, r.int(m)]);
          if (i >= 64) len = Math.min(len, 64);
          buf = r.int(m - Math.min(len, m) + 1);
        } else if (k < 17) { // over the iovec array itself
          len = r.range(1, 24);
          buf = Math.max(0, at + r.int(count * 8) - r.int(8));
        } else if (k < 18) { // over the result pointer
          len = r.range(1, 16);
          buf = Math.max(0, (near >>> 0) - r.int(8));
        } else if (k < 19) {
          len = r.range(1, 16);
          buf = m - r.int(len + 1);
        } else {
          [buf, len] = r.pick<[number, number]>([
            [m, 0],
            [m, 1],
            [0xffffffff, 1],
            [0, 0xffffffff],
            [0, m],
            [0, m + 1],
            [r.u32(), r.u32()],
            [r.int(m), 0x80000000],
            [1, m - 1],
          ]);
        }
      }
      dv.setUint32(at + i * 8, buf >>> 0, true);
      dv.setUint32(at + i * 8 + 4, len >>> 0, true);
      if (read) this.allow(buf, len);
    }
    return [at, count];
  }

  /** poll_oneoff's arguments (in, out, n, nevents) with subscriptions in layout `L`. */
  poll(L: SubscriptionLayout): Arg[] {
    const r = this.r, m = this.size;
    const n = this.tame || r.chance(0.5)
      ? r.range(1, 6)
      : r.pick([0, 64, Math.floor(m / L.size) + 1, 2 ** 26, 0xffffffff]);
    const inPtr = this.ptr(n * L.size);
    const outPtr = r.chance(0.1) ? inPtr : this.ptr(n * 32); // the events may be written over the subscriptions
    this.allow(outPtr, n * 32);
    if (inPtr + n * L.size <= m) {
      const bytes = new Uint8Array(this.memory.buffer);
      for (let i = 0; i < n; i++) {
        const p = inPtr + i * L.size;
        if (i >= 16) {
          bytes.copyWithin(p, inPtr, inPtr + L.size);
          continue;
        }
        this.setU64(p + L.userdata, r.u64());
        const tag = r.pick([0, 0, 0, 1, 2, 3, 255]);
        bytes[p + L.tag] = tag;
        if (tag === 0) {
          this.setU32(p + L.clockId, this.small(4));
          this.setU64(
            p + L.clockTimeout,
            r.pick([0n, 1n, 1000n, 1_000_000_000n, 2n ** 63n, 2n ** 64n - 1n, r.u64(), NOW]),
          );
          this.setU64(p + L.clockPrecision, r.u64());
          new DataView(this.memory.buffer).setUint16(p + L.clockFlags, r.pick([0, 1, 2, 3, 0xffff]), true);
        } else this.setU32(p + L.fd, this.fd());
      }
    }
    return [inPtr, outPtr, n, this.out(4)];
  }
}

/** How each function's arguments are drawn, in spec order. `p0`: the wasi_unstable version. */
const GEN: Record<string, (g: Gen, p0: boolean) => Arg[]> = {
  args_get: (g) => [g.out(ARGS.length * 4), g.out(ARGV_SIZE)],
  args_sizes_get: (g) => [g.out(4), g.out(4)],
  environ_get: (g) => [g.out(ENV_LIST.length * 4), g.out(ENV_SIZE)],
  environ_sizes_get: (g) => [g.out(4), g.out(4)],
  clock_res_get: (g) => [g.small(4), g.out(8)],
  clock_time_get: (g) => [g.small(4), g.i64(), g.out(8)],
  fd_advise: (g) => [g.fd(), g.i64(), g.i64(), g.small(6)],
  fd_allocate: (g) => [g.fd(), g.i64(), g.i64()],
  fd_close: (g) => [g.fd()],
  fd_datasync: (g) => [g.fd()],
  fd_fdstat_get: (g) => [g.fd(), g.out(24)],
  fd_fdstat_set_flags: (g) => [g.fd(), g.usual([0, FDF_APPEND, FDF_NONBLOCK, FDF_APPEND | FDF_NONBLOCK], 0x1f)],
  fd_fdstat_set_rights: (g) => [g.fd(), g.rights(), g.rights()],
  fd_filestat_get: (g, p0) => [g.fd(), g.out(p0 ? 56 : 64)],
  fd_filestat_set_size: (g) => [g.fd(), g.i64()],
  fd_filestat_set_times: (g) => [g.fd(), g.i64(), g.i64(), g.flags(0xf)],
  fd_pread: (g) => {
    const fd = g.fd(), res = g.out(4);
    return [fd, ...g.iovs(true, res), g.i64(), res];
  },
  fd_prestat_get: (g) => [g.fd(), g.out(8)],
  fd_prestat_dir_name: (g) => {
    const len = g.len();
    return [g.fd(), g.out(len), len];
  },
  fd_pwrite: (g) => {
    const fd = g.fd(), res = g.out(4);
    return [fd, ...g.iovs(false, res), g.i64(), res];
  },
  fd_read: (g) => {
    const fd = g.fd(), res = g.out(4);
    return [fd, ...g.iovs(true, res), res];
  },
  fd_readdir: (g) => {
    const len = g.len();
    return [g.fd(), g.out(len), len, g.r.chance(0.6) ? BigInt(g.r.int(30)) : g.i64(), g.out(4)];
  },
  fd_renumber: (g) => [g.fd(), g.fd()],
  fd_seek: (g) => [g.fd(), g.i64(), g.small(3), g.out(8)],
  fd_sync: (g) => [g.fd()],
  fd_tell: (g) => [g.fd(), g.out(8)],
  fd_write: (g) => {
    const fd = g.fd(), res = g.out(4);
    return [fd, ...g.iovs(false, res), res];
  },
  path_create_directory: (g) => [g.dir(), ...g.path()],
  path_filestat_get: (g, p0) => [g.dir(), g.flags(1), ...g.path(), g.out(p0 ? 56 : 64)],
  path_filestat_set_times: (g) => [g.dir(), g.flags(1), ...g.path(), g.i64(), g.i64(), g.flags(0xf)],
  path_link: (g) => [g.dir(), g.flags(1), ...g.path(), g.dir(), ...g.path()],
  path_open: (g) => [
    g.dir(),
    g.flags(1),
    ...g.path(),
    g.usual([0, 0, OFL_CREAT, OFL_CREAT, OFL_CREAT | OFL_EXCL, OFL_CREAT | OFL_TRUNC, OFL_TRUNC, OFL_DIRECTORY], 0xf),
    g.rights(),
    g.rights(),
    g.usual([0, 0, 0, FDF_APPEND, FDF_NONBLOCK], 0x1f),
    g.out(4),
  ],
  path_readlink: (g) => {
    const fd = g.dir(), [p, n] = g.path(), len = g.len();
    return [fd, p, n, g.out(len), len, g.out(4)];
  },
  path_remove_directory: (g) => [g.dir(), ...g.path()],
  path_rename: (g) => [g.dir(), ...g.path(), g.dir(), ...g.path()],
  path_symlink: (g) => [...g.path(), g.dir(), ...g.path()],
  path_unlink_file: (g) => [g.dir(), ...g.path()],
  poll_oneoff: (g, p0) => g.poll(p0 ? SUBSCRIPTION_P0 : SUBSCRIPTION),
  proc_exit: (g) => [g.r.chance(0.5) ? g.r.int(256) : g.r.u32()],
  proc_raise: (g) => [g.small(31)],
  sched_yield: () => [],
  random_get: (g) => {
    const len = g.len();
    return [g.out(len), len];
  },
  sock_accept: (g) => [g.fd(), g.flags(0x1f), g.out(4)],
  sock_recv: (g) => {
    const fd = g.fd(), len = g.out(4), fl = g.out(2);
    return [fd, ...g.iovs(true, len), g.flags(3), len, fl];
  },
  sock_send: (g) => {
    const fd = g.fd(), res = g.out(4);
    return [fd, ...g.iovs(false, res), g.flags(3), res];
  },
  sock_shutdown: (g) => [g.fd(), g.flags(3)],
};
const NAMES = Object.keys(GEN);

/** One call of a plan: its function name and arguments, drawn when its turn comes. */
type Step = (g: Gen) => [string, Arg[]];
/** What a directory fd is asked after its path became a symlink climbing out. */
const ESCAPE_PATHS = [
  "outside/canary.txt",
  "canary.txt",
  SIBLING_PREFIX,
  ".",
  "..",
  "outside",
  "../outside/canary.txt",
  "x",
];
const ESCAPE_CALLS = [
  "path_open",
  "path_filestat_get",
  "path_filestat_set_times",
  "fd_readdir",
  "fd_filestat_get",
  "fd_filestat_set_times",
  "path_readlink",
  "path_create_directory",
  "path_unlink_file",
  "path_remove_directory",
  "path_symlink",
  "path_link",
  "path_rename",
];

/**
 * Calls that only make sense together, which random draws almost never line up: a directory fd is opened on
 * `swapK/d`, the guest removes that directory and puts a symlink climbing out at its name, then uses the fd.
 */
function swapPlan(r: Prng, k: number): Step[] {
  const dir = `swap${k}`, sub = `${dir}/d`;
  const target = r.pick([
    "../..",
    "../../..",
    "../../outside",
    "../../root/../outside",
    "/",
    `../../${SIBLING_PREFIX}`,
  ]);
  const at = (g: Gen, text: string): [number, number] => {
    const bytes = utf8.encode(text);
    return [g.put(bytes), bytes.length];
  };
  const steps: Step[] = [
    (g) => ["path_create_directory", [3, ...at(g, dir)]],
    (g) => ["path_create_directory", [3, ...at(g, sub)]],
    (g) => ["path_open", [3, 0, ...at(g, sub), OFL_DIRECTORY, R_DIR, RIGHTS_ALL, 0, g.out(4)]],
    (g) => ["path_remove_directory", [3, ...at(g, sub)]],
    (g) => ["path_symlink", [...at(g, target), 3, ...at(g, sub)]],
  ];
  for (let i = 0; i < 4; i++) {
    steps.push((g) => {
      const name = r.pick(ESCAPE_CALLS);
      g.force = g.lastOpened;
      g.forcePaths = ESCAPE_PATHS;
      try {
        return [name, GEN[name](g, false)];
      } finally {
        g.force = -1;
        g.forcePaths = null;
      }
    });
  }
  return steps;
}
/** How often each function is drawn, relative to 2 (closing and renumbering less: they end the preopens). */
const WEIGHT: Record<string, number> = {
  path_open: 8,
  fd_read: 4,
  fd_write: 4,
  fd_pread: 3,
  fd_pwrite: 3,
  fd_readdir: 4,
  fd_seek: 3,
  path_filestat_get: 3,
  path_create_directory: 3,
  path_rename: 3,
  path_symlink: 3,
  path_link: 3,
  path_readlink: 3,
  path_unlink_file: 3,
  path_remove_directory: 3,
  fd_close: 1,
  fd_renumber: 1,
  proc_exit: 1,
  proc_raise: 1,
  sched_yield: 1,
};
const DRAW = NAMES.flatMap((n) => new Array<string>(WEIGHT[n] ?? 2).fill(n));

// ---- running ----

/** One call as a replayable line. */
function show(mod: string, name: string, args: readonly Arg[]): string {
  return `${mod}.${name}(${
    args.map((a) => typeof a === "bigint" ? `${a}n` : `0x${(a >>> 0).toString(16)}`).join(", ")
  })`;
}

interface RunResult {
  errnos: number[];
  /** "module.name" -> errno name -> count. */
  stats: Map<string, Map<string, number>>;
  calls: number;
  traceLines: number;
  slowestMs: number;
}

function instantiate(wasi: Wasi, pages: number): WebAssembly.Memory {
  const module = new WebAssembly.Module(memoryModule(pages));
  const instance = new WebAssembly.Instance(module, {});
  wasi.initialize(instance);
  return instance.exports.memory as WebAssembly.Memory;
}

/** Runs `iters` random calls with `seed` on `world`; asserts every invariant; returns what each call answered. */
function run(world: World, seed: number, iters: number, traced: boolean): RunResult {
  const r = new Prng(seed);
  const untouchable = world.untouchable();
  const result: RunResult = { errnos: [], stats: new Map(), calls: 0, traceLines: 0, slowestMs: 0 };
  for (let start = 0; start < iters; start += SEGMENT) {
    let t = NOW; // a virtual clock: poll_oneoff sleeps advance it (wrapping below 2^63) instead of blocking
    const rand = new Prng(seed ^ start);
    const options: WasiOptions = {
      args: ARGS,
      env: ENV,
      preopens: world.preopens,
      stdin: (buf: Uint8Array) => {
        const n = Math.min(buf.length, 13);
        buf.fill(0x41, 0, n);
        return n;
      },
      stdout: "null",
      stderr: "null",
      clock: { now: () => t, sleep: (ns: bigint) => void (t = NOW + (t - NOW + ns) % 2n ** 62n) },
      random: (buf: Uint8Array) => rand.fill(buf),
    };
    let counting = true; // the clean-up closes at the end of a segment are not the fuzzer's calls
    if (traced) options.trace = (line: string) => void (counting && line.length > 0 && result.traceLines++);
    const wasi = new Wasi(options);
    const memory = instantiate(wasi, START_PAGES);
    new Uint8Array(memory.buffer).fill(0xaa);
    const imports = wasi.getImportObject();
    const mods = {
      wasi_snapshot_preview1: imports.wasi_snapshot_preview1 as unknown as Imports,
      wasi_unstable: imports.wasi_unstable as unknown as Imports,
    };
    const g = new Gen(r, memory);
    let before = new Uint8Array(memory.buffer.byteLength);
    let maxFd = 16;
    let plan: Step[] = [];
    const end = Math.min(iters, start + SEGMENT);
    for (let i = start; i < end; i++) {
      if (r.chance(0.01) && memory.buffer.byteLength < MAX_PAGES * PAGE) memory.grow(1);
      if (plan.length === 0 && g.open.has(3) && r.chance(0.01)) plan = swapPlan(r, i);
      g.outs = [];
      g.tame = r.chance(0.6);
      const step = plan.shift();
      const p0 = step === undefined && r.chance(0.2);
      const mod = p0 ? "wasi_unstable" : "wasi_snapshot_preview1";
      let name: string, drawn: Arg[];
      if (step !== undefined) [name, drawn] = step(g);
      else {
        name = r.pick(DRAW);
        if (p0 && name === "sock_accept") name = "sock_recv"; // preview0 has no sock_accept
        drawn = GEN[name](g, p0);
      }
      const args = drawn.map((a) => typeof a === "number" && r.chance(0.5) ? a | 0 : a); // i32s as wasm passes them
      const what = () =>
        `seed ${seed}, call #${i}${traced ? " (traced)" : ""}: ${show(mod, name, args)}\n` +
        `  replay: HOSTCALL_FUZZ_SEEDS=${seed} HOSTCALL_FUZZ_ITERS=${i + 1}`;
      const now = new Uint8Array(memory.buffer);
      if (before.length !== now.length) before = new Uint8Array(now.length);
      before.set(now);
      let ret: unknown, threw: unknown = undefined, didThrow = false;
      if (VERBOSE) console.error(what());
      const t0 = performance.now();
      try {
        ret = mods[mod][name](...args);
      } catch (err) {
        didThrow = true;
        threw = err;
      }
      const ms = performance.now() - t0;
      if (VERBOSE) console.error(`  = ${didThrow ? `threw ${String(threw)}` : String(ret)}`);
      result.calls++;
      if (ms > result.slowestMs) result.slowestMs = ms;
      if (ms > SLOW_MS) assert.fail(`took ${ms.toFixed(0)} ms: ${what()}`);
      if (didThrow) {
        if (!(name === "proc_exit" && threw instanceof WasiExit)) {
          assert.fail(`threw ${threw instanceof Error ? threw.stack : String(threw)}\n${what()}`);
        }
        assert.equal((threw as WasiExit).code, (args[0] as number) >>> 0, `exit code: ${what()}`);
        ret = -1;
      } else {
        assert.ok(
          Number.isInteger(ret) && (ret as number) >= 0 && (ret as number) <= ERRNO_MAX,
          `returned ${String(ret)}: ${what()}`,
        );
        if (name === "proc_exit") assert.fail(`proc_exit returned: ${what()}`);
      }
      result.errnos.push(ret as number);
      const perCall = result.stats.get(name) ?? new Map<string, number>();
      const key = ret === -1 ? "exit" : errnoName(ret as number);
      perCall.set(key, (perCall.get(key) ?? 0) + 1);
      result.stats.set(name, perCall);
      checkMemory(before, new Uint8Array(memory.buffer), ret === Errno.SUCCESS ? g.outs : [], what);
      if (ret === Errno.SUCCESS) { // what the call wrote holds nothing from outside the preopen
        const bytes = new Uint8Array(memory.buffer);
        for (const [from, to] of g.outs) {
          const a = Math.min(from, bytes.length), b = Math.min(to, bytes.length);
          for (const secret of SECRETS) {
            if (contains(bytes.subarray(a, b), secret)) {
              assert.fail(`read something from outside the preopen: ${what()}`);
            }
          }
        }
      }
      if (ret === Errno.SUCCESS) {
        if (name === "path_open") {
          const fd = new DataView(memory.buffer).getUint32((args[8] as number) >>> 0, true);
          g.open.add(fd);
          g.lastOpened = fd;
          maxFd = Math.max(maxFd, fd + 1);
        } else if (name === "fd_close") g.open.delete((args[0] as number) >>> 0);
        else if (name === "fd_renumber") {
          g.open.delete((args[0] as number) >>> 0);
          g.open.add((args[1] as number) >>> 0);
        }
      }
    }
    // Neither is ever an argument: anywhere in memory, it was read from outside.
    for (const secret of SECRETS) {
      assert.ok(!contains(new Uint8Array(memory.buffer), secret), `seed ${seed}: bytes from outside reached memory`);
    }
    counting = false;
    for (let fd = 0; fd <= maxFd; fd++) mods.wasi_snapshot_preview1.fd_close(fd); // host files of this segment
  }
  assert.deepEqual(world.untouchable(), untouchable, `seed ${seed}: something outside the preopen changed`);
  return result;
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  for (let i = hay.indexOf(needle[0]); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(needle[0], i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return true;
  }
  return false;
}

/** Asserts that every byte that changed lies in one of `outs` (none may change when `outs` is empty). */
function checkMemory(before: Uint8Array, now: Uint8Array, outs: [number, number][], what: () => string): void {
  assert.equal(now.length, before.length, `memory size changed: ${what()}`);
  const a = new Uint32Array(before.buffer, 0, before.length >>> 2),
    b = new Uint32Array(now.buffer, 0, now.length >>> 2);
  for (let w = 0; w < a.length; w++) {
    if (a[w] === b[w]) continue;
    for (let i = w * 4; i < w * 4 + 4; i++) {
      if (before[i] === now[i]) continue;
      if (!outs.some(([s, e]) => i >= s && i < e)) {
        assert.fail(
          `byte ${i} changed ${before[i]} -> ${now[i]} outside the call's outputs ${JSON.stringify(outs)}: ${what()}`,
        );
      }
    }
  }
}

// ---- the tests ----

const WORLDS: [string, () => World][] = [
  ["MemoryFs", memoryWorld],
  [typeof (globalThis as { Deno?: unknown }).Deno === "object" ? "DenoFs (host dir)" : "NodeFs (host dir)", hostWorld],
];
const untraced = new Map<string, number[]>();

describe("fuzz: random syscalls never crash the host nor leave the sandbox", () => {
  test("the generators cover every preview1 and preview0 function, with their arity", () => {
    const p1 = PREVIEW1.functions;
    const p0 = PREVIEW0.functions;
    assert.deepEqual(NAMES, p1.map((f) => f.name));
    assert.equal(p1.length, 46);
    const g = new Gen(new Prng(1), new WebAssembly.Memory({ initial: 1 }));
    for (const f of [...p1, ...p0]) {
      for (let k = 0; k < 50; k++) assert.equal(GEN[f.name](g, false).length, f.params.length, f.name);
    }
    assert.ok(p0.every((f) => f.name in GEN), "every wasi_unstable function has a generator");
  });

  for (const [label, make] of WORLDS) {
    for (const seed of SEEDS) {
      test(
        `${label}, seed ${seed}: ${ITERS} calls answer errnos, write only their outputs`,
        { timeout: 600_000 },
        () => {
          const world = make();
          try {
            const res = run(world, seed, ITERS, false);
            untraced.set(`${label}/${seed}`, res.errnos);
            if (STATS) {
              console.log(`${label}, seed ${seed}: slowest call ${res.slowestMs.toFixed(1)} ms`);
              for (const [name, m] of [...res.stats].sort()) {
                console.log(`  ${name}: ${[...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ")}`);
              }
            }
            // The run did reach the interesting paths (a generator bug that only produced EFAULT would not).
            const count = (e: number) => res.errnos.filter((x) => x === e).length;
            assert.ok(count(Errno.SUCCESS) > ITERS / 20, `successes: ${count(Errno.SUCCESS)}`);
            for (const e of ITERS >= 1000 ? [Errno.FAULT, Errno.BADF, Errno.INVAL, Errno.PERM, Errno.NOENT] : []) {
              assert.ok(count(e) > 0, `no ${errnoName(e)} in the run`);
            }
          } finally {
            world.cleanup();
          }
        },
      );
    }
  }

  for (const [label, make] of WORLDS) {
    const seed = SEEDS[0];
    test(`${label}, seed ${seed}, traced: the tracer survives the same calls and changes no answer`, {
      timeout: 600_000,
    }, () => {
      const world = make();
      try {
        const res = run(world, seed, ITERS, true);
        assert.equal(res.traceLines, res.calls, "one trace line per call");
        let plain = untraced.get(`${label}/${seed}`);
        if (plain === undefined) {
          const again = make();
          try {
            plain = run(again, seed, ITERS, false).errnos;
          } finally {
            again.cleanup();
          }
        }
        assert.deepEqual(res.errnos, plain, "tracing changed an answer");
      } finally {
        world.cleanup();
      }
    });
  }
});
