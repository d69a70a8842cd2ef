// Every preview1 call: a descriptor that is not open -> BADF, every pointer out of range -> FAULT with
// memory untouched, and a pointer whose range ends exactly at the end of memory accepted.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Errno, errnoName, WasiExit } from "../mod.ts";
import { assertUnchanged, type Env, put, putIovecs, setU32, setup, snapshot } from "./helpers.ts";
import { type CoreKind, PREVIEW1 } from "./abi_facts.ts";

/** An fd argument (valid by default; the sweep replaces it). */
interface FdArg {
  fd: number;
}
/** A pointer argument to a region of `size` bytes (valid by default; the sweep moves it). */
interface PtrArg {
  ptr: number;
  size: number;
}
type Arg = FdArg | PtrArg | number | bigint;
const fd = (n: number): FdArg => ({ fd: n });
const ptr = (p: number, size: number): PtrArg => ({ ptr: p, size });

// Where the valid arguments live in the test memory.
const IOV = 0x100; // one iovec: 16 bytes at BUF
const SUB = 0x200; // one clock subscription (monotonic, relative, timeout 0)
const PATH = 0x300, PATH2 = 0x310; // "file", "other"
const R4 = 0x800, R4B = 0x810, R8 = 0x820, FDSTAT = 0x840, FILESTAT = 0x880, PRESTAT = 0x900, EVENTS = 0x940;
const BUF = 0xa00, ARGV = 0xb00, ARGBUF = 0xc00;
const STDIN = 0, STDOUT = 1, STDERR = 2, DIR = 3;

/** All 46 preview1 functions with valid arguments, in core wasm order. */
const TABLE: [string, Arg[]][] = [
  ["args_get", [ptr(ARGV, 8), ptr(ARGBUF, 5)]],
  ["args_sizes_get", [ptr(R4, 4), ptr(R4B, 4)]],
  ["environ_get", [ptr(ARGV, 4), ptr(ARGBUF, 4)]],
  ["environ_sizes_get", [ptr(R4, 4), ptr(R4B, 4)]],
  ["clock_res_get", [1, ptr(R8, 8)]],
  ["clock_time_get", [1, 0n, ptr(R8, 8)]],
  ["fd_advise", [fd(STDOUT), 0n, 0n, 0]],
  ["fd_allocate", [fd(STDOUT), 0n, 0n]],
  ["fd_close", [fd(STDOUT)]],
  ["fd_datasync", [fd(STDOUT)]],
  ["fd_fdstat_get", [fd(STDOUT), ptr(FDSTAT, 24)]],
  ["fd_fdstat_set_flags", [fd(STDOUT), 0]],
  ["fd_fdstat_set_rights", [fd(STDOUT), 0n, 0n]],
  ["fd_filestat_get", [fd(STDOUT), ptr(FILESTAT, 64)]],
  ["fd_filestat_set_size", [fd(STDOUT), 0n]],
  ["fd_filestat_set_times", [fd(STDOUT), 0n, 0n, 0]],
  ["fd_pread", [fd(STDIN), ptr(IOV, 8), 1, 0n, ptr(R4, 4)]],
  ["fd_prestat_get", [fd(DIR), ptr(PRESTAT, 8)]],
  ["fd_prestat_dir_name", [fd(DIR), ptr(BUF, 5), 5]],
  ["fd_pwrite", [fd(STDOUT), ptr(IOV, 8), 1, 0n, ptr(R4, 4)]],
  ["fd_read", [fd(STDIN), ptr(IOV, 8), 1, ptr(R4, 4)]],
  ["fd_readdir", [fd(DIR), ptr(BUF, 64), 64, 0n, ptr(R4, 4)]],
  ["fd_renumber", [fd(STDOUT), fd(STDERR)]],
  ["fd_seek", [fd(STDOUT), 0n, 0, ptr(R8, 8)]],
  ["fd_sync", [fd(STDOUT)]],
  ["fd_tell", [fd(STDOUT), ptr(R8, 8)]],
  ["fd_write", [fd(STDOUT), ptr(IOV, 8), 1, ptr(R4, 4)]],
  ["path_create_directory", [fd(DIR), ptr(PATH, 4), 4]],
  ["path_filestat_get", [fd(DIR), 0, ptr(PATH, 4), 4, ptr(FILESTAT, 64)]],
  ["path_filestat_set_times", [fd(DIR), 0, ptr(PATH, 4), 4, 0n, 0n, 0]],
  ["path_link", [fd(DIR), 0, ptr(PATH, 4), 4, fd(DIR), ptr(PATH2, 5), 5]],
  ["path_open", [fd(DIR), 0, ptr(PATH, 4), 4, 0, 0n, 0n, 0, ptr(R4, 4)]],
  ["path_readlink", [fd(DIR), ptr(PATH, 4), 4, ptr(BUF, 64), 64, ptr(R4, 4)]],
  ["path_remove_directory", [fd(DIR), ptr(PATH, 4), 4]],
  ["path_rename", [fd(DIR), ptr(PATH, 4), 4, fd(DIR), ptr(PATH2, 5), 5]],
  ["path_symlink", [ptr(PATH, 4), 4, fd(DIR), ptr(PATH2, 5), 5]],
  ["path_unlink_file", [fd(DIR), ptr(PATH, 4), 4]],
  ["poll_oneoff", [ptr(SUB, 48), ptr(EVENTS, 32), 1, ptr(R4, 4)]],
  ["proc_exit", [0]],
  ["proc_raise", [0]],
  ["sched_yield", []],
  ["random_get", [ptr(BUF, 64), 64]],
  ["sock_accept", [fd(STDOUT), 0, ptr(R4, 4)]],
  ["sock_recv", [fd(STDOUT), ptr(IOV, 8), 1, 0, ptr(R4, 4), ptr(R4B, 2)]],
  ["sock_send", [fd(STDOUT), ptr(IOV, 8), 1, 0, ptr(R4, 4)]],
  ["sock_shutdown", [fd(STDOUT), 3]],
];

