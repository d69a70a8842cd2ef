// The hot-path benches on Bun and Node (and Deno, as a cross-check): Hostcall and the runtime's node:wasi run the same
// guest loop in one process, interleaved in rounds, beside a floor (the bare host calls Hostcall rests on).
//
//   bun bench/run.ts [--rounds=N] [--cpu] [--json] [filter...]     (npm run bench:bun)
//   node26 bench/run.ts ...                                 (npm run bench:node)
//   deno run -A bench/run.ts ...
//
// The script re-runs itself with fd 1 on /dev/null: Hostcall's "inherit" stdout and node:wasi's fd 1 both write the
// process's real fd 1, so the fd_write benches take their real path to /dev/null. The child reports on its stderr,
// which the parent copies to its own stdout. See bench/README.md ("On Bun and Node").

import { spawn } from "node:child_process";
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  writeSync,
} from "node:fs";
import process from "node:process";
import {
  ARGS,
  type DepthGuest,
  DEPTHS,
  type FsFixture,
  fsFixture,
  type FsGuest,
  type Guest,
  guestModule,
  loop,
  N,
  onEmptyImports,
  onHostcall,
  onMinimalClock,
  onNodeWasi,
} from "./_harness.ts";

type Runtime = "bun" | "node" | "deno";
const runtime: Runtime = typeof Deno !== "undefined" ? "deno" : "Bun" in globalThis ? "bun" : "node";
const CHILD_ENV = "HOSTCALL_BENCH_CHILD";

// --- measuring ------------------------------------------------------------------------------------------------------

/** One contender in a bench: a function that makes N calls (one guest loop), and its label. */
interface Contender {
  label: string;
  run: () => void;
}

/** Where a target ratio is taken against: the runtime's node:wasi, or the bare host call (the floor). */
interface Target {
  max: number;
  over: "node:wasi" | "bare";
}

/** One bench: node:wasi, Hostcall and a floor (what any host must do at least), each making `calls` calls per run. */
interface Bench {
  name: string;
  nodeWasi: Contender;
  hostcall: Contender;
  bare: Contender;
  /** WASI calls (or bare equivalents) per run of a contender; N unless said. */
  calls?: number;
  /** Depth benches: Hostcall making the same call at depth 0, timed in the same rounds (its cost curve). */
  depth0?: Contender;
}

/** What a bench gave: median ns per call of each contender, and per-round ratios summarised. */
interface Result {
  name: string;
  ns: { nodeWasi: number; hostcall: number; bare: number };
  /** Median, first and third quartiles of the per-round Hostcall ÷ node:wasi. */
  ratio: [number, number, number];
  /** The same for Hostcall ÷ floor (what Hostcall's own code adds). */
  overBare: [number, number, number];
  /** The same for floor ÷ node:wasi (the best any host built on these calls could do). */
  floor: [number, number, number];
  /** Depth benches: the same for Hostcall ÷ Hostcall at depth 0. */
  overDepth0?: [number, number, number];
  target: Target | undefined;
  met: boolean | undefined;
}

