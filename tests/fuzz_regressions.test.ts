// Regressions for what the syscall fuzzer (tests/fuzz.test.ts) and its review found: one test per bug, named after it.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Errno, errnoName } from "../mod.ts";
import { type Env, put, setup, u32 } from "./helpers.ts";

const OFL_CREAT = 1;
const R_WRITE = (1n << 6n) | (1n << 22n); // fd_write, fd_filestat_set_size
const PATH = 0x100, FDP = 0x80;

/** A fresh host temp dir preopened at fd 3 (DenoFs on Deno, NodeFs on Bun and Node); removed by `done`. */
async function hostDir(): Promise<{ env: Env; done: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "hostcall-fuzzreg-"));
  const env = await setup({ preopens: { "/d": dir } });
  return { env, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens (creating) `name` under fd 3 for writing; returns the new fd. */
function create(env: Env, name: string): number {
  const n = put(env, PATH, name);
  assert.equal(env.p1.path_open(3, 0, PATH, n, OFL_CREAT, R_WRITE, 0n, 0, FDP), Errno.SUCCESS);
  return u32(env, FDP);
}

/** Milliseconds `f` takes. */
function timed(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

describe("fuzz regressions", () => {
  test("fd_close of a huge fd number is EBADF at once (it stretched the fd table to 2^32 slots and hung the host)", async () => {
    const env = await setup();
    for (const fd of [0xfffffffe, 0x80000000, 1 << 24, 65536]) {
      const ms = timed(() => assert.equal(env.p1.fd_close(fd), Errno.BADF));
      assert.ok(ms < 500, `fd_close(${fd}) took ${ms.toFixed(0)} ms`);
    }
    assert.equal(env.p1.fd_close(1), Errno.SUCCESS); // open descriptors still close
  });

  test("fd_filestat_set_size past the largest file is an errno on a host dir (Deno's code-less 'File too large (os error 27)' and Bun's RangeError from 2^52 were thrown into the guest)", async () => {
    const { env, done } = await hostDir();
    try {
      const fd = create(env, "f");
      for (const size of [2n ** 52n, 2n ** 53n - 1n]) {
        // EFBIG on ext4 (16 TiB files) and everywhere on NodeFs from 2^52; a filesystem with larger files may say yes.
        const r = env.p1.fd_filestat_set_size(fd, size);
        assert.ok(r === Errno.FBIG || r === Errno.SUCCESS, `${size}: ${errnoName(r)}`);
      }
      assert.equal(env.p1.fd_filestat_set_size(fd, 2n ** 53n), Errno.INVAL); // beyond an exact JS number
    } finally {
      done();
    }
  });
});
