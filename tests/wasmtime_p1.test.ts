// wasmtime's preview1 test programs (digest: docs/wasmtime-preview1-tests.md), re-written as C guests in
// tests/guests/p1/ that call the raw preview1 functions, and run here through the public Wasi API the way wasmtime's
// harness runs them: argv [program, "."], one preopen "." that is a fresh empty directory, stdout and stderr
// captured (stdin empty). Each program runs on a host temp dir (DenoFs on Deno, NodeFs on Bun and Node) and on a
// MemoryFs; both must print "<program> ok", exit 0 and leave the same names behind. A failed assertion in a guest
// is one stderr line: "<program>:<line>: <call>: expected <ERRNO>[|...], got <ERRNO>".

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { guest, run } from "./guest_runner.ts";
import { MemoryFs } from "../src/fs/memory.ts";
import { openFlags } from "../src/fs/types.ts";
import { Errno } from "../src/abi/errno.ts";

interface Program {
  /** wasmtime's program, without its preview1_ (or newer p1_) prefix; argv[0] of the guest. */
  name: string;
  /** The guest under tests/guests/p1/ that holds it. */
  guest: string;
  /** stdout before the final "<name> ok" line. */
  stdout?: string;
  /** Names the program leaves in the preopen (wasmtime's programs do not all clean up). */
  leaves?: string[];
  /** Where the guest asserts Hostcall's own behaviour instead of wasmtime's (a decision), for the test name. */
  deviates?: string;
}

/**
 * wasmtime grants every right but FD_READ and FD_WRITE unasked, and these programs ask for those two, then seek, stat or
 * poll; Hostcall gives a new fd the rights it asks for (as the spec and uvwasi), so the guests ask for what they use
 * (RD/WR/RW in tests/guests/p1/p1_check.h).
 */
const ASKS_RIGHTS = "asks path_open for the rights it uses besides FD_READ/FD_WRITE: decisions.md#rights";

const PROGRAMS: Program[] = [
  { name: "big_random_buf", guest: "p1_misc" },
  { name: "clock_time_get", guest: "p1_misc" },
  { name: "sched_yield", guest: "p1_misc" },
  { name: "unicode_output", guest: "p1_misc", stdout: "مرحبا بكم\n" },
  { name: "stdio", guest: "p1_misc" },
  { name: "stdio_not_isatty", guest: "p1_misc" },
  { name: "fd_filestat_get", guest: "p1_misc" },

  { name: "fd_advise", guest: "p1_fd", deviates: ASKS_RIGHTS },
  { name: "fd_filestat_set", guest: "p1_fd", deviates: ASKS_RIGHTS },
  { name: "fd_flags_set", guest: "p1_fd", deviates: ASKS_RIGHTS },
  { name: "file_allocate", guest: "p1_fd", deviates: ASKS_RIGHTS },
  { name: "file_pread_pwrite", guest: "p1_fd", deviates: ASKS_RIGHTS },
  { name: "file_read_write", guest: "p1_fd", deviates: ASKS_RIGHTS },
  { name: "file_seek_tell", guest: "p1_fd", deviates: ASKS_RIGHTS },
  { name: "file_truncation", guest: "p1_fd", leaves: ["test.txt"] },
  { name: "file_unbuffered_write", guest: "p1_fd" },
  { name: "file_write", guest: "p1_fd", leaves: ["long_write.txt"], deviates: ASKS_RIGHTS },
  { name: "dir_fd_op_failures", guest: "p1_fd" },
  { name: "directory_seek", guest: "p1_fd" },

  { name: "fd_readdir", guest: "p1_readdir", deviates: ASKS_RIGHTS },

  { name: "close_preopen", guest: "p1_descriptors" },
  { name: "overwrite_preopen", guest: "p1_descriptors" },
  { name: "renumber", guest: "p1_descriptors", leaves: ["file1", "file2", "file3", "file4"] },
  { name: "path_open_preopen", guest: "p1_descriptors" },
  { name: "path_open_lots", guest: "p1_descriptors", deviates: ASKS_RIGHTS },
  { name: "dangling_fd", guest: "p1_descriptors", leaves: ["file", "subdir"] },

  { name: "interesting_paths", guest: "p1_path_open" },
  { name: "path_open_create_existing", guest: "p1_path_open" },
  { name: "path_open_read_write", guest: "p1_path_open", deviates: ASKS_RIGHTS },
  { name: "path_open_dirfd_not_dir", guest: "p1_path_open", leaves: ["file"] },
  { name: "path_open_missing", guest: "p1_path_open" },
  { name: "path_open_nonblock", guest: "p1_path_open" },
  { name: "nofollow_errors", guest: "p1_path_open" },
  { name: "dangling_symlink", guest: "p1_path_open" },
  { name: "symlink_loop", guest: "p1_path_open" },
  { name: "symlink_create", guest: "p1_path_open" },
  { name: "path_exists", guest: "p1_path_open" },
  { name: "regular_file_isatty", guest: "p1_path_open" },

  { name: "path_link", guest: "p1_path_ops", leaves: ["symlink"] },
  { name: "path_rename", guest: "p1_path_ops" },
  { name: "path_rename_dir_trailing_slashes", guest: "p1_path_ops" },
  { name: "path_symlink_trailing_slashes", guest: "p1_path_ops" },
  { name: "readlink", guest: "p1_path_ops" },
  { name: "remove_directory", guest: "p1_path_ops" },
  { name: "remove_nonempty_directory", guest: "p1_path_ops" },
  { name: "unlink_file_trailing_slashes", guest: "p1_path_ops" },
  { name: "path_filestat", guest: "p1_path_ops" },
  { name: "symlink_filestat", guest: "p1_path_ops" },

  {
    name: "poll_oneoff_files",
    guest: "p1_poll",
    deviates:
      `a fd that is not open is an event with error BADF, not a failed call: decisions.md#poll_oneoff; ${ASKS_RIGHTS}`,
  },
  { name: "poll_oneoff_stdio", guest: "p1_poll" },
  { name: "sleep_quickly_but_lots", guest: "p1_poll", leaves: ["hello.txt"] },
];