/** The targets per runtime (Deno's from bench/README.md); absent: no target on that runtime. */
const TARGETS: Record<Runtime, Record<string, Target>> = {
  bun: {
    "clock_time_get realtime": { max: 0.7, over: "node:wasi" },
    "clock_time_get monotonic": { max: 0.7, over: "node:wasi" },
    "fd_write 16×16 B": { max: 0.5, over: "node:wasi" },
    "fd_write 1×64 KiB": { max: 0.5, over: "node:wasi" },
    "random_get 32 B": { max: 0.5, over: "node:wasi" },
    "args_sizes_get": { max: 0.5, over: "node:wasi" },
    "path_filestat_get": { max: 0.5, over: "node:wasi" },
    "path_open + fd_close": { max: 0.5, over: "node:wasi" },
    "fd_seek + fd_read 4 KiB": { max: 0.5, over: "node:wasi" },
    "fd_readdir 1000 entries": { max: 1.2, over: "bare" },
    ...depthTargets(1.0),
  },
  node: {
    "clock_time_get realtime": { max: 1.1, over: "node:wasi" },
    "clock_time_get monotonic": { max: 1.1, over: "node:wasi" },
    "fd_write 16×16 B": { max: 1.0, over: "node:wasi" },
    "fd_write 1×64 KiB": { max: 1.25, over: "node:wasi" },
    "args_sizes_get": { max: 1.0, over: "node:wasi" },
    "path_filestat_get": { max: 1.0, over: "node:wasi" },
    "path_open + fd_close": { max: 1.0, over: "node:wasi" },
    "fd_seek + fd_read 4 KiB": { max: 1.0, over: "node:wasi" },
    "fd_readdir 1000 entries": { max: 1.2, over: "bare" },
    ...depthTargets(2.0),
  },
  deno: {
    "clock_time_get realtime": { max: 0.8, over: "node:wasi" },
    "clock_time_get monotonic": { max: 0.8, over: "node:wasi" },
    "fd_write 16×16 B": { max: 0.6, over: "node:wasi" },
    "fd_write 1×64 KiB": { max: 1.1, over: "bare" },
    "random_get 32 B": { max: 1.0, over: "node:wasi" },
    "args_sizes_get": { max: 0.3, over: "node:wasi" },
    "path_filestat_get": { max: 0.5, over: "node:wasi" },
    "path_open + fd_close": { max: 0.8, over: "node:wasi" },
    "fd_seek + fd_read 4 KiB": { max: 1.0, over: "node:wasi" },
    "fd_readdir 1000 entries": { max: 1.2, over: "bare" },
    ...depthTargets(1.0),
  },
};

/**
 * Issue #13's depth targets: at depth 8, path_filestat_get and path_open + fd_close within `max` × node:wasi. The
 * other one, Hostcall at any depth within 2 × its own cost at depth 0, is marked in the table's last column.
 */
function depthTargets(max: number): Record<string, Target> {
  return {
    "path_filestat_get depth 8": { max, over: "node:wasi" },
    "path_open + fd_close depth 8": { max, over: "node:wasi" },
  };
}
/** Issue #13: Hostcall's cost at any depth within this many times its cost at depth 0. */
const MAX_OVER_DEPTH0 = 2;

/** ms one sample of one contender lasts (at least); the runs per sample are calibrated to it. */
const SAMPLE_MS = 15;
/** ms of interleaved warm-up per bench before any sample counts (lets every JIT tier kick in). */
const WARMUP_MS = 400;

function quartiles(xs: number[]): [number, number, number] {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => {
    const i = (s.length - 1) * q, lo = Math.floor(i), hi = Math.ceil(i);
    return s[lo] + (s[hi] - s[lo]) * (i - lo);
  };
  return [at(0.5), at(0.25), at(0.75)];
}

/** How many runs of `c` make one sample of about SAMPLE_MS. */
function calibrate(c: Contender): number {
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) c.run();
    const ms = performance.now() - t0;
    if (ms >= SAMPLE_MS / 4) return Math.max(1, Math.ceil(reps * SAMPLE_MS / ms));
    reps *= 4;
  }
}

/**
 * ns per call of one sample of `c` (reps runs of `calls` calls): wall-clock time, or with `cpu` the process's CPU time
 * (user + system, every thread), which leaves out the time other jobs on a busy machine held the CPU.
 */
function sample(c: Contender, reps: number, calls: number, cpu: boolean): number {
  if (cpu) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) c.run();
    const t = process.cpuUsage(t0);
    return (t.user + t.system) * 1e3 / (reps * calls);
  }
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) c.run();
  return (performance.now() - t0) * 1e6 / (reps * calls);
}

/**
 * Runs the three contenders in rounds, in turn (the order rotates each round so none always follows the same one),
 * after a warm-up; each round gives one ns/call per contender and so one ratio per pair.
 */
