// Regressions for what the syscall fuzzer (tests/fuzz.test.ts) and its review found: one test per bug, named after it.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Errno } from "../mod.ts";
import { setup } from "./helpers.ts";

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
});
