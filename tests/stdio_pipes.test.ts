// Inherited stdio through real pipes: a child process of this same runtime (Deno, Bun or Node) runs guests through
// Hostcall with the process's own fds 0-2 (tests/stdio_runner.ts), and this test holds the other ends.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const RUNNER = fileURLToPath(new URL("./stdio_runner.ts", import.meta.url));
/** This runtime running the runner script (the binary that runs these tests: node_modules' deno, bun or node). */
const COMMAND = typeof Deno !== "undefined" ? [process.execPath, "run", "-A", RUNNER] : [process.execPath, RUNNER];

interface Exit {
  code: number | null;
  stdout: Uint8Array;
  stderr: string;
}

interface ChildOptions {
  /** Where the child's fd 1 goes: a pipe read here (default), or an fd (a file). */
  stdout?: "pipe" | number;
  /** Feeds the child's stdin pipe (then closes it); without it stdin is /dev/null. */
  feed?: (write: (chunk: string | Uint8Array) => void) => Promise<void>;
  /** Starts reading the child's stdout only after this many ms (the pipe fills and the guest's writes wait). */
  readAfterMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the runner with `args` and collects its exit code, stdout bytes and stderr text. */
function runChild(args: string[], opts: ChildOptions = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(COMMAND[0], [...COMMAND.slice(1), ...args], {
      stdio: [opts.feed === undefined ? "ignore" : "pipe", opts.stdout ?? "pipe", "pipe"],
    });
    const out: Uint8Array[] = [], err: Uint8Array[] = [];
    const collect = () => child.stdout?.on("data", (c: Uint8Array) => out.push(c));
    if (opts.readAfterMs === undefined) collect();
    else setTimeout(collect, opts.readAfterMs);
    child.stderr!.on("data", (c: Uint8Array) => err.push(c));
    child.on("error", reject);
    if (opts.feed !== undefined) {
      const stdin = child.stdin!;
      opts.feed((c) => stdin.write(c)).then(() => stdin.end(), reject);
    }
    child.on("close", (code: number | null) => {
      resolve({ code, stdout: concat(out), stderr: new TextDecoder().decode(concat(err)) });
    });
  });
}

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

const enc = new TextEncoder();

/** What tests/guests/big_write prints for `n` bytes: a..z repeating, then three lines. */
function bigWriteOutput(n: number): Uint8Array {
  const body = new Uint8Array(n);
  for (let i = 0; i < n; i++) body[i] = 97 + i % 26;
  const tail = enc.encode(`\nwrote=${n}\ntail=${String.fromCharCode(97 + (n - 1) % 26)}\nend\n`);
  return concat([body, tail]);
}

/** Asserts equal bytes, reporting where they first differ (not a multi-MiB diff). */
function sameBytes(got: Uint8Array, want: Uint8Array, what: string): void {
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  if (i === got.length && i === want.length) return;
  assert.fail(`${what}: ${got.length} bytes received, ${want.length} expected, first difference at byte ${i}`);
}

const BIG = 2 * 1024 * 1024;

test("stdio pipes: 2 MiB from one fd_write reach a slow reader whole, in order", async () => {
  const r = await runChild([`big_write:${BIG}`], { readAfterMs: 300 });
  assert.equal(r.code, 0, r.stderr);
  sameBytes(r.stdout, bigWriteOutput(BIG), "stdout");
});

test("stdio pipes: 2 MiB reach a slow reader whole also when the runtime made the pipe non-blocking", async () => {
  const r = await runChild(["--touch-stdio", `big_write:${BIG}`], { readAfterMs: 300 });
  assert.equal(r.code, 0, r.stderr);
  sameBytes(r.stdout, concat([enc.encode("runner\n"), bigWriteOutput(BIG)]), "stdout");
});

test("stdio pipes: everything written before a trap is received, and the trap ends the process with an error", async () => {
  const r = await runChild([`big_write:${BIG}`, "trap"], { readAfterMs: 300 });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unreachable/i);
  sameBytes(r.stdout, concat([bigWriteOutput(BIG), enc.encode("before\n")]), "stdout");
});

test("stdio pipes: everything written before proc_exit is received when the host exits at once", async () => {
  const r = await runChild([`big_write:${BIG}`, "proc_exit"], { readAfterMs: 300 });
  assert.equal(r.code, 7, r.stderr);
  sameBytes(r.stdout, concat([bigWriteOutput(BIG), enc.encode("exiting\n")]), "stdout");
});

test("stdio pipes: fd_fdstat_get of stdout on a pipe is not a character device (filetype 0, UNKNOWN)", async () => {
  const r = await runChild(["fd_calls"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = new TextDecoder().decode(r.stdout).split("\n");
  assert.ok(lines.includes("gather errno=0 nwritten=256"), lines.join("\n"));
  assert.ok(lines.includes("fdstat_stdout errno=0 filetype=0"), lines.join("\n"));
});

test("stdio pipes: fd_fdstat_get of stdout on a regular file is not a character device either", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hostcall-stdio-"));
  try {
    const fd = openSync(join(dir, "out.txt"), "w");
    let r: Exit;
    try {
      r = await runChild(["fd_calls"], { stdout: fd });
    } finally {
      closeSync(fd);
    }
    assert.equal(r.code, 0, r.stderr);
    const lines = readFileSync(join(dir, "out.txt"), "utf8").split("\n");
    assert.ok(lines.includes("fdstat_stdout errno=0 filetype=0"), lines.join("\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Input that arrives in three parts with 200 ms pauses: a line, 100 KiB, a last line; then EOF. */
const SLOW_PARTS = ["first line\n", "x".repeat(100 * 1024) + "\n", "last line, then EOF\n"];
async function slowFeed(write: (chunk: string) => void): Promise<void> {
  for (const [i, part] of SLOW_PARTS.entries()) {
    if (i > 0) await sleep(200);
    write(part);
  }
}
const SLOW_TOTAL = SLOW_PARTS.join("");

test("stdio pipes: stdin reads block until data or EOF (a pipe fed in three parts 200 ms apart is read whole)", async () => {
  const r = await runChild(["stdin_echo"], { feed: slowFeed });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(new TextDecoder().decode(r.stdout), SLOW_TOTAL);
  assert.equal(r.stderr, `n=${SLOW_TOTAL.length}\n`);
});

test("stdio pipes: stdin reads block until data or EOF also when the runtime made the pipe non-blocking", async () => {
  const r = await runChild(["--touch-stdio", "stdin_echo"], { feed: slowFeed });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(new TextDecoder().decode(r.stdout), "runner\n" + SLOW_TOTAL);
  assert.equal(r.stderr, `n=${SLOW_TOTAL.length}\n`);
});
