// Filesystem guests (tests/guests/fs_*.wasm, examples/wc.wasm, unstable.wasm) run in-process through the public
// Wasi API. Every fs_* guest runs once per backend: a fresh host temp dir, and a fresh MemoryFs, both preopened as
// "/data"; both must print the same lines and exit 0, and both must leave the same files behind.

import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run, wasmBytes } from "./guest_runner.ts";
import { CASES, hostView, memoryView, type View } from "./guests_fs_cases.ts";
import { MemoryFs } from "../src/fs/memory.ts";

const GUEST_DATA = fileURLToPath(new URL("./guests/data", import.meta.url));
const EXAMPLE_DATA = fileURLToPath(new URL("../examples/data", import.meta.url));

interface Backend {
  name: "host" | "memory";
  label: string;
  make(): { preopen: string | MemoryFs; view: View; done(): void };
}

const BACKENDS: Backend[] = [
  {
    name: "host",
    label: "host temp dir",
    make() {
      const dir = mkdtempSync(join(tmpdir(), "hostcall-guests-fs-"));
      return { preopen: dir, view: hostView(dir), done: () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: "memory",
    label: "MemoryFs",
    make() {
      const fs = new MemoryFs();
      return { preopen: fs, view: memoryView(fs), done: () => {} };
    },
  },
];

for (const c of CASES) {
  for (const b of BACKENDS) {
    const note = c.note?.[b.name];
    test(`${c.guest} on a ${b.label}${note ? ` (${note})` : ""}: ${c.does}`, { timeout: 120_000 }, async () => {
      const { preopen, view, done } = b.make();
      try {
        const r = await run(c.guest, {
          args: [c.guest, "/data", ...(c.args?.[b.name] ?? [])],
          preopens: { "/data": preopen },
        });
        const want = { code: 0, stdout: c.stdout.map((l) => l + "\n").join(""), stderr: "" };
        assert.deepEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr }, want);
        c.after?.(view); // for the host dir: what is on disk once start() has returned
      } finally {
        done();
      }
    });
  }
}

test("fs_large on a host temp dir leaves a sparse 5 GiB + 11 byte file when told to keep it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hostcall-guests-fs-"));
  try {
    const off = 5 * 1024 ** 3;
    const r = await run("fs_large", { args: ["fs_large", "/data", String(off), "keep"], preopens: { "/data": dir } });
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "size ok\nread back ok\npwrite ok\nkept ok\n");
    assert.equal(r.code, 0);
    const path = join(dir, "large.bin");
    assert.equal(statSync(path).size, off + 11);
    const fd = openSync(path, "r");
    try {
      const tail = new Uint8Array(12);
      assert.equal(readSync(fd, tail, 0, 12, off - 1), 12);
      assert.deepEqual(tail, new Uint8Array([0, 76, 0, 0, 0, 0, 0, 0, 0, 0, 0, 77])); // "L" at off, "M" at off + 10
    } finally {
      closeSync(fd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("fs_large on a MemoryFs (64 MiB offset: 5 GiB would need a 5 GiB buffer) leaves the file when told to keep it", async () => {
  const fs = new MemoryFs();
  const off = 64 * 1024 * 1024;
  const r = await run("fs_large", { args: ["fs_large", "/data", String(off), "keep"], preopens: { "/data": fs } });
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "size ok\nread back ok\npwrite ok\nkept ok\n");
  assert.equal(r.code, 0);
  const data = fs.files.readFile("large.bin");
  assert.equal(data.length, off + 11);
  assert.deepEqual(data.subarray(off - 1), new Uint8Array([0, 76, 0, 0, 0, 0, 0, 0, 0, 0, 0, 77]));
});

// --- preview0 and the wc example through a preopen -------------------------------------------

test("wasi_unstable (preview0): args, 56-byte filestat with u32 nlink, whence CUR=0 END=1 SET=2", async () => {
  const r = await run("unstable", { args: ["unstable", "x", "yz"], preopens: { "/data": GUEST_DATA } });
  assert.equal(
    r.stdout,
    [
      "args_sizes errno=0 argc=3 buf_size=14", // "unstable\0x\0yz\0"
      "args_get errno=0",
      "arg=unstable",
      "arg=x",
      "arg=yz",
      "stdout_filestat errno=0 filetype=0 sentinel=170", // byte 56 keeps the guest's 0xAA
      "path_open errno=0",
      "seek_set_5 errno=0 offset=5",
      "seek_cur_2 errno=0 offset=7",
      "seek_end_minus_1 errno=0 offset=11", // hello.txt is 12 bytes
      "file_filestat errno=0 filetype=4 nlink=1 size=12 sentinel=170",
      "close errno=0",
      "",
    ].join("\n"),
  );
  assert.equal(r.code, 0);
});

test("examples/wc counts lines, words and bytes of preopened files and prints a total", async () => {
  const r = await run("wc", {
    args: ["wc", "/data/sample.txt", "/data/short.txt"],
    preopens: { "/data": EXAMPLE_DATA },
  }, wasmBytes("../examples/wc.wasm"));
  assert.equal(r.stdout, "  5  30 189 /data/sample.txt\n  2   3  14 /data/short.txt\n  7  33 203 total\n");
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
});

test("examples/wc reports a missing file on stderr, goes on, and exits 1", async () => {
  const r = await run("wc", {
    args: ["wc", "/data/short.txt", "/data/missing.txt"],
    preopens: { "/data": EXAMPLE_DATA },
  }, wasmBytes("../examples/wc.wasm"));
  assert.equal(r.stdout, " 2  3 14 /data/short.txt\n 2  3 14 total\n");
  assert.equal(r.stderr, "wc: /data/missing.txt: No such file or directory\n");
  assert.equal(r.code, 1);
});
