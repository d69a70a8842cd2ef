// sock_accept, sock_recv, sock_send, sock_shutdown: no descriptor is a socket yet.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Errno } from "../../mod.ts";
import { assertUnchanged, type Env, putIovecs, setup, snapshot } from "../helpers.ts";

const IOVS = 0x100, BUF = 0x200, R1 = 0x80, R2 = 0x90;

function calls(env: Env, fd: number): Record<string, () => number> {
  return {
    sock_accept: () => env.p1.sock_accept(fd, 0, R1),
    sock_recv: () => env.p1.sock_recv(fd, IOVS, 1, 0, R1, R2),
    sock_send: () => env.p1.sock_send(fd, IOVS, 1, 0, R1),
    sock_shutdown: () => env.p1.sock_shutdown(fd, 3),
  };
}

describe("sock_*", () => {
  test("on stdio and a preopen -> NOTSOCK, nothing written, nothing sent", async () => {
    const env = await setup({ stdin: "abc", stdout: "capture", preopens: { "/d": "/tmp" } });
    putIovecs(env, IOVS, [[BUF, 4]]);
    const before = snapshot(env);
    for (const fd of [0, 1, 2, 3]) {
      for (const [name, call] of Object.entries(calls(env, fd))) assert.equal(call(), Errno.NOTSOCK, `${name}(${fd})`);
    }
    assertUnchanged(env, before);
    assert.equal(env.wasi.stdoutBytes().length, 0);
  });

  test("on an fd that is not open (99) -> BADF", async () => {
    const env = await setup();
    putIovecs(env, IOVS, [[BUF, 4]]);
    const before = snapshot(env);
    for (const [name, call] of Object.entries(calls(env, 99))) assert.equal(call(), Errno.BADF, name);
    assertUnchanged(env, before);
  });

  test("out-of-range pointers -> FAULT, nothing written", async () => {
    const env = await setup({ stdout: "capture" });
    putIovecs(env, IOVS, [[BUF, 4]]);
    const before = snapshot(env);
    const end = env.size;
    const cases: [string, () => number][] = [
      ["sock_accept fd ptr", () => env.p1.sock_accept(1, 0, end - 3)],
      ["sock_recv iovs", () => env.p1.sock_recv(1, end - 7, 1, 0, R1, R2)],
      ["sock_recv datalen", () => env.p1.sock_recv(1, IOVS, 1, 0, end - 3, R2)],
      ["sock_recv flags", () => env.p1.sock_recv(1, IOVS, 1, 0, R1, end - 1)],
      ["sock_recv flags u32 max", () => env.p1.sock_recv(1, IOVS, 1, 0, R1, 0xffffffff)],
      ["sock_send iovs", () => env.p1.sock_send(1, end - 7, 1, 0, R1)],
      ["sock_send datalen", () => env.p1.sock_send(1, IOVS, 1, 0, end - 3)],
      ["sock_send iovs u32 max", () => env.p1.sock_send(1, 0xffffffff, 1, 0, R1)],
    ];
    for (const [name, call] of cases) assert.equal(call(), Errno.FAULT, name);
    assertUnchanged(env, before);
  });

  test("an iovec whose buffer lies outside memory -> FAULT, before NOTSOCK", async () => {
    const env = await setup();
    putIovecs(env, IOVS, [[BUF, 4], [env.size - 2, 4]]);
    const before = snapshot(env);
    assert.equal(env.p1.sock_recv(1, IOVS, 2, 0, R1, R2), Errno.FAULT);
    assert.equal(env.p1.sock_send(1, IOVS, 2, 0, R1), Errno.FAULT);
    assertUnchanged(env, before);
  });

  test("results ending at the end of memory are in range (NOTSOCK, not FAULT)", async () => {
    const env = await setup();
    putIovecs(env, env.size - 8, [[BUF, 4]]);
    assert.equal(env.p1.sock_accept(1, 0, env.size - 4), Errno.NOTSOCK);
    assert.equal(env.p1.sock_recv(1, env.size - 8, 1, 0, env.size - 6, env.size - 2), Errno.NOTSOCK);
    assert.equal(env.p1.sock_send(1, env.size - 8, 1, 0, env.size - 4), Errno.NOTSOCK);
  });
});