function measure(b: Bench, rounds: number, cpu: boolean): Result {
  const cs = [b.nodeWasi, b.hostcall, b.bare];
  if (b.depth0 !== undefined) cs.push(b.depth0);
  const n = cs.length;
  for (const c of cs) c.run(); // a broken host throws here, before anything is timed
  const warmEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmEnd) for (const c of cs) c.run();
  const reps = cs.map(calibrate);
  const ns: number[][] = cs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < n; k++) {
      const i = (r + k) % n;
      ns[i].push(sample(cs[i], reps[i], b.calls ?? N, cpu));
    }
  }
  const per = (a: number, b: number) => quartiles(ns[a].map((x, r) => x / ns[b][r]));
  const ratio = per(1, 0), overBare = per(1, 2);
  const overDepth0 = n > 3 ? per(1, 3) : undefined;
  const target = TARGETS[runtime][b.name];
  const got = target?.over === "bare" ? overBare[0] : ratio[0];
  return {
    name: b.name,
    ns: { nodeWasi: quartiles(ns[0])[0], hostcall: quartiles(ns[1])[0], bare: quartiles(ns[2])[0] },
    ratio,
    overBare,
    floor: per(2, 0),
    overDepth0,
    target,
    met: target === undefined ? undefined : got <= target.max,
  };
}

// --- the benches ----------------------------------------------------------------------------------------------------

/** A contender that runs one guest loop (N calls) and checks every call succeeded. */
function guestLoop(label: string, g: Guest): Contender {
  return { label, run: loop(g) };
}

/** A contender that makes the bare host call N times. */
function bareLoop(label: string, call: () => void): Contender {
  return {
    label,
    run: () => {
      for (let i = 0; i < N; i++) call();
    },
  };
}

function clockBenches(): Bench[] {
  const module = guestModule("clock_time_get");
  return ([["realtime", 0], ["monotonic", 1]] as const).map(([name, id]) => {
    const theirs = onNodeWasi(module), ours = onHostcall(module);
    theirs.setup!(id);
    ours.setup!(id);
    const floor = onMinimalClock(module);
    floor.setup!(id);
    return {
      name: `clock_time_get ${name}`,
      nodeWasi: guestLoop("node:wasi", theirs),
      hostcall: guestLoop("Hostcall", ours),
      bare: guestLoop("minimal import", floor),
    };
  });
}

/** Writes `bytes` to the process's fd 1 the way Hostcall's "inherit" stdout does on this runtime. */
function bareStdoutWrite(bytes: Uint8Array): () => void {
  if (runtime === "deno") return () => Deno.stdout.writeSync(bytes);
  return () => writeSync(1, bytes, 0, bytes.length);
}

function fdWriteBenches(): Bench[] {
  const module = guestModule("fd_write");
  // [name, setup kind, where the bytes lie in guest memory, how many] (see guests/fd_write.wat). The 16 lines of
  // "16×16 B" follow one another in memory; "16×16 B apart" has the same lines with gaps, so they must be gathered
  // (the bytes written, and so the floor, are the same: the lines at 0x1000).
  const shapes = [
    ["fd_write 16×16 B", 0, 0x1000, 256],
    ["fd_write 16×16 B apart", 2, 0x1000, 256],
    ["fd_write 1×64 KiB", 1, 0x10000, 0x10000],
  ] as const;
  return shapes.map(([name, kind, at, size]) => {
    const theirs = onNodeWasi(module), ours = onHostcall(module);
    theirs.setup!(kind);
    ours.setup!(kind);
    const checkedLoop = (label: string, g: Guest): Contender => {
      const run = loop(g);
      return {
        label,
        run: () => {
          run();
          const n = new Uint32Array(g.memory.buffer, 0x80, 1)[0];
          if (n !== size) throw new Error(`${label} ${name}: fd_write wrote ${n} bytes, expected ${size}`);
        },
      };
    };
    const bytes = new Uint8Array(ours.memory.buffer, at, size).slice();
    return {
      name,
      nodeWasi: checkedLoop("node:wasi", theirs),
      hostcall: checkedLoop("Hostcall", ours),
      bare: bareLoop(`write ${size} B`, bareStdoutWrite(bytes)),
    };
  });
}