const kindOf = (a: Arg): CoreKind =>
  typeof a === "bigint" ? "i64" : typeof a === "number" ? "i32" : "fd" in a ? "fd" : "ptr";

/** A fresh host with every valid argument in place: fd 0-2 stdio, fd 3 a preopen, args and env. */
async function freshEnv(): Promise<Env> {
  const env = await setup({
    args: ["a", "bc"],
    env: { K: "v" },
    stdin: "abc",
    stdout: "capture",
    stderr: "capture",
    preopens: { "/data": "/tmp" },
  });
  putIovecs(env, IOV, [[BUF, 16]]);
  env.u8().fill(0, SUB, SUB + 48);
  setU32(env, SUB + 16, 1); // monotonic, timeout 0, relative
  put(env, PATH, "file");
  put(env, PATH2, "other");
  return env;
}

/** The call with argument `i` replaced by `replace` (when given). */
function call(env: Env, name: string, args: Arg[], i = -1, replace?: number): number {
  const values = args.map((a, j) => {
    if (j === i) return replace!;
    if (typeof a === "number" || typeof a === "bigint") return a;
    return "fd" in a ? a.fd : a.ptr;
  });
  return env.p1[name](...values);
}

describe("the argument table", () => {
  // The import objects' names, order and arity are checked against the ABI table in abi.test.ts.
  test("lists every preview1 function once, in spec order, with arguments of the ABI's kinds", () => {
    assert.deepEqual(TABLE.map(([n]) => n), PREVIEW1.functions.map((f) => f.name));
    for (const [name, args] of TABLE) {
      assert.deepEqual(args.map(kindOf), PREVIEW1.functions.find((f) => f.name === name)!.params, name);
    }
  });
});