/** What one run gave, the names left in the preopen afterwards (sorted), and host fds it left open. */
interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  leaves: string[];
  /** Host fds open after the run minus before it (Linux /proc/self/fd; 0 where it cannot be seen, and for MemoryFs). */
  leakedHostFds: number;
}

/** How many fds this process has open, or -1 when /proc/self/fd cannot be read. */
function openHostFds(): number {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return -1;
  }
}

/** The names in a MemoryFs's root, through the FileSystem seam. */
function memoryNames(fs: MemoryFs): string[] {
  const h = fs.open("", openFlags({ read: true, directory: true }));
  if (typeof h === "number") return [`(open failed: ${h})`];
  const names: string[] = [];
  const e = h.readdir(0n, (name) => (names.push(name), true));
  h.close();
  return e === Errno.SUCCESS ? names.sort() : [`(readdir failed: ${e})`];
}

async function runOn(p: Program, backend: "host" | "memory"): Promise<Outcome> {
  const fs = backend === "memory" ? new MemoryFs() : null;
  const dir = fs === null ? mkdtempSync(join(tmpdir(), "hostcall-p1-")) : "";
  try {
    const before = openHostFds();
    const r = await run(p.name, { args: [p.name, "."], preopens: { ".": fs ?? dir } }, guest(`p1/${p.guest}`));
    const after = openHostFds();
    const leaves = fs === null ? readdirSync(dir).sort() : memoryNames(fs);
    const leakedHostFds = before < 0 || after < 0 ? 0 : after - before;
    return { code: r.code, stdout: r.stdout, stderr: r.stderr, leaves, leakedHostFds };
  } finally {
    if (fs === null) rmSync(dir, { recursive: true, force: true });
  }
}

for (const p of PROGRAMS) {
  const name = `preview1_${p.name} on a host temp dir and a MemoryFs${p.deviates ? ` (deviates: ${p.deviates})` : ""}`;
  test(name, { timeout: 120_000 }, async () => {
    const want: Outcome = {
      code: 0,
      stdout: `${p.stdout ?? ""}${p.name} ok\n`,
      stderr: "",
      leaves: p.leaves ?? [],
      leakedHostFds: 0,
    };
    const got = { host: await runOn(p, "host"), memory: await runOn(p, "memory") };
    assert.deepEqual(got, { host: want, memory: want });
  });
}

// --- the programs that need a terminal: the guest's stdio is a pty that util-linux `script` makes --------------

const RUNNER = fileURLToPath(new URL("./guests/p1/tty_runner.ts", import.meta.url));
const RUNTIME = typeof Deno !== "undefined" ? [process.execPath, "run", "-A", RUNNER] : [process.execPath, RUNNER];
const hasScript = spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;

/** Runs `programs` of `guest` through the tty runner under `script`; its exit code and output (CRLF -> LF). */
function onTerminal(guest: string, programs: string[]): Promise<{ code: number | null; output: string }> {
  const command = [...RUNTIME, guest, ...programs].join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], { stdio: ["ignore", "pipe", "pipe"] });
    const out: Uint8Array[] = [];
    child.stdout!.on("data", (c: Uint8Array) => out.push(c));
    child.stderr!.on("data", (c: Uint8Array) => out.push(c));
    child.on("error", reject);
    child.on("close", (code: number | null) => {
      const all = new Uint8Array(out.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of out) all.set(c, at), at += c.length;
      resolve({ code, output: new TextDecoder().decode(all).replaceAll("\r\n", "\n") });
    });
  });
}

const noPty = hasScript ? "" : " (skipped: util-linux `script` is not installed, so no terminal can be made)";
test(
  `preview1_stdio_isatty on a terminal (a pty from script)${noPty}`,
  { skip: !hasScript, timeout: 60_000 },
  async () => {
    assert.deepEqual(await onTerminal("p1_misc", ["stdio_isatty"]), { code: 0, output: "stdio_isatty ok\n" });
  },
);

test(`preview1_poll_oneoff_stdio on a terminal (a pty from script), as wasmtime inherits stdio for it${noPty}`, {
  skip: !hasScript,
  timeout: 60_000,
}, async () => {
  assert.deepEqual(await onTerminal("p1_poll", ["poll_oneoff_stdio"]), { code: 0, output: "poll_oneoff_stdio ok\n" });
});