function randomBench(): Bench {
  const module = guestModule("random_get");
  const bytes = new Uint8Array(32);
  return {
    name: "random_get 32 B",
    nodeWasi: guestLoop("node:wasi", onNodeWasi(module)),
    hostcall: guestLoop("Hostcall", onHostcall(module)),
    bare: bareLoop("crypto.getRandomValues(32 B)", () => crypto.getRandomValues(bytes)),
  };
}

function argsBench(): Bench {
  const module = guestModule("args_sizes_get");
  const theirs = onNodeWasi(module), ours = onHostcall(module);
  const expected = [ARGS.length, ARGS.reduce((n, a) => n + new TextEncoder().encode(a).length + 1, 0)].join();
  for (const g of [theirs, ours]) {
    g.run(1);
    const got = [...new Uint32Array(g.memory.buffer, 0x10, 2)].join();
    if (got !== expected) throw new Error(`args_sizes_get wrote ${got}, expected ${expected}`);
  }
  return {
    name: "args_sizes_get",
    nodeWasi: guestLoop("node:wasi", theirs),
    hostcall: guestLoop("Hostcall", ours),
    // There is no host call under args_sizes_get: its floor is the wasm→JS import call itself.
    bare: guestLoop("empty import", onEmptyImports(module)),
  };
}

/**
 * The host calls Hostcall makes for one call of each fs bench on this runtime, made bare (strace, 2026-12-02): the
 * sandbox, having walked "sub/file.txt" once, finds it again with one lstat of the whole path (src/path.ts; it
 * used to lstat every name, 2 lstats), path_open then opens with O_NOFOLLOW and fd_close closes; fd_seek moves
 * Hostcall's own offset and fd_read is one pread (Deno: seek + read).
 */
function bareFs(file: string): Record<"stat" | "open_close" | "seek_read", () => void> {
  const buf = new Uint8Array(4096);
  if (runtime === "deno") {
    const f = Deno.openSync(file);
    return {
      ...bareLookup(file),
      seek_read: () => {
        f.seekSync(0, Deno.SeekMode.Start);
        f.readSync(buf);
      },
    };
  }
  const fd = openSync(file, "r");
  return { ...bareLookup(file), seek_read: () => readSync(fd, buf, 0, buf.length, 0) };
}

/** The host calls under path_filestat_get and path_open + fd_close of `file`: its lstat, and the open and close. */
function bareLookup(file: string): Record<"stat" | "open_close", () => void> {
  if (runtime === "deno") {
    return {
      stat: () => Deno.lstatSync(file),
      open_close: () => {
        Deno.lstatSync(file);
        Deno.openSync(file).close();
      },
    };
  }
  const opts = { bigint: true, throwIfNoEntry: false } as const;
  const mode = constants.O_RDONLY | constants.O_NOFOLLOW;
  return {
    stat: () => lstatSync(file, opts),
    open_close: () => {
      lstatSync(file, opts);
      closeSync(openSync(file, mode));
    },
  };
}

/**
 * The floor of fd_readdir on this runtime: a listing of `dir` plus, for d_ino (which no runtime's listing gives), one
 * lstat per entry, in the runtime's cheapest form (node:fs: the number form; Deno: `Deno.lstatSync`).
 */
function bareListing(dir: string): () => void {
  if (runtime === "deno") {
    return () => {
      for (const e of Deno.readDirSync(dir)) Deno.lstatSync(`${dir}/${e.name}`);
    };
  }
  const opts = { throwIfNoEntry: false } as const;
  return () => {
    for (const d of readdirSync(dir, { withFileTypes: true })) lstatSync(`${dir}/${d.name}`, opts);
  };
}

