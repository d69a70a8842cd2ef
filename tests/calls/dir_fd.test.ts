// fd_* calls on a directory fd: everything that is for files is BADF, as wasmtime's dir_fd_op_failures.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Errno, errnoName, MemoryFs } from "../../mod.ts";
import { put, putIovecs, setup, u32 } from "../helpers.ts";

test("read, write, seek, tell, advise, allocate, sync, datasync, set_flags and set_size on a directory fd are BADF", async () => {
  const fs = new MemoryFs();
  fs.files.mkdir("/d", { recursive: true });
  const env = await setup({ preopens: { "/data": fs } });
  put(env, 100, "d");
  // With every right a directory has (asking for none): what answers is the kind, not a missing right.
  assert.equal(env.p1.path_open(3, 0, 100, 1, 2, 0n, 0n, 0, 200), Errno.SUCCESS);
  const fd = u32(env, 200);
  putIovecs(env, 300, [[400, 16]]);
  const calls: [string, () => number][] = [
    ["fd_read", () => env.p1.fd_read(fd, 300, 1, 500)],
    ["fd_pread", () => env.p1.fd_pread(fd, 300, 1, 0n, 500)],
    ["fd_write", () => env.p1.fd_write(fd, 300, 1, 500)],
    ["fd_pwrite", () => env.p1.fd_pwrite(fd, 300, 1, 0n, 500)],
    ["fd_seek CUR", () => env.p1.fd_seek(fd, 0n, 1, 500)],
    ["fd_seek SET", () => env.p1.fd_seek(fd, 0n, 0, 500)],
    ["fd_seek END", () => env.p1.fd_seek(fd, 0n, 2, 500)],
    ["fd_tell", () => env.p1.fd_tell(fd, 500)],
    ["fd_advise", () => env.p1.fd_advise(fd, 0n, 0n, 4)],
    ["fd_allocate", () => env.p1.fd_allocate(fd, 0n, 0n)],
    ["fd_datasync", () => env.p1.fd_datasync(fd)],
    ["fd_sync", () => env.p1.fd_sync(fd)],
    ["fd_fdstat_set_flags", () => env.p1.fd_fdstat_set_flags(fd, 4)],
    ["fd_filestat_set_size", () => env.p1.fd_filestat_set_size(fd, 0n)],
  ];
  for (const [name, call] of calls) assert.equal(errnoName(call()), errnoName(Errno.BADF), name);
  for (const d of [3, fd]) { // the preopen too
    assert.equal(env.p1.fd_filestat_get(d, 600), Errno.SUCCESS);
    assert.equal(env.u8()[600 + 16], 3, "a directory"); // filetype DIRECTORY
    assert.equal(errnoName(env.p1.fd_read(d, 300, 1, 500)), "EBADF");
  }
});

test("path_open of the preopen itself: with its own rights and with none it opens; O_DIRECTORY with FD_WRITE is ISDIR", async () => {
  const env = await setup({ preopens: { "/data": new MemoryFs() } });
  put(env, 100, ".");
  assert.equal(env.p1.fd_fdstat_get(3, 200), Errno.SUCCESS);
  const base = env.u8().slice(208, 216), inheriting = env.u8().slice(216, 224);
  const b = new DataView(base.buffer).getBigUint64(0, true), i = new DataView(inheriting.buffer).getBigUint64(0, true);
  assert.equal(errnoName(env.p1.path_open(3, 0, 100, 1, 0, b, i, 0, 300)), "SUCCESS", "same rights");
  assert.equal(errnoName(env.p1.path_open(3, 0, 100, 1, 0, 0n, 0n, 0, 300)), "SUCCESS", "no rights");
  assert.equal(errnoName(env.p1.path_open(3, 0, 100, 1, 2, 0n, 0n, 0, 300)), "SUCCESS", "O_DIRECTORY, no rights");
  assert.equal(errnoName(env.p1.path_open(3, 0, 100, 1, 2, 2n, 0n, 0, 300)), "SUCCESS", "O_DIRECTORY, FD_READ");
  assert.equal(errnoName(env.p1.path_open(3, 0, 100, 1, 2, 2n | 64n, 0n, 0, 300)), "EISDIR", "O_DIRECTORY, read+write");
});

test("path_symlink with an absolute target is PERM and creates nothing (wasmtime's symlink_create)", async () => {
  const fs = new MemoryFs();
  const env = await setup({ preopens: { "/data": fs } });
  put(env, 100, "/");
  put(env, 120, "link");
  assert.equal(errnoName(env.p1.path_symlink(100, 1, 3, 120, 4)), "EPERM");
  assert.equal(errnoName(env.p1.path_filestat_get(3, 0, 120, 4, 600)), "ENOENT");
  put(env, 100, "../x");
  assert.equal(errnoName(env.p1.path_symlink(100, 4, 3, 120, 4)), "SUCCESS", "a relative target is stored as given");
});