for (const [name, args] of TABLE) {
  const fdArgs = args.flatMap((a, i) => (kindOf(a) === "fd" ? [i] : []));
  const ptrArgs = args.flatMap((a, i) => (kindOf(a) === "ptr" ? [i] : []));
  if (fdArgs.length === 0 && (ptrArgs.length === 0 || name === "proc_exit")) continue;

  describe(name, () => {
    if (name !== "proc_exit") {
      test("with valid arguments it is neither FAULT nor a thrown error", async () => {
        const env = await freshEnv();
        const e = call(env, name, args);
        assert.notEqual(e, Errno.FAULT, `${name} -> ${errnoName(e)}`);
      });
    }

    for (const i of fdArgs) {
      for (const bad of [99, 0xffffffff]) {
        test(`argument ${i} (fd) = ${bad} -> BADF, memory unchanged`, async () => {
          const env = await freshEnv();
          const before = snapshot(env);
          assert.equal(errnoName(call(env, name, args, i, bad)), "EBADF");
          assertUnchanged(env, before);
          assert.equal(env.wasi.stdoutBytes().length, 0);
        });
      }
    }

    for (const i of ptrArgs) {
      const { ptr: p, size } = args[i] as PtrArg;
      const bads = (end: number) => [...new Set([0xffffffff, end - size + 1, ...(size > 1 ? [end - 1] : [])])];
      test(`argument ${i} (pointer to ${size} bytes) out of range -> FAULT, memory unchanged`, async () => {
        for (const bad of bads((await freshEnv()).size)) {
          const env = await freshEnv();
          const before = snapshot(env);
          let e: number;
          try {
            e = call(env, name, args, i, bad);
          } catch (err) {
            if (err instanceof WasiExit) throw err;
            assert.fail(`${name} with argument ${i} = ${bad} threw ${err}`);
          }
          assert.equal(errnoName(e), "EFAULT", `argument ${i} = ${bad}`);
          assertUnchanged(env, before, `memory after ${name} with argument ${i} = ${bad}`);
          assert.equal(env.wasi.stdoutBytes().length, 0);
        }
      });

      test(`argument ${i} (pointer to ${size} bytes) ending exactly at the end of memory is in range`, async () => {
        const env = await freshEnv();
        const at = env.size - size;
        env.u8().copyWithin(at, p, p + size); // the same contents, moved to the very end
        const e = call(env, name, args, i, at);
        assert.notEqual(e, Errno.FAULT, `${name} with argument ${i} = byteLength - ${size} -> fault`);
      });
    }
  });
}

describe("poll_oneoff with nsubscriptions = 0", () => {
  test("INVAL takes priority over every out-of-range pointer", async () => {
    const env = await freshEnv();
    const before = snapshot(env);
    for (const [a, b, c] of [[0xffffffff, EVENTS, R4], [SUB, 0xffffffff, R4], [SUB, EVENTS, 0xffffffff]]) {
      assert.equal(env.p1.poll_oneoff(a, b, 0, c), Errno.INVAL);
    }
    assertUnchanged(env, before);
  });
});

describe("an iovec whose buffer is out of range", () => {
  for (
    const [name, fdNum, extra] of [
      ["fd_read", STDIN, []],
      ["fd_write", STDOUT, []],
      ["fd_pread", STDIN, [0n]],
      ["fd_pwrite", STDOUT, [0n]],
    ] as const
  ) {
    test(`${name} -> FAULT, memory unchanged and nothing read or written`, async () => {
      const env = await freshEnv();
      putIovecs(env, IOV, [[BUF, 4], [env.size - 3, 4]]);
      const before = snapshot(env);
      assert.equal(env.p1[name](fdNum, IOV, 2, ...extra, R4), Errno.FAULT);
      assertUnchanged(env, before);
      assert.equal(env.wasi.stdoutBytes().length, 0);
      putIovecs(env, IOV, [[BUF, 16]]);
      if (name === "fd_read") {
        assert.equal(env.p1.fd_read(STDIN, IOV, 1, R4), Errno.SUCCESS);
        assert.equal(env.u8()[R4], 3, "stdin was not consumed by the failed call");
      }
    });
  }
});