function fsBenches(root: string, file: string): Bench[] {
  const module = guestModule("fs");
  const theirs = onNodeWasi(module, { "/": root }) as unknown as FsGuest;
  const ours = onHostcall(module, { preopens: { "/": root } }) as unknown as FsGuest;
  theirs.setup(0);
  ours.setup(0);
  const bare = bareFs(file);
  const fsLoop = (label: string, g: FsGuest, fn: "stat" | "open_close" | "seek_read"): Contender => ({
    label,
    run: () => {
      const err = g[fn](N);
      if (err !== 0) throw new Error(`${label} ${fn}: errno bits ${err}`);
    },
  });
  const groups = [
    ["path_filestat_get", "stat", "lstat"],
    ["path_open + fd_close", "open_close", "lstat + open + close"],
    ["fd_seek + fd_read 4 KiB", "seek_read", runtime === "deno" ? "seek + read" : "pread"],
  ] as const;
  const benches: Bench[] = groups.map(([name, fn, bareLabel]) => ({
    name,
    nodeWasi: fsLoop("node:wasi", theirs, fn),
    hostcall: fsLoop("Hostcall", ours, fn),
    bare: bareLoop(`bare ${bareLabel}`, bare[fn]),
  }));
  // One fd_readdir from cookie 0 lists all of big/ (1000 entries, then . and ..) into the guest's 64 KiB buffer.
  const listing = bareListing(`${root}/big`);
  const readdirOnce = (label: string, g: FsGuest): Contender => ({
    label,
    run: () => {
      const err = g.readdir(1);
      if (err !== 0) throw new Error(`${label} readdir: errno bits ${err}`);
    },
  });
  benches.push({
    name: "fd_readdir 1000 entries",
    nodeWasi: readdirOnce("node:wasi", theirs),
    hostcall: readdirOnce("Hostcall", ours),
    bare: { label: "listing + 1000 lstat", run: listing },
    calls: 1,
  });
  return benches;
}

/**
 * path_filestat_get and path_open + fd_close on data.bin at depths 0, 2, 4 and 8 (bench/guests/depth.wat), each beside
 * node:wasi, the host calls Hostcall makes for it (one lstat of the whole path, then the open and close), and
 * Hostcall's own cost at depth 0 in the same rounds.
 */
function depthBenches(fixture: FsFixture): Bench[] {
  const module = guestModule("depth");
  const guest = (g: Guest, depth: number) => {
    const d = g as unknown as DepthGuest;
    d.setup(depth);
    return d;
  };
  const benches: Bench[] = [];
  const calls = [["path_filestat_get", "stat"], ["path_open + fd_close", "open_close"]] as const;
  for (const [name, fn] of calls) {
    const loopOf = (label: string, g: DepthGuest): Contender => ({
      label,
      run: () => {
        const err = g[fn](N);
        if (err !== 0) throw new Error(`${label} ${name}: errno bits ${err}`);
      },
    });
    const atDepth0 = loopOf("Hostcall depth 0", guest(onHostcall(module, { preopens: { "/": fixture.root } }), 0));
    for (const depth of DEPTHS) {
      const theirs = guest(onNodeWasi(module, { "/": fixture.root }), depth);
      const ours = guest(onHostcall(module, { preopens: { "/": fixture.root } }), depth);
      benches.push({
        name: `${name} depth ${depth}`,
        nodeWasi: loopOf("node:wasi", theirs),
        hostcall: loopOf("Hostcall", ours),
        bare: bareLoop(fn === "stat" ? "lstat" : "lstat + open + close", bareLookup(fixture.deep(depth))[fn]),
        depth0: depth === 0 ? undefined : atDepth0,
      });
    }
  }
  return benches;
}

// --- the report -----------------------------------------------------------------------------------------------------

function runtimeName(): string {
  if (runtime === "deno") return `Deno ${Deno.version.deno}`;
  if (runtime === "bun") return `Bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`;
  return `Node ${process.version}`;
}

function report(line: string): void {
  writeSync(2, line + "\n");
}

const fmt = (x: number, digits = 2) => x.toFixed(digits);
const range = ([m, lo, hi]: [number, number, number]) => `${fmt(m)} [${fmt(lo)}–${fmt(hi)}]`;

function row(r: Result): string {
  const t = r.target;
  const target = t === undefined ? "—" : `≤ ${t.max} × ${t.over}`;
  const met = r.met === undefined ? "" : r.met ? "✓" : "✗";
  const ns = (x: number) => x < 100 ? fmt(x, 1) : fmt(x, 0);
  const d0 = r.overDepth0 === undefined
    ? "—"
    : `${range(r.overDepth0)} ${r.overDepth0[0] <= MAX_OVER_DEPTH0 ? "✓" : "✗"}`;
  return `| ${r.name} | ${ns(r.ns.nodeWasi)} | ${ns(r.ns.hostcall)} | ${ns(r.ns.bare)} | ${range(r.ratio)} | ${
    range(r.overBare)
  } | ${range(r.floor)} | ${target} | ${met} | ${d0} |`;
}

/** Is fd 1 /dev/null? (The parent put it there; run as a child by hand, the fd_write benches would flood stdout.) */
function stdoutIsDevNull(): boolean {
  const a = fstatSync(1), b = statSync("/dev/null");
  return a.rdev === b.rdev && a.ino === b.ino;
}

function main(): void {
  const argv = process.argv.slice(2);
  const json = argv.includes("--json");
  const cpu = argv.includes("--cpu");
  const roundsArg = argv.find((a) => a.startsWith("--rounds="));
  const rounds = roundsArg === undefined ? 21 : Number(roundsArg.substring(9));
  const filters = argv.filter((a) => !a.startsWith("--"));
  if (!stdoutIsDevNull()) throw new Error(`fd 1 is not /dev/null: run bench/run.ts itself, not with ${CHILD_ENV}=1`);

  const fixture = fsFixture();
  try {
    const benches = [
      ...clockBenches(),
      ...fdWriteBenches(),
      randomBench(),
      argsBench(),
      ...fsBenches(fixture.root, fixture.file),
      ...depthBenches(fixture),
    ].filter((b) => filters.length === 0 || filters.some((f) => b.name.includes(f)));
    fixture.settle();
    if (!json) {
      report(
        `Hostcall ÷ ${runtimeName()}'s node:wasi, ${rounds} rounds of ~${SAMPLE_MS} ms per contender; ns per call` +
          (cpu ? " (process CPU time)" : ""),
      );
      report(`are medians, ratios the median of per-round ratios [first–third quartile].\n`);
      report(
        "| bench | node:wasi ns | Hostcall ns | floor ns | Hostcall ÷ node:wasi | Hostcall ÷ floor | floor ÷ node:wasi | target | met | Hostcall ÷ its depth 0 (≤ 2) |",
      );
      report("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | :-: | ---: |");
    }
    for (const b of benches) {
      const r = measure(b, rounds, cpu);
      report(json ? JSON.stringify({ runtime, ...r }) : row(r));
    }
  } finally {
    fixture.remove();
  }
}

// --- the parent: re-run with fd 1 on /dev/null, copy the child's report to stdout ----------------------------------

if (process.env[CHILD_ENV] !== "1") {
  // Node warns that node:wasi (imported above) is experimental; this process only waits for the child.
  process.removeAllListeners("warning");
  const script = new URL(import.meta.url).pathname;
  const args = runtime === "deno" ? ["run", "-A", script] : [script];
  const devNull = openSync("/dev/null", "w");
  const child = spawn(process.execPath, [...args, ...process.argv.slice(2)], {
    stdio: ["ignore", devNull, "pipe"],
    env: { ...process.env, [CHILD_ENV]: "1", NODE_NO_WARNINGS: "1" }, // node:wasi is "experimental" on Node
  });
  closeSync(devNull);
  child.stderr!.on("data", (chunk: Uint8Array) => process.stdout.write(chunk));
  child.on("close", (code: number | null) => process.exit(code ?? 1));
} else {
  main();
}
